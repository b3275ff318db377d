"""The simulator's wire formats: the JSON, XML and JavaScript snippets itchat-uos 1.4.1 parses
(every shape mirrors what ``itchat/components/{login,contact,messages}.py`` reads)."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass

from wxbot.sim.world import SELF, Group, Names, Person, World

MSG_TYPES = {  # kind -> (MsgType, AppMsgType)
    "text": (1, 0), "image": (3, 0), "voice": (34, 0), "video": (43, 0),
    "link": (49, 5), "file": (49, 6), "system": (10000, 0),
}
SYNC_KEYS = (1, 2, 3, 1000)


@dataclass
class LoggedMsg:
    """A message in the simulated server's log; rendered per session because UserNames differ per login."""

    seq: int
    msg_id: str
    chat: str  # person pid or group gid: the conversation
    sender: str  # who wrote it (SELF for the owner's phone)
    kind: str
    text: str
    create_time: int
    at_bot: bool = False
    url: str = ""
    title: str = ""
    overlay: object = None  # hostile-input tests: a dict of raw fields replacing the rendered ones, or any
    # other JSON value sent in place of the whole AddMsgList entry
    media: bytes = b""  # a voice message's MP3 or a picture's bytes, served by webwxgetvoice / webwxgetmsgimg
    voice_ms: int = 3000  # a voice message's length as WeChat announces it (VoiceLength)


def ok(**fields: object) -> dict:
    return {"BaseResponse": {"Ret": 0, "ErrMsg": ""}, **fields}


def fail(ret: int) -> dict:
    return {"BaseResponse": {"Ret": ret, "ErrMsg": ""}}


