"""What a screenshot's text shows the owner (order numbers, amounts, phone numbers, exactly as written) and how
voice and pictures read in the notice and the question."""

from __future__ import annotations

from wxbot.core.mediatext import needs_owner, owner_note, picture_facts, question_text, shown
from wxbot.messages import ChatKind, Heard, Message, MsgKind
from wxbot.settings import Settings

ORDER = ("订单编号：20261205-88317\n商品：羊毛围巾 灰色 ×2\n实付款：￥178.00\n收货人：王女士 138****5521\n"
         "物流：中通快递 7731 2045 9981\n状态：已签收")


def test_an_order_screenshot_gives_its_numbers_exactly():
    assert picture_facts(ORDER) == ["单号 20261205-88317", "单号 7731 2045 9981", "金额 178.00", "电话 138****5521"]


def test_amounts_and_phones_in_other_shapes():
    facts = picture_facts("合计 1,299.50 元，定金 59元，联系 13812345678，编号 2026")
    assert facts == ["金额 1,299.50", "金额 59", "电话 13812345678"]  # a short number is no order number


def test_a_picture_without_numbers_has_no_facts():
    assert picture_facts("今日特价 欢迎光临") == []


def test_question_and_shown_text():
    assert question_text(Heard(MsgKind.IMAGE, "实付款：￥178.00")) == "「图片文字：实付款：￥178.00」"
    assert question_text(Heard(MsgKind.VOICE, "多少钱")) == "多少钱"
    assert shown("voice", "多少钱") == "🎤 多少钱" and shown("voice", "") == "" and shown("text", "多少钱") == "多少钱"


def test_who_waits_for_the_owner():
    settings = Settings(speech_min_confidence=0.6)
    assert needs_owner(Heard(MsgKind.VOICE, "多少钱", 0.5), settings)
    assert not needs_owner(Heard(MsgKind.VOICE, "多少钱", 0.7), settings)
    assert needs_owner(Heard(MsgKind.IMAGE, "订单"), settings)
    assert not needs_owner(Heard(MsgKind.IMAGE, "订单"), settings.replace(picture_drafts=False))


def test_the_owner_note_marks_voice_and_lists_a_pictures_numbers():
    def msg(kind: MsgKind, text: str) -> Message:
        return Message("1", "c", "张三", ChatKind.PRIVATE, text, kind=kind)

    note = owner_note([msg(MsgKind.VOICE, "还有M码吗"), msg(MsgKind.IMAGE, "「图片文字：" + ORDER + "」"),
                       msg(MsgKind.TEXT, "在吗")])
    assert note.splitlines() == ["🎤「还有M码吗」",
                                 "图片 picture：单号 20261205-88317 · 单号 7731 2045 9981 · 金额 178.00 · 电话 138****5521"]
