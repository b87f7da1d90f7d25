"""qdacore.text.Segmenter against its peer, jieba 0.42.1, run in the test on
the same input (a seeded synthetic corpus from tests/textcorpus.py, built from
jieba's own dictionary frequencies: synthetic, not data)."""
from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import pytest

jieba = pytest.importorskip("jieba")
finalseg = pytest.importorskip("jieba.finalseg")

from qdacore.text import Segmenter  # noqa: E402

from textcorpus import jieba_corpus, jieba_words  # noqa: E402

jieba.setLogLevel(60)

# Words added to both segmenters, in this order: (word, freq or None, tag or None);
# freq 0 is jieba's del_word.
USER_WORDS = [
    ("成渝地区双城经济圈", None, "ns"), ("一核多极", None, None), ("副中心", 3000, "n"),
    ("高质量发展", 20000, None), ("城市群", None, None), ("中国", 0, None), ("我们", 0, None),
    ("的确", 0, None), ("Python3", 5, "eng"), ("c++", 0, None), ("滇中", 800, "ns"),
    ("黔中城市群", None, None), ("北部湾", 0, None), ("北部湾", 50, None), ("数字经济", 7, None),
]
CORPUS_WORDS = [w for w, _, _ in USER_WORDS]


@pytest.fixture
def isolated_force_split():
    """jieba keeps its force-split list (filled by del_word) module-global; give
    every test a clean one and restore it afterwards."""
    saved = set(finalseg.Force_Split_Words)
    finalseg.Force_Split_Words.clear()
    yield
    finalseg.Force_Split_Words.clear()
    finalseg.Force_Split_Words.update(saved)


def with_user_words(tokenizer, seg):
    for word, freq, tag in USER_WORDS:
        tokenizer.add_word(word, freq, tag)
        seg.add_word(word, freq, tag=tag)


@pytest.fixture
def pair(isolated_force_split):
    """A fresh jieba Tokenizer and a Segmenter with the same dictionary, HMM
    and user words."""
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    seg = Segmenter.from_jieba()
    with_user_words(tokenizer, seg)
    return tokenizer, seg


@pytest.fixture(scope="module")
def corpus_5mb():
    text = jieba_corpus(seed=20240611, n_bytes=5_000_000, user_words=CORPUS_WORDS)
    assert len(text.encode("utf-8", "surrogatepass")) >= 5_000_000
    return text


def first_difference(ours, theirs):
    for i, (a, b) in enumerate(zip(ours, theirs)):
        if a != b:
            return i, ours[max(i - 3, 0):i + 3], theirs[max(i - 3, 0):i + 3]
    return min(len(ours), len(theirs)), ours[-3:], theirs[-3:]


def test_cut_equals_jieba_without_hmm_on_5mb(pair, corpus_5mb):
    tokenizer, seg = pair
    ours = seg.cut(corpus_5mb, hmm=False)
    theirs = tokenizer.lcut(corpus_5mb, HMM=False)
    assert ours == theirs, first_difference(ours, theirs)
    assert len(ours) > 500_000


def test_cut_equals_jieba_with_hmm_on_5mb(pair, corpus_5mb):
    tokenizer, seg = pair
    ours = seg.cut(corpus_5mb, hmm=True)
    theirs = tokenizer.lcut(corpus_5mb, HMM=True)
    assert ours == theirs, first_difference(ours, theirs)


def test_cut_all_equals_jieba_full_mode(pair):
    tokenizer, seg = pair
    text = jieba_corpus(seed=7, n_bytes=600_000, user_words=CORPUS_WORDS)
    theirs = [w for w in tokenizer.lcut(text, cut_all=True) if w]  # jieba emits '' between spaces
    assert seg.cut_all(text) == theirs


@pytest.mark.parametrize("hmm", [False, True])
def test_tokenize_matches_jieba_tokenize_text_by_text(pair, hmm):
    tokenizer, seg = pair
    text = jieba_corpus(seed=11, n_bytes=200_000, user_words=CORPUS_WORDS)
    # object dtype: with pyarrow installed, pandas' default strings cannot hold
    # the corpus' lone surrogates
    texts = pd.Series(text.split("。"), index=[f"T:{i}" for i in range(text.count("。") + 1)],
                      dtype=object)
    ours = seg.tokenize(texts, hmm=hmm)
    theirs = pd.DataFrame(
        [(label, w, s, e) for label, t in texts.items() for w, s, e in tokenizer.tokenize(t, HMM=hmm)],
        columns=["text", "token", "start", "end"], dtype=object)
    assert ours["text"].tolist() == theirs["text"].tolist()
    assert ours["token"].astype(object).tolist() == theirs["token"].tolist()
    assert ours["start"].tolist() == theirs["start"].tolist()
    assert ours["end"].tolist() == theirs["end"].tolist()
    assert ours["token"].cat.categories.is_unique
    # the token column is built without pandas' checks; it must be the very
    # object pandas' public constructor makes
    token = ours["token"].array
    public = pd.Categorical.from_codes(token.codes.astype(np.int64),
                                       categories=pd.Index(token.categories.tolist(), dtype=object))
    assert token.codes.dtype == public.codes.dtype
    assert token.dtype == public.dtype
    pd.testing.assert_extension_array_equal(token, public)


