"""The command line as a person uses it: real processes, the real model, the simulator, a real store.

Child processes are forced onto keyring's fail backend, so they use the passphrase path and never the
machine's real keychain."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from tests.openai_servers import SERVED_NAME
from wxbot.sim import Simulator

# a persona too short to recite: the tiny test model often echoes the default one, which the persona guard
# rightly holds back (these tests are about the headless run, not the guard)
SHORT_PERSONA = "礼貌回答"


def env_for(data_dir, **extra) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"WXBOT_DATA_DIR": str(data_dir), "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
                "WXBOT_PASSPHRASE": "correct horse battery", "PYTHONUNBUFFERED": "1"})
    env.update(extra)
    return env


def wxbot(*args, env, input_text=None, timeout=120):
    return subprocess.run([sys.executable, "-m", "wxbot", *args], env=env, input=input_text, capture_output=True,
                          text=True, timeout=timeout)


def read_until(proc: subprocess.Popen, text: str, lines: list[str]) -> list[str]:
    """Collect the process's output lines until one contains ``text``."""
    for line in proc.stdout:
        lines.append(line)
        if text in line:
            break
    return lines


def test_chat_answers_with_the_real_model(data_dir, test_model_path):
    env = env_for(data_dir, WXBOT_MODEL=test_model_path, WXBOT_MAX_REPLY_TOKENS="24",
                  WXBOT_FAQ_RULES='[{"match": "contains", "pattern": "营业", "answer": "每天9点到18点"}]')
    done = wxbot("chat", env=env, input_text="Hello, who are you?\n营业时间？\n")
    assert done.returncode == 0, done.stderr
    replies = [line for line in done.stdout.splitlines() if line.startswith("bot> ")]
    assert len(replies) == 2
    assert replies[0].startswith("bot> [AI] ") and len(replies[0]) > len("bot> [AI] ")
    assert replies[1] == "bot> [AI] 每天9点到18点"


