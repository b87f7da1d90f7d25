/* qc/terms.h: n-gram counts and co-word pairs on a hand-made stream; the
   expected counts are scikit-learn's CountVectorizer and nltk's windowed
   bigrams on the same tokens (documents "a b a c" and "b a"). Also the
   string order and the radix sort (qc/radix.h) those kernels rest on. */
#include <stdlib.h>
#include <string.h>

#include "qc/parallel.h"
#include "qc/radix.h"
#include "qc/terms.h"
#include "alloc_rounds.h"
#include "suites.h"

static const int64_t INDPTR[] = {0, 4, 6};
static const int64_t TOKENS[] = {0, 1, 0, 2, 1, 0}; /* a=0 b=1 c=2 */

START_TEST(unigrams_and_bigrams)
{
    qc_ngrams *g;
    qc_csr m;
    ck_assert_int_eq(qc_ngrams_new(&g), QC_OK);
    ck_assert_int_eq(qc_count_ngrams(INDPTR, 2, TOKENS, 6, 3, NULL, 1, 2, g, &m, NULL), QC_OK);
    /* grams by first appearance: a, ab, b, ba, ac, c */
    ck_assert_uint_eq(qc_ngrams_count(g), 6);
    ck_assert_int_eq(m.indptr[1], 6);
    ck_assert_int_eq(m.indptr[2], 9);
    const int64_t data0[] = {2, 1, 1, 1, 1, 1};
    for (int i = 0; i < 6; i++)
        ck_assert_int_eq(m.data[i], data0[i]);
    const uint32_t names[] = {'a', 'b', 'c'};
    const int64_t name_off[] = {0, 1, 2, 3};
    uint32_t *text;
    int64_t *offsets, *rank, *order;
    size_t distinct;
    ck_assert_int_eq(qc_ngram_strings(g, names, name_off, 3, ' ', &text, &offsets, &rank,
                                      &order, &distinct, NULL), QC_OK);
    /* sorted: "a" < "a b" < "a c" < "b" < "b a" < "c" */
    ck_assert_uint_eq(distinct, 6);
    const int64_t want_rank[] = {0, 1, 3, 4, 2, 5};
    for (int i = 0; i < 6; i++)
        ck_assert_int_eq(rank[i], want_rank[i]);
    qc_free(text);
    qc_free(offsets);
    qc_free(rank);
    qc_free(order);
    qc_csr_free(&m);
    qc_ngrams_free(g);
}
END_TEST

START_TEST(window_pairs_and_halves_add_up)
{
    qc_wordpairs *whole, *halves;
    ck_assert_int_eq(qc_wordpairs_new(&whole), QC_OK);
    ck_assert_int_eq(qc_wordpairs_new(&halves), QC_OK);
    ck_assert_int_eq(qc_count_pairs(INDPTR, 2, TOKENS, 6, 3, NULL, 3, 1, whole, NULL), QC_OK);
    ck_assert_int_eq(qc_count_pairs(INDPTR, 1, TOKENS, 4, 3, NULL, 3, 1, halves, NULL), QC_OK);
    const int64_t second[] = {0, 2};
    ck_assert_int_eq(qc_count_pairs(second, 1, TOKENS + 4, 2, 3, NULL, 3, 1, halves, NULL), QC_OK);
    /* window 3 in "a b a c": ab, aa(skipped), ba, bc... {a,b}: 2+1 = 3 with
       "b a"; {a,c}: 1; {b,c}: 1 */
    int32_t a[3], b[3], a2[3], b2[3];
    int32_t n[3], n2[3];
    ck_assert_uint_eq(qc_wordpairs_count(whole), 3);
    qc_wordpairs_export(whole, a, b, n);
    qc_wordpairs_export(halves, a2, b2, n2);
    int64_t total = 0;
    for (int i = 0; i < 3; i++) {
        total += n[i];
        if (a[i] == 0 && b[i] == 1)
            ck_assert_int_eq(n[i], 3);
        for (int j = 0; j < 3; j++)
            if (a2[j] == a[i] && b2[j] == b[i])
                ck_assert_int_eq(n2[j], n[i]);
    }
    ck_assert_int_eq(total, 5);
    /* sorted by (a, b): {0,1} {0,2} {1,2} */
    const int64_t want_a[] = {0, 0, 1}, want_b[] = {1, 2, 2};
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(a[i], want_a[i]);
        ck_assert_int_eq(b[i], want_b[i]);
    }
    qc_errinfo err = {0};
    ck_assert_int_eq(qc_count_pairs(INDPTR, 2, TOKENS, 6, 2, NULL, 3, 1, whole, &err), QC_EINDEX);
    ck_assert_str_eq(err.arg, "tokens");
    ck_assert_int_eq(qc_count_pairs(INDPTR, 2, TOKENS, 6, 3, NULL, 1, 1, whole, &err), QC_EINVAL);
    /* ids are returned as int32 */
    ck_assert_int_eq(qc_count_pairs(INDPTR, 2, TOKENS, 6, (size_t)INT32_MAX + 2, NULL, 3, 1, whole,
                                    &err), QC_EOVERFLOW);
    ck_assert_str_eq(err.arg, "n_vocab");
    qc_wordpairs_free(whole);
    qc_wordpairs_free(halves);
}
END_TEST

