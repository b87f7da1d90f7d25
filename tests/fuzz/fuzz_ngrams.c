/*
 * Fuzzes n-gram counting and string interning (qc/ngrams.h, qc/strorder.h,
 * qc/trie.h's qc_vocab), in one of three modes the first byte picks:
 *
 *  0. a raw token stream (CSR offsets, ids, n_vocab, a keep mask and the
 *     n-gram range all from the input, valid or not) through
 *     qc_count_ngrams, in one call and in two halves into one table, then
 *     qc_ngram_strings and qc_string_order on the n-grams;
 *  1. texts cut into words (or into spans read from the input) and
 *     interned with qc_vocab_intern_spans, the ids counted as in 0 and the
 *     n-grams spelled from the vocabulary;
 *  2. character n-grams: qc_count_char_ngrams (sorted route, in up to four
 *     parts run in turn) against qc_char_tokens + qc_count_ngrams +
 *     qc_ngram_strings (hashed route), with a keep mask; texts may be
 *     repeated so that the sorted route splits its work.
 *
 * Checks beyond "no crash":
 *  - statuses: invalid ranges, offsets or ids are refused (EINVAL, EORDER,
 *    EINDEX naming "tokens" and the position), valid input is not;
 *  - qc_count_ngrams equals a direct count exactly: the same n-grams in the
 *    same order of first appearance, the same rows; two halves counted into
 *    one table give the table and rows of one call;
 *  - qc_ngram_strings spells each n-gram as its tokens' strings joined,
 *    ranks them in code point order (equal strings sharing a rank), and
 *    qc_string_order is a stable sort of the strings;
 *  - interning gives each distinct span one id, new ids in order of first
 *    appearance, found again by qc_vocab_find and spelled back by
 *    qc_vocab_string and qc_vocab_export;
 *  - both character routes give the same terms (strings, document
 *    frequencies) and the same counts, the sorted route's columns in code
 *    point order and ascending in each row; QC_EOVERFLOW comes exactly when
 *    the packed keys cannot fit in 64 bits.
 */
#include "fuzz_common.h"
#include "qc/parallel.h"
#include "qc/terms.h"
#include "qc/trie.h"

enum {
    MAX_DOCS = 16,
    MAX_TOKENS = 8192,
    MAX_N = 8,
    MAX_REPEAT = 64,
    MAX_GRAMS = 140000, /* character n-gram occurrences: just over two parts */
    KEEP_VOCAB = 4096 /* keep masks of up to this many ids */
};

typedef struct {
    int armed; /* an allocation failure was asked for */
} context;

/* -- a direct n-gram count ------------------------------------------------------ */

/* The n-grams seen, in order, and an open-addressing index over them. */
typedef struct {
    int64_t *tokens;
    size_t *start, *len;
    size_t n, n_tokens;
    size_t *slot; /* gram + 1, 0 empty */
    size_t capacity;
} ref_grams;

static uint64_t hash_gram(const int64_t *t, size_t n)
{
    uint64_t h = 1469598103934665603ull ^ n;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint64_t)t[i]) * 1099511628211ull;
    return h;
}

static void ref_init(ref_grams *g, size_t max_grams, size_t max_tokens)
{
    g->tokens = fz_alloc(max_tokens, sizeof *g->tokens);
    g->start = fz_alloc(max_grams, sizeof *g->start);
    g->len = fz_alloc(max_grams, sizeof *g->len);
    g->n = g->n_tokens = 0;
    g->capacity = 16;
    while (g->capacity < 2 * max_grams)
        g->capacity *= 2;
    g->slot = fz_alloc(g->capacity, sizeof *g->slot);
}

static void ref_free(ref_grams *g)
{
    free(g->tokens);
    free(g->start);
    free(g->len);
    free(g->slot);
}

static size_t ref_id(ref_grams *g, const int64_t *t, size_t n)
{
    size_t i = hash_gram(t, n) & (g->capacity - 1);
    for (;; i = (i + 1) & (g->capacity - 1)) {
        size_t s = g->slot[i];
        if (s == 0)
            break;
        if (g->len[s - 1] == n && memcmp(g->tokens + g->start[s - 1], t, n * sizeof *t) == 0)
            return s - 1;
    }
    memcpy(g->tokens + g->n_tokens, t, n * sizeof *t);
    g->start[g->n] = g->n_tokens;
    g->len[g->n] = n;
    g->n_tokens += n;
    g->slot[i] = ++g->n;
    return g->n - 1;
}

/* Counts the kept tokens of docs [d0, d1) into g; rows go to indices/data
   (entries per row in order of first appearance), row ends to row_end. */
