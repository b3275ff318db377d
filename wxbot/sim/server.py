"""The simulator's HTTP face: routes the web-WeChat endpoints itchat-uos calls to the shared state,
and applies injected faults. Loopback only."""

from __future__ import annotations

import base64
import hmac
import io
import json
import threading
from collections.abc import Callable
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import qrcode

from wxbot.sim import wire
from wxbot.sim.faults import Faults
from wxbot.sim.state import SimState
from wxbot.sim.world import FIXED_NAMES, SELF

API = "/cgi-bin/mmwebwx-bin/"
CONTROL_HEADER = "X-Wxbot-Control"  # carries Simulator.control_token
_AVATAR = "data:img/jpg;base64," + base64.b64encode(b"\xff\xd8\xff\xe0avatar").decode()
_BROKEN = {"synccheck": b'window.synccheck={retcode:"0",sel', "json": b'{"BaseResponse": {"Ret": 0, "Err'}


class SimHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: SimState, faults: Faults, hold: float, hang: float, page_size: int,
                 control: Callable[[str, dict], object], control_token: str) -> None:
        super().__init__(("127.0.0.1", 0), SimHandler)
        self.state, self.faults, self.control, self.control_token = state, faults, control, control_token
        self.hold, self.hang, self.page_size = hold, hang, page_size
        self.stopping = threading.Event()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class SimHandler(BaseHTTPRequestHandler):
    server: SimHTTPServer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - keep the console quiet
        pass

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The Date header every answer carries, from the server's clock (as WeChat's servers send theirs)."""
        return super().date_time_string(self.server.state.now() if timestamp is None else timestamp)

    # ------------------------------------------------------------------ plumbing
    def do_GET(self) -> None:  # noqa: N802
        self._dispatch(None)

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw.decode("utf-8")) if raw else {}
        except ValueError:
            body = {}
        self._dispatch(body if isinstance(body, dict) else {})

    def _send(self, data: bytes, ctype: str = "text/plain; charset=utf-8", status: int = 200,
              cookies: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (cookies or {}).items():
            self.send_header("Set-Cookie", f"{name}={value}; Path=/")
        self.end_headers()
        self.wfile.write(data)

    def _json(self, obj: object) -> None:
        self._send(wire.dumps(obj), "application/json; charset=UTF-8")

    def _dispatch(self, body: dict | None) -> None:
        url = urlsplit(self.path)
        self.query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        self.body = body or {}
        path = url.path
        name = path[len(API):] if path.startswith(API) else path.strip("/").split("/")[0] or "root"
        handler = getattr(self, "ep_" + name, None)
        if handler is None:
            self._send(b"not found", status=404)
            return
        fault = self.server.faults.take(name)
        if fault == "5xx":
            self._send(b"<html>503 Service Unavailable</html>", status=503)
            return
        if fault is None:
            handler()
            return
        if name == "webwxsendmsg":  # the message goes through; its answer is lost on the way back
            self._record_send()
        self._broken(fault, name)

    def _broken(self, fault: str, name: str) -> None:
        if fault == "hang":  # hold the connection, then drop it without an answer
            self.server.stopping.wait(self.server.hang)
            self.close_connection = True
            return
        self._send(_BROKEN["synccheck" if name == "synccheck" else "json"])

    def _session(self):
        cookies = SimpleCookie(self.headers.get("Cookie", ""))
        sid = cookies["wxsid"].value if "wxsid" in cookies else None
        sid = sid or self.body.get("BaseRequest", {}).get("Sid") or self.query.get("sid")
        return self.server.state.live(sid), sid

    def ep_control(self) -> None:
        """POST /control/<method> with JSON keyword arguments and this run's token in the X-Wxbot-Control header:
        the phone, for a demo in another process. A web page in the owner's browser can't drive it: it doesn't
        know the random token, a request from another Origin is refused, and no CORS header is ever sent."""
        origin = self.headers.get("Origin")
        token = self.headers.get(CONTROL_HEADER, "").encode()
        if (self.command != "POST" or (origin is not None and origin != self.server.base_url)
                or not hmac.compare_digest(token, self.server.control_token.encode())):
            self._send(b"forbidden", status=403)
            return
        method = urlsplit(self.path).path.rsplit("/", 1)[-1]
        try:
            result = self.server.control(method, self.body)
        except (KeyError, ValueError, TypeError, RuntimeError) as exc:
            self._send(wire.dumps({"error": str(exc)}), "application/json", status=400)
            return
        self._json({"result": result})

    # ------------------------------------------------------------------ login
    def ep_root(self) -> None:
        self._send(b"wxbot web-WeChat simulator")

    def ep_jslogin(self) -> None:
        uuid = self.server.state.new_ticket()
        self._send(f'window.QRLogin.code = 200; window.QRLogin.uuid = "{uuid}";'.encode())

    def ep_qrcode(self) -> None:
        uuid = urlsplit(self.path).path.rsplit("/", 1)[-1]
        buf = io.BytesIO()
        qrcode.make("https://login.weixin.qq.com/l/" + uuid).save(buf)
        self._send(buf.getvalue(), "image/png")

    def ep_login(self) -> None:
        code, ticket = self.server.state.poll(self.query.get("uuid", ""), self.server.hold)
        if code == 200:
            host = self.server.base_url
            self._send((f'window.code=200;\nwindow.redirect_uri="{host}{API}webwxnewloginpage?ticket='
                        f'{ticket.redirect_ticket}&uuid={ticket.uuid}&lang=zh_CN&scan=1";').encode())
        elif code == 201:
            self._send(f"window.code=201;window.userAvatar = '{_AVATAR}';".encode())
        else:
            self._send(f"window.code={code};".encode())

    def ep_webwxnewloginpage(self) -> None:
        state = self.server.state
        session = state.redeem(self.query.get("ticket", ""))
        if session is None:
            ret, message = state.refusal or (1, "登录失败，请重新扫码 (login ticket invalid)")
            self._send(wire.login_refused(ret, message).encode(), "text/xml; charset=utf-8")
            return
        uin = state.world.uin
        cookies = {"wxsid": session.wxsid, "wxuin": str(uin), "webwx_data_ticket": session.pass_ticket[:16],
                   "webwxuvid": "uvid" + str(uin), "webwx_auth_ticket": session.skey[7:], "wxloadtime": "1",
                   "mm_lang": "zh_CN"}
        page = wire.login_page(session.skey, session.wxsid, uin, session.pass_ticket)
        self._send(page.encode(), "text/xml; charset=utf-8", cookies=cookies)

    def ep_webwxpushloginurl(self) -> None:
        state = self.server.state
        if state.push_allowed and self.query.get("uin") == str(state.world.uin):
            self._json({"ret": "0", "msg": "all ok", "uuid": state.new_ticket("scanned")})
        else:
            self._json({"ret": "1", "msg": "push login refused"})

    def ep_webwxlogout(self) -> None:
        session, _ = self._session()
        if session is not None:
            session.ended = 1100
            with self.server.state.cond:
                self.server.state.cond.notify_all()
        self._send(b"")

    # ------------------------------------------------------------------ the logged-in API
    def _live(self):
        session, _ = self._session()
        if session is None:
            self._json(wire.fail(1101))
        return session

    def ep_webwxinit(self) -> None:
        session = self._live()
        if session is None:
            return
        state = self.server.state
        world, names = state.world, session.names
        with state.cond:
            recent = [wire.person_contact(world.people["filehelper"], names)]
            recent += [wire.group_contact(world, g, names, with_members=True) for g in world.groups.values()]
            self._json(wire.ok(User=wire.own_user(world, names), Count=len(recent), ContactList=recent,
                               SyncKey=wire.sync_key(state.seq()), SKey=session.skey, InviteStartCount=40,
                               ClientVersion=654314538, SystemTime=0, GrayScale=1, MPSubscribeMsgCount=0,
                               MPSubscribeMsgList=[], ClickReportInterval=600000))

    def ep_webwxstatusnotify(self) -> None:
        if self._live() is not None:
            self._json(wire.ok(MsgID=str(id(self))))

    def ep_webwxgetcontact(self) -> None:
        session = self._live()
        if session is None:
            return
        state = self.server.state
        world, names = state.world, session.names
        with state.cond:
            people = [p for p in world.people.values() if p.kind in ("friend", "public", "special")]
            everyone = [wire.person_contact(p, names) for p in people]
            everyone += [wire.group_contact(world, g, names, with_members=False) for g in world.groups.values()]
        start = int(self.query.get("seq") or 0)
        page = everyone[start:start + self.server.page_size]
        more = start + len(page) < len(everyone)
        self._json(wire.ok(MemberCount=len(page), MemberList=page, Seq=start + len(page) if more else 0))

    def ep_webwxbatchgetcontact(self) -> None:
        session = self._live()
        if session is None:
            return
        state = self.server.state
        found = []
        with state.cond:
            for item in self.body.get("List", []):
                ident = session.names.ident(str(item.get("UserName", "")))
                if ident in state.world.groups:
                    found.append(wire.group_contact(state.world, state.world.groups[ident], session.names, True))
                elif ident in state.world.people and ident not in FIXED_NAMES and ident != SELF:
                    found.append(wire.person_contact(state.world.people[ident], session.names))
        self._json(wire.ok(Count=len(found), ContactList=found))

    def ep_synccheck(self) -> None:
        try:
            seq = wire.parse_sync_seq(self.query.get("synckey", ""))
        except ValueError:
            seq = 0
        _, sid = self._session()
        retcode, selector = self.server.state.wait_sync(sid, seq, self.server.hold)
        self._send(wire.synccheck(retcode, selector).encode(), "text/javascript")

    def ep_webwxsync(self) -> None:
        session = self._live()
        if session is None:
            return
        keys = self.body.get("SyncKey", {}).get("List", [])
        seq = next((int(k["Val"]) for k in keys if k.get("Key") == 1), 0)
        msgs, new_seq = self.server.state.messages_after(session, seq)
        key = wire.sync_key(new_seq)
        self._json(wire.ok(AddMsgCount=len(msgs), AddMsgList=msgs, ModContactCount=0, ModContactList=[],
                           DelContactCount=0, DelContactList=[], ModChatRoomMemberCount=0,
                           ModChatRoomMemberList=[], SyncKey=key, SyncCheckKey=key, ContinueFlag=0, SKey=""))

    def ep_webwxgetvoice(self) -> None:
        self._media("voice", "audio/mp3")

    def ep_webwxgetmsgimg(self) -> None:
        self._media("image", "image/jpeg")

    def _media(self, kind: str, ctype: str) -> None:
        """A message's media by ``msgid`` (itchat passes NewMsgId and the skey, with the session's cookies; itchat-uos
        logs in with an empty skey, as UOS clients do)."""
        session, _ = self._session()
        if session is None or self.query.get("skey", "") not in ("", session.skey):
            self._send(b"", status=401)
            return
        data = self.server.state.media_of(str(self.query.get("msgid", "")), kind)
        if data is None:
            self._send(b"not found", status=404)
            return
        self._send(data, "image/png" if data.startswith(b"\x89PNG") else ctype)

    def ep_webwxsendmsg(self) -> None:
        answer = self._record_send()
        self._json(answer if answer is not None else wire.fail(1101))

    def _record_send(self) -> dict | None:
        session, _ = self._session()
        if session is None:
            return None
        msg = self.body.get("Msg", {})
        ret, msg_id = self.server.state.record_send(session, msg)
        return {"BaseResponse": {"Ret": ret, "ErrMsg": ""}, "MsgID": msg_id, "LocalID": str(msg.get("LocalID", ""))}
