"""Time to first token of turn 1 vs turn 10 for two contacts interleaved (A1, B1, A2, B2, …), with the
per-contact state cache on and off, through the model process.

With the cache off the one context holds the other contact's conversation each time, so every turn
re-evaluates the whole history; with it on, only the new turn is evaluated. All turns are kept (no
sliding window), so each conversation's prefix is stable. Prints TTFT ratios; goal <= 1.5 with the cache.

python -m bench.bench_multiturn [--turns 10] [--threads 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from tests.assets import smollm2_path
from wxbot.llm.api import ChatMessages
from wxbot.llm.worker import ModelWorker
from wxbot.settings import Settings

GOAL = 1.5
REPLY_TOKENS = 60
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


def converse(worker: ModelWorker, turns: int) -> dict[str, list[float]]:
    """Interleave A and B for ``turns`` turns each; returns each contact's time to first token per turn."""
    chats: dict[str, ChatMessages] = {key: [{"role": "system", "content": PERSONA}] for key in QUESTIONS}
    ttft: dict[str, list[float]] = {key: [] for key in QUESTIONS}
    for turn in range(turns):
        for key, messages in chats.items():
            messages.append({"role": "user", "content": QUESTIONS[key][turn]})
            started = time.perf_counter()
            pieces = []
            for piece in worker.stream_chat(messages, max_tokens=REPLY_TOKENS, temperature=0.0, cache_key=key):
                if not pieces:
                    ttft[key].append(time.perf_counter() - started)
                pieces.append(piece)
            messages.append({"role": "assistant", "content": "".join(pieces).strip()})
    return ttft


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    results = {}
    for label, cache_mb in (("on", 1024), ("off", 0)):
        settings = Settings(context_size=4096, threads=args.threads, state_cache_mb=cache_mb)
        worker = ModelWorker(settings, smollm2_path()).start()
        converse(worker, 1)  # warm-up, then a fresh conversation
        worker.close()
        worker = ModelWorker(settings, smollm2_path()).start()
        ttft = converse(worker, args.turns)
        prompt_tokens = worker.last_stats.prompt_tokens
        worker.close()
        first = statistics.mean(t[0] for t in ttft.values())
        last = statistics.mean(t[-1] for t in ttft.values())
        results[label] = last / first
        print(f"cache={label}: TTFT turn1={first * 1000:.0f} ms turn{args.turns}={last * 1000:.0f} ms "
              f"(last prompt {prompt_tokens} tokens)")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"TTFT turn{args.turns}/turn1 cache=on: {results['on']:.2f}  cache=off: {results['off']:.2f}  "
          f"(goal <= {GOAL} with the cache)")


if __name__ == "__main__":
    main()