static size_t ref_count(ref_grams *g, const int64_t *indptr, size_t d0, size_t d1,
                        const int64_t *tokens, const uint8_t *keep, size_t min_n, size_t max_n,
                        int64_t *indices, int64_t *data, size_t *row_end, int64_t *scratch)
{
    size_t nnz = 0;
    for (size_t d = d0; d < d1; d++) {
        size_t m = 0;
        for (int64_t i = indptr[d]; i < indptr[d + 1]; i++)
            if (keep == NULL || keep[tokens[i]])
                scratch[m++] = tokens[i];
        size_t row_start = nnz;
        for (size_t i = 0; i < m; i++) {
            for (size_t n = min_n; n <= max_n && i + n <= m; n++) {
                int64_t id = (int64_t)ref_id(g, scratch + i, n);
                size_t k = row_start;
                while (k < nnz && indices[k] != id)
                    k++;
                if (k == nnz) {
                    indices[nnz] = id;
                    data[nnz++] = 0;
                }
                data[k]++;
            }
        }
        row_end[d - d0] = nnz;
    }
    return nnz;
}

/* The core's table equals the direct one. */
static void check_table(const qc_ngrams *grams, const ref_grams *g)
{
    FZ_CHECK(qc_ngrams_count(grams) == g->n);
    const int64_t *indptr = qc_ngrams_indptr(grams), *tokens = qc_ngrams_tokens(grams);
    FZ_CHECK(indptr[0] == 0);
    for (size_t i = 0; i < g->n; i++) {
        FZ_CHECK(indptr[i + 1] - indptr[i] == (int64_t)g->len[i]);
        FZ_CHECK(memcmp(tokens + indptr[i], g->tokens + g->start[i],
                        g->len[i] * sizeof *tokens) == 0);
    }
}

/* Whether the stream is one qc_count_ngrams must accept. */
static int valid_stream(const int64_t *indptr, size_t n_docs, const int64_t *tokens,
                        size_t n_tokens, size_t n_vocab, size_t min_n, size_t max_n,
                        size_t *bad_token)
{
    *bad_token = SIZE_MAX;
    if (min_n < 1 || max_n < min_n || n_vocab > UINT32_MAX || indptr[0] != 0)
        return 0;
    for (size_t d = 0; d < n_docs; d++)
        if (indptr[d + 1] < indptr[d])
            return 0;
    if (indptr[n_docs] != (int64_t)n_tokens)
        return 0;
    for (size_t i = 0; i < n_tokens; i++)
        if (tokens[i] < 0 || (uint64_t)tokens[i] >= n_vocab) {
            *bad_token = i;
            return 0;
        }
    return 1;
}

/* qc_count_ngrams on the stream, once whole and once in two halves, both
   against the direct count. Returns the table (whole) for the caller. */
