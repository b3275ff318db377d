"""The model layer: the local model (a worker process owns the one llama.cpp model) or an OpenAI-compatible
server; the bot talks to either through ChatModel (api.py), and backends.py picks one from the settings."""
