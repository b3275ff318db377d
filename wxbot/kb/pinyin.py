"""Sound-alike tolerance: every Chinese character's toneless pinyin (from pypinyin, taken once when an index is
built and kept inside it), so 铁关音 finds 铁观音, 冲电宝 finds 充电宝 and a name typed in pinyin (shoumei饼)
finds 寿眉饼. Homophones are the commonest typo of a pinyin keyboard."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

_TONES = str.maketrans("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ", "aaaaeeeeiiiioooouuuuvvvvvnnnm")
_CJK = re.compile(r"[\u4e00-\u9fff]")

PinyinTable = dict[str, str]  # character -> toneless syllable


def pinyin_table() -> PinyinTable:
    """Toneless first reading of each character in the CJK block (about 21,000). pypinyin is imported here,
    when an index is built, not with this module: it takes longer to load than a whole search takes."""
    from pypinyin.pinyin_dict import pinyin_dict

    table = {}
    for code, readings in pinyin_dict.items():
        if 0x4E00 <= code <= 0x9FFF:
            table[chr(code)] = readings.split(",")[0].translate(_TONES)
    return table


def syllables(table: PinyinTable) -> frozenset[str]:
    return frozenset(table.values())


class Homophones(Mapping[str, str]):
    """Syllable -> every character read so (帐 and 账 are both zhang), built at the first lookup: few questions
    need it, and a search process should not pay for it at start."""

    def __init__(self, table: PinyinTable) -> None:
        self._table = table
        self._alike: dict[str, str] | None = None

    def _built(self) -> dict[str, str]:
        if self._alike is None:
            self._alike = {}
            for ch, syllable in self._table.items():
                self._alike[syllable] = self._alike.get(syllable, "") + ch
        return self._alike

    def __getitem__(self, syllable: str) -> str:
        return self._built()[syllable]

    def __iter__(self) -> Iterator[str]:
        return iter(self._built())

    def __len__(self) -> int:
        return len(self._built())


def spell(text: str, table: PinyinTable) -> list[str]:
    """The syllables of the Chinese characters of ``text``, in order (other characters are skipped)."""
    return [table[ch] for ch in text if ch in table]


def split_pinyin(word: str, known: frozenset[str]) -> list[str] | None:
    """An ASCII word read as pinyin syllables (shoumei -> shou mei), longest syllable first; None if it isn't."""
    out: list[str] = []
    i = 0
    while i < len(word):
        for size in range(min(6, len(word) - i), 0, -1):
            if word[i:i + size] in known:
                out.append(word[i:i + size])
                i += size
                break
        else:
            return None
    return out if len(out) >= 2 else None
