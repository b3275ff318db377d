"""The opt-in Prometheus endpoint: scraped with a real HTTP client after real traffic (itchat ⇄ simulator ⇄ bot),
parsed with prometheus_client's own parser; loopback only; no contact id, name or text anywhere in it."""

from __future__ import annotations

import socket
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from wxbot.events import MessageLogged

pytestmark = [pytest.mark.timeout(120)]

FAQ = [{"match": "contains", "pattern": "营业", "answer": "每天 9:00-21:00 营业"}]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scrape(port: int) -> tuple[dict[tuple[str, tuple], float], str]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as resp:
        text = resp.read().decode("utf-8")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}, text


def test_metrics_count_messages_replies_latency_and_takeovers_without_naming_anyone(harness, sim):
    port = free_port()
    h = harness(with_model=False, faq_rules=FAQ, metrics_port=port)
    svc = h.start()
    assert svc.metrics.address == ("127.0.0.1", port)  # bound to loopback, not 0.0.0.0
    h.settle([sim.inject("li", "请问今天营业吗？"), sim.inject("zhang", "营业到几点")])
    contact = h.contact_id("王五")
    mark = h.log.mark()
    sim.inject_from_owner("wang", "我亲自回复")
    h.log.wait_for(lambda e: isinstance(e, MessageLogged) and e.contact_id == contact, start=mark)

    samples, text = scrape(port)
    assert samples[("wxbot_messages_received_total", ())] == 2
    assert samples[("wxbot_replies_total", (("source", "faq"),))] == 2
    assert samples[("wxbot_owner_messages_total", ())] == 1
    assert samples[("wxbot_reply_latency_seconds_count", ())] == 2
    assert samples[("wxbot_auto_reply_running", ())] == 1
    assert samples[("wxbot_errors_total", ())] == 0
    for secret in ("李四", "张三", "王五", "营业", "亲自", h.contact_id("李四🌸"), h.contact_id("张三-老客户"), contact):
        assert secret not in text


def test_metrics_are_off_unless_asked_for_and_follow_the_setting(harness):
    svc = harness(with_model=False).start()
    assert svc.metrics is None
    port = free_port()
    svc.apply_settings(svc.settings.replace(metrics_port=port))  # switched on in Settings: served at once
    assert scrape(port)[0][("wxbot_auto_reply_running", ())] == 1
    svc.apply_settings(svc.settings.replace(metrics_port=0))
    assert svc.metrics is None
    with pytest.raises(OSError):
        scrape(port)


def test_model_replies_report_their_decode_speed(harness, sim):
    port = free_port()
    h = harness(with_model=True, metrics_port=port, max_reply_tokens=48)
    h.start()
    assert scrape(port)[0][("wxbot_model_decode_tokens_per_second_count", ())] == 0
    sim.inject("li", "Hello, who are you?")  # no FAQ rule: the real model answers
    h.log.wait_for(lambda e: isinstance(e, MessageLogged) and e.by_bot, timeout=60)  # counted before it's told
    samples, _ = scrape(port)
    assert samples[("wxbot_model_decode_tokens_per_second_count", ())] == 1
    assert samples[("wxbot_model_decode_tokens_per_second_sum", ())] > 0
    assert samples[("wxbot_model_first_visible_seconds_count", ())] == 1  # the wait before the first character
    assert samples[("wxbot_model_first_visible_seconds_sum", ())] > 0
