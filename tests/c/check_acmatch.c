/* qc/acmatch.h. The example of Aho & Corasick (1975), "Efficient string
   matching", Comm. ACM 18(6), Fig. 1: keywords he, she, his, hers in
   "ushers" give she and he ending at position 4 and hers at 6. */
#include "qc/acmatch.h"
#include "alloc_rounds.h"
#include "suites.h"

#include <string.h>

static const uint8_t HE[] = "he", SHE[] = "she", HIS[] = "his", HERS[] = "hers";
static const qc_str PATTERNS[] = {{1, HE, 2}, {1, SHE, 3}, {1, HIS, 3}, {1, HERS, 4}};
static const uint8_t USHERS[] = "ushers";

START_TEST(paper_example_overlapping)
{
    qc_matcher *m;
    ck_assert_int_eq(qc_matcher_new(PATTERNS, 4, 0, &m, NULL), QC_OK);
    qc_str text = {1, USHERS, 6};
    qc_matches out = {0};
    ck_assert_int_eq(qc_match(m, &text, 1, QC_MATCH_OVERLAPPING, SIZE_MAX, &out, NULL), QC_OK);
    ck_assert_uint_eq(out.n, 3);
    /* ordered by end, then start: she [1,4), he [2,4), hers [2,6) */
    const int64_t start[] = {1, 2, 2}, end[] = {4, 4, 6}, pattern[] = {1, 0, 3};
    for (size_t i = 0; i < 3; i++) {
        ck_assert_int_eq(out.start[i], start[i]);
        ck_assert_int_eq(out.end[i], end[i]);
        ck_assert_int_eq(out.pattern[i], pattern[i]);
        ck_assert_int_eq(out.text[i], 0);
    }
    qc_matches_free(&out);
    ck_assert_int_eq(qc_match(m, &text, 1, QC_MATCH_LONGEST, SIZE_MAX, &out, NULL), QC_OK);
    ck_assert_uint_eq(out.n, 1); /* she at 1, then nothing starts after 4 */
    ck_assert_int_eq(out.pattern[0], 1);
    qc_matches_free(&out);
    qc_matcher_free(m);
}
END_TEST

START_TEST(folding_and_wide_text)
{
    const uint16_t pat[] = {'G', 'd', 'P'}, text16[] = {0x4E2D, 'g', 'D', 'p', 0xFF27};
    qc_str p = {2, pat, 3}, t = {2, text16, 5};
    qc_matcher *m;
    qc_matches out = {0};
    ck_assert_int_eq(qc_matcher_new(&p, 1, 1, &m, NULL), QC_OK);
    ck_assert_int_eq(qc_match(m, &t, 1, QC_MATCH_OVERLAPPING, SIZE_MAX, &out, NULL), QC_OK);
    ck_assert_uint_eq(out.n, 1);
    ck_assert_int_eq(out.start[0], 1);
    qc_matches_free(&out);
    qc_matcher_free(m);
    ck_assert_int_eq(qc_matcher_new(&p, 1, 0, &m, NULL), QC_OK);
    ck_assert_int_eq(qc_match(m, &t, 1, QC_MATCH_OVERLAPPING, SIZE_MAX, &out, NULL), QC_OK);
    ck_assert_uint_eq(out.n, 0);
    qc_matches_free(&out);
    qc_matcher_free(m);
}
END_TEST

/* The paper's example holds 3 matches: a bound of 3 takes them all, a bound
   of 2 stops with QC_ELIMIT, names max_matches and leaves out unchanged. */
START_TEST(max_matches_bounds_the_rows)
{
    qc_matcher *m;
    ck_assert_int_eq(qc_matcher_new(PATTERNS, 4, 0, &m, NULL), QC_OK);
    qc_str texts[] = {{1, USHERS, 6}, {1, USHERS, 6}};
    qc_matches out = {0};
    ck_assert_int_eq(qc_match(m, texts, 1, QC_MATCH_OVERLAPPING, 3, &out, NULL), QC_OK);
    ck_assert_uint_eq(out.n, 3);
    qc_matches_free(&out);
    qc_errinfo err = {0};
    ck_assert_int_eq(qc_match(m, texts, 2, QC_MATCH_OVERLAPPING, 5, &out, &err), QC_ELIMIT);
    ck_assert_str_eq(err.arg, "max_matches");
    ck_assert_int_eq(err.value, 5);
    ck_assert_uint_eq(err.index, 1); /* passed in the second text */
    ck_assert_uint_eq(out.n, 0);
    ck_assert_int_eq(qc_match(m, texts, 1, QC_MATCH_LONGEST, 0, &out, NULL), QC_ELIMIT);
    ck_assert_int_eq(qc_match(m, texts, 2, QC_MATCH_LONGEST, 2, &out, NULL), QC_OK);
    ck_assert_uint_eq(out.n, 2);
    qc_matches_free(&out);
    qc_matcher_free(m);
}
END_TEST

