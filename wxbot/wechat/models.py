"""The WeChat account and contact types the channel hands to the bot, and how a UserName is classified."""

from __future__ import annotations

from dataclasses import dataclass

from wxbot.messages import ContactKind

# WeChat's service accounts: fixed UserNames, the same in every session (itchat drops them from contacts).
SPECIAL_NAMES = {
    "filehelper": "文件传输助手", "weixin": "微信团队", "fmessage": "朋友推荐消息", "newsapp": "腾讯新闻",
    "medianote": "语音记事本", "floatbottle": "漂流瓶", "qqmail": "QQ邮箱提醒", "notifymessage": "服务通知",
    "officialaccounts": "订阅号", "weixinreminder": "微信提醒", "tmessage": "tmessage", "qmessage": "QQ离线消息",
}
ALWAYS_LISTED = ("filehelper", "weixin")


@dataclass(frozen=True)
class Account:
    user_name: str  # this login's UserName of the owner's own account (changes at every login)
    nick_name: str


@dataclass(frozen=True)
class Contact:
    user_name: str  # valid for this login only
    kind: ContactKind
    nick_name: str = ""
    remark_name: str = ""
    display_name: str = ""  # what to show: remark, else nickname (group: its name)
    member_names: tuple[str, ...] = ()  # groups: members' group display names or nicknames, without the owner
    member_count: int = 0
    fingerprint: str = ""  # profile fields that survive a re-login (sex, province, city, signature)


def kind_of(user_name: str, own_user_name: str, public_names: set[str]) -> ContactKind:
    if user_name.startswith("@@"):
        return ContactKind.GROUP
    if user_name in SPECIAL_NAMES:
        return ContactKind.SPECIAL
    if user_name == own_user_name:
        return ContactKind.SELF
    if user_name in public_names:
        return ContactKind.PUBLIC
    return ContactKind.FRIEND


def special_contact(user_name: str) -> Contact:
    name = SPECIAL_NAMES[user_name]
    return Contact(user_name, ContactKind.SPECIAL, nick_name=name, display_name=name)


def text_of(value: object) -> str:
    """A text field as the store can keep it: not text reads as "", a lone surrogate (a cut emoji) as U+FFFD."""
    if not isinstance(value, str):
        return ""
    return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def from_itchat(raw: dict, kind: ContactKind, own_user_name: str) -> Contact:
    """A Contact from one of itchat's contact dicts (friend, public account or chatroom)."""
    nick, remark = text_of(raw.get("NickName")), text_of(raw.get("RemarkName"))
    members = tuple(text_of(m.get("DisplayName")) or text_of(m.get("NickName"))
                    for m in raw.get("MemberList") or [] if m.get("UserName") != own_user_name)
    count = raw.get("MemberCount") or len(raw.get("MemberList") or [])
    if kind is ContactKind.SPECIAL:
        nick = nick or SPECIAL_NAMES[raw["UserName"]]
    display = remark or nick or "、".join(members[:3])
    fingerprint = "|".join(text_of(str(raw.get(k) or "")) for k in ("Sex", "Province", "City", "Signature"))
    return Contact(raw["UserName"], kind, nick, remark, display, members if kind is ContactKind.GROUP else (),
                   count if kind is ContactKind.GROUP else 0, fingerprint if kind is ContactKind.FRIEND else "")