def test_dictionary_state_equals_jieba_after_user_words(pair):
    tokenizer, seg = pair
    assert seg.total == tokenizer.total
    rng = np.random.default_rng(5)
    words = jieba_words()["word"].sample(2000, random_state=5).tolist()
    probes = words + CORPUS_WORDS + [w[:1] for w in words[:200]] + ["不在词典里", "x"]
    ours = seg.frequencies(probes)["freq"].tolist()
    theirs = [tokenizer.FREQ.get(w, -1) for w in probes]
    assert ours == theirs
    assert seg.frequencies(["副中心"])["tag"].item() == tokenizer.user_word_tag_tab["副中心"]
    for word in rng.choice(words, 200).tolist() + ["城市群发展", "中国制造2025", "今天天气"]:
        assert seg.suggest_freq(word) == tokenizer.suggest_freq(word)
    for parts in [("今天", "天气"), ("城市", "群"), ("高质量", "发展"), ("中", "将")]:
        assert seg.suggest_freq(parts) == tokenizer.suggest_freq(parts)


def test_suggest_freq_tune_and_del_word_change_cuts_like_jieba(pair):
    tokenizer, seg = pair
    sentence = "如果放到post中将出错。今天天气不错，我们中出了一个叛徒"
    for parts in [("中", "将"), ("今天", "天气"), "中出"]:
        assert seg.suggest_freq(parts, tune=True) == tokenizer.suggest_freq(parts, tune=True)
    seg.del_word("叛徒")
    tokenizer.del_word("叛徒")
    for hmm in (False, True):
        assert seg.cut(sentence, hmm=hmm) == tokenizer.lcut(sentence, HMM=hmm)


def test_load_userdict_equals_jieba(pair, tmp_path):
    tokenizer, seg = pair
    path = tmp_path / "user.txt"
    path.write_text("\ufeff云计算 5\n创新办 3 i\n凱特琳 nz\n台中\n\n  a b c  \nx 1 2\n12 ab\n韩玉赏鉴 1 nz\n",
                    encoding="utf-8")
    tokenizer.load_userdict(str(path))
    seg.load_userdict(path)
    probes = ["云计算", "创新办", "凱特琳", "台中", "a b c", "a b", "x 1", "12", "韩玉赏鉴"]
    assert seg.frequencies(probes)["freq"].tolist() == [tokenizer.FREQ.get(w, -1) for w in probes]
    assert seg.total == tokenizer.total
    text = "李小福是创新办主任也是云计算方面的专家; 什么是八一双鹿凱特琳台中韩玉赏鉴"
    assert seg.cut(text) == tokenizer.lcut(text)


def test_a_dataframe_dictionary_equals_its_file(tmp_path):
    words = pd.DataFrame({"word": ["城市", "城市群", "发展", "城市", "规划"],
                          "freq": [5, 4, 8, 7, 3], "tag": ["n", None, "v", "n", "n"]})
    path = tmp_path / "dict.txt"
    path.write_text("城市 5 n\n城市群 4\n发展 8 v\n城市 7 n\n规划 3 n\n", encoding="utf-8")
    a, b = Segmenter(words), Segmenter(path)
    probes = ["城市", "城市群", "城", "发展", "规划"]
    assert a.frequencies(probes).equals(b.frequencies(probes))
    assert a.total == b.total == 27 and len(a) == len(b) == 4
    tokenizer = jieba.Tokenizer(str(path))
    text = "城市群发展规划，城市发展"
    assert a.cut(text, hmm=False) == b.cut(text, hmm=False) == tokenizer.lcut(text, HMM=False)


def test_bytes_and_str_give_the_same_tokens(pair):
    _, seg = pair
    text = jieba_corpus(seed=3, n_bytes=50_000).replace("\ud800", "")
    assert seg.cut(text.encode("utf-8")) == seg.cut(text)
    by_bytes = seg.tokenize([text.encode("utf-8"), None, b""])
    by_str = seg.tokenize([text, None, ""])
    pd.testing.assert_frame_equal(by_bytes, by_str)


