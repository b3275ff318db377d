"""Durable identity matching across logins (pure rules; the e2e test drives it through the simulator)."""

from wxbot.core.identity import Profile, match_contacts
from wxbot.messages import ContactKind

F, G = ContactKind.FRIEND, ContactKind.GROUP


def by_user(matches):
    return {m.user_name: m for m in matches}


def test_same_people_new_usernames_match():
    known = [Profile("c1", F, "张三", "张三-老客户"), Profile("c2", F, "李四", "", "1|广东|深圳|"),
             Profile("g1", G, "门店群", members=frozenset({"a", "b", "c"})),
             Profile("filehelper", ContactKind.SPECIAL, "文件传输助手")]
    seen = [Profile("@x1", F, "张三改名了", "张三-老客户"), Profile("@x2", F, "李四", "", "1|广东|深圳|"),
            Profile("@@y", G, "门店群", members=frozenset({"a", "b"})),
            Profile("filehelper", ContactKind.SPECIAL, "文件传输助手")]
    m = by_user(match_contacts(seen, known))
    assert m["@x1"].contact_id == "c1" and m["@x1"].status == "matched"  # remark survives a nickname change
    assert m["@x2"].contact_id == "c2"
    assert m["@@y"].contact_id == "g1"
    assert m["filehelper"].contact_id == "filehelper"


def test_renamed_friend_without_remark_is_flagged_not_guessed():
    known = [Profile("c1", F, "Old Name"), Profile("c2", F, "Stays")]
    seen = [Profile("@a", F, "New Name"), Profile("@b", F, "Stays")]
    m = by_user(match_contacts(seen, known))
    assert m["@b"].contact_id == "c2"
    assert m["@a"].contact_id is None and m["@a"].status == "maybe_renamed" and m["@a"].flagged


def test_same_nickname_twins_are_ambiguous_unless_told_apart():
    known = [Profile("c1", F, "小王"), Profile("c2", F, "小王")]
    seen = [Profile("@a", F, "小王"), Profile("@b", F, "小王")]
    m = by_user(match_contacts(seen, known))
    assert all(m[u].contact_id is None and m[u].status == "ambiguous" for u in ("@a", "@b"))
    # a profile fingerprint or a remark tells them apart
    known = [Profile("c1", F, "小王", "", "1|北京"), Profile("c2", F, "小王", "", "2|上海")]
    seen = [Profile("@a", F, "小王", "", "2|上海"), Profile("@b", F, "小王", "", "1|北京")]
    m = by_user(match_contacts(seen, known))
    assert m["@a"].contact_id == "c2" and m["@b"].contact_id == "c1"


def test_conflicting_remarks_never_match():
    known = [Profile("c1", F, "Amy", "客户A")]
    seen = [Profile("@a", F, "Amy", "客户B")]
    assert match_contacts(seen, known)[0].contact_id is None


def test_group_renamed_matches_by_members_but_is_flagged():
    members = frozenset(f"m{i}" for i in range(10))
    known = [Profile("g1", G, "旧群名", members=members)]
    seen = [Profile("@@n", G, "新群名", members=members - {"m0"})]
    match = match_contacts(seen, known)[0]
    assert match.contact_id == "g1" and match.status == "renamed" and match.flagged


def test_first_login_everything_new_unflagged():
    seen = [Profile("@a", F, "A"), Profile("@@g", G, "G")]
    assert [m.status for m in match_contacts(seen, [])] == ["new", "new"]