/* A count past its limit fails with QC_EOVERFLOW rather than wrap, on each
   path that makes or adds counts, and leaves what was counted before. The
   limit is lowered for the test (2^31 - 1 needs billions of pair
   occurrences). Counts by hand from the contract: in "a b a b ..." of n
   tokens, window 2, {a,b} occurs n - 1 times; in texts "a b", once a text. */
START_TEST(pair_counts_past_their_limit_fail)
{
    enum { LONG = 41, TEXTS = 8 };
    int64_t tokens[LONG], texts_indptr[TEXTS + 1];
    for (int i = 0; i < LONG; i++)
        tokens[i] = i % 2;
    for (int d = 0; d <= TEXTS; d++)
        texts_indptr[d] = 2 * d;
    const int64_t short_indptr[] = {0, 9}, long_indptr[] = {0, LONG};
    const struct {
        const int64_t *indptr;
        size_t n_docs, window;
        int32_t count;
    } cases[] = {
        {short_indptr, 1, 2, 8},       /* a's 8 neighbours: sorted runs */
        {long_indptr, 1, 2, 40},       /* 40, more than FEW: the tallies */
        {texts_indptr, TEXTS, 0, 8},   /* whole texts: the sorted batches */
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        size_t n = (size_t)cases[k].indptr[cases[k].n_docs];
        unsigned bits = 1;
        while (((int32_t)1 << bits) <= cases[k].count)
            bits++;
        qc_wordpairs *p;
        ck_assert_int_eq(qc_wordpairs_new(&p), QC_OK);
        qc_errinfo err = {0};
        qc_limit_pair_counts(bits - 1); /* the count passes 2^(bits-1) - 1 */
        ck_assert_int_eq(qc_count_pairs(cases[k].indptr, cases[k].n_docs, tokens, n, 2, NULL,
                                         cases[k].window, 1, p, &err), QC_EOVERFLOW);
        ck_assert_str_eq(err.arg, "window");
        ck_assert_uint_eq(qc_wordpairs_count(p), 0);
        qc_limit_pair_counts(bits); /* fits once; twice the count passes 2^bits - 1 */
        ck_assert_int_eq(qc_count_pairs(cases[k].indptr, cases[k].n_docs, tokens, n, 2, NULL,
                                         cases[k].window, 1, p, &err), QC_OK);
        ck_assert_int_eq(qc_count_pairs(cases[k].indptr, cases[k].n_docs, tokens, n, 2, NULL,
                                         cases[k].window, 1, p, &err), QC_EOVERFLOW);
        qc_limit_pair_counts(0);
        int32_t a, b, count;
        ck_assert_uint_eq(qc_wordpairs_count(p), 1);
        qc_wordpairs_export(p, &a, &b, &count);
        ck_assert_int_eq(a, 0);
        ck_assert_int_eq(b, 1);
        ck_assert_int_eq(count, cases[k].count);
        qc_wordpairs_free(p);
    }
}
END_TEST

/* Window pairs against a direct count over every two positions, on
   random streams (synthetic): small windows take the walk by lower id, a
   window far wider than the texts with many texts takes the sorted
   batches; a second call adds to the first. */