START_TEST(bad_patterns_are_named)
{
    qc_matcher *m = (qc_matcher *)1;
    qc_errinfo err = {0};
    ck_assert_int_eq(qc_matcher_new(PATTERNS, 0, 0, &m, &err), QC_EINVAL);
    ck_assert_ptr_null(m);
    ck_assert_str_eq(err.arg, "patterns");
    const qc_str with_empty[] = {{1, HE, 2}, {1, HE, 0}};
    ck_assert_int_eq(qc_matcher_new(with_empty, 2, 0, &m, &err), QC_EINVAL);
    ck_assert_uint_eq(err.index, 1);
}
END_TEST

/* Layout edge cases: 600 root children (the root's bucket table grows
   until no bucket overflows), a node with 64 children (the table of wide
   nodes' edges), astral and NUL code points, and code points above U+1FFFFF
   (the C view allows any uint32). Every reported match is checked against
   the text, and the count against a direct search. */
START_TEST(wide_nodes_and_many_root_children)
{
    enum { N_SINGLE = 600, N_PAIR = 64, N_TEXT = 5000 };
    static uint32_t pool[N_SINGLE + 2 * N_PAIR + 3];
    qc_str pats[N_SINGLE + N_PAIR + 1];
    size_t used = 0, n = 0;
    for (size_t k = 0; k < N_SINGLE; k++, n++) {
        pool[used] = k % 3 == 0 ? 0x1F600u + (uint32_t)k : 0x4E00u + 7u * (uint32_t)k;
        pats[n] = (qc_str){4, &pool[used++], 1};
    }
    for (size_t k = 0; k < N_PAIR; k++, n++) {
        pool[used] = 'X';
        pool[used + 1] = k == 0 ? 0u : 0x4E00u + 7u * (uint32_t)k;
        pats[n] = (qc_str){4, &pool[used], 2};
        used += 2;
    }
    pool[used] = 0xFFFFFFF0u;
    pool[used + 1] = 'X';
    pool[used + 2] = 0xFFFFFFF0u;
    pats[n++] = (qc_str){4, &pool[used], 3};
    static uint32_t text[N_TEXT];
    uint32_t r = 12345;
    for (size_t i = 0; i < N_TEXT; i++) {
        r = r * 1103515245u + 12345u;
        uint32_t k = (r >> 8) % (N_SINGLE + 8);
        text[i] = k >= N_SINGLE ? (k % 2 ? 'X' : 0xFFFFFFF0u) : *(const uint32_t *)pats[k].data;
    }
    qc_str t = {4, text, N_TEXT};
    qc_matcher *m;
    qc_matches out = {0};
    ck_assert_int_eq(qc_matcher_new(pats, n, 0, &m, NULL), QC_OK);
    ck_assert_int_eq(qc_match(m, &t, 1, QC_MATCH_OVERLAPPING, SIZE_MAX, &out, NULL), QC_OK);
    size_t expected = 0;
    for (size_t p = 0; p < n; p++)
        for (size_t i = 0; i + pats[p].len <= N_TEXT; i++)
            expected += memcmp(&text[i], pats[p].data, pats[p].len * 4) == 0;
    ck_assert_uint_eq(out.n, expected);
    ck_assert_uint_gt(expected, N_TEXT / 2);
    for (size_t j = 0; j < out.n; j++) {
        const qc_str *p = &pats[out.pattern[j]];
        ck_assert_int_eq(out.end[j] - out.start[j], (int64_t)p->len);
        ck_assert(memcmp(&text[out.start[j]], p->data, p->len * 4) == 0);
    }
    qc_matches_free(&out);
    qc_matcher_free(m);
}
END_TEST

/* Builds a matcher of patterns and matches USHERS with it, with the k-th
   allocation failing, for every k until none is reached: each failure is
   QC_ENOMEM and leaks nothing. want_matches >= 0: a round that succeeds
   finds that many (and, prefiltered, has the prefilter on). */