def dumps(obj: object) -> bytes:
    try:
        return json.dumps(obj, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate travels as a JSON escape (\ud83d), as WeChat sends a cut emoji
        return json.dumps(obj).encode("ascii")


def sync_key(seq: int) -> dict:
    return {"Count": len(SYNC_KEYS), "List": [{"Key": k, "Val": seq if k == 1 else 1000 + k} for k in SYNC_KEYS]}


def parse_sync_seq(text: str) -> int:
    """``1_17|2_1002|…`` (synccheck's query) -> 17."""
    for part in text.split("|"):
        key, _, val = part.partition("_")
        if key == "1":
            return int(val)
    raise ValueError("no key 1 in synckey")


def person_contact(person: Person, names: Names) -> dict:
    return {
        "Uin": 0, "UserName": names.user(person.pid), "NickName": person.nick, "RemarkName": person.remark,
        "HeadImgUrl": f"/cgi-bin/mmwebwx-bin/webwxgeticon?username={names.user(person.pid)}",
        "ContactFlag": 3, "MemberCount": 0, "MemberList": [], "HideInputBarFlag": 0, "Sex": person.sex,
        "Signature": "", "VerifyFlag": person.verify_flag, "OwnerUin": 0, "PYInitial": "", "PYQuanPin": "",
        "RemarkPYInitial": "", "RemarkPYQuanPin": "", "StarFriend": 0, "AppAccountFlag": 0, "Statues": 0,
        "AttrStatus": 0, "Province": "", "City": "", "Alias": "", "SnsFlag": 0, "UniFriend": 0,
        "DisplayName": "", "ChatRoomId": 0, "KeyWord": "", "EncryChatRoomId": "", "IsOwner": 0,
    }


def group_contact(world: World, group: Group, names: Names, with_members: bool) -> dict:
    user = names.user(group.gid, is_group=True)
    contact = person_contact(Person(group.gid, group.name), names) | {
        "UserName": user, "NickName": group.name, "ContactFlag": 2, "Sex": 0,
        "MemberCount": len(group.members), "ChatRoomOwner": names.user(group.members[-1]),
        "EncryChatRoomId": "@" + user[2:18], "HeadImgUrl": f"/cgi-bin/mmwebwx-bin/webwxgetheadimg?username={user}",
    }
    if with_members:
        contact["MemberList"] = [{
            "Uin": 0, "UserName": names.user(pid), "NickName": world.people[pid].nick, "AttrStatus": 0,
            "PYInitial": "", "PYQuanPin": "", "RemarkPYInitial": "", "RemarkPYQuanPin": "", "MemberStatus": 0,
            "DisplayName": group.display_names.get(pid, ""), "KeyWord": "",
        } for pid in group.members]
    return contact


def own_user(world: World, names: Names) -> dict:
    me = world.people[SELF]
    return person_contact(me, names) | {"Uin": world.uin, "ContactFlag": 0, "HeadImgFlag": 1,
                                        "WebWxPluginSwitch": 0, "SnsFlag": 17, "Sex": 1}


def _body(world: World, msg: LoggedMsg) -> str:
    if msg.kind in ("text", "system"):
        text = msg.text
        if msg.at_bot and msg.chat in world.groups:
            text = f"@{world.own_name_in(world.groups[msg.chat])}\u2005{text}"
        return html.escape(text, quote=False).replace("\n", "<br/>")
    if msg.kind == "image":
        return f'&lt;?xml version="1.0"?&gt;&lt;msg&gt;&lt;img length="{len(msg.media) or 1024}" md5="0" /&gt;&lt;/msg&gt;'
    if msg.kind == "voice":
        return f'&lt;msg&gt;&lt;voicemsg voicelength="{msg.voice_ms}" /&gt;&lt;/msg&gt;'
    if msg.kind == "video":
        return '&lt;?xml version="1.0"?&gt;&lt;msg&gt;&lt;videomsg playlength="5" /&gt;&lt;/msg&gt;'
    title = html.escape(msg.title or msg.text, quote=False)
    return (f"&lt;msg&gt;&lt;appmsg&gt;&lt;title&gt;{title}&lt;/title&gt;&lt;type&gt;{MSG_TYPES[msg.kind][1]}"
            f"&lt;/type&gt;&lt;url&gt;{html.escape(msg.url)}&lt;/url&gt;&lt;/appmsg&gt;&lt;/msg&gt;")


def message(world: World, msg: LoggedMsg, names: Names) -> object:
    """One AddMsgList entry as this session sees it."""
    is_group = msg.chat in world.groups
    chat_user = names.user(msg.chat, is_group=is_group)
    me = names.user(SELF)
    body = _body(world, msg)
    if msg.sender == SELF:
        from_user, to_user = me, chat_user
    else:
        from_user, to_user = chat_user, me
        if is_group and msg.kind != "system":
            body = f"{names.user(msg.sender)}:<br/>{body}"
    msg_type, app_type = MSG_TYPES[msg.kind]
    rendered = {
        "MsgId": msg.msg_id, "NewMsgId": int(msg.msg_id), "FromUserName": from_user, "ToUserName": to_user,
        "MsgType": msg_type, "AppMsgType": app_type, "Content": body, "Status": 3, "ImgStatus": 1,
        "CreateTime": msg.create_time, "VoiceLength": msg.voice_ms if msg.kind == "voice" else 0,
        "PlayLength": 5 if msg.kind == "video" else 0, "FileName": (msg.title or msg.text) if app_type else "",
        "FileSize": "", "MediaId": "", "Url": msg.url if app_type else "", "StatusNotifyCode": 0,
        "StatusNotifyUserName": "", "ForwardFlag": 0, "HasProductId": 0, "Ticket": "", "ImgHeight": 0,
        "ImgWidth": 0, "SubMsgType": 0, "OriContent": "", "EncryFileName": "",
        "AppInfo": {"AppID": "", "Type": 0},
        "RecommendInfo": {"UserName": "", "NickName": "", "QQNum": 0, "Province": "", "City": "", "Content": "",
                          "Signature": "", "Alias": "", "Scene": 0, "VerifyFlag": 0, "AttrStatus": 0, "Sex": 0,
                          "Ticket": "", "OpCode": 0},
    }
    if isinstance(msg.overlay, dict):
        return rendered | msg.overlay
    return rendered if msg.overlay is None else msg.overlay


def login_page(skey: str, wxsid: str, uin: int, pass_ticket: str) -> str:
    return (f"<error><ret>0</ret><message></message><skey>{skey}</skey><wxsid>{wxsid}</wxsid>"
            f"<wxuin>{uin}</wxuin><pass_ticket>{pass_ticket}</pass_ticket><isgrayscale>1</isgrayscale></error>")


def login_refused(ret: int, message: str) -> str:
    return f"<error><ret>{ret}</ret><message>{html.escape(message)}</message></error>"


def synccheck(retcode: int, selector: int) -> str:
    return f'window.synccheck={{retcode:"{retcode}",selector:"{selector}"}}'
