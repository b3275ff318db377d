"""The GGUF header reader on real files (DeepSeek 7B header, SmolLM2), written files and broken ones."""

from __future__ import annotations

import struct

import gguf
import llama_cpp
import pytest

from tests.assets import deepseek_header_path, deepseek_vocab_model
from tests.llm.gguf_factory import write_tiny_model
from wxbot.errors import ModelError
from wxbot.llm.gguf_meta import check_model_file, read_header


def test_real_deepseek_header():
    path = deepseek_header_path()
    header = read_header(path)
    assert (header.version, header.architecture, header.block_count) == (3, "qwen2", 28)
    assert (header.head_count, header.head_count_kv, header.embedding_length) == (28, 4, 3584)
    assert (header.key_length, header.value_length, header.context_length) == (128, 128, 131072)
    assert header.vocab_size == 152064
    assert header.metadata["tokenizer.ggml.tokens"][151648] == "<think>"
    assert "<｜Assistant｜>" in header.chat_template
    assert len(header.tensors) == 3 + 28 * 12
    assert header.data_offset == 5_953_248  # the header ends at byte 5,953,246, aligned up to 32
    assert header.expected_size == 4_683_073_248  # the published size of the full Q4_K_M file
    assert header.file_size == path.stat().st_size < header.expected_size
    with pytest.raises(ModelError) as err:
        check_model_file(path)
    assert f"got {header.file_size:,} of 4,683,073,248 bytes" in err.value.en
    assert "download it again" in err.value.en and "重新下载" in err.value.zh
    assert path.name in err.value.zh


def test_smollm2_passes_and_agrees_with_llama_cpp_and_gguf(test_model_path):
    header = check_model_file(test_model_path)
    assert header.file_size == header.expected_size
    llm = llama_cpp.Llama(test_model_path, vocab_only=True, verbose=False)
    assert header.block_count == int(llm.metadata["llama.block_count"]) == 30
    assert header.vocab_size == llm.n_vocab()
    # the complete file can also be mapped by gguf's own reader: every tensor must agree
    reference = gguf.GGUFReader(test_model_path)
    assert header.data_offset == reference.data_offset
    assert [(t.name, t.shape, t.ggml_type, t.nbytes) for t in header.tensors] == [
        (t.name, tuple(int(d) for d in t.shape), int(t.tensor_type), int(t.n_bytes)) for t in reference.tensors]
    assert [header.data_offset + t.offset for t in header.tensors] == [t.data_offset for t in reference.tensors]
    fields = {k: f.contents() for k, f in reference.fields.items() if not k.startswith("GGUF.")}
    assert header.metadata == fields


def test_written_file_round_trips_every_value_type(tmp_path):
    header = check_model_file(write_tiny_model(tmp_path / "tiny.gguf", block_count=3, embd=32))
    meta = header.metadata
    assert meta["tokenizer.ggml.tokens"] == ["a", "b", "<think>", "好"]
    assert meta["tokenizer.ggml.scores"] == [0.0, -1.5, 2.0, 3.25]
    assert meta["tokenizer.ggml.add_bos_token"] is True
    assert (meta["test.f64"], meta["test.i64"]) == (0.125, -(1 << 40))
    assert header.chat_template == "{{ messages }}"
    assert header.value_types["tokenizer.ggml.tokens"] == (gguf.GGUFValueType.ARRAY, gguf.GGUFValueType.STRING)
    # per block: attn_q 32×32 f32 (4,096 B) + ffn_up 96×32 f16 (6,144 B)
    assert header.layer_bytes() == [10240] * 3
    # no output.weight: the output layer is tied to token_embd (4 × 32 f32) plus output_norm (32 f32)
    assert header.output_bytes() == 512 + 128
    assert (header.key_length, header.head_count_kv) == (8, 4)  # fallbacks: embd / heads, and heads
    assert header.vocab_size == 4


def test_vocab_only_deepseek_model_tokenizes_think():
    llm = llama_cpp.Llama(str(deepseek_vocab_model()), vocab_only=True, verbose=False)
    assert llm.tokenize(b"<think>", add_bos=False, special=True) == [151648]
    assert llm.n_vocab() == 152064


def expect_model_error(path, *words: str) -> ModelError:
    with pytest.raises(ModelError) as err:
        read_header(path)
    text = str(err.value)
    assert path.name in text
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err.value.zh)  # Chinese for the window
    for word in words:
        assert word in err.value.en
    return err.value


def test_missing_empty_and_non_gguf_files(tmp_path):
    expect_model_error(tmp_path / "absent.gguf", "not found")
    expect_model_error(tmp_path, "not found")  # a folder is not a model file
    (tmp_path / "empty.gguf").write_bytes(b"")
    expect_model_error(tmp_path / "empty.gguf", "not a GGUF")
    (tmp_path / "page.gguf").write_text("<html>404 Not Found</html>")  # what a bad mirror returns
    expect_model_error(tmp_path / "page.gguf", "not a GGUF")


def test_unsupported_version(tmp_path):
    path = tmp_path / "v1.gguf"
    path.write_bytes(b"GGUF" + struct.pack("<I", 1) + bytes(16))
    expect_model_error(path, "unsupported GGUF version 1")


def test_header_cut_in_the_middle(tmp_path):
    real = deepseek_header_path().read_bytes()[:3_000_000]  # inside the tokenizer vocabulary
    path = tmp_path / "cut.gguf"
    path.write_bytes(real)
    expect_model_error(path, "cut short")


def test_every_cut_of_a_small_header_is_a_model_error(tmp_path):
    whole = write_tiny_model(tmp_path / "tiny.gguf", with_data=False).read_bytes()
    path = tmp_path / "cut.gguf"
    for end in range(0, len(whole) - 1, 7):
        path.write_bytes(whole[:end])
        with pytest.raises(ModelError):
            read_header(path)


def test_corrupt_lengths_and_types(tmp_path):
    start = b"GGUF" + struct.pack("<IQQ", 3, 0, 1)
    path = tmp_path / "bad.gguf"
    path.write_bytes(start + struct.pack("<Q", 1 << 62))  # a key "string" of 2^62 bytes
    expect_model_error(path, "corrupt")
    path.write_bytes(start + struct.pack("<Q", 1) + b"k" + struct.pack("<I", 99))  # value type 99
    expect_model_error(path, "corrupt", "value type 99")
    tensor = b"GGUF" + struct.pack("<IQQ", 3, 1, 0) + struct.pack("<Q", 1) + b"t" + struct.pack("<IQIQ", 1, 32, 77, 0)
    path.write_bytes(tensor)
    expect_model_error(path, "unknown ggml type 77")