static int compare_keys(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

static void expect_window_pairs(size_t n_docs, size_t doc_len, size_t n_vocab,
                                size_t window, uint32_t seed)
{
    size_t n = n_docs * doc_len;
    int64_t *indptr = malloc((n_docs + 1) * sizeof *indptr);
    int64_t *tokens = malloc(n * sizeof *tokens);
    uint64_t *direct = malloc((n * (window - 1) + 1) * sizeof *direct);
    uint8_t *keep = malloc(n_vocab);
    ck_assert(indptr && tokens && direct && keep);
    for (size_t v = 0; v < n_vocab; v++)
        keep[v] = v % 7 != 3;
    uint32_t r = seed;
    for (size_t d = 0; d <= n_docs; d++)
        indptr[d] = (int64_t)(d * doc_len);
    for (size_t i = 0; i < n; i++) {
        r = r * 1103515245u + 12345u;
        /* skewed, like words: low ids far more often; with many ids, id 1
           now and then and id 2 a dozen times among ids spread over all
           of them */
        double u = (double)(r >> 8) / (double)(1u << 24);
        tokens[i] = n_vocab <= 100000 ? (int64_t)((double)n_vocab * u * u * u)
                    : i % 200 == 0    ? 1
                    : i % (n / 12) == 1 ? 2
                                        : (int64_t)(u * (double)n_vocab);
    }
    /* every two positions of a text's kept tokens within the window, as
       lo << 32 | hi, sorted: the pairs are its runs */
    size_t n_direct = 0;
    for (size_t d = 0; d < n_docs; d++) {
        const int64_t *doc = tokens + indptr[d];
        int64_t kept[64];
        size_t m = 0;
        for (size_t i = 0; i < doc_len; i++)
            if (keep[doc[i]])
                kept[m++] = doc[i];
        for (size_t i = 0; i < m; i++)
            for (size_t j = i + 1; j < m && j - i < window; j++)
                if (kept[i] != kept[j]) {
                    uint64_t lo = (uint64_t)(kept[i] < kept[j] ? kept[i] : kept[j]);
                    uint64_t hi = (uint64_t)(kept[i] ^ kept[j]) ^ lo;
                    direct[n_direct++] = lo << 32 | hi;
                }
    }
    qsort(direct, n_direct, sizeof *direct, compare_keys);
    qc_wordpairs *p;
    ck_assert_int_eq(qc_wordpairs_new(&p), QC_OK);
    /* once on one thread, once in as many ranges of ids as fit */
    for (size_t threads = 1; threads <= 4; threads += 3)
        ck_assert_int_eq(qc_count_pairs(indptr, n_docs, tokens, n, n_vocab, keep, window,
                                         threads, p, NULL), QC_OK);
    size_t n_pairs = qc_wordpairs_count(p);
    int32_t *a = malloc((n_pairs + 1) * sizeof *a), *b = malloc((n_pairs + 1) * sizeof *b);
    int32_t *c = malloc((n_pairs + 1) * sizeof *c);
    ck_assert(a && b && c);
    qc_wordpairs_export(p, a, b, c);
    size_t k = 0;
    for (size_t i = 0; i < n_direct; k++) {
        size_t j = i + 1;
        while (j < n_direct && direct[j] == direct[i])
            j++;
        ck_assert_uint_lt(k, n_pairs);
        ck_assert_int_eq(a[k], (int64_t)(direct[i] >> 32));
        ck_assert_int_eq(b[k], (int64_t)(direct[i] & 0xFFFFFFFFu));
        ck_assert_int_eq(c[k], 2 * (int64_t)(j - i)); /* counted by both calls */
        i = j;
    }
    ck_assert_uint_eq(k, n_pairs);
    ck_assert_uint_gt(n_pairs, 10);
    free(a);
    free(b);
    free(c);
    qc_wordpairs_free(p);
    free(indptr);
    free(tokens);
    free(direct);
    free(keep);
}

START_TEST(window_pairs_equal_a_direct_count)
{
    expect_window_pairs(200, 40, 60, 2, 1);
    expect_window_pairs(200, 40, 60, 5, 2);
    expect_window_pairs(50, 64, 3000, 9, 3);
    expect_window_pairs(30, 64, 200, 64, 4); /* a window as wide as the texts */
    /* every window from 2 to 11 (the gathering loop runs window - 1 times
       either side of a position) */
    for (size_t window = 2; window <= 11; window++)
        expect_window_pairs(60, 40, 300, window, 20 + (unsigned)window);
    /* wide windows over many ids: more pairs than the columns first hold */
    expect_window_pairs(100, 64, 1000000, 64, 9);
    /* id 0 has some 100,000 neighbours: tallied in chunks */
    expect_window_pairs(200, 64, 8, 17, 7);
    /* a million ids: ids 1 and 2's neighbours are spread too thinly for
       the bit set and are sorted instead */
    expect_window_pairs(40, 64, 1000000, 3, 5);
    /* 190,000 positions: walked in two ranges on two threads, the first
       downwards (tallies in chunks for id 0) into the block both share */
    expect_window_pairs(3000, 64, 5000, 5, 10);
    /* 350,000 positions: four ranges, the last two copied after the
       block */
    expect_window_pairs(5500, 64, 5000, 5, 11);
    /* the first range downwards over a million ids: id 1 tallied with its
       least and greatest b tracked, id 2 sorted */
    expect_window_pairs(2600, 64, 1000000, 3, 12);
    /* 380,000 positions over a million ids: four ranges, the last two's
       700,000 pairs or so copied on two threads */
    expect_window_pairs(6000, 64, 1000000, 5, 14);
    /* a wide window over a million ids: the block would reserve too much,
       so both ranges write columns of their own */
    expect_window_pairs(3000, 64, 1000000, 24, 13);
    /* the batch route: 700 texts x 1,999 gap entries outweigh the tokens;
       8 million ids for 1,280 tokens */
    expect_window_pairs(700, 20, 40, 2000, 6);
    expect_window_pairs(20, 64, 8000000, 4, 8);
}
END_TEST

/* The first two ranges take each other's ids: run in turn, the first to
   run walks its own range and then the whole of the other's, whose pairs
   are copied next to the first's. */
START_TEST(window_pairs_taken_across_ranges_equal_a_direct_count)
{
    for (int turns = 1; turns >= -1; turns -= 2) {
        qc_run_parts_in_turn(turns); /* the first range first, then last first */
        expect_window_pairs(3000, 64, 5000, 5, 10);
        expect_window_pairs(5500, 64, 5000, 5, 11); /* and two ranges of their own */
        expect_window_pairs(2600, 64, 1000000, 3, 12);
    }
    qc_run_parts_in_turn(0);
}
END_TEST

/* The pairs handed over as rows: from the window walk (rows as counted)
   and from whole texts' batches (rows made from the column a); "a b a c"
   and "b a" share {a,b} 3 times in a window of 3 and in 2 texts. */
START_TEST(pairs_are_taken_as_rows)
{
    const size_t windows[] = {3, 0}; /* the walk, the batch route */
    for (size_t w = 0; w < 2; w++) {
        size_t window = windows[w];
        qc_wordpairs *p;
        ck_assert_int_eq(qc_wordpairs_new(&p), QC_OK);
        ck_assert_int_eq(qc_count_pairs(INDPTR, 2, TOKENS, 6, 3, NULL, window, 1, p, NULL),
                         QC_OK);
        int64_t *rows;
        int32_t *b, *count;
        size_t skip;
        /* the rows must hold every a */
        ck_assert_int_eq(qc_wordpairs_take(p, 1, &rows, &b, &count, &skip), QC_EINVAL);
        ck_assert_int_eq(qc_wordpairs_take(p, 4, &rows, &b, &count, &skip), QC_OK);
        ck_assert_uint_eq(qc_wordpairs_count(p), 0);
        /* {a,b} {a,c} {b,c}: rows 0 and 1, none for c or the spare row */
        const int64_t want_rows[] = {0, 2, 3, 3, 3};
        for (int r = 0; r < 5; r++)
            ck_assert_int_eq(rows[r], want_rows[r]);
        const int32_t want_b[] = {1, 2, 2};
        const int32_t want_count[] = {window == 3 ? 3 : 2, 1, 1};
        for (int i = 0; i < 3; i++) {
            ck_assert_int_eq(b[skip + (size_t)i], want_b[i]);
            ck_assert_int_eq(count[skip + (size_t)i], want_count[i]);
        }
        qc_free(rows);
        qc_free(b);
        qc_free(count);
        /* nothing counted: an empty row per id */
        ck_assert_int_eq(qc_wordpairs_take(p, 2, &rows, &b, &count, &skip), QC_OK);
        ck_assert_int_eq(rows[0], 0);
        ck_assert_int_eq(rows[2], 0);
        qc_free(rows);
        qc_free(b);
        qc_free(count);
        qc_wordpairs_free(p);
    }
}
END_TEST

START_TEST(terms_survive_every_allocation_failure)
{
    /* one text of 140,000 tokens over 5,000 ids: two ranges of ids */
    enum { LONG_TOKENS = 140000 };
    static const int64_t LONG_INDPTR[] = {0, LONG_TOKENS};
    static int64_t long_tokens[LONG_TOKENS];
    uint32_t r = 11;
    for (size_t i = 0; i < LONG_TOKENS; i++) {
        r = r * 1103515245u + 12345u;
        long_tokens[i] = (int64_t)((r >> 8) % 5000);
    }
    for (long k = 0;; k++) {
        qc_ngrams *g = NULL;
        qc_wordpairs *p = NULL;
        qc_csr m = {0};
        qc_alloc_fail_after(k);
        qc_status status = qc_ngrams_new(&g);
        if (status == QC_OK)
            status = qc_count_ngrams(INDPTR, 2, TOKENS, 6, 3, NULL, 1, 3, g, &m, NULL);
        if (status == QC_OK)
            status = qc_wordpairs_new(&p);
        if (status == QC_OK)
            status = qc_count_pairs(INDPTR, 2, TOKENS, 6, 3, NULL, 0, 1, p, NULL);
        if (status == QC_OK) /* the window walk, adding to the pairs */
            status = qc_count_pairs(INDPTR, 2, TOKENS, 6, 3, NULL, 3, 1, p, NULL);
        if (status == QC_OK) /* in two ranges of ids on two threads */
            status = qc_count_pairs(LONG_INDPTR, 1, long_tokens, LONG_TOKENS, 5000, NULL, 5,
                                    2, p, NULL);
        for (int turns = 1; turns >= -1 && status == QC_OK; turns -= 2) {
            qc_run_parts_in_turn(turns); /* one range takes the other's ids */
            status = qc_count_pairs(LONG_INDPTR, 1, long_tokens, LONG_TOKENS, 5000, NULL, 5,
                                    2, p, NULL);
            qc_run_parts_in_turn(0);
        }
        qc_wordpairs *walked = NULL;
        if (status == QC_OK) /* the walk's rows and its block, taken */
            status = qc_wordpairs_new(&walked);
        if (status == QC_OK)
            status = qc_count_pairs(LONG_INDPTR, 1, long_tokens, LONG_TOKENS, 5000, NULL, 5,
                                    2, walked, NULL);
        int64_t *rows = NULL;
        int32_t *b = NULL, *count = NULL;
        size_t skip = 0;
        if (status == QC_OK)
            status = qc_wordpairs_take(walked, 5000, &rows, &b, &count, &skip);
        if (status == QC_OK)
            ck_assert_int_gt(rows[5000], 0);
        qc_free(rows);
        qc_free(b);
        qc_free(count);
        qc_wordpairs_free(walked);
        long attempts = qc_alloc_attempts();
        qc_alloc_fail_after(-1);
        qc_csr_free(&m);
        qc_ngrams_free(g);
        qc_wordpairs_free(p);
        if (alloc_round_done(status, k, attempts, 3))
            break;
    }
}
END_TEST

/* The dense documents x terms matrix of a CSR, columns remapped by col. */
static int64_t *dense(const qc_csr *m, const int64_t *col, size_t n_cols)
{
    int64_t *out = calloc(m->n_rows * n_cols, sizeof *out);
    ck_assert_ptr_nonnull(out);
    for (size_t r = 0; r < m->n_rows; r++)
        for (int64_t k = m->indptr[r]; k < m->indptr[r + 1]; k++)
            out[r * n_cols + (size_t)(col ? col[m->indices[k]] : m->indices[k])] += m->data[k];
    return out;
}

START_TEST(char_ngrams_come_sorted)
{
    /* CountVectorizer(analyzer="char", ngram_range=(1, 2)) on "abac", "ba":
       vocabulary a ab ac b ba c; rows [2 1 1 1 1 1] and [1 0 0 1 1 0] */
    const uint8_t t0[] = "abac", t1[] = "ba";
    const qc_str texts[] = {{1, t0, 4}, {1, t1, 2}};
    qc_csr m;
    qc_packed_terms terms;
    ck_assert_int_eq(qc_count_char_ngrams(texts, 2, NULL, 1, 2, 1, &m, &terms, NULL), QC_OK);
    ck_assert_uint_eq(terms.n, 6);
    const char *spelled[] = {"a", "ab", "ac", "b", "ba", "c"};
    for (size_t t = 0; t < 6; t++) {
        int64_t cps[2];
        size_t n = qc_packed_term(&terms, t, cps);
        ck_assert_uint_eq(n, strlen(spelled[t]));
        for (size_t i = 0; i < n; i++)
            ck_assert_int_eq(cps[i], spelled[t][i]);
    }
    const int64_t want[] = {2, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0}, df[] = {2, 1, 1, 2, 2, 1};
    int64_t *got = dense(&m, NULL, 6);
    for (int i = 0; i < 12; i++)
        ck_assert_int_eq(got[i], want[i]);
    for (int t = 0; t < 6; t++)
        ck_assert_int_eq(terms.df[t], df[t]);
    for (int64_t k = m.indptr[0] + 1; k < m.indptr[1]; k++) /* columns ascend */
        ck_assert_int_lt(m.indices[k - 1], m.indices[k]);
    free(got);
    qc_csr_free(&m);
    qc_packed_terms_free(&terms);
    /* dropping 'c' first: "aba" has the bigrams ab, ba only */
    uint8_t *keep = malloc(QC_N_CODE_POINTS);
    memset(keep, 1, QC_N_CODE_POINTS);
    keep['c'] = 0;
    ck_assert_int_eq(qc_count_char_ngrams(texts, 1, keep, 2, 2, 1, &m, &terms, NULL), QC_OK);
    ck_assert_uint_eq(terms.n, 2);
    ck_assert_int_eq(m.nnz, 2);
    qc_csr_free(&m);
    qc_packed_terms_free(&terms);
    free(keep);
    /* keys that cannot fit: 3 characters need 2 bits each, 40 of them 80 */
    qc_errinfo err = {0};
    ck_assert_int_eq(qc_count_char_ngrams(texts, 2, NULL, 1, 40, 1, &m, &terms, &err),
                     QC_EOVERFLOW);
    ck_assert_str_eq(err.arg, "ngram_range");
    /* texts without characters (or with all of them dropped) count nothing */
    const qc_str empty[] = {{1, t0, 0}, {1, t1, 0}};
    ck_assert_int_eq(qc_count_char_ngrams(empty, 2, NULL, 1, 2, 1, &m, &terms, NULL), QC_OK);
    ck_assert_uint_eq(terms.n, 0);
    ck_assert_int_eq(m.nnz, 0);
    ck_assert_int_eq(m.indptr[2], 0);
    qc_csr_free(&m);
    qc_packed_terms_free(&terms);
    ck_assert_int_eq(qc_count_char_ngrams(texts, 0, NULL, 1, 2, 1, &m, &terms, NULL), QC_OK);
    ck_assert_uint_eq(terms.n, 0);
    qc_csr_free(&m);
    qc_packed_terms_free(&terms);
    /* a value no code point has is refused, not read past the keep mask */
    const uint32_t beyond[] = {'a', 0x110000};
    const qc_str bad = {4, beyond, 2};
    ck_assert_int_eq(qc_count_char_ngrams(&bad, 1, NULL, 1, 1, 1, &m, &terms, &err), QC_EINVAL);
    ck_assert_str_eq(err.arg, "texts");
}
END_TEST

/* Seeded texts over a small alphabet with white-space runs, a code point
   above U+FFFF and NUL; chars holds them (docs x len). */
static void alphabet_texts(qc_str *texts, uint32_t *chars, size_t docs, size_t len)
{
    const uint32_t alphabet[] = {'a', 'b', ' ', '\t', 0x4E2D, 0x56FD, 0x1F600, 0};
    uint64_t seed = 12345;
    for (size_t d = 0; d < docs; d++) {
        size_t n = d % 7 == 0 ? d % 3 : len - d % 11;
        for (size_t i = 0; i < n; i++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            chars[d * len + i] = alphabet[(seed >> 33) % 8];
        }
        texts[d] = (qc_str){4, chars + d * len, n};
    }
}

/* The sorted route (in up to n_threads parts) and the hashed route
   (qc_char_tokens + qc_count_ngrams + qc_ngram_strings) agree. */
static void expect_char_ngrams(size_t docs, size_t len, size_t n_threads)
{
    uint32_t *chars = malloc(docs * len * sizeof *chars);
    qc_str *texts = malloc(docs * sizeof *texts);
    int64_t *indptr = malloc((docs + 1) * sizeof *indptr);
    ck_assert(chars && texts && indptr);
    alphabet_texts(texts, chars, docs, len);
    for (size_t max_n = 1; max_n <= 3; max_n++) {
        qc_csr sorted, hashed;
        qc_packed_terms terms;
        ck_assert_int_eq(qc_count_char_ngrams(texts, docs, NULL, 1, max_n, n_threads, &sorted,
                                              &terms, NULL), QC_OK);
        int64_t *tokens = NULL;
        size_t n_tokens = 0, capacity = 0;
        ck_assert_int_eq(qc_char_tokens(texts, docs, indptr, &tokens, &n_tokens, &capacity,
                                        NULL), QC_OK);
        qc_ngrams *g;
        ck_assert_int_eq(qc_ngrams_new(&g), QC_OK);
        ck_assert_int_eq(qc_count_ngrams(indptr, docs, tokens, n_tokens, QC_N_CODE_POINTS,
                                         NULL, 1, max_n, g, &hashed, NULL), QC_OK);
        uint32_t *text;
        int64_t *offsets, *rank, *order;
        size_t distinct;
        ck_assert_int_eq(qc_ngram_strings(g, NULL, NULL, 0, -1, &text, &offsets, &rank,
                                          &order, &distinct, NULL), QC_OK);
        ck_assert_uint_eq(distinct, terms.n);
        int64_t *a = dense(&sorted, NULL, terms.n), *b = dense(&hashed, rank, distinct);
        for (size_t i = 0; i < docs * terms.n; i++)
            ck_assert_int_eq(a[i], b[i]);
        for (size_t t = 0; t < terms.n; t++) { /* same strings in the same order */
            int64_t cps[3];
            size_t n = qc_packed_term(&terms, t, cps);
            int64_t g_first = order[t];
            ck_assert_int_eq((int64_t)n, offsets[g_first + 1] - offsets[g_first]);
            for (size_t i = 0; i < n; i++)
                ck_assert_int_eq(cps[i], text[offsets[g_first] + (int64_t)i]);
        }
        for (size_t r = 0; r < docs; r++) /* columns ascend within a row */
            for (int64_t k = sorted.indptr[r] + 1; k < sorted.indptr[r + 1]; k++)
                ck_assert_int_lt(sorted.indices[k - 1], sorted.indices[k]);
        /* document frequencies: the non-zeros of each column */
        int64_t *df = calloc(terms.n + 1, sizeof *df);
        ck_assert(df != NULL);
        for (size_t k = 0; k < sorted.nnz; k++)
            df[sorted.indices[k]]++;
        for (size_t t = 0; t < terms.n; t++)
            ck_assert_int_eq(df[t], terms.df[t]);
        free(df);
        free(a);
        free(b);
        qc_free(text);
        qc_free(offsets);
        qc_free(rank);
        qc_free(order);
        qc_free(tokens);
        qc_ngrams_free(g);
        qc_csr_free(&sorted);
        qc_csr_free(&hashed);
        qc_packed_terms_free(&terms);
    }
    free(chars);
    free(texts);
    free(indptr);
}

START_TEST(char_ngrams_equal_the_hashed_counts)
{
    expect_char_ngrams(60, 40, 1);
    /* 400,000 and more n-grams: generated, sorted and counted in 4 parts */
    expect_char_ngrams(2000, 100, 4);
}
END_TEST

START_TEST(char_ngrams_survive_every_allocation_failure)
{
    enum { DOCS = 2000, LEN = 100 };
    uint32_t *chars = malloc(DOCS * LEN * sizeof *chars);
    qc_str *texts = malloc(DOCS * sizeof *texts);
    ck_assert(chars && texts);
    alphabet_texts(texts, chars, DOCS, LEN);
    for (size_t n_docs = 60; n_docs <= DOCS; n_docs += DOCS - 60) { /* 1 part, then 2 */
        for (long k = 0;; k++) {
            qc_csr m;
            qc_packed_terms terms;
            qc_alloc_fail_after(k);
            qc_status status = qc_count_char_ngrams(texts, n_docs, NULL, 1, 2, 2, &m, &terms,
                                                    NULL);
            long attempts = qc_alloc_attempts();
            qc_alloc_fail_after(-1);
            qc_csr_free(&m);
            qc_packed_terms_free(&terms);
            if (alloc_round_done(status, k, attempts, 3))
                break;
        }
    }
    free(chars);
    free(texts);
}
END_TEST

/* The order of a co-word table by hand, from the contract: highest count
   first, ties by row then as given. Rows 0: (5, 2) (7, 1); 1: (3, 2);
   2: (9, 5). */
static const int64_t BY_COUNT_ROWS[] = {0, 2, 3, 4};
static const int32_t BY_COUNT_B[] = {5, 7, 3, 9};
static const int32_t BY_COUNT_COUNT[] = {2, 1, 2, 5};

/* qc_pairs_by_count into columns of `want` pairs, checked against them. */
static void check_by_count(const int64_t *rows, size_t n_rows, const int32_t *b,
                           const int32_t *count, size_t n, int64_t min_count, size_t want,
                           const int32_t want_a[], const int32_t want_b[],
                           const int32_t want_count[])
{
    int32_t a_out[8], b_out[8], count_out[8];
    ck_assert_uint_eq(qc_pairs_at_least(count, n, min_count), want);
    ck_assert_int_eq(qc_pairs_by_count(rows, n_rows, b, count, n, min_count, a_out, b_out,
                                       count_out, NULL),
                     QC_OK);
    for (size_t i = 0; i < want; i++) {
        ck_assert_int_eq(a_out[i], want_a[i]);
        ck_assert_int_eq(b_out[i], want_b[i]);
        ck_assert_int_eq(count_out[i], want_count[i]);
    }
}

START_TEST(pairs_come_by_count)
{
    /* one radix pass: counts 1 to 5 */
    check_by_count(BY_COUNT_ROWS, 3, BY_COUNT_B, BY_COUNT_COUNT, 4, 1, 4,
                   (const int32_t[]){2, 0, 1, 0}, (const int32_t[]){9, 5, 3, 7},
                   (const int32_t[]){5, 2, 2, 1});
    check_by_count(BY_COUNT_ROWS, 3, BY_COUNT_B, BY_COUNT_COUNT, 4, 2, 3,
                   (const int32_t[]){2, 0, 1}, (const int32_t[]){9, 5, 3},
                   (const int32_t[]){5, 2, 2});
    check_by_count(BY_COUNT_ROWS, 3, BY_COUNT_B, BY_COUNT_COUNT, 4, INT64_MAX, 0, NULL, NULL,
                   NULL);
    /* two passes: counts 70,000 apart, ties across rows; and int32's ends */
    static const int64_t rows[] = {0, 2, 4};
    static const int32_t b[] = {1, 2, 3, 4};
    static const int32_t wide[] = {70000, 1, 70000, -3};
    check_by_count(rows, 2, b, wide, 4, -10, 4, (const int32_t[]){0, 1, 0, 1},
                   (const int32_t[]){1, 3, 2, 4}, (const int32_t[]){70000, 70000, 1, -3});
    static const int32_t ends[] = {INT32_MIN, INT32_MAX, INT32_MIN, 0};
    check_by_count(rows, 2, b, ends, 4, INT64_MIN, 4, (const int32_t[]){0, 1, 0, 1},
                   (const int32_t[]){2, 4, 1, 3},
                   (const int32_t[]){INT32_MAX, 0, INT32_MIN, INT32_MIN});
    /* no rows, no pairs */
    static const int64_t no_rows[] = {0};
    check_by_count(no_rows, 0, b, wide, 0, 1, 0, NULL, NULL, NULL);
}
END_TEST

START_TEST(pairs_by_count_refuse_malformed_rows)
{
    int32_t out[4];
    qc_errinfo err = {0};
    static const int64_t from_one[] = {1, 2, 4, 4};
    static const int64_t falling[] = {0, 3, 2, 4};
    static const int64_t short_end[] = {0, 1, 2, 3};
    const int64_t *bad[] = {from_one, falling, short_end};
    const size_t at[] = {0, 2, 3};
    const qc_status why[] = {QC_EINVAL, QC_EORDER, QC_EINVAL}; /* as qc_check_indptr says */
    for (size_t i = 0; i < 3; i++) {
        ck_assert_int_eq(qc_pairs_by_count(bad[i], 3, BY_COUNT_B, BY_COUNT_COUNT, 4, 1, out,
                                           out, out, &err),
                         why[i]);
        ck_assert_str_eq(err.arg, "row_start");
        ck_assert_uint_eq(err.index, at[i]);
    }
}
END_TEST

START_TEST(pairs_by_count_survive_every_allocation_failure)
{
    static const int64_t rows[] = {0, 2, 4};
    static const int32_t b[] = {1, 2, 3, 4};
    static const int32_t wide[] = {70000, 1, 70000, -3};
    int32_t a_out[4], b_out[4], count_out[4];
    for (long k = 0;; k++) {
        qc_alloc_fail_after(k);
        qc_status status = qc_pairs_by_count(BY_COUNT_ROWS, 3, BY_COUNT_B, BY_COUNT_COUNT, 4, 1,
                                             a_out, b_out, count_out, NULL);
        if (status == QC_OK) /* two passes: the scratch columns */
            status = qc_pairs_by_count(rows, 2, b, wide, 4, -10, a_out, b_out, count_out, NULL);
        long attempts = qc_alloc_attempts();
        qc_alloc_fail_after(-1);
        if (alloc_round_done(status, k, attempts, 4))
            break;
    }
    ck_assert_int_eq(count_out[1], 70000);
    ck_assert_int_eq(a_out[1], 1);
}
END_TEST

/* Python's sorted() on the same strings gives the order below; equal
   strings keep their given order, and strings alike in their first three
   code points (the packed prefix) are told apart by the rest. */
START_TEST(strings_come_in_code_point_order)
{
    /* "b", "abcd", "", "abc", "\u00e9", "abce", "b", "abcd" */
    static const uint32_t text[] = {'b', 'a', 'b', 'c', 'd', 'a', 'b', 'c', 0xE9,
                                    'a', 'b', 'c', 'e', 'b', 'a', 'b', 'c', 'd'};
    static const int64_t offsets[] = {0, 1, 5, 5, 8, 9, 13, 14, 18};
    int64_t order[8];
    ck_assert_int_eq(qc_string_order(text, offsets, 8, order), QC_OK);
    const int64_t want[] = {2, 3, 1, 7, 5, 0, 6, 4};
    for (int i = 0; i < 8; i++)
        ck_assert_int_eq(order[i], want[i]);
    ck_assert_int_eq(qc_string_order(text, offsets, 0, order), QC_OK);
    for (long k = 0; k < 2; k++) {
        qc_alloc_fail_after(k);
        ck_assert_int_eq(qc_string_order(text, offsets, 8, order), QC_ENOMEM);
    }
    qc_alloc_fail_after(-1);
}
END_TEST

/* The key qc_radix_sort sorts a word on: bits [lo, hi). */
static uint64_t radix_key(uint64_t x, unsigned lo, unsigned hi)
{
    return hi - lo == 64 ? x : x >> lo & (((uint64_t)1 << (hi - lo)) - 1);
}

/* The first place where sorted[0..n) is out of order on its keys, or not
   stable (a word's low 20 bits are its place in the input, so equal keys
   keep those ascending); n when there is none. */
static size_t radix_disorder(const uint64_t *sorted, size_t n, unsigned lo, unsigned hi)
{
    for (size_t i = 1; i < n; i++) {
        uint64_t before = radix_key(sorted[i - 1], lo, hi), here = radix_key(sorted[i], lo, hi);
        if (before > here || (before == here && (sorted[i - 1] & 0xFFFFF) > (sorted[i] & 0xFFFFF)))
            return i;
    }
    return n;
}

START_TEST(radix_sort_is_stable_on_any_bits_and_parts)
{
    enum { N = 300000 };
    uint64_t *words = malloc(N * sizeof *words), *scratch = malloc(N * sizeof *scratch);
    size_t *count = malloc(((size_t)QC_MAX_PARTS << QC_RADIX_BITS) * sizeof *count);
    ck_assert(words != NULL && scratch != NULL && count != NULL);
    /* key bits [20, 64) and [20, 47); a digit every word shares (bits 47 to
       58 all zero below) costs a count and no move */
    const unsigned ranges[][2] = {{20, 64}, {20, 47}, {47, 58}, {20, 20}};
    const size_t parts[] = {1, 3, QC_MAX_PARTS};
    for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++) {
        for (size_t p = 0; p < sizeof parts / sizeof parts[0]; p++) {
            uint64_t x = 88172645463325252ull;
            for (size_t i = 0; i < N; i++) {
                x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                uint64_t key = ranges[r][0] == 47 ? x >> 20 & 0x3FF : x >> 20;
                words[i] = key << 20 | i; /* i < 2^20 */
            }
            qc_radix_job job = {.src = words, .dst = scratch, .count = count,
                                .n_parts = parts[p]};
            qc_radix_sort(&job, N, ranges[r][0], ranges[r][1]);
            ck_assert_uint_eq(radix_disorder(job.src, N, ranges[r][0], ranges[r][1]), N);
            if (job.src != words) { /* an odd number of moves */
                scratch = words;
                words = job.src;
            }
        }
    }
    ck_assert_uint_eq(qc_bit_length(0), 0);
    ck_assert_uint_eq(qc_bit_length(1), 1);
    ck_assert_uint_eq(qc_bit_length(UINT64_MAX), 64);
    free(words);
    free(scratch);
    free(count);
}
END_TEST