static qc_ngrams *count_and_check(context *ctx, const int64_t *indptr, size_t n_docs,
                                  const int64_t *tokens, size_t n_tokens, size_t n_vocab,
                                  const uint8_t *keep, size_t min_n, size_t max_n, size_t half)
{
    size_t bad_token;
    int valid = valid_stream(indptr, n_docs, tokens, n_tokens, n_vocab, min_n, max_n,
                             &bad_token);
    qc_ngrams *grams = NULL;
    qc_status status = qc_ngrams_new(&grams);
    FZ_CHECK_STATUS(status, FZ_ST(QC_OK) | (ctx->armed ? FZ_ST(QC_ENOMEM) : 0));
    if (status != QC_OK)
        return NULL;
    qc_csr out = {0};
    qc_errinfo err = {0};
    status = qc_count_ngrams(indptr, n_docs, tokens, n_tokens, n_vocab, keep, min_n, max_n,
                             grams, &out, &err);
    if (!valid) {
        FZ_CHECK(status != QC_OK);
        FZ_CHECK_STATUS(status, FZ_ST(QC_EINVAL) | FZ_ST(QC_EORDER) | FZ_ST(QC_EINDEX) |
                                    FZ_ST(QC_EOVERFLOW) | (ctx->armed ? FZ_ST(QC_ENOMEM) : 0));
        if (status == QC_EINDEX)
            FZ_CHECK(strcmp(err.arg, "tokens") == 0 && err.index == bad_token);
        qc_csr_free(&out);
        qc_ngrams_free(grams);
        return NULL;
    }
    FZ_CHECK_STATUS(status, FZ_ST(QC_OK) | (ctx->armed ? FZ_ST(QC_ENOMEM) : 0));
    if (status != QC_OK) {
        qc_ngrams_free(grams);
        return NULL;
    }

    /* max_n is small (MAX_N): occurrences bound the grams */
    size_t max_grams = n_tokens * (max_n - min_n + 1) + 1;
    ref_grams g;
    ref_init(&g, max_grams, max_grams * max_n);
    int64_t *indices = fz_alloc(max_grams, sizeof *indices), *data = fz_alloc(max_grams, sizeof *data);
    int64_t *scratch = fz_alloc(n_tokens + 1, sizeof *scratch);
    size_t *row_end = fz_alloc(n_docs + 1, sizeof *row_end);

    size_t nnz = ref_count(&g, indptr, 0, n_docs, tokens, keep, min_n, max_n, indices, data,
                           row_end, scratch);
    check_table(grams, &g);
    FZ_CHECK(out.n_rows == n_docs && out.nnz == nnz && out.indptr[0] == 0);
    for (size_t d = 0; d < n_docs; d++)
        FZ_CHECK(out.indptr[d + 1] == (int64_t)row_end[d]);
    FZ_CHECK(nnz == 0 || (memcmp(out.indices, indices, nnz * sizeof *indices) == 0 &&
                          memcmp(out.data, data, nnz * sizeof *data) == 0));
    qc_csr_free(&out);

    /* the same docs in two calls into one table: the table of one call, and
       each call's rows those of its documents */
    qc_ngrams *halves = NULL;
    if (qc_ngrams_new(&halves) == QC_OK) {
        size_t at = 0;
        int ok = 1;
        for (int part = 0; part < 2 && ok; part++) {
            size_t d0 = part ? half : 0, d1 = part ? n_docs : half;
            int64_t *sub = fz_alloc(d1 - d0 + 1, sizeof *sub);
            for (size_t d = d0; d <= d1; d++)
                sub[d - d0] = indptr[d] - indptr[d0];
            qc_csr rows = {0};
            status = qc_count_ngrams(sub, d1 - d0, tokens + indptr[d0],
                                     (size_t)(indptr[d1] - indptr[d0]), n_vocab, keep, min_n,
                                     max_n, halves, &rows, &err);
            FZ_CHECK_STATUS(status, FZ_ST(QC_OK) | (ctx->armed ? FZ_ST(QC_ENOMEM) : 0));
            ok = status == QC_OK;
            for (size_t d = d0; ok && d < d1; d++) {
                size_t from = d == 0 ? 0 : row_end[d - 1];
                FZ_CHECK(rows.indptr[d - d0 + 1] - rows.indptr[d - d0] ==
                         (int64_t)(row_end[d] - from));
                for (size_t k = from; k < row_end[d]; k++) {
                    size_t j = (size_t)rows.indptr[d - d0] + (k - from);
                    FZ_CHECK(rows.indices[j] == indices[k] && rows.data[j] == data[k]);
                }
            }
            at = d1;
            qc_csr_free(&rows);
            free(sub);
        }
        if (ok && at == n_docs)
            check_table(halves, &g);
    }
    qc_ngrams_free(halves);

    ref_free(&g);
    free(indices);
    free(data);
    free(scratch);
    free(row_end);
    return grams;
}

/* -- n-gram strings ---------------------------------------------------------------- */

typedef struct {
    const uint32_t *text;
    const int64_t *offsets;
} strings;

static int compare_str(const strings *s, int64_t a, int64_t b)
{
    int64_t na = s->offsets[a + 1] - s->offsets[a], nb = s->offsets[b + 1] - s->offsets[b];
    const uint32_t *x = s->text + s->offsets[a], *y = s->text + s->offsets[b];
    for (int64_t i = 0; i < na && i < nb; i++)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return (na > nb) - (na < nb);
}

/* The strings of grams (tok_offsets NULL: ids are code points) and the
   order of qc_string_order over them. */
