"""The words of a report: which text a project has, its language, its tokens
without punctuation, numbers, outline numbering and stop words (shipped in
``qdacore/text/data``), and keyword-in-context excerpts. Kept apart from the
page so that the report module holds the page and its sections."""
from __future__ import annotations

import html
import re
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

import pandas as pd

from . import text

if TYPE_CHECKING:  # pragma: no cover
    from .project import Project

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]")
LETTER = re.compile(r"[^\W\d_]")
WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*")
# tokens that number an outline rather than say something: 第三章, 一是, 二, iv, ① ...
NUMBERING = re.compile(
    r"(?:第?[零〇一二三四五六七八九十百千万两\d]+[章节条款篇部项点段是类个]?"
    r"|ii|iii|iv|vi|vii|viii|ix|xii|xiii|xiv|xv|xvi|xvii|xviii|xix|xx"
    r"|[\u2460-\u249b\u3220-\u3229]+)", re.IGNORECASE)
ELLIPSIS = "\u2026"
MAX_WIDTH = 40  # characters of context each side of an excerpt's word


@lru_cache(maxsize=4)
def stop_words(language: str) -> frozenset:
    """The stop words shipped in ``qdacore/text/data/stopwords-<language>.txt``."""
    data = resources.files("qdacore.text").joinpath("data").joinpath(f"stopwords-{language}.txt")
    return frozenset(line.strip() for line in data.read_text(encoding="utf-8").splitlines()
                     if line.strip() and not line.startswith("#"))


def corpus(project: Project) -> tuple[pd.Series, pd.Series, str]:
    """(texts, their documents, what they are): the items' text, or the
    documents' when the items carry none."""
    for frame, key, what in ((project.items, "item", "items"), (project.documents, "doc", "documents")):
        if "text" in frame.columns and len(frame):
            texts = frame.set_index(key)["text"]
            keep = texts.notna().to_numpy() & (texts.astype(str).str.strip() != "").to_numpy()
            if keep.any():
                doc = frame.set_index(key)["doc"] if key == "item" else \
                    pd.Series(texts.index, index=texts.index)
                return texts[keep].astype(str), doc[keep], what
    return pd.Series(dtype=object), pd.Series(dtype=object), ""


def language(texts: pd.Series) -> tuple[str, float]:
    """("zh" or "en", share of CJK characters among the letters) of a sample."""
    sample = "".join(texts.head(2_000).str.slice(0, 2_000).tolist())
    letters = len(LETTER.findall(sample))
    share = len(CJK.findall(sample)) / letters if letters else 0.0
    return ("zh" if share >= 0.3 else "en"), share


def tokens(texts: pd.Series, language: str,
            extra: Iterable[str]) -> tuple[pd.DataFrame, str, float]:
    """Tokens (``text`` position, ``token``) of the texts without punctuation,
    numbers, outline numbering and stop words; how they were cut; and the
    share of words (tokens with a letter) that are English stop words."""
    positions = pd.Series(texts.to_numpy(), index=pd.RangeIndex(len(texts)))
    if language == "zh":
        table = text.Segmenter.from_jieba().tokenize(positions)  # ImportError without jieba
        tokens = pd.DataFrame({"text": table["text"].to_numpy(),
                               "token": table["token"].astype(str).str.lower().to_numpy()})
        how = "words of jieba's dictionary (qdacore.text.Segmenter.from_jieba())"
    else:
        found = positions.str.findall(WORD).explode().dropna()
        tokens = pd.DataFrame({"text": found.index.to_numpy(),
                               "token": found.astype(str).str.lower().to_numpy()})
        how = "words of letters"
    english = stop_words("en")
    stop = stop_words("zh") | english | {str(w).lower() for w in extra}
    token = tokens["token"]
    words = token.str.contains(LETTER)
    share = float(token[words].isin(english).mean()) if words.any() else 0.0
    keep = (words & ~token.isin(stop) & ~token.str.fullmatch(NUMBERING)
            & ((token.str.len() >= 2) | token.str.contains(CJK)))
    return tokens[keep.to_numpy()].reset_index(drop=True), how, share


def excerpts(texts: pd.Series, words: list, width: int) -> str:
    """Keyword-in-context lines: at most two per word, ``width`` characters each
    side (at most 40), white space collapsed."""
    width = min(int(width), MAX_WIDTH)
    found = text.kwic(texts.tolist(), words, width=width, fold_case=True)
    if found.empty:
        return ""
    # a Latin word inside a longer word is not the word
    inside = found["left"].str.contains(r"[^\W\d_]$") & found["keyword"].str.match(r"[A-Za-z]") \
        | found["right"].str.contains(r"^[^\W\d_]") & found["keyword"].str.contains(r"[A-Za-z]$")
    found = found[~inside.to_numpy()]
    found = found.groupby("pattern", sort=False).head(2)
    order = {w: i for i, w in enumerate(words)}
    found = found.assign(rank=found["pattern"].map(order)).sort_values("rank", kind="stable")
    rows = "".join(
        f"<tr><td>{html.escape(w)}</td><td>{ELLIPSIS}{html.escape(' '.join(a.split()))}"
        f"<mark>{html.escape(k)}</mark>{html.escape(' '.join(b.split()))}{ELLIPSIS}</td></tr>"
        for w, a, k, b in zip(found["pattern"], found["left"], found["keyword"], found["right"]))
    return ("<h3>Excerpts</h3><table><tr><th>word</th><th>in context</th></tr>" + rows
            + "</table>")
