"""The demo shop `wxbot demo` sets up: a persona, FAQ rules for the questions every shop gets, and a small
knowledge base (a price list and the shop's notes, written as files and imported like an owner's own), so a
first try shows instant, sensible answers even with a tiny model, and where each answer came from. The shop
speaks the UI's language: 小王的店 in Chinese, Wang's Scarves in English."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from wxbot.files import replace_private
from wxbot.kb.desk import KnowledgeDesk
from wxbot.messages import Passage, ReplySource
from wxbot.settings import Settings

SHOP_FOLDER = "demo-shop"  # inside the demo's data dir
DEMO_MAX_REPLY_TOKENS = 160  # a tiny model's answer stays a chat message, not a page
QUOTED = 2  # knowledge-base answers quote the best two passages (e.g. both colours of a scarf)

PERSONA = ("你是「小王的店」的客服助理。小王的店在杭州，卖真丝围巾、羊绒围巾和手套。"
           "用中文回答，简短礼貌，一两句话。价格、库存、发货只按店铺资料回答，资料里没有的就说帮客户问店主，不要编造。")

FAQ_RULES = [  # each rule: a few ways customers ask, and the owner's answer (sent exactly as written)
    {"match": "examples", "examples": ["你好", "您好", "在吗", "在不在", "有人吗", "hi", "hello"],
     "answer": "您好，欢迎光临小王的店！想看围巾还是手套？价格、发货、退换都可以问我。"},
    {"match": "examples", "examples": ["几点营业", "营业时间", "客服几点上班", "什么时候有人回复", "晚上有人吗"],
     "answer": "客服时间：每天 9:00–21:00，晚上的留言第二天一早回复。"},
    {"match": "examples", "examples": ["什么时候发货", "几天能到", "发什么快递", "包邮吗", "运费多少", "邮费怎么算"],
     "answer": "下单后 48 小时内从杭州发货，默认中通快递；满 99 元包邮，不满收 8 元运费（新疆、西藏 15 元）。"},
    {"match": "examples", "examples": ["可以退货吗", "不喜欢能退吗", "拆开了还能退吗", "不合适可以换吗", "怎么退款"],
     "answer": "支持 7 天无理由退换（未洗涤、吊牌完好）。寄回前先告诉我订单号，我把退货地址发您。"},
    {"match": "examples", "examples": ["有优惠吗", "能便宜点吗", "打折吗", "有优惠券吗"],
     "answer": "本周新客立减 10 元，两件 9 折，可以叠加。"},
    {"match": "examples", "examples": ["谢谢", "多谢", "感谢", "好的", "好嘞", "ok", "thanks", "thank you"],
     "answer": "不客气，有需要随时找我～"},
]

PRICE_LIST = ("货号,品名,颜色,单价(元),库存\n"
              "SK-101,真丝围巾,酒红,168,23\n"
              "SK-102,真丝围巾,藏青,168,5\n"
              "CS-201,羊绒围巾,驼色,299,12\n"
              "CS-202,羊绒围巾,燕麦,299,0\n"
              "GL-301,羊毛手套,黑色,89,40\n")
PRICE_FILE = "价目表.csv"

SHOP_NOTES = """# 真丝围巾

真丝围巾的面料是 100% 桑蚕丝，长 180 厘米、宽 55 厘米，重约 60 克。真丝围巾怎么洗：冷水手洗，不可机洗，阴干。

# 羊绒围巾

羊绒围巾的面料是内蒙古山羊绒，长 190 厘米、宽 35 厘米。羊绒围巾怎么洗：干洗，或 30 度以下手洗，平铺晾干。

# 羊毛手套

羊毛手套是澳洲美利奴羊毛，均码，适合手掌宽 8-9 厘米，指尖可以触屏。

# 售后

质量问题 30 天内包换，来回运费由本店承担。
"""
NOTES_FILE = "商品说明.md"


EN_PERSONA = ("You are the customer assistant of Wang's Scarves, a shop in Hangzhou selling silk scarves, cashmere "
              "scarves and gloves. Answer in English, short and polite, in one or two sentences. Answer prices, stock "
              "and shipping only from the shop's documents; if they don't say, offer to ask the owner. Never make "
              "things up.")

EN_FAQ_RULES = [
    {"match": "regex", "pattern": r"^\s*(hi|hello|hey|good (morning|afternoon|evening))\s*[!?.,~]*\s*$",
     "answer": "Hello, welcome to Wang's Scarves! Looking for a scarf or gloves? Ask me about prices, shipping "
               "or returns."},
    {"match": "regex", "pattern": r"(?i)opening|hours|open\b|when .*(reply|answer)",
     "answer": "We answer every day from 9:00 to 21:00; messages after that are answered the next morning."},
    {"match": "regex", "pattern": r"(?i)ship|deliver|postage|how long",
     "answer": "Orders ship from Hangzhou within 48 hours. Shipping is free over 99 yuan, otherwise 8 yuan."},
    {"match": "regex", "pattern": r"(?i)return|refund|exchange",
     "answer": "Returns within 7 days, unwashed with the tag on. Tell me the order number and I'll send the "
               "return address."},
    {"match": "regex", "pattern": r"(?i)discount|coupon|cheaper|sale",
     "answer": "This week new customers get 10 yuan off, and 10% off for two items; both together are fine."},
    {"match": "regex", "pattern": r"^\s*(?i:thanks|thank you|ok|great)",
     "answer": "You're welcome, ask any time!"},
]

EN_PRICE_LIST = ("Item,Product,Colour,Price (yuan),Stock\n"
                 "SK-101,Silk scarf,Burgundy,168,23\n"
                 "SK-102,Silk scarf,Navy,168,5\n"
                 "CS-201,Cashmere scarf,Camel,299,12\n"
                 "CS-202,Cashmere scarf,Oatmeal,299,0\n"
                 "GL-301,Wool gloves,Black,89,40\n")

EN_SHOP_NOTES = """# Silk scarf

