"""Hostile settings: values that used to pass validation and then break the bot (NaN delays, a prefix as long as
a message part, a 50 MB prefix, 100,000-deep JSON, a catastrophically backtracking FAQ regex) are refused with
one bilingual sentence naming the key, and nothing the bot runs can loop or pin the CPU."""

from __future__ import annotations

import subprocess
import sys

import pytest
import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.core.test_faq import best
from tests.test_cli import env_for
from wxbot.core.engine import ReplyEngine
from wxbot.core.faq import FaqMatcher
from wxbot.core.history import MemoryHistory
from wxbot.core.textsplit import split_reply
from wxbot.errors import ConfigError
from wxbot.messages import ReplySource
from wxbot.settings import Settings, load_settings, save_settings

SLOW = "(a|aa)+$"  # backtracks catastrophically even on the regex engine: 40 'a's and a '!' take minutes
FAST_SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                         suppress_health_check=[HealthCheck.too_slow])


def _wxbot_chat(data_dir, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wxbot", "chat"], env=env_for(data_dir, **env), input="",
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("key", ["typing_delay_base", "min_seconds_between_replies", "temperature",
                                 "aggregate_seconds"])
@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_numbers_in_the_settings_file_are_named(data_dir, key, value):
    (data_dir / "settings.json").write_text(f'{{"{key}": {value}}}', encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"setting {key} has invalid value .*expected a finite number") as err:
        load_settings()
    assert "有限的数" in err.value.zh


def test_nan_from_the_environment_stops_the_cli_with_one_sentence(data_dir):
    done = _wxbot_chat(data_dir, WXBOT_TYPING_DELAY_BASE="nan")
    assert done.returncode == 2, done.stderr
    assert "typing_delay_base" in done.stderr and "finite" in done.stderr and "Traceback" not in done.stderr


def test_a_hundred_thousand_deep_settings_file_is_a_clear_error(data_dir):
    (data_dir / "settings.json").write_text('{"faq_rules": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    done = _wxbot_chat(data_dir)
    assert done.returncode == 2, done.stderr
    assert "nested too deeply" in done.stderr and "嵌套太深" in done.stderr
    assert "Traceback" not in done.stderr and "RecursionError" not in done.stderr


def test_deep_json_in_an_environment_value_is_a_clear_error():
    with pytest.raises(ConfigError, match="WXBOT_FAQ_RULES is nested too deeply"):
        load_settings({"WXBOT_FAQ_RULES": "[" * 5000 + "]" * 5000})


def test_a_huge_settings_file_is_refused_without_reading_it(data_dir):
    (data_dir / "settings.json").write_text('{"persona": "' + "x" * 3_000_000 + '"}', encoding="utf-8")
    with pytest.raises(ConfigError, match="too large"):
        load_settings()


@pytest.mark.parametrize("prefix_len", [20, 25, 11])
def test_a_prefix_that_leaves_no_room_in_a_part_is_refused(prefix_len):
    with pytest.raises(ConfigError, match=r"setting reply_prefix .*reply_part_chars \(20\)"):
        Settings(reply_prefix="P" * prefix_len, reply_part_chars=20).validate()
    Settings(reply_prefix="P" * 10, reply_part_chars=20).validate()


def test_a_reply_budget_that_leaves_no_room_for_the_prompt_is_refused():
    with pytest.raises(ConfigError, match=r"setting max_reply_tokens .*half of context_size \(1024\)"):
        Settings(context_size=1024, max_reply_tokens=1024).validate()
    Settings(context_size=2048, max_reply_tokens=1024).validate()


def test_a_fifty_megabyte_prefix_is_refused_in_a_short_sentence():
    with pytest.raises(ConfigError) as err:
        Settings(reply_prefix="前" * 50_000_000).validate()
    assert "reply_prefix" in str(err.value) and len(str(err.value)) < 400


def test_an_overlong_persona_is_refused():
    with pytest.raises(ConfigError, match="setting persona .*at most 4000 characters"):
        Settings(persona="你" * 4001).validate()


def test_a_backtracking_faq_regex_is_refused_at_save_time_and_nothing_is_written(data_dir):
    good = Settings(data_dir=str(data_dir), faq_rules=[{"match": "regex", "pattern": r"价格|多少钱", "answer": "十元"}])
    path = save_settings(good)
    before = path.read_bytes()
    rules = [{"match": "regex", "pattern": SLOW, "answer": "x"}]
    with pytest.raises(ConfigError, match=r"faq_rules\[0\]\.pattern .*catastrophic backtracking"):
        save_settings(Settings(data_dir=str(data_dir), faq_rules=rules))
    assert path.read_bytes() == before


def test_the_classic_nested_repeat_is_fine_on_the_regex_engine_and_answers_fast():
    rules = [{"match": "regex", "pattern": "(a+)+$", "answer": "全是a"}, {"match": "contains", "pattern": "价格",
                                                                        "answer": "十元"}]
    Settings(faq_rules=rules).validate()
    matcher = FaqMatcher(rules, Settings().faq_min_similarity)
    assert best(matcher, "a" * 35 + "!价格") == "十元"  # `re` took minutes here; the CPU stays free
    assert best(matcher, "a" * 35) == "全是a"


def test_a_slow_rule_that_got_past_validation_times_out_and_the_next_rule_answers():
    matcher = FaqMatcher([{"match": "regex", "pattern": SLOW, "answer": "x"},
                          {"match": "contains", "pattern": "价格", "answer": "十元"}], Settings().faq_min_similarity)
    assert best(matcher, "a" * 40 + "价格!") == "十元"


@pytest.mark.parametrize("prefix_len", [20, 21, 60])
def test_replies_end_even_with_a_prefix_as_long_as_a_part(prefix_len):
    """Settings built without validate() (as an old store might hand them over): the splitter still ends."""
    engine = ReplyEngine(Settings(reply_prefix="P" * prefix_len, reply_part_chars=20), None, MemoryHistory())
    reply = engine.fixed_reply("c", "营业时间是每天九点到晚上九点。周末也营业！", ReplySource.AWAY, ["1"])
    assert reply is not None and reply.parts[0].startswith("P" * prefix_len)
    assert "".join(reply.parts).replace("P" * prefix_len, "", 1) == "营业时间是每天九点到晚上九点。周末也营业！"


@FAST_SETTINGS
@given(text=st.text(max_size=300), limit=st.integers(min_value=-5, max_value=40))
def test_split_reply_ends_and_keeps_every_character_for_any_limit(text, limit):
    parts = split_reply(text, limit)
    assert "".join("".join(parts).split()) == "".join(text.split())  # nothing lost but the spaces at cuts
    for part in parts:  # longer than the limit only to keep one emoji or combined character whole
        assert part and (len(part) <= max(limit, 1) or len(regex.findall(r"\X", part)) == 1), (part, limit)


@FAST_SETTINGS
@given(value=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(), st.text(max_size=5),
                       st.none(), st.booleans(), st.lists(st.integers(), max_size=2)),
       key=st.sampled_from(["typing_delay_base", "typing_delay_max", "min_seconds_between_replies", "temperature",
                            "aggregate_seconds", "typing_delay_per_char", "reply_part_chars", "max_question_chars"]))
def test_any_value_either_validates_to_something_usable_or_is_named(value, key):
    try:
        checked = Settings(**{key: value})
        checked.validate()
    except ConfigError as err:
        assert key in err.en and len(str(err)) < 400
        return
    number = getattr(checked, key)
    assert isinstance(number, (int, float)) and number == number and abs(number) != float("inf")


def test_a_saved_value_todays_rules_refuse_never_keeps_the_app_from_opening(harness):
    first = harness(with_model=False)
    first.start(login=False)
    first.svc.store.set_personal("persona", "很长的人设" * 1000)  # 5,000 characters, saved by an older version
    first.svc.store.set_personal("faq_rules", [{"match": "regex", "pattern": SLOW, "answer": "x"}])
    first.svc.store.set_personal("away_message", "下班了，明天回复")
    first.stop()
    again = harness(with_model=False)
    svc = again.start(login=False)
    assert svc.settings.persona == Settings().persona and svc.settings.faq_rules == []
    assert svc.settings.away_message == "下班了，明天回复"  # what still passes is kept
    told = [str(e) for e in again.log.events if "can't be used" in str(e)]
    assert len(told) == 2 and "persona" in told[0] and "faq_rules" in told[1]
