"""Write small GGUF files for tests: a real model's metadata and tensor table, with no (or tiny) tensor data.

``write_q4_k_m_header`` declares every tensor a Q4_K_M model of that shape has, with llama.cpp's Q4_K_M type
mix, but writes no weights: the header is what the GPU fit reads, and the file is a few kilobytes.
"""

from __future__ import annotations

from pathlib import Path

import gguf
import numpy as np

from wxbot.llm.catalog import ModelShape

F32, Q4_K, Q6_K = gguf.GGMLQuantizationType.F32, gguf.GGMLQuantizationType.Q4_K, gguf.GGMLQuantizationType.Q6_K


def tensor_nbytes(shape: tuple[int, ...], qtype: gguf.GGMLQuantizationType) -> int:
    block, size = gguf.GGML_QUANT_SIZES[qtype]
    return int(np.prod(shape)) // block * size


def use_more_bits(i: int, n: int) -> bool:
    """llama.cpp's Q4_K_M rule: attn_v and ffn_down get Q6_K in the first/last eighth and every third block."""
    return i < n // 8 or i >= 7 * n // 8 or (i - n // 8) % 3 == 2


def q4_k_m_tensors(s: ModelShape) -> list[tuple[str, tuple[int, ...], gguf.GGMLQuantizationType]]:
    """(name, ggml shape ne0-first, type) of every tensor, in the order of the real DeepSeek GGUFs."""
    e, kv = s.embedding_length, s.head_count_kv * (s.embedding_length // s.head_count)
    out = [("output.weight", (e, s.vocab_size), Q6_K), ("output_norm.weight", (e,), F32),
           ("token_embd.weight", (e, s.vocab_size), Q4_K)]
    for i in range(s.block_count):
        more = Q6_K if use_more_bits(i, s.block_count) else Q4_K
        blk = [("attn_norm.weight", (e,), F32), ("attn_q.weight", (e, e), Q4_K), ("attn_k.weight", (e, kv), Q4_K),
               ("attn_v.weight", (e, kv), more), ("attn_output.weight", (e, e), Q4_K),
               ("ffn_norm.weight", (e,), F32), ("ffn_gate.weight", (e, s.feed_forward_length), Q4_K),
               ("ffn_up.weight", (e, s.feed_forward_length), Q4_K),
               ("ffn_down.weight", (s.feed_forward_length, e), more)]
        if s.architecture == "qwen2":  # Qwen2 has q/k/v biases
            blk += [("attn_q.bias", (e,), F32), ("attn_k.bias", (kv,), F32), ("attn_v.bias", (kv,), F32)]
        out += [(f"blk.{i}.{name}", shape, qtype) for name, shape, qtype in sorted(blk)]
    return out


def write_q4_k_m_header(path: Path, s: ModelShape) -> Path:
    """A header-only GGUF (metadata + tensor table, no weights) of a Q4_K_M model with this shape."""
    writer = gguf.GGUFWriter(path, arch=s.architecture)
    arch = s.architecture
    writer.add_uint32(f"{arch}.block_count", s.block_count)
    writer.add_uint32(f"{arch}.context_length", s.context_length)
    writer.add_uint32(f"{arch}.embedding_length", s.embedding_length)
    writer.add_uint32(f"{arch}.feed_forward_length", s.feed_forward_length)
    writer.add_uint32(f"{arch}.attention.head_count", s.head_count)
    writer.add_uint32(f"{arch}.attention.head_count_kv", s.head_count_kv)
    writer.add_uint32(f"{arch}.vocab_size", s.vocab_size)
    for name, shape, qtype in q4_k_m_tensors(s):
        # GGUFWriter takes numpy order (ne0 last) and reverses it on write
        writer.add_tensor_info(name, tuple(reversed(shape)), np.dtype(np.float32), tensor_nbytes(shape, qtype),
                               raw_dtype=qtype)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    writer.close()
    return path


def write_tiny_model(path: Path, *, block_count: int = 2, embd: int = 32, with_data: bool = True) -> Path:
    """A complete small f32 llama-shaped GGUF (real tensor data) for reader round-trips."""
    writer = gguf.GGUFWriter(path, arch="llama")
    writer.add_uint32("llama.block_count", block_count)
    writer.add_uint32("llama.embedding_length", embd)
    writer.add_uint32("llama.attention.head_count", 4)
    writer.add_string("tokenizer.chat_template", "{{ messages }}")
    writer.add_array("tokenizer.ggml.tokens", ["a", "b", "<think>", "好"])
    writer.add_array("tokenizer.ggml.scores", [0.0, -1.5, 2.0, 3.25])
    writer.add_bool("tokenizer.ggml.add_bos_token", True)
    writer.add_float64("test.f64", 0.125)
    writer.add_int64("test.i64", -(1 << 40))
    rng = np.random.default_rng(0)
    writer.add_tensor("token_embd.weight", rng.random((4, embd), dtype=np.float32))
    for i in range(block_count):
        writer.add_tensor(f"blk.{i}.attn_q.weight", rng.random((embd, embd), dtype=np.float32))
        writer.add_tensor(f"blk.{i}.ffn_up.weight", np.ones((3 * embd, embd), dtype=np.float16))
    writer.add_tensor("output_norm.weight", np.ones(embd, dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    if with_data:
        writer.write_tensors_to_file()
    else:
        writer.write_ti_data_to_file()
    writer.close()
    return path
