"""The normalized message types every other module speaks, independent of itchat's raw dicts."""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from dataclasses import dataclass, field


class StrState(str, enum.Enum):
    """A typed state whose value is the string stored in the database or shown in a log line."""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)


class ChatKind(str, enum.Enum):
    PRIVATE = "private"
    GROUP = "group"


class MsgKind(str, enum.Enum):
    TEXT = "text"
    IMAGE = "image"
    VOICE = "voice"
    VIDEO = "video"
    LINK = "link"  # shared links and mini-program cards (itchat "Sharing")
    FILE = "file"
    SYSTEM = "system"  # MsgType 10000 notes: joins, recalls, red-packet notices…
    OTHER = "other"


MEDIA_KINDS = (MsgKind.VOICE, MsgKind.IMAGE)  # kinds whose bytes the bot may fetch and read into words


class ContactKind(str, enum.Enum):
    FRIEND = "friend"
    GROUP = "group"
    PUBLIC = "public"  # public/official accounts (VerifyFlag & 8)
    SPECIAL = "special"  # filehelper, weixin, fmessage …
    SELF = "self"


class Direction(StrState):
    IN = "in"
    OUT = "out"


class Role(StrState):
    """Who said a past turn, in the chat template's words."""

    USER = "user"
    ASSISTANT = "assistant"


class ReplySource(StrState):
    FAQ = "faq"
    MODEL = "model"
    AWAY = "away"
    NON_TEXT = "non_text"
    COMMAND = "command"
    DRAFT = "draft"  # a draft the owner approved as the bot wrote it, sent as written
    DRAFT_EDITED = "draft_edited"  # a draft the owner rewrote before sending: their own words, sent as written
    KB_FALLBACK = "kb_fallback"  # a factual question the knowledge base can't answer: the owner's fallback text
    KB = "kb"  # the knowledge base's passages quoted as written (kb_quote_passages), no model
    HANDOFF = "handoff"  # the owner's holding line when a contact is handed to them (handoff_line)
    HOLDING = "holding"  # the owner's holding line while an unsure question waits as a draft


class DraftWhy(StrState):
    """Why a reply waits as a draft instead of going out: said in the phone notice and on the Drafts page."""

    REVIEW = "review"  # a draft-mode contact: the owner approves every reply
    NO_PASSAGE = "no_passage"  # a factual question the knowledge base has no passage for
    GUARD = "guard"  # the degenerate-output guard stopped the model's reply
    WAITING = "waiting"  # the contact waits for the owner (a complaint, a refund, asked for a person)

    @classmethod
    def of(cls, reason: str) -> DraftWhy:
        """A pending draft's stored reason as a DraftWhy (a draft from before reasons were kept: REVIEW)."""
        return cls(reason) if reason in cls._value2member_map_ else cls.REVIEW


DRAFT_WHY_WORDS = {DraftWhy.REVIEW: "草稿模式 draft mode", DraftWhy.NO_PASSAGE: "知识库里没有答案 no passage found",
                   DraftWhy.GUARD: "模型回复异常被拦下 the guard stopped the reply",
                   DraftWhy.WAITING: "客户在等你处理（投诉等）waiting for you (complaint…)"}


class ReplyMode(StrState):
    """What the bot does for one contact or group: nothing, a draft the owner approves, or an automatic reply."""

    OFF = "off"
    DRAFT = "draft"
    AUTO = "auto"


class ReplyVerdict(StrState):
    """Whether a model reply may go to the contact; the other values say why it is held back (a missed
    message, or a draft for the owner to fix)."""

    SEND = "send"
    LOOP = "degenerate_loop"  # mostly the model going round in circles (！！！…, 谢谢谢…, one phrase again)
    PERSONA_ECHO = "persona_echo"  # the reply recites the persona (system prompt) back


class InboxState(StrState):
    """Where a stored message is on its way: received → replying → sending → replied, or a final miss."""

    RECEIVED = "received"  # committed, not yet claimed
    REPLYING = "replying"  # claimed by a worker, the reply is being made
    SENDING = "sending"  # the reply is going out (a crash here means failed, never a resend)
    DRAFTED = "drafted"  # a draft answers it: waiting for the owner to send, edit or reject it
    REPLIED = "replied"
    SKIPPED = "skipped"  # the policy decided not to answer (reason says why)
    FAILED = "failed"
    EXPIRED = "expired"
    STORED = "stored"  # an incoming turn remembered for the prompt only (never answered)
    SENT = "sent"  # an outgoing message (the owner's or the bot's)


@dataclass(frozen=True)
class Message:
    """One incoming (or owner-sent) message, as the policy and engine see it.

    ``contact_id`` names the conversation: the friend, or the group for group messages.
    ``from_self`` is true for messages the owner sent from the phone (and echoes of the bot's own sends).
    """

    msg_id: str
    contact_id: str
    display_name: str
    chat: ChatKind
    text: str
    time: float = field(default_factory=time.time)
    kind: MsgKind = MsgKind.TEXT
    sender_name: str = ""  # the group member who wrote it
    is_at: bool = False  # the bot was @-mentioned (groups)
    from_self: bool = False
    contact_kind: ContactKind = ContactKind.FRIEND
    # a voice message's or picture's bytes, fetched on demand (bounded) from WeChat; None once stored
    media: Callable[[], bytes] | None = field(default=None, compare=False, repr=False)

    @property
    def is_group(self) -> bool:
        return self.chat is ChatKind.GROUP


