"""Build the double-click app in a clean venv and prove it works: `python scripts/build_app.py`.

Steps: a fresh venv with wxbot's dependencies and PyInstaller, `pyinstaller build.spec`, a copy of the app
in a folder whose path has spaces and Chinese characters, the frozen `--self-check` there with the small
test model, and the bundle size. Exits non-zero if any step or the self-check fails.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
IS_WIN = sys.platform == "win32"
CUDA_LIB_MARKERS = ("ggml-cuda", "cudart", "cublas")
SELF_CHECK_TIMEOUT_S = 600
# What never goes into the source copy that pip builds from (pip builds in the tree it is given).
SOURCE_IGNORE = shutil.ignore_patterns(".git", ".venv", ".cache", "build", "dist", "*.egg-info", "__pycache__",
                                       "*.gguf", "*.part", ".pytest_cache", ".ruff_cache", ".mypy_cache")


def step(title: str) -> float:
    print(f"\n==> {title}", flush=True)
    return time.monotonic()


def run(cmd: list[str], **kwargs: object) -> None:
    args = [str(c) for c in cmd]
    print("$ " + (subprocess.list2cmdline(args) if IS_WIN else shlex.join(args)), flush=True)
    subprocess.run(args, check=True, **kwargs)  # type: ignore[arg-type]


def venv_bin(venv_dir: Path, name: str) -> Path:
    return venv_dir / ("Scripts" if IS_WIN else "bin") / (name + (".exe" if IS_WIN else ""))


def make_venv(venv_dir: Path, reuse: bool, cuda_index: str | None, llama_wheel: Path | None) -> Path:
    """A venv with wxbot's dependencies and PyInstaller; pip's wheel cache makes llama-cpp-python quick.

    A CUDA llama.cpp comes from ``llama_wheel`` (built once, e.g. with ``pip wheel``), a prebuilt wheel
    index (``cuda_index``), or a source build when CMAKE_ARGS asks for GGML_CUDA."""
    python = venv_bin(venv_dir, "python")
    if reuse and python.exists():
        return python
    shutil.rmtree(venv_dir, ignore_errors=True)
    venv.create(venv_dir, with_pip=True)
    env = dict(os.environ)
    env.setdefault("CMAKE_ARGS", "-DGGML_NATIVE=OFF")  # llama.cpp #20824: native AMX kernels crash on new Xeons
    pip = [python, "-m", "pip", "install", "-q"]
    if cuda_index:  # a prebuilt CUDA wheel, never a silent CPU compile in its place
        pip += ["--extra-index-url", f"https://abetlen.github.io/llama-cpp-python/whl/{cuda_index}",
                "--only-binary", "llama-cpp-python"]
    elif "GGML_CUDA" in env["CMAKE_ARGS"] and not llama_wheel:
        pip += ["--no-cache-dir"]  # pip's cache keys on the version, not CMAKE_ARGS: it would hand back a CPU wheel
    run([python, "-m", "pip", "install", "-q", "--upgrade", "pip"])
    if llama_wheel:  # installed first, so `pip install .` finds llama-cpp-python already satisfied
        run([python, "-m", "pip", "install", "-q", llama_wheel])
    with tempfile.TemporaryDirectory(prefix="wxbot-src-") as tmp:
        source = Path(tmp) / "wxbot"
        shutil.copytree(REPO, source, ignore=SOURCE_IGNORE)
        run([*pip, str(source), "pyinstaller>=6.10"], env=env)
    return python


def folder_bytes(folder: Path) -> tuple[int, int]:
    """(all bytes, CUDA library bytes) of the files in ``folder``; links are not counted twice."""
    total = cuda = 0
    for path in folder.rglob("*"):
        if path.is_symlink() or not path.is_file():
            continue
        size = path.stat().st_size
        total += size
        if any(marker in path.name for marker in CUDA_LIB_MARKERS):
            cuda += size
    return total, cuda


def test_model() -> Path:
    sys.path.insert(0, str(REPO))
    from tests.assets import smollm2_path

    return smollm2_path()


def self_check(app: Path, model: Path | None) -> int:
    """Copy the app to a path with spaces and Chinese characters and run its self-check there."""
    parent = Path(tempfile.mkdtemp(prefix="wxbot 测试 build "))
    copy = parent / app.name
    shutil.copytree(app, copy, symlinks=True)
    args = ["--self-check"]
    if model is not None:
        shutil.copy2(model, copy / "models" / model.name)
        args += ["--model", str(copy / "models" / model.name)]
    exe = copy / ("wxbot-console.exe" if IS_WIN else "wxbot")
    with tempfile.TemporaryDirectory(prefix="wxbot-selfcheck-data-") as data:
        env = {k: v for k, v in os.environ.items() if not k.startswith("WXBOT_")} | {"WXBOT_DATA_DIR": data}
        try:
            run([exe, *args], env=env, timeout=SELF_CHECK_TIMEOUT_S)
        except subprocess.CalledProcessError as exc:
            return exc.returncode or 1
        except subprocess.TimeoutExpired:
            print(f"self-check did not finish in {SELF_CHECK_TIMEOUT_S} s", flush=True)
            return 1
        finally:
            shutil.rmtree(parent, ignore_errors=True)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    tmp = Path(tempfile.gettempdir())
    parser.add_argument("--venv", type=Path, default=tmp / "wxbot-build-venv", help="the build venv (recreated)")
    parser.add_argument("--reuse-venv", action="store_true", help="keep an existing build venv (faster reruns)")
    parser.add_argument("--current-env", action="store_true",
                        help="build with this Python's packages instead of a clean venv (tests use it)")
    parser.add_argument("--cuda-index", metavar="cu12x",
                        help="take llama-cpp-python's prebuilt CUDA wheel from this index (e.g. cu124)")
    parser.add_argument("--llama-wheel", type=Path, help="install this llama-cpp-python wheel (e.g. a CUDA build)")
    parser.add_argument("--dist", type=Path, default=REPO / "dist", help="where the app folder goes")
    parser.add_argument("--work", type=Path, default=REPO / "build" / "pyinstaller", help="PyInstaller's work dir")
    parser.add_argument("--model", type=Path, help="model for the self-check (default: the SmolLM2 test model)")
    parser.add_argument("--no-model", action="store_true", help="self-check without a model")
    args = parser.parse_args()

    started = time.monotonic()
    if args.current_env:
        python = Path(sys.executable)
    else:
        step(f"build venv {args.venv}")
        python = make_venv(args.venv, args.reuse_venv, args.cuda_index, args.llama_wheel)
        print(f"venv ready in {time.monotonic() - started:.0f} s", flush=True)

    begin = step("pyinstaller build.spec")
    run([python, "-m", "PyInstaller", REPO / "build.spec", "--noconfirm", "--log-level", "WARN",
         "--distpath", args.dist, "--workpath", args.work], cwd=REPO)
    app = args.dist / "wxbot"
    print(f"built {app} in {time.monotonic() - begin:.0f} s", flush=True)

    step("frozen self-check from a path with spaces and Chinese characters")
    model = None if args.no_model else (args.model or test_model())
    code = self_check(app, model)

    total, cuda = folder_bytes(app)
    step("result")
    print(f"bundle size: {total / 1e6:.0f} MB ({app}); CUDA libraries: {cuda / 1e6:.0f} MB; "
          f"without them: {(total - cuda) / 1e6:.0f} MB", flush=True)
    print(f"self-check: {'passed' if code == 0 else f'FAILED (exit code {code})'}; "
          f"total time {time.monotonic() - started:.0f} s", flush=True)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
