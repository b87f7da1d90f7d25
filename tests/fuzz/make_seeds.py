"""Writes the seed corpora of tests/fuzz/corpus/<name>/ (checked in).

Each harness reads its input as fields in a fixed order (see the comment at
the top of tests/fuzz/fuzz_<name>.c); the functions here lay out a few
hand-made inputs in that order, so that fuzzing starts from text,
dictionaries and parameters that reach deep into each kernel. The Chinese
snippets and the dictionary are written for these seeds.

Run from the repository root: python3 tests/fuzz/make_seeds.py
"""

import os
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def u8(*values):
    return bytes(v & 0xFF for v in values)


def u16(*values):
    return b"".join(struct.pack("<H", v & 0xFFFF) for v in values)


def u32(*values):
    return b"".join(struct.pack("<I", v & 0xFFFFFFFF) for v in values)


def u64(*values):
    return b"".join(struct.pack("<Q", v & 0xFFFFFFFFFFFFFFFF) for v in values)


def write(name, seeds):
    folder = os.path.join(ROOT, name)
    os.makedirs(folder, exist_ok=True)
    for old in os.listdir(folder):
        os.remove(os.path.join(folder, old))
    for label, data in seeds.items():
        with open(os.path.join(folder, label), "wb") as f:
            f.write(data)


# Text for the seeds: sentences about a qualitative study, a small jieba
# dictionary of their words (frequencies invented, tags from jieba's set).
SENTENCES = [
    "我们今天在图书馆讨论质性研究的编码方法。",
    "访谈记录显示，受访者对社区服务的满意度较高。",
    "张老师说：数据分析需要耐心，也需要好的工具。",
    "2023年调查共收集了1024份问卷，回收率为87.5%。",
    "QDA软件和C++、Python 3.12都可以用来整理访谈。",
]
DICTIONARY = "\n".join([
    "我们 5000 r", "今天 3000 t", "图书馆 800 n", "图书 600 n", "讨论 1200 v",
    "质性 50 n", "质性研究 30 l", "研究 2500 vn", "编码 400 vn", "方法 1800 n",
    "访谈 300 vn", "记录 900 n", "受访者 120 n", "社区 700 n", "服务 1500 vn",
    "满意度 200 n", "数据 1600 n", "数据分析 90 l", "分析 1400 vn", "工具 1000 n",
    "老师 2200 n", "需要 2600 v", "耐心 300 a", "调查 1300 vn", "问卷 150 n",
    "回收率 20 n", "软件 700 n", "C++ 5 nz", "整理 600 v", "的 90000 uj",
]) + "\n"


def utf8_seeds():
    return {
        "ascii": u8(3, 5) + b"Hello, QDA! 1, 2, 3.",
        "chinese": u8(1, 2) + SENTENCES[0].encode(),
        "mixed-widths": u8(7, 0) + "访谈: Café, Ĺ, 😀, ＡＢＣ".encode(),
        "invalid": u8(2, 1) + b"ab\xff\xc0\x80\xe0\x80\x80\xed\xa0\x80\xf4\x90\x80\x80",
        "cut-short": u8(4, 3) + "中文".encode()[:-1],
        "every-length": u8(1, 1) + "A\u00e9\u4e2d\U0001f600\u07ff\uffff\U0010ffff".encode(),
    }


def segment_input(flags, dictionary, text, hmm=None, emits=(), word=(0, 0, 0), cuts=(),
                  alloc=0):
    """flags, alloc, dictionary, HMM bytes, emissions, add_word, texts."""
    # start B E M S, then transitions from B, E, M, S (255: never)
    hmm = hmm if hmm is not None else [2, 255, 255, 8] + [255, 4, 9, 255, 6, 255, 255, 2,
                                                          255, 1, 12, 255, 5, 255, 255, 7]
    data = u8(flags, alloc) + u16(len(dictionary)) + dictionary + u8(*hmm) + u8(len(emits))
    for at, probs in emits:
        data += u16(at) + u8(*probs)
    cuts = list(cuts) + [0] * (4 - len(cuts))
    data += u16(word[0]) + u8(word[1], word[2]) + u8(max(len([c for c in cuts if c]), 0))
    return data + u16(*cuts) + text


