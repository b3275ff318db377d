"""Who gets a reply, owner commands and pacing — pure decisions, no threads."""

import random

from wxbot.core.commands import parse_command, run_command
from wxbot.core.contacts import ContactEntry, MemoryContactRules
from wxbot.core.pacing import Pacer, PaceVerdict
from wxbot.core.policy import ReplyPolicy, strip_mentions
from wxbot.messages import ChatKind, ContactKind, Message, MsgKind, ReplyMode
from wxbot.settings import Settings


def msg(**kw):
    base = dict(msg_id="1", contact_id="@friend", display_name="张三", chat=ChatKind.PRIVATE, text="在吗")
    base.update(kw)
    return Message(**base)


def policy(default_on=True, **settings):
    rules = MemoryContactRules(default_private=ReplyMode.AUTO if default_on else ReplyMode.OFF)
    return ReplyPolicy(Settings(**settings), rules, clock=lambda: 1000.0), rules


def test_private_follows_mode_and_default():
    p, rules = policy(default_on=False)
    assert p.decide(msg()).reason == "auto_reply_off"
    rules.set_mode("@friend", ReplyMode.AUTO)
    d = p.decide(msg())
    assert d.answer and d.text == "在吗" and d.mode is ReplyMode.AUTO
    rules.set_mode("@friend", ReplyMode.DRAFT)
    d = p.decide(msg())
    assert d.answer and d.mode is ReplyMode.DRAFT  # answered, but held for the owner


def test_never_self_public_special_system():
    p, _ = policy()
    assert p.decide(msg(from_self=True)).reason == "takeover"
    assert p.decide(msg(contact_id="filehelper", contact_kind=ContactKind.SPECIAL)).reason == "special_account"
    assert p.decide(msg(contact_kind=ContactKind.PUBLIC)).reason == "public_account"
    assert p.decide(msg(kind=MsgKind.SYSTEM)).reason == "system_message"
    assert p.decide(msg(from_self=True, contact_id="filehelper", text="#status")).reason == "command"


def test_groups_need_mention_and_switch():
    p, rules = policy()
    g = dict(contact_id="@@group", chat=ChatKind.GROUP, contact_kind=ContactKind.GROUP)
    assert p.decide(msg(**g, text="大家好")).reason == "group_not_mentioned"
    assert p.decide(msg(**g, text="@小助手\u2005几点开门", is_at=True)).reason == "auto_reply_off"
    rules.set_mode("@@group", ReplyMode.AUTO)
    d = p.decide(msg(**g, text="@小助手\u2005几点开门", is_at=True), own_names=("小助手",))
    assert d.answer and d.text == "几点开门"


def test_strip_mentions_emoji_and_spaces():
    assert strip_mentions("@小 助手🌟\u2005你好", ("小 助手🌟",)) == "你好"
    assert strip_mentions("你好 @Bot", ("Bot",)) == "你好"
    assert strip_mentions("@Alice\u2005@Bot\u2005价格？", ("Bot",)) == "价格？"


def test_takeover_pauses_contact():
    p, rules = policy(takeover_minutes=10)
    until = p.take_over("@friend")
    assert until == 1000.0 + 600
    assert p.decide(msg()).reason == "paused"


def test_non_text_reply_configurable():
    p, _ = policy()
    assert p.decide(msg(kind=MsgKind.IMAGE, text="")).reason == "non_text"
    assert not p.decide(msg(kind=MsgKind.IMAGE, text="")).answer
    p2, _ = policy(non_text_reply="收到图片")
    assert p2.decide(msg(kind=MsgKind.IMAGE, text="")).answer


class FakeBotControl:
    def __init__(self):
        self.paused = False

    def set_paused(self, paused):
        self.paused = paused

    def replies_today(self):
        return 7


def test_owner_commands():
    rules = MemoryContactRules(default_private=ReplyMode.AUTO)
    bot = FakeBotControl()
    people = [ContactEntry("c1", ContactKind.FRIEND, "张三"), ContactEntry("c2", ContactKind.FRIEND, "李四"),
              ContactEntry("c3", ContactKind.FRIEND, "李四")]
    find = lambda name: [e for e in people if e.name == name]  # noqa: E731
    clock = lambda: 50.0  # noqa: E731
    assert parse_command("hello") is None
    assert "paused" in run_command(parse_command("#pause"), bot, rules, find, clock) and bot.paused
    assert run_command(parse_command("#status"), bot, rules, find, clock).endswith("replies today: 7")
    run_command(parse_command("#resume"), bot, rules, find, clock)
    assert not bot.paused
    run_command(parse_command("#暂停 张三"), bot, rules, find, clock)
    assert rules.paused_until("c1") > 50.0
    assert "已暂停" in run_command(parse_command("#status 张三"), bot, rules, find, clock)
    run_command(parse_command("#resume 张三"), bot, rules, find, clock)
    assert rules.paused_until("c1") == 0.0
    ambiguous = run_command(parse_command("#pause 李四"), bot, rules, find, clock)  # nothing paused
    assert ambiguous.startswith("有 2 个联系人叫「李四」") and "(2 contacts share that name)" in ambiguous
    assert rules.paused_until("c2") == 0.0
    assert "no contact" in run_command(parse_command("#pause 王五"), bot, rules, find, clock)