static void survives_every_allocation_failure(const qc_str *patterns, size_t n, int fold,
                                              qc_matchmode mode, int prefiltered,
                                              long want_matches)
{
    qc_str text = {1, USHERS, 6};
    for (long k = 0;; k++) {
        qc_matcher *m = NULL;
        qc_matches out = {0};
        qc_alloc_fail_after(k);
        qc_status status = qc_matcher_new(patterns, n, fold, &m, NULL);
        if (status == QC_OK)
            status = qc_match(m, &text, 1, mode, SIZE_MAX, &out, NULL);
        long attempts = qc_alloc_attempts();
        qc_alloc_fail_after(-1);
        if (status == QC_OK && prefiltered)
            ck_assert(qc_matcher_prefiltered(m));
        if (status == QC_OK && want_matches >= 0)
            ck_assert_uint_eq(out.n, (size_t)want_matches);
        qc_matches_free(&out);
        qc_matcher_free(m);
        if (alloc_round_done(status, k, attempts, 3))
            break;
    }
}

START_TEST(matcher_survives_every_allocation_failure)
{
    survives_every_allocation_failure(PATTERNS, 4, 0, QC_MATCH_OVERLAPPING, 0, -1);
}
END_TEST

START_TEST(wide_nodes_match_as_narrow_ones)
{
    /* 26 patterns "a" + letter and 26 one-letter patterns: the root and
       node "a" have more children than a scan takes, so they are hashed.
       In "xaqa" every one-letter pattern matches once per letter and "aq"
       once: 5 matches (x, a, q, aq, a). */
    uint8_t two[26][2], one[26];
    qc_str patterns[52];
    for (int i = 0; i < 26; i++) {
        two[i][0] = 'a';
        two[i][1] = (uint8_t)('a' + i);
        one[i] = (uint8_t)('a' + i);
        patterns[i] = (qc_str){1, two[i], 2};
        patterns[26 + i] = (qc_str){1, &one[i], 1};
    }
    qc_matcher *m;
    ck_assert_int_eq(qc_matcher_new(patterns, 52, 0, &m, NULL), QC_OK);
    const uint8_t xaqa[] = "xaqa";
    qc_str text = {1, xaqa, 4};
    qc_matches out = {0};
    ck_assert_int_eq(qc_match(m, &text, 1, QC_MATCH_OVERLAPPING, SIZE_MAX, &out, NULL), QC_OK);
    ck_assert_uint_eq(out.n, 5);
    /* by end, then start: x [0,1); a [1,2); aq [1,3), q [2,3); a [3,4) */
    const int64_t start[] = {0, 1, 1, 2, 3}, end[] = {1, 2, 3, 3, 4};
    const int64_t pattern[] = {26 + 'x' - 'a', 26, 'q' - 'a', 26 + 'q' - 'a', 26};
    for (size_t i = 0; i < 5; i++) {
        ck_assert_int_eq(out.start[i], start[i]);
        ck_assert_int_eq(out.end[i], end[i]);
        ck_assert_int_eq(out.pattern[i], pattern[i]);
    }
    qc_matches_free(&out);
    ck_assert_int_eq(qc_match(m, &text, 1, QC_MATCH_LONGEST, SIZE_MAX, &out, NULL), QC_OK);
    ck_assert_uint_eq(out.n, 3); /* x, aq, a */
    ck_assert_int_eq(out.pattern[1], 'q' - 'a');
    qc_matches_free(&out);
    qc_matcher_free(m);
}
END_TEST

/* Whether some pattern starts at position i of text (after folding). */
static int starts_at(const qc_str *pats, size_t n, const qc_str *text, size_t i, int fold)
{
    for (size_t p = 0; p < n; p++) {
        size_t k = 0;
        for (; k < pats[p].len && i + k < text->len; k++) {
            uint32_t a = qc_str_at(&pats[p], k), b = qc_str_at(text, i + k);
            if ((fold ? qc_fold_latin(a) : a) != (fold ? qc_fold_latin(b) : b))
                break;
        }
        if (k == pats[p].len)
            return 1;
    }
    return 0;
}

/* The prefilter's skip (qc_matcher_skip) from every position of random
   texts of each width, with and without one-code-point patterns and
   folding: it never passes a position where a pattern starts, and it stops
   within the text or at its end. Patterns share first pairs and prefixes;
   letters come in both cases so that folding finds more than the bytes. */
