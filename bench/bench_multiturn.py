"""Reply latency over a long chat, through the product path: two contacts interleaved (A1, B1, A2, B2, …)
for 20 turns each through ReplyEngine and the model process, with the default history window (so the
oldest turns leave the prompt as the chat grows) and the per-contact state cache.

Worst reply latency of turns 3-20 ÷ the median of turns 1-2, with context shifting on and, as the
baseline in the same run, off (every window move evaluates the kept history again). Goal <= 1.5 with
shifting. Also prints where each reply's time went (prompt evaluation, decoding, the rest).

python -m bench.bench_multiturn [--turns 20] [--threads 2] [--tokens 40]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from dataclasses import dataclass

from tests.assets import smollm2_path
from wxbot.core.engine import ReplyEngine
from wxbot.core.history import MemoryHistory
from wxbot.llm.worker import ModelWorker
from wxbot.messages import ChatKind, Message, Role
from wxbot.settings import Settings

GOAL = 1.5
PERSONA = (
    "You are the assistant of Lin's Tailor Shop on Nanjing Road. Answer customers politely and briefly, in at "
    "most three sentences. We sell shirts, trousers and coats, make suits to measure, and do alterations. "
    "Opening hours are 9:00 to 21:00 every day. Never invent prices, stock or delivery promises: say that the "
    "owner will confirm."
)
QUESTIONS = {
    "A": [
        "Hello, I saw your shop on a map app. Do you make suits to measure, and how long does it usually take "
        "from the first fitting until the suit is ready to collect?",
        "I need a dark blue suit for my brother's wedding at the end of next month. Is that enough time, and "
        "how many fittings would I need to come in for?",
        "What kinds of wool do you usually have? I would like something that is not too warm, because the "
        "wedding is outdoors in early summer.",
        "Could you also make a matching waistcoat? My brother wants all the groomsmen to wear waistcoats "
        "without jackets during the dinner.",
        "There are four groomsmen. Would you give a discount if all five of us order suits at the same time, "
        "or do you have a fixed price list?",
        "Two of the groomsmen live in another city. Can they send their measurements instead of coming in, "
        "and how would they take them correctly?",
        "If a suit does not fit well after the last fitting, do you alter it for free, and how quickly can you "
        "do that before the wedding day?",
        "Do you also sell shirts and ties that would match a dark blue suit, or should we buy them somewhere "
        "else in the city?",
        "How should we pay? Do you need a deposit when we order, and do you accept bank transfer or only "
        "mobile payment in the shop?",
        "Great, thank you. Can I book the first fitting for this Saturday afternoon around three o'clock for "
        "me and my brother?",
    ],
    "B": [
        "Hi, my favourite grey trousers are too long and a little loose at the waist. Can you shorten them and "
        "take in the waist as well?",
        "They are wool trousers with a cuff at the bottom. Is it harder to shorten trousers with cuffs, and "
        "will they still look the same afterwards?",
        "How long will the alteration take? I am travelling for work next Thursday and would like to wear them "
        "on the trip if possible.",
        "Do I need to come in to be measured, or can I just bring a pair of trousers that fits me well so you "
        "can copy the length?",
        "I also have a winter coat with a broken zip. Do you replace zips on coats, or do I need to take it to "
        "a different repair shop?",
        "The zip is the long kind that opens from both ends. Do you keep those in stock, or would you have to "
        "order one first?",
        "If you need to order the zip, could you call me when it arrives? I would rather not come to the shop "
        "twice for nothing.",
        "Is there parking near your shop? I will have the coat and two pairs of trousers, so I would prefer to "
        "drive rather than take the metro.",
        "Can someone else pick up the clothes for me if I am still away when they are ready? My sister works "
        "near Nanjing Road.",
        "Thanks a lot. I will bring everything tomorrow morning before work, probably around half past nine. "
        "Will you be open then?",
    ],
}


@dataclass
class Turn:
    contact: str
    latency: float
    prompt_tokens: int
    evaluated: int
    shifted_out: int
    prompt_s: float
    decode_s: float
    generated: int


def converse(engine: ReplyEngine, worker: ModelWorker, turns: int) -> list[list[Turn]]:
    """Interleave A and B for ``turns`` turns each through the engine; per turn, both contacts' replies."""
    history = engine.history
    out: list[list[Turn]] = []
    for turn in range(turns):
        row = []
        for key, questions in QUESTIONS.items():
            question = questions[turn % len(questions)]
            msg_id = f"{key}{turn}"
            history.add_turn(key, Role.USER, question, msg_id=msg_id)
            message = Message(msg_id=msg_id, contact_id=key, display_name=key, chat=ChatKind.PRIVATE, text=question)
            started = time.perf_counter()
            reply = engine.reply([message])
            latency = time.perf_counter() - started
            history.add_turn(key, Role.ASSISTANT, reply.body if reply else "")
            s = worker.last_stats
            row.append(Turn(key, latency, s.prompt_tokens, s.prompt_tokens_evaluated, s.shifted_out,
                            s.prompt_seconds, s.decode_seconds, s.generated_tokens))
        out.append(row)
    return out


def ratio(run: list[list[Turn]]) -> float:
    first = statistics.median(t.latency for row in run[:2] for t in row)
    return max(t.latency for row in run[2:] for t in row) / first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--tokens", type=int, default=40, help="max_reply_tokens")
    parser.add_argument("--verbose", action="store_true", help="print every turn")
    args = parser.parse_args()
    results = {}
    for shift in (True, False):
        label = "on" if shift else "off"
        settings = Settings(threads=args.threads, temperature=0.0, max_reply_tokens=args.tokens, persona=PERSONA,
                            reply_prefix="", context_shift=shift)  # history window and context size: defaults
        worker = ModelWorker(settings, smollm2_path(), console_log=False).start()
        converse(ReplyEngine(settings, worker, MemoryHistory()), worker, 1)  # warm-up
        worker.close()
        worker = ModelWorker(settings, smollm2_path(), console_log=False).start()
        run = converse(ReplyEngine(settings, worker, MemoryHistory()), worker, args.turns)
        worker.close()
        results[label] = ratio(run)
        turns = [t for row in run for t in row]
        for i, t in enumerate(turns):
            if args.verbose:
                print(f"shift={label} turn {i // 2 + 1}{t.contact}: {t.latency * 1000:5.0f} ms = prompt "
                      f"{t.prompt_s * 1000:4.0f} ms ({t.evaluated}/{t.prompt_tokens} tok evaluated, {t.shifted_out} "
                      f"shifted out) + decode {t.decode_s * 1000:4.0f} ms ({t.generated} tok) + rest "
                      f"{(t.latency - t.prompt_s - t.decode_s) * 1000:3.0f} ms")
        worst = max(turns[4:], key=lambda t: t.latency)
        print(f"shift={label}: median turns 1-2 {statistics.median(t.latency for t in turns[:4]) * 1000:.0f} ms, "
              f"worst of turns 3-{args.turns} {worst.latency * 1000:.0f} ms ({worst.evaluated}/{worst.prompt_tokens} "
              f"prompt tokens evaluated), prompt tokens evaluated in all {sum(t.evaluated for t in turns)}")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"worst reply latency turns 3-{args.turns} / median turns 1-2: shift=on {results['on']:.2f}  "
          f"shift=off {results['off']:.2f}  (goal <= {GOAL} with shifting)")


if __name__ == "__main__":
    main()