static void check_strings(context *ctx, const qc_ngrams *grams, const uint32_t *tok_text,
                          const int64_t *tok_offsets, size_t n_tok, int64_t joiner)
{
    uint32_t *text = NULL;
    int64_t *offsets = NULL, *rank = NULL, *order = NULL;
    size_t n_distinct = SIZE_MAX;
    qc_errinfo err = {0};
    qc_status status = qc_ngram_strings(grams, tok_text, tok_offsets, n_tok, joiner, &text,
                                        &offsets, &rank, &order, &n_distinct, &err);
    FZ_CHECK_STATUS(status, FZ_ST(QC_OK) | (ctx->armed ? FZ_ST(QC_ENOMEM) : 0));
    if (status != QC_OK) {
        FZ_CHECK(text == NULL && offsets == NULL && rank == NULL && order == NULL);
        return;
    }
    size_t n = qc_ngrams_count(grams);
    const int64_t *gi = qc_ngrams_indptr(grams), *gt = qc_ngrams_tokens(grams);
    /* spelled as the tokens' strings joined */
    FZ_CHECK(offsets[0] == 0);
    for (size_t g = 0; g < n; g++) {
        int64_t at = offsets[g];
        for (int64_t k = gi[g]; k < gi[g + 1]; k++) {
            if (joiner >= 0 && k > gi[g])
                FZ_CHECK(text[at++] == (uint32_t)joiner);
            int64_t t = gt[k];
            if (tok_offsets == NULL) {
                FZ_CHECK(text[at++] == (uint32_t)t);
            } else {
                for (int64_t c = tok_offsets[t]; c < tok_offsets[t + 1]; c++)
                    FZ_CHECK(text[at++] == tok_text[c]);
            }
        }
        FZ_CHECK(at == offsets[g + 1]);
    }
    /* ranks in code point order: along qc_string_order's order, ranks rise
       by one exactly where the string changes */
    strings s = {text, offsets};
    int64_t *sorted = fz_alloc(n, sizeof *sorted);
    status = qc_string_order(text, offsets, n, sorted);
    FZ_CHECK_STATUS(status, FZ_ST(QC_OK) | (ctx->armed ? FZ_ST(QC_ENOMEM) : 0));
    if (status == QC_OK) {
        uint8_t *seen = fz_alloc(n, 1);
        for (size_t i = 0; i < n; i++) {
            FZ_CHECK(sorted[i] >= 0 && (size_t)sorted[i] < n && !seen[sorted[i]]);
            seen[sorted[i]] = 1;
            if (i == 0) {
                FZ_CHECK(rank[sorted[i]] == 0);
                continue;
            }
            int c = compare_str(&s, sorted[i - 1], sorted[i]);
            FZ_CHECK(c <= 0);
            if (c == 0) /* stable: equal strings in their given order */
                FZ_CHECK(sorted[i - 1] < sorted[i] && rank[sorted[i - 1]] == rank[sorted[i]]);
            else
                FZ_CHECK(rank[sorted[i]] == rank[sorted[i - 1]] + 1);
        }
        FZ_CHECK(n_distinct == (n == 0 ? 0 : (size_t)rank[sorted[n - 1]] + 1));
        for (size_t r = 0; r < n_distinct; r++)
            FZ_CHECK(rank[order[r]] == (int64_t)r);
        free(seen);
    }
    free(sorted);
    qc_free(text);
    qc_free(offsets);
    qc_free(rank);
    qc_free(order);
}

/* Strings for ids when there is no vocabulary: short, often equal (so
   ranks are shared), some empty. */
static void synthetic_strings(size_t n_tok, uint32_t *text, int64_t *offsets)
{
    int64_t at = 0;
    for (size_t t = 0; t < n_tok; t++) {
        offsets[t] = at;
        for (size_t i = 0; i < t % 4; i++)
            text[at++] = 'a' + (uint32_t)(t >> (2 * i)) % 3;
    }
    offsets[n_tok] = at;
}

/* -- mode 0: a raw stream ------------------------------------------------------- */