START_TEST(prefilter_skip_never_passes_a_start)
{
    static const uint32_t ALPHA[] = {'a', 'B', 'c', 'D', 0xC0, 0xE9, 0x100, 0x179,
                                     0xFF21, 0xFF42, 0x4E2D, 0x6587, 0x1F600, 0x20000};
    enum { N_ALPHA = sizeof ALPHA / sizeof *ALPHA, N_PATS = 24, N_TEXT = 3000 };
    static uint32_t pool[N_PATS][5], text32[N_TEXT];
    static uint16_t text16[N_TEXT];
    static uint8_t text8[N_TEXT];
    uint32_t r = 99;
    for (int singles = 0; singles < 2; singles++)
        for (int fold = 0; fold < 2; fold++)
            for (int kind = 1; kind <= 4; kind *= 2) {
                /* patterns over the part of the alphabet that fits the kind */
                size_t n_alpha = kind == 1 ? 6 : kind == 2 ? 12 : N_ALPHA;
                qc_str pats[N_PATS];
                for (size_t p = 0; p < N_PATS; p++) {
                    size_t len = singles && p < 2 ? 1 : 2 + p % 4;
                    for (size_t k = 0; k < len; k++) {
                        r = r * 1103515245u + 12345u;
                        /* the first pair of every third pattern repeats the one before */
                        pool[p][k] = p % 3 == 2 && k < 2 ? pool[p - 1][k]
                                                         : ALPHA[(r >> 8) % (n_alpha / 2)];
                    }
                    pats[p] = (qc_str){4, pool[p], len};
                }
                qc_matcher *m;
                ck_assert_int_eq(qc_matcher_new(pats, N_PATS, fold, &m, NULL), QC_OK);
                ck_assert(qc_matcher_prefiltered(m));
                for (size_t i = 0; i < N_TEXT; i++) {
                    r = r * 1103515245u + 12345u;
                    /* mostly characters that start nothing, a few that do */
                    uint32_t c = (r >> 8) % 16 == 0 ? ALPHA[(r >> 12) % (n_alpha / 2)]
                                                    : ALPHA[n_alpha / 2 + (r >> 12) % (n_alpha / 2)];
                    text32[i] = c;
                    text16[i] = (uint16_t)c;
                    text8[i] = (uint8_t)c;
                }
                /* and a pattern planted every 40 code points */
                for (size_t i = 0; i + 8 < N_TEXT; i += 40)
                    for (size_t k = 0, p = (i / 40) % N_PATS; k < pats[p].len; k++) {
                        text32[i + k] = pool[p][k];
                        text16[i + k] = (uint16_t)pool[p][k];
                        text8[i + k] = (uint8_t)pool[p][k];
                    }
                const void *data = kind == 1 ? (const void *)text8
                                   : kind == 2 ? (const void *)text16 : (const void *)text32;
                qc_str t = {kind, data, N_TEXT};
                size_t n_starts = 0, n_stops = 0;
                for (size_t from = 0; from <= N_TEXT; from++) {
                    size_t to = qc_matcher_skip(m, &t, from, 0);
                    /* AVX2 (where the CPU has it) stops where plain C does */
                    ck_assert_uint_eq(qc_matcher_skip(m, &t, from, 1), to);
                    ck_assert_uint_ge(to, from);
                    ck_assert_uint_le(to, N_TEXT);
                    for (size_t i = from; i < to; i++)
                        ck_assert_msg(!starts_at(pats, N_PATS, &t, i, fold),
                                      "skipped a start at %zu (kind %d, fold %d)", i, kind, fold);
                    n_stops += to == from;
                    n_starts += from < N_TEXT && starts_at(pats, N_PATS, &t, from, fold);
                }
                ck_assert_uint_ge(n_starts, N_TEXT / 40);
                ck_assert_uint_lt(n_stops, N_TEXT / 3); /* it does skip */
                qc_matcher_free(m);
            }
}
END_TEST

/* Ends of texts: a text where no pair begins a pattern is crossed to its
   end; the last position is a candidate only for a one-code-point
   pattern; empty texts and positions past the end give the length. */
START_TEST(prefilter_skip_at_the_ends)
{
    const uint8_t ab[] = "ab", x[] = "x", zs[] = "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzab",
                  zx[] = "zzzzzzzzzx";
    qc_str pats[] = {{1, ab, 2}, {1, x, 1}};
    for (int simd = 0; simd < 2; simd++) {
        qc_matcher *m;
        ck_assert_int_eq(qc_matcher_new(pats, 1, 0, &m, NULL), QC_OK);
        ck_assert(qc_matcher_prefiltered(m));
        qc_str t = {1, zs, sizeof zs - 1};
        ck_assert_uint_eq(qc_matcher_skip(m, &t, 0, simd), sizeof zs - 3);
        ck_assert_uint_eq(qc_matcher_skip(m, &t, sizeof zs - 2, simd), sizeof zs - 1); /* "b" */
        ck_assert_uint_eq(qc_matcher_skip(m, &t, 1000, simd), sizeof zs - 1);
        t = (qc_str){1, zs, 5};
        ck_assert_uint_eq(qc_matcher_skip(m, &t, 0, simd), 5);
        t = (qc_str){1, NULL, 0};
        ck_assert_uint_eq(qc_matcher_skip(m, &t, 0, simd), 0);
        qc_matcher_free(m);
        ck_assert_int_eq(qc_matcher_new(pats, 2, 0, &m, NULL), QC_OK);
        t = (qc_str){1, zx, sizeof zx - 1};
        ck_assert_uint_eq(qc_matcher_skip(m, &t, 0, simd), sizeof zx - 2); /* "x" at the end */
        qc_matcher_free(m);
    }
}
END_TEST

