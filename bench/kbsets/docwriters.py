"""Document writers shared by the three fresh shops' make_docs.py (teashop, outdoor, beauty).

The three shops write their six documents the same way (price list .xlsx and its .csv export, after-sales
.docx, guide .pdf, FAQ .md, notices .txt); only the data differs, so each make_docs.py keeps its data and
calls main() here. Needs openpyxl, python-docx, reportlab and pypdf (imported where used).
"""
import argparse
import csv
import io
import os
from typing import NamedTuple


class Sheet(NamedTuple):
    """One sheet of 商品价目表.xlsx; the first one is the product list, also exported as the .csv."""
    name: str
    label: str  # what a row is, for the summary line: "products", "gift boxes"
    header: list
    rows: list
    widths: list
    note: str | None = None
    title: str | None = None


def _sheet(ws, sheet):
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    header = sheet.header
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="E2EFDA")
    if sheet.title:
        ws.append([sheet.title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
        ws["A1"].font = Font(bold=True, size=14)
        ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(header)
    for c in ws[ws.max_row]:
        c.font, c.fill = bold, fill
    for r in sheet.rows:
        ws.append(list(r))
    if sheet.note:
        ws.append([])
        ws.append([sheet.note])
    ws.freeze_panes = "A3" if sheet.title else "A2"
    for i, w in enumerate(sheet.widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w


def write_xlsx(path, sheets):
    from openpyxl import Workbook

    wb = Workbook()
    for i, sheet in enumerate(sheets):
        if i:
            ws = wb.create_sheet(sheet.name)
        else:
            ws = wb.active
            ws.title = sheet.name
        _sheet(ws, sheet)
    wb.save(path)


def write_csv(path, sheet):
    """Excel-style 'CSV (comma delimited)' export of one sheet on a Chinese Windows: GBK, CRLF,
    title row and note row included as they are in the sheet."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    n = len(sheet.header)
    w.writerow([sheet.title] + [""] * (n - 1))
    w.writerow(sheet.header)
    for r in sheet.rows:
        w.writerow(list(r))
    w.writerow([""] * n)
    w.writerow([sheet.note] + [""] * (n - 1))
    with open(path, "wb") as f:
        f.write(buf.getvalue().encode("gbk"))  # strict: fails loudly on a non-GBK character


def write_docx(path, shop, title, intro, sections):
    """sections: (heading, [paragraph | ("table", header, rows)])."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    for sname in ("Normal", "Title", "Heading 1"):
        st = doc.styles[sname]
        st.font.name = "宋体" if sname == "Normal" else "黑体"
        st.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), st.font.name)
    doc.styles["Normal"].font.size = Pt(11)
    doc.add_heading(title, 0)
    doc.add_paragraph(intro)
    for heading, items in sections:
        doc.add_heading(heading, 1)
        for it in items:
            if isinstance(it, tuple):
                _, header, rows = it
                t = doc.add_table(rows=1 + len(rows), cols=len(header))
                t.style = "Table Grid"
                for j, h in enumerate(header):
                    t.cell(0, j).text = h
                for i, row in enumerate(rows, 1):
                    for j, v in enumerate(row):
                        t.cell(i, j).text = v
            else:
                doc.add_paragraph(it)
    doc.core_properties.title = title
    doc.core_properties.author = shop
    doc.save(path)


def write_pdf(path, shop, name, title, pages):
    """pages: [(section title, [(subtitle, paragraph)])], one PDF page each; name goes in the footer."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

    font = "STSong-Light"  # built-in CID font: text stays extractable (UniGB-UCS2-H)
    pdfmetrics.registerFont(UnicodeCIDFont(font))
    title_st = ParagraphStyle("t", fontName=font, fontSize=20, leading=28, alignment=1, spaceAfter=8 * mm)
    h1 = ParagraphStyle("h1", fontName=font, fontSize=15, leading=22, spaceBefore=4 * mm, spaceAfter=3 * mm)
    h2 = ParagraphStyle("h2", fontName=font, fontSize=12, leading=18, spaceBefore=2 * mm, spaceAfter=1 * mm)
    body = ParagraphStyle("b", fontName=font, fontSize=10.5, leading=17, wordWrap="CJK", firstLineIndent=21)

    def footer(canvas, doc_):
        canvas.saveState()
        canvas.setFont(font, 9)
        canvas.drawCentredString(A4[0] / 2, 12 * mm, f"{shop} · {name}　第{doc_.page}页")
        canvas.restoreState()

    story = [Paragraph(title, title_st)]
    for i, page in enumerate(pages):
        if i:
            story.append(PageBreak())
        for sec, items in page:
            story.append(Paragraph(sec, h1))
            for sub, text in items:
                story.append(Paragraph(sub, h2))
                story.append(Paragraph(text, body))
        story.append(Spacer(1, 4 * mm))
    doc = SimpleDocTemplate(path, pagesize=A4, leftMargin=22 * mm, rightMargin=22 * mm,
                            topMargin=20 * mm, bottomMargin=22 * mm, title=title, author=shop)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)


def write_md(path, title, intro, faq):
    """faq: [(section, [(question, answer)])]."""
    out = [f"# {title}", "", intro, ""]
    for sec, qas in faq:
        out += [f"## {sec}", ""]
        for q, a in qas:
            out += [f"### {q}", "", a, ""]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out))


def write_txt(path, title, notices):
    """One notice per blank-line block, UTF-8 with CRLF as Notepad writes it."""
    text = "\r\n\r\n".join([title] + notices) + "\r\n"
    with open(path, "wb") as f:
        f.write(text.encode("utf-8"))


def check_pdf(path, name, pages):
    from pypdf import PdfReader
    got = PdfReader(path).pages
    assert len(got) == len(pages), len(got)
    for i, p in enumerate(got):
        t = p.extract_text()
        assert name in t and len(t) > 200, (i, t[:100])
        first = pages[i][0][1][0][1][:12]  # first body sentence of the page must come out as text
        assert first in t.replace("\n", ""), (i, first)
    return len(got)


def main(script, shop, sheets, policy, guide, faq, notices):
    """Write the six documents into --out (default: docs/ beside script).

    policy: (title, intro, sections); guide: (name, title, pages); faq: (title, intro, sections);
    notices: (title, notices)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(script)), "docs"))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    guide_name, guide_title, guide_pages = guide
    pdf = os.path.join(a.out, f"{guide_name}.pdf")
    write_xlsx(os.path.join(a.out, "商品价目表.xlsx"), sheets)
    write_csv(os.path.join(a.out, "商品价目表.csv"), sheets[0])
    write_docx(os.path.join(a.out, "售后与配送说明.docx"), shop, *policy)
    write_pdf(pdf, shop, guide_name, guide_title, guide_pages)
    write_md(os.path.join(a.out, "常见问题.md"), *faq)
    write_txt(os.path.join(a.out, "店铺公告.txt"), *notices)
    n = check_pdf(pdf, guide_name, guide_pages)
    counts = ", ".join(f"{len(s.rows)} {s.label}" for s in sheets)
    print(f"wrote {counts}, {sum(len(x[1]) for x in faq[2])} FAQ pairs, {len(notices[1])} notices, "
          f"{n} PDF pages -> {a.out}")