def test_invalid_utf8_raises_like_pythons_decoder():
    seg = Segmenter(pd.DataFrame({"word": ["中"], "freq": [1]}))
    rng = np.random.default_rng(0)
    cases = [b"\xff", b"ab\xe4\xb8", b"\xe4x", b"\xe4\xb8x", b"\xc0\x80", b"\xed\xa0\x80",
             b"\xf4\x90\x80\x80", b"\xf0\x9f\x98", "中文".encode() + b"\x80"]
    cases += [bytes(rng.integers(0, 256, size=int(rng.integers(1, 12)), dtype=np.uint8))
              for _ in range(300)]
    for data in cases:
        try:
            data.decode("utf-8")
            continue
        except UnicodeDecodeError as err:
            expected = (err.start, err.end, err.reason)
        with pytest.raises(UnicodeDecodeError) as info:
            seg.cut(data)
        assert (info.value.start, info.value.end, info.value.reason) == expected, data
        with pytest.raises(UnicodeDecodeError) as info:
            seg.tokenize(["ok", data])
        assert info.value.start == expected[0]
        assert "texts[1]" in "".join(getattr(info.value, "__notes__", ["texts[1]"]))


def test_threads_tokenize_in_parallel_with_the_same_result(pair):
    _, seg = pair
    texts = jieba_corpus(seed=9, n_bytes=400_000).split("\n")
    expected = seg.tokenize(texts)
    results = [None, None]

    def work(i):
        results[i] = seg.tokenize(texts)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r in results:
        pd.testing.assert_frame_equal(r, expected)


BAD = [
    ("dictionary type", lambda: Segmenter(123), TypeError, ["dictionary"]),
    ("dictionary missing file", lambda: Segmenter("/nonexistent/dict.txt"), FileNotFoundError, ["dictionary"]),
    ("dictionary without freq", lambda: Segmenter(pd.DataFrame({"word": ["a"]})), ValueError, ["freq"]),
    ("negative freq", lambda: Segmenter(pd.DataFrame({"word": ["a"], "freq": [-1]})), ValueError, ["freq"]),
    ("fractional freq", lambda: Segmenter(pd.DataFrame({"word": ["a"], "freq": [1.5]})), ValueError, ["freq"]),
    ("empty word", lambda: Segmenter(pd.DataFrame({"word": [""], "freq": [1]})), ValueError, ["word"]),
    ("bad dictionary line", lambda: Segmenter(b"ok 1\nbroken\n"), ValueError, ["line 2"]),
    ("bad dictionary freq", lambda: Segmenter(b"ok x1\n"), ValueError, ["line 1"]),
    ("bad dictionary utf-8", lambda: Segmenter(b"ok 1\n\xff 2\n"), UnicodeDecodeError, []),
    ("hmm without tables", lambda: Segmenter(b"a 1").cut("a", hmm=True), ValueError, ["hmm"]),
    ("empty dictionary", lambda: Segmenter().cut("a", hmm=False), ValueError, ["dictionary"]),
    ("bad hmm_model", lambda: Segmenter(hmm_model={"start": {}}), ValueError, ["hmm_model"]),
    ("cut of a list", lambda: Segmenter(b"a 1").cut(["a"], hmm=False), TypeError, ["text"]),
    ("tokenize of a number", lambda: Segmenter(b"a 1").tokenize(5, hmm=False), TypeError, ["texts"]),
    ("tokenize item", lambda: Segmenter(b"a 1").tokenize(["a", 5], hmm=False), TypeError, ["texts[1]"]),
    ("add_word empty", lambda: Segmenter(b"a 1").add_word(""), ValueError, ["word"]),
    ("add_word negative", lambda: Segmenter(b"a 1").add_word("b", -2), ValueError, ["freq"]),
    ("add_word float", lambda: Segmenter(b"a 1").add_word("b", 2.5), TypeError, ["freq"]),
    ("suggest of nothing", lambda: Segmenter(b"a 1").suggest_freq([]), TypeError, ["segment"]),
]


@pytest.mark.parametrize("case", BAD, ids=[c[0] for c in BAD])
def test_bad_input_raises_a_named_exception(case):
    _, call, exc, words = case
    with pytest.raises(exc) as info:
        call()
    for word in words:
        assert word in str(info.value)


def test_empty_and_odd_texts():
    seg = Segmenter(b"\xe4\xb8\xad 1")  # one word
    assert seg.cut("", hmm=False) == [] == list(jieba.Tokenizer().cut("", HMM=False))
    assert seg.tokenize([], hmm=False).empty
    assert seg.cut("\ud800\x00中", hmm=False) == ["\ud800", "\x00", "中"]
