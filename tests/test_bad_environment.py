"""A bad environment gets clear words, never a traceback: the data dir missing, a file or read-only; an export
folder that is a file, read-only, or has a symlink planted at the export's name. Files are owner-only from the
first creation, and `wipe` removes everything wxbot made. Real processes, as a person runs them."""

from __future__ import annotations

import contextlib
import datetime
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_cli import env_for, read_until, store_with_history, wxbot  # noqa: F401 - the fixture is used by name

COMMANDS = [("run", "--headless"), ("chat",), ("export",), ("wipe", "--yes")]


@contextlib.contextmanager
def read_only(path: Path):
    """Make ``path`` read-only for this process's children: a read-only bind mount as root (root ignores
    permission bits), else the permission bits."""
    if os.geteuid() != 0:
        os.chmod(path, 0o555)
        try:
            yield path
        finally:
            os.chmod(path, 0o700)
        return
    if subprocess.run(["mount", "--bind", str(path), str(path)], capture_output=True).returncode != 0:
        pytest.skip("needs a read-only bind mount (mount --bind) as root")
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(path)], check=True, capture_output=True)
        yield path
    finally:
        subprocess.run(["umount", str(path)], check=True)


def said_in_words(done: subprocess.CompletedProcess, zh: str, en: str) -> None:
    assert done.returncode not in (0, None), done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert zh in done.stderr and en in done.stderr, done.stderr


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_a_data_dir_that_is_a_file_is_named_by_every_command(tmp_path, command):
    not_a_dir = tmp_path / "data"
    not_a_dir.write_text("I am a file")
    done = wxbot(*command, env=env_for(not_a_dir), input_text="")
    said_in_words(done, "不是文件夹", "is not a folder")
    assert not_a_dir.read_text() == "I am a file"


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_a_read_only_data_dir_is_named_by_every_command(tmp_path, command):
    data = tmp_path / "data"
    data.mkdir()
    with read_only(data):
        done = wxbot(*command, env=env_for(data), input_text="")
    if command[0] == "export":  # nothing to export from an empty folder, and nothing created there
        said_in_words(done, "没有 wxbot 数据", "no wxbot store")
    else:
        said_in_words(done, "无法写入", "can't be written")
    assert list(data.iterdir()) == []


def test_export_reads_a_store_in_a_read_only_folder(store_with_history, tmp_path):  # noqa: F811
    out = tmp_path / "out"
    out.mkdir()
    with read_only(store_with_history):
        done = wxbot("export", "--out", str(out), env=env_for(store_with_history))
    assert done.returncode == 0, done.stderr
    assert "damaged" not in done.stderr
    assert "EXPORT-ME 你好" in Path(done.stdout.strip()).read_text(encoding="utf-8")


@pytest.mark.parametrize("command", [("export",), ("wipe", "--yes")], ids=lambda c: c[0])
def test_a_missing_data_dir_is_not_created_by_export_or_wipe(tmp_path, command):
    data = tmp_path / "nowhere" / "data"
    done = wxbot(*command, env=env_for(data), input_text="")
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert str(data) in done.stderr
    assert not (tmp_path / "nowhere").exists()


def test_export_to_a_file_or_a_read_only_folder_says_so(store_with_history, tmp_path):  # noqa: F811
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    said_in_words(wxbot("export", "--out", str(a_file), env=env_for(store_with_history)),
                  "不是文件夹", "is not a folder")
    locked = tmp_path / "locked"
    locked.mkdir()
    with read_only(locked):
        said_in_words(wxbot("export", "--out", str(locked), env=env_for(store_with_history)),
                      "无法写入", "can't be written")


def test_export_never_follows_a_symlink_planted_in_a_shared_folder(store_with_history, tmp_path):  # noqa: F811
    """Another local user plants links at the names the next export will use (they are predictable)."""
    shared = tmp_path / "shared"
    shared.mkdir()
    victim = tmp_path / "attacker-can-read"
    victim.write_text("")
    now = datetime.datetime.now()
    for s in range(-2, 90):
        stamp = (now + datetime.timedelta(seconds=s)).strftime("%Y%m%d-%H%M%S")
        for name in (f"wxbot-export-all-{stamp}.md.tmp", f"wxbot-export-all-{stamp}.md"):
            (shared / name).symlink_to(victim)
    done = wxbot("export", "--out", str(shared), env=env_for(store_with_history))
    said_in_words(done, "已存在", "already exists")
    assert victim.read_text() == ""


def test_files_are_owner_only_from_the_first_creation(tmp_path, test_model_path):
    """A fresh data dir under a permissive umask: dir 0700, database, lock, log, settings and QR 0600;
    the QR image is gone when the process ends; SIGTERM ends it cleanly."""
    data = tmp_path / "fresh" / "data"
    from wxbot.sim import Simulator

    with Simulator(hold_seconds=0.5) as sim:
        env = env_for(data, WXBOT_MODEL=test_model_path, WXBOT_WECHAT_BASE_URL=sim.base_url)
        proc = subprocess.Popen([sys.executable, "-m", "wxbot", "run", "--headless"], env=env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, preexec_fn=lambda: os.umask(0o022))
        try:
            lines = read_until(proc, "QR image", [])
            modes = {p.relative_to(data).as_posix(): stat.S_IMODE(p.stat().st_mode)
                     for p in [data, *data.rglob("*")]}
            proc.send_signal(signal.SIGTERM)
            out, _ = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    for name in (".", "logs"):
        assert modes[name] == 0o700, modes
    for name in ("wxbot.db", "wxbot.lock", "logs/wxbot.log", "settings.json", "login-qr.png"):
        assert modes[name] == 0o600, modes
    assert proc.returncode == 0, "".join(lines) + out
    assert "Traceback" not in "".join(lines) + out
    assert not (data / "login-qr.png").exists()


def test_wipe_removes_everything_it_made_and_says_what_it_kept(store_with_history):  # noqa: F811
    data = store_with_history
    (data / "logs").mkdir()
    for name in ("session.bin", "login-qr.png", "wxbot.lock", "logs/wxbot.log", "logs/wxbot.log.1"):
        (data / name).write_bytes(b"x")
    (data / "settings.json").write_text("{}")
    (data / "my-notes.txt").write_text("mine")
    done = wxbot("wipe", "--yes", env=env_for(data))
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in data.iterdir()) == ["my-notes.txt", "settings.json"]
    kept = next(line for line in done.stdout.splitlines() if "kept" in line)
    assert "my-notes.txt" in kept and "settings.json" in kept and "export" in kept


def test_a_full_disk_under_the_log_says_so_once(tmp_path):
    """The log file hits the file-size limit (what a full disk looks like to a writer): one line on the
    console, not a "Logging error" block per log line, and the program goes on."""
    import resource

    code = ("from loguru import logger\nfrom wxbot.logs import setup_logging\nimport sys\n"
            f"setup_logging(__import__('pathlib').Path({str(tmp_path / 'logs')!r}), 'INFO', console=False)\n"
            "for i in range(300):\n    logger.info('line {} of the log, long enough to fill it', i)\n"
            "logger.complete()\nprint('still here')\n")

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          preexec_fn=limit, env=dict(os.environ))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "still here"
    assert "Logging error" not in done.stderr and "Traceback" not in done.stderr
    assert done.stderr.count("log file can't be written") == 1, done.stderr