static void raw_stream(context *ctx, fz_input *in)
{
    size_t n_docs = fz_u8(in) % (MAX_DOCS + 1);
    uint8_t vocab_kind = fz_u8(in);
    size_t n_vocab = vocab_kind < 200   ? (size_t)vocab_kind % 40 + 1
                     : vocab_kind < 250 ? (size_t)fz_u16(in) + 1
                     : vocab_kind < 255 ? (size_t)0x110000
                                        : (size_t)UINT32_MAX + 1 + fz_u8(in) % 2;
    size_t min_n = fz_u8(in) % (MAX_N + 1), max_n = fz_u8(in) % (MAX_N + 1);
    uint8_t shape = fz_u8(in);
    size_t half = n_docs ? fz_u8(in) % (n_docs + 1) : 0;
    int64_t indptr[MAX_DOCS + 1];
    /* shape bit 0: offsets as read (any values); else lengths, so valid */
    size_t n_tokens = fz_offsets(in, n_docs, shape & 1, 64, MAX_TOKENS, indptr);
    int64_t *tokens = fz_alloc(n_tokens + 1, sizeof *tokens);
    for (size_t i = 0; i < n_tokens; i++) {
        /* mostly ids below n_vocab; shape bit 1 lets bad ids through */
        uint16_t v = fz_u16(in);
        tokens[i] = shape & 2 ? (int64_t)(int16_t)v : (int64_t)(v % n_vocab);
    }
    uint8_t *keep = NULL;
    if ((shape & 4) && n_vocab <= KEEP_VOCAB) {
        keep = fz_alloc(n_vocab, 1);
        for (size_t t = 0; t < n_vocab; t++)
            keep[t] = (uint8_t)(t % 8 == 0 ? fz_u8(in) & 1 : 1);
    }
    int64_t joiner = shape & 8 ? -1 : (int64_t)fz_u8(in);

    ctx->armed = fz_arm_alloc_failure(fz_u8(in));
    qc_ngrams *grams = count_and_check(ctx, indptr, n_docs, tokens, n_tokens, n_vocab, keep,
                                       min_n, max_n, half);
    if (grams != NULL) {
        if (n_vocab <= QC_N_CODE_POINTS) {
            check_strings(ctx, grams, NULL, NULL, 0, joiner);
        }
        if (n_vocab <= KEEP_VOCAB) {
            uint32_t *text = fz_alloc(3 * n_vocab + 1, sizeof *text);
            int64_t *offsets = fz_alloc(n_vocab + 1, sizeof *offsets);
            synthetic_strings(n_vocab, text, offsets);
            check_strings(ctx, grams, text, offsets, n_vocab, joiner);
            /* too few strings: an id without one is refused */
            if (qc_ngrams_count(grams) > 0 && n_vocab > 1) {
                uint32_t *t2 = NULL;
                int64_t *o2 = NULL, *r2 = NULL, *ord2 = NULL;
                size_t nd;
                qc_errinfo err = {0};
                int64_t top = 0;
                const int64_t *gt = qc_ngrams_tokens(grams);
                for (int64_t k = 0; k < qc_ngrams_indptr(grams)[qc_ngrams_count(grams)]; k++)
                    top = gt[k] > top ? gt[k] : top;
                qc_status status = qc_ngram_strings(grams, text, offsets, (size_t)top, joiner,
                                                    &t2, &o2, &r2, &ord2, &nd, &err);
                FZ_CHECK(status == QC_EINDEX || (ctx->armed && status == QC_ENOMEM));
                FZ_CHECK(t2 == NULL && o2 == NULL && r2 == NULL && ord2 == NULL);
            }
            free(text);
            free(offsets);
        }
    }
    fz_disarm_alloc_failure();
    qc_ngrams_free(grams);
    free(keep);
    free(tokens);
}

/* -- mode 1: words of texts, interned ---------------------------------------------- */

