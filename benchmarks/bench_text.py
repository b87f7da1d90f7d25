"""Text engine benchmark: qdacore.text against its peers, same data, same run.

    python benchmarks/bench_text.py --mb 5 --write docs/benchmarks.md

Data: a seeded synthetic corpus (``tests/textcorpus.py``): words drawn from
jieba's dictionary by frequency, mixed with Latin words, numbers, punctuation
and white space. Every task checks that both sides give the same answer.

* segmentation: ``Segmenter.cut`` against ``jieba.Tokenizer.lcut`` (both
  return a list of str), without and with the HMM;
* matching: ``Matcher.find_arrays`` against pyahocorasick's ``iter`` (listed),
  500 to 50,000 patterns; memory is the automaton's size (``Matcher.nbytes``
  against pyahocorasick's ``get_stats()['total_size']``);
* character 1-2-gram term matrix: ``term_matrix(..., "char", ngram_range=(1, 2))``
  against scikit-learn's ``CountVectorizer(analyzer="char")``;
* window co-word counts (window 5 over word tokens): the C kernel
  (``cooccurrence`` on a tokens table; sparse rows out, as scipy's CSR) against
  numpy/scipy implementations
  over the same token ids (the pair occurrences of each offset, counted by
  ``np.unique`` of pair keys or by summing a scipy COO matrix into CSR; the
  faster of the two is the peer);
* term matrix and co-words run on every CPU by default (``threads=None``);
  their notes give the one-thread time as well;
* threads: ``Segmenter.tokenize`` of the corpus's lines, the two halves in two
  threads against one thread doing both.
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(ROOT / "tests"))
from _report import machine, write_section  # noqa: E402
from textcorpus import jieba_corpus, jieba_words, latin_words  # noqa: E402

import qdacore.text as qt  # noqa: E402
from qdacore._validate import threads as default_threads  # noqa: E402

THREADS = default_threads(None)  # what term_matrix and cooccurrence use by default


ROUNDS = 3  # alternating rounds of qdacore and its peers per row


def timed(fn, repeat: int, warm: bool = True) -> float:
    """Median wall time of repeat calls after one untimed call: a first call
    in the process pays for memory the allocator has not mapped yet (for the
    term matrix on two threads, 2-3x the later calls), on both sides."""
    if warm:
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def compare(ours_fn, peer_fns, repeat: int, peer_repeat: int) -> tuple[float, list[float]]:
    """Medians over ROUNDS rounds, each timing qdacore (median of repeat
    calls) and then every peer (median of peer_repeat calls), after one
    untimed call of each. The rounds alternate the sides, so drifts in the
    speed of the shared machine fall on both rather than on one row's side."""
    ours_fn()
    for fn in peer_fns:
        fn()
    ours, theirs = [], [[] for _ in peer_fns]
    for _ in range(ROUNDS):
        ours.append(timed(ours_fn, repeat, warm=False))
        for fn, times in zip(peer_fns, theirs):
            times.append(timed(fn, peer_repeat, warm=False))
    return statistics.median(ours), [statistics.median(t) for t in theirs]


def bench_segmentation(text, repeat):
    import jieba

    jieba.setLogLevel(60)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    seg = qt.Segmenter.from_jieba()
    rows = []
    for hmm in (False, True):
        assert seg.cut(text, hmm=hmm) == tokenizer.lcut(text, HMM=hmm)
        ours, (theirs,) = compare(lambda: seg.cut(text, hmm=hmm),
                                  [lambda: tokenizer.lcut(text, HMM=hmm)], repeat, 1)
        rows.append((f"segmentation `cut(hmm={hmm})` vs jieba `lcut(HMM={hmm})`", ours, theirs,
                     30 if not hmm else 20, ""))
    return rows


