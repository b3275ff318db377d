"""The encrypted local store: history, contacts, personal settings and the crash-safe inbox in SQLite."""

from wxbot.store.contacts import Contact
from wxbot.store.db import DB_FILE
from wxbot.store.export import EXPORT_WARNING, export_history
from wxbot.store.history import NewMessage, StoredMessage
from wxbot.store.store import Store
from wxbot.store.wipe import wipe

__all__ = ["DB_FILE", "EXPORT_WARNING", "Contact", "NewMessage", "Store", "StoredMessage", "export_history", "wipe"]
