"""Spreadsheets (.xlsx, .xls, .csv) as records: one row is one passage that keeps its column names
(``货号: SJ-0412; 品名: 真丝围巾; 单价(元): 168``), a title row above the header is kept as context, a lone
note row (「注：以上价格不含运费」) is a passage of its own, and each sheet is kept apart."""

from __future__ import annotations

import csv
import datetime
import math
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain, islice
from pathlib import Path
from typing import Any

import openpyxl
import xlrd
from openpyxl.utils.exceptions import InvalidFileException

from wxbot.kb.pieces import OLE_MAGIC, Budget, Piece, ReadResult, damaged, password_protected, unreadable
from wxbot.kb.textfile import decode_text

HEAD_ROWS = 20  # the header is looked for among this many first rows
MAX_COLUMNS = 1000  # columns read from a sheet: a one-cell file can declare 16,384 and make every row that wide


def cell_text(value: Any) -> str:
    """A cell as the owner sees it: 168.0 -> '168', 12.9 -> '12.9', a date without its midnight time."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value).strip()


def _filled(row: Sequence[str]) -> int:
    return sum(1 for c in row if c)


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True


def table_pieces(rows: Iterable[Sequence[Any]], where: str, budget: Budget, first_row: int = 1) -> Iterator[Piece]:
    """Records of one table. ``where`` names the sheet ('' for a CSV); rows are numbered from ``first_row``."""
    numbered = _counted(rows, budget, first_row)
    head = list(islice(numbered, HEAD_ROWS))
    width = max((_filled(r) for _, r in head), default=0)
    if width == 0:
        return
    prefix = f"{where} " if where else ""
    header: list[str] | None = None
    titles: list[str] = []
    if width >= 2:
        need = max(2, math.ceil(width * 0.6))
        for i, (_, row) in enumerate(head):
            if _filled(row) >= need and not any(_is_number(c) for c in row if c):
                header = row
                titles = [" ".join(c for c in r if c) for _, r in head[:i] if _filled(r)]
                head = head[i + 1:]
                break
    context = " ".join([where, *titles]).strip()
    for n, row in chain(head, numbered):
        filled = _filled(row)
        if not filled or row == header:
            continue
        if header is None or (filled == 1 and width >= 3):
            text = " ".join(c for c in row if c)  # a one-column list, or a note row under the table
        else:
            names = [header[j] if j < len(header) and header[j] else f"列{j + 1}" for j in range(len(row))]
            text = "; ".join(f"{names[j]}: {c}" for j, c in enumerate(row) if c)
        budget.take(len(text))
        yield Piece(text, f"{prefix}第{n}行", context)


def _counted(rows: Iterable[Sequence[Any]], budget: Budget, first_row: int) -> Iterator[tuple[int, list[str]]]:
    """Rows as text, each counted by the budget (a blank one is not converted: padded sheets are mostly blank)."""
    for n, row in enumerate(rows, first_row):
        blank = row.count(None) == len(row)
        texts = [] if blank else [cell_text(c) for c in row[:MAX_COLUMNS]]
        budget.row(0 if blank else _filled(texts))
        yield n, texts


# ---------------------------------------------------------------------- the formats
def read_xlsx(path: Path, budget: Budget) -> ReadResult:
    with path.open("rb") as fh:
        if fh.read(8) == OLE_MAGIC:
            raise password_protected(path.name)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise damaged(path.name, exc) from None
    try:
        result = ReadResult("xlsx")
        sheets = [ws for ws in book.worksheets if hasattr(ws, "iter_rows")]
        budget.total = sum(ws.max_row or 0 for ws in sheets)
        for ws in sheets:
            named = ws.title if len(sheets) > 1 or not ws.title.lower().startswith("sheet") else ""
            before = len(result.pieces)
            width = ws.max_column or 0
            if width > MAX_COLUMNS:
                result.notes.append(f"工作表「{ws.title}」只读取了前 {MAX_COLUMNS} 列 "
                                    f"(only the first {MAX_COLUMNS} columns of sheet {ws.title} were read)")
            rows = ws.iter_rows(values_only=True, max_col=min(width, MAX_COLUMNS) or None)
            result.pieces.extend(table_pieces(rows, named, budget))
            if len(result.pieces) == before:
                result.notes.append(f"工作表「{ws.title}」是空的 (sheet {ws.title} is empty)")
        return result
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise damaged(path.name, exc) from None
    finally:
        book.close()


def read_xls(path: Path, budget: Budget) -> ReadResult:
    try:
        book = xlrd.open_workbook(str(path), on_demand=True)
    except xlrd.XLRDError as exc:
        if "encrypted" in str(exc).lower():
            raise password_protected(path.name) from None
        raise damaged(path.name, exc) from None
    except (OSError, ValueError, AssertionError, IndexError) as exc:
        raise damaged(path.name, exc) from None
    result = ReadResult("xls")
    try:
        names = book.sheet_names()
        for name in names:
            sheet = book.sheet_by_name(name)
            rows = ([_xls_value(c, book.datemode) for c in sheet.row(r)] for r in range(sheet.nrows))
            named = name if len(names) > 1 or not name.lower().startswith("sheet") else ""
            result.pieces.extend(table_pieces(rows, named, budget))
    finally:
        book.release_resources()
    return result


def _xls_value(cell: Any, datemode: int) -> Any:
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate.xldate_as_datetime(cell.value, datemode)
        except (ValueError, OverflowError):
            return cell.value
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return None
    return cell.value


def read_csv(path: Path, budget: Budget) -> ReadResult:
    text = decode_text(path)
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;|")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = list(csv.reader(text.splitlines(), dialect))
    except csv.Error as exc:
        raise unreadable(path.name, f"CSV 格式有误（{exc}）", f"the CSV is malformed ({exc})") from None
    budget.total = len(rows)
    return ReadResult("csv", list(table_pieces(rows, "", budget)))
