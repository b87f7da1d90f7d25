"""Writers and readers on one Segmenter and one Matcher from several threads.

The contract (docs/guide/text.md, "Sharing a Segmenter or a Matcher between
threads"): calls that read a Segmenter
(cut, tokenize, lookups) run in parallel; a call that changes its dictionary
needs it to itself, and a change that would overlap a read, or a read that
would overlap a change, raises RuntimeError instead of racing it. A Matcher
never changes once built, so any number of threads match with it at once.

Every result a reader gets is compared with a serial run; every writer call
either lands (its word is in the dictionary afterwards, with its frequency)
or raises the documented RuntimeError (its word is absent). The words the
writers add are made of characters the readers' texts do not contain and
carry frequency 0, so they change neither the total nor any reader's tokens.
`make asan` runs this file under AddressSanitizer; QDACORE_STRESS_ROUNDS sets
the number of rounds (100 there).

The texts are SYNTHETIC: dictionary words of jieba drawn by frequency
(tests/textcorpus.py).
"""
from __future__ import annotations

import os
import threading
import time

import numpy as np
import pandas as pd
import pytest

from qdacore import _core
from qdacore.text import Matcher, Segmenter

from textcorpus import jieba_corpus, jieba_words

ROUNDS = int(os.environ.get("QDACORE_STRESS_ROUNDS", "4"))
CALLS, WORDS = 10, 400  # each writer's calls and the words each adds (the trie grows)
READ_REFUSED = "is being changed in another thread"
WRITE_REFUSED = ("is segmenting in another thread", "is being changed in another thread")


def _private_words(n: int, offset: int) -> list[str]:
    """n distinct two-character words from the Hangul syllables block (the
    synthetic texts are Chinese), none of which the readers' texts hold."""
    base = 0xAC00 + 2 * offset
    return [chr(base + 2 * k) + chr(base + 2 * k + 1) for k in range(n)]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    corpus = jieba_corpus(seed=25, n_bytes=120_000)
    # pieces above the binding's GIL-release threshold (4096 code points), so
    # readers really run without the GIL while writers try their changes
    return [corpus[k:k + 6000] for k in range(0, len(corpus) - 6000, 6000)]


@pytest.fixture(scope="module")
def segmenter_bytes() -> bytes:
    words = jieba_words().head(20_000)
    lines = (words["word"] + " " + words["freq"].astype(str)).tolist()
    return ("\n".join(lines) + "\n").encode()


