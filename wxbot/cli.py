"""Command line entry: no arguments = the desktop app; `chat`, `run --headless`, `demo`, `kb`, `--self-check`."""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import json
import multiprocessing
import signal
import sys
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

from wxbot import __version__
from wxbot.controls import json_escaped, shown
from wxbot.envsecrets import secret, take_from_environment
from wxbot.errors import WxbotError
from wxbot.files import DB_FILE
from wxbot.logs import setup_logging
from wxbot.passkey import PASSPHRASE_ENV, derive_meanwhile
from wxbot.settings import Settings, load_settings, personal_fields

if TYPE_CHECKING:
    from wxbot.core.instance import InstanceLock
    from wxbot.kb.desk import KnowledgeDesk
    from wxbot.store import Store


def _settings_or_exit() -> Settings:
    try:
        return load_settings()
    except WxbotError as err:
        print(f"wxbot: {err}", file=sys.stderr)
        raise SystemExit(2) from None


def cmd_chat(args: argparse.Namespace) -> int:
    """A terminal playground: talk to the configured persona and FAQ rules, no WeChat needed."""
    from wxbot.core.engine import ReplyEngine
    from wxbot.core.history import MemoryHistory
    from wxbot.llm.backends import engine_label, open_engine
    from wxbot.messages import ChatKind, Message
    from wxbot.store.apikey import load_api_key

    settings = _settings_or_exit()
    setup_logging(settings.log_dir, settings.log_level, console=False)  # the terminal is the conversation's
    history = MemoryHistory()
    try:
        print(f"正在加载模型 loading model: {engine_label(settings)} …", flush=True)
        opened = open_engine(settings, api_key=load_api_key(settings.data_path, settings.openai_base_url), console_log=False)
        if opened.problem is not None:
            raise opened.problem
    except WxbotError as err:
        print(f"wxbot: {err}", file=sys.stderr)
        return 2
    model = opened.model
    engine = ReplyEngine(settings, model, history)
    print(f"模型已就绪 ready ({model.info.description}). 输入消息，回车发送；Ctrl-D 退出 (type a message, Ctrl-D to quit)")
    n = 0
    try:
        while True:
            try:
                text = input("你 you> ") if sys.stdin.isatty() else input()
            except EOFError:
                break
            if not text.strip():
                continue
            n += 1
            msg = Message(msg_id=f"chat-{n}", contact_id="chat", display_name="you", chat=ChatKind.PRIVATE,
                          text=text, time=time.time())
            try:
                reply = engine.reply([msg])
            except WxbotError as err:
                print(f"wxbot: {err}", file=sys.stderr)
                continue
            history.add_turn("chat", "user", text, msg.time, msg.msg_id)
            if reply is None:
                print("（没有回复 no reply）")
                continue
            history.add_turn("chat", "assistant", reply.body)
            for part in reply.parts:
                print(f"bot> {part}", flush=True)
    finally:
        model.close()
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from wxbot.terminal import run_headless

    if not args.headless:
        from wxbot.ui.app import run_app

        return run_app()
    return run_headless(_settings_or_exit())


def cmd_demo(args: argparse.Namespace) -> int:
    if args.terminal:
        from wxbot.terminal import run_demo

        return run_demo(_settings_or_exit())
    from wxbot.ui.app import run_app

    return run_app(demo=True)


