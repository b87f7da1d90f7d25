"""Seeded synthetic corpora for the text tests and benchmarks (not data).

``jieba_corpus`` draws words from jieba's dictionary in proportion to their
frequencies and mixes in Latin words, numbers, punctuation, white space,
characters outside jieba's blocks (CJK extension A, emoji, fullwidth digits)
and lone surrogates, so every branch of jieba's block splitting is exercised.
"""
from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd

EXTRAS = np.array([
    "，", "。", "、", "；", "：", "！", "？", "（", "）", "“", "”", "《", "》",
    ",", ".", "-", "+", "#", "&", "_", "%", "++", "--", "...", "/", "(", ")",
    " ", "  ", "\t", "\n", "\r\n", "\r", "\u3000", "\xa0",
    "C++", "AT&T", "c#", "B超", "T恤", "3.14", "12%", "1.5.3", "v2", "x_1", "a-b",
    "2035年", "5G", "GDP", "iPhone", "ABC", "中国2021", "１２", "㐀", "😀", "Ω", "é",
    "\ud800", "〇", "ー",
], dtype=object)


def jieba_words() -> pd.DataFrame:
    """jieba's dict.txt as (word, freq, tag)."""
    path = resources.files("jieba").joinpath("dict.txt")
    with path.open("rb") as f:
        return pd.read_csv(f, sep=" ", header=None, names=["word", "freq", "tag"],
                           dtype={"word": str, "tag": str}, keep_default_na=False,
                           quoting=3, encoding="utf-8")


def latin_words(rng: np.random.Generator, n: int) -> np.ndarray:
    letters = np.array(list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"))
    lengths = rng.integers(1, 9, size=n)
    flat = letters[rng.integers(0, len(letters), size=int(lengths.sum()))]
    ends = np.cumsum(lengths)
    joined = "".join(flat)
    return np.array([joined[e - k:e] for e, k in zip(ends, lengths)], dtype=object)


def jieba_corpus(seed: int, n_bytes: int, user_words=()) -> str:
    """About n_bytes of UTF-8: dictionary words by frequency (and user_words),
    with one extra piece (punctuation, Latin, numbers, ...) every few words."""
    rng = np.random.default_rng(seed)
    words = jieba_words()
    p = words["freq"].to_numpy(float)
    n = n_bytes // 4
    pieces = words["word"].to_numpy(object)[rng.choice(len(words), size=n, p=p / p.sum())]
    slots = rng.random(n)
    extra = slots < 0.25
    pieces[extra] = EXTRAS[rng.integers(0, len(EXTRAS), size=int(extra.sum()))]
    latin = slots > 0.96
    pieces[latin] = latin_words(rng, int(latin.sum()))
    if len(user_words):
        user = (slots > 0.25) & (slots < 0.27)
        pieces[user] = np.asarray(user_words, dtype=object)[rng.integers(0, len(user_words), size=int(user.sum()))]
    return "".join(pieces)
