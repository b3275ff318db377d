"""The local model: a worker process owns the one llama.cpp model; the bot talks to it through ChatModel."""
