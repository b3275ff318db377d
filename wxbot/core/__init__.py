"""Qt-free core: the bot itself. Nothing here imports Qt."""
