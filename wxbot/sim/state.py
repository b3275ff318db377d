"""The simulated server's state behind one condition variable: QR tickets, web sessions, the message log
and the outbox. The HTTP handler and the control API both work through it."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field

from wxbot.sim import wire
from wxbot.sim.world import SELF, Names, World

LOGOUT_PHONE = 1100  # synccheck retcode: logged out from the phone
KICKED = 1101  # logged in elsewhere / session invalidated
STALE_USER = 1204  # webwxsendmsg to a UserName this session doesn't know


@dataclass
class Ticket:
    uuid: str
    state: str = "waiting"  # waiting | scanned | confirmed | redeemed | expired
    created: float = field(default_factory=time.monotonic)
    scan_reported: bool = False
    redirect_ticket: str = field(default_factory=lambda: secrets.token_hex(12))


@dataclass
class Session:
    wxsid: str
    names: Names
    skey: str = field(default_factory=lambda: "@crypt_" + secrets.token_hex(8))
    pass_ticket: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    ended: int | None = None  # the synccheck retcode once the session is over


@dataclass
class OutMsg:
    to: str  # the UserName the client sent to
    to_id: str  # the simulator's stable id of that person or group
    text: str
    client_msg_id: str
    time: float
    msg_id: str


class SimState:
    def __init__(self, world: World, qr_lifetime: float, auto_login: float = 0.0, clock_offset: float = 0.0) -> None:
        self.world = world
        self.clock_offset = clock_offset  # WeChat's clock minus this machine's (a PC clock that is off)
        self.cond = threading.Condition()
        self.qr_lifetime = qr_lifetime
        self.auto_login = auto_login
        self.tickets: dict[str, Ticket] = {}
        self.sessions: dict[str, Session] = {}
        self.log: list[wire.LoggedMsg] = []
        self.outbox: list[OutMsg] = []
        self.refusal: tuple[int, str] | None = None
        self.push_allowed = True
        self.echo_sends = False
        self.repeated_sends = 0  # webwxsendmsg calls whose ClientMsgId was already delivered
        self._next_msg_id = 4_000_000_000_000_000_000 + secrets.randbelow(10**15)

    # ------------------------------------------------------------------ login
    def new_ticket(self, state: str = "waiting") -> str:
        with self.cond:
            uuid = secrets.token_urlsafe(8)[:10] + "=="
            self.tickets[uuid] = Ticket(uuid, state, scan_reported=state == "scanned")
            self.cond.notify_all()
            return uuid

    def latest(self, *states: str) -> Ticket | None:
        found = [t for t in self.tickets.values() if t.state in states]
        return found[-1] if found else None

    def set_ticket(self, from_states: tuple[str, ...], to_state: str) -> str:
        with self.cond:
            ticket = self.latest(*from_states)
            if ticket is None:
                raise RuntimeError(f"no login QR in state {'/'.join(from_states)}")
            ticket.state = to_state
            self.cond.notify_all()
            return ticket.uuid

    def poll(self, uuid: str, hold: float) -> tuple[int, Ticket | None]:
        """Login polling: 408 (nothing yet), 201 (scanned), 200 (confirmed), 400 (expired/unknown)."""
        deadline = time.monotonic() + hold
        with self.cond:
            ticket = self.tickets.get(uuid)
            while ticket is not None:
                self._age(ticket)
                if ticket.state in ("expired", "redeemed"):
                    break
                if ticket.state == "confirmed":
                    return 200, ticket
                if ticket.state == "scanned" and not ticket.scan_reported:
                    ticket.scan_reported = True
                    return 201, ticket
                left = deadline - time.monotonic()
                if left <= 0:
                    return (201 if ticket.state == "scanned" else 408), ticket
                self.cond.wait(min(left, 0.2) if (self.qr_lifetime or self.auto_login) else left)
            return 400, ticket

    def _age(self, ticket: Ticket) -> None:
        """Time passing for a QR: it expires unscanned, or the demo's phone scans and confirms it."""
        age = time.monotonic() - ticket.created
        if self.auto_login and ticket.state == "waiting" and age >= self.auto_login:
            ticket.state = "scanned"
        if self.auto_login and ticket.state == "scanned" and age >= 2 * self.auto_login:
            ticket.state = "confirmed"
        if self.qr_lifetime and ticket.state == "waiting" and age > self.qr_lifetime:
            ticket.state = "expired"

    def redeem(self, redirect_ticket: str) -> Session | None:
        """The login page: a confirmed ticket becomes a web session (fresh UserNames for everyone)."""
        with self.cond:
            match = [t for t in self.tickets.values()
                     if t.redirect_ticket == redirect_ticket and t.state == "confirmed"]
            if not match or self.refusal:
                return None
            match[0].state = "redeemed"
            self.end_sessions(KICKED)  # WeChat allows one web session: a new login ends the old one
            session = Session(secrets.token_urlsafe(12), Names())
            self.sessions[session.wxsid] = session
            return session

    # ------------------------------------------------------------------ sessions
    def live(self, wxsid: str | None) -> Session | None:
        session = self.sessions.get(wxsid or "")
        return session if session is not None and session.ended is None else None

    def end_sessions(self, retcode: int) -> int:
        with self.cond:
            live = [s for s in self.sessions.values() if s.ended is None]
            for session in live:
                session.ended = retcode
            self.cond.notify_all()
            return len(live)

    def seq(self) -> int:
        return len(self.log)

    def wait_sync(self, wxsid: str | None, seq: int, hold: float) -> tuple[int, int]:
        """synccheck: (retcode, selector), held until a message newer than ``seq`` arrives."""
        deadline = time.monotonic() + hold
        with self.cond:
            while True:
                session = self.sessions.get(wxsid or "")
                if session is None or session.ended is not None:
                    return (session.ended if session else KICKED), 0
                if self.seq() > seq:
                    return 0, 2
                left = deadline - time.monotonic()
                if left <= 0:
                    return 0, 0
                self.cond.wait(left)

    def now(self) -> float:
        """The server's clock: CreateTime of new messages and the Date header of every answer."""
        return time.time() + self.clock_offset

    def messages_after(self, session: Session, seq: int, limit: int = 50) -> tuple[list[object], int]:
        with self.cond:
            batch = self.log[seq:seq + limit]
            return [wire.message(self.world, m, session.names) for m in batch], seq + len(batch)

    def add_message(self, chat: str, sender: str, kind: str, text: str, *, at_bot: bool = False,
                    create_time: int | None = None, msg_id: str | None = None, url: str = "",
                    title: str = "", overlay: object = None, media: bytes = b"", voice_ms: int = 3000) -> str:
        if kind not in wire.MSG_TYPES:
            raise ValueError(f"kind must be one of {sorted(wire.MSG_TYPES)}")
        with self.cond:
            if msg_id is None:
                self._next_msg_id += 1 + secrets.randbelow(1000)
                msg_id = str(self._next_msg_id)
            self.log.append(wire.LoggedMsg(self.seq() + 1, msg_id, chat, sender, kind, text,
                                           int(self.now()) if create_time is None else create_time,
                                           at_bot, url, title, overlay, media, voice_ms))
            self.cond.notify_all()
            return msg_id

    def media_of(self, msg_id: str, kind: str) -> bytes | None:
        """A voice message's or picture's bytes by MsgId (webwxgetvoice / webwxgetmsgimg); None: no such media."""
        with self.cond:
            found = next((m for m in self.log if m.msg_id == msg_id and m.kind == kind and m.media), None)
            return found.media if found else None

    def record_send(self, session: Session, msg: dict) -> tuple[int, str]:
        """webwxsendmsg: (Ret, MsgID). A repeated ClientMsgId is the same message: recorded once."""
        client_id = str(msg.get("ClientMsgId", ""))
        with self.cond:
            for out in self.outbox:
                if out.client_msg_id == client_id:
                    self.repeated_sends += 1
                    return 0, out.msg_id
            if msg.get("FromUserName") != session.names.user(SELF):
                return 1, ""
            to_id = session.names.ident(str(msg.get("ToUserName", "")))
            if to_id is None:
                return STALE_USER, ""
            text = str(msg.get("Content", ""))
            msg_id = self.add_message(to_id, SELF, "text", text) if self.echo_sends else None
            if msg_id is None:
                self._next_msg_id += 1
                msg_id = str(self._next_msg_id)
            self.outbox.append(OutMsg(msg["ToUserName"], to_id, text, client_id, time.time(), msg_id))
            self.cond.notify_all()
            return 0, msg_id