def segment_seeds():
    dictionary = DICTIONARY.encode()
    one = SENTENCES[0].encode()
    paragraph = "\n".join(SENTENCES).encode()
    odd_dictionary = ("\ufeff质性 +40 n\n\n  研究 30\t\n编码 7 vn extra\n方法 0\n").encode()
    return {
        "dag-hmm-full": segment_input(0x04, dictionary, one, emits=[(1, (3, 20, 20, 2))]),
        "paragraph-three-texts": segment_input(0x0C, dictionary, paragraph,
                                               word=(5, 3, 0x80), cuts=(40, 30, 0)),
        "crlf-latin-digits": segment_input(0x05, dictionary,
                                           "清华C++和c++ 3.14%。\r\n好\n\n2023年".encode()),
        "odd-dictionary-wide": segment_input(0x06, odd_dictionary, SENTENCES[1].encode()),
        "bad-dictionary-line": segment_input(0x04, "研究 30 vn\n质性 many\n".encode(), one),
        "raw-utf16-surrogates": segment_input(
            0x14, dictionary, u16(0x8D28, 0x6027, 0xD800, 0x7814, 0x7A76, 0xDC00, 0x0A, 0x4E2D)),
        "no-hmm-refused": segment_input(0x40, dictionary, paragraph, word=(0, 2, 9)),
        "allocation-fails": segment_input(0x04, dictionary, paragraph, alloc=0x83),
    }


def match_input(flags, patterns, texts, kinds=0, alloc=0):
    """flags, alloc, kinds, pattern part (split at \\n), texts (split at 0x1E)."""
    pat = "\n".join(patterns).encode() if isinstance(patterns, list) else patterns
    txt = "\x1e".join(texts).encode() if isinstance(texts, list) else texts
    return u8(flags, alloc, kinds) + u16(len(pat)) + pat + txt


def match_seeds():
    words = ["研究", "质性研究", "编码", "方法", "研究方法", "访谈", "访谈记录"]
    raw_patterns = u32(0x68, 0x65) + u32(0x0A) + u32(0x0, 0xFFFFFFF0) + u32(0x0A) + u32(0x1F600)
    raw_text = u32(0x75, 0x68, 0x65, 0x0, 0xFFFFFFF0, 0x1F600, 0x68, 0x65)
    return {
        "aho-corasick-paper": match_input(0, ["he", "she", "his", "hers"], ["ushers"]),
        "chinese-words": match_input(0, words, SENTENCES[:2] + ["质性研究方法与访谈记录"],
                                     kinds=0x24),
        "folded-latin": match_input(1, ["Café", "QDA", "ＡＢＣ", "École", "ĹL"],
                                    ["café qda ＡＢＣ ÉCOLE école ĺl", "QdA"], kinds=0x19),
        "duplicates": match_input(1, ["ab", "AB", "abc", "b", "ab"], ["xabcab", "ABC"]),
        "empty-pattern": match_input(0, ["ab", "", "c"], ["abc"]),
        "raw-code-points": match_input(2, raw_patterns, raw_text),
        "bad-view": match_input(4, ["a", "b"], ["ab"], alloc=1),
        "allocation-fails": match_input(0, words, SENTENCES, alloc=0x82),
    }


def ngrams_raw(n_docs, vocab_kind, min_n, max_n, shape, half, lengths, tokens, keep=b"",
               joiner=b"", alloc=0):
    data = u8(0, n_docs, vocab_kind, min_n, max_n, shape, half) + u8(*lengths)
    return data + u16(*tokens) + keep + joiner + u8(alloc)


