"""The simulator's wire protocol, checked with plain HTTP (the channel tests drive it with itchat)."""

from __future__ import annotations

import re
import time

import pytest
import requests

from wxbot.sim import Simulator, World
from wxbot.sim.server import CONTROL_HEADER


@pytest.fixture
def sim():
    with Simulator(hold_seconds=0.3, hang_seconds=1.0, contact_page_size=3) as s:
        yield s


def _login(sim) -> requests.Session:
    s = requests.Session()
    uuid = re.search(r'uuid = "(\S+?)"', s.get(sim.base_url + "/jslogin", timeout=5).text).group(1)
    sim.scan()
    sim.confirm()
    page = s.get(sim.base_url + "/cgi-bin/mmwebwx-bin/login", params={"uuid": uuid}, timeout=5).text
    redirect = re.search(r'window.redirect_uri="(\S+)";', page).group(1)
    assert "<ret>0</ret>" in s.get(redirect, allow_redirects=False, timeout=5).text
    return s


def test_qr_image_is_a_png(sim):
    uuid = re.search(r'uuid = "(\S+?)"', requests.get(sim.base_url + "/jslogin", timeout=5).text).group(1)
    r = requests.get(f"{sim.base_url}/qrcode/{uuid}", timeout=5)
    assert r.headers["Content-Type"] == "image/png" and r.content.startswith(b"\x89PNG")


def test_login_polling_codes(sim):
    s = requests.Session()
    uuid = re.search(r'uuid = "(\S+?)"', s.get(sim.base_url + "/jslogin", timeout=5).text).group(1)
    poll = sim.base_url + "/cgi-bin/mmwebwx-bin/login"
    start = time.monotonic()
    assert "window.code=408" in s.get(poll, params={"uuid": uuid}, timeout=5).text
    assert time.monotonic() - start >= 0.25  # held, like WeChat's long poll
    sim.scan()
    assert "window.code=201" in s.get(poll, params={"uuid": uuid}, timeout=5).text
    sim.expire_qr()
    assert "window.code=400" in s.get(poll, params={"uuid": uuid}, timeout=5).text


def test_contacts_are_paged_with_seq(sim):
    s = _login(sim)
    url = sim.base_url + "/cgi-bin/mmwebwx-bin/webwxgetcontact"
    names, seq, pages = [], 0, 0
    while True:
        j = s.get(url, params={"seq": seq}, timeout=5).json()
        names += [m["NickName"] for m in j["MemberList"]]
        seq, pages = j["Seq"], pages + 1
        if seq == 0:
            break
    assert pages > 1 and "张三" in names and "周末读书会" in names and "赵六" not in names


def test_user_names_change_at_every_login(sim):
    _login(sim)
    before = sim.current_user_name("zhang")
    _login(sim)
    assert sim.current_user_name("zhang") != before
    assert sim.current_user_name("filehelper") == "filehelper"


def test_refused_login_page_sets_no_cookies(sim):
    sim.refuse_login()
    s = requests.Session()
    uuid = re.search(r'uuid = "(\S+?)"', s.get(sim.base_url + "/jslogin", timeout=5).text).group(1)
    sim.scan()
    sim.confirm()
    page = s.get(sim.base_url + "/cgi-bin/mmwebwx-bin/login", params={"uuid": uuid}, timeout=5).text
    r = s.get(re.search(r'redirect_uri="(\S+)"', page).group(1), timeout=5)
    assert "<ret>1203</ret>" in r.text and "wxsid" not in s.cookies.get_dict()


def test_counted_and_timed_faults(sim):
    sim.fault("jslogin", "5xx", count=2)
    codes = [requests.get(sim.base_url + "/jslogin", timeout=5).status_code for _ in range(3)]
    assert codes == [503, 503, 200]
    sim.fault("jslogin", "badjson", duration=0.3)
    assert "QRLogin" not in requests.get(sim.base_url + "/jslogin", timeout=5).text
    time.sleep(0.4)
    assert "QRLogin" in requests.get(sim.base_url + "/jslogin", timeout=5).text
    with pytest.raises(ValueError):
        sim.fault("jslogin", "teapot", count=1)


def test_a_custom_world():
    world = World(self_nick="诊所前台")
    world.add_friend("p1", "患者甲")
    world.add_group("g1", "复诊群", ["p1"], {"self": "前台"})
    with Simulator(world, hold_seconds=0.2) as sim:
        _login(sim)
        assert sim.current_user_name("复诊群").startswith("@@")
        sim.inject("复诊群", "在吗", at_bot=True)
        assert sim.state.log[-1].sender == "p1"


def test_http_control_endpoint(sim):
    token = {CONTROL_HEADER: sim.control_token}
    r = requests.post(sim.base_url + "/control/inject", json={"chat": "张三", "text": "hi"}, headers=token, timeout=5)
    assert r.status_code == 200 and r.json()["result"] == sim.state.log[-1].msg_id
    assert requests.post(sim.base_url + "/control/stop", json={}, headers=token, timeout=5).status_code == 400
    assert requests.post(sim.base_url + "/control/inject", json={"chat": "nobody"}, headers=token,
                         timeout=5).status_code == 400


def test_http_control_needs_the_run_token_and_refuses_web_pages(sim):
    """A web page open in the owner's browser must not inject messages into a running demo."""
    before = len(sim.state.log)
    url, body = sim.base_url + "/control/inject", {"chat": "张三", "text": "injected by a web page"}
    attempts = [
        requests.post(url, json=body, timeout=5),  # no token
        requests.post(url, json=body, headers={CONTROL_HEADER: "guess"}, timeout=5),
        requests.post(url, json=body, timeout=5,  # the right token, but from another site's page
                      headers={CONTROL_HEADER: sim.control_token, "Origin": "https://evil.example"}),
        requests.get(url + "?chat=张三&text=x", headers={CONTROL_HEADER: sim.control_token}, timeout=5),
    ]
    assert [r.status_code for r in attempts] == [403, 403, 403, 403]
    assert not any(k.lower().startswith("access-control") for r in attempts for k in r.headers)
    preflight = requests.options(url, headers={"Origin": "https://evil.example",
                                               "Access-Control-Request-Method": "POST"}, timeout=5)
    assert "Access-Control-Allow-Origin" not in preflight.headers
    assert len(sim.state.log) == before
    assert sim.outbox() == []