static void interned_words(context *ctx, fz_input *in)
{
    uint8_t shape = fz_u8(in), kinds = fz_u8(in);
    size_t min_n = 1 + fz_u8(in) % 3, max_n = min_n + fz_u8(in) % 3;
    int64_t joiner = shape & 8 ? -1 : ' ';
    size_t n_raw = fz_u8(in) % 16;
    uint8_t raw_spans[16][2];
    for (size_t k = 0; k < n_raw; k++) {
        raw_spans[k][0] = fz_u8(in);
        raw_spans[k][1] = fz_u8(in);
    }
    uint8_t alloc_spec = fz_u8(in);
    size_t n_bytes;
    const uint8_t *bytes = fz_bytes(in, MAX_TOKENS, &n_bytes);
    uint32_t *cps = fz_alloc(n_bytes, sizeof *cps);
    size_t n_cps = fz_lenient_decode(bytes, n_bytes, cps);

    /* documents are the lines */
    qc_str texts[MAX_DOCS];
    size_t n_texts = 0, from = 0;
    for (size_t i = 0; i <= n_cps && n_texts < MAX_DOCS; i++) {
        if (i < n_cps && cps[i] != '\n')
            continue;
        texts[n_texts] = fz_store(cps + from, i - from,
                                  fz_pick_kind(cps + from, i - from, kinds >> (n_texts % 4 * 2)));
        n_texts++;
        from = i + 1;
    }
    /* the words (runs between white space), or shape bit 0: spans read
       from the input, all in the first text, in bounds or not */
    int64_t *start = fz_alloc(n_cps + MAX_DOCS + 16, sizeof *start);
    int64_t *end = fz_alloc(n_cps + MAX_DOCS + 16, sizeof *end);
    int64_t indptr[MAX_DOCS + 1] = {0};
    size_t n_spans = 0;
    for (size_t t = 0; t < n_texts; t++) {
        if (shape & 1) {
            for (size_t k = 0; t == 0 && k < n_raw; k++) {
                start[n_spans] = (int8_t)raw_spans[k][0];
                end[n_spans++] = (int8_t)raw_spans[k][1];
            }
        } else {
            for (size_t i = 0; i < texts[t].len;) {
                while (i < texts[t].len && qc_is_space(qc_str_at(&texts[t], i)))
                    i++;
                size_t j = i;
                while (j < texts[t].len && !qc_is_space(qc_str_at(&texts[t], j)))
                    j++;
                if (j > i) {
                    start[n_spans] = (int64_t)i;
                    end[n_spans++] = (int64_t)j;
                }
                i = j;
            }
        }
        indptr[t + 1] = (int64_t)n_spans;
    }
    int valid = 1;
    for (size_t t = 0; t < n_texts; t++)
        for (int64_t k = indptr[t]; k < indptr[t + 1]; k++)
            valid &= 0 <= start[k] && start[k] <= end[k] && end[k] <= (int64_t)texts[t].len;

    ctx->armed = fz_arm_alloc_failure(alloc_spec);
    qc_vocab v;
    qc_status status = qc_vocab_init(&v);
    FZ_CHECK_STATUS(status, FZ_ST(QC_OK) | (ctx->armed ? FZ_ST(QC_ENOMEM) : 0));
    if (status == QC_OK) {
        /* a string interned first: the empty one (shape bit 2) */
        int32_t empty_id = -1;
        if (shape & 4) {
            status = qc_vocab_intern(&v, &texts[0], 0, 0, &empty_id);
            FZ_CHECK_STATUS(status, FZ_ST(QC_OK) | (ctx->armed ? FZ_ST(QC_ENOMEM) : 0));
            FZ_CHECK(status != QC_OK || empty_id == 0);
        }
        size_t before = v.n_ids;
        int64_t *ids = fz_alloc(n_spans + 1, sizeof *ids);
        qc_errinfo err = {0};
        status = qc_vocab_intern_spans(&v, texts, n_texts, indptr, start, end, n_spans, ids,
                                       &err);
        if (!valid) {
            FZ_CHECK(status == QC_EINDEX || status == QC_EINVAL || status == QC_EORDER ||
                     (ctx->armed && status == QC_ENOMEM));
        } else {
            FZ_CHECK_STATUS(status, FZ_ST(QC_OK) | (ctx->armed ? FZ_ST(QC_ENOMEM) : 0));
        }
        if (status == QC_OK) {
            /* each span's id finds and spells the span; new ids come in order */
            int64_t next = (int64_t)before;
            uint32_t *spelled = fz_alloc(n_cps + 1, sizeof *spelled);
            for (size_t t = 0; t < n_texts; t++) {
                for (int64_t k = indptr[t]; k < indptr[t + 1]; k++) {
                    FZ_CHECK(ids[k] >= 0 && ids[k] <= next);
                    if (ids[k] == next)
                        next++;
                    size_t a = (size_t)start[k], b = (size_t)end[k];
                    FZ_CHECK(qc_vocab_find(&v, &texts[t], a, b) == ids[k]);
                    FZ_CHECK(qc_vocab_length(&v, (int32_t)ids[k]) == b - a);
                    qc_vocab_string(&v, (int32_t)ids[k], spelled);
                    for (size_t i = a; i < b; i++)
                        FZ_CHECK(spelled[i - a] == qc_str_at(&texts[t], i));
                }
            }
            FZ_CHECK((size_t)next == v.n_ids);
            free(spelled);

            uint32_t *vtext = NULL;
            int64_t *voff = NULL;
            status = qc_vocab_export(&v, &vtext, &voff);
            FZ_CHECK_STATUS(status, FZ_ST(QC_OK) | (ctx->armed ? FZ_ST(QC_ENOMEM) : 0));
            if (status == QC_OK) {
                FZ_CHECK(voff[0] == 0);
                for (size_t i = 0; i < v.n_ids; i++) {
                    FZ_CHECK(voff[i + 1] - voff[i] == (int64_t)qc_vocab_length(&v, (int32_t)i));
                    qc_str word = {4, vtext + voff[i], (size_t)(voff[i + 1] - voff[i])};
                    FZ_CHECK(qc_vocab_find(&v, &word, 0, word.len) == (int32_t)i);
                }
                /* the words' ids as a token stream, spelled from the vocabulary */
                qc_ngrams *grams = count_and_check(ctx, indptr, n_texts, ids, n_spans, v.n_ids,
                                                   NULL, min_n, max_n, n_texts / 2);
                if (grams != NULL)
                    check_strings(ctx, grams, vtext, voff, v.n_ids, joiner);
                qc_ngrams_free(grams);
            }
            qc_free(vtext);
            qc_free(voff);
        }
        free(ids);
        qc_vocab_free(&v);
    }
    fz_disarm_alloc_failure();
    for (size_t t = 0; t < n_texts; t++)
        free((void *)texts[t].data);
    free(start);
    free(end);
    free(cps);
}

/* -- mode 2: character n-grams, two routes ----------------------------------------- */

static uint8_t *keep_all; /* QC_N_CODE_POINTS entries, all 1 between inputs */

static unsigned bit_length(uint64_t x)
{
    unsigned n = 0;
    while (x) {
        n++;
        x >>= 1;
    }
    return n;
}

