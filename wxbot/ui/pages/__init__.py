"""The main window's pages: login, contacts, conversations, settings."""
