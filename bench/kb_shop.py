"""An invented shop for the knowledge-base benchmark (小鹿饰品, accessories): a price list with a title row,
a note row and two sheets (.xlsx), a shipping table as Chinese Excel saves a CSV (GBK), the after-sales
policy in Word (headings and a table) and an FAQ in Markdown. ``write_shop`` writes the four files."""

from __future__ import annotations

from pathlib import Path

import docx
import openpyxl

PRICE_HEADER = ["货号", "品名", "材质", "规格", "单价(元)", "库存", "备注"]
PRICES = [
    ["SJ-0412", "真丝围巾", "桑蚕丝", "180x90cm", 168, 23, ""],
    ["SJ-0415", "羊绒围巾", "山羊绒", "200x70cm", 299.5, 0, "缺货，预计3月中旬补货"],
    ["SJ-0520", "小方巾", "桑蚕丝", "53x53cm", 89, 40, ""],
    ["MZ-2201", "渔夫帽", "纯棉", "均码(56-58cm)", 89, 120, ""],
    ["MZ-2305", "棒球帽", "纯棉", "可调节", 69, 55, ""],
    ["MZ-2410", "贝雷帽", "羊毛", "均码", 129, 8, "秋冬款"],
    ["EH-1001", "珍珠耳环", "淡水珍珠 925银针", "8mm", 199, 15, "防过敏银针"],
    ["EH-1002", "耳夹", "合金", "无耳洞可戴", 49, 60, ""],
    ["XL-3301", "925银项链", "925银", "45cm", 259, 12, ""],
    ["XL-3302", "锁骨链", "18K镀金", "40cm+5cm延长链", 139, 30, ""],
    ["SZ-5501", "黄铜手链", "黄铜", "可调节", 79, 44, ""],
    ["FJ-7001", "发夹套装", "醋酸", "5件套", 39, 200, ""],
    ["FJ-7002", "鲨鱼夹", "醋酸", "大号11cm", 29, 150, ""],
    ["BB-8801", "帆布托特包", "帆布", "38x32cm", 119, 25, ""],
    ["BB-8802", "真皮小方包", "头层牛皮", "20x15cm", 459, 5, ""],
    ["WZ-9901", "羊毛袜", "美利奴羊毛", "均码", 59, 80, "3双装"],
    ["ST-1101", "触屏手套", "羊绒", "M/L", 99, 0, "已售罄，今年不再补货"],
]
GIFTS_HEADER = ["服务", "价格(元)", "说明"]
GIFTS = [
    ["礼盒包装", 10, "牛皮纸礼盒+丝带"],
    ["手写贺卡", 0, "下单备注祝福语即可"],
    ["刻字定制", 30, "仅限925银项链和黄铜手链，最多8个字母，定制品不退换"],
]
SHIPPING = [
    ["地区", "首重1kg(元)", "续重每kg(元)", "快递", "时效"],
    ["江浙沪", 6, 1, "中通", "1-2天"],
    ["北京 天津 河北", 8, 2, "中通", "2-3天"],
    ["广东 福建", 8, 2, "中通", "2-3天"],
    ["四川 重庆 云南 贵州", 10, 3, "中通", "3-4天"],
    ["新疆", 20, 10, "邮政EMS", "5-7天"],
    ["西藏", 25, 12, "邮政EMS", "7-10天"],
    ["港澳台", 45, 20, "顺丰", "3-5天"],
    ["海外", "暂不发货", "", "", ""],
]
POLICY = [  # (heading, [paragraphs]) of the Word file
    ("退换货", ["签收后7天内支持无理由退换货，商品需保持吊牌完整、未佩戴未水洗，包装齐全。",
             "耳环、耳夹等贴身饰品出于卫生原因，拆封后不支持无理由退换，质量问题除外。",
             "退换货请先联系客服登记，寄回地址以客服提供的为准，不接受到付。"]),
    ("运费承担", ["质量问题或发错货产生的来回运费由本店承担；无理由退换的寄回运费由买家承担。"]),
    ("发票", ["可开具电子普通发票，下单时在备注里写明抬头和税号，发货后3个工作日内发到邮箱。",
            "暂不支持开具增值税专用发票。"]),
    ("质保与维修", ["银饰和镀金饰品提供一年质保，期间非人为损坏免费维修。",
               "人为损坏（如拉断、压变形）可付费维修，费用视情况20-50元。"]),
    ("付款方式", ["支持微信支付、支付宝和银行转账，暂不支持货到付款。"]),
    ("发货时间", ["现货商品付款后48小时内发货，节假日顺延；预售和定制商品7-10天发货。"]),
]
MEMBERS = [["会员等级", "条件", "折扣"], ["普通会员", "首次下单", "无"], ["银卡会员", "累计消费满500元", "95折"],
           ["金卡会员", "累计消费满2000元", "9折，生日月额外送小礼物"]]
