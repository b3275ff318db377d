"""Pictures end to end: the real itchat-uos downloads the picture from the simulator (webwxgetmsgimg); with the
``ocr`` extra installed its text joins the question as 「图片文字：…」 and its order numbers and amounts reach
the owner in the draft notice; without OCR (or with none of it wanted) a picture is handled as before."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

PICTURE = (Path(__file__).resolve().parents[1] / "media" / "order-screenshot.png").read_bytes()
needs_ocr = pytest.mark.skipif(importlib.util.find_spec("rapidocr") is None,
                               reason="the ocr extra (rapidocr) is not installed")


@needs_ocr
def test_an_order_screenshot_puts_its_order_number_and_amount_in_front_of_the_owner(harness):
    h = harness(draft_notice_seconds=0)
    h.start()
    asked = h.sim.inject("zhang", kind="image", media=PICTURE)
    notice = h.sim.wait_sent_to("filehelper", 1, timeout=300)[0]["text"]
    assert "20261205-88317" in notice and "178.00" in notice, notice
    stored = h.svc.store.get_message(asked)
    assert stored.state == "drafted" and stored.text.startswith("「图片文字：") and "20261205-88317" in stored.text
    assert [o["to_id"] for o in h.sim.outbox()] == ["filehelper"]  # the owner checks before anything goes out
    [draft] = h.svc.drafts()
    assert draft.asked == (stored.text,)


def test_a_picture_nobody_reads_gets_the_non_text_reply_as_before(harness):
    h = harness(non_text_reply="图片收到了", picture_ocr=False)
    h.start()
    asked = h.sim.inject("zhang", kind="image", media=PICTURE)
    assert [o["text"] for o in h.sim.wait_sent_to("zhang", 1, timeout=120)] == ["[AI] 图片收到了"]
    assert h.settle([asked])[asked] == "replied"
    assert h.svc.store.get_message(asked).text == ""


@needs_ocr
def test_a_picture_without_text_is_handled_as_before(harness):
    import io

    from PIL import Image

    blank = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 220, 240)).save(blank, "PNG")
    h = harness(non_text_reply="图片收到了")
    h.start()
    asked = h.sim.inject("zhang", kind="image", media=blank.getvalue())
    assert [o["text"] for o in h.sim.wait_sent_to("zhang", 1, timeout=300)] == ["[AI] 图片收到了"]
    assert h.settle([asked])[asked] == "replied"
    assert h.svc.store.get_message(asked).text == ""
