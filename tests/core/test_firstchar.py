"""The dashboard's time to the first character: median and 90th percentile of the last replies, only of replies
that showed something, and no figure before the first."""

from __future__ import annotations

from wxbot.core.firstchar import RECENT_REPLIES, FirstCharTimes
from wxbot.llm.sequences import GenerationStats


def test_figures_are_the_median_and_the_90th_percentile_of_the_last_replies():
    times = FirstCharTimes()
    assert times.figures() is None
    times.add(GenerationStats(generated_tokens=40, first_visible_seconds=None))  # all thinking: nothing shown
    assert times.figures() is None
    times.add(GenerationStats(first_visible_seconds=3.0))
    one = times.figures()
    assert one is not None and (one.replies, one.median_seconds, one.p90_seconds) == (1, 3.0, 3.0)
    for seconds in range(1, 11):
        times.add(GenerationStats(first_visible_seconds=float(seconds)))
    ten = times.figures()
    assert ten is not None and ten.replies == 11 and ten.median_seconds == 5.0 and ten.p90_seconds == 9.0


def test_only_the_recent_replies_count():
    times = FirstCharTimes()
    for _ in range(RECENT_REPLIES):
        times.add(GenerationStats(first_visible_seconds=60.0))  # before reasoning was turned off
    for _ in range(RECENT_REPLIES):
        times.add(GenerationStats(first_visible_seconds=0.5))
    figures = times.figures()
    assert figures is not None and figures.replies == RECENT_REPLIES and figures.p90_seconds == 0.5