def cmd_wipe(args: argparse.Namespace) -> int:
    """Delete everything wxbot made in the data dir (database with its WAL/SHM, WeChat session, login QR, logs,
    lock) and the key in the keychain; say what was kept."""
    from wxbot.core.instance import InstanceLock
    from wxbot.files import not_a_folder
    from wxbot.logs import log_files
    from wxbot.service import SESSION_FILE
    from wxbot.store import wipe
    from wxbot.terminal import QR_PNG

    settings = _settings_or_exit()
    data = settings.data_path
    if data.exists() and not data.is_dir():
        raise not_a_folder(data)
    if not data.exists():
        print(f"wxbot: {data} 不存在，没有可删除的数据 (there is no wxbot data in {data})", file=sys.stderr)
        return 1
    if not args.yes:
        answer = input(f"将永久删除 {data} 中的聊天记录、登录状态和密钥。输入 yes 确认 "
                       f"(permanently delete history, session and key in {data}; type yes): ")
        if answer.strip().lower() != "yes":
            print("已取消 (cancelled)")
            return 1
    lock = InstanceLock(data)
    lock.acquire()
    try:
        removed = wipe(data, [SESSION_FILE, QR_PNG, *log_files(settings.log_dir)])
    finally:
        lock.release()
    lock.path.unlink(missing_ok=True)
    removed.append(lock.path)
    for folder in (settings.log_dir, data):
        with contextlib.suppress(OSError):  # only when empty: what the owner keeps there stays
            folder.rmdir()
    kept = sorted(p.name for p in data.iterdir()) if data.is_dir() else []
    print(f"已删除 removed: {', '.join(p.name for p in removed) or '-'}")
    print(f"已保留 kept: {', '.join(kept) or '-'}；用 wxbot export 导出的文件不会被删除 "
          "(files made with wxbot export are not touched)")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write decrypted history to a JSON or Markdown file (with a warning: the file is not encrypted)."""
    from pathlib import Path

    from wxbot.envsecrets import ask_passphrase
    from wxbot.store import EXPORT_WARNING, Store, export_history

    settings = _settings_or_exit()
    try:
        with Store.open(settings.data_path, passphrase=ask_passphrase, readonly=True) as store:
            contact_id = None
            if args.contact:
                found = [c for c in store.list_contacts() if args.contact in (c.display_name, c.nick_name)]
                if len(found) != 1:
                    print(f"wxbot: 找到 {len(found)} 个名为「{args.contact}」的联系人 "
                          f"({len(found)} contacts named {args.contact})", file=sys.stderr)
                    return 2
                contact_id = found[0].id
            path = export_history(store, Path(args.out), contact_id=contact_id, fmt=args.format)
    except WxbotError as err:
        print(f"wxbot: {err}", file=sys.stderr)
        return 2
    print(EXPORT_WARNING, file=sys.stderr)
    print(path)
    return 0


def _lock_existing_store(settings: Settings, instead: str) -> InstanceLock | None:
    """The data directory's lock, for a command that changes a store already there; None, said on stderr, when
    there is no store yet or wxbot runs on it (``instead``: where the owner does it then)."""
    from wxbot.core.instance import InstanceLock

    if not (settings.data_path / DB_FILE).exists():
        print(f"wxbot: {settings.data_path} 里还没有数据，请先登录一次 (no store yet: log in once first)", file=sys.stderr)
        return None
    lock = InstanceLock(settings.data_path)
    try:
        lock.acquire()
    except WxbotError:
        print(f"wxbot: wxbot 正在这个数据目录上运行 (wxbot is running on this data dir): {instead}", file=sys.stderr)
        return None
    return lock


def cmd_contacts(args: argparse.Namespace) -> int:
    """List contacts with their reply mode, or set one's mode (on = auto, draft, off) without the window."""
    from wxbot.core.commands import MODE_WORDS, pick_contact
    from wxbot.core.roster import Roster
    from wxbot.envsecrets import ask_passphrase
    from wxbot.messages import ReplyMode
    from wxbot.store import Store

    if args.action != "list" and not args.name:
        print(f"wxbot: 请写出联系人名字 (name a contact): wxbot contacts {args.action} NAME", file=sys.stderr)
        return 2
    settings = _settings_or_exit()
    lock = _lock_existing_store(settings, "请在窗口的联系人页切换，或从手机向文件传输助手发送 #on 名字 / #draft 名字 / "
                                          "#off 名字 (use the Contacts page, or send #on NAME, #draft NAME or #off "
                                          "NAME to File Transfer Helper)")
    if lock is None:
        return 2
    try:
        with Store.open(settings.data_path, passphrase=ask_passphrase) as store:
            roster = Roster(store, settings)
            if args.action == "list":
                for c in store.list_contacts():
                    if c.kind.value in ("friend", "group"):
                        paused = "  暂停 paused" if (c.paused_until or 0) > time.time() else ""
                        print(f"{MODE_WORDS[c.mode]:<10} {c.kind.value:<7} {shown(c.display_name)}{paused}")
                return 0
            entry = pick_contact(args.name, roster.find)
            if isinstance(entry, str):
                print(f"wxbot: {shown(entry, lines=True)}", file=sys.stderr)
                return 2
            mode = {"on": ReplyMode.AUTO, "draft": ReplyMode.DRAFT, "off": ReplyMode.OFF}[args.action]
            store.set_mode(entry.contact_id, mode)
            print(f"「{shown(entry.name)}」：{MODE_WORDS[mode]}")
            return 0
    except WxbotError as err:
        print(f"wxbot: {err}", file=sys.stderr)
        return 2
    finally:
        lock.release()


