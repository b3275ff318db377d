"""No itchat side effects leak out of the channel, and two channels run side by side."""

from __future__ import annotations

import itchat
from itchat import config as itchat_config

from tests.wechat.conftest import FAST, Recorder, qr_login
from wxbot.messages import MsgKind
from wxbot.settings import Settings
from wxbot.sim import Simulator
from wxbot.wechat import WeChatChannel


def test_no_qr_file_no_stdout_no_instance_leak(sim, make_channel, tmp_path, monkeypatch, capfd):
    monkeypatch.chdir(tmp_path)
    instances = len(itchat.instanceList)
    base = itchat_config.BASE_URL
    channel, events = make_channel()
    qr_login(channel, events, sim)
    assert list(tmp_path.glob("QR*")) == []
    assert capfd.readouterr().out == ""
    assert len(itchat.instanceList) == instances
    assert itchat_config.BASE_URL == base


def test_two_channels_side_by_side(tmp_path):
    with Simulator(hold_seconds=0.5) as a, Simulator(hold_seconds=0.5) as b:
        pairs = []
        for sim in (a, b):
            events = Recorder()
            channel = WeChatChannel(Settings(wechat_base_url=sim.base_url), None, events, timeouts=FAST)
            qr_login(channel, events, sim)
            messages = Recorder()
            channel.start_receiving(messages)
            pairs.append((channel, messages))
        a.inject("张三", "to a")
        b.inject("王五", "to b")
        (got_a,) = pairs[0][1].wait_for(lambda items: len(items) == 1)
        (got_b,) = pairs[1][1].wait_for(lambda items: len(items) == 1)
        assert (got_a.text, got_b.text) == ("to a", "to b")
        assert pairs[0][0].send_text(got_a.contact_id, "hi a") and pairs[1][0].send_text(got_b.contact_id, "hi b")
        assert [o["text"] for o in a.outbox()] == ["hi a"] and [o["text"] for o in b.outbox()] == ["hi b"]
        for channel, _ in pairs:
            channel.logout()


def test_echoed_sends_arrive_as_from_self(sim, logged_in):
    channel, _, messages = logged_in
    sim.echo_sends(True)
    assert channel.send_text(sim.current_user_name("zhang"), "已回复")
    (echo,) = messages.wait_for(lambda items: len(items) == 1)
    assert echo.from_self and echo.text == "已回复" and echo.kind is MsgKind.TEXT
