"""The README's two set-up commands stay true: CI runs the very test command a newcomer copies."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = text.split("## 快速开始 Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```(?:bash|sh)\n(.+?)\n```", setup)


def test_readme_has_exactly_two_setup_commands():
    commands = readme_commands()
    assert len(commands) == 2
    assert commands[0].rstrip().endswith("wxbot")
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    block = ci.split("# >>> README test command\n", 1)[1].split("\n# <<< README test command", 1)[0]
    assert block.strip() == readme_commands()[1].strip()
    assert "GGML_NATIVE=OFF" in block