def cmd_gaps(args: argparse.Namespace) -> int:
    """知识缺口: the questions the bot could not answer by itself, grouped, most frequent first (answer them in
    the window's 知识缺口 page)."""
    from wxbot.envsecrets import ask_passphrase
    from wxbot.store import Store
    from wxbot.views import WindowViews

    settings = _settings_or_exit()
    lock = _lock_existing_store(settings, "请看窗口的「知识缺口」页 (see the window's Gaps page)")
    if lock is None:
        return 2
    try:
        with Store.open(settings.data_path, passphrase=ask_passphrase) as store:
            views = WindowViews()
            views.store = store
            gaps = views.gaps(args.days)
    except WxbotError as err:
        print(f"wxbot: {err}", file=sys.stderr)
        return 2
    finally:
        lock.release()
    if args.json:
        print(json.dumps([{"question": g.question, "count": g.count, "why": sorted(g.whys), "questions": g.questions}
                          for g in gaps], ensure_ascii=False, indent=2))
    elif not gaps:
        print(f"最近 {args.days} 天没有知识缺口 (no gaps in the last {args.days} days)")
    for g in gaps if not args.json else []:
        print(f"{g.count:>4}  {g.question}  ({', '.join(sorted(g.whys))})")
    return 0


def cmd_models(args: argparse.Namespace) -> int:
    """The recommended DeepSeek GGUFs and knowledge-base embedding models, and which are already in models/."""
    from wxbot.llm.catalog import CATALOG, EMBEDDING_CATALOG
    from wxbot.llm.locate import gguf_files

    have = {p.name for p in gguf_files(_settings_or_exit())}
    print(f"{'key':<16} {'size':>8} {'VRAM':>5}  model")
    for m in CATALOG:
        mark = "  ✓ 已下载 downloaded" if m.file in have else ""
        print(f"{m.key:<16} {m.size_bytes / 1e9:>6.1f}GB {m.min_vram_gb:>3}GB  {m.title}{mark}")
    print("知识库向量模型 knowledge-base embedding models (CPU):")
    for e in EMBEDDING_CATALOG:
        mark = "  ✓ 已下载 downloaded" if e.file in have else ""
        print(f"{e.key:<16} {e.size_bytes / 1e9:>6.2f}GB {'-':>5}  {e.title}{mark}")
    print("下载 download: wxbot download <key>   (Hugging Face, then ModelScope; HF_ENDPOINT for a mirror)")
    return 0


def cmd_download(args: argparse.Namespace) -> int:
    """Download one catalog model into models/, resumable; says which check the file passed (verified only
    against a hash from outside its server)."""
    from pathlib import Path

    from wxbot.llm.catalog import find_embedding_model, find_model
    from wxbot.llm.download import download_model

    settings = _settings_or_exit()
    model = find_model(args.key) or find_embedding_model(args.key)
    if model is None:
        print(f"wxbot: 没有这个模型 unknown model: {args.key} (see: wxbot models)", file=sys.stderr)
        return 2
    dest = Path(args.to) if args.to else settings.models_dirs[0]

    def progress(done: int, total: int) -> None:
        if total:
            print(f"\r{model.file}: {done / 2**20:,.0f} / {total / 2**20:,.0f} MiB ({100 * done / total:.0f}%)",
                  end="", flush=True)

    try:
        got = download_model(model, dest, on_progress=progress)
    except WxbotError as err:
        print(f"\nwxbot: {err}", file=sys.stderr)
        return 2
    zh, en = got.words()
    print(f"\n{zh} {en}: {got.path}")
    return 0


def cmd_kb(args: argparse.Namespace) -> int:
    """The knowledge base on the command line (headless use, tests): add, list, remove, search, try. It is the one
    the window manages (a file added here can be re-imported there)."""
    with _process_ends_after() if args.kb_command == "search" else contextlib.nullcontext():
        return _kb_command(args)


