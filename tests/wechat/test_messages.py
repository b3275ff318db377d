"""Receiving every kind of message, normalized; contacts; sending one text."""

from __future__ import annotations

from wxbot.messages import ChatKind, ContactKind, MsgKind


def _wait(messages, n):
    return messages.wait_for(lambda items: len(items) >= n)[:n]


def test_private_text_from_a_friend(sim, logged_in):
    channel, _, messages = logged_in
    msg_id = sim.inject("张三", "你好 <b> & 再见\n第二行")
    (msg,) = _wait(messages, 1)
    assert msg.msg_id == msg_id
    assert msg.contact_id == sim.current_user_name("zhang")
    assert msg.text == "你好 <b> & 再见\n第二行"
    assert (msg.chat, msg.kind, msg.contact_kind) == (ChatKind.PRIVATE, MsgKind.TEXT, ContactKind.FRIEND)
    assert msg.display_name == "张三-老客户" and not msg.from_self and not msg.is_at
    assert msg.time > 0


def test_every_message_kind(sim, logged_in):
    _, _, messages = logged_in
    sim.inject("李四🌸", kind="image")
    sim.inject("李四🌸", kind="voice")
    sim.inject("李四🌸", kind="video")
    sim.inject("李四🌸", "好文推荐", kind="link", url="https://example.com/a")
    sim.inject("李四🌸", "你已添加了李四🌸，现在可以开始聊天了。", kind="system")
    got = _wait(messages, 5)
    assert [m.kind for m in got] == [MsgKind.IMAGE, MsgKind.VOICE, MsgKind.VIDEO, MsgKind.LINK, MsgKind.SYSTEM]
    assert got[0].text == "" and got[3].text == "好文推荐" and "开始聊天" in got[4].text


def test_group_messages_with_and_without_at(sim, logged_in):
    _, _, messages = logged_in
    sim.inject("周末读书会", "店长在吗？", member="zhao", at_bot=True)  # the bot's 群昵称 is 店长
    sim.inject("周末读书会", "大家好", member="zhang")
    sim.inject("三年二班家长群", "明天开会", member="li", at_bot=True)  # no 群昵称: @ its nickname
    at, plain, by_nick = _wait(messages, 3)
    assert at.chat is ChatKind.GROUP and at.contact_kind is ContactKind.GROUP
    assert at.contact_id == sim.current_user_name("readers") and at.contact_id.startswith("@@")
    assert at.is_at and at.text == "@店长\u2005店长在吗？" and at.sender_name == "小赵"
    assert not plain.is_at and plain.text == "大家好" and plain.sender_name == "张三"
    assert by_nick.is_at and by_nick.text.startswith("@小王的店\u2005")
    assert at.display_name == "周末读书会"


def test_owner_messages_from_the_phone_are_from_self(sim, logged_in):
    _, _, messages = logged_in
    sim.inject_from_owner("张三", "我来回复")
    sim.inject_from_owner("周末读书会", "群里说一声")
    sim.inject_from_owner("filehelper", "#pause")
    got = _wait(messages, 3)
    assert all(m.from_self for m in got)
    assert got[0].contact_id == sim.current_user_name("zhang") and got[0].contact_kind is ContactKind.FRIEND
    assert got[1].chat is ChatKind.GROUP and got[1].text == "群里说一声"
    assert got[2].contact_id == "filehelper" and got[2].contact_kind is ContactKind.SPECIAL


def test_special_and_public_accounts_are_classified(sim, logged_in):
    _, _, messages = logged_in
    sim.inject("weixin", "你的帐号存在异常")
    sim.inject("招商银行", "您的账单已出", kind="link", url="https://bank.example/bill")
    sim.inject("人民日报", "早安")
    weixin, bank, news = _wait(messages, 3)
    assert weixin.contact_id == "weixin" and weixin.contact_kind is ContactKind.SPECIAL
    assert bank.contact_kind is ContactKind.PUBLIC and bank.kind is MsgKind.LINK
    assert news.contact_kind is ContactKind.PUBLIC and news.kind is MsgKind.TEXT


def test_contacts_lists_every_kind_with_group_members(sim, logged_in):
    channel, _, _ = logged_in
    contacts = {c.display_name: c for c in channel.contacts()}  # page size 4: Seq paging was used
    assert contacts["张三-老客户"].kind is ContactKind.FRIEND and contacts["张三-老客户"].nick_name == "张三"
    assert contacts["张三-老客户"].user_name == sim.current_user_name("zhang")
    assert contacts["招商银行"].kind is ContactKind.PUBLIC and contacts["人民日报"].kind is ContactKind.PUBLIC
    assert contacts["文件传输助手"].kind is ContactKind.SPECIAL and contacts["微信团队"].kind is ContactKind.SPECIAL
    group = contacts["周末读书会"]
    assert group.kind is ContactKind.GROUP and group.member_count == 4
    assert sorted(group.member_names) == sorted(["张三", "小赵", "钱七"])
    assert "小王的店" not in contacts  # the owner's own account is not a contact
    assert "赵六" not in contacts  # strangers appear only as group members


def test_send_text_arrives_once(sim, logged_in):
    channel, _, _ = logged_in
    to = sim.current_user_name("zhang")
    assert channel.send_text(to, "您好，已收到") is True
    out = sim.outbox()
    assert [(o["to"], o["to_id"], o["text"]) for o in out] == [(to, "zhang", "您好，已收到")]


def test_text_that_looks_like_a_file_command_is_sent_as_text(sim, logged_in, tmp_path):
    channel, _, _ = logged_in
    secret = tmp_path / "secret.txt"
    secret.write_text("do not upload")
    text = f"@fil@{secret}"
    assert channel.send_text("filehelper", text) is True
    assert [o["text"] for o in sim.outbox()] == [text]


def test_send_to_a_stale_user_name_is_refused(sim, logged_in):
    channel, _, _ = logged_in
    assert channel.send_text("@" + "0" * 32, "hi") is False
    assert sim.outbox() == []


def test_duplicate_msg_ids_are_delivered_once(sim, logged_in):
    _, _, messages = logged_in
    sim.inject("张三", "一", msg_id="777")
    sim.inject("张三", "一", msg_id="777")
    sim.inject("张三", "二")
    got = _wait(messages, 2)
    assert [m.text for m in got] == ["一", "二"]
