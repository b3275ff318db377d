"""mypy over the layers that must stay typed (core, store, llm; the list lives in pyproject's [tool.mypy])."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_mypy_is_clean_on_core_store_and_llm():
    pytest.importorskip("mypy", reason="mypy comes with the test extra: pip install -e '.[test]'")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # as CI runs it: a PYTHONPATH hides errors
    done = subprocess.run([sys.executable, "-m", "mypy"], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
