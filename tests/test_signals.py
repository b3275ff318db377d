"""Ctrl-C and SIGTERM end every front-end cleanly: exit 0, the service closed, and no traceback from any
process — the model worker child included, which a terminal's Ctrl-C reaches too (it signals the whole
process group, as these tests do)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

from tests.test_cli import env_for, read_until
from wxbot.sim import Simulator

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and process groups")

# front-end -> (arguments, the output line that says it is up and waiting)
FRONT_ENDS = {
    "chat": (["chat"], "ready"),
    "headless": (["run", "--headless"], "QR image"),
    "demo": (["demo", "--terminal"], "demo:"),
    "gui": ([], "store opened"),
}


def stop_and_collect(proc: subprocess.Popen, sig: signal.Signals, lines: list[str]) -> str:
    os.killpg(proc.pid, sig)
    out, _ = proc.communicate(timeout=90)
    return "".join(lines) + out


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
@pytest.mark.parametrize("front", list(FRONT_ENDS))
def test_every_front_end_stops_cleanly(front, sig, data_dir, test_model_path):
    args, up = FRONT_ENDS[front]
    (data_dir / "settings.json").write_text(json.dumps({"risk_acknowledged": True, "guide_done": True}))
    with Simulator(hold_seconds=0.5) as sim:
        env = env_for(data_dir, WXBOT_MODEL=test_model_path, WXBOT_WECHAT_BASE_URL=sim.base_url,
                      WXBOT_LOG_LEVEL="INFO", QT_QPA_PLATFORM="offscreen")
        proc = subprocess.Popen([sys.executable, "-m", "wxbot", *args], env=env, text=True, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            lines = read_until(proc, up, [])
            assert proc.poll() is None, "".join(lines)
            output = stop_and_collect(proc, sig, lines)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    assert proc.returncode == 0, output
    assert "Traceback" not in output and "KeyboardInterrupt" not in output, output
    if front in ("gui", "headless"):
        assert "store closed" in output, output