@contextlib.contextmanager
def _process_ends_after() -> Iterator[None]:
    """For a command whose process ends when it returns (a search, which an evaluation runs once per question):
    the cyclic garbage collector would walk the objects of some 500 modules and of the unpickled index several
    times, and once more at exit, for garbage that dies with the process anyway (about 0.1 s of a 1 s
    budget). So it is off while the command runs, and what exists at its end is frozen: never walked again."""
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def _kb_command(args: argparse.Namespace) -> int:
    settings = _settings_or_exit()
    setup_logging(settings.log_dir, "WARNING")
    if args.kb_command == "search":
        passphrase = secret(PASSPHRASE_ENV)
        if passphrase:  # scrypt on a second core while this process imports the store and the search side
            derive_meanwhile(passphrase, settings.data_path / DB_FILE)
        _import_meanwhile("wxbot.kb.shelf")
    from wxbot.envsecrets import ask_passphrase
    from wxbot.store import Store

    try:
        with Store.open(settings.data_path, passphrase=ask_passphrase) as store:
            personal = {n: store.get_personal(n, getattr(settings, n)) for n in personal_fields()}
            settings = settings.replace(**personal)  # FAQ rules, fallback text
            if args.kb_command == "search":
                return _kb_search(store, settings, args)
            return _kb_desk(store, settings, args)
    except WxbotError as err:
        print(f"wxbot: {err}", file=sys.stderr)
        return 2


def _import_meanwhile(module: str) -> None:
    """Import ``module`` on a thread beside this one's imports while scrypt derives the key on the other core
    (passkey.py), so the search side's imports (jieba's dictionary, the ranking) wait for no unlock. The use site imports it as usual (it waits for this import, or
    makes it again and shows its error if this one failed)."""
    def run() -> None:
        with contextlib.suppress(Exception):
            importlib.import_module(module)

    threading.Thread(target=run, name=f"import {module}").start()


def _kb_desk(store: Store, settings: Settings, args: argparse.Namespace) -> int:
    from wxbot.kb.desk import KnowledgeDesk
    from wxbot.messages import Actor

    desk = KnowledgeDesk(store, settings, actor=Actor.CLI)
    try:
        return _KB_ACTIONS[args.kb_command](desk, args)
    finally:
        desk.close()


def _kb_add(kb: KnowledgeDesk, args: argparse.Namespace) -> int:
    failed = 0
    for name in args.files:
        def progress(done: int, total: int, name: str = name) -> None:
            if sys.stderr.isatty():
                print(f"\r{shown(name)}: {done}/{total or '?'}", end="", file=sys.stderr, flush=True)

        try:
            report = kb.add_file(name, progress=progress, replace=args.replace)
        except WxbotError as err:
            print(f"wxbot: {shown(str(err), lines=True)}", file=sys.stderr)
            failed += 1
            continue
        words = {"added": "已导入 added", "replaced": "已更新 replaced", "unchanged": "未变 unchanged"}
        print(f"{words[report.status]}: {shown(report.name)} ({report.passages} 条 passages)")
        for note in report.notes:
            print(f"  ! {shown(note)}")
    print(kb.semantic_note(), file=sys.stderr)
    return 2 if failed else 0


def _kb_list(kb: KnowledgeDesk, args: argparse.Namespace) -> int:
    import datetime

    for doc in kb.documents():
        when = datetime.datetime.fromtimestamp(doc.imported_at).strftime("%Y-%m-%d %H:%M")
        print(f"{shown(doc.name)}\t{doc.kind}\t{doc.passages} 条 passages\t{when}")
        for note in doc.notes:
            print(f"  ! {shown(note)}")
    print(kb.semantic_note())
    return 0


def _kb_remove(kb: KnowledgeDesk, args: argparse.Namespace) -> int:
    if not kb.remove(args.name):
        print(f"wxbot: 知识库里没有「{args.name}」 (no document named {args.name}; see: wxbot kb list)", file=sys.stderr)
        return 2
    print(f"已删除 removed: {args.name}")
    return 0


def _kb_search(store: Store, settings: Settings, args: argparse.Namespace) -> int:
    """Only the searchable side is opened (shelf.py, the kept index; no file reader, no import machinery), so a
    search in a new process stays within a second (issue 22; docs/kb.md "Speed")."""
    import dataclasses
    import json

    from wxbot.kb.shelf import SemanticState, Shelf, open_configured

    opened = open_configured(Shelf, store, settings)
    try:
        found = opened.kb.search(args.query, args.k)
        if args.json:
            print(json_escaped(json.dumps([dataclasses.asdict(p) for p in found], ensure_ascii=False, indent=1)))
        else:
            for p in found:
                print(f"[{p.score}] {shown(p.source)} · {shown(p.locator)}\n{shown(p.text, lines=True)}\n")
            if not found:
                print("（没有相关内容 nothing relevant）")
        if opened.kb.semantic != SemanticState.ACTIVE:
            print(opened.semantic_note(), file=sys.stderr)
    finally:
        opened.close()
    return 0


