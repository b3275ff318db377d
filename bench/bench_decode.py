"""Decode speed through the app path (model process; reply engine on top) vs raw llama-cpp-python in-process.

Same model, prompt tokens, sampling (temperature 0), thread count and batch size; a warm-up run each,
then the median of the per-round ratios (raw and app run back to back). Decode rate = (tokens - 1) / (last piece - first piece); the first piece holds one token.

python -m bench.bench_decode [--tokens 128] [--reps 5] [--threads 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Iterator

from llama_cpp import Llama

from tests.assets import smollm2_path
from wxbot.core.engine import ReplyEngine
from wxbot.core.history import MemoryHistory
from wxbot.llm.api import ChatMessages, ChatModel
from wxbot.llm.gpufit import PROMPT_BATCH
from wxbot.llm.local import ChatTemplate
from wxbot.llm.worker import ModelWorker
from wxbot.messages import ChatKind, Message
from wxbot.settings import Settings

GOAL = 0.97
PERSONA = "You are a helpful assistant."
QUESTION = "Explain in detail how a small tea shop can keep its customers happy, step by step."


def rate(times: list[float]) -> float:
    """One piece per token (the raw stream)."""
    return (len(times) - 1) / (times[-1] - times[0])


def token_rate(times: list[float], tokens: int) -> float:
    """The model process sends the first token at once and later ones in batches (PIECE_INTERVAL_S)."""
    return (tokens - 1) / (times[-1] - times[0])


class TimedModel:
    """A ChatModel pass-through that notes when each piece reaches the engine."""

    def __init__(self, model: ChatModel) -> None:
        self.model, self.info, self.times = model, model.info, []

    def count_tokens(self, messages: ChatMessages) -> int:
        return self.model.count_tokens(messages)

    def stream_chat(self, messages: ChatMessages, **kwargs) -> Iterator[str]:
        self.times = []
        for piece in self.model.stream_chat(messages, **kwargs):
            self.times.append(time.perf_counter())
            yield piece

    def close(self) -> None:
        self.model.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=128)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    n = args.tokens
    settings = Settings(context_size=2048, threads=args.threads, temperature=0.0, max_reply_tokens=n,
                        persona=PERSONA, reply_prefix="", state_cache_mb=0)
    path = str(smollm2_path())

    raw = Llama(path, n_ctx=settings.context_size, n_batch=PROMPT_BATCH, n_ubatch=PROMPT_BATCH,
                n_threads=args.threads, n_threads_batch=args.threads, verbose=False)
    worker = ModelWorker(settings, path).start()
    timed = TimedModel(worker)
    engine = ReplyEngine(settings, timed, MemoryHistory())
    messages = engine.build_prompt("bench", QUESTION)
    prompt = ChatTemplate(raw).tokens(messages)
    message = Message(msg_id="m", contact_id="bench", display_name="bench", chat=ChatKind.PRIVATE, text=QUESTION)

    def run_raw() -> tuple[float, int]:
        chunks = raw.create_completion(prompt, max_tokens=n, temperature=0.0, stream=True)
        times = [time.perf_counter() for chunk in chunks if chunk["choices"][0]["text"]]  # not the final empty one
        return rate(times), len(times)

    def run_app() -> tuple[float, int]:
        times = [time.perf_counter() for _ in worker.stream_chat(messages, max_tokens=n, temperature=0.0)]
        return token_rate(times, worker.last_stats.generated_tokens), worker.last_stats.generated_tokens

    def run_engine() -> tuple[float, int]:
        engine.reply([message])
        return token_rate(timed.times, worker.last_stats.generated_tokens), worker.last_stats.generated_tokens

    runs = {"raw": run_raw, "app": run_app, "engine": run_engine}
    rates: dict[str, list[float]] = {name: [] for name in runs}
    counts: dict[str, set[int]] = {name: set() for name in runs}
    for rep in range(args.reps + 1):  # the first round warms up
        for name, run in runs.items():
            tok_s, count = run()
            if rep:
                rates[name].append(tok_s)
                counts[name].add(count)
    worker.close()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (other work skews the ratios)")
    print(f"prompt {len(prompt)} tokens, {args.threads} threads; generated tokens per run: "
          + ", ".join(f"{name}={sorted(c)}" for name, c in counts.items()))
    raw_med = statistics.median(rates["raw"])
    for name in ("app", "engine"):
        # Each round runs raw and app back to back: the median of paired ratios resists a busy machine.
        paired = statistics.median(a / r for a, r in zip(rates[name], rates["raw"], strict=True))
        print(f"decode tok/s raw={raw_med:.1f} {name}={statistics.median(rates[name]):.1f} "
              f"ratio={paired:.3f} (median of {args.reps} paired rounds; goal >= {GOAL})")

if __name__ == "__main__":
    main()
