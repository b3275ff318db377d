"""The reply engine: incoming message(s) -> reply text, by FAQ rule, quoted knowledge-base passages or the model.

Prompt = persona + this contact's recent turns (bounded by a token budget counted with the model's
own tokenizer, oldest dropped first, in blocks so the evaluated prefix stays reusable) + the new
message, with the knowledge base's best passages (their own token budget) when it has any. Output is
stripped of reasoning, turned into plain text, split to WeChat size and prefixed.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from loguru import logger

from wxbot.core.answering import Decision, Route, decide
from wxbot.core.faq import FaqMatcher
from wxbot.core.generation import generate
from wxbot.core.grounding import GROUNDING_RULE, Retriever, grounded_question
from wxbot.core.history import History
from wxbot.core.plaintext import markdown_to_plain
from wxbot.core.textsplit import split_reply
from wxbot.errors import ModelError
from wxbot.llm.api import ChatMessages, ChatModel
from wxbot.messages import Draft, Message, Passage, Reply, ReplySource, ReplyVerdict, Turn
from wxbot.settings import Settings

_TRUNCATED_MARK = "…"
_FIT_ROUNDS = 4  # counts spent cutting an over-long question, or choosing how many passages fit
_FIT_MARGIN = 0.9  # cut a little more than the share that fits: one count then usually settles it
_DROP_ROUNDS = 3  # counts spent dropping old turns
_OVERHEAD_CHARS = 16  # a turn's or passage's markers, in characters, when sharing tokens out by length
MODEL_WAIT_SECONDS = 300  # a message that arrives while the model loads waits for it rather than failing


def question_text(messages: Sequence[Message], limit: int) -> str:
    """Several quick messages from one contact read as one question, cut (its start kept) at ``limit`` chars."""
    question = "\n".join(m.text.strip() for m in messages if m.text.strip())
    return question if len(question) <= limit else question[:limit] + _TRUNCATED_MARK


class ReplyEngine:
    def __init__(self, settings: Settings, model: ChatModel | None, history: History,
                 retriever: Retriever | None = None) -> None:
        self.settings = settings
        self.model = model
        self.history = history
        self.retriever = retriever
        self.faq = FaqMatcher(settings.faq_rules, settings.faq_min_similarity)
        self._window_start: dict[str, float] = {}  # per contact: turns before this time are out of the prompt
        self._lock = threading.Lock()
        self._model_cond = threading.Condition()
        self._model_loading = False

    def set_model(self, model: ChatModel | None, *, loading: bool = False) -> None:
        """Swap the model; ``loading`` makes replies wait for the next one instead of failing."""
        with self._model_cond:
            self.model = model
            self._model_loading = loading
            self._model_cond.notify_all()

    @property
    def parallel(self) -> int:
        """How many replies the model generates at once (1 without a model)."""
        model = self.model
        return model.info.parallel if model is not None else 1

    def _wait_for_model(self, cancel: threading.Event | None) -> ChatModel | None:
        with self._model_cond:
            self._model_cond.wait_for(lambda: self.model is not None or not self._model_loading
                                      or (cancel is not None and cancel.is_set()), MODEL_WAIT_SECONDS)
            return self.model

    def apply_settings(self, settings: Settings) -> None:
        old, self.settings = self.settings, settings
        if (settings.faq_rules, settings.faq_min_similarity) != (old.faq_rules, old.faq_min_similarity):
            self.faq = FaqMatcher(settings.faq_rules, settings.faq_min_similarity)  # indexes every example

    # ------------------------------------------------------------------ public
    def reply(self, messages: Sequence[Message], *, persona: str | None = None,
              cancel: threading.Event | None = None, answered_ids: Sequence[str] = ()) -> Reply | None:
        """The reply to one message or a merged burst of one contact's messages; None when nothing to say."""
        first = messages[0]
        ids = tuple(answered_ids) or tuple(m.msg_id for m in messages)
        question = question_text(messages, self.settings.max_question_chars)
        if not question:
            return None
        decision = self.decide(question)
        if (rule := decision.rule) is not None:
            logger.info("faq hit contact={} msgs={} rule={} score={}", first.contact_id, len(ids), rule.number,
                        rule.score)
            return self._finish(first.contact_id, rule.rule.answer, ReplySource.FAQ, ids)
        found, factual = decision.passages, decision.factual
        if decision.route in (Route.FALLBACK, Route.DRAFT):
            return self._fallback(first.contact_id, ids)
        if decision.route is Route.PASSAGES:  # the owner's data as written answers, no model
            quoted = decision.quoted(self.settings)
            logger.info("kb quote contact={} passages={}", first.contact_id, len(quoted))
            return self._finish(first.contact_id, decision.answer(self.settings), ReplySource.KB, ids, quoted)
        if (model := self._wait_for_model(cancel)) is None:
            raise ModelError("还没有加载模型：请把 .gguf 文件放进 models/ 文件夹，或在设置中选择一个模型",
                             "no model loaded: put a .gguf file in models/ or choose one in Settings")
        prompt, used = self._prompt(first.contact_id, question, persona=persona, exclude_ids=set(ids),
                                    passages=found)
        if factual and not used:  # every passage was too long for the budget: still no guessing
            return self._fallback(first.contact_id, ids)
        out = generate(model, prompt, self.settings, persona=persona or self.settings.persona, cancel=cancel,
                       cache_key=first.contact_id)
        logger.info("model reply contact={} visible={} passages={}", first.contact_id, len(out.visible), len(used))
        return self._finish(first.contact_id, out.visible, ReplySource.MODEL, ids, used, out.verdict)

    def decide(self, question: str) -> Decision:
        """Which answer ``question`` gets and why (an FAQ rule, passages, the model, the fallback), without
        answering it: what 「试一试」 shows."""
        return decide(question, self.faq, self.retriever, self.settings)

    def build_prompt(self, contact_id: str, question: str, *, persona: str | None = None,
                     exclude_ids: set[str] | None = None, passages: Sequence[Passage] = ()) -> ChatMessages:
        """The messages the model gets for ``question`` (with as many of ``passages`` as the budget allows)."""
        return self._prompt(contact_id, question, persona=persona, exclude_ids=exclude_ids, passages=passages)[0]

    def _prompt(self, contact_id: str, question: str, *, persona: str | None, exclude_ids: set[str] | None,
                passages: Sequence[Passage]) -> tuple[ChatMessages, tuple[Passage, ...]]:
        """Two token counts when everything fits (three with passages), a few more when the question must be
        cut, passages left out or old history dropped: each count may be a round trip to a model server."""
        assert self.model is not None
        s = self.settings
        rule = GROUNDING_RULE if self._grounded() else ""
        system = {"role": "system", "content": (persona or s.persona) + rule}
        limit_total = min(s.context_size, self.model.info.context_size) - s.max_reply_tokens
        question, bare = self._fit_question(system, question, limit_total)
        user, used, base = self._fit_passages(system, question, bare, passages, limit_total)
        budget = min(base + s.history_token_budget, limit_total)
        turns = [t for t in self.history.recent(contact_id, 2 * s.history_turns)
                 if not (exclude_ids and t.msg_id in exclude_ids)]
        with self._lock:
            start = self._window_start.get(contact_id, 0.0)
            kept = [t for t in turns if t.time >= start]
            prompt = self._assemble(system, kept, user)
            if not kept:
                return prompt, used
            total = self.model.count_tokens(prompt) if len(kept) <= s.history_turns else None
            if total is None or total > budget:
                kept = self._drop_block(system, kept, user, base, budget, total)
                self._window_start[contact_id] = kept[0].time if kept else turns[-1].time + 1e-6
                prompt = self._assemble(system, kept, user)
        return prompt, used

    def fixed_reply(self, contact_id: str, text: str, source: ReplySource, ids: Sequence[str]) -> Reply | None:
        """A reply that needs no model (away message, non-text acknowledgement), shaped like any other."""
        return self._finish(contact_id, text, source, tuple(ids),
                            prefixed=source not in (ReplySource.HANDOFF, ReplySource.HOLDING))

    @property
    def has_knowledge(self) -> bool:
        """The knowledge base holds documents, so replies are grounded in it."""
        return self._grounded()

    def approved_reply(self, draft: Draft) -> Reply | None:
        """A draft the owner approved (or rewrote): their words as they are, split like any reply; prefixed unless
        the owner rewrote it (their own words; ``prefix_owner_words`` keeps the prefix for those too)."""
        source = ReplySource.DRAFT_EDITED if draft.edited else ReplySource.DRAFT
        return self._finish(draft.contact_id, draft.text, source, draft.msg_ids, draft.passages,
                            prefixed=not draft.edited or self.settings.prefix_owner_words)

    # ------------------------------------------------------------------ helpers
    def _grounded(self) -> bool:
        """Replies are grounded only when the knowledge base holds something: an empty one changes nothing."""
        return self.retriever is not None and len(self.retriever) > 0

    def _fallback(self, contact_id: str, ids: tuple[str, ...]) -> Reply | None:
        logger.info("factual question without a knowledge-base passage: fallback text contact={}", contact_id)
        return self._finish(contact_id, self.settings.kb_fallback_text, ReplySource.KB_FALLBACK, ids)

    def _fit_passages(self, system: dict, question: str, bare: int, passages: Sequence[Passage],
                      limit_total: int) -> tuple[dict, tuple[Passage, ...], int]:
        """The user turn with the most best-first passages that fit the passage budget (whole passages only:
        a cut one could lose a digit of a price), its passages and its token count. ``bare`` is the count
        without passages. One count when all fit; else how many fit is estimated from their lengths and checked,
        narrowing in a few counts."""
        assert self.model is not None

        def turn(n: int) -> dict:
            return {"role": "user", "content": grounded_question(passages[:n], question)}

        if not passages:
            return turn(0), (), bare
        limit = min(bare + self.settings.kb_token_budget, limit_total)
        count = self.model.count_tokens([system, turn(len(passages))])
        if count <= limit:
            return turn(len(passages)), tuple(passages), count
        lengths = [len(p.text) + len(p.label) for p in passages]
        (lo, lo_count), (hi, hi_count) = (0, bare), (len(passages), count)  # lo passages fit, hi do not
        for _ in range(_FIT_ROUNDS):
            if hi - lo <= 1:
                break
            n = lo + _first_that_fit(lengths[lo:hi], hi_count - lo_count, limit - lo_count, margin=1.0)
            n = min(max(n, lo + 1), hi - 1)
            count = self.model.count_tokens([system, turn(n)])
            if count <= limit:
                lo, lo_count = n, count
            else:
                hi, hi_count = n, count
        return turn(lo), tuple(passages[:lo]), lo_count

    @staticmethod
    def _assemble(system: dict, turns: list[Turn], user: dict) -> ChatMessages:
        return [system, *({"role": t.role, "content": t.text} for t in turns), user]

    def _drop_block(self, system: dict, turns: list[Turn], user: dict, base: int, budget: int,
                    total: int | None) -> list[Turn]:
        """Drop the oldest turns until the prompt fits, then half of what is left more, so the kept prefix is
        stable for the next turns instead of sliding (and being re-evaluated) every turn.

        How many to drop is estimated from the turns' lengths and checked with one count per round."""
        assert self.model is not None
        limit = self.settings.history_turns
        kept = list(turns[-limit:]) if limit else []
        if len(kept) != len(turns):
            total = None
        for _ in range(_DROP_ROUNDS):
            if not kept:
                return []
            if total is None:
                total = self.model.count_tokens(self._assemble(system, kept, user))
            if total <= budget:
                return kept[len(kept) // 2:]
            weights = [len(t.text) for t in kept]
            keep = _first_that_fit(weights[::-1], total - base, budget - base, margin=_FIT_MARGIN)  # newest first
            kept = kept[len(kept) - keep:] if keep else []
            total = None
        return []  # the estimate kept missing: no history rather than an overflowing prompt

    def _fit_question(self, system: dict, question: str, limit_total: int) -> tuple[str, int]:
        """A message too long for the context is cut (its start kept) rather than failing the reply.
        Returns the question and the tokens of [system, question]."""
        assert self.model is not None
        count = self.model.count_tokens([system, {"role": "user", "content": question}])
        if count <= limit_total:
            return question, count
        keep = len(question)
        for _ in range(_FIT_ROUNDS):  # tokens follow characters closely enough to cut by their share
            keep = int(keep * limit_total / count * _FIT_MARGIN)
            count = self.model.count_tokens([system, {"role": "user", "content": question[:keep] + _TRUNCATED_MARK}])
            if count <= limit_total:
                break
        logger.info("question cut to fit the context: {} -> {} chars", len(question), keep)
        return question[:keep] + _TRUNCATED_MARK, count

    def _finish(self, contact_id: str, text: str, source: ReplySource, ids: tuple[str, ...],
                passages: tuple[Passage, ...] = (), verdict: ReplyVerdict = ReplyVerdict.SEND,
                prefixed: bool = True) -> Reply | None:
        """WeChat-sized parts, the reply prefix first. The owner's words (FAQ answers, away message, fallback
        text…) go out whole and as written; the model's Markdown is cleaned into plain text and its reply
        takes at most ``max_reply_parts`` messages. A held-back reply (``verdict``) is returned even when empty."""
        model = source is ReplySource.MODEL
        text = (markdown_to_plain(text) if model else text).strip()
        if not text and verdict is ReplyVerdict.SEND:
            return None
        prefix = self.settings.reply_prefix if prefixed else ""
        parts = split_reply(text, self.settings.reply_part_chars - len(prefix)) if text else []
        if model and len(parts) > self.settings.max_reply_parts:
            parts = parts[:self.settings.max_reply_parts]
            text = "\n".join(parts)  # history remembers what was said
        if parts and prefix:
            parts[0] = prefix + parts[0]
        return Reply(contact_id=contact_id, parts=tuple(parts), source=source, in_reply_to=ids, body=text,
                     passages=passages, verdict=verdict)


def _first_that_fit(lengths: list[int], tokens: int, room: int, *, margin: float) -> int:
    """How many of the first items fit in ``room`` tokens (times ``margin``) when their ``tokens`` are shared out
    by their lengths plus markers; always fewer than all of them, since all of them did not fit."""
    weights = [n + _OVERHEAD_CHARS for n in lengths]
    per_weight = max(tokens, 1) / sum(weights)
    used, n = 0.0, 0
    while n < len(weights) - 1 and used + weights[n] * per_weight <= room * margin:
        used += weights[n] * per_weight
        n += 1
    return n