Suite *terms_suite(void)
{
    Suite *s = suite_create("terms");
    /* cases of hundreds of thousands of tokens, split over threads: past
       Check's 4 s under sanitizers and valgrind */
    TCase *tc = tcase_create("qc_count_ngrams");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, unigrams_and_bigrams);
    tcase_add_test(tc, terms_survive_every_allocation_failure);
    suite_add_tcase(s, tc);
    tc = tcase_create("qc_count_pairs");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, window_pairs_and_halves_add_up);
    tcase_add_test(tc, window_pairs_equal_a_direct_count);
    tcase_add_test(tc, window_pairs_taken_across_ranges_equal_a_direct_count);
    tcase_add_test(tc, pairs_are_taken_as_rows);
    tcase_add_test(tc, pair_counts_past_their_limit_fail);
    suite_add_tcase(s, tc);
    tc = tcase_create("qc_pairs_by_count");
    tcase_add_test(tc, pairs_come_by_count);
    tcase_add_test(tc, pairs_by_count_refuse_malformed_rows);
    tcase_add_test(tc, pairs_by_count_survive_every_allocation_failure);
    suite_add_tcase(s, tc);
    tc = tcase_create("qc_count_char_ngrams");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, char_ngrams_come_sorted);
    tcase_add_test(tc, char_ngrams_equal_the_hashed_counts);
    tcase_add_test(tc, char_ngrams_survive_every_allocation_failure);
    suite_add_tcase(s, tc);
    tc = tcase_create("qc_string_order");
    tcase_add_test(tc, strings_come_in_code_point_order);
    suite_add_tcase(s, tc);
    tc = tcase_create("qc_radix_sort");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, radix_sort_is_stable_on_any_bits_and_parts);
    suite_add_tcase(s, tc);
    return s;
}
