"""Knowledge-base retrieval on every evaluation set, measured from outside through the real CLI with the
shared scorer (``../shared/kbsets/kb_eval.py``): our own invented shop (bench/kb_shop.py with the questions of
bench/kb_eval.json, the set the synonym table was first written against) and the shared development shops
(``../shared/kbsets/babyshop``, ``../shared/kbsets/gadgets``; a set whose files are absent is skipped) and
three shops we wrote in the same format as fresh checks, none of whose wording the code was written for
beforehand (``bench/kbsets``: teashop, outdoor, beauty; their first numbers are in docs/kb.md).
Per set: recall@5, recall@1, unrelated questions answered with ``[]``, and the p95 of a whole
``wxbot kb search`` process (cold: it opens the store and loads the kept index each time). Then in-process
search latency at 10,000 passages.

python -m bench.bench_kb [--sets own,babyshop,gadgets,teashop,outdoor,beauty] [--scale N] [--show-misses]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import keyring
from keyring.backends import fail

from bench.kb_shop import write_filler, write_shop
from wxbot.kb.base import KnowledgeBase
from wxbot.settings import Settings
from wxbot.store import Store

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "kbsets"
OURS = Path(__file__).with_name("kbsets")
OWN = Path(__file__).with_name("kb_eval.json")
SCALE = 10_000
GOALS = {"recall@5": 0.95, "recall@1": 0.85}
NEG_GOAL = 10 / 12
P95_GOAL_MS = 50.0
_LAST = re.compile(r"kb_eval: recall@5=(?P<r5>[\d.]+) recall@1=(?P<r1>[\d.]+) mrr=[\d.]+ "
                   r"neg_empty=(?P<neg>\d+)/(?P<negs>\d+) p95_ms=(?P<p95>\d+)")


def own_set(folder: Path) -> tuple[Path, Path]:
    """Our shop's documents and its questions in the shared scorer's format. A question whose 'expect' lists
    alternatives (any one answers) keeps the first: the scorer needs all of a list."""
    docs = folder / "docs"
    write_shop(docs)
    data = json.loads(OWN.read_text(encoding="utf-8"))
    lines = []
    for n, q in enumerate(data["questions"], 1):
        expect = q["expect"] if isinstance(q["expect"], list) else [q["expect"]]
        lines.append({"id": f"o{n:02d}", "q": q["q"], "expect": expect[:1], "kind": "table", "hard": q["hard"]})
    for n, q in enumerate(data["unrelated"], 1):
        lines.append({"id": f"u{n:02d}", "q": q, "expect": [], "kind": "negative", "hard": False, "absent": []})
    questions = folder / "questions.jsonl"
    questions.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    return docs, questions


def run_set(name: str, docs: Path, questions: Path, show_misses: bool) -> dict | None:
    """One set through kb_eval.py and ``python -m wxbot kb`` (this checkout's wxbot)."""
    command = [sys.executable, str(SHARED / "kb_eval.py"), "--docs", str(docs), "--questions", str(questions),
               "--kb-cmd", f"{sys.executable} -m wxbot kb"]
    if show_misses:
        command.append("--show-misses")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    if show_misses:
        print(done.stdout)
    found = _LAST.search(done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "")
    if found is None:
        print(f"{name}: kb_eval did not finish: {(done.stdout + done.stderr)[-600:]}")
        return None
    return {"set": name, "recall@5": float(found["r5"]), "recall@1": float(found["r1"]),
            "neg": int(found["neg"]), "negs": int(found["negs"]), "p95_ms": int(found["p95"])}


def latency(scale: int) -> None:
    """In-process search p50/p95 over our shop plus filler rows, ``scale`` passages in all."""
    keyring.set_keyring(fail.Keyring())
    data = json.loads(OWN.read_text(encoding="utf-8"))
    queries = [q["q"] for q in data["questions"]] + data["unrelated"]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        settings = Settings(data_dir=str(root / "data"))
        with Store.open(settings.data_path, passphrase=lambda: "benchmark passphrase") as store:
            kb = KnowledgeBase.open(store, settings)
            for path in write_shop(root / "shop"):
                kb.add_file(path)
            kb.add_file(write_filler(root / "shop" / "库存总表.xlsx", scale - len(kb)))
            started = time.perf_counter()
            kb = KnowledgeBase.open(store, settings)
            load = time.perf_counter() - started
            times = []
            for _ in range(3):
                for q in queries:
                    started = time.perf_counter()
                    kb.search(q, 5)
                    times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(f"\nin-process at {scale} passages: open (load the kept index) {load:.2f} s; search p50 "
          f"{statistics.median(times):.1f} ms, p95 {p95:.1f} ms   goal p95 <= {P95_GOAL_MS:.0f} ms "
          f"{'OK' if p95 <= P95_GOAL_MS else 'MISSED'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="own,babyshop,gadgets,teashop,outdoor,beauty",
                        help="comma-separated: own, babyshop, gadgets (shared), teashop, outdoor, beauty (bench/kbsets)")
    parser.add_argument("--scale", type=int, default=SCALE, help=f"passages for the latency run (default {SCALE})")
    parser.add_argument("--show-misses", action="store_true", help="print kb_eval's full report of each set")
    args = parser.parse_args()
    if not (SHARED / "kb_eval.py").is_file():
        print(f"the shared scorer is not at {SHARED / 'kb_eval.py'}: nothing to measure")
        return
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.sets.split(","):
            if name == "own":
                docs, questions = own_set(Path(tmp) / "own")
            else:
                folder = OURS / name if (OURS / name).is_dir() else SHARED / name
                docs, questions = folder / "docs", folder / "questions.jsonl"
                if not docs.is_dir() or not questions.is_file():
                    print(f"{name}: skipped ({docs} or {questions} is absent)")
                    continue
            result = run_set(name, docs, questions, args.show_misses)
            if result is not None:
                results.append(result)
    print(f"\n{'set':<10} {'recall@5':>8} {'recall@1':>8} {'unrelated->[]':>14} {'p95 ms (cold CLI)':>18}   goals")
    for r in results:
        ok = (r["recall@5"] >= GOALS["recall@5"] and r["recall@1"] >= GOALS["recall@1"]
              and r["neg"] >= NEG_GOAL * r["negs"])
        print(f"{r['set']:<10} {r['recall@5']:>8.2f} {r['recall@1']:>8.2f} {r['neg']:>9}/{r['negs']:<4} "
              f"{r['p95_ms']:>18}   {'OK' if ok else 'MISSED'}")
    print("goals: recall@5 >= 0.95, recall@1 >= 0.85, >= 10 of 12 unrelated questions empty; "
          "p95 <= 1000 ms on a quiet machine")
    if args.scale:
        latency(args.scale)


if __name__ == "__main__":
    main()
