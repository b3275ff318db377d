"""One table of a message's moves (wxbot/lifecycle.py): only the intake stage writes a message before dispatch,
and the stores refuse any move the table does not have. (Every flow the e2e tests drive runs with the stores'
checks on, and their harness fails a test whose bot hit a refused move.)"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from wxbot.lifecycle import DRAFT_MOVES, INBOX_MOVES, TEXT_WRITES, Stage, TransitionRefused
from wxbot.messages import ChatKind, DraftState, InboxState, Message, Reply, ReplySource
from wxbot.store import Store

PACKAGE = Path(__file__).resolve().parents[1] / "wxbot"
# the intake stage, and the two adapters it writes through (the outage guard, the store port)
WRITERS = {"wxbot/core/intake.py", "wxbot/core/outage.py", "wxbot/core/storeinbox.py"}
# the media stage writes a committed voice message's or picture's words once read (not a move: TEXT_WRITES),
# through the same two adapters
TEXT_WRITERS = {"wxbot/core/mediastage.py", "wxbot/core/outage.py", "wxbot/core/storeinbox.py"}


def _calls(path: Path, method: str, store_method: str) -> list[int]:
    """Lines that call ``<…inbox>.<method>(…)`` or ``….<store_method>(…)``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = ast.unparse(node.func.value).lower()
            if node.func.attr == store_method or (node.func.attr == method and owner.endswith("inbox")):
                found.append(node.lineno)
    return found


def _callers(method: str, store_method: str) -> dict[str, list[int]]:
    return {str(p.relative_to(PACKAGE.parent)): lines for p in sorted(PACKAGE.rglob("*.py"))
            if "wxbot/store/" not in str(p.relative_to(PACKAGE.parent)) and (lines := _calls(p, method, store_method))}


def test_only_the_intake_stage_writes_a_message_before_dispatch() -> None:
    outside = _callers("add", "inbox_add")
    assert outside.keys() - WRITERS == set(), f"a message is committed outside the intake stage: {outside}"
    assert "wxbot/core/intake.py" in outside  # the check sees the one writer


def test_only_the_media_stage_writes_a_message_s_words() -> None:
    outside = _callers("set_text", "inbox_set_text")
    assert outside.keys() - TEXT_WRITERS == set(), f"a message's text is written outside the media stage: {outside}"
    assert "wxbot/core/mediastage.py" in outside


def test_the_table_names_every_stage_and_draft_state() -> None:
    assert set(INBOX_MOVES) == set(Stage)
    assert set(TEXT_WRITES) <= set(Stage)
    assert {new for _, new in DRAFT_MOVES} == set(DraftState)


@pytest.fixture
def store(data_dir):
    s = Store.open(data_dir)
    yield s
    s.close()


def _received(store: Store, msg_id: str) -> str:
    cid = store.upsert_contact("friend", "张三").id
    store.inbox_add(Message(msg_id, cid, "张三", ChatKind.PRIVATE, "问题"), cid)
    return cid


def test_the_store_refuses_a_move_not_in_the_table(store) -> None:
    _received(store, "m1")
    with pytest.raises(TransitionRefused):
        store.inbox_set_state("m1", InboxState.SENDING)  # sending what nobody claimed
    with pytest.raises(TransitionRefused):
        store.inbox_set_state("m1", InboxState.REPLIED)  # replied without a reply
    assert store.get_message("m1").state == "received"  # refused: nothing moved
    assert store.inbox_claim("m1")
    with pytest.raises(TransitionRefused):
        store.record_reply(Reply("@u", ("好",), ReplySource.MODEL, ("m1",), body="好"), store.list_contacts()[0].id)
    assert store.get_message("m1").state == "replying"


def test_a_message_s_words_are_written_only_while_it_waits_to_be_answered(store) -> None:
    _received(store, "m1")
    assert store.inbox_set_text("m1", "裙子多少钱")  # a voice message read on the media stage
    assert store.get_message("m1").text == "裙子多少钱"
    assert store.inbox_claim("m1")
    with pytest.raises(TransitionRefused):
        store.inbox_set_text("m1", "别的话")  # claimed: its question is being answered
    assert store.get_message("m1").text == "裙子多少钱"
    assert not store.inbox_set_text("nope", "x")


def test_the_store_refuses_a_draft_move_not_in_the_table(store) -> None:
    cid = _received(store, "m1")
    draft = store.draft_add(Reply(cid, ("好",), ReplySource.MODEL, ("m1",), body="好"))
    with pytest.raises(TransitionRefused):
        store.draft_close(draft.id, DraftState.SENT)  # sent without being approved
    assert store.draft_get(draft.id).state is DraftState.PENDING


def test_the_ordinary_flows_move_only_along_the_table(store) -> None:
    cid = _received(store, "m1")
    assert store.inbox_claim("m1") and store.inbox_set_state("m1", InboxState.SENDING)
    store.record_reply(Reply(cid, ("好",), ReplySource.MODEL, ("m1",), body="好"), cid)
    _received(store, "m2")
    draft = store.draft_add(Reply(cid, ("好",), ReplySource.MODEL, ("m2",), body="好"))
    assert store.draft_claim(draft.id) and store.draft_close(draft.id, DraftState.SENT, "", (DraftState.SENDING,))
    _received(store, "m3")
    rejected = store.draft_add(Reply(cid, ("好",), ReplySource.MODEL, ("m3",), body="好"))
    assert store.draft_close(rejected.id, DraftState.REJECTED, "draft_rejected")
    assert [store.get_message(m).state for m in ("m1", "m3")] == ["replied", "skipped"]
