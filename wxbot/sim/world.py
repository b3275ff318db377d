"""The simulated WeChat world: people and groups with a stable identity of their own, and the per-login
``UserName`` aliases the protocol exposes (WeChat hands out fresh ``@…`` names at every login)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

SELF = "self"
FILEHELPER = "filehelper"
WEIXIN = "weixin"
# Accounts whose UserName is the same fixed word in every session.
FIXED_NAMES = (FILEHELPER, WEIXIN)


@dataclass
class Person:
    pid: str  # stable internal identity; never shown to the client
    nick: str
    remark: str = ""
    kind: str = "friend"  # "self" | "friend" | "stranger" | "public" | "special"
    verify_flag: int = 0  # public accounts: 8 or 24
    sex: int = 0


@dataclass
class Group:
    gid: str
    name: str
    members: list[str]  # pids; the bot's own account is a member
    display_names: dict[str, str] = field(default_factory=dict)  # pid -> 群昵称 (group display name)


class World:
    """Everyone the simulated account knows. Mutate it only through the Simulator (it holds the lock)."""

    def __init__(self, self_nick: str = "小王的店", uin: int = 2100000001) -> None:
        self.uin = uin
        self.people: dict[str, Person] = {SELF: Person(SELF, self_nick, kind="self")}
        self.groups: dict[str, Group] = {}
        self.add_person(Person(FILEHELPER, "文件传输助手", kind="special"))
        self.add_person(Person(WEIXIN, "微信团队", kind="special"))

    def add_person(self, person: Person) -> Person:
        self.people[person.pid] = person
        return person

    def add_friend(self, pid: str, nick: str, remark: str = "", sex: int = 1) -> Person:
        return self.add_person(Person(pid, nick, remark, "friend", sex=sex))

    def add_stranger(self, pid: str, nick: str) -> Person:
        return self.add_person(Person(pid, nick, kind="stranger"))

    def add_public(self, pid: str, nick: str, verify_flag: int = 24) -> Person:
        return self.add_person(Person(pid, nick, kind="public", verify_flag=verify_flag))

    def add_group(self, gid: str, name: str, members: list[str],
                  display_names: dict[str, str] | None = None) -> Group:
        group = Group(gid, name, [SELF, *[m for m in members if m != SELF]], dict(display_names or {}))
        self.groups[gid] = group
        return group

    def find(self, key: str) -> Person | Group:
        """A person or group by id, remark, nickname or group name."""
        if key in self.people:
            return self.people[key]
        if key in self.groups:
            return self.groups[key]
        for person in self.people.values():
            if key in (person.remark, person.nick):
                return person
        for group in self.groups.values():
            if key == group.name:
                return group
        raise KeyError(f"no person or group called {key!r} in the simulated world")

    def own_name_in(self, group: Group) -> str:
        """What an @-mention of the bot looks like in this group: its 群昵称, else its nickname."""
        return group.display_names.get(SELF) or self.people[SELF].nick


class Names:
    """One login's UserNames: ``@``+hex for people, ``@@``+hex for groups, fixed words for special accounts."""

    def __init__(self) -> None:
        self._by_id: dict[str, str] = {}
        self._by_name: dict[str, str] = {}

    def user(self, ident: str, is_group: bool = False) -> str:
        if ident in FIXED_NAMES:
            return ident
        name = self._by_id.get(ident)
        if name is None:
            name = ("@@" + secrets.token_hex(32)) if is_group else ("@" + secrets.token_hex(16))
            self._by_id[ident] = name
            self._by_name[name] = ident
        return name

    def ident(self, user_name: str) -> str | None:
        if user_name in FIXED_NAMES:
            return user_name
        return self._by_name.get(user_name)


def default_world() -> World:
    """A small shop owner's account: friends, strangers in groups, two groups, public accounts."""
    world = World()
    world.add_friend("zhang", "张三", remark="张三-老客户")
    world.add_friend("li", "李四🌸", sex=2)
    world.add_friend("wang", "王五")
    world.add_stranger("zhao", "赵六")
    world.add_stranger("qian", "钱七")
    world.add_public("bank", "招商银行", verify_flag=24)
    world.add_public("news", "人民日报", verify_flag=8)
    world.add_group("readers", "周末读书会", ["zhang", "zhao", "qian"], {SELF: "店长", "zhao": "小赵"})
    world.add_group("parents", "三年二班家长群", ["li", "wang", "qian"])
    return world
