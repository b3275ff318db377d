"""How one conversation reads in the workbench: each message a bubble tagged with where it came from (FAQ,
knowledge base, AI, the owner (by hand, or a draft they rewrote), an approved draft) as a coloured text tag (no emoji: a Linux without an emoji
font shows them as boxes), a bot reply's knowledge-base passages under it (a long one cut to a line or two, with
a link that opens it in place), and why a message was not answered. The HTML is made off the GUI thread."""

from __future__ import annotations

import html
import time

from wxbot.messages import Direction, InboxState, ReplySource
from wxbot.ui.i18n import N_, tr
from wxbot.views import HistoryItem

HISTORY_LIMIT = 200  # messages shown at once (a search shows its newest matches)
PASSAGE_PREVIEW_CHARS = 60  # a longer passage shows cut to a line or two, with a link that opens it
PASSAGE_LINK = "passage"  # the scheme of that link: passage:<message id>/<passage number>
OWNER_TAG = (N_("Owner"), "#1d6fb8")
SOURCE_TAGS = {  # a ReplySource value -> the tag's words and colour
    ReplySource.FAQ: (N_("FAQ"), "#7b4fb5"),
    ReplySource.KB: (N_("Knowledge base"), "#2b8a6e"),
    ReplySource.MODEL: (N_("AI"), "#d06d1a"),
    ReplySource.DRAFT: (N_("Draft"), "#8a6d1d"),
    ReplySource.DRAFT_EDITED: OWNER_TAG,  # the owner rewrote the draft: their words, not the bot's
    ReplySource.KB_FALLBACK: (N_("Preset text"), "#6b7785"),
    ReplySource.AWAY: (N_("Preset text"), "#6b7785"),
    ReplySource.NON_TEXT: (N_("Preset text"), "#6b7785"),
    ReplySource.COMMAND: (N_("Preset text"), "#6b7785"),
}


def reason_text(code: str) -> str:
    """Words for the bot's reason codes (the inbox stores codes, the owner reads sentences)."""
    words = {
        "bot_stopped": tr("auto-reply was stopped"), "stale": tr("the message was too old"),
        "paused": tr("the contact is paused"), "takeover": tr("you replied by hand"),
        "outside_hours": tr("outside service hours"), "risk_warning": tr("WeChat sent a security warning"),
        "empty_reply": tr("the model gave no answer"), "unknown_sender": tr("WeChat doesn't know this sender"),
        "degenerate_loop": tr("the model's reply kept repeating itself"),
        "persona_echo": tr("the model's reply recited its instructions"), "auto_reply_off": tr("auto-reply is off for this contact"),
        "group_not_mentioned": tr("not @-mentioned in the group"), "expired": tr("interrupted and expired"),
        "failed": tr("the reply failed"), "daily_cap": tr("the daily reply limit was reached"),
        "loop_guard": tr("too many rapid exchanges"), "non_text": tr("not a text message"),
        "special_account": tr("a system account"), "public_account": tr("an official account"),
        "system_message": tr("a system note"), "empty": tr("an empty message"), "command": tr("an owner command"),
        "draft_rejected": tr("you rejected the draft"), "draft_expired": tr("the draft waited too long"),
    }
    return words.get(code, code.replace("_", " "))


def skipped_text(item: HistoryItem) -> str:
    """The mark under an incoming message the bot did not answer ("" when answered or still pending)."""
    if item.direction == Direction.IN and item.state == InboxState.DRAFTED:
        return tr("A draft answers it: see below")
    if item.direction != Direction.IN or item.state not in (InboxState.SKIPPED, InboxState.FAILED, InboxState.EXPIRED):
        return ""
    return tr("Not answered automatically: %s") % reason_text(item.reason or item.state)


def source_tag(item: HistoryItem) -> tuple[str, str] | None:
    """The tag on an outgoing message (words, colour): the owner's own, or where the bot's reply came from."""
    if item.direction != Direction.OUT:
        return None
    if not item.by_bot:
        return tr(OWNER_TAG[0]), OWNER_TAG[1]
    found = SOURCE_TAGS.get(item.source) if item.source in set(ReplySource) else None
    return (tr(found[0]), found[1]) if found else None  # an imported turn ("history") has none


def tag_html(words: str, colour: str) -> str:
    return (f'<span style="background:{colour}; color:#ffffff; font-size:11px; font-weight:600;">'
            f'&nbsp;{html.escape(words)}&nbsp;</span>')


def bubble_html(item: HistoryItem, opened: frozenset[str] = frozenset()) -> str:
    mine = item.direction == Direction.OUT
    colour = "#95ec69" if mine else "#ffffff"
    align = "right" if mine else "left"
    tag = source_tag(item)
    stamp = time.strftime("%m-%d %H:%M", time.localtime(item.time))
    meta = (tag_html(*tag) + " " if tag else "") + f'<span style="color:#999; font-size:11px;">{stamp}</span>'
    body = html.escape(item.text).replace("\n", "<br>")
    note = skipped_text(item)
    note_html = f'<div style="color:#b26a00; font-size:11px;">{html.escape(note)}</div>' if note else ""
    return (f'<table width="100%" cellspacing="0" cellpadding="2"><tr><td align="{align}">'
            f'<div>{meta}</div>'
            f'<table cellpadding="8" style="background:{colour}; border:1px solid #e2e2e2;">'
            f'<tr><td>{body}</td></tr></table>{note_html}{passages_html(item, opened)}</td></tr></table>')


def passage_key(item: HistoryItem, number: int) -> str:
    """A passage under a reply, as its link names it (``opened`` holds the keys of the passages shown whole)."""
    return f"{item.id}/{number}"


def passages_html(item: HistoryItem, opened: frozenset[str] = frozenset()) -> str:
    """Under a grounded reply: which knowledge-base passages it used, with their source; a long one cut, with a
    link that shows it whole (``opened``) or cut again."""
    if not item.passages:
        return ""
    rows = []
    for number, p in enumerate(item.passages):
        key = passage_key(item, number)
        text, link = html.escape(p.text), ""
        if len(p.text) > PASSAGE_PREVIEW_CHARS:
            whole = key in opened
            if not whole:
                text = html.escape(p.text[:PASSAGE_PREVIEW_CHARS]) + "…"
            link = f' <a href="{PASSAGE_LINK}:{key}">{html.escape(tr("Less") if whole else tr("More"))}</a>'
        rows.append(f'<div>• <b>{html.escape(p.label)}</b>: {text}{link}</div>')
    title = html.escape(tr("Knowledge-base passages this reply used:"))
    return f'<div style="color:#5b6b7a; font-size:11px;">{title}{"".join(rows)}</div>'


def thread_page(found: list[HistoryItem], opened: frozenset[str] = frozenset()) -> tuple[list[HistoryItem], str]:
    """The messages to show, oldest first (a search may match thousands: its newest), and their HTML (the
    passages in ``opened`` whole)."""
    ordered = sorted(found, key=lambda i: (i.time, i.id))
    items = ordered[-HISTORY_LIMIT:]
    more = ""
    if len(ordered) > len(items):
        note = tr("Showing the newest %d of %d matches") % (len(items), len(ordered))
        more = f'<p style="color:#999">{html.escape(note)}</p>'
    return items, (more + "".join(bubble_html(i, opened) for i in items)
                   or f'<p style="color:#999">{html.escape(tr("No messages yet"))}</p>')
