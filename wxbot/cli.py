"""Command line entry: no arguments = the desktop app; `chat`, `run --headless`, `demo`, `--self-check`."""

from __future__ import annotations

import argparse
import sys
import time

from wxbot import __version__
from wxbot.errors import WxbotError
from wxbot.logs import setup_logging
from wxbot.settings import Settings, load_settings


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
    from wxbot.core.messages import ChatKind, Message
    from wxbot.llm.locate import resolve_model_path
    from wxbot.llm.worker import ModelWorker

    settings = _settings_or_exit()
    setup_logging(settings.log_dir, "WARNING")
    history = MemoryHistory()
    try:
        path = resolve_model_path(settings)
        print(f"正在加载模型 loading model: {path.name} …", flush=True)
        model = ModelWorker(settings, str(path))
    except WxbotError as err:
        print(f"wxbot: {err}", file=sys.stderr)
        return 2
    engine = ReplyEngine(settings, model, history)
    print(f"模型已就绪 ready ({model.info.device}). 输入消息，回车发送；Ctrl-D 退出 (type a message, Ctrl-D to quit)")
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wxbot", description="微信私人 AI 助理 (a private AI assistant for WeChat)")
    parser.add_argument("--version", action="version", version=f"wxbot {__version__}")
    sub = parser.add_subparsers(dest="command")
    chat = sub.add_parser("chat", help="在终端里和助理对话 (talk to the assistant in the terminal)")
    chat.set_defaults(func=cmd_chat)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        from wxbot.ui.app import run_app

        return run_app()
    return args.func(args)
