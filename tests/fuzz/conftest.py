"""The fuzz and chaos suite runs the whole bot the e2e way: real itchat-uos ⇄ simulator ⇄ BotService."""

from tests.e2e.conftest import Harness, harness  # noqa: F401  (the fixture, shared with tests/e2e)