def patterns_for(n, text, seed):
    rng = np.random.default_rng(seed)
    pats = jieba_words()["word"].sample(n // 2, random_state=seed).tolist()
    starts = rng.integers(0, len(text) - 8, size=n // 3)
    lengths = rng.integers(2, 7, size=n // 3)
    pats += [text[s:s + k] for s, k in zip(starts, lengths)]
    pats += latin_words(rng, n - len(pats)).tolist()
    return list(dict.fromkeys(pats))


def bench_matching(text, repeat):
    import ahocorasick

    rows = []
    for n in (500, 5_000, 50_000):
        pats = patterns_for(n, text, n)
        automaton = ahocorasick.Automaton()
        for i, p in enumerate(pats):
            automaton.add_word(p, i)
        automaton.make_automaton()
        matcher = qt.Matcher(pats)
        found = matcher.find_arrays(text)
        peer = list(automaton.iter(text))
        assert len(peer) == len(found["end"])
        assert set(zip(found["end"] - 1, found["pattern"])) == set(peer)
        ours, (theirs,) = compare(lambda: matcher.find_arrays(text),
                                  [lambda: list(automaton.iter(text))], repeat,
                                  max(1, repeat // 2))
        mem_ours, mem_theirs = matcher.nbytes, automaton.get_stats()["total_size"]
        rows.append((f"matching, {len(pats):,} patterns ({len(peer):,} matches) vs pyahocorasick",
                     ours, theirs, 10,
                     f"automaton {mem_ours / 2**10:,.0f} KiB vs {mem_theirs / 2**10:,.0f} KiB "
                     f"({mem_ours / mem_theirs:.2f}x)"))
    return rows


def bench_terms(lines, repeat):
    from sklearn.feature_extraction.text import CountVectorizer

    cv = CountVectorizer(analyzer="char", ngram_range=(1, 2), lowercase=False)
    theirs_m = cv.fit_transform(lines)
    ours_m = qt.term_matrix(lines, "char", ngram_range=(1, 2))
    assert ours_m.terms.tolist() == cv.get_feature_names_out().tolist()
    assert (ours_m.matrix != theirs_m).nnz == 0
    ours, (theirs,) = compare(lambda: qt.term_matrix(lines, "char", ngram_range=(1, 2)),
                              [lambda: cv.fit_transform(lines)], repeat, 1)
    one = timed(lambda: qt.term_matrix(lines, "char", ngram_range=(1, 2), threads=1), repeat)
    return [("character 1-2-gram term matrix vs scikit-learn `CountVectorizer`", ours, theirs, 30,
             f"{ours_m.matrix.shape[1]:,} terms, {ours_m.matrix.nnz:,} non-zeros; "
             f"{THREADS} threads (the default); `threads=1`: {one * 1e3:.0f} ms, "
             f"{theirs / one:.1f}x")]


def window_pair_occurrences(indptr, ids, window):
    """Every pair of positions (i, i+d), d < window, inside one text whose ids
    differ, as (lower id, higher id) arrays."""
    doc = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
    lows, highs = [], []
    for d in range(1, window):
        a, b = ids[:-d], ids[d:]
        ok = (doc[:-d] == doc[d:]) & (a != b)
        lows.append(np.minimum(a[ok], b[ok]))
        highs.append(np.maximum(a[ok], b[ok]))
    return np.concatenate(lows), np.concatenate(highs)


def numpy_window_pairs(indptr, ids, n_vocab, window):
    """Window co-word counts with numpy: pair keys min * V + max counted by
    np.unique."""
    lo, hi = window_pair_occurrences(indptr, ids, window)
    uniq, counts = np.unique(lo * n_vocab + hi, return_counts=True)
    return uniq // n_vocab, uniq % n_vocab, counts


def scipy_window_pairs(indptr, ids, n_vocab, window):
    """Window co-word counts with scipy.sparse: a COO matrix of ones summed
    into CSR (duplicates added)."""
    import scipy.sparse as sp

    lo, hi = window_pair_occurrences(indptr, ids, window)
    m = sp.coo_matrix((np.ones(len(lo), dtype=np.int64), (lo, hi)), shape=(n_vocab, n_vocab))
    m = m.tocsr()
    m.sum_duplicates()
    return m


def bench_cooccurrence(lines, seg, repeat):
    from qdacore import _core

    tokens = seg.tokenize(lines)
    indptr = np.r_[0, np.cumsum(tokens.groupby("text", sort=False).size().reindex(range(len(lines)),
                                                                                  fill_value=0))]
    ids = tokens["token"].cat.codes.to_numpy(np.int64)
    n_vocab = len(tokens["token"].cat.categories)
    row_start, b, c = _core.count_pairs(indptr, ids, n_vocab, None, 5, THREADS)
    a = np.repeat(np.arange(n_vocab), np.diff(row_start))
    ra, rb, rc = numpy_window_pairs(indptr, ids, n_vocab, 5)
    ours_set = dict(zip(zip(a, b), c))
    assert ours_set == dict(zip(zip(ra, rb), rc))
    m = scipy_window_pairs(indptr, ids, n_vocab, 5).tocoo()
    assert ours_set == dict(zip(zip(m.row, m.col), m.data))
    ours, (with_numpy, with_scipy) = compare(
        lambda: _core.count_pairs(indptr, ids, n_vocab, None, 5, THREADS),
        [lambda: numpy_window_pairs(indptr, ids, n_vocab, 5),
         lambda: scipy_window_pairs(indptr, ids, n_vocab, 5)], repeat, max(1, repeat // 2))
    theirs = min(with_numpy, with_scipy)
    one = timed(lambda: _core.count_pairs(indptr, ids, n_vocab, None, 5, 1), repeat)
    # the walk's speed depends on how tokens are numbered (a pair is counted
    # by its lower id): the row above numbers them as the tokens table does
    # (first appearance); cooccurrence() numbers them in string order
    rank = np.empty(n_vocab, dtype=np.int64)
    rank[_core.string_order(list(tokens["token"].cat.categories))] = np.arange(n_vocab)
    by_string = rank[ids]
    ours_by_string, (scipy_by_string,) = compare(
        lambda: _core.count_pairs(indptr, by_string, n_vocab, None, 5, THREADS),
        [lambda: scipy_window_pairs(indptr, by_string, n_vocab, 5)], repeat, max(1, repeat // 2))
    full = timed(lambda: qt.cooccurrence(tokens, window=5), max(1, repeat // 2))
    return [("window co-word counts (window 5, word tokens) vs numpy/scipy", ours, theirs, 15,
             f"{len(c):,} distinct pairs, returned as sparse rows (row starts, token ids, "
             f"counts); tokens numbered as the tokens table's codes (first appearance); "
             f"the peer is the faster of `np.unique` of pair keys "
             f"({with_numpy * 1e3:.0f} ms) and scipy COO to CSR ({with_scipy * 1e3:.0f} ms); "
             f"{THREADS} threads (the default); `threads=1`: {one * 1e3:.1f} ms, "
             f"{theirs / one:.1f}x; numbered in string order (as `cooccurrence()` does): "
             f"{ours_by_string * 1e3:.1f} ms vs scipy {scipy_by_string * 1e3:.0f} ms, "
             f"{scipy_by_string / ours_by_string:.1f}x; `cooccurrence()` with the labelled "
             f"edge table: {full * 1e3:.0f} ms")]


def bench_threads(lines, seg, repeat):
    half = len(lines) // 2
    parts = [lines[:half], lines[half:]]

    def one():
        for p in parts:
            seg.tokenize(p)

    def two():
        threads = [threading.Thread(target=seg.tokenize, args=(p,)) for p in parts]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    # one and two threads alternate, so drifts in the machine's speed (it is
    # shared) fall on both; more rounds than the other parts, as the ratio of
    # two noisy times is noisier than either
    ones, twos = [], []
    for _ in range(max(repeat, 3) * 3):
        ones.append(timed(one, 1))
        twos.append(timed(two, 1))
    t1, t2 = statistics.median(ones), statistics.median(twos)
    return [("`Segmenter.tokenize`: 2 threads vs 1 (same work)", t2, t1, 1.7,
             f"medians of {len(ones)} alternating rounds")]


PARTS = ("segmentation", "matching", "terms", "cooccurrence", "threads")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=5.0, help="corpus size in MB of UTF-8")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--write", type=Path, help="write the results page (markdown) here")
    parser.add_argument("--only", nargs="+", choices=PARTS, default=list(PARTS),
                        help="run only these parts (the page is written only for all)")
    args = parser.parse_args()

    text = jieba_corpus(seed=2024, n_bytes=int(args.mb * 1_000_000))
    n_bytes = len(text.encode("utf-8", "surrogatepass"))
    lines = text.split("\n")
    print(f"corpus: {n_bytes / 1e6:.1f} MB, {len(text):,} characters, {len(lines):,} lines")
    seg = qt.Segmenter.from_jieba()
    parts = {"segmentation": lambda: bench_segmentation(text, args.repeat),
             "matching": lambda: bench_matching(text, args.repeat),
             "terms": lambda: bench_terms(lines, args.repeat),
             "cooccurrence": lambda: bench_cooccurrence(lines, seg, args.repeat),
             "threads": lambda: bench_threads(lines, seg, args.repeat)}
    rows = []
    for name in args.only:
        for row in parts[name]():
            name, ours, theirs, target, note = row
            print(f"{name:80s} ours {ours * 1e3:8.1f} ms  peer {theirs * 1e3:9.1f} ms  "
                  f"{theirs / ours:6.1f}x (target {target}x) {note}")
            rows.append(row)
    if args.write and len(args.only) < len(PARTS):
        print("not writing a page for some of the parts")
    elif args.write:
        write_page(args, rows, n_bytes, len(text))
        print(f"wrote {args.write}")
    return 0


def write_page(args, rows, n_bytes, n_chars) -> None:
    lines = [
        "## Text engine: segmentation, matching, term matrices, co-words, threads",
        "",
        f"- Command: `python benchmarks/bench_text.py --mb {args.mb:g} --repeat {args.repeat} "
        f"--write docs/benchmarks.md`",
        f"- Date: {dt.date.today().isoformat()}",
        f"- Machine: {machine()}",
        f"- Data: seeded **synthetic** corpus (`tests/textcorpus.py`): {n_bytes / 1e6:.1f} MB of UTF-8, "
        f"{n_chars:,} characters, words drawn from jieba's dictionary by frequency with Latin "
        "words, numbers, punctuation and white space mixed in.",
        f"- Times are medians over {ROUNDS} rounds that alternate qdacore and its peers (each round",
        "  the median of its calls: `--repeat` for qdacore, fewer for slow peers), after one",
        "  untimed warm-up call of each side; each task checks in the run that both sides give",
        "  the same answer.",
        "  The ratio is peer time / qdacore time (for threads: one thread / two threads).",
        "- The machine is a shared virtual one: the same run repeated moves single times by",
        "  up to a third and the threads ratio between 1.3x and 2.0x (the C call alone scales",
        "  1.7x to 1.9x); ratios within one run are what this page compares.",
        "- The two-thread times of the term matrix and the co-words move most. Two changes of",
        "  2026-11-29 steadied them: threads start on a CPU other than the caller's (unplaced,",
        "  half of them waited behind the caller), and blocks of 4 MiB or more lie on whole",
        "  2 MiB pages (a co-word call took about 1,350 page faults, now about 40). In nine",
        "  full runs after them, before this page, the term matrix took 106-121 ms (36-44x)",
        "  and the co-words 18.2-25.4 ms (11.2-16.4x, median 15.5x: six of nine at 15x or",
        "  more; in two misses qdacore's rounds fell in a slow spell of the machine, 24-25 ms,",
        "  in the third the peer ran fast, 275 ms against 18.6 ms). In six full runs before",
        "  them: 120-197 ms (24-45x) and 18.6-31.6 ms (11.4-16.2x, median 13.4x).",
        "- The co-word walk counts a pair by its lower token id, so its speed depends on how",
        "  tokens are numbered; the peer's hardly does. Its row numbers them as the tokens",
        "  table does (first appearance, so frequent tokens get low ids); its notes also time",
        "  string order, which `cooccurrence()` uses so that its pairs come out sorted.",
        "  Numbered so, the walk's two ranges of ids took 19 and 12 ms (22-25 ms a call,",
        "  12-13x). Since 2026-11-29 the two claim their ids a chunk at a time and the first",
        "  to finish takes the rest of the other's, so they end together: in eight runs",
        "  before this page (three full, five of the co-words alone) the row took 18.1-23.8 ms",
        "  (12.6-16.7x, median 15.6x, six of eight at 15x or more) and string order",
        "  19.3-24.4 ms (11.7-15.2x, median 14.2x). The misses are a state that lasts, not",
        "  a slower code path: timed in eight fresh processes of 30 calls each, the same call",
        "  had a median of 18.2 and 19.4 ms in two, 24.0-24.5 ms in five (their fastest calls",
        "  20.8-23.8 ms) and 21.9 ms in one. In the slow state the thread on the caller's other CPU",
        "  spends 10-27 ms a call in the kernel with only 4-50 (huge) page faults, zeroing the",
        "  fresh pages it writes (`clear_page_erms` in `perf`); most likely pages that this",
        "  VM's host took back (free page reporting is on) and must fault in again. The",
        "  walk's ranges then rebalance (the fast thread takes the slow one's ids), which",
        "  bounds the loss but does not remove it.",
        "- The co-word counts are int32 since a later change the same day (8 bytes a pair",
        "  with the token id rather than 12: 23 MB written a call, 15 huge-page faults rather",
        "  than 20). After it, five runs of the co-words alone took 18.5-25.4 ms",
        "  (13.5-17.0x, median 16.1x) and three full runs before this page 21.4-26.4 ms",
        "  (12.0-15.0x); in the full runs the two-thread times of the term matrix and the",
        "  co-words gained little on one thread (127 ms against 147, 26.4 against 33.3).",
        "  The C call in a harness, in a quiet spell of the machine, took 18.3-18.6 ms",
        "  (medians of twelve rounds). What moves it is where its pages come from: in one",
        "  process, after three idle seconds its first call took 39-59 ms in seven of eight",
        "  tries; right after a call of the scipy peer, six calls had medians of 19.2-24.6",
        "  ms; back to back, 18.4-19.6 ms.",
        "  Memory this VM frees goes back to its host after about two seconds (free page",
        "  reporting), and pages fresh from the host fault slowly; the benchmark alternates",
        "  with a peer that allocates and frees hundreds of MB, so qdacore's rounds start",
        "  in that state.",
        "",
        "| task | qdacore | peer | ratio | target | notes |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for name, ours, theirs, target, note in rows:
        ratio = theirs / ours
        mark = "" if ratio >= target else " (short of target)"
        lines.append(f"| {name} | {ours * 1e3:.1f} ms | {theirs * 1e3:.1f} ms | "
                     f"**{ratio:.1f}x**{mark} | {target}x | {note} |")
    write_section(args.write, "text", "\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
