"""Which answer a question gets, and why: an FAQ rule, the knowledge base's passages (quoted or given to the
model), the model alone, the owner's fallback text, or a draft for the owner. Rules and passages are ranked on
one scale (how much of the question they explain, core/likeness.py), so the best answer wins, not the first
rule in the list. The reply engine acts on this decision; 「试一试」 and ``wxbot kb try`` show it."""

from __future__ import annotations

from dataclasses import dataclass

from wxbot.core.faq import FaqMatcher, RuleMatch
from wxbot.core.grounding import Retriever, is_factual
from wxbot.core.likeness import coverage, grams
from wxbot.messages import Passage, StrState
from wxbot.settings import Settings

SHOWN_RULES = 3  # the runners-up a decision keeps, to show why the winner won


class Route(StrState):
    RULE = "rule"  # an FAQ rule's answer, exactly as the owner wrote it
    PASSAGES = "passages"  # the best passages, exactly as written (kb_quote_passages)
    MODEL = "model"  # the model answers, from the passages when there are any
    FALLBACK = "fallback"  # a factual question no passage answers: the owner's fallback text
    DRAFT = "draft"  # the same, held for the owner as a draft (draft_when_unsure; contacts in auto mode)


@dataclass(frozen=True)
class Decision:
    route: Route
    rules: tuple[RuleMatch, ...]  # the rules that matched, best first (the winner first when route is RULE)
    passages: tuple[Passage, ...]  # what the knowledge base found, best first
    matches: tuple[float, ...]  # per passage: how much of the question it explains (0-1), the rules' scale
    factual: bool  # a question about price, stock, shipping, refunds… that must not be guessed
    reason: str  # why, in Chinese with English

    @property
    def rule(self) -> RuleMatch | None:
        return self.rules[0] if self.route is Route.RULE else None

    def quoted(self, settings: Settings) -> tuple[Passage, ...]:
        """The passages quoted as the answer (route PASSAGES), best first."""
        return self.passages[:settings.kb_quote_passages] if self.route is Route.PASSAGES else ()

    def answer(self, settings: Settings) -> str:
        """What the customer would get, exactly (the reply prefix aside); "" when the model writes it, or when a
        draft waits for the owner."""
        if (rule := self.rule) is not None:
            return rule.rule.answer
        if self.route is Route.PASSAGES:
            return "\n".join(p.text for p in self.quoted(settings))
        return settings.kb_fallback_text if self.route is Route.FALLBACK else ""

    def as_json(self, settings: Settings) -> dict:
        """The decision as ``wxbot kb try --json`` prints it."""
        def rule(m: RuleMatch) -> dict:
            return {"number": m.number, "score": round(m.score, 3), "match": m.rule.kind.value, "matched": m.why,
                    "said": m.rule.said, "answer": m.rule.answer}

        return {"route": self.route.value, "reason": self.reason, "answer": self.answer(settings),
                "rule": rule(self.rule) if self.rule is not None else None, "rules": [rule(m) for m in self.rules],
                "passages": [{"text": p.text, "source": p.source, "locator": p.locator, "score": p.score,
                              "match": match} for p, match in zip(self.passages, self.matches, strict=True)],
                "factual": self.factual, "min_similarity": settings.faq_min_similarity}


def decide(question: str, faq: FaqMatcher, retriever: Retriever | None, settings: Settings) -> Decision:
    """The route for ``question``. An exact example or greeting answers at once, without searching; otherwise the
    best rule is weighed against the best passage, and the knowledge-base rules (fallback, quoting) apply."""
    rules = tuple(faq.rank(question)[:SHOWN_RULES])
    best = rules[0] if rules else None
    if best is not None and best.instant:
        return Decision(Route.RULE, rules, (), (), False, f"问题与规则 {best.number} 的「{best.why}」相同，立即回答 "
                                                          f"(the question is rule {best.number}'s own words: "
                                                          "answered at once)")
    grounded = retriever is not None and len(retriever) > 0
    found = tuple(retriever.search(question, k=settings.kb_top_k)) if grounded and retriever is not None else ()
    q = grams(question)
    matches = tuple(round(coverage(q, p.text), 3) for p in found)
    top = max(matches, default=0.0)
    factual = grounded and is_factual(question)

    def made(route: Route, reason: str) -> Decision:
        return Decision(route, rules, found, matches, factual, reason)

    if best is not None and best.score >= top:
        return made(Route.RULE, f"规则 {best.number} 最接近（{best.score:.2f}，例句「{best.why}」），胜过知识库"
                                f"（{top:.2f}）(rule {best.number} explains the question best: {best.score:.2f} "
                                f"against the best passage's {top:.2f})")
    beaten = (f"；规则 {best.number}（{best.score:.2f}）不如资料 (rule {best.number} scored lower)"
              if best is not None else "")
    if factual and not found:
        if settings.draft_when_unsure:
            return made(Route.DRAFT, "事实问题，知识库里没有相关内容：自动回复的联系人会收到草稿等你处理，"
                                     "草稿模式关闭时发送兜底话术 (a factual question the knowledge base has no "
                                     "passage for: held as a draft for you; the fallback text when drafts for "
                                     "unsure replies are off)")
        return made(Route.FALLBACK, "事实问题，知识库里没有相关内容：发送兜底话术 (a factual question the knowledge "
                                    "base has no passage for: your fallback text)")
    if found and settings.kb_quote_passages:
        return made(Route.PASSAGES, f"知识库找到 {len(found)} 条资料，原文引用前 {settings.kb_quote_passages} 条"
                                    f"{beaten} (quoting the best passages as written)")
    if found:
        return made(Route.MODEL, f"知识库找到 {len(found)} 条资料，模型据此回答{beaten} "
                                 "(the model answers from these passages)")
    return made(Route.MODEL, "没有规则或资料匹配：模型回答 (no rule or passage matches: the model answers)")
