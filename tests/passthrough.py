"""A ChatModel that passes everything to the real one: tests and benchmarks override ``stream_chat`` to note when
and what the real model generated, never what it says."""

from __future__ import annotations

from collections.abc import Iterator

from wxbot.llm.api import ChatMessages, ChatModel, ModelInfo


class PassThrough:
    def __init__(self, model: ChatModel) -> None:
        self.model, self.load_note = model, model.load_note

    @property
    def info(self) -> ModelInfo:
        return self.model.info

    def count_tokens(self, messages: ChatMessages) -> int:
        return self.model.count_tokens(messages)

    def stream_chat(self, messages: ChatMessages, **kwargs) -> Iterator[str]:
        return self.model.stream_chat(messages, **kwargs)

    def close(self) -> None:
        self.model.close()
