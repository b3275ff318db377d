"""Several contacts at once: aggregate decode tokens/s with N concurrent contacts ÷ one contact, through the product
path (N threads each calling ReplyEngine.reply on a ModelWorker started with parallel_replies=N), against the same
ratio for raw llama.cpp batching (one llama_decode over N sequences per step, n_seq_max=N) in the same run.

"product keeps X% of raw gain" with X = (app ratio - 1) / (raw ratio - 1); goal >= 90%. Greedy everywhere and a fixed
number of tokens: raw ignores end-of-text; each question is checked to generate the full count alone through the
engine, and a concurrent reply counts as that many tokens when it equals its solo text (else its text is
tokenized again and the mismatch printed). Decode rate = tokens after each stream's first / (last piece of any
stream - first piece of any stream): prompt evaluation is left out, as in bench_decode. Each round runs raw and app
back to back; the medians of the per-round ratios are printed.

python -m bench.bench_parallel [--seqs 4] [--tokens 128] [--reps 3] [--threads 1]
"""

from __future__ import annotations

import argparse
import ctypes
import os
import statistics
import threading
import time
from collections.abc import Iterator

import llama_cpp
import numpy as np
from llama_cpp import Llama
from loguru import logger

from tests.assets import smollm2_path
from tests.passthrough import PassThrough
from wxbot.core.engine import ReplyEngine
from wxbot.core.history import MemoryHistory
from wxbot.llm.api import ChatMessages, ChatModel
from wxbot.llm.gpufit import PROMPT_BATCH
from wxbot.llm.local import ChatTemplate
from wxbot.llm.worker import ModelWorker
from wxbot.messages import ChatKind, Message
from wxbot.settings import Settings

GOAL = 0.90
CONTEXT = 2048
PERSONA = "You are a helpful assistant."
QUESTIONS = [  # prose, so the engine's loop guard lets every token through
    "Explain in detail how a small tea shop can keep its customers happy, step by step.",
    "Describe in detail how to plan a week-long trip to the mountains, from packing to the way home.",
    "Explain in detail how a family bakery can sell more bread in winter, with practical examples.",
    "Describe in detail how to start a vegetable garden on a city balcony, month by month.",
]


class StreamClock(PassThrough):
    """A ChatModel pass-through noting, per conversation, when each piece reached the engine and the raw text."""

    def __init__(self, model: ChatModel) -> None:
        super().__init__(model)
        self.times: dict[str, list[float]] = {}
        self.texts: dict[str, str] = {}

    def stream_chat(self, messages: ChatMessages, **kwargs) -> Iterator[str]:
        key = kwargs["cache_key"]
        times, pieces = self.times.setdefault(key, []), []
        times.clear()
        try:
            for piece in self.model.stream_chat(messages, **kwargs):
                times.append(time.perf_counter())
                pieces.append(piece)
                yield piece
        finally:
            self.texts[key] = "".join(pieces)


class RawBatch:
    """llama.cpp's own batching, in-process: one context with n_seq_max sequences, greedy, end-of-text ignored."""

    def __init__(self, path: str, seqs: int, threads: int) -> None:
        llama_cpp.llama_backend_init()
        self.model = llama_cpp.llama_model_load_from_file(path.encode(), llama_cpp.llama_model_default_params())
        params = llama_cpp.llama_context_default_params()
        params.n_ctx, params.n_seq_max = CONTEXT * seqs, seqs  # each sequence gets CONTEXT tokens
        params.n_batch = params.n_ubatch = PROMPT_BATCH
        params.n_threads = params.n_threads_batch = threads
        self.ctx = llama_cpp.llama_init_from_model(self.model, params)
        self.n_vocab = llama_cpp.llama_vocab_n_tokens(llama_cpp.llama_model_get_vocab(self.model))
        self.batch = llama_cpp.llama_batch_init(max(PROMPT_BATCH, seqs), 0, seqs)

    def _decode(self, tokens: list[tuple[int, int, int, bool]]) -> None:
        """(token, position, sequence, wants logits) each, in one llama_decode."""
        b = self.batch
        for i, (token, pos, seq, logits) in enumerate(tokens):
            b.token[i], b.pos[i], b.n_seq_id[i], b.logits[i] = token, pos, 1, logits
            b.seq_id[i][0] = seq
        b.n_tokens = len(tokens)
        if (rc := llama_cpp.llama_decode(self.ctx, b)) != 0:
            raise RuntimeError(f"llama_decode returned {rc}")

    def _argmax(self, index: int) -> int:
        logits = llama_cpp.llama_get_logits_ith(self.ctx, index)
        return int(np.ctypeslib.as_array(ctypes.cast(logits, ctypes.POINTER(ctypes.c_float)), (self.n_vocab,)).argmax())

    def rate(self, prompts: list[list[int]], tokens: int) -> float:
        """Aggregate decode tokens/s over len(prompts) sequences, each generating ``tokens``."""
        llama_cpp.llama_memory_clear(llama_cpp.llama_get_memory(self.ctx), True)
        nxt = []
        for seq, prompt in enumerate(prompts):
            for start in range(0, len(prompt), PROMPT_BATCH):
                chunk = prompt[start:start + PROMPT_BATCH]
                self._decode([(t, start + i, seq, start + i == len(prompt) - 1) for i, t in enumerate(chunk)])
            nxt.append(self._argmax(len(chunk) - 1))  # the first generated token, from the prompt
        began = time.perf_counter()
        for step in range(1, tokens):
            self._decode([(nxt[s], len(p) + step - 1, s, True) for s, p in enumerate(prompts)])
            nxt = [self._argmax(s) for s in range(len(prompts))]
        return len(prompts) * (tokens - 1) / (time.perf_counter() - began)

    def close(self) -> None:
        llama_cpp.llama_batch_free(self.batch)
        llama_cpp.llama_free(self.ctx)
        llama_cpp.llama_model_free(self.model)