@dataclass(frozen=True)
class Heard:
    """What a voice message or picture said, read on this PC: a transcript (with the speech model's own
    confidence, 0-1) or a picture's text. Empty text: nothing was read, the message is handled as before."""

    kind: MsgKind  # VOICE or IMAGE
    text: str
    confidence: float = 1.0


@dataclass(frozen=True)
class Turn:
    """One past message in a conversation, for the prompt."""

    role: Role
    text: str
    time: float = 0.0
    msg_id: str = ""  # WeChat message id of an incoming turn, so the message being answered isn't repeated


@dataclass(frozen=True)
class Reply:
    """What the engine decided to send for one message (or one merged question)."""

    contact_id: str
    parts: tuple[str, ...]
    source: ReplySource
    in_reply_to: tuple[str, ...] = ()
    body: str = ""  # the whole reply without prefix or splitting: what history remembers
    passages: tuple[Passage, ...] = ()  # the knowledge-base passages the prompt gave the model, best first
    verdict: ReplyVerdict = ReplyVerdict.SEND

    @property
    def text(self) -> str:
        return "".join(self.parts)


@dataclass(frozen=True)
class Passage:
    """A piece of the owner's knowledge base that answers a question, as the prompt and the window show it."""

    text: str  # exactly as it goes into the prompt
    source: str  # the file's name (or the title of the owner's note)
    locator: str  # where in it: sheet and row, page, heading
    score: float  # higher is more relevant; comparable within one search only

    @property
    def label(self) -> str:
        """Where it comes from, as the model and the owner read it: "价目表.xlsx · 商品 第3行"."""
        return " · ".join(part for part in (self.source, self.locator) if part)


class OpKind(StrState):
    """What the operation log records: things the owner (or a risk signal) did to the bot, not chats."""

    BOT_STARTED = "bot_started"
    BOT_STOPPED = "bot_stopped"
    LOGIN = "login"
    LOGOUT = "logout"
    SETTINGS = "settings_changed"
    KB = "kb_changed"
    EXPORT = "export"
    DRAFT_APPROVED = "draft_approved"  # sent as the model wrote it
    DRAFT_EDITED = "draft_edited"  # sent with the owner's words instead
    DRAFT_REJECTED = "draft_rejected"


class Actor(StrState):
    """Who did it: the window, the tray menu, a #command from the phone, the command line, wxbot itself (a start
    after login or once a model loads), a risk signal, or WeChat logging the account out."""

    WINDOW = "window"
    TRAY = "tray"
    PHONE = "phone"
    CLI = "cli"
    SYSTEM = "system"  # wxbot on its own: auto-reply started after login, stopped when the model failed…
    RISK = "risk"  # a risk signal: WeChat's security warning, or a risk-control logout
    WECHAT = "wechat"  # WeChat ended the session (not a risk signal)


class DraftState(StrState):
    """A draft's way: pending (waiting for the owner) → sending → sent; or rejected, replaced by a newer draft
    for the same contact, discarded (the owner wrote by hand), expired, failed."""

    PENDING = "pending"
    SENDING = "sending"  # approved and going out (a crash here means failed, never a resend)
    SENT = "sent"
    REJECTED = "rejected"
    REPLACED = "replaced"
    DISCARDED = "discarded"
    EXPIRED = "expired"
    FAILED = "failed"


@dataclass(frozen=True)
class Draft:
    """A reply made exactly like an automatic one, held until the owner sends (or edits, or rejects) it."""

    id: int  # the N of #ok N
    contact_id: str
    state: DraftState
    text: str  # the reply's body (no prefix); after an edit, the owner's words
    source: ReplySource
    msg_ids: tuple[str, ...]  # the customer's messages it answers
    created_at: float
    passages: tuple[Passage, ...] = ()
    edited: bool = False  # the owner rewrote it before sending (a correction worth keeping)
    reason: str = ""


@dataclass(frozen=True)
class FirstVisible:
    """How long customers waited for the first character of the local model's last replies (wxbot/core/firstchar.py)."""

    replies: int  # how many replies the figures cover
    median_seconds: float
    p90_seconds: float


@dataclass(frozen=True)
class Activity:
    """One period's figures. ``replies`` counts replies (not message parts) by ReplySource value."""

    since: float
    until: float
    replies: dict[str, int] = field(default_factory=dict)
    customers: int = 0  # contacts (friends and groups) that got at least one automatic reply
    median_seconds: float | None = None  # from a customer's first message to the reply that answered it
    p95_seconds: float | None = None
    missed: dict[str, int] = field(default_factory=dict)  # reason -> customer messages left unanswered
    takeovers: int = 0  # messages the owner wrote to customers by hand
    drafts_pending: int = 0  # now, not in the period
    per_hour: tuple[int, ...] = (0,) * 24  # automatic replies by hour of the day (local time)
    # now, not in the period: customers handed to the owner, with a draft pending, or whose last message was missed
    waiting_for_you: int = 0
    # now, not in the period: the local model's last replies since wxbot started; None: none yet
    first_visible: FirstVisible | None = None
    # conversations of the period by outcome (definitions in wxbot/core/resolution.py)
    confirmed: int = 0
    assumed: int = 0
    not_resolved: int = 0

    @property
    def replied(self) -> int:
        return sum(self.replies.values())
