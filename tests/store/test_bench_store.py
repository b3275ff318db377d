"""The store benchmark runs against today's schema (it crashed on main 954c540 when the messages table gained a
column) and prints the ratios it promises."""

from __future__ import annotations

import re

from bench.bench_store import bench_throughput


def test_the_store_benchmark_matches_the_schema_and_prints_its_ratios(tmp_path, no_keyring, capsys):
    bench_throughput(tmp_path, 300)
    out = capsys.readouterr().out
    ratios = re.findall(r"ratio encrypted/\w+\s+(\d+\.\d+)", out)
    assert len(ratios) == 3, out
    assert all(float(r) > 0 for r in ratios)
