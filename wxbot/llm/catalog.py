"""The GGUFs wxbot recommends: the DeepSeek chat models (sizes, the VRAM they need) and the embedding models
for knowledge-base search, and where to download them.

Shapes are the models' ``config.json`` values. Sizes are approximate (the 7B is the real file's header total);
the download's own length is authoritative. No sha256 is stored (none could be verified offline, and a made-up
one would reject the real file): the downloader checks the file against the hash the source publishes with
it, and says so when no source publishes one.
"""

from __future__ import annotations

from dataclasses import dataclass

from wxbot.llm.vram import GpuInfo
from wxbot.messages import StrState

HF_ENDPOINT = "https://huggingface.co"  # mirrors such as https://hf-mirror.com serve the same paths
HF_URL = "{endpoint}/{repo}/resolve/main/{file}"
MODELSCOPE_ENDPOINT = "https://modelscope.cn"
MODELSCOPE_URL = "{endpoint}/models/{repo}/resolve/master/{file}"


@dataclass(frozen=True)
class ModelShape:
    """What the GPU fit needs to know about an architecture, as in its GGUF metadata."""

    architecture: str  # "qwen2" | "llama"
    block_count: int
    embedding_length: int
    feed_forward_length: int
    head_count: int
    head_count_kv: int
    vocab_size: int
    context_length: int


@dataclass(frozen=True)
class CatalogModel:
    key: str
    title: str
    file: str
    size_bytes: int  # about the Q4_K_M file's size, for the UI before a download starts
    min_vram_gb: int  # smallest common card that holds every layer at 4096 context (see docs/gpu.md)
    shape: ModelShape
    repo: str  # the same publisher on Hugging Face and ModelScope, so both sources serve the same bytes
    sha256: str | None = None  # None: taken from the source's published value at download time

    def urls(self, hf_endpoint: str = HF_ENDPOINT, modelscope_endpoint: str = MODELSCOPE_ENDPOINT) -> list[str]:
        return source_urls(self.repo, self.file, hf_endpoint, modelscope_endpoint)


@dataclass(frozen=True)
class EmbeddingModel:
    """A GGUF sentence-embedding model; it runs on the CPU beside the chat model (see llm/embedder.py)."""

    key: str
    title: str
    file: str
    size_bytes: int
    dim: int
    repo: str
    query_prefix: str  # put before a question (not before passages), as the model card asks
    min_similarity: float  # cosine below this is "not relevant" (the owner can override: kb_min_similarity)
    sha256: str | None = None

    def urls(self, hf_endpoint: str = HF_ENDPOINT, modelscope_endpoint: str = MODELSCOPE_ENDPOINT) -> list[str]:
        return source_urls(self.repo, self.file, hf_endpoint, modelscope_endpoint)


def source_urls(repo: str, file: str, hf_endpoint: str = HF_ENDPOINT,
                modelscope_endpoint: str = MODELSCOPE_ENDPOINT) -> list[str]:
    """Download sources, Hugging Face (or its mirror) first, then ModelScope (reachable from mainland China)."""
    return [HF_URL.format(endpoint=hf_endpoint.rstrip("/"), repo=repo, file=file),
            MODELSCOPE_URL.format(endpoint=modelscope_endpoint.rstrip("/"), repo=repo, file=file)]


GIB = 1 << 30
MIN_CUSTOMER_PARAMETERS = 1_000_000_000  # below this a model's answers are too often wrong to send to customers
PARTIAL_FLOOR_GB = 2  # below this much free VRAM the fit's auto offload puts no layer on the GPU worth having


class GpuFit(StrState):
    """Where a catalog model would run on this PC, as the model lists show it."""

    FULL = "gpu"  # every layer on the GPU
    PARTIAL = "partial"  # some layers on the GPU: slower
    CPU = "cpu"  # no usable GPU (or its free memory is unknown): slow


def catalog_fit(model: CatalogModel, gpu: GpuInfo | None) -> GpuFit:
    """The fit from the GPU's free memory against what the model needs; unknown free memory offloads nothing
    (as ``gpufit.plan_offload`` does in auto), so it reads "CPU only"."""
    free = gpu.free_bytes if gpu is not None else None
    if free is None:
        return GpuFit.CPU
    if free >= model.min_vram_gb * GIB:
        return GpuFit.FULL
    return GpuFit.PARTIAL if free >= PARTIAL_FLOOR_GB * GIB else GpuFit.CPU


_QWEN_VOCAB = 152064
_CTX = 131072

