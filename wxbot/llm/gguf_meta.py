"""Read a GGUF file's header (metadata and tensor table) without touching the weights.

``gguf.GGUFReader`` memory-maps the whole file, so it fails on a half-downloaded model; this reader parses
only the header with ``struct`` and can therefore say *how* incomplete a file is, and size GPU offload.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from gguf import GGML_QUANT_SIZES, GGMLQuantizationType

from wxbot.errors import ModelError

GGUF_MAGIC = b"GGUF"
SUPPORTED_VERSIONS = (2, 3)
DEFAULT_ALIGNMENT = 32
_CHUNK = 1 << 20
# Sanity bounds: a corrupt length must become a readable error, not a 2^60-byte allocation.
_MAX_STRING = 1 << 26
_MAX_ARRAY = 1 << 28
_MAX_COUNT = 1 << 24
_MAX_DIMS = 8

# GGUF value type -> struct format of one scalar (STRING = 8 and ARRAY = 9 are handled apart).
_SCALAR_FORMATS = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}
_STRING, _ARRAY = 8, 9


@dataclass(frozen=True)
class TensorInfo:
    name: str
    shape: tuple[int, ...]  # ggml order: ne0 (the contiguous dimension) first, as stored in the file
    ggml_type: int
    offset: int  # relative to GGUFHeader.data_offset
    nbytes: int


@dataclass
class GGUFHeader:
    path: str
    version: int
    metadata: dict[str, Any]
    tensors: list[TensorInfo]
    data_offset: int
    file_size: int
    # key -> (GGUF value type, element type for arrays or None): enough to write the keys back out
    value_types: dict[str, tuple[int, int | None]] = field(default_factory=dict, repr=False)

    def _arch_int(self, key: str) -> int | None:
        value = self.metadata.get(f"{self.architecture}.{key}")
        if isinstance(value, list):  # some architectures store per-layer head counts
            value = max(value) if value else None
        return int(value) if value is not None else None

    @property
    def architecture(self) -> str:
        return str(self.metadata.get("general.architecture", ""))

    @property
    def block_count(self) -> int:
        return self._arch_int("block_count") or 0

    @property
    def context_length(self) -> int:
        return self._arch_int("context_length") or 0

    @property
    def embedding_length(self) -> int:
        return self._arch_int("embedding_length") or 0

    @property
    def head_count(self) -> int:
        return self._arch_int("attention.head_count") or 0

    @property
    def head_count_kv(self) -> int:
        return self._arch_int("attention.head_count_kv") or self.head_count

    @property
    def key_length(self) -> int:
        return self._arch_int("attention.key_length") or self.embedding_length // max(self.head_count, 1)

    @property
    def value_length(self) -> int:
        return self._arch_int("attention.value_length") or self.embedding_length // max(self.head_count, 1)

    @property
    def vocab_size(self) -> int:
        tokens = self.metadata.get("tokenizer.ggml.tokens")
        if isinstance(tokens, list) and tokens:
            return len(tokens)
        embd = next((t.shape for t in self.tensors if t.name == "token_embd.weight"), ())
        return self._arch_int("vocab_size") or (embd[1] if len(embd) == 2 else 0)

    @property
    def chat_template(self) -> str | None:
        value = self.metadata.get("tokenizer.chat_template")
        return value if isinstance(value, str) else None

    @property
    def model_bytes(self) -> int:
        return sum(t.nbytes for t in self.tensors)

    @property
    def parameters(self) -> int:
        """How many weights the model has (every tensor's elements): 135M for SmolLM2, 7.6B for the 7B."""
        return sum(math.prod(t.shape) for t in self.tensors)

    @property
    def expected_size(self) -> int:
        return self.data_offset + max((t.offset + t.nbytes for t in self.tensors), default=0)

    def layer_bytes(self) -> list[int]:
        """Weight bytes of the ``blk.N.*`` tensors of each repeating block, N = 0 … block_count-1."""
        sizes = [0] * self.block_count
        for t in self.tensors:
            if t.name.startswith("blk."):
                index = t.name.split(".", 2)[1]
                if index.isdigit() and int(index) < len(sizes):
                    sizes[int(index)] += t.nbytes
        return sizes

    def output_bytes(self) -> int:
        """The output layer: ``output_norm`` + ``output``, or ``token_embd`` when the output is tied to it."""
        by_name = {t.name: t.nbytes for t in self.tensors}
        head = by_name.get("output.weight", by_name.get("token_embd.weight", 0))
        return by_name.get("output_norm.weight", 0) + head


class _Truncated(Exception):
    """The header ended before a field it needs."""


class _Corrupt(Exception):
    """A field holds a value no valid GGUF has."""


class _Cursor:
    """Reads the header from the front of a file, pulling 1 MiB at a time, so only the header is in memory."""

    def __init__(self, fh: BinaryIO) -> None:
        self._fh = fh
        self._buf = bytearray()
        self.pos = 0

    def take(self, n: int) -> memoryview:
        end = self.pos + n
        while len(self._buf) < end:
            chunk = self._fh.read(max(_CHUNK, end - len(self._buf)))
            if not chunk:
                raise _Truncated
            self._buf += chunk
        view = memoryview(self._buf)[self.pos:end]
        self.pos = end
        return view

    def unpack(self, fmt: str) -> Any:
        size = struct.calcsize("<" + fmt)
        return struct.unpack_from("<" + fmt, self.take(size))[0]

    def string(self) -> str:
        length = self.unpack("Q")
        if length > _MAX_STRING:
            raise _Corrupt(f"string length {length}")
        return bytes(self.take(length)).decode("utf-8", errors="replace")

    def value(self, vtype: int) -> Any:
        if vtype in _SCALAR_FORMATS:
            return self.unpack(_SCALAR_FORMATS[vtype])
        if vtype == _STRING:
            return self.string()
        if vtype == _ARRAY:
            return self.array()[0]
        raise _Corrupt(f"value type {vtype}")

    def array(self) -> tuple[list[Any], int]:
        item_type, count = self.unpack("I"), self.unpack("Q")
        if count > _MAX_ARRAY:
            raise _Corrupt(f"array length {count}")
        fmt = _SCALAR_FORMATS.get(item_type)
        if fmt is not None:  # one unpack for the whole numeric array (the vocab's scores and types)
            size = struct.calcsize("<" + fmt) * count
            return list(struct.unpack_from(f"<{count}{fmt}", self.take(size))), item_type
        return [self.value(item_type) for _ in range(count)], item_type


def _tensor_nbytes(name: str, shape: tuple[int, ...], ggml_type: int) -> int:
    try:
        block, type_size = GGML_QUANT_SIZES[GGMLQuantizationType(ggml_type)]
    except (ValueError, KeyError) as exc:
        raise _Corrupt(f"tensor {name} has unknown ggml type {ggml_type}") from exc
    elements = 1
    for dim in shape:
        elements *= dim
    if shape and shape[0] % block:
        raise _Corrupt(f"tensor {name} row of {shape[0]} is not a multiple of block {block}")
    return elements // block * type_size


def _parse(cur: _Cursor, path: Path, file_size: int) -> GGUFHeader:
    if bytes(cur.take(4)) != GGUF_MAGIC:
        raise ModelError(f"不是 GGUF 模型文件：{path.name}", f"not a GGUF model file: {path}")
    version = cur.unpack("I")
    if version not in SUPPORTED_VERSIONS:
        raise ModelError(f"不支持的 GGUF 版本 {version}：{path.name}（请使用较新的 GGUF 文件）",
                         f"unsupported GGUF version {version} in {path} (use a newer GGUF file)")
    n_tensors, n_kv = cur.unpack("Q"), cur.unpack("Q")
    if n_tensors > _MAX_COUNT or n_kv > _MAX_COUNT:
        raise _Corrupt(f"{n_tensors} tensors, {n_kv} keys")
    metadata: dict[str, Any] = {}
    types: dict[str, tuple[int, int | None]] = {}
    for _ in range(n_kv):
        key, vtype = cur.string(), cur.unpack("I")
        if vtype == _ARRAY:
            metadata[key], item_type = cur.array()
            types[key] = (vtype, item_type)
        else:
            metadata[key] = cur.value(vtype)
            types[key] = (vtype, None)
    tensors = []
    for _ in range(n_tensors):
        name, n_dims = cur.string(), cur.unpack("I")
        if n_dims > _MAX_DIMS:
            raise _Corrupt(f"tensor {name} has {n_dims} dimensions")
        shape = tuple(cur.unpack("Q") for _ in range(n_dims))
        ggml_type, offset = cur.unpack("I"), cur.unpack("Q")
        tensors.append(TensorInfo(name, shape, ggml_type, offset, _tensor_nbytes(name, shape, ggml_type)))
    alignment = int(metadata.get("general.alignment", DEFAULT_ALIGNMENT)) or DEFAULT_ALIGNMENT
    data_offset = -(-cur.pos // alignment) * alignment
    return GGUFHeader(str(path), version, metadata, tensors, data_offset, file_size, types)


def read_header(path: str | Path) -> GGUFHeader:
    """Parse the GGUF header; a ModelError (Chinese + English, naming the file) for anything unreadable."""
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"找不到模型文件：{path}", f"model file not found: {path}")
    try:
        with path.open("rb") as fh:
            return _parse(_Cursor(fh), path, path.stat().st_size)
    except _Truncated:
        if path.stat().st_size < len(GGUF_MAGIC):
            raise ModelError(f"不是 GGUF 模型文件（文件为空或过短）：{path.name}",
                             f"not a GGUF model file (empty or too short): {path}") from None
        raise ModelError(f"模型文件头不完整，文件已损坏或未下载完：{path.name}",
                         f"model file header is cut short; the file is corrupt or incomplete: {path}") from None
    except _Corrupt as exc:
        raise ModelError(f"模型文件已损坏（{exc}）：{path.name}", f"model file is corrupt ({exc}): {path}") from None
    except OSError as exc:
        raise ModelError(f"无法读取模型文件 {path.name}：{exc.strerror}",
                         f"cannot read model file {path}: {exc.strerror}") from None


def check_model_file(path: str | Path) -> GGUFHeader:
    """read_header, then make sure every tensor's bytes are present (a half-finished download is the usual case)."""
    header = read_header(path)
    if header.file_size < header.expected_size:
        got, want = header.file_size, header.expected_size
        raise ModelError(
            f"模型文件不完整（只有 {got:,} / {want:,} 字节），请重新下载：{Path(path).name}",
            f"model file is truncated/incomplete (got {got:,} of {want:,} bytes) — download it again: {path}")
    return header