FAQ = """# 常见问题

## 保养

真丝围巾请用冷水手洗，中性洗涤剂，不要拧干，阴干避免暴晒。

银饰氧化发黑可以用擦银布擦拭，不佩戴时放进密封袋。

## 门店与联系

实体店地址：杭州市西湖区文三路88号，营业时间每天10:00-21:00。

客服微信：xiaolu-shop，客服电话：0571-8888-6666（工作日9:00-18:00）。

## 订单

下单后还没发货可以联系客服修改地址；已发货的无法改地址。

查物流：在订单详情里点“查看物流”，或把订单号发给客服。

批发和团购满20件可以谈价格，请联系客服。

## 尺码

帽子均码适合头围56-58cm；手套M码适合手掌宽8cm以内，L码8cm以上。
"""
TITLE = "小鹿饰品 2026 春夏价目表"
NOTE = "注：单价含税，不含运费；订单满199元包邮（新疆、西藏、港澳台除外）"


def write_shop(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "价目表"
    sheet.append([TITLE])
    sheet.append(PRICE_HEADER)
    for row in PRICES:
        sheet.append(row)
    sheet.append([])
    sheet.append([NOTE])
    gifts = book.create_sheet("增值服务")
    gifts.append(GIFTS_HEADER)
    for row in GIFTS:
        gifts.append(row)
    book.save(folder / "价目表.xlsx")

    csv_text = "\r\n".join(",".join(str(c) for c in row) for row in SHIPPING) + "\r\n"
    (folder / "运费表.csv").write_bytes(csv_text.encode("gbk"))

    document = docx.Document()
    document.add_heading("售后与服务政策", level=1)
    for heading, paragraphs in POLICY:
        document.add_heading(heading, level=2)
        for text in paragraphs:
            document.add_paragraph(text)
    document.add_heading("会员", level=2)
    table = document.add_table(rows=len(MEMBERS), cols=3)
    for r, row in enumerate(MEMBERS):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.save(folder / "售后政策.docx")

    (folder / "常见问题.md").write_text(FAQ, encoding="utf-8")
    return [folder / n for n in ("价目表.xlsx", "运费表.csv", "售后政策.docx", "常见问题.md")]


def write_filler(path: Path, rows: int) -> Path:
    """A big catalogue of other goods (the same columns), to measure search at 10,000 passages."""
    kinds = ["收纳盒", "化妆包", "钥匙扣", "笔袋", "胸针", "戒指", "眼镜链", "腰带", "头绳", "发箍"]
    stuff = ["亚克力", "合金", "皮革", "硅胶", "布艺", "不锈钢"]
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("库存总表")
    sheet.append(PRICE_HEADER)
    for i in range(rows):
        sheet.append([f"ZK-{i:05d}", f"{kinds[i % 10]} {i % 97}号款", stuff[i % 6], f"{5 + i % 20}cm",
                      round(9.9 + (i * 7) % 300, 1), i % 50, ""])
    book.save(path)
    return path