def ngrams_seeds():
    spaced = "我们 今天 讨论 质性 研究 的 编码 方法\n访谈 记录 显示 受访者 对 社区 服务 满意\n" \
             "数据 分析 需要 耐心 也 需要 好的 工具 数据 分析"
    chars = "\x1e".join(SENTENCES[:3] + ["a  b\t\tc   d", ""])
    return {
        # a b a c | b a (the counts of the Check suite), unigrams to trigrams
        "raw-small": ngrams_raw(2, 2, 1, 3, 0, 1, [4, 2], [0, 1, 0, 2, 1, 0], joiner=u8(32)),
        "raw-keep": ngrams_raw(3, 7, 1, 2, 4 | 8, 2, [5, 0, 4], [0, 7, 3, 7, 1, 2, 2, 2, 0],
                               keep=u8(0)),
        "raw-bad-ids": ngrams_raw(1, 3, 2, 2, 2, 0, [3], [0, 0xFFFF, 1]),
        "raw-bad-offsets": u8(0, 2, 5, 1, 1, 1, 1, 0, 3, 0xFE) + u16(1, 2, 3),
        "words-interned": u8(1, 0, 0x12, 0, 1, 0, 0) + spaced.encode(),
        "words-raw-spans": u8(1, 5, 0, 1, 1, 3, 0, 2, 1, 4, 2, 2, 0) + spaced.encode(),
        "words-bad-span": u8(1, 1, 0, 0, 0, 2, 0, 2, 3, 0xFF, 0) + spaced.encode(),
        "chars-two-routes": u8(2, 0, 0x06, 1, 3, 1, 0) + chars.encode(),
        # some 150,000 n-grams: the sorted route works in two parts
        "chars-repeated-in-parts": u8(2, 1 | 4 | 8, 0, 1, 4, 4, 63, 1, 1, 0x20, 0, 0x2D, 0) +
        ("\n".join(SENTENCES) * 6).encode(),
        "chars-too-wide": u8(2, 0, 0, 1, 39, 0, 0) + b"abababab",
    }


def pairs_words(n_docs, vocab_kind, shape, win, lengths, tokens, vocab_extra=b"", n_threads=1,
                half=1, limit=0, repeat=None, keep=b"", rows_extra=0, min_count=8, alloc=0):
    """Mode 0: sizes, window, threads, count limit, repeats, offsets, ids."""
    data = u8(0, n_docs, vocab_kind, shape, win) + vocab_extra + u8(n_threads)
    data += (u8(half) if n_docs else b"") + u8(limit)
    data += u16(repeat) if repeat is not None else b""
    return data + u8(*lengths) + u16(*tokens) + keep + u8(rows_extra, min_count, alloc)


def pairs_by_count(shape, min_count, lengths, pairs, alloc=0):
    """Mode 1: rows as lengths, then (b, count) per pair."""
    data = u8(1, len(lengths), shape, alloc) + u32(min_count) + u8(*lengths)
    for b, count in pairs:
        data += u16(b) + (u32(count) if shape & 32 else u8(count))
    return data


def pairs_cooc(shape, near, window, n_codes, n_targets, n_groups, masks, segments, alloc=0):
    """Mode 2; segments: (codes, space, start, length, group)."""
    win = u64(window) if shape & 1 else u8(window)
    data = u8(2, shape, near, alloc, n_codes - 1, n_targets - 1, n_groups - 1, len(segments))
    data += win + u16(*masks)
    for codes, space, start, length, group in segments:
        data += u8(len(codes), *codes) + u8(space)
        data += (u64(start) if shape & 4 else u8(start)) + u8(length, group + 1)
    return data


