"""Real documents written by the tests with the libraries an owner's software would use: an Excel price list
with a title row, a note row and two sheets; a Word file with headings and a table; a Chinese PDF with a
blank (scanned-looking) page; a GBK CSV as Chinese Windows Excel saves it."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import openpyxl
import xlwt
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

PRICE_HEADER = ["货号", "品名", "单价(元)", "库存"]
PRICES = [["SJ-0412", "真丝围巾", 168, 23], ["SJ-0415", "羊绒围巾", 299.5, 0], ["MZ-2201", "渔夫帽", 89, 120]]


def write_xlsx(path: Path, prices=PRICES, *, title: str = "小鹿饰品 2026 春季价目表") -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "价目表"
    sheet.append([title])
    sheet.merge_cells("A1:D1")
    sheet.append(PRICE_HEADER)
    for row in prices:
        sheet.append(row)
    sheet.append([])
    sheet.append(["注：以上价格不含运费，满199包邮"])
    ship = book.create_sheet("运费")
    ship.append(["地区", "首重(元)", "续重(元/kg)", "时效"])
    ship.append(["江浙沪", 8, 2, "次日达"])
    ship.append(["新疆", 20, 10, "5-7天"])
    book.save(path)
    return path


def write_sheets(path: Path, sheets: dict[str, list[list]]) -> Path:
    """An .xlsx of the named sheets, each a list of rows (the first its header)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def write_xls(path: Path) -> Path:
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("价目表")
    for r, row in enumerate([PRICE_HEADER, *PRICES]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.save(str(path))
    return path


def write_csv(path: Path, encoding: str, rows=None) -> Path:
    rows = rows or [PRICE_HEADER, *PRICES]
    text = "\r\n".join(",".join(str(c) for c in row) for row in rows) + "\r\n"
    path.write_bytes(text.encode(encoding))
    return path


def write_docx(path: Path) -> Path:
    document = docx.Document()
    document.add_heading("售后政策", level=1)
    document.add_paragraph("签收后7天内支持无理由退换，商品需保持吊牌完整、未经水洗。")
    document.add_heading("发票", level=2)
    document.add_paragraph("可开具电子普通发票，下单时备注抬头和税号即可。")
    table = document.add_table(rows=3, cols=2)
    for r, (a, b) in enumerate([("问题", "回答"), ("多久发货", "付款后48小时内发货"), ("支持货到付款吗", "暂不支持货到付款")]):
        table.cell(r, 0).text = a
        table.cell(r, 1).text = b
    document.save(path)
    return path


def write_pdf(path: Path, pages: list[list[str]]) -> Path:
    """One PDF page per list of lines; an empty list makes a page without text (as a scan has)."""
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pdf = canvas.Canvas(str(path))
    for lines in pages:
        pdf.setFont("STSong-Light", 12)
        for i, line in enumerate(lines):
            pdf.drawString(72, 760 - 18 * i, line)
        if not lines:
            pdf.rect(72, 400, 300, 200, fill=1)  # a picture, no text
        pdf.showPage()
    pdf.save()
    return path


def inflate(path: Path, member: str, placeholder: str, size: int) -> Path:
    """Rewrite the zip at ``path`` with ``placeholder`` inside ``member`` grown to ``size`` bytes of one letter:
    a few KB on disk that unpack to ``size`` (a zip bomb, as an Office file can carry one)."""
    with zipfile.ZipFile(path) as src:
        parts = {info.filename: src.read(info) for info in src.infolist()}
    before, after = parts[member].split(placeholder.encode(), 1)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            if name != member:
                out.writestr(name, data)
                continue
            with out.open(name, "w", force_zip64=True) as fh:
                fh.write(before)
                block = b"x" * (1 << 20)
                for _ in range(size >> 20):
                    fh.write(block)
                fh.write(after)
    return path
