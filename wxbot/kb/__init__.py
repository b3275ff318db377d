"""The knowledge base: the shop's price lists, policies and guides as encrypted passages the bot can quote.

Nothing is imported here: importing any ``wxbot.kb`` module runs this file, and a search (shelf.py) must not
load the file readers that importing documents (base.py, reading.py) needs."""
