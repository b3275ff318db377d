"""Counting tokens without the local model: the server's tokenizer, a vocab-only GGUF, or a conservative estimate."""

from __future__ import annotations

import pytest

from tests.assets import deepseek_vocab_model
from tests.openai_servers import ReplayServer, chunk
from wxbot.errors import ConfigError
from wxbot.llm.remote import OpenAIModel
from wxbot.llm.tokens import EstimateCounter, VocabCounter
from wxbot.settings import Settings

SAMPLES = [
    "你好，请问这件衬衫多少钱？有没有 XL 码的？",
    "Hello! What do you sell, and do you ship to Shenzhen?",
    "订单号 20261130-88341，价格 ¥1299.00，尺码 42。",
    "1234567890" * 8,
    "😀🎉👍 谢谢！" * 5,
    "很长的消息" * 200,
]


@pytest.fixture(scope="module", params=["smollm2", "deepseek-r1-qwen"])
def vocab(request, test_model_path):
    return VocabCounter(test_model_path if request.param == "smollm2" else deepseek_vocab_model())


@pytest.mark.parametrize("text", SAMPLES, ids=range(len(SAMPLES)))
def test_the_estimate_never_undercounts_a_real_tokenizer(vocab, text):
    messages = [{"role": "system", "content": "你是店主的微信助理。"}, {"role": "user", "content": text}]
    exact = vocab.count(messages)
    assert exact <= EstimateCounter().count(messages) <= 6 * exact + 40  # over, but not absurdly


def test_each_family_counts_with_its_own_vocabulary(test_model_path):
    text = [{"role": "user", "content": "这件衬衫是纯棉的，颜色有白色、蓝色和黑色，尺码从S到XXL都有货，每件一百二十九元。"}]
    qwen, smol = VocabCounter(deepseek_vocab_model()).count(text), VocabCounter(test_model_path).count(text)
    assert qwen < 0.7 * smol  # DeepSeek-R1-Qwen's vocabulary knows Chinese words; SmolLM2's spells bytes


def test_the_first_part_of_a_download_is_enough_to_count(tmp_path):
    from tests.assets import deepseek_header_path

    messages = [{"role": "user", "content": "这件衬衫多少钱？"}]
    counter = VocabCounter(deepseek_header_path(), tmp_path / "tokenizers")  # 95 MB of a 4.7 GB file
    assert counter.count(messages) == VocabCounter(deepseek_vocab_model()).count(messages)
    (copy,) = (tmp_path / "tokenizers").iterdir()
    assert copy.stat().st_mode & 0o777 == 0o600 and copy.stat().st_size < 20 * 2**20


def test_a_bad_tokenizer_file_is_a_setting_error(tmp_path):
    bad = tmp_path / "tokenizer.gguf"
    bad.write_bytes(b"not a gguf")
    with pytest.raises(ConfigError, match="openai_tokenizer"):
        VocabCounter(bad)


@pytest.mark.parametrize("tokenizer", ["vocab", "none"])
def test_a_server_without_a_tokenizer_falls_back(tokenizer, test_model_path):
    server = ReplayServer([chunk("好")])
    try:
        settings = Settings(llm_backend="openai", openai_base_url=server.base_url,
                            openai_tokenizer=test_model_path if tokenizer == "vocab" else "")
        model = OpenAIModel(settings, "").connect()
        messages = [{"role": "user", "content": "你好"}]
        expected = VocabCounter(test_model_path).count(messages) if tokenizer == "vocab" else \
            EstimateCounter().count(messages)
        assert model.count_tokens(messages) == expected
    finally:
        server.close()


def test_the_tokenizer_cache_is_owner_only_from_its_first_byte(test_model_path, tmp_path, monkeypatch):
    import stat

    import gguf

    from wxbot.llm.vocab import write_vocab_only

    dest = tmp_path / "tokenizers" / "family.gguf"
    seen: list[int] = []
    real = gguf.GGUFWriter.write_header_to_file

    def header_then_look(self, *args, **kwargs):  # the first bytes go out here: the file's mode just after
        real(self, *args, **kwargs)
        seen.append(stat.S_IMODE(dest.with_suffix(".part").stat().st_mode))

    monkeypatch.setattr(gguf.GGUFWriter, "write_header_to_file", header_then_look)
    write_vocab_only(test_model_path, dest)
    assert seen == [0o600] and stat.S_IMODE(dest.stat().st_mode) == 0o600
    assert stat.S_IMODE(dest.parent.stat().st_mode) == 0o700
