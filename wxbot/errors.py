"""User-facing errors: every failure the owner may see carries a Chinese and an English message.

Boundaries (the window, the CLI) show ``str(err)``; nothing below them prints tracebacks to users.
"""

from __future__ import annotations


class WxbotError(Exception):
    """Base of the errors the app shows to people. ``zh`` first, then English."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} ({en})")
        self.zh = zh
        self.en = en

    def message(self, lang: str = "zh") -> str:
        return self.zh if lang.startswith("zh") else self.en


class ConfigError(WxbotError):
    """A settings file or value that can't be used."""


class ModelError(WxbotError):
    """A model file that can't be loaded, or a model that failed while running."""


class EngineError(ModelError):
    """A model server (an OpenAI-compatible engine) unreachable, refusing a request or failing."""

    def __init__(self, zh: str, en: str, *, reachable: bool = True, retriable: bool = False,
                 status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(zh, en)
        self.reachable = reachable  # False: no answer at all (connection refused, timeout)
        self.retriable = retriable  # safe to send the same request again (nothing of it was accepted)
        self.status = status  # the HTTP status the server answered with
        self.retry_after = retry_after


class ModelOutOfMemory(ModelError):
    """Loading or running the model ran out of (GPU) memory."""


class GenerationCancelled(WxbotError):
    """A generation stopped because the bot stopped or the owner took over."""

    def __init__(self) -> None:
        super().__init__("生成已取消", "generation cancelled")


class StoreError(WxbotError):
    """The encrypted store can't be opened or written."""


class WrongKeyError(StoreError):
    """The key or passphrase does not open this store."""


class PassphraseNeeded(StoreError):
    """No usable keychain and no passphrase given: the owner is asked for one."""


class WeakPassphrase(StoreError):
    """A new store's passphrase is refused (too short): the owner is asked again."""


class KnowledgeError(WxbotError):
    """A document that can't be imported into the knowledge base, or a knowledge-base request that failed."""


class WeChatError(WxbotError):
    """Login refused, logged out, or the WeChat connection failed."""


class MessageRefused(WxbotError):
    """What the owner typed can't be sent as it is (empty, too long): nothing was sent."""


class PathError(WxbotError):
    """A folder or file wxbot needs is missing, a file where a folder should be, read-only, or planted."""


class AlreadyRunningError(WxbotError):
    """Another wxbot already runs on this data directory."""
