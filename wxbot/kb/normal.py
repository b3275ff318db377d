"""One spelling for what customers and documents write differently: full-width and case (NFKC + casefold:
ＳＪ－０４１２ = sj-0412), traditional characters (白毫銀針 = 白毫银针, OpenCC), dashes and tildes of ranges
(6～11kg = 6-11kg), and Chinese numerals that count something (两万毫安 = 20000毫安). Documents and questions go
through the same function, so whatever it does, both sides agree."""

from __future__ import annotations

import functools
import re
import unicodedata

import opencc

from wxbot.kb.numerals import arabic_numerals

_T2S = opencc.OpenCC("t2s")
_DASHES = re.compile(r"[‐‑‒–—―~～〜]")
_SPACES = re.compile(r"\s+")


@functools.lru_cache(maxsize=1 << 14)
def normalize(text: str) -> str:
    """The searchable spelling of ``text`` (cached: a sheet's column names recur in every row)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _DASHES.sub("-", _T2S.convert(text))
    return _SPACES.sub(" ", arabic_numerals(text)).strip()
