"""The frozen app: `scripts/build_app.py --current-env` freezes build.spec with PyInstaller (about 30 s),
copies the app to a path with spaces and Chinese characters and runs its self-check with the test model.
A module imported only lazily, or a library PyInstaller cannot see, fails here first."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.assets import REPO

pytest.importorskip("PyInstaller", reason="needs pyinstaller (pip install -e '.[test]')")
SIZE_GOAL_MB = 400  # without CUDA libraries


@pytest.mark.model
@pytest.mark.slow
@pytest.mark.timeout(900)
def test_frozen_app_passes_its_self_check(tmp_path, test_model_path):
    proc = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "build_app.py"), "--current-env", "--model", test_model_path,
         "--dist", str(tmp_path / "dist"), "--work", str(tmp_path / "work")],
        cwd=REPO, capture_output=True, text=True, encoding="utf-8", timeout=840)
    out = proc.stdout
    assert proc.returncode == 0, out[-4000:] + proc.stderr[-4000:]
    assert "(frozen: True)" in out
    for check in ("qt", "store", "model", "login", "reply", "close"):
        assert re.search(rf"^✓ {check}\b", out, re.M), out[-4000:]
    assert "wxbot 测试 build" in out  # it ran from the copy
    without_cuda = int(re.search(r"without them: (\d+) MB", out).group(1))
    assert 0 < without_cuda < SIZE_GOAL_MB
    assert (tmp_path / "dist" / "wxbot" / "models" / "README.txt").is_file()