def _kb_try(kb: KnowledgeDesk, args: argparse.Namespace) -> int:
    """What would answer a question (an FAQ rule, passages, the model, the fallback or a draft) and why."""
    import json

    from wxbot.core.answering import decide
    from wxbot.core.faq import FaqMatcher

    settings = kb.settings
    decision = decide(args.question, FaqMatcher(settings.faq_rules, settings.faq_min_similarity), kb, settings)
    shown = decision.as_json(settings)
    if args.json:
        print(json.dumps(shown, ensure_ascii=False, indent=1))
        return 0
    print(f"{shown['route']}: {shown['reason']}")
    if shown["answer"]:
        print(f"\n{shown['answer']}\n")
    for rule in shown["rules"]:
        print(f"[{rule['score']}] 规则 rule {rule['number']} ({rule['match']}: 「{rule['matched']}」) → {rule['answer']}")
    for p in shown["passages"]:
        print(f"[{p['match']}] {p['source']} · {p['locator']}: {p['text']}")
    return 0


def _kb_synonyms(kb: KnowledgeDesk, args: argparse.Namespace) -> int:
    if args.synonyms_command == "add":
        group = kb.add_synonyms(args.words)
        print(f"已保存 saved: {' = '.join(group)}")
    elif args.synonyms_command == "remove":
        if not kb.remove_synonyms(args.word):
            print(f"wxbot: 没有含「{args.word}」的同义词组 (no synonym group holds {args.word})", file=sys.stderr)
            return 2
        print(f"已删除 removed: {args.word}")
    else:
        groups = kb.synonyms()
        for group in groups:
            print(" = ".join(group))
        if not groups:
            print("（还没有同义词 no synonyms yet）")
    return 0


