"""LocalModel on the real SmolLM2 GGUF: loading errors, progress, template, streaming, cancel, state reuse."""

from __future__ import annotations

import shutil
import threading

import pytest

from tests.llm.conftest import LONG_TEXT, cancel_after, chat, held, model_settings
from wxbot.errors import GenerationCancelled, ModelError
from wxbot.llm import gpufit
from wxbot.llm.local import LocalModel
from wxbot.llm.vram import detect_gpu

pytestmark = [pytest.mark.model, pytest.mark.timeout(900)]  # a backstop: the tests wait for events


# ---------------------------------------------------------------------- loading
def assert_readable(err: ModelError) -> None:
    assert err.zh and err.en and "Traceback" not in str(err)


def test_non_gguf_file_is_a_readable_error(tmp_path):
    path = tmp_path / "notes.gguf"
    path.write_text("this is not a model", encoding="utf-8")
    with pytest.raises(ModelError) as caught:
        LocalModel(model_settings(), path)
    assert_readable(caught.value)
    assert "GGUF" in caught.value.en


def test_truncated_gguf_is_a_readable_error(tmp_path, test_model_path):
    path = tmp_path / "half.gguf"
    with open(test_model_path, "rb") as src, path.open("wb") as dst:
        dst.write(src.read(40_000_000))  # header intact, weights cut short (a broken download)
    with pytest.raises(ModelError) as caught:
        LocalModel(model_settings(), path)
    assert_readable(caught.value)
    assert "truncated" in caught.value.en


def test_missing_file_is_a_readable_error(tmp_path):
    with pytest.raises(ModelError) as caught:
        LocalModel(model_settings(), tmp_path / "nowhere.gguf")
    assert_readable(caught.value)


def test_progress_runs_from_zero_to_one_monotonically(tmp_path, test_model_path):
    events = []
    model = LocalModel(model_settings(), shutil.copy(test_model_path, tmp_path / "m.gguf"),
                       on_progress=events.append)
    model.close()
    fractions = [e.fraction for e in events]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert len(fractions) > 3 and fractions == sorted(set(fractions))


def test_loads_with_the_batch_the_gpu_fit_assumes(local_model):
    assert local_model._llama.n_batch == gpufit.PROMPT_BATCH
    assert local_model._llama.context_params.n_ubatch == gpufit.PROMPT_BATCH


def test_gpu_layers_0_runs_on_the_cpu(test_model_path):
    model = LocalModel(model_settings(gpu_layers="0"), test_model_path)
    try:
        info = model.info
        assert info.engine == "local" and info.description == "CPU"
        assert info.local.device == "CPU" and info.local.gpu_layers == 0 and info.local.gpu_bytes == 0
        assert info.context_size == 2048 and info.local.n_layers > 0 and info.name
    finally:
        model.close()


@pytest.mark.gpu
def test_auto_puts_a_small_model_wholly_on_the_gpu(local_model):
    info = local_model.info  # 135M parameters fit on any card with its free memory known
    if detect_gpu().free_bytes is None:
        pytest.skip("free VRAM unknown here: auto stays on the CPU")
    placed = info.local
    assert placed.gpu_layers == placed.n_layers and placed.device != "CPU" and placed.gpu_bytes > 0


# ---------------------------------------------------------------------- template and streaming
def test_count_tokens_grows_with_messages(local_model):
    one = local_model.count_tokens(chat("Hello"))
    two = local_model.count_tokens(chat("Hello", "Hi, how can I help?", "What do shirts cost?"))
    assert 0 < one < two


def test_template_is_the_models_own(local_model):
    tokens = local_model._template.tokens(chat("Hello"))
    text = local_model._llama.detokenize(tokens, special=True).decode()
    assert "<|im_start|>user\nHello<|im_end|>" in text and text.endswith("<|im_start|>assistant\n")


def test_stream_respects_max_tokens(local_model):
    pieces = list(local_model.stream_chat(chat("Tell me a long story."), max_tokens=9, temperature=0))
    assert pieces and local_model.last_stats.generated_tokens == 9


def test_pieces_never_split_a_character(local_model):
    wanted = "😀你好🎉é"
    pieces = list(local_model.stream_chat(chat("Greet me"), max_tokens=32, temperature=0,
                                          grammar=f'root ::= "{wanted}"'))
    assert "".join(pieces) == wanted
    assert all("\ufffd" not in p for p in pieces)
    assert local_model.last_stats.generated_tokens > len(pieces) - 1  # byte tokens were joined


def test_prompt_longer_than_context_is_a_readable_error(local_model):
    with pytest.raises(ModelError) as caught:
        list(local_model.stream_chat(chat("word " * 3000), max_tokens=4, temperature=0))
    assert "context" in caught.value.en


