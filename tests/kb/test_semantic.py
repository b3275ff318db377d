"""The semantic path with a real GGUF in llama.cpp's embedding mode (the SmolLM2 test model: its vectors are
poor, so these tests check the path, storage and fusion, not ranking quality), the embedding model's place
beside the chat models, and what happens when it can't load."""

from __future__ import annotations

import numpy as np
import pytest

from tests.kb.files import write_xlsx
from wxbot.errors import ModelError
from wxbot.kb.base import KnowledgeBase
from wxbot.kb.semantic import fuse
from wxbot.kb.shelf import SemanticState
from wxbot.llm.catalog import EMBEDDING_CATALOG
from wxbot.llm.embedder import EmbeddingWorker
from wxbot.llm.locate import find_models, resolve_embedding_path


def test_real_gguf_embeds_unit_vectors(embedder):
    vectors = embedder.embed(["退货政策：七天无理由退换", "SJ-0412 单价 168", "今天天气怎么样"])
    assert vectors.shape == (3, embedder.dim) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert not np.allclose(vectors[0], vectors[1])


def test_vectors_are_stored_once_and_fused_into_search(store, settings, embedder, tmp_path):
    kb = KnowledgeBase.open(store, settings, embedder)
    kb.add_file(write_xlsx(tmp_path / "价目表.xlsx"))
    assert kb.semantic == SemanticState.ACTIVE and "semantic search on" in kb.semantic_note()
    stored = store.kb_vectors(embedder.name)
    assert len(stored) == len(kb) == 6
    hits = kb.search("SJ-0412 多少钱", 3)
    assert hits[0].text.startswith("货号: SJ-0412")  # the keyword ranking's first stays first after fusion
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    again = KnowledgeBase.open(store, settings, embedder)  # at unlock: the stored vectors, nothing re-embedded
    assert {k: v.tobytes() for k, v in store.kb_vectors(embedder.name).items()} == \
        {k: v.tobytes() for k, v in stored.items()}
    assert again.search("SJ-0412 多少钱", 1)[0].text == hits[0].text


def test_a_model_that_does_not_load_leaves_keyword_search(store, settings, tmp_path):
    broken = tmp_path / "bge-small-zh-v1.5-q8_0.gguf"
    broken.write_bytes(b"GGUF" + bytes(64))
    kb = KnowledgeBase.open(store, settings, EmbeddingWorker(broken))
    kb.add_file(write_xlsx(tmp_path / "价目表.xlsx"))
    assert kb.semantic == SemanticState.FAILED
    assert "keyword search only" in kb.semantic_note() and "failed" in kb.semantic_note()
    assert kb.search("SJ-0412", 1)[0].text.startswith("货号: SJ-0412")
    with pytest.raises(ModelError):
        EmbeddingWorker(broken).start()


def test_rrf_rewards_agreement():
    fused = fuse([[1, 2, 3], [3, 1, 9]], 3)
    assert [pos for pos, _ in fused] == [1, 3, 2]


def test_embedding_model_sits_beside_the_chat_models(settings, data_dir, test_model_path):
    models = data_dir / "models"
    models.mkdir()
    bge = models / EMBEDDING_CATALOG[0].file
    bge.write_bytes(b"GGUF")
    (models / "chat.gguf").write_bytes(b"GGUF")
    settings = settings.replace()
    assert [p.name for p in find_models(settings) if p.parent == models] == ["chat.gguf"]  # never the chat model
    assert resolve_embedding_path(settings) == bge  # found without configuring anything
    assert resolve_embedding_path(settings.replace(kb_embedding_model=EMBEDDING_CATALOG[0].key)) == bge
    assert str(resolve_embedding_path(settings.replace(kb_embedding_model=test_model_path))) == test_model_path
    with pytest.raises(ModelError):
        resolve_embedding_path(settings.replace(kb_embedding_model="qwen3-embed-0.6b"))


def test_a_poorly_suited_model_adds_nothing_to_chatter(store, settings, embedder, tmp_path):
    """SmolLM2 is a chat model: its cosines are all near 0.9. The floor measured on off-topic probes keeps
    its semantic hits out, so unrelated questions still get [] and keyword hits still come first."""
    kb = KnowledgeBase.open(store, settings, embedder)
    kb.add_file(write_xlsx(tmp_path / "价目表.xlsx"))
    assert kb.semantic == SemanticState.ACTIVE
    for question in ("讲个笑话吧", "今天天气好吗", "你喜欢看什么电影"):
        assert kb.search(question) == [], question
    assert kb.search("渔夫帽多少钱", 1)[0].text.startswith("货号: MZ-2201")
