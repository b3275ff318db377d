"""wxbot: a private AI assistant for a personal WeChat account that runs entirely on the owner's PC."""

__version__ = "0.1.0"