# ---------------------------------------------------------------------- cancellation
def test_cancel_during_generation_stops_at_the_next_token(local_model):
    """The flag is read between tokens: at most one more token after it is set, however busy the CPU is."""
    cancel = threading.Event()
    stream = local_model.stream_chat(chat("Write a very long essay about shirts."), max_tokens=2000,
                                     temperature=0.8, cancel=cancel)
    next(stream)  # generating now
    _, at_cancel = cancel_after(0.2, cancel, probe=lambda: held(local_model))
    with pytest.raises(GenerationCancelled):
        for _ in stream:
            pass
    assert held(local_model) - at_cancel[0] <= 1
    assert 0 < local_model.last_stats.generated_tokens < 2000


def test_cancel_during_prompt_evaluation_stops_at_the_next_batch(local_model):
    """The flag is read between prompt batches: at most one more batch after it is set."""
    messages = chat(LONG_TEXT)
    n_prompt = local_model.count_tokens(messages)
    cancel, at_cancel = cancel_after(0.5, probe=lambda: held(local_model, "long"))
    with pytest.raises(GenerationCancelled):
        next(local_model.stream_chat(messages, max_tokens=4, temperature=0, cancel=cancel, cache_key="long"))
    assert held(local_model, "long") - at_cancel[0] <= local_model._llama.n_batch
    assert held(local_model, "long") < n_prompt  # it really stopped inside the prompt
    assert local_model.last_stats.prompt_tokens_evaluated < n_prompt
    # the model is still usable, and the evaluated part of the prompt is reused next time
    reply = "".join(local_model.stream_chat(chat("Hi"), max_tokens=4, temperature=0))
    assert reply


# ---------------------------------------------------------------------- multi-turn state reuse
def run_turn(model: LocalModel, key: str, messages) -> str:
    return "".join(model.stream_chat(messages, max_tokens=12, temperature=0, cache_key=key))


def interleave(model: LocalModel):
    """A1, B1, A2: returns the stats of A2 and the length of A2's new part."""
    a1 = chat("Do you have blue cotton shirts in size L?", system="You are the assistant of a clothing shop.")
    a1_reply = run_turn(model, "A", a1)
    run_turn(model, "B", chat("When do you open on Sunday?", system="You are the assistant of a bakery."))
    a2 = a1 + [{"role": "assistant", "content": a1_reply}, {"role": "user", "content": "And in red?"}]
    run_turn(model, "A", a2)
    return model.last_stats, model.count_tokens(a2) - model.count_tokens(a1)


def test_interleaved_contacts_reuse_their_own_state(test_model_path):
    model = LocalModel(model_settings(parallel_replies=1), test_model_path)  # B takes A's sequence
    stats, new_tokens = interleave(model)
    model.close()
    assert stats.restored_state
    assert stats.prompt_tokens_evaluated <= new_tokens + 2  # only the new turn (plus a re-decoded token)
    assert stats.prompt_tokens_evaluated < stats.prompt_tokens / 2


def test_interleaved_contacts_keep_their_own_sequences(test_model_path):
    model = LocalModel(model_settings(parallel_replies=2), test_model_path)
    stats, new_tokens = interleave(model)
    model.close()
    assert not stats.restored_state  # A's tokens never left its sequence
    assert stats.prompt_tokens_evaluated <= new_tokens + 2


def test_without_state_cache_the_history_is_evaluated_again(test_model_path):
    model = LocalModel(model_settings(state_cache_mb=0, parallel_replies=1), test_model_path)
    stats, new_tokens = interleave(model)
    model.close()
    assert not stats.restored_state
    assert stats.prompt_tokens_evaluated > new_tokens + 10


def test_same_contact_twice_reuses_the_context_prefix(local_model):
    first = chat("Hello there")
    reply = run_turn(local_model, "C", first)
    run_turn(local_model, "C", first + [{"role": "assistant", "content": reply},
                                         {"role": "user", "content": "Thanks"}])
    stats = local_model.last_stats
    assert not stats.restored_state and stats.prompt_tokens_evaluated < stats.prompt_tokens / 2


def test_state_cache_stays_within_budget(test_model_path):
    model = LocalModel(model_settings(state_cache_mb=2, parallel_replies=1), test_model_path)  # ~85 tokens of KV
    for key in "ABCDEF":
        run_turn(model, key, chat(f"Customer {key} asks about shirts and trousers and coats."))
    cache = model._sequences._cache
    assert 0 < len(cache) < 5 and cache.nbytes <= 2 << 20
    assert "A" not in cache and "E" in cache  # least recently used went first
    model.close()
