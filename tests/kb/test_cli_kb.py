"""`wxbot kb` as an owner (or an outside evaluation) runs it: real processes on a real encrypted store, the
passphrase path as on a headless server."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.kb.files import write_docx, write_pdf, write_xlsx
from tests.test_cli import env_for, wxbot


def test_add_list_search_remove(data_dir, tmp_path):
    env = env_for(data_dir)
    xlsx = write_xlsx(tmp_path / "价目表.xlsx")
    docx = write_docx(tmp_path / "售后.docx")
    pdf = write_pdf(tmp_path / "guide.pdf", [["门店地址：杭州市西湖区文三路 88 号"], []])
    done = wxbot("kb", "add", str(xlsx), str(docx), str(pdf), env=env)
    assert done.returncode == 0, done.stderr
    assert "价目表.xlsx (6 条 passages)" in done.stdout and "page 2 has no text" in done.stdout
    assert "keyword search only" in done.stderr  # the owner is told what semantic search would add

    listed = wxbot("kb", "list", env=env)
    assert listed.returncode == 0
    names = [line.split("\t")[0] for line in listed.stdout.splitlines() if "\t" in line]
    assert names == ["价目表.xlsx", "售后.docx", "guide.pdf"]

    found = wxbot("kb", "search", "ＳＪ－０４１２多少钱", "-k", "5", "--json", env=env)
    assert found.returncode == 0, found.stderr
    hits = json.loads(found.stdout)
    assert hits[0] == {"text": "货号: SJ-0412; 品名: 真丝围巾; 单价(元): 168; 库存: 23", "source": "价目表.xlsx",
                       "locator": "价目表 第3行", "score": hits[0]["score"]}
    assert all(h["score"] <= hits[0]["score"] for h in hits)
    unrelated = wxbot("kb", "search", "今天天气怎么样", "--json", env=env)
    assert json.loads(unrelated.stdout) == []

    assert wxbot("kb", "remove", "价目表.xlsx", env=env).returncode == 0
    again = wxbot("kb", "search", "SJ-0412", "--json", env=env)
    assert json.loads(again.stdout) == []
    missing = wxbot("kb", "remove", "价目表.xlsx", env=env)
    assert missing.returncode == 2 and "价目表.xlsx" in missing.stderr and "Traceback" not in missing.stderr


# What a search never needs: the file readers, Qt, llama.cpp, pypinyin's tables (kept inside the index), and
# the modules that import documents.
NOT_FOR_SEARCH = {"openpyxl", "docx", "pypdf", "xlrd", "charset_normalizer", "PySide6", "shiboken6", "llama_cpp",
                  "pypinyin", "wxbot.kb.base", "wxbot.kb.reading", "wxbot.kb.desk", "wxbot.ui", "wxbot.core"}


def test_a_search_in_a_new_process_loads_only_the_search_side(data_dir, tmp_path):
    """A cold ``wxbot kb search`` answers within a second (issue 22; an evaluation starts one per question):
    Python start-up, imports and the passphrase's scrypt are most of it, so what it imports is guarded."""
    env = env_for(data_dir)
    assert wxbot("kb", "add", str(write_xlsx(tmp_path / "p.xlsx")), env=env).returncode == 0
    code = ("import sys; from wxbot.cli import main; rc = main(['kb', 'search', 'SJ-0412多少钱', '--json']); "
            "print(sorted(sys.modules), file=sys.stderr); sys.exit(rc)")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)[0]["text"].startswith("货号: SJ-0412")
    modules = set(json.loads(done.stderr.strip().splitlines()[-1].replace("'", '"')))
    loaded = {m if m in NOT_FOR_SEARCH else m.split(".")[0] for m in modules
              if m in NOT_FOR_SEARCH or m.split(".")[0] in NOT_FOR_SEARCH}
    assert not loaded, f"a search loaded {sorted(loaded)}"
    assert "wxbot.kb.shelf" in modules and "rjieba" in modules  # the search side did load


def test_a_bad_file_is_named_and_the_good_ones_still_import(data_dir, tmp_path):
    env = env_for(data_dir)
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 not a document")
    done = wxbot("kb", "add", str(tmp_path / "broken.docx"), str(write_xlsx(tmp_path / "p.xlsx")), env=env)
    assert done.returncode == 2
    assert "broken.docx" in done.stderr and "damaged" in done.stderr and "Traceback" not in done.stderr
    assert "p.xlsx (6 条 passages)" in done.stdout


def test_wrong_passphrase_opens_nothing(data_dir, tmp_path):
    assert wxbot("kb", "add", str(write_xlsx(tmp_path / "p.xlsx")), env=env_for(data_dir)).returncode == 0
    done = wxbot("kb", "search", "SJ-0412", "--json", env=env_for(data_dir, WXBOT_PASSPHRASE="not the passphrase"))
    assert done.returncode == 2 and done.stdout == "" and "Traceback" not in done.stderr


def test_file_names_with_escapes_and_line_breaks_are_printed_as_visible_text(data_dir, tmp_path):
    env = env_for(data_dir)
    hostile = write_xlsx(tmp_path / "价目\x1b[2J表\n\x1b]0;x\x07.xlsx")
    added = wxbot("kb", "add", str(hostile), env=env)
    assert added.returncode == 0, added.stderr
    listed = wxbot("kb", "list", env=env)
    for out in (added.stdout, listed.stdout):
        assert not any(ch in out for ch in "\x1b\x07"), out
        assert "价目\\x1b[2J表\\x0a\\x1b]0;x\\x07.xlsx" in out
    assert len([line for line in listed.stdout.splitlines() if "\t" in line]) == 1


def test_owner_synonyms_on_the_command_line(data_dir, tmp_path):
    env = env_for(data_dir)
    assert wxbot("kb", "add", str(write_xlsx(tmp_path / "价目表.xlsx")), env=env).returncode == 0
    found = wxbot("kb", "search", "丝巾多少钱", "--json", env=env)
    assert json.loads(found.stdout) == []
    added = wxbot("kb", "synonyms", "add", "丝巾", "真丝围巾", env=env)
    assert added.returncode == 0 and "丝巾 = 真丝围巾" in added.stdout
    assert wxbot("kb", "synonyms", "list", env=env).stdout.strip() == "丝巾 = 真丝围巾"
    found = wxbot("kb", "search", "丝巾多少钱", "--json", env=env)
    assert json.loads(found.stdout)[0]["text"].startswith("货号: SJ-0412;")
    assert wxbot("kb", "synonyms", "add", "丝巾", env=env).returncode == 2  # one word is no group: said, refused
    assert wxbot("kb", "synonyms", "remove", "丝巾", env=env).returncode == 0
    assert wxbot("kb", "synonyms", "remove", "丝巾", env=env).returncode == 2
    assert json.loads(wxbot("kb", "search", "丝巾多少钱", "--json", env=env).stdout) == []
