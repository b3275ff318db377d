"""WeChat's logout signals end receiving with words and a risk flag, and nothing logs in again by itself."""

from __future__ import annotations

import time

import pytest

from wxbot.errors import WeChatError
from wxbot.events import LoginState


def _logged_out(events):
    return events.wait_for(lambda items: any(getattr(i, "state", "") == "logged_out" for i in items))


@pytest.mark.parametrize("retcode", [1100, 1101, 1102])
def test_kick_ends_receiving_with_a_risk_flag(sim, logged_in, retcode):
    channel, events, messages = logged_in
    sim.kick(retcode)
    _logged_out(events)
    (state,) = [s for s in events.of(LoginState) if s.state == "logged_out"]
    assert state.risk and str(retcode) in state.detail and "微信" in state.detail
    time.sleep(1.0)  # give a wrongly written channel the chance to log in again
    assert [s.state for s in events.of(LoginState)][-1] == "logged_out"
    assert not sim.logged_in()
    assert len(sim.state.tickets) == 1  # no new QR or push-login request
    with pytest.raises(WeChatError):
        channel.send_text("filehelper", "hi")
    with pytest.raises(WeChatError):
        channel.start_receiving(messages)
    assert channel.account is None


def test_kick_forgets_the_saved_session(sim, make_channel, tmp_path):
    from tests.wechat.conftest import qr_login
    from wxbot.wechat import SessionFile

    path = tmp_path / "s.json"
    channel, events = make_channel(SessionFile(path))
    qr_login(channel, events, sim)
    channel.start_receiving(lambda m: None)
    assert path.exists()
    sim.kick()
    _logged_out(events)
    assert not path.exists()


def test_owner_logout(sim, logged_in):
    channel, events, _ = logged_in
    channel.logout()
    state = [s for s in events.of(LoginState) if s.state == "logged_out"]
    assert len(state) == 1 and not state[0].risk
    assert not sim.logged_in()