class App:
    """The product path: ReplyEngine.reply on a ModelWorker, one thread per contact."""

    def __init__(self, settings: Settings, path: str, tokens: int, vocab: Llama) -> None:
        self.worker = ModelWorker(settings, path, console_log=False).start()
        self.clock = StreamClock(self.worker)
        self.engine = ReplyEngine(settings, self.clock, MemoryHistory())
        self.tokens, self.vocab = tokens, vocab
        self.solo: dict[str, str] = {}  # contact -> its reply's raw text alone (each is `tokens` tokens)
        self.compared = self.mismatched = 0

    def ask(self, contact: str, question: str) -> Message:
        return Message(msg_id=f"m-{contact}", contact_id=contact, display_name=contact, chat=ChatKind.PRIVATE,
                       text=question)

    def calibrate(self, contacts: dict[str, str]) -> None:
        """Each question alone, twice (the second from the state cache, as in the rounds that follow): it must
        generate the full token count."""
        for contact, question in [*contacts.items(), *contacts.items()]:
            self.engine.reply([self.ask(contact, question)])
            got = self.worker.last_stats.generated_tokens
            if got != self.tokens:
                raise SystemExit(f"{question!r} generated {got} tokens, not {self.tokens}: pick another question")
            self.solo[contact] = self.clock.texts[contact]

    def rate(self, contacts: dict[str, str]) -> float:
        errors: list[BaseException] = []

        def reply(contact: str, question: str) -> None:
            try:
                self.engine.reply([self.ask(contact, question)])
            except BaseException as exc:  # reported below, on the main thread
                errors.append(exc)

        threads = [threading.Thread(target=reply, args=item) for item in contacts.items()]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]
        times = [self.clock.times[c] for c in contacts]
        generated = sum(self._count(c) - 1 for c in contacts)
        return generated / (max(t[-1] for t in times) - min(t[0] for t in times))

    def _count(self, contact: str) -> int:
        text = self.clock.texts[contact]
        self.compared += 1
        if text == self.solo[contact]:
            return self.tokens
        self.mismatched += 1
        return len(self.vocab.tokenize(text.encode(), add_bos=False, special=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seqs", type=int, default=4)
    parser.add_argument("--tokens", type=int, default=128)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    logger.remove()  # the engine's per-reply log lines
    n, seqs = args.tokens, args.seqs
    path = str(smollm2_path())
    settings = Settings(context_size=CONTEXT, threads=args.threads, temperature=0.0, repeat_penalty=1.0,
                        max_reply_tokens=n, persona=PERSONA, reply_prefix="", parallel_replies=seqs)
    vocab = Llama(path, vocab_only=True, verbose=False)
    app = App(settings, path, n, vocab)
    contacts = {f"contact{i}": QUESTIONS[i % len(QUESTIONS)] for i in range(seqs)}
    one = dict(list(contacts.items())[:1])
    template = ChatTemplate(vocab)
    prompts = [template.tokens(app.engine.build_prompt(c, q)) for c, q in contacts.items()]
    raw = RawBatch(path, seqs, args.threads)
    app.calibrate(contacts)
    rates: dict[str, list[float]] = {"raw1": [], "rawN": [], "app1": [], "appN": []}
    for rep in range(args.reps + 1):  # the first round warms up
        measured = {"raw1": raw.rate(prompts[:1], n), "rawN": raw.rate(prompts, n),
                    "app1": app.rate(one), "appN": app.rate(contacts)}
        if rep:
            for name, value in measured.items():
                rates[name].append(value)
    raw.close()
    app.worker.close()
    med = {name: statistics.median(values) for name, values in rates.items()}
    raw_ratio = statistics.median(b / a for a, b in zip(rates["raw1"], rates["rawN"], strict=True))
    app_ratio = statistics.median(b / a for a, b in zip(rates["app1"], rates["appN"], strict=True))
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (other work skews the ratios)")
    print(f"{seqs} contacts, {n} tokens each, {args.threads} threads, prompts {min(map(len, prompts))}-"
          f"{max(map(len, prompts))} tokens; engine reports parallel={app.engine.parallel}; "
          f"replies unlike their solo text (tokens counted again): {app.mismatched} of {app.compared}")
    print(f"raw llama.cpp batching: {med['raw1']:.1f} tok/s at 1, {med['rawN']:.1f} at {seqs}, ratio {raw_ratio:.2f}")
    print(f"app (ReplyEngine + ModelWorker): {med['app1']:.1f} tok/s at 1, {med['appN']:.1f} at {seqs}, "
          f"ratio {app_ratio:.2f}")
    print(f"app / raw: {statistics.median(a / r for a, r in zip(rates['app1'], rates['raw1'], strict=True)):.2f} at 1, "
          f"{statistics.median(a / r for a, r in zip(rates['appN'], rates['rawN'], strict=True)):.2f} at {seqs} "
          "(a slow single reply inflates the app's ratio)")
    kept = (app_ratio - 1) / (raw_ratio - 1) if raw_ratio > 1 else float("nan")
    print(f"product keeps {kept:.0%} of raw gain (goal >= {GOAL:.0%}; medians of {args.reps} paired rounds)")


if __name__ == "__main__":
    main()
