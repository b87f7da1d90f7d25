"""qdacore.text.Matcher and kwic against pyahocorasick (the peer, run here on
the same patterns and texts) and a pure-Python leftmost-longest oracle. Texts
and patterns are seeded synthetic data (tests/textcorpus.py)."""
from __future__ import annotations

import io
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

ahocorasick = pytest.importorskip("ahocorasick")

from qdacore import _core  # noqa: E402
from qdacore.text import MAX_MATCHES, Matcher, kwic  # noqa: E402

from textcorpus import jieba_corpus, jieba_words, latin_words  # noqa: E402


def make_patterns(n: int, seed: int, text: str) -> list[str]:
    """n patterns: dictionary words, substrings of the text (so they match),
    Latin words, and a few with NUL, astral characters and lone surrogates."""
    rng = np.random.default_rng(seed)
    words = jieba_words()
    pats = words["word"].sample(n // 2, random_state=seed).tolist()
    starts = rng.integers(0, len(text) - 8, size=n // 3)
    lengths = rng.integers(1, 7, size=n // 3)
    pats += [text[s:s + k] for s, k in zip(starts, lengths)]
    pats += latin_words(rng, n - len(pats) - 4).tolist()
    pats += ["a\x00b", "\x00", "😀城", "\ud800"]
    return pats


def peer_matches(patterns, texts):
    """pyahocorasick's matches as a set of (text, start, end, pattern)."""
    automaton = ahocorasick.Automaton()
    for p in set(patterns):
        automaton.add_word(p, p)
    automaton.make_automaton()
    return {(t, end + 1 - len(p), end + 1, p)
            for t, text in enumerate(texts) for end, p in automaton.iter(text)}


def our_matches(matcher, texts, overlapping=True):
    found = matcher.find(texts, overlapping=overlapping)
    return set(zip(found["text"], found["start"], found["end"], found["pattern"].astype(object)))


@pytest.fixture(scope="module")
def texts():
    text = jieba_corpus(seed=42, n_bytes=400_000)
    text += "a\x00b\x00 😀城 \ud800x"
    return [text[i:i + 5000] for i in range(0, len(text), 5000)]


@pytest.mark.parametrize("n", [500, 5_000, 50_000])
def test_overlapping_matches_equal_pyahocorasick(texts, n):
    patterns = make_patterns(n, seed=n, text="".join(texts))
    matcher = Matcher(patterns)
    ours = our_matches(matcher, texts)
    assert ours == peer_matches(patterns, texts)
    assert len(ours) > 1000
    # "no more memory": the automaton holds less than pyahocorasick's
    automaton = ahocorasick.Automaton()
    for i, p in enumerate(patterns):
        automaton.add_word(p, i)
    automaton.make_automaton()
    assert matcher.nbytes < automaton.get_stats()["total_size"]
    found = matcher.find_arrays(texts)
    order = np.lexsort((found["start"], found["end"], found["text"]))
    assert (order == np.arange(len(order))).all()  # by text, end, start


def test_wide_nodes_equal_pyahocorasick():
    """Synthetic fan-out: 3,000 first characters (the root's table), nodes with
    hundreds of children (the table of wide nodes' edges), astral and NUL
    characters, in text of those characters."""
    rng = np.random.default_rng(7)
    alphabet = ([chr(0x4E00 + 3 * k) for k in range(3000)] + ["\x00", "😀", "𠀀", "a", "A"])
    heads = alphabet[:300:3] + ["\x00", "😀"]
    patterns = alphabet[:3000:2] + [h + c for h in heads for c in alphabet[::11]]
    patterns += ["".join(rng.choice(heads, 3)) for _ in range(500)]
    text = "".join(rng.choice(heads + alphabet[:600], 60_000))
    texts = [text[:30_000], text[30_000:]]
    matcher = Matcher(patterns)
    ours = our_matches(matcher, texts)
    assert ours == peer_matches(patterns, texts)
    assert len(ours) > 30_000
    # leftmost-longest through the same wide nodes
    found = matcher.find(texts[0][:3000], overlapping=False)
    got = list(zip(found["start"], found["end"], found["pattern"].astype(object)))
    assert got == leftmost_longest(patterns, texts[0][:3000])


def leftmost_longest(patterns, text):
    """The oracle: from the left, the longest pattern starting at the first
    position where one starts; continue after it."""
    pset, longest = set(patterns), max(map(len, patterns))
    out, i = [], 0
    while i < len(text):
        for k in range(min(longest, len(text) - i), 0, -1):
            if text[i:i + k] in pset:
                out.append((i, i + k, text[i:i + k]))
                i += k
                break
        else:
            i += 1
    return out


@pytest.mark.parametrize("n", [500, 5_000, 50_000])
def test_leftmost_longest_equals_the_oracle(texts, n):
    patterns = make_patterns(n, seed=n + 1, text="".join(texts))
    found = Matcher(patterns).find(texts[:12], overlapping=False)
    for t, text in enumerate(texts[:12]):
        rows = found[found["text"] == t]
        got = list(zip(rows["start"], rows["end"], rows["pattern"].astype(object)))
        assert got == leftmost_longest(patterns, text)


def test_case_folding_equals_pyahocorasick_on_lowered_text():
    rng = np.random.default_rng(1)
    letters = np.array(list("abcXYZÀÉÖØÞàéöøþĀāĹĺŸÿＡＢａｂ中文 "))
    text = "".join(letters[rng.integers(0, len(letters), 20000)])
    patterns = list({"".join(letters[rng.integers(0, len(letters), int(k))]).strip() or "x"
                     for k in rng.integers(1, 4, 300)})
    ours = Matcher(patterns, fold_case=True).find(text)
    lowered = peer_matches([p.lower() for p in patterns], [text.lower()])
    got = {(t, s, e, p.lower()) for t, s, e, p in
           zip(ours["text"], ours["start"], ours["end"], ours["pattern"].astype(str))}
    assert got == lowered
    assert len(got) > 100


def test_folding_table_equals_python_lower():
    """qc_fold_latin is str.lower() on the blocks it covers (where lower() keeps
    one code point); checked through one-character patterns."""
    cps = [c for c in list(range(0x250)) + list(range(0xFF00, 0xFF60)) if c not in (0xD800,)]
    chars = [chr(c) for c in cps]
    expected = [ch.lower() if len(ch.lower()) == 1 else ch for ch in chars]
    if_covered = [c < 0x180 or 0xFF21 <= c <= 0xFF3A for c in cps]
    m = Matcher([e for e, cov in zip(expected, if_covered) if cov], fold_case=True)
    text = "".join(ch for ch, cov in zip(chars, if_covered) if cov)
    found = m.find(text)
    assert len(found) >= sum(if_covered)
    hits = found.groupby("start")["pattern"].apply(lambda s: set(s.astype(str)))
    for i, (ch, exp) in enumerate(zip([c for c, cov in zip(chars, if_covered) if cov],
                                      [e for e, cov in zip(expected, if_covered) if cov])):
        assert exp in hits.get(i, set()), (hex(ord(ch)), exp)


# The prefilter (qc/acmatch.c: skipping to where a pattern's first two code
# points, or a one-code-point pattern, occur): random pattern sets with shared
# prefixes over CJK, ASCII and foldable Latin alphabets, texts with sparse hits
# and with none, both modes, with and without folding, against pyahocorasick
# (overlapping) and the oracle above (leftmost-longest).
ALPHABETS = {
    "cjk": [chr(0x4E00 + 7 * k) for k in range(300)],
    "ascii": list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,"),
    # folding pairs of ASCII, Latin-1, Latin Extended-A and fullwidth letters
    # (lower() keeps one code point for each); 😀 makes the text 4 bytes wide
    "latin": list("abcXYZÀÉÖØÞàéöøþĀāĹĺŸÿＡＢａｂ中文 😀"),
}


def prefilter_case(alphabet: list[str], seed: int, singles: bool):
    """Patterns of 2-6 code points (some extending others, some sharing their
    first two), a text of the alphabet's other characters with patterns
    planted sparsely, and a text where no pattern can occur."""
    rng = np.random.default_rng(seed)
    pick = np.array(alphabet, dtype=object)
    # patterns use half of the alphabet; the rest is filler that starts nothing
    used, filler = pick[: len(pick) // 2], pick[len(pick) // 2:]
    pats = ["".join(rng.choice(used, int(k))) for k in rng.integers(2, 7, 60)]
    pats += [p + "".join(rng.choice(used, int(k))) for p, k in zip(pats[:20], rng.integers(1, 4, 20))]
    pats += [p[:2] + "".join(rng.choice(used, 2)) for p in pats[20:40]]  # shared first pair
    pats += [p[:-1] for p in pats[40:50] if len(p) > 2]                 # prefixes of others
    if singles:
        pats += list(rng.choice(used, 3))
    chunks = []
    for _ in range(400):
        chunks.append("".join(rng.choice(filler, int(rng.integers(5, 60)))))
        chunks.append(pats[int(rng.integers(len(pats)))])
        if rng.random() < 0.3:  # first code points of patterns alone
            chunks.append(str(rng.choice(used)))
    sparse = "".join(chunks)
    none = "".join(rng.choice(filler, 5000))
    return pats, [sparse, none, sparse[:1], sparse[:2], ""]


@pytest.mark.parametrize("singles", [False, True])
@pytest.mark.parametrize("alphabet", list(ALPHABETS))
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_prefilter_equals_pyahocorasick_and_the_oracle(alphabet, seed, singles):
    pats, texts = prefilter_case(ALPHABETS[alphabet], seed, singles)
    matcher = Matcher(pats)
    assert _core.matcher_info(matcher._m)[2]  # the prefilter is on
    found = matcher.find_arrays(texts)
    ours = our_matches(matcher, texts)
    assert ours == peer_matches(pats, texts)
    assert len(ours) == len(found["end"]) > 100
    assert not (found["text"] == 1).any()  # the text of filler holds no match
    for t, text in enumerate(texts):
        rows = matcher.find(text, overlapping=False)
        got = list(zip(rows["start"], rows["end"], rows["pattern"].astype(object)))
        assert got == leftmost_longest(pats, text), t


@pytest.mark.parametrize("singles", [False, True])
@pytest.mark.parametrize("alphabet", ["ascii", "latin"])
@pytest.mark.parametrize("seed", [3, 4])
def test_prefilter_with_folding_equals_pyahocorasick_on_lowered_text(alphabet, seed, singles):
    """Patterns in one case, texts in another: the prefilter holds every case
    of the patterns' first two code points."""
    pats, texts = prefilter_case(ALPHABETS[alphabet], seed, singles)
    swapped = [t.swapcase() for t in texts]
    matcher = Matcher(pats, fold_case=True)
    assert _core.matcher_info(matcher._m)[2]
    for text in texts + swapped:
        found = matcher.find(text)
        got = {(s, e, p.lower()) for s, e, p in
               zip(found["start"], found["end"], found["pattern"].astype(str))}
        assert len(got) == len(found)
        assert got == {(s, e, p) for _, s, e, p in peer_matches([p.lower() for p in pats],
                                                                [text.lower()])}
        rows = matcher.find(text, overlapping=False)
        got_longest = [(s, e, p.lower()) for s, e, p in
                       zip(rows["start"], rows["end"], rows["pattern"].astype(str))]
        assert got_longest == [(s, e, p) for s, e, p in
                               leftmost_longest([p.lower() for p in pats], text.lower())]
    assert len(matcher.find(swapped[0])) > 100


def test_prefilter_is_off_when_pairs_fill_its_table():
    """180,000 distinct first pairs would set a sixth of the largest table's
    bits: the automaton runs alone (results as ever)."""
    alphabet = [chr(0x4E00 + k) for k in range(900)]
    pats = [a + b for a in alphabet for b in alphabet[:200]]
    matcher = Matcher(pats)
    assert not _core.matcher_info(matcher._m)[2]
    text = "".join(np.random.default_rng(5).choice(alphabet, 3000))
    assert our_matches(matcher, [text]) == peer_matches(pats, [text])


def test_kwic_slices_are_the_texts_own():
    texts = pd.Series(["推进成渝地区双城经济圈建设", "", None, "双城经济圈"], index=["A", "B", "C", "D"])
    out = kwic(texts, ["双城经济圈", "成渝"], width=3)
    assert out["text"].tolist() == ["A", "A", "D"]
    for row in out.itertuples():
        text = texts[row.text]
        assert row.keyword == text[row.start:row.end]
        assert row.left == text[max(row.start - 3, 0):row.start]
        assert row.right == text[row.end:row.end + 3]


def test_bytes_texts_and_offsets_in_code_points():
    m = Matcher(["城市", "😀"])
    text = "😀城市é城市"
    a = m.find(text.encode("utf-8"))
    b = m.find(text)
    pd.testing.assert_frame_equal(a, b)
    assert [text[s:e] for s, e in zip(b["start"], b["end"])] == ["😀", "城市", "城市"]


BAD = [
    ("no patterns", lambda: Matcher([]), ValueError, ["patterns", "empty"]),
    ("empty pattern", lambda: Matcher(["a", ""]), ValueError, ["patterns[1]"]),
    ("pattern not str", lambda: Matcher(["a", 3]), TypeError, ["patterns[1]"]),
    ("one string", lambda: Matcher("abc"), TypeError, ["patterns"]),
    ("texts a number", lambda: Matcher(["a"]).find(3), TypeError, ["texts"]),
    ("texts item", lambda: Matcher(["a"]).find(["a", 3.5j]), TypeError, ["texts[1]"]),
    ("bad utf-8", lambda: Matcher(["a"]).find([b"\xe4\xb8"]), UnicodeDecodeError, []),
    ("kwic width", lambda: kwic(["a"], ["a"], width=-1), ValueError, ["width"]),
    ("texts a DataFrame", lambda: Matcher(["a"]).find(pd.DataFrame({"t": ["a"]})), TypeError, ["texts"]),
    ("max_matches negative", lambda: Matcher(["a"]).find("a", max_matches=-1), ValueError,
     ["max_matches"]),
    ("max_matches float", lambda: Matcher(["a"]).find("a", max_matches=1.0), TypeError,
     ["max_matches"]),
    ("max_matches bool", lambda: kwic("a", ["a"], max_matches=True), TypeError, ["max_matches"]),
    ("raw max_matches negative", lambda: _core.find(Matcher(["a"])._m, "a", True, -1),
     ValueError, ["max_matches"]),
]


@pytest.mark.parametrize("case", BAD, ids=[c[0] for c in BAD])
def test_bad_input_raises_a_named_exception(case):
    _, call, exc, words = case
    with pytest.raises(exc) as info:
        call()
    for word in words:
        assert word in str(info.value)


def test_empty_texts_give_no_matches():
    found = Matcher(["a"]).find(["", None])
    assert found.empty and list(found.columns) == ["text", "start", "end", "pattern"]


def test_max_matches_takes_exactly_as_many_as_pyahocorasick_finds():
    """Overlapping patterns over a run of one character: pyahocorasick counts
    the matches; that many pass, one fewer is refused in every find call."""
    patterns = ["城" * k for k in range(1, 40)]
    text = "城" * 500
    automaton = ahocorasick.Automaton()
    for k, p in enumerate(patterns):
        automaton.add_word(p, k)
    automaton.make_automaton()
    n = sum(1 for _ in automaton.iter(text))
    m = Matcher(patterns)
    assert len(m.find(text, max_matches=n)) == n
    assert len(m.find(text, max_matches=None)) == n
    for call in (lambda: m.find([text], max_matches=n - 1),
                 lambda: m.find_arrays(text, max_matches=n - 1),
                 lambda: kwic(text, m, overlapping=True, max_matches=n - 1),
                 lambda: list(m.find_stream(io.BytesIO(text.encode()), max_matches=n - 1))):
        with pytest.raises(ValueError, match=f"more than max_matches={n - 1} matches"):
            call()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the peak RSS Linux reports")
@pytest.mark.skipif("libasan" in os.environ.get("LD_PRELOAD", ""),
                    reason="under AddressSanitizer time and peak RSS are the sanitizer's")
def test_a_match_explosion_is_refused_fast_in_bounded_memory():
    """Issue 25's case: 199 overlapping patterns over a million equal
    characters hold about 2 x 10**8 matches (6 GB); the default bound refuses
    them within 2 s, the whole process staying under 600 MB (measured in a
    fresh interpreter: VmHWM is its peak; ru_maxrss would hold the peak of
    the pytest process that forked it)."""
    code = (
        "import time\n"
        "from qdacore.text import Matcher\n"
        "m = Matcher(['a' * k for k in range(1, 200)])\n"
        "t = time.perf_counter()\n"
        "try:\n"
        "    m.find('a' * 10**6)\n"
        "except ValueError as exc:\n"
        "    print(repr(str(exc)))\n"
        "print(time.perf_counter() - t)\n"
        "print(open('/proc/self/status').read().split('VmHWM:')[1].split()[0])\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120).stdout.splitlines()
    assert f"more than max_matches={MAX_MATCHES} matches" in out[0]
    assert "max_matches=None" in out[0]
    assert float(out[1]) < 2.0
    assert int(out[2]) < 600 * 1024  # KiB on Linux