def test_mode_commands_switch_one_contact_or_group():
    rules = MemoryContactRules(default_private=ReplyMode.OFF)
    people = [ContactEntry("c1", ContactKind.FRIEND, "张三"), ContactEntry("g1", ContactKind.GROUP, "读书会"),
              ContactEntry("c2", ContactKind.FRIEND, "李四"), ContactEntry("c3", ContactKind.FRIEND, "李四")]
    find = lambda name: [e for e in people if e.name == name]  # noqa: E731

    def run(text):
        return run_command(parse_command(text), FakeBotControl(), rules, find, lambda: 0.0)

    assert run("#on 张三") == "「张三」：自动 auto"
    assert rules.mode("c1", ContactKind.FRIEND) is ReplyMode.AUTO
    assert run("#草稿 张三") == "「张三」：草稿 draft"
    assert rules.mode("c1", ContactKind.FRIEND) is ReplyMode.DRAFT
    assert run("#status 张三") == "「张三」：草稿 draft"
    assert run("#关 张三") == "「张三」：关 off" and rules.mode("c1", ContactKind.FRIEND) is ReplyMode.OFF
    assert run("#开 读书会").startswith("「读书会」：自动 auto（群里只回复 @我")
    assert rules.mode("g1", ContactKind.GROUP) is ReplyMode.AUTO
    assert run("#on 李四").startswith("有 2 个联系人叫「李四」")  # ambiguous: nobody switched
    assert rules.mode("c2", ContactKind.FRIEND) is ReplyMode.OFF and rules.mode("c3", ContactKind.FRIEND) is ReplyMode.OFF
    assert run("#on").startswith("可用命令 commands")  # no name: the help, nothing switched


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_pacing_spacing_caps_and_loop_guard():
    clock = Clock()
    s = Settings(min_seconds_between_replies=5, max_replies_per_minute=3, max_replies_per_day=5,
                 typing_delay_base=0, typing_delay_per_char=0, loop_guard_exchanges=100)
    pacer = Pacer(s, clock, random.Random(1))
    pacer.record_sent("a")
    pacer.record_sent("b")
    pacer.record_sent("c")
    # spacing and the minute cap hold "a" and "d" back in the send queue (gate_wait, tested below), not here
    assert pacer.check("a", 10) == pacer.check("d", 10) == PaceVerdict(True, 0.0)
    clock.now = 61
    pacer.record_sent("d")
    pacer.record_sent("e")
    assert pacer.check("f", 10).reason == "daily_cap"
    clock.now = 86400 + 61
    assert pacer.check("f", 10).allowed


def test_typing_delay_grows_with_length():
    s = Settings(typing_delay_base=1.0, typing_delay_per_char=0.1)
    pacer = Pacer(s, rng=random.Random(0))
    short = [pacer.typing_delay(5) for _ in range(50)]
    long = [pacer.typing_delay(200) for _ in range(50)]
    assert max(short) < min(long)
    assert len(set(short)) > 1  # randomized


def test_loop_guard_rapid_exchanges_and_repeated_text():
    clock = Clock()
    s = Settings(loop_guard_exchanges=3, loop_guard_window_seconds=60, min_seconds_between_replies=0,
                 typing_delay_base=0, typing_delay_per_char=0)
    pacer = Pacer(s, clock)
    for i in range(3):
        clock.now += 5
        assert pacer.check("bot", 10, f"q{i}").allowed
        pacer.record_sent("bot", f"q{i}")
    assert pacer.check("bot", 10, "q9").reason == "loop_guard"
    clock.now += 61
    assert pacer.check("bot", 10, "q9").allowed
    s2 = Settings(loop_guard_exchanges=100, min_seconds_between_replies=0, typing_delay_base=0,
                  typing_delay_per_char=0)
    pacer2 = Pacer(s2, clock)
    for _ in range(3):
        pacer2.record_sent("echo", "same text")
    assert pacer2.check("echo", 10, "same text").reason == "loop_guard"


def test_typing_delay_has_a_ceiling_however_long_the_reply():
    s = Settings(typing_delay_base=1.5, typing_delay_per_char=0.05, typing_delay_max=15.0)
    pacer = Pacer(s, rng=random.Random(0))
    assert max(pacer.typing_delay(4000) for _ in range(50)) == 15.0  # 4,000 chars: 200 s uncapped
    assert pacer.check("a", 4000).wait <= 15.0


def test_gate_wait_is_spacing_and_minute_cap_without_the_typing_delay():
    now = [1000.0]
    s = Settings(min_seconds_between_replies=5.0, max_replies_per_minute=2, typing_delay_base=9.0)
    pacer = Pacer(s, lambda: now[0], random.Random(1))
    assert pacer.gate_wait("a") == 0
    pacer.record_sent("a")
    assert pacer.gate_wait("a") == 5 and pacer.gate_wait("b") == 0
    pacer.record_sent("b")
    assert pacer.gate_wait("c") == 60
