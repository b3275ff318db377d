"""Knowledge-base retrieval on an invented shop (bench/kb_shop.py, questions in bench/kb_eval.json): recall@1,
recall@5, the share of unrelated questions answered with [], and search latency p50/p95 at 10,000 passages,
each against a character-trigram search over the same passages (the baseline, measured in the same run).

python -m bench.bench_kb [--embedding-model PATH] [--min-coverage X] [--scale N]
(keyword-only unless an embedding model is given)
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import keyring
from keyring.backends import fail

from bench.kb_shop import write_filler, write_shop
from wxbot.kb import KnowledgeBase
from wxbot.kb.terms import normalize
from wxbot.llm.embedder import EmbeddingWorker
from wxbot.settings import Settings
from wxbot.store import Store

EVAL = Path(__file__).with_name("kb_eval.json")
SCALE = 10_000
GOALS = {"recall@5": 0.95, "recall@1": 0.8, "unrelated empty": 0.8}
P95_GOAL_MS = 50.0


class TrigramSearch:
    """The baseline: passages ranked by how many character trigrams they share with the question."""

    def __init__(self, passages: list) -> None:
        self.passages = passages
        self.grams = [self._grams(f"{Path(p.source).stem} {p.context} {p.text}") for p in passages]

    @staticmethod
    def _grams(text: str) -> set[str]:
        text = "".join(normalize(text).split())
        return {text[i:i + 3] for i in range(len(text) - 2)}

    def search(self, query: str, k: int) -> list:
        q = self._grams(query)
        scored = [(len(q & g), i) for i, g in enumerate(self.grams)]
        best = sorted((s for s in scored if s[0] > 0), key=lambda s: (-s[0], s[1]))[:k]
        return [self.passages[i] for _, i in best]


def evaluate(search, questions: list[dict], unrelated: list[str]) -> dict[str, float]:
    at1 = at5 = hard_at5 = 0
    misses = []
    for item in questions:
        texts = [p.text for p in search(item["q"], 5)]
        expect = item["expect"] if isinstance(item["expect"], list) else [item["expect"]]
        hit = [any(e in t for e in expect) for t in texts]
        at1 += bool(hit[:1] and hit[0])
        at5 += any(hit)
        hard_at5 += any(hit) and item["hard"]
        if not any(hit):
            misses.append(item["q"])
    answered = [q for q in unrelated if search(q, 5)]
    empty = len(unrelated) - len(answered)
    n, hard = len(questions), sum(q["hard"] for q in questions)
    return {"recall@1": at1 / n, "recall@5": at5 / n, "hard recall@5": hard_at5 / hard,
            "unrelated empty": empty / len(unrelated), "misses": misses,  # type: ignore[dict-item]
            "answered": answered}


def latency_ms(search, queries: list[str], rounds: int = 3) -> tuple[float, float]:
    times = []
    for _ in range(rounds):
        for q in queries:
            start = time.perf_counter()
            search(q, 5)
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def report(title: str, ours: dict, base: dict) -> None:
    print(f"\n{title}")
    for key in ("recall@1", "recall@5", "hard recall@5", "unrelated empty"):
        goal = f"   goal >= {GOALS[key]:.2f} {'OK' if ours[key] >= GOALS[key] else 'MISSED'}" if key in GOALS else ""
        print(f"  {key:<16} {ours[key]:.3f}   baseline {base[key]:.3f}{goal}")
    if ours["misses"]:
        print(f"  not in top 5: {' | '.join(ours['misses'])}")
    if ours["answered"]:
        print(f"  unrelated but answered: {' | '.join(ours['answered'])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedding-model", help="a GGUF embedding model (semantic search on)")
    parser.add_argument("--min-coverage", type=float, help="override the kb_min_coverage setting")
    parser.add_argument("--scale", type=int, default=SCALE, help=f"passages for the latency run (default {SCALE})")
    args = parser.parse_args()
    keyring.set_keyring(fail.Keyring())
    data = json.loads(EVAL.read_text(encoding="utf-8"))
    questions, unrelated = data["questions"], data["unrelated"]
    queries = [q["q"] for q in questions] + unrelated
    embedder = EmbeddingWorker(args.embedding_model) if args.embedding_model else None
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        settings = Settings(data_dir=str(root / "data"))
        if args.min_coverage is not None:
            settings = settings.replace(kb_min_coverage=args.min_coverage)
        with Store.open(settings.data_path, passphrase=lambda: "benchmark passphrase") as store:
            kb = KnowledgeBase.open(store, settings, embedder)
            for path in write_shop(root / "shop"):
                kb.add_file(path)
            shop = len(kb)
            print(f"{len(questions)} questions ({sum(q['hard'] for q in questions)} hard), {len(unrelated)} unrelated; "
                  f"shop: {shop} passages; semantic: {kb.semantic}")
            base = TrigramSearch(store.kb_passages())
            report("shop only", evaluate(kb.search, questions, unrelated), evaluate(base.search, questions, unrelated))

            kb.add_file(write_filler(root / "shop" / "库存总表.xlsx", args.scale - shop))
            started = time.perf_counter()
            kb = KnowledgeBase.open(store, settings, embedder)
            unlock = time.perf_counter() - started
            base = TrigramSearch(store.kb_passages())
            ours_10k = evaluate(kb.search, questions, unrelated)
            report(f"shop + filler = {len(kb)} passages", ours_10k, evaluate(base.search, questions, unrelated))
            p50, p95 = latency_ms(kb.search, queries)
            b50, b95 = latency_ms(base.search, queries)
            print(f"\n  unlock (decrypt + build indexes) at {len(kb)} passages: {unlock:.2f} s")
            print(f"  search p50 {p50:.1f} ms, p95 {p95:.1f} ms   baseline p50 {b50:.1f} ms, p95 {b95:.1f} ms   "
                  f"ratio p95 {p95 / b95:.2f}x   goal p95 <= {P95_GOAL_MS:.0f} ms "
                  f"{'OK' if p95 <= P95_GOAL_MS or kb.semantic == 'active' else 'MISSED'}")
    if embedder is not None:
        embedder.close()


if __name__ == "__main__":
    main()
