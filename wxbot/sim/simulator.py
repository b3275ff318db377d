"""The web-WeChat protocol simulator that the real itchat-uos client logs into (tests and ``wxbot demo``):
point ``wechat_base_url`` at ``base_url`` and play the phone and the contacts with the control methods."""

from __future__ import annotations

import dataclasses
import secrets
import threading
from typing import Any

from wxbot.sim.faults import Faults
from wxbot.sim.server import SimHTTPServer
from wxbot.sim.state import KICKED, SimState
from wxbot.sim.world import SELF, Group, Person, World, default_world

CONTROL_METHODS = ("scan", "confirm", "expire_qr", "inject", "inject_from_owner", "outbox", "kick",
                   "refuse_login", "allow_login", "fault", "clear_faults", "relogin_with_new_usernames")
REFUSED_1203 = "为了你的帐号安全，此微信号不能登录网页微信。你可以使用Windows微信或Mac微信在电脑端登录。"


class Simulator:
    """hold_seconds: how long synccheck and login polling hold a request (WeChat: about 25 s).
    hang_seconds: how long a "hang" fault holds a request before dropping it.
    qr_lifetime: seconds until an unscanned QR expires by itself (0 = only ``expire_qr()``).
    auto_login_seconds: the demo's phone scans a QR (or sees a push login) this long after it appears and
    confirms as long again later (0 = only ``scan()``/``confirm()``).
    clock_offset: seconds WeChat's clock is ahead of this machine's (negative: this PC's clock is fast)."""

    def __init__(self, world: World | None = None, *, hold_seconds: float = 25.0, hang_seconds: float = 60.0,
                 qr_lifetime: float = 0.0, contact_page_size: int = 50, auto_login_seconds: float = 0.0,
                 clock_offset: float = 0.0) -> None:
        self.world = world or default_world()
        self.state = SimState(self.world, qr_lifetime, auto_login_seconds, clock_offset)
        self.faults = Faults()
        self.control_token = secrets.token_urlsafe(24)  # required by the HTTP control endpoint, new every run
        self._server = SimHTTPServer(self.state, self.faults, hold_seconds, hang_seconds, contact_page_size,
                                     self._control, self.control_token)
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle
    @property
    def base_url(self) -> str:
        return self._server.base_url

    def start(self) -> Simulator:
        self._thread = threading.Thread(target=self._server.serve_forever, name="wechat-sim", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.stopping.set()
        with self.state.cond:
            self.state.cond.notify_all()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _control(self, method: str, kwargs: dict) -> object:
        """The loopback HTTP control endpoint (``POST /control/<method>``) calls these methods."""
        if method not in CONTROL_METHODS:
            raise KeyError(f"unknown control method {method!r}")
        return getattr(self, method)(**kwargs)

    # ------------------------------------------------------------------ the phone: login
    def scan(self) -> str:
        """The owner scans the newest QR code; returns its uuid."""
        return self.state.set_ticket(("waiting",), "scanned")

    def confirm(self) -> str:
        """The owner taps "log in" on the phone (after a scan, or for a push login)."""
        return self.state.set_ticket(("scanned",), "confirmed")

    def expire_qr(self) -> str:
        return self.state.set_ticket(("waiting", "scanned"), "expired")

    def refuse_login(self, ret: int = 1203, message: str = REFUSED_1203) -> None:
        """Refuse every login from now on, like WeChat does for accounts barred from web WeChat."""
        self.state.refusal = (ret, message)

    def allow_login(self) -> None:
        self.state.refusal = None

    def allow_push_login(self, allowed: bool) -> None:
        self.state.push_allowed = allowed

    def echo_sends(self, enabled: bool) -> None:
        """Echo the client's own sends back through webwxsync, as web WeChat sometimes does (ItChat #618)."""
        self.state.echo_sends = enabled

    def kick(self, retcode: int = KICKED) -> int:
        """End the live web session: synccheck answers this retcode (1100 phone logout, 1101/1102 kicked)."""
        return self.state.end_sessions(retcode)

    def logged_in(self) -> bool:
        with self.state.cond:
            return any(s.ended is None for s in self.state.sessions.values())

    def current_user_name(self, key: str) -> str:
        """The UserName the live session shows for a person or group (tests compare with the client's)."""
        with self.state.cond:
            session = next(s for s in reversed(list(self.state.sessions.values())) if s.ended is None)
            target = self.world.find(key)
            return session.names.user(getattr(target, "pid", None) or target.gid, isinstance(target, Group))

    def relogin_with_new_usernames(self, rename: dict[str, str] | None = None) -> None:
        """Same people, fresh UserNames: rename people/groups (id or name -> new nickname/group name) and end
        the live session (retcode 1101), so the next login (QR or push) sees everyone under new UserNames."""
        with self.state.cond:
            for key, new_name in (rename or {}).items():
                target = self.world.find(key)
                if isinstance(target, Person):
                    target.nick = new_name
                else:
                    target.name = new_name
            self.state.end_sessions(KICKED)

    # ------------------------------------------------------------------ the contacts
    def inject(self, chat: str, text: str = "", *, member: str | None = None, kind: str = "text",
               at_bot: bool = False, create_time: int | None = None, msg_id: str | None = None,
               url: str = "", title: str = "", media: bytes = b"", voice_ms: int = 3000) -> str:
        """A message arrives in ``chat`` (a person or group: id, remark, nickname or group name); in a group
        ``member`` wrote it (default: the first other member). ``media``: a voice message's MP3 (``voice_ms``
        long) or a picture's bytes, which the client downloads by MsgId. Returns the MsgId."""
        target = self.world.find(chat)
        if isinstance(target, Group):
            sender = self.world.find(member).pid if member else next(m for m in target.members if m != SELF)
            chat_id = target.gid
        else:
            sender = chat_id = target.pid
        return self.state.add_message(chat_id, sender, kind, text, at_bot=at_bot, create_time=create_time,
                                      msg_id=msg_id, url=url, title=title, media=media, voice_ms=voice_ms)

    def inject_raw(self, chat: str, overlay: object, *, text: str = "", kind: str = "text") -> str:
        """A message whose AddMsgList entry has ``overlay``'s raw fields (any JSON, nulls and wrong types too)
        in place of the rendered ones, or is ``overlay`` itself when that is not a dict: what a buggy or hostile
        server might send. Returns the logged MsgId."""
        target = self.world.find(chat)
        chat_id = getattr(target, "pid", None) or target.gid
        sender = chat_id if isinstance(target, Person) else next(m for m in target.members if m != SELF)
        return self.state.add_message(chat_id, sender, kind, text, overlay=overlay)

    def inject_from_owner(self, to: str, text: str, kind: str = "text", create_time: int | None = None) -> str:
        """The owner types on the phone: to a friend, a group, ``filehelper`` or ``self``."""
        target = self.world.find(to)
        return self.state.add_message(getattr(target, "pid", None) or target.gid, SELF, kind, text,
                                      create_time=create_time)

    # ------------------------------------------------------------------ what the client did
    def outbox(self) -> list[dict[str, Any]]:
        """Everything the client sent: to (UserName), to_id, text, client_msg_id, time, msg_id."""
        with self.state.cond:
            return [dataclasses.asdict(m) for m in self.state.outbox]

    def wait_outbox(self, count: int, timeout: float = 60.0) -> list[dict[str, Any]]:
        """Block until the client has sent at least ``count`` messages (or raise TimeoutError)."""
        with self.state.cond:
            if not self.state.cond.wait_for(lambda: len(self.state.outbox) >= count, timeout):
                raise TimeoutError(f"outbox has {len(self.state.outbox)} of {count} messages after {timeout}s")
        return self.outbox()

    def wait_sent_to(self, key: str, count: int, timeout: float = 60.0) -> list[dict[str, Any]]:
        """Block until the client has sent at least ``count`` messages to one person or group; returns them."""
        target = self.world.find(key)
        chat_id = getattr(target, "pid", None) or target.gid
        with self.state.cond:
            if not self.state.cond.wait_for(
                    lambda: sum(m.to_id == chat_id for m in self.state.outbox) >= count, timeout):
                raise TimeoutError(f"fewer than {count} messages to {key} after {timeout}s")
        return [m for m in self.outbox() if m["to_id"] == chat_id]

    # ------------------------------------------------------------------ faults
    def fault(self, endpoint: str, kind: str = "5xx", count: int | None = None,
              duration: float | None = None) -> None:
        """Make ``endpoint`` (e.g. "synccheck", "webwxsync", "webwxsendmsg") answer badly: kind is "5xx",
        "hang" (held, then dropped) or "badjson" (malformed body), for ``count`` requests or ``duration`` s."""
        self.faults.add(endpoint, kind, count, duration)

    def clear_faults(self) -> None:
        self.faults.clear()

    def fault_hits(self) -> dict[tuple[str, str], int]:
        """How many requests each (endpoint, kind) fault has hit so far."""
        return self.faults.hit_counts()

    def repeated_sends(self) -> int:
        """Sends that repeated an already delivered ClientMsgId (recorded once, as WeChat does)."""
        return self.state.repeated_sends