static int compare_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

static void char_ngrams(context *ctx, fz_input *in)
{
    uint8_t shape = fz_u8(in), kinds = fz_u8(in);
    size_t min_n = fz_u8(in) % 6, max_n = fz_u8(in) % 40;
    size_t n_threads = fz_u8(in) % 5, repeat = 1;
    /* two bits, so that few mutations make the slow repeated inputs */
    if ((shape & 9) == 9)
        repeat = 1 + fz_u8(in) % MAX_REPEAT;
    if (n_threads < 2) /* one part: repeats would only take time */
        repeat = 1;
    int turns = shape & 2 ? -1 : 1;
    /* characters to drop (shape bit 2) */
    uint32_t dropped[4];
    size_t n_dropped = shape & 4 ? 1 + fz_u8(in) % 4 : 0;
    for (size_t i = 0; i < n_dropped; i++)
        dropped[i] = fz_u8(in) % 2 ? fz_u8(in) : 0x4E00 + fz_u8(in);
    uint8_t alloc_spec = fz_u8(in);
    size_t n_bytes;
    const uint8_t *bytes = fz_bytes(in, MAX_TOKENS / 4, &n_bytes);
    uint32_t *cps = fz_alloc(n_bytes, sizeof *cps);
    size_t n_cps = fz_lenient_decode(bytes, n_bytes, cps);
    /* repeated, no more than MAX_GRAMS n-gram occurrences: enough for the
       sorted route to cut its work in parts, few enough to stay fast */
    size_t width = max_n >= min_n ? max_n - min_n + 1 : 1;
    if (repeat > 1 && n_cps * width * repeat > MAX_GRAMS)
        repeat = n_cps * width >= MAX_GRAMS ? 1 : MAX_GRAMS / (n_cps * width);

    /* texts split at U+001E, each repeated */
    qc_str texts[MAX_DOCS];
    size_t n_texts = 0, from = 0;
    for (size_t i = 0; i <= n_cps && n_texts < MAX_DOCS; i++) {
        if (i < n_cps && cps[i] != 0x1E)
            continue;
        size_t len = i - from;
        uint32_t *rep = fz_alloc(len * repeat, sizeof *rep);
        for (size_t r = 0; r < repeat; r++)
            memcpy(rep + r * len, cps + from, len * sizeof *rep);
        texts[n_texts] = fz_store(rep, len * repeat,
                                  fz_pick_kind(rep, len * repeat, kinds >> (n_texts % 4 * 2)));
        free(rep);
        n_texts++;
        from = i + 1;
    }
    for (size_t i = 0; i < n_dropped; i++)
        keep_all[dropped[i]] = 0;
    const uint8_t *keep = n_dropped ? keep_all : NULL;

    /* the hashed route's tokens, and from them what the sorted route must
       decide: whether its keys fit */
    int64_t tok_indptr[MAX_DOCS + 1];
    int64_t *tokens = NULL;
    size_t n_tokens = 0, capacity = 0;
    qc_errinfo err = {0};
    FZ_CHECK(qc_char_tokens(texts, n_texts, tok_indptr, &tokens, &n_tokens, &capacity, &err) ==
             QC_OK);
    int64_t *present = fz_alloc(n_tokens + 1, sizeof *present);
    size_t n_present = 0;
    for (size_t i = 0; i < n_tokens; i++)
        if (keep == NULL || keep[tokens[i]])
            present[n_present++] = tokens[i];
    qsort(present, n_present, sizeof *present, compare_i64);
    size_t distinct = 0;
    for (size_t i = 0; i < n_present; i++)
        distinct += i == 0 || present[i] != present[i - 1];
    unsigned bits = bit_length(distinct) ? bit_length(distinct) : 1;
    unsigned doc_bits = bit_length(n_texts > 1 ? n_texts - 1 : 0);
    int range_ok = min_n >= 1 && max_n >= min_n;
    int too_wide = max_n > 64 / bits || bits * max_n + doc_bits > 64;

    ctx->armed = fz_arm_alloc_failure(alloc_spec);
    if (n_threads > 1)
        qc_run_parts_in_turn(turns);
    qc_csr sorted = {0};
    qc_packed_terms terms = {0};
    qc_status status = qc_count_char_ngrams(texts, n_texts, keep, min_n, max_n, n_threads,
                                            &sorted, &terms, &err);
    qc_run_parts_in_turn(0);
    if (!range_ok) {
        FZ_CHECK(status == QC_EINVAL || (ctx->armed && status == QC_ENOMEM));
    } else if (status != QC_ENOMEM || !ctx->armed) {
        FZ_CHECK_STATUS(status, FZ_ST(QC_OK) | FZ_ST(QC_EOVERFLOW));
        FZ_CHECK((status == QC_EOVERFLOW) == too_wide);
    }
    if (status == QC_OK) {
        /* the sorted route's own promises */
        FZ_CHECK(sorted.n_rows == n_texts && sorted.indptr[0] == 0);
        int64_t *df = fz_alloc(terms.n + 1, sizeof *df);
        for (size_t r = 0; r < n_texts; r++)
            for (int64_t k = sorted.indptr[r]; k < sorted.indptr[r + 1]; k++) {
                FZ_CHECK(sorted.indices[k] >= 0 && (size_t)sorted.indices[k] < terms.n);
                FZ_CHECK(sorted.data[k] > 0);
                FZ_CHECK(k == sorted.indptr[r] || sorted.indices[k - 1] < sorted.indices[k]);
                df[sorted.indices[k]]++;
            }
        for (size_t t = 0; t < terms.n; t++)
            FZ_CHECK(df[t] == terms.df[t]);
        free(df);

        /* the hashed route */
        qc_ngrams *grams = NULL;
        qc_csr hashed = {0};
        status = qc_ngrams_new(&grams);
        if (status == QC_OK)
            status = qc_count_ngrams(tok_indptr, n_texts, tokens, n_tokens, QC_N_CODE_POINTS,
                                     keep, min_n, max_n, grams, &hashed, &err);
        FZ_CHECK_STATUS(status, FZ_ST(QC_OK) | (ctx->armed ? FZ_ST(QC_ENOMEM) : 0));
        uint32_t *text = NULL;
        int64_t *offsets = NULL, *rank = NULL, *order = NULL;
        size_t n_distinct = 0;
        if (status == QC_OK)
            status = qc_ngram_strings(grams, NULL, NULL, 0, -1, &text, &offsets, &rank, &order,
                                      &n_distinct, &err);
        FZ_CHECK_STATUS(status, FZ_ST(QC_OK) | (ctx->armed ? FZ_ST(QC_ENOMEM) : 0));
        if (status == QC_OK) {
            FZ_CHECK(n_distinct == terms.n);
            int64_t cp[64];
            for (size_t t = 0; t < terms.n; t++) {
                size_t n = qc_packed_term(&terms, t, cp);
                int64_t g = order[t];
                FZ_CHECK((int64_t)n == offsets[g + 1] - offsets[g]);
                for (size_t i = 0; i < n; i++)
                    FZ_CHECK(cp[i] == (int64_t)text[offsets[g] + (int64_t)i]);
            }
            /* the same counts, row by row, the hashed columns ranked */
            int64_t *row = fz_alloc(2 * (hashed.nnz + 1), sizeof *row);
            for (size_t r = 0; r < n_texts; r++) {
                size_t m = 0;
                for (int64_t k = hashed.indptr[r]; k < hashed.indptr[r + 1]; k++) {
                    row[2 * m] = rank[hashed.indices[k]];
                    row[2 * m + 1] = hashed.data[k];
                    m++;
                }
                qsort(row, m, 2 * sizeof *row, compare_i64);
                FZ_CHECK((int64_t)m == sorted.indptr[r + 1] - sorted.indptr[r]);
                for (size_t j = 0; j < m; j++) {
                    int64_t k = sorted.indptr[r] + (int64_t)j;
                    FZ_CHECK(row[2 * j] == sorted.indices[k] && row[2 * j + 1] == sorted.data[k]);
                }
            }
            free(row);
        }
        qc_free(text);
        qc_free(offsets);
        qc_free(rank);
        qc_free(order);
        qc_csr_free(&hashed);
        qc_ngrams_free(grams);
    }
    fz_disarm_alloc_failure();
    qc_csr_free(&sorted);
    qc_packed_terms_free(&terms);
    for (size_t i = 0; i < n_dropped; i++)
        keep_all[dropped[i]] = 1;
    qc_free(tokens);
    free(present);
    for (size_t t = 0; t < n_texts; t++)
        free((void *)texts[t].data);
    free(cps);
}

int LLVMFuzzerTestOneInput(const uint8_t *input, size_t size)
{
    if (size > FZ_MAX_INPUT)
        return 0;
    if (keep_all == NULL) {
        keep_all = fz_alloc(QC_N_CODE_POINTS, 1);
        memset(keep_all, 1, QC_N_CODE_POINTS);
    }
    fz_input in = {input, size};
    context ctx = {0};
    switch (fz_u8(&in) % 3) {
    case 0:
        raw_stream(&ctx, &in);
        break;
    case 1:
        interned_words(&ctx, &in);
        break;
    default:
        char_ngrams(&ctx, &in);
        break;
    }
    return 0;
}
