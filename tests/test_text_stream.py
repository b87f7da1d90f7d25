"""Huge inputs: files read in pieces (qdacore.text.read_chunks) give the same
tokens and matches as the whole text, in bounded memory. Seeded synthetic
text (tests/textcorpus.py)."""
from __future__ import annotations

import gc
import os
import sys

import numpy as np
import pandas as pd
import pytest

from qdacore.text import Matcher, Segmenter, read_chunks

from textcorpus import jieba_corpus

pytest.importorskip("jieba")


@pytest.fixture(scope="module")
def text():
    return jieba_corpus(seed=5, n_bytes=120_000).replace("\ud800", "")


def test_pieces_cover_the_file_and_cut_after_line_breaks(tmp_path, text):
    path = tmp_path / "t.txt"
    path.write_bytes(text.encode("utf-8"))
    pieces = list(read_chunks(path, chunk_size=997))  # cuts inside multi-byte characters
    assert "".join(p for _, p in pieces) == text
    assert [o for o, _ in pieces] == list(np.cumsum([0] + [len(p) for _, p in pieces[:-1]]))
    assert all(p.endswith("\n") for _, p in pieces[:-1])


def test_streamed_tokens_and_matches_equal_the_whole(tmp_path, text):
    path = tmp_path / "t.txt"
    path.write_bytes(text.encode("utf-8"))
    seg = Segmenter.from_jieba()
    whole = seg.tokenize(text).drop(columns="text")
    streamed = pd.concat(list(seg.tokenize_stream(path, chunk_size=4096)), ignore_index=True)
    assert streamed["token"].astype(str).tolist() == whole["token"].astype(str).tolist()
    assert streamed["start"].tolist() == whole["start"].tolist()
    m = Matcher(["城市", "发展", "中国", "C++", "12%"])
    for overlapping in (True, False):
        a = m.find(text, overlapping=overlapping).drop(columns="text")
        b = pd.concat(list(m.find_stream(str(path), overlapping=overlapping, chunk_size=3000)), ignore_index=True)
        pd.testing.assert_frame_equal(a, b)


def test_bad_bytes_in_a_file_report_the_file_offset(tmp_path):
    data = ("第一行\n" * 1000).encode() + b"\xe4\xb8" + "后面\n".encode()
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(UnicodeDecodeError) as info:
        for _ in read_chunks(path, chunk_size=100):
            pass
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        assert f"file byte {err.start}" in str(info.value)
    with pytest.raises(ValueError, match="line break"):
        Matcher(["a\nb"]).find_stream(path)


def _status(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(field)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads peak RSS from /proc")
@pytest.mark.skipif("libasan" in os.environ.get("LD_PRELOAD", ""),
                    reason="under AddressSanitizer the peak RSS holds its quarantine of freed "
                           "memory and its shadow, not what qdacore keeps")
def test_a_48_mb_file_streams_in_bounded_memory(tmp_path, text):
    block = (text.replace("\r", "") + "\n").encode("utf-8")
    path = tmp_path / "huge.txt"
    with open(path, "wb") as f:
        for _ in range(48_000_000 // len(block) + 1):
            f.write(block)
    size = path.stat().st_size
    m = Matcher(["城市", "发展", "中国"])
    gc.collect()
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    before = _status("VmRSS")
    total = sum(len(frame) for frame in m.find_stream(path, chunk_size=1 << 20))
    grown = _status("VmHWM") - before
    expected = len(m.find(text.replace("\r", "") + "\n")) * (48_000_000 // len(block) + 1)
    assert total == expected
    assert size >= 48_000_000
    # bounded by the chunk, not the file: the decoded file alone would take
    # more than 30 MiB as a str
    assert grown < 24 * 2**20, f"peak grew by {grown / 2**20:.0f} MiB for a {size / 2**20:.0f} MiB file"