The silk scarf is 100% mulberry silk, 180 cm long and 55 cm wide, about 60 g. How to wash a silk scarf: hand wash
in cold water, no machine, dry in the shade.

# Cashmere scarf

The cashmere scarf is Inner Mongolian goat cashmere, 190 cm long and 35 cm wide. How to wash a cashmere scarf: dry
clean, or hand wash below 30 degrees and dry flat.

# Wool gloves

The wool gloves are Australian merino, one size, for palms 8-9 cm wide; the fingertips work on touch screens.

# After-sales

Quality problems are exchanged within 30 days; the shop pays shipping both ways.
"""


@dataclass(frozen=True)
class DemoShop:
    persona: str
    faq_rules: list[dict[str, str]]
    files: tuple[tuple[str, str], ...]  # (file name, text) imported into the knowledge base


SHOPS = {
    "zh": DemoShop(PERSONA, FAQ_RULES, ((PRICE_FILE, PRICE_LIST), (NOTES_FILE, SHOP_NOTES))),
    "en": DemoShop(EN_PERSONA, EN_FAQ_RULES, (("price-list.csv", EN_PRICE_LIST), ("product-notes.md", EN_SHOP_NOTES))),
}


def demo_shop_settings(settings: Settings, lang: str = "zh") -> Settings:
    """The demo's persona and FAQ rules (the owner's words, sent as written), and short model answers."""
    shop = SHOPS[lang]
    return settings.replace(persona=shop.persona, faq_rules=[dict(r) for r in shop.faq_rules],
                            kb_quote_passages=QUOTED,
                            max_reply_tokens=min(settings.max_reply_tokens, DEMO_MAX_REPLY_TOKENS))


def stock_demo_shop(desk: KnowledgeDesk, data_dir: Path, lang: str = "zh") -> list[str]:
    """Write the shop's files into the demo's data dir and import them; returns the documents now known.
    Raises the first import's WxbotError (the demo then says so instead of answering without them)."""
    folder = data_dir / SHOP_FOLDER
    folder.mkdir(mode=0o700, exist_ok=True)
    paths = [replace_private(folder / name, text.encode("utf-8")) for name, text in SHOPS[lang].files]
    for _name, result in desk.add_files(paths):
        if isinstance(result, Exception):
            raise result
    return [doc.name for doc in desk.documents()]


def answer_origin(source: ReplySource | None, passages: tuple[Passage, ...] = (), lang: str = "") -> str:
    """Where a reply came from, as the demo shows it under the reply: in ``lang`` ('zh' or 'en'), or both."""

    def say(zh: str, en: str) -> str:
        return zh if lang == "zh" else en if lang == "en" else f"{zh} {en}"

    if source in (ReplySource.MODEL, ReplySource.KB) and passages:
        how = say(*_ORIGIN[ReplySource.KB]) if source is ReplySource.KB else say("知识库 + 模型", "knowledge base + model")
        return f"{how}: " + ("; " if lang == "en" else "；").join(p.label for p in passages[:QUOTED])
    return say(*_ORIGIN[source]) if source in _ORIGIN else ""


_ORIGIN = {
    ReplySource.FAQ: ("FAQ 规则（店主写好的原话）", "FAQ rule (the owner's words)"),
    ReplySource.MODEL: ("模型", "model"),
    ReplySource.KB: ("知识库原文", "knowledge base, as written"),
    ReplySource.KB_FALLBACK: ("知识库里没有：店主设置的兜底话术", "not in the knowledge base: the owner's fallback text"),
    ReplySource.AWAY: ("非营业时间留言", "away message"),
    ReplySource.NON_TEXT: ("非文字消息的自动回复", "reply to a non-text message"),
    ReplySource.DRAFT: ("店主批准的草稿", "draft approved by the owner"),
    ReplySource.DRAFT_EDITED: ("店主改写的草稿（店主的原话）", "draft rewritten by the owner (their own words)"),
    ReplySource.COMMAND: ("命令", "command"),
    ReplySource.HANDOFF: ("转店主：店主写好的稍候话术", "handed to the owner: the owner's holding line"),
    ReplySource.HOLDING: ("草稿待确认：店主写好的稍候话术", "a draft waits: the owner's holding line"),
}
