"""The terms each retrieval channel sees in a normalized text: character pairs (robust to any segmentation and
to words nobody listed), jieba words, codes and model names (SJ-0412 = sj0412; iPhone 16 Pro = iphone16pro;
16promax; s25ultra), and pinyin syllable pairs (sound-alike typos). Documents and questions use the same
functions, so a question is found however either side was spelled."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping

import rjieba

from wxbot.kb.pinyin import PinyinTable, spell, split_pinyin
from wxbot.kb.synonyms import REPLACE, STOPWORDS

_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
# A code or model name: ASCII letters/digits joined by - _ . (xl-1104, 3.5), several separated by spaces
# forming one phrase (iphone 16 pro max).
_TOKEN = r"[a-z0-9]+(?:[-_.][a-z0-9]+)*"
_PHRASE = re.compile(rf"{_TOKEN}(?: {_TOKEN})*")
_PARTS = re.compile(r"[a-z]+|\d+(?:\.\d+)?")
_SOUND = re.compile(r"[\u4e00-\u9fff]|[a-z]+")
_SOUNDS = re.compile(rf"(?:{_SOUND.pattern})+")  # Chinese and pinyin typed together: shoumei饼
MAX_TRIGGER_WORDS = 3  # a synonym phrase spans at most this many jieba words
MAX_GRAM = 4  # longest run of model-name parts joined into one term
END = "$"  # marks a model name's last part: 16pro$ is in "iPhone 16 Pro", not in "16 Pro Max"


def cjk_runs(text: str) -> list[str]:
    return _CJK_RUN.findall(text)


def char_terms(text: str) -> list[str]:
    """Every pair of neighbouring Chinese characters (a lone character stands for itself)."""
    out: list[str] = []
    for run in cjk_runs(text):
        out.extend([run] if len(run) == 1 else [run[i:i + 2] for i in range(len(run) - 1)])
    return out


@functools.lru_cache(maxsize=1 << 16)
def _run_words(run: str) -> tuple[str, ...]:
    return tuple(w for w in rjieba.cut_for_search(run) if len(w) > 1 and w not in STOPWORDS)


def phrase_words(run: str, triggers: Mapping[str, tuple[str, ...]]) -> list[tuple[str, tuple[str, ...], str]]:
    """jieba's words of a Chinese run with their synonym forms and part of speech ('n' noun, 'v' verb, 't'
    time…; 'syn' for a synonym phrase); a synonym phrase must start and end on word boundaries (大理石 is not
    大理, 退出群聊 is not 退)."""
    tagged = rjieba.tag(run)
    out: list[tuple[str, tuple[str, ...], str]] = []
    i = 0
    while i < len(tagged):
        for j in range(min(len(tagged), i + MAX_TRIGGER_WORDS), i, -1):
            phrase = "".join(w for w, _ in tagged[i:j])
            if tagged[j - 1][0] in REPLACE and j < len(tagged) and tagged[j][1][:1] == "n":
                continue  # 换 with an object (换屏, 换电池) replaces a part; it is not an exchange
            if phrase in triggers:
                out.append((phrase, (phrase, *triggers[phrase]), "syn"))
                i = j
                break
        else:
            out.append((tagged[i][0], (tagged[i][0],), tagged[i][1]))
            i += 1
    return out


def synonym_text(text: str, triggers: Mapping[str, tuple[str, ...]]) -> str:
    """The synonyms of the phrases of ``text`` that have some, as text to search with besides it."""
    return " ".join(f for run in cjk_runs(text) for _, forms, _ in phrase_words(run, triggers) for f in forms[1:])


def word_terms(text: str) -> list[str]:
    """jieba's words (search mode: 纸尿裤 also gives 尿裤) without stopwords, and codes joined (xl1104)."""
    out: list[str] = []
    for run in cjk_runs(text):
        out.extend(_run_words(run))
    out.extend(m.group().replace("-", "").replace("_", "") for m in _PHRASE.finditer(text) for m in
               re.finditer(_TOKEN, m.group()))
    return out


@functools.lru_cache(maxsize=1 << 16)
def _phrase_terms(phrase: str) -> tuple[str, ...]:
    parts = _PARTS.findall(phrase.replace("-", " ").replace("_", " "))
    out: list[str] = [re.sub(r"[-_]", "", token) for token in phrase.split()]  # each code whole (sj0412)
    for size in range(1, MAX_GRAM + 1):
        for i in range(len(parts) - size + 1):
            gram = "".join(parts[i:i + size])
            out.append(gram)
            if i + size == len(parts):
                out.append(gram + END)
    return tuple(out)


def code_terms(text: str) -> list[str]:
    """A model name's parts, each run of up to four neighbouring parts joined, and its endings marked."""
    out: list[str] = []
    for m in _PHRASE.finditer(text):
        out.extend(_phrase_terms(m.group()))
    return out


def pinyin_terms(text: str, table: PinyinTable, known: frozenset[str]) -> list[str]:
    """Pairs of neighbouring syllables, of Chinese runs and of ASCII words that spell pinyin (shoumei)."""
    out: list[str] = []
    for m in _SOUNDS.finditer(text):
        sounds: list[str] = []
        for word in _SOUND.findall(m.group()):
            sounds.extend(spell(word, table) if word[0] > "\u3000" else (split_pinyin(word, known) or [word]))
        out.extend(f"{a}_{b}" for a, b in zip(sounds, sounds[1:], strict=False))
    return out
