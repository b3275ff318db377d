"""Watch a llama.cpp model load: progress fractions and the library's error lines.

llama-cpp-python 0.3.36's ``Llama`` exposes neither the load ``progress_callback`` (PR #2340 is open)
nor the log text that says *why* a load failed, so both are hooked for the duration of one load.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import llama_cpp
import llama_cpp._logger
import llama_cpp.llama_cpp as lib

from wxbot.llm.api import LoadProgress

ProgressSink = Callable[[LoadProgress], None]
# ggml.h of the vendored llama.cpp: DEBUG 1, INFO 2, WARN 3, ERROR 4 (llama-cpp-python's _logger comment is stale)
_GGML_LOG_WARN, _GGML_LOG_ERROR = 3, 4
_MEMORY_WORDS = ("out of memory", "failed to allocate", "unable to allocate", "cudamalloc failed",
                 "not enough memory", "failed to create context")


class LoadWatch:
    """Monotonic progress (0 → 1) for one model, across load retries, plus the last load's warnings."""

    def __init__(self, on_progress: ProgressSink | None) -> None:
        self._on_progress = on_progress
        self._fraction = -1.0
        self.messages: list[str] = []
        # ctypes callbacks must outlive the C calls that use them: keep references on the instance
        self._progress_cb = lib.llama_progress_callback(self._progress)
        self._log_cb = lib.llama_log_callback(self._log)

    def report(self, fraction: float) -> None:
        fraction = min(max(fraction, 0.0), 1.0)
        if fraction > self._fraction:
            self._fraction = fraction
            if self._on_progress is not None:
                self._on_progress(LoadProgress(fraction))

    def memory_failure(self) -> bool:
        text = " ".join(self.messages).lower()
        return any(word in text for word in _MEMORY_WORDS)

    def reason(self) -> str:
        """The last thing llama.cpp complained about, for the log and the error detail."""
        return self.messages[-1] if self.messages else ""

    def _progress(self, fraction: float, _user_data: ctypes.c_void_p) -> bool:
        # The load holds one CPU core; a UI update here must stay cheap (the worker sends one pipe message).
        self.report(fraction * 0.99)  # 1.0 is reported once the context exists too
        return True

    def _log(self, level: int, text: bytes, _user_data: ctypes.c_void_p) -> None:
        if level in (_GGML_LOG_WARN, _GGML_LOG_ERROR) and text:
            self.messages.append(text.decode("utf-8", "replace").strip())

    @contextmanager
    def hooked(self) -> Iterator[None]:
        """Install the progress callback into the model params ``Llama`` builds, and capture the log."""
        self.messages = []
        original = lib.llama_model_default_params

        def params_with_progress() -> lib.llama_model_params:
            params = original()
            params.progress_callback = self._progress_cb
            return params

        lib.llama_model_default_params = params_with_progress
        llama_cpp.llama_log_set(self._log_cb, ctypes.c_void_p(0))
        try:
            yield
        finally:
            lib.llama_model_default_params = original
            llama_cpp.llama_log_set(llama_cpp._logger.llama_log_callback, ctypes.c_void_p(0))
