"""Property-based chaos: random malformed sync batches (nulls, wrong types, huge fields, unknown types, lone
surrogates, entries that aren't even objects) reach the real itchat-uos client from the simulator, then the real
bot; after every batch the next good message is still answered exactly once. Fixed seed, small budget."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wxbot.messages import ReplyMode

FAQ = [{"match": "contains", "pattern": "价格", "answer": "十元一件"}]
FIELDS = ["MsgId", "NewMsgId", "FromUserName", "ToUserName", "MsgType", "AppMsgType", "Content", "CreateTime",
          "RecommendInfo", "Url", "FileName", "Status", "StatusNotifyCode", "SubMsgType", "AppInfo", "MediaId"]
# any code point, lone surrogates included (they travel as JSON escapes, as a cut emoji does)
ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=40)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-2**63, 2**64), st.floats(allow_nan=False), ANY_TEXT,
                    st.sampled_from([1, 3, 34, 37, 42, 43, 47, 49, 51, 62, 10000, 10002, 9999, 99999, -1]),
                    st.just("长" * 100_000))
JSON = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                      st.dictionaries(st.sampled_from(FIELDS + ["UserName"]), inner,
                                                                      max_size=3)), max_leaves=6)
ENTRY = st.one_of(st.dictionaries(st.sampled_from(FIELDS), JSON, min_size=1, max_size=5), JSON)


def test_after_any_malformed_batch_the_next_good_message_is_answered_exactly_once(harness):
    h = harness(with_model=False, faq_rules=FAQ, new_contact_mode="auto")
    h.start()
    h.svc.set_mode(h.contact_id("李四🌸"), ReplyMode.OFF)  # the hostile entries come "from" 李四, who gets no replies
    rounds: list[str] = []

    @settings(max_examples=25, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(batch=st.lists(ENTRY, min_size=1, max_size=4))
    def one_round(batch):
        with h.sim.state.cond:  # one webwxsync answer: the hostile entries, then the good message
            for entry in batch:
                h.sim.inject_raw("li", entry)
            good = h.sim.inject("zhang", f"价格多少？第{len(rounds) + 1}次问")
        rounds.append(good)
        assert h.settle([good], timeout=30)[good] == "replied"
        to_zhang = [m for m in h.sim.outbox() if m["to_id"] == "zhang"]
        assert [m["text"] for m in to_zhang] == ["[AI] 十元一件"] * len(rounds)  # exactly once per good message
        assert all(m["to_id"] == "zhang" for m in h.sim.outbox())

    one_round()
    assert len(rounds) >= 10
    assert h.svc.bot_running