_KB_ACTIONS = {"add": _kb_add, "list": _kb_list, "remove": _kb_remove, "try": _kb_try, "synonyms": _kb_synonyms}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wxbot", description="微信私人 AI 助理 (a private AI assistant for WeChat)")
    parser.add_argument("--version", action="version", version=f"wxbot {__version__}")
    parser.add_argument("--self-check", action="store_true",
                        help="检查本机安装是否可用 (check that this installation works) and exit")
    parser.add_argument("--model", metavar="PATH", help="--self-check 使用的模型 (the model --self-check loads)")
    sub = parser.add_subparsers(dest="command")
    chat = sub.add_parser("chat", help="在终端里和助理对话 (talk to the assistant in the terminal)")
    chat.set_defaults(func=cmd_chat)
    run = sub.add_parser("run", help="运行机器人 (run the bot)")
    run.add_argument("--headless", action="store_true", help="无窗口，在终端显示二维码 (no window; QR in the terminal)")
    run.set_defaults(func=cmd_run)
    demo = sub.add_parser("demo", help="用内置模拟器试用，无需微信账号 (try it on the built-in simulator)")
    demo.add_argument("--terminal", action="store_true", help="在终端里演示 (demo in the terminal)")
    demo.set_defaults(func=cmd_demo)
    models = sub.add_parser("models", help="推荐的模型 (recommended models)")
    models.set_defaults(func=cmd_models)
    download = sub.add_parser("download", help="下载模型到 models/ (download a model, resumable)")
    download.add_argument("key", help="模型代号，见 wxbot models (a key from wxbot models)")
    download.add_argument("--to", help="保存到这个文件夹，默认 models/ (folder; default models/)")
    download.set_defaults(func=cmd_download)
    export = sub.add_parser("export", help="导出聊天记录（未加密！）(export history, unencrypted)")
    export.add_argument("--contact", help="只导出这个联系人 (only this contact)")
    export.add_argument("--format", choices=("json", "md"), default="md")
    export.add_argument("--out", default=".", help="输出文件夹 (output folder)")
    export.set_defaults(func=cmd_export)
    kb = sub.add_parser("kb", help="知识库：导入、列出、删除、检索、试一试、同义词 (knowledge base: add, list, remove, "
                                   "search, try, synonyms)")
    kb_sub = kb.add_subparsers(dest="kb_command", required=True)
    kb_add = kb_sub.add_parser("add", help="导入文件 (import files: xlsx xls csv docx pdf md txt)")
    kb_add.add_argument("files", nargs="+", metavar="FILE")
    kb_add.add_argument("--replace", action="store_true",
                        help="替换同名但内容不同的文档 (replace a document of the same name whose content differs)")
    kb_sub.add_parser("list", help="列出已导入的文档 (list documents)")
    kb_remove = kb_sub.add_parser("remove", help="删除一个文档及其全部内容 (remove a document)")
    kb_remove.add_argument("name", metavar="NAME", help="文件名，见 wxbot kb list (a name from wxbot kb list)")
    kb_search = kb_sub.add_parser("search", help="查看机器人会检索到什么 (what the bot would retrieve)")
    kb_search.add_argument("query", metavar="QUERY")
    kb_search.add_argument("-k", type=int, default=5, help="最多几条 (at most this many passages)")
    kb_search.add_argument("--json", action="store_true", help="输出 JSON 数组 (print a JSON array)")
    kb_try = kb_sub.add_parser("try", help="试一试：哪条规则、哪些资料或兜底话术会回答，为什么 "
                                           "(what would answer a question, and why)")
    kb_try.add_argument("question", metavar="QUESTION")
    kb_try.add_argument("--json", action="store_true", help="输出 JSON 对象 (print a JSON object)")
    kb_syn = kb_sub.add_parser("synonyms", help="店主的同义词：顾客的叫法 = 文档里的写法 (the owner's synonyms)")
    syn_sub = kb_syn.add_subparsers(dest="synonyms_command", required=True)
    syn_add = syn_sub.add_parser("add", help="添加一组同义词 (add a group: WORD WORD...)")
    syn_add.add_argument("words", nargs="+", metavar="WORD")
    syn_sub.add_parser("list", help="列出同义词 (list the groups)")
    syn_remove = syn_sub.add_parser("remove", help="删除含这个词的同义词组 (remove the group holding WORD)")
    syn_remove.add_argument("word", metavar="WORD")
    kb.set_defaults(func=cmd_kb)
    contacts = sub.add_parser("contacts", help="联系人的回复方式 (contacts' reply modes: list, on, draft, off)")
    contacts.add_argument("action", choices=("list", "on", "draft", "off"),
                          help="list；on = 自动回复 auto；draft = 草稿，你批准后发送 (you approve)；off = 关")
    contacts.add_argument("name", nargs="?", default="", help="备注名或昵称 (remark or nickname)")
    contacts.set_defaults(func=cmd_contacts)
    gaps = sub.add_parser("gaps", help="知识缺口：机器人答不了的问题 (knowledge gaps: questions the bot could not answer)")
    gaps.add_argument("--json", action="store_true", help="以 JSON 输出 (print JSON)")
    gaps.add_argument("--days", type=int, default=30, help="看最近几天 (how many days back, default 30)")
    gaps.set_defaults(func=cmd_gaps)
    wipe = sub.add_parser("wipe", help="删除全部聊天记录、登录状态和密钥 (delete all data, session and key)")
    wipe.add_argument("--yes", action="store_true", help="不再确认 (don't ask)")
    wipe.set_defaults(func=cmd_wipe)
    return parser


def main(argv: list[str] | None = None) -> int:
    multiprocessing.freeze_support()  # in the frozen app, the model worker process starts here
    take_from_environment()  # before any child process starts: none inherits the passphrase or an API key
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # SIGTERM stops a command the way Ctrl-C does
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.self_check:
        from wxbot.selfcheck import run_self_check

        return run_self_check(args.model)
    if getattr(args, "func", None) is None:
        from wxbot.ui.app import run_app

        return run_app()
    try:
        return args.func(args)
    except WxbotError as err:  # a bad data dir, a store that won't open…: one sentence, no traceback
        print(f"wxbot: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM: the command's own clean-up has run on the way out
        print("\n已停止 (stopped)", file=sys.stderr)
        return 0
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        print(f"wxbot: 无法访问文件{where}：{exc.strerror or exc} (file access failed{where}: {exc.strerror or exc})",
              file=sys.stderr)
        return 2
