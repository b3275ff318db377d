"""A vocab-only GGUF built from any GGUF's header: the tokenizer and chat template of a model family without its
weights, so tokens can be counted where the model itself runs on a server (the first part of a split or
unfinished download is enough: only the key-value section is read)."""

from __future__ import annotations

import os
from pathlib import Path

import gguf

from wxbot.files import open_private, private_dir
from wxbot.llm.gguf_meta import read_header


def write_vocab_only(source: str | Path, dest: Path) -> Path:
    """Write ``dest`` (atomically, owner-only) with ``source``'s key-value section and no tensors."""
    header = read_header(source)
    private_dir(dest.parent)
    part = dest.with_suffix(".part")
    part.unlink(missing_ok=True)
    os.close(open_private(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL))  # 0600 from the first byte (the writer
    # reopens it for writing, which keeps its mode)
    writer = gguf.GGUFWriter(part, arch=header.architecture)
    for key, value in header.metadata.items():
        if key == "general.architecture":  # the writer adds it itself
            continue
        vtype, item_type = header.value_types[key]
        writer.add_key_value(key, value, gguf.GGUFValueType(vtype),
                             sub_type=gguf.GGUFValueType(item_type) if item_type is not None else None)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    writer.close()
    os.replace(part, dest)
    return dest
