"""Reply splitting and Markdown clean-up: the text that reaches WeChat (FAQ rules: test_faq.py)."""

import pytest

from wxbot.core.plaintext import markdown_to_plain
from wxbot.core.textsplit import split_reply


def test_split_at_sentence_ends_under_limit():
    text = "第一句话比较长一些。" * 30 + "最后一句！"
    parts = split_reply(text, 50)
    assert all(len(p) <= 50 for p in parts)
    assert "".join(parts) == text
    assert all(p.endswith(("。", "！")) for p in parts)


@pytest.mark.parametrize("cluster", ["👨‍👩‍👧‍👦", "👍🏽", "🇨🇳", "é", "❤️"])
def test_split_never_breaks_a_character_or_emoji(cluster):
    text = "字" * 7 + cluster * 40
    for limit in range(5, 30):
        parts = split_reply(text, limit)
        assert "".join(parts) == text
        for p in parts:
            assert len(p) <= max(limit, len(cluster))
            # every part is made of whole clusters after the leading plain characters
            assert p.lstrip("字").replace(cluster, "") == ""


def test_split_long_english_at_spaces():
    text = " ".join(["word"] * 200)
    parts = split_reply(text, 60)
    assert all(len(p) <= 60 for p in parts)
    assert " ".join(parts) == text


def test_markdown_becomes_plain_text():
    md = """# 营业时间
**周一到周五** 9:00-18:00，*周末*休息。

- 地址：[地图](https://example.com/map?a_b=1)
* 电话：138
1. 第一步
```python
print("hi")
```
| 商品 | 价格 |
|------|-----:|
| 苹果 | 5元 |
> 引用一句
---
用 `code` 和 ~~旧价~~ snake_case_name"""
    plain = markdown_to_plain(md)
    for mark in ("**", "# ", "```", "|", "---", "> ", "`", "~~", "[地图]"):
        assert mark not in plain, mark
    assert "https://example.com/map?a_b=1" in plain  # links stay visible
    assert "snake_case_name" in plain
    assert "• 地址" in plain and "1. 第一步" in plain
    assert 'print("hi")' in plain
    assert "苹果，5元" in plain