/* 400 x 400 two-code-point patterns would set a seventh of the largest
   table's bits: the prefilter stays off, the skip moves nowhere, and
   matching is the automaton's alone. */
START_TEST(prefilter_off_for_a_dense_pair_set)
{
    enum { K = 400 };
    static uint32_t pool[K * K][2];
    static qc_str pats[K * K];
    for (size_t a = 0; a < K; a++)
        for (size_t b = 0; b < K; b++) {
            pool[a * K + b][0] = 0x4E00u + (uint32_t)a;
            pool[a * K + b][1] = 0x4E00u + (uint32_t)b;
            pats[a * K + b] = (qc_str){4, pool[a * K + b], 2};
        }
    qc_matcher *m;
    ck_assert_int_eq(qc_matcher_new(pats, K * K, 0, &m, NULL), QC_OK);
    ck_assert(!qc_matcher_prefiltered(m));
    qc_str t = {4, pool[5], 2};
    ck_assert_uint_eq(qc_matcher_skip(m, &t, 1, 1), 1);
    qc_matches out = {0};
    ck_assert_int_eq(qc_match(m, &t, 1, QC_MATCH_OVERLAPPING, SIZE_MAX, &out, NULL), QC_OK);
    ck_assert_uint_eq(out.n, 1);
    ck_assert_int_eq(out.pattern[0], 5);
    qc_matches_free(&out);
    qc_matcher_free(m);
}
END_TEST

/* The prefilter with folding sets the bits of every code point that
   qc_fold_latin maps to a pattern's: it relies on folding only below
   U+0180 (into that range) and fullwidth A-Z (onto a-z), and on at most
   three other code points folding to any one (fold_sources). */
START_TEST(folding_stays_in_the_blocks_the_prefilter_knows)
{
    int sources[0x180] = {0};
    for (uint32_t c = 0; c < 0x180; c++)
        if (qc_fold_latin(c) != c)
            ck_assert_int_le(++sources[qc_fold_latin(c)], 3);
    for (uint32_t c = 0; c < 0x110000; c++) {
        uint32_t f = qc_fold_latin(c);
        if (c < 0x180)
            ck_assert_uint_lt(f, 0x180);
        else if (c >= 0xFF21 && c <= 0xFF3A)
            ck_assert_uint_eq(f, c + 32);
        else
            ck_assert_uint_eq(f, c);
    }
}
END_TEST

/* The prefilter's tables (pairs, and one-code-point patterns) fail to
   allocate like the rest. */
START_TEST(prefilter_survives_every_allocation_failure)
{
    const uint8_t x[] = "x";
    qc_str pats[] = {PATTERNS[0], PATTERNS[1], PATTERNS[2], PATTERNS[3], {1, x, 1}};
    survives_every_allocation_failure(pats, 5, 1, QC_MATCH_LONGEST, 1, 1); /* she */
}
END_TEST

Suite *acmatch_suite(void)
{
    Suite *s = suite_create("acmatch");
    TCase *tc = tcase_create("qc_match");
    tcase_add_test(tc, paper_example_overlapping);
    tcase_add_test(tc, folding_and_wide_text);
    tcase_add_test(tc, bad_patterns_are_named);
    tcase_add_test(tc, max_matches_bounds_the_rows);
    tcase_add_test(tc, wide_nodes_match_as_narrow_ones);
    tcase_add_test(tc, wide_nodes_and_many_root_children);
    tcase_add_test(tc, matcher_survives_every_allocation_failure);
    tcase_add_test(tc, prefilter_skip_never_passes_a_start);
    tcase_add_test(tc, prefilter_skip_at_the_ends);
    tcase_add_test(tc, prefilter_off_for_a_dense_pair_set);
    tcase_add_test(tc, folding_stays_in_the_blocks_the_prefilter_knows);
    tcase_add_test(tc, prefilter_survives_every_allocation_failure);
    suite_add_tcase(s, tc);
    return s;
}