def pairs_seeds():
    # "a b a c" and "b a" (ids a=0 b=1 c=2): {a,b} 3 times in a window of 3
    abac = dict(lengths=[4, 2], tokens=[0, 1, 0, 2, 1, 0])
    # two texts of 255 ids below 21, each repeated until there are some
    # 200,000 positions: the walk cuts them into two ranges
    long_ids = [(i * 7 + i // 5) % 21 for i in range(510)]
    spans = [([0], 0, 0, 7, 0), ([1], 0, 2, 3, 0), ([2], 0, 10, 2, 0), ([1], 0, 10, 0, 0),
             ([0, 1], 1, 0, 5, 0), ([0, 1], 1, 3, 5, 0)]
    return {
        "window-3": pairs_words(2, 2, 0, 33, **abac),
        "whole-documents": pairs_words(2, 2, 0, 0, **abac),
        "window-2-keep-limit": pairs_words(3, 5, 4, 32, [5, 6, 3],
                                           [0, 1, 0, 1, 4, 2, 3, 2, 3, 0, 1, 4, 4, 1],
                                           limit=2, half=2, keep=u8(1, 1)),
        "wide-window": pairs_words(2, 9, 0, 241, [9, 7],
                                   [1, 2, 3, 4, 5, 6, 7, 8, 0, 8, 7, 6, 5, 4, 3, 2], n_threads=0),
        "repeated-two-ranges": pairs_words(2, 20, 0x50, 34, [255, 255], long_ids, n_threads=2,
                                           repeat=400, rows_extra=1),
        "gaps-outweigh-tokens": pairs_words(3, 9, 0, 250, [4, 3, 5],
                                            [1, 2, 3, 4, 4, 3, 2, 1, 5, 1, 5, 2]),
        "many-ids-batches": pairs_words(1, 252, 0, 22, [6], [1, 2, 3, 1, 2, 3],
                                        vocab_extra=u16(1000), half=0),
        "ids-at-2-31": pairs_words(1, 255, 0, 22, [2], [1, 2], vocab_extra=u8(0), half=0),
        "ids-past-2-31": pairs_words(1, 255, 0, 22, [2], [1, 2], vocab_extra=u8(1), half=0),
        "by-count-one-pass": pairs_by_count(0, 1, [2, 1, 1], [(5, 2), (7, 1), (3, 2), (9, 5)]),
        "by-count-two-passes": pairs_by_count(32, -10, [2, 2],
                                              [(1, 70000), (2, 1), (3, 70000), (4, -3)]),
        "cooc-spans": pairs_cooc(0, 1, 0, 3, 3, 1, [1, 2, 4], spans),
        "cooc-windows-groups": pairs_cooc(32, 2, 1, 3, 3, 2, [1, 2, 4],
                                          [([0], 0, 0, 0, 0), ([1], 0, 1, 0, 1),
                                           ([0], 0, 2, 0, 0), ([2], 0, 5, 0, -1)]),
        "cooc-items-rollup": pairs_cooc(0, 0, 0, 4, 2, 1, [1, 3, 2, 0],
                                        [([0, 1], 0, 0, 0, 0), ([2, 3], 0, 0, 0, 0)]),
        "cooc-far-apart": pairs_cooc(1 | 4, 2, 0, 2, 2, 1, [1, 2],
                                     [([0], 0, 0xFFFFFFFFFFFFFFFF, 0, 0),
                                      ([1], 0, 0x7FFFFFFFFFFFFFFF, 0, 0)]),
    }


def agree_input(flags, n_units, n_coders, n_cats, parts, method, metric, ratings,
                n_boot=20, draws=20, seed=7, half=0, weights=b"", values=b"", mult=b"",
                alloc=0):
    data = u8(flags, alloc, n_units, n_coders, n_cats, parts, method, metric, n_boot, draws)
    return data + u64(seed) + u8(half) + ratings + weights + values + mult


def agree_seeds():
    # 10 units, 3 coders, categories 0..3, byte b stands for b % 5 - 1 (-1 missing)
    units = [[1, 1, 1], [2, 2, 3], [3, 3, 3], [0, 2, 4], [4, 4, 4], [1, 1, 0], [2, 2, 2],
             [4, 3, 4], [1, 2, 1], [0, 0, 3]]
    ratings = u8(*[b for unit in units for b in unit])
    two = u8(1, 1, 2, 3, 3, 3, 2, 2, 4, 4, 1, 2, 3, 3, 2, 1)  # 8 units, 2 coders
    numbers = u8(0, 2, 4, 4, 255, 2, 6, 6, 6, 0, 253, 8)  # 2 coders x 6 units, NaN and -0.0
    return {
        "fleiss-three-coders": agree_input(0, 10, 3, 4, 0, 1, 0, ratings),
        "alpha-ordinal": agree_input(0, 10, 3, 4, 3, 5, 1, ratings, half=4),
        "alpha-interval-values": agree_input(64, 10, 3, 4, 1, 5, 2, ratings,
                                             values=u8(0, 2, 1, 9)),
        "cohen-weighted-two-coders": agree_input(32, 8, 2, 4, 3, 4, 0, two,
                                                 weights=u8(*range(12))),
        "gwet-multiplicity": agree_input(128, 10, 3, 4, 0, 2, 0, ratings, mult=u8(*range(10))),
        "encoded-numbers": agree_input(1, 6, 2, 0, 3, 5, 3, numbers, n_boot=50, draws=50),
        "bad-values": agree_input(8, 4, 2, 3, 3, 3, 0, u8(0, 1, 4, 2, 1, 1, 0, 0)),
        "many-categories": agree_input(0, 6, 4, 40, 0, 0, 0, u8(*range(0, 240, 10))),
    }


def main():
    write("utf8", utf8_seeds())
    write("segment", segment_seeds())
    write("match", match_seeds())
    write("ngrams", ngrams_seeds())
    write("pairs", pairs_seeds())
    write("agree", agree_seeds())


if __name__ == "__main__":
    main()
