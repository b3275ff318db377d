"""The life of a message in one table: which stage moves a stored message (or a draft) from which state to
which. The bot's stages (wxbot/core: intake, dispatch, media, replies, delivery) and the stores (wxbot/store: inbox,
drafts) read the same table, so no stage has its own notion of a message's way, and a store refuses a move
that is not in it (a bug, never a customer's doing).

It lives at the bottom, beside the states themselves, because the stores must not import the core.
"""

from __future__ import annotations

from collections.abc import Iterable

from wxbot.messages import DraftState, InboxState, StrState

R, P, S, D = InboxState.RECEIVED, InboxState.REPLYING, InboxState.SENDING, InboxState.DRAFTED


class Stage(StrState):
    """Who moves a message: the bot's four stages, the draft desk, and a restart picking up after a crash."""

    INTAKE = "intake"  # commits what arrives (the only writer before dispatch)
    DISPATCH = "dispatch"  # policy: not answered (stale, off, outside hours, a takeover, a stop)
    MEDIA = "media"  # reads a voice message or picture into words: writes its text (TEXT_WRITES), moves no state
    REPLIES = "replies"  # claims and makes the reply, or holds it as a draft
    DELIVERY = "delivery"  # paces and sends, records the reply
    DRAFTS = "drafts"  # the owner approves, rejects or lets a draft expire
    RESTART = "restart"  # start-up: interrupted work is redone, expired or failed


# (from, to) per stage; None: the message is new (committed)
INBOX_MOVES: dict[Stage, frozenset[tuple[InboxState | None, InboxState]]] = {
    Stage.INTAKE: frozenset({(None, R), (None, InboxState.SENT)}),
    Stage.DISPATCH: frozenset({(R, InboxState.SKIPPED)}),
    Stage.MEDIA: frozenset(),  # the message goes back to dispatch as it was (received), now with words
    Stage.REPLIES: frozenset({(R, P), (R, InboxState.SKIPPED), (P, InboxState.SKIPPED), (P, InboxState.FAILED), (R, InboxState.FAILED),
                              (R, D), (P, D), (D, D)}),
    Stage.DELIVERY: frozenset({(P, S), (S, S), (P, InboxState.SKIPPED), (S, InboxState.SKIPPED),
                               (S, InboxState.FAILED), (S, InboxState.REPLIED)}),
    Stage.DRAFTS: frozenset({(D, S), (D, InboxState.SKIPPED), (S, InboxState.SKIPPED), (D, InboxState.EXPIRED),
                             (S, InboxState.EXPIRED), (D, InboxState.FAILED), (S, InboxState.FAILED)}),
    Stage.RESTART: frozenset({(S, InboxState.FAILED), (R, InboxState.EXPIRED), (P, InboxState.EXPIRED),
                              (R, R), (P, R)}),
}

# A write that is not a move: the words of a message intake committed (a voice message's transcript, a picture's
# text), per stage and the states it may find the message in. The media stage reads it between two dispatches,
# while it is still received: no other stage touches it then (a store outage replays the write before the message).
TEXT_WRITES: dict[Stage, frozenset[InboxState]] = {Stage.MEDIA: frozenset({R})}

DRAFT_MOVES: frozenset[tuple[DraftState | None, DraftState]] = frozenset({
    (None, DraftState.PENDING),
    (DraftState.PENDING, DraftState.SENDING),  # approved
    (DraftState.PENDING, DraftState.REPLACED),  # a newer draft answers its messages too
    (DraftState.PENDING, DraftState.REJECTED),
    (DraftState.PENDING, DraftState.DISCARDED),  # the owner wrote by hand
    (DraftState.PENDING, DraftState.EXPIRED),
    (DraftState.SENDING, DraftState.SENT),
    (DraftState.SENDING, DraftState.FAILED),  # not sent (or a crash mid-send: never resent)
})

# what the customer's messages become when their draft ends without being sent (reason "" = the draft's)
MESSAGE_OUTCOME: dict[DraftState, tuple[InboxState, str]] = {
    DraftState.REJECTED: (InboxState.SKIPPED, "draft_rejected"),
    DraftState.DISCARDED: (InboxState.SKIPPED, "takeover"),
    DraftState.EXPIRED: (InboxState.EXPIRED, "draft_expired"),
    DraftState.FAILED: (InboxState.FAILED, ""),
}

_ANY_STAGE = frozenset().union(*INBOX_MOVES.values())
_TEXT_STATES = frozenset().union(*TEXT_WRITES.values())


class TransitionRefused(ValueError):
    """A store was asked for a move the table does not have: a bug in the stage that asked."""


def check_inbox_move(old: InboxState | None, new: InboxState) -> None:
    """Raise TransitionRefused unless some stage may move a message from ``old`` to ``new``."""
    if (old, new) not in _ANY_STAGE:
        raise TransitionRefused(f"inbox: no stage moves a message from {old} to {new}")


def check_inbox_moves(olds: Iterable[InboxState], new: InboxState) -> None:
    for old in olds:
        check_inbox_move(old, new)


def check_text_write(state: InboxState) -> None:
    """Raise TransitionRefused unless some stage may write the words of a message in ``state``."""
    if state not in _TEXT_STATES:
        raise TransitionRefused(f"inbox: no stage writes the text of a message in {state}")


def check_draft_move(old: DraftState | None, new: DraftState) -> None:
    if (old, new) not in DRAFT_MOVES:
        raise TransitionRefused(f"drafts: no draft moves from {old} to {new}")