def test_chat_keeps_log_lines_out_of_the_conversation(data_dir, test_model_path):
    env = env_for(data_dir, WXBOT_MODEL=test_model_path, WXBOT_MAX_REPLY_TOKENS="16", WXBOT_LOG_LEVEL="DEBUG")
    done = subprocess.run([sys.executable, "-m", "wxbot", "chat"], env=env, input="Hello\nHi again\n",
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    assert done.returncode == 0, done.stdout
    lines = done.stdout.splitlines()
    assert sum(line.startswith("bot> ") for line in lines) == 2
    assert not [line for line in lines if re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", line)]  # no loguru lines
    assert (data_dir / "logs" / "wxbot.log").exists()  # they went to the file


def test_chat_answers_with_a_model_server_and_no_local_model(data_dir, llama_server):
    env = env_for(data_dir, WXBOT_LLM_BACKEND="openai", WXBOT_OPENAI_BASE_URL=llama_server.base_url,
                  WXBOT_OPENAI_API_KEY=llama_server.api_key, WXBOT_MAX_REPLY_TOKENS="24")
    env.pop("WXBOT_MODEL", None)
    done = wxbot("chat", env=env, input_text="Hello, who are you?\n")
    assert done.returncode == 0, done.stderr
    assert f"{SERVED_NAME} @ 127.0.0.1:{llama_server.port}" in done.stdout
    replies = [line for line in done.stdout.splitlines() if line.startswith("bot> ")]
    assert len(replies) == 1 and replies[0].startswith("bot> [AI] ")


def test_chat_with_a_bad_model_file_says_so(data_dir, tmp_path):
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"<html>not a model</html>")
    done = wxbot("chat", env=env_for(data_dir, WXBOT_MODEL=str(bad)), input_text="hi\n")
    assert done.returncode == 2
    assert "GGUF" in done.stderr and "Traceback" not in done.stderr


def test_bad_setting_is_named(data_dir):
    done = wxbot("chat", env=env_for(data_dir, WXBOT_CONTEXT_SIZE="big"), input_text="")
    assert done.returncode == 2 and "context_size" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080\n/v1", "http://[::1"])
def test_a_bad_server_address_is_refused_in_words(data_dir, url):
    done = wxbot("chat", env=env_for(data_dir, WXBOT_LLM_BACKEND="openai", WXBOT_OPENAI_BASE_URL=url), input_text="")
    assert done.returncode == 2 and "openai_base_url" in done.stderr and "Traceback" not in done.stderr


def test_headless_run_logs_in_answers_and_stops_on_ctrl_c(data_dir, test_model_path):
    with Simulator(hold_seconds=0.5) as sim:
        env = env_for(data_dir, WXBOT_MODEL=test_model_path, WXBOT_WECHAT_BASE_URL=sim.base_url,
                      WXBOT_NEW_CONTACT_MODE="auto", WXBOT_TYPING_DELAY_BASE="0",
                      WXBOT_TYPING_DELAY_PER_CHAR="0", WXBOT_AGGREGATE_SECONDS="0", WXBOT_MAX_REPLY_TOKENS="16",
                      WXBOT_PERSONA=SHORT_PERSONA)
        proc = subprocess.Popen([sys.executable, "-m", "wxbot", "run", "--headless"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            lines = read_until(proc, "QR image", [])
            assert any("secondary account" in line for line in lines)  # the first-start risk notice
            assert '"risk_acknowledged": true' in (data_dir / "settings.json").read_text()
            assert (data_dir / "login-qr.png").read_bytes().startswith(b"\x89PNG")
            assert any("█" in line or "▀" in line for line in lines)  # the QR drawn in the terminal
            sim.scan()
            sim.confirm()
            read_until(proc, "auto-reply] running", lines)
            assert not (data_dir / "login-qr.png").exists()  # the QR logs the account in: gone after login
            sim.inject("zhang", "你好")
            reply = sim.wait_outbox(1, timeout=90)[0]
            assert reply["to_id"] == "zhang" and reply["text"].startswith("[AI] ")
            proc.send_signal(signal.SIGINT)
            out, _ = proc.communicate(timeout=60)
            assert proc.returncode == 0, out
            assert "Traceback" not in "".join(lines) + out
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def test_headless_run_on_a_model_server_answers_once_and_knows_its_echoes(data_dir, llama_server):
    """No local model at all: WXBOT_LLM_BACKEND=openai and a real llama_cpp.server; a message delivered twice
    gets one reply, and web WeChat echoing the bot's own reply back is not taken for the owner typing."""
    with Simulator(hold_seconds=0.5) as sim:
        sim.echo_sends(True)
        env = env_for(data_dir, WXBOT_LLM_BACKEND="openai", WXBOT_OPENAI_BASE_URL=llama_server.base_url,
                      WXBOT_OPENAI_MODEL=SERVED_NAME, WXBOT_OPENAI_API_KEY=llama_server.api_key,
                      WXBOT_WECHAT_BASE_URL=sim.base_url, WXBOT_NEW_CONTACT_MODE="auto",
                      WXBOT_TYPING_DELAY_BASE="0", WXBOT_TYPING_DELAY_PER_CHAR="0", WXBOT_AGGREGATE_SECONDS="0",
                      WXBOT_MIN_SECONDS_BETWEEN_REPLIES="0", WXBOT_MAX_REPLY_TOKENS="16", WXBOT_PERSONA=SHORT_PERSONA)
        env.pop("WXBOT_MODEL", None)
        proc = subprocess.Popen([sys.executable, "-m", "wxbot", "run", "--headless"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            lines = read_until(proc, "QR image", [])
            sim.scan()
            sim.confirm()
            read_until(proc, "auto-reply] running", lines)
            assert any(f"ready {SERVED_NAME} @ 127.0.0.1:{llama_server.port}" in line for line in lines)
            sim.inject("zhang", "你好", msg_id="910001")
            sim.inject("zhang", "你好", msg_id="910001")  # the same message delivered again
            first = sim.wait_outbox(1, timeout=90)[0]
            sim.inject("zhang", "你们几点开门？")  # after the echo of the first reply: still answered
            out = sim.wait_outbox(2, timeout=90)
            assert [o["to_id"] for o in out] == ["zhang", "zhang"]
            assert first["text"].startswith("[AI] ") and out[1]["text"].startswith("[AI] ")
            proc.send_signal(signal.SIGINT)
            rest, _ = proc.communicate(timeout=60)
            assert proc.returncode == 0, rest
            assert len(sim.outbox()) == 2  # the duplicate never got a reply of its own
            output = "".join(lines) + rest
            assert "Traceback" not in output and llama_server.api_key not in output
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


@pytest.fixture
def store_with_history(data_dir, monkeypatch):
    import keyring
    from keyring.backends import fail

    from wxbot.messages import ChatKind, ContactKind, Message
    from wxbot.store import Store

    monkeypatch.setenv("WXBOT_PASSPHRASE", "correct horse battery")
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        with Store.open(data_dir) as store:
            c = store.upsert_contact(ContactKind.FRIEND, "张三")
            store.inbox_add(Message("m1", c.id, "张三", ChatKind.PRIVATE, "EXPORT-ME 你好"), c.id)
    finally:
        keyring.set_keyring(previous)
    return data_dir


def test_export_writes_markdown_with_a_warning(store_with_history, tmp_path):
    done = wxbot("export", "--contact", "张三", "--format", "md", "--out", str(tmp_path),
                 env=env_for(store_with_history))
    assert done.returncode == 0, done.stderr
    assert "NOT encrypted" in done.stderr
    assert "EXPORT-ME 你好" in open(done.stdout.strip(), encoding="utf-8").read()


def test_wipe_removes_the_store(store_with_history):
    assert (store_with_history / "wxbot.db").exists()
    done = wxbot("wipe", "--yes", env=env_for(store_with_history))
    assert done.returncode == 0, done.stderr
    assert not (store_with_history / "wxbot.db").exists()


def test_download_fetches_a_catalog_model_from_a_mirror(data_dir, tmp_path):
    """`wxbot download` against a local Hugging Face mirror (HF_ENDPOINT) on 127.0.0.1; no internet. The file
    arrives, and the command says plainly that nothing could verify it."""
    import functools
    import http.server
    import threading

    from wxbot.llm.catalog import find_model

    model = find_model("r1-qwen-1.5b")
    served = tmp_path / "mirror" / model.repo / "resolve" / "main"
    served.mkdir(parents=True)
    payload = b"GGUF" + bytes(range(256)) * 512
    (served / model.file).write_bytes(payload)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path / "mirror"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        env = env_for(data_dir, HF_ENDPOINT=f"http://127.0.0.1:{server.server_address[1]}")
        done = wxbot("download", "r1-qwen-1.5b", "--to", str(tmp_path / "models"), env=env)
    finally:
        server.shutdown()
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "models" / model.file).read_bytes() == payload
    assert not list((tmp_path / "models").glob("*.part"))
    # the mirror publishes no sha256 (and ModelScope can't be reached here): it must not say "verified"
    assert "NOT verified" in done.stdout and "downloaded and verified" not in done.stdout


def test_terminal_demo_is_a_shop_that_says_where_each_answer_came_from(data_dir, test_model_path):
    env = env_for(data_dir, WXBOT_MODEL=test_model_path, WXBOT_MAX_REPLY_TOKENS="24")
    done = wxbot("demo", "--terminal", env=env, input_text="你好\n羊绒围巾多少钱\n真丝围巾怎么洗\n讲个笑话\n")
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "已登录 logged in as 小王的店" in out and "知识库 knowledge base: 价目表.csv, 商品说明.md" in out
    replies = [line.split("助理 bot> ", 1)[1] for line in out.splitlines() if "助理 bot> " in line]
    origins = [line.split("来源 from: ", 1)[1] for line in out.splitlines() if "来源 from: " in line]
    assert len(origins) == 4, out
    assert replies[0] == "[AI] 您好，欢迎光临小王的店！想看围巾还是手套？价格、发货、退换都可以问我。"
    assert origins[0].startswith("FAQ")
    # the price list's rows, exactly as in the file, and which rows they are
    assert replies[1] == "[AI] 货号: CS-201; 品名: 羊绒围巾; 颜色: 驼色; 单价(元): 299; 库存: 12", out
    assert "货号: CS-202; 品名: 羊绒围巾; 颜色: 燕麦; 单价(元): 299; 库存: 0" in out
    assert origins[1] == "知识库原文 knowledge base, as written: 价目表.csv · 第4行；价目表.csv · 第5行"
    assert "真丝围巾怎么洗：冷水手洗，不可机洗，阴干。" in out
    assert origins[2].startswith("知识库原文 knowledge base, as written: 商品说明.md · 真丝围巾；")
    assert origins[3] == "模型 model"


def test_contacts_list_and_switch_modes_without_the_window(store_with_history):
    env = env_for(store_with_history)
    done = wxbot("contacts", "list", env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["关", "off", "friend", "张三"]
    done = wxbot("contacts", "draft", "张三", env=env)
    assert done.returncode == 0 and done.stdout.strip() == "「张三」：草稿 draft"
    assert wxbot("contacts", "list", env=env).stdout.split()[:2] == ["草稿", "draft"]
    done = wxbot("contacts", "on", "李四", env=env)
    assert done.returncode == 2 and "no contact named 李四" in done.stderr


def test_contacts_list_prints_escapes_in_nicknames_as_visible_text(store_with_history):
    import keyring
    from keyring.backends import fail

    from wxbot.messages import ContactKind
    from wxbot.store import Store

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        with Store.open(store_with_history) as store:
            store.upsert_contact(ContactKind.FRIEND, "\x1b]0;pwned\x07李\x1b[2J\n四\x9b31m")
    finally:
        keyring.set_keyring(previous)
    done = wxbot("contacts", "list", env=env_for(store_with_history))
    assert done.returncode == 0, done.stderr
    assert not any(ch in done.stdout for ch in "\x1b\x07\x9b")
    lines = done.stdout.splitlines()
    assert len(lines) == 2 and lines[1].endswith("\\x1b]0;pwned\\x07李\\x1b[2J\\x0a四\\x9b31m"), lines


def test_contacts_command_refuses_while_the_bot_runs(store_with_history):
    from wxbot.core.instance import InstanceLock

    lock = InstanceLock(store_with_history)
    lock.acquire()
    try:
        done = wxbot("contacts", "on", "张三", env=env_for(store_with_history))
    finally:
        lock.release()
    assert done.returncode == 2 and "#on NAME" in done.stderr and "Traceback" not in done.stderr
    assert wxbot("contacts", "list", env=env_for(store_with_history)).stdout.split()[:2] == ["关", "off"]


def _children_environments(pid: int) -> dict[int, bytes]:
    """The environment of every descendant of ``pid`` (Linux /proc)."""
    parents = {}
    for stat in os.listdir("/proc"):
        if stat.isdigit():
            try:
                with open(f"/proc/{stat}/stat", "rb") as fh:
                    parents[int(stat)] = int(fh.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    found, todo = {}, [pid]
    while todo:
        parent = todo.pop()
        for child, ppid in parents.items():
            if ppid == parent and child not in found:
                with open(f"/proc/{child}/environ", "rb") as fh:
                    found[child] = fh.read()
                todo.append(child)
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_secrets_in_the_environment_never_reach_child_processes(data_dir, test_model_path):
    """WXBOT_PASSPHRASE and WXBOT_OPENAI_API_KEY are taken out of the environment before the model worker is
    spawned (multiprocessing passes the environment on)."""
    env = env_for(data_dir, WXBOT_MODEL=test_model_path, WXBOT_OPENAI_API_KEY="sk-SECRET-KEY-123")
    proc = subprocess.Popen([sys.executable, "-m", "wxbot", "chat"], env=env, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        read_until(proc, "ready", [])
        children = _children_environments(proc.pid)
        proc.stdin.close()
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert children  # the model worker (and multiprocessing's helper)
    for environ in children.values():
        assert b"WXBOT_PASSPHRASE" not in environ and b"correct horse battery" not in environ
        assert b"sk-SECRET-KEY-123" not in environ


def test_headless_drafts_are_approved_from_file_transfer_helper(data_dir, test_model_path):
    """WXBOT_NEW_CONTACT_MODE=draft: a friend writes, File Transfer Helper gets a notice with #ok N, the owner
    sends #ok N and the friend gets the reply once; #no M for another friend's draft sends nothing."""
    import re

    with Simulator(hold_seconds=0.5) as sim:
        env = env_for(data_dir, WXBOT_MODEL=test_model_path, WXBOT_WECHAT_BASE_URL=sim.base_url,
                      WXBOT_NEW_CONTACT_MODE="draft", WXBOT_DRAFT_NOTICE_SECONDS="0", WXBOT_TYPING_DELAY_BASE="0",
                      WXBOT_TYPING_DELAY_PER_CHAR="0", WXBOT_AGGREGATE_SECONDS="0", WXBOT_MAX_REPLY_TOKENS="16",
                      WXBOT_RISK_ACKNOWLEDGED="true")
        proc = subprocess.Popen([sys.executable, "-m", "wxbot", "run", "--headless"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            for line in proc.stdout:
                if "QR image" in line:
                    break
            sim.scan()
            sim.confirm()
            for line in proc.stdout:
                if "auto-reply" in line and "running" in line:
                    break
            sim.inject("zhang", "你好，请问几点开门？")
            notice = sim.wait_sent_to("filehelper", 1, timeout=120)[0]["text"]
            n = int(re.search(r"#ok (\d+)", notice).group(1))
            for line in proc.stdout:  # the terminal says so too
                if line.startswith(f"[草稿 draft] #{n} "):
                    break
            draft = re.search(r"「(.*)」", notice, re.S).group(1)
            assert sim.outbox()[0]["to_id"] == "filehelper"  # nothing went to the friend
            sim.inject_from_owner("filehelper", f"#ok {n}")
            assert [m["text"] for m in sim.wait_sent_to("zhang", 1, timeout=60)] == [f"[AI] {draft}"]
            sim.inject("li", "在吗？")
            notice = sim.wait_sent_to("filehelper", 3, timeout=120)[2]["text"]
            m = int(re.search(r"#ok (\d+)", notice).group(1))
            assert m != n
            sim.inject_from_owner("filehelper", f"#no {m}")
            assert "已放弃" in sim.wait_sent_to("filehelper", 4, timeout=60)[3]["text"]
            sim.inject_from_owner("filehelper", f"#ok {n}")  # approving the sent one again sends nothing
            sim.wait_sent_to("filehelper", 5, timeout=60)
            assert [o["to_id"] for o in sim.outbox()].count("zhang") == 1
            assert "li" not in [o["to_id"] for o in sim.outbox()]
            proc.send_signal(signal.SIGINT)
            out, _ = proc.communicate(timeout=60)
            assert proc.returncode == 0 and "Traceback" not in out
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def test_headless_with_an_unusable_model_keeps_auto_reply_stopped_and_says_why(data_dir, tmp_path):
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"<html>not a model</html>")
    (data_dir / "settings.json").write_text('{"risk_acknowledged": true}')
    with Simulator(hold_seconds=0.5) as sim:
        env = env_for(data_dir, WXBOT_MODEL=str(bad), WXBOT_WECHAT_BASE_URL=sim.base_url)
        proc = subprocess.Popen([sys.executable, "-m", "wxbot", "run", "--headless"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            lines = read_until(proc, "QR image", [])
            sim.scan()
            sim.confirm()
            state = read_until(proc, "[自动回复 auto-reply]", lines)[-1]
            proc.send_signal(signal.SIGINT)
            out, _ = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert "stopped" in state and "model can't be used" in state and "GGUF" in state, state
    assert "running" not in "".join(lines) + out


def test_gaps_json_lists_the_questions_the_bot_could_not_answer(data_dir, monkeypatch):
    import keyring
    from keyring.backends import fail

    from wxbot.messages import ContactKind
    from wxbot.store import Store
    from wxbot.store.history import NewMessage

    monkeypatch.setenv("WXBOT_PASSPHRASE", "correct horse battery")
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        with Store.open(data_dir) as store:
            for i, name in enumerate(("张三", "李四", "王五")):
                c = store.upsert_contact(ContactKind.FRIEND, name)
                asked = "寄新疆多少运费？" if i < 2 else "有红色的吗"
                store.insert_messages([NewMessage(c.id, "in", asked, time.time() - 60 + i, "replied", msg_id=f"g{i}"),
                                       NewMessage(c.id, "out", "这个我确认一下再回复您", time.time() - 50 + i, "sent",
                                                  by_bot=True, source="kb_fallback")])
    finally:
        keyring.set_keyring(previous)
    done = wxbot("gaps", "--json", env=env_for(data_dir))
    assert done.returncode == 0, done.stderr
    gaps = json.loads(done.stdout)
    assert [(g["question"], g["count"], g["why"]) for g in gaps] == [("寄新疆多少运费？", 2, ["fallback"]),
                                                                     ("有红色的吗", 1, ["fallback"])]
