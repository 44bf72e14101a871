"""Search tokens, query terms, highlighting and snippets of knowledge articles (decision 0018).

Stored tokens (``search_tokens``) are space-padded: ``" 宽带 带故 故障 wifi router "``. Chinese runs
become overlapping character bigrams (a one-character run stays one character) — no dictionary,
so product names and slang are found as well as words; Latin words and numbers are lower-cased
whole words. A query is cut the same way (``query_terms``): a Chinese bigram must be a whole stored
token (``LIKE '% 宽带 %'``), a Latin word a token prefix (``LIKE '% rout%'``). The same padded
``LIKE`` runs on SQLite and, through a GIN pg_trgm index, on PostgreSQL.

``highlight`` finds the terms in the raw text first, then escapes every piece, so the only markup
in its output is the ``<mark>`` it adds.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{_CJK}]+")

# very common words that would match almost every article (客户: every article speaks of the customer)
_STOP = (
    "a an and are be can cannot do does for how i in is it my no not of on or please the to use what when "
    "where while why with you your customer customers "
    "怎么 么办 怎样 如何 什么 为什 为何 可以 我的 我们 你们 请问 一下 是否 是不 不是 吗 客户 用户 需要 反映"
)
STOP_WORDS = frozenset(_STOP.split())
MAX_QUERY_TERMS = 12


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def _cjk_pieces(run: str) -> list[str]:
    return [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]


def tokens(text: str) -> list[str]:
    """The distinct tokens of ``text`` in order of first appearance."""
    out: dict[str, None] = {}
    t = _normal(text)
    for m in re.finditer(rf"[{_CJK}]+|[^\W_{_CJK}]+", t):
        piece = m.group(0)
        if _CJK_RUN.fullmatch(piece):
            for bigram in _cjk_pieces(piece):
                out[bigram] = None
        else:
            out[piece] = None
    return list(out)


def search_tokens(*texts: str) -> str:
    """The padded token string stored in ``Article.search_title`` / ``search_text``."""
    out: dict[str, None] = {}
    for text in texts:
        for tok in tokens(text):
            out[tok] = None
    return " " + " ".join(out) + " " if out else ""


@dataclass(frozen=True)
class Term:
    text: str
    prefix: bool  # a Latin word matches a token prefix; a Chinese bigram a whole token

    @property
    def like(self) -> str:
        """The padded pattern (without LIKE's %): ' 宽带 ' or ' rout'."""
        if len(self.text) == 1 and _CJK_RUN.fullmatch(self.text):
            return self.text  # one Chinese character: anywhere inside a token
        return f" {self.text}" if self.prefix else f" {self.text} "


def query_terms(query: str, limit: int = MAX_QUERY_TERMS) -> list[Term]:
    """The terms a search-box string is matched by, stop words dropped, at most ``limit``."""
    terms: list[Term] = []
    seen: set[str] = set()
    for tok in tokens(query):
        if tok in STOP_WORDS or tok in seen:
            continue
        seen.add(tok)
        terms.append(Term(tok, prefix=not _CJK_RUN.fullmatch(tok)))
        if len(terms) >= limit:
            break
    return terms


def _pattern(terms) -> re.Pattern | None:
    words = sorted({t.text for t in terms}, key=len, reverse=True)
    if not words:
        return None
    parts = []
    for w in words:
        if _CJK_RUN.fullmatch(w):
            parts.append(re.escape(w))
        else:
            parts.append(
                r"(?<![^\W_" + _CJK + r"])" + re.escape(w) + r"[^\W_" + _CJK + r"]*"
            )  # word prefix → whole word
    return re.compile("|".join(parts), re.IGNORECASE)


def _spans(text: str, terms) -> list[tuple[int, int]]:
    pattern = _pattern(terms)
    if pattern is None or not text:
        return []
    # NFKC keeps the length of the characters we match (CJK, ASCII); match on a same-length copy
    spans: list[tuple[int, int]] = []
    pos = 0
    while pos < len(text):
        m = pattern.search(text, pos)
        if not m:
            break
        if m.end() == m.start():
            pos += 1
            continue
        start, end = m.span()
        if spans and start <= spans[-1][1]:  # overlapping bigrams (宽带 + 带故) merge into one mark
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
        pos = start + 1 if _CJK_RUN.fullmatch(m.group(0)) else end
    return spans


def highlight(text: str, terms) -> SafeString:
    """``text`` HTML-escaped with every term match wrapped in ``<mark>``."""
    text = text or ""
    out, last = [], 0
    for start, end in _spans(text, terms):
        out.append(escape(text[last:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        last = end
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece escaped above


def snippet(text: str, terms, *, width: int = 160) -> SafeString:
    """A ``width``-character window of ``text`` around its densest matches, highlighted."""
    text = " ".join((text or "").split())
    spans = _spans(text, terms)
    if len(text) <= width:
        return highlight(text, terms)
    if spans:
        # the window (starting a little before some match) that holds the most matches
        best, best_count = 0, -1
        for s, _e in spans:
            start = max(0, s - width // 4)
            count = sum(1 for a, b in spans if a >= start and b <= start + width)
            if count > best_count:
                best, best_count = start, count
        start = best
    else:
        start = 0
    end = min(len(text), start + width)
    start = max(0, end - width)
    piece = highlight(text[start:end], terms)
    return mark_safe(("…" if start else "") + piece + ("…" if end < len(text) else ""))  # noqa: S308