CATALOG: tuple[CatalogModel, ...] = (
    CatalogModel(
        "r1-qwen-1.5b", "DeepSeek-R1-Distill-Qwen-1.5B Q4_K_M", "DeepSeek-R1-Distill-Qwen-1.5B-Q4_K_M.gguf",
        1_117_320_736, 4, ModelShape("qwen2", 28, 1536, 8960, 12, 2, 151936, _CTX),
        "unsloth/DeepSeek-R1-Distill-Qwen-1.5B-GGUF"),
    CatalogModel(
        "r1-qwen-7b", "DeepSeek-R1-Distill-Qwen-7B Q4_K_M", "DeepSeek-R1-Distill-Qwen-7B-Q4_K_M.gguf",
        4_683_073_248, 8, ModelShape("qwen2", 28, 3584, 18944, 28, 4, _QWEN_VOCAB, _CTX),
        "unsloth/DeepSeek-R1-Distill-Qwen-7B-GGUF"),
    CatalogModel(
        "r1-llama-8b", "DeepSeek-R1-Distill-Llama-8B Q4_K_M", "DeepSeek-R1-Distill-Llama-8B-Q4_K_M.gguf",
        4_920_734_496, 8, ModelShape("llama", 32, 4096, 14336, 32, 8, 128256, _CTX),
        "unsloth/DeepSeek-R1-Distill-Llama-8B-GGUF"),
    CatalogModel(
        "r1-qwen-14b", "DeepSeek-R1-Distill-Qwen-14B Q4_K_M", "DeepSeek-R1-Distill-Qwen-14B-Q4_K_M.gguf",
        8_988_110_976, 12, ModelShape("qwen2", 48, 5120, 13824, 40, 8, _QWEN_VOCAB, _CTX),
        "unsloth/DeepSeek-R1-Distill-Qwen-14B-GGUF"),
    CatalogModel(
        "r1-qwen-32b", "DeepSeek-R1-Distill-Qwen-32B Q4_K_M", "DeepSeek-R1-Distill-Qwen-32B-Q4_K_M.gguf",
        19_851_336_256, 24, ModelShape("qwen2", 64, 5120, 27648, 40, 8, _QWEN_VOCAB, _CTX),
        "unsloth/DeepSeek-R1-Distill-Qwen-32B-GGUF"),
)


def recommended_model(gpu: GpuInfo | None) -> CatalogModel:
    """The one model to suggest for this PC: the largest that fits wholly on its GPU; without such a GPU the
    smallest (every larger one would answer too slowly on the CPU)."""
    fitting = [m for m in CATALOG if catalog_fit(m, gpu) is GpuFit.FULL]
    return max(fitting, key=lambda m: m.size_bytes) if fitting else min(CATALOG, key=lambda m: m.size_bytes)


def find_model(key: str) -> CatalogModel | None:
    return next((m for m in CATALOG if m.key == key), None)


_BGE_QUERY = "为这个句子生成表示以用于检索相关文章："  # the bge-zh v1.5 model card's retrieval instruction
EMBEDDING_CATALOG: tuple[EmbeddingModel, ...] = (
    EmbeddingModel("bge-small-zh", "BAAI bge-small-zh-v1.5 Q8_0", "bge-small-zh-v1.5-q8_0.gguf",
                   26_500_000, 512, "CompendiumLabs/bge-small-zh-v1.5-gguf", _BGE_QUERY, 0.5),
    EmbeddingModel("bge-large-zh", "BAAI bge-large-zh-v1.5 Q8_0", "bge-large-zh-v1.5-q8_0.gguf",
                   348_000_000, 1024, "CompendiumLabs/bge-large-zh-v1.5-gguf", _BGE_QUERY, 0.5),
    EmbeddingModel("qwen3-embed-0.6b", "Qwen3-Embedding-0.6B Q8_0",
                   "Qwen3-Embedding-0.6B-Q8_0.gguf", 639_000_000, 1024, "Qwen/Qwen3-Embedding-0.6B-GGUF",
                   "Instruct: 根据顾客的问题找出能回答它的店铺资料\nQuery:", 0.45),
)


def find_embedding_model(key: str) -> EmbeddingModel | None:
    return next((m for m in EMBEDDING_CATALOG if m.key == key), None)


def find_embedding_file(file_name: str) -> EmbeddingModel | None:
    """The catalog entry of a downloaded embedding model, by its file name."""
    return next((m for m in EMBEDDING_CATALOG if m.file.lower() == file_name.lower()), None)