def _wait_until_refused(call, seconds: float = 10.0) -> RuntimeError:
    """Calls `call` until it raises RuntimeError (another thread holds the
    segmenter inside C) and returns that error; fails after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            call()
        except RuntimeError as exc:
            return exc
        time.sleep(0.001)
    pytest.fail("the other thread never held the segmenter")


def _run(workers) -> None:
    barrier = threading.Barrier(len(workers))
    errors: list[BaseException] = []

    def wrap(fn):
        def target():
            barrier.wait()
            try:
                fn()
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
        return target

    threads = [threading.Thread(target=wrap(fn)) for fn in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_segmenter_writers_and_readers(round_, texts, segmenter_bytes):
    seg = Segmenter(segmenter_bytes)
    expected_tokens = seg.tokenize(texts, hmm=False)
    expected_cut = [seg.cut(t, hmm=False) for t in texts[:4]]
    outcomes = {"read": 0, "read_refused": 0, "write": 0, "write_refused": 0}
    landed: dict[str, int] = {}
    lock = threading.Lock()

    def reader():
        for k in range(6):
            while True:  # a refused read is tried again: every read is checked
                try:
                    if k % 2:
                        got = seg.tokenize(texts, hmm=False)
                        pd.testing.assert_frame_equal(got, expected_tokens)
                    else:
                        assert [seg.cut(t, hmm=False) for t in texts[:4]] == expected_cut
                    break
                except RuntimeError as exc:
                    assert READ_REFUSED in str(exc), exc
                    with lock:
                        outcomes["read_refused"] += 1
                    time.sleep(0.001)
            with lock:
                outcomes["read"] += 1

    def writer(offset: int, how: str):
        def run():
            for k in range(CALLS):
                words = _private_words(WORDS, offset + WORDS * k)
                try:
                    if how == "load":  # the raw writer that runs without the GIL
                        _core.segmenter_load(seg._seg, "".join(f"{w} 0\n" for w in words).encode())
                    else:
                        seg.add_words(pd.DataFrame({"word": words, "freq": 0}))
                    outcome = "write"
                except RuntimeError as exc:
                    assert any(m in str(exc) for m in WRITE_REFUSED), exc
                    outcome = "write_refused"
                with lock:
                    outcomes[outcome] += 1
                    if outcome == "write":
                        landed.update(dict.fromkeys(words, 0))
        return run

    _run([reader, reader, writer(0, "load"), writer(10_000, "add")])

    assert outcomes["read"] == 12
    assert outcomes["write"] + outcomes["write_refused"] == 2 * CALLS
    tried = _private_words(WORDS * CALLS, 0) + _private_words(WORDS * CALLS, 10_000)
    table = seg.frequencies(tried)
    assert table.loc[table["freq"] >= 0, "freq"].to_dict() == landed
    # nothing the writers did changed what the readers see
    pd.testing.assert_frame_equal(seg.tokenize(texts, hmm=False), expected_tokens)


def test_a_writer_claims_the_segmenter_after_converting_its_arguments(segmenter_bytes):
    """A change whose arguments take time to convert (here a words list whose
    iteration lets another thread start a long read) must look for readers
    after the conversion, not before: it is refused, and the read is right."""
    seg = Segmenter(segmenter_bytes)
    big = [jieba_corpus(seed=26, n_bytes=1_000_000)] * 40  # about 1 s to tokenize
    expected = seg.tokenize(big, hmm=False)
    reading, got = threading.Event(), []

    def read():
        reading.set()
        got.append(seg.tokenize(big, hmm=False))

    reader = threading.Thread(target=read)

    class WordsThatStartARead(list):
        def __iter__(self):
            reader.start()
            reading.wait(5)
            _wait_until_refused(lambda: _core.segmenter_words(
                seg._seg, [], np.array([], np.int64), None, "put"))  # the reader is inside C
            return super().__iter__()

    with pytest.raises(RuntimeError, match="is segmenting in another thread"):
        _core.segmenter_words(seg._seg, WordsThatStartARead(["가나"]), np.array([0]), None, "put")
    reader.join()
    for column in ("text", "start", "end"):
        np.testing.assert_array_equal(got[0][column], expected[column])
    np.testing.assert_array_equal(got[0]["token"].cat.codes, expected["token"].cat.codes)
    assert seg.frequencies(["가나"])["freq"].tolist() == [-1]


def test_a_read_during_a_long_change_is_refused(texts):
    """The other direction: a dictionary load runs without the GIL; a read
    that starts meanwhile is refused instead of walking a trie being grown."""
    seg = Segmenter(b"\xe5\x9f\x8e\xe5\xb8\x82 3\n")  # 城市
    words = [chr(0x4E00 + k % 20_000) + chr(0x4E00 + k // 20_000) + chr(0xAC00 + k % 9_000)
             for k in range(1_000_000)]
    data = "".join(f"{w} 1\n" for w in words).encode()  # about 1 s to load
    loading = threading.Event()

    def load():
        loading.set()
        _core.segmenter_load(seg._seg, data)

    loader = threading.Thread(target=load)
    loader.start()
    loading.wait(5)
    refused = _wait_until_refused(lambda: seg.cut(texts[0], hmm=False))
    loader.join()
    assert READ_REFUSED in str(refused)
    assert seg.frequencies(words[-1])["freq"].tolist() == [1]


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_matcher_shared_by_threads_while_others_are_built(round_, texts, segmenter_bytes):
    seg = Segmenter(segmenter_bytes)
    words = sorted({w for t in texts[:3] for w in seg.cut(t, hmm=False) if len(w) > 1})[:300]
    matcher = Matcher(words)
    expected = matcher.find(texts)
    expected_longest = matcher.find(texts, overlapping=False)
    results: list[pd.DataFrame] = []
    lock = threading.Lock()

    def reader():
        for k in range(4):
            got = matcher.find(texts, overlapping=bool(k % 2))
            with lock:
                results.append((bool(k % 2), got))

    def builder():
        for k in range(4):
            other = Matcher(words[k::4])
            assert len(other) == len(words[k::4])

    _run([reader, reader, reader, builder])
    assert len(results) == 12
    for overlapping, got in results:
        pd.testing.assert_frame_equal(got, expected if overlapping else expected_longest)
