/*
 * Document-term counts of token n-grams through a table of the n-grams
 * seen (qc/ngrams.h), and the character tokens they are often made of.
 * Any token ids, any n: each n-gram is looked up in an open-addressing
 * table whose 16-byte slots hold its first two tokens and a tag, so most
 * lookups settle in one cache line without reading the n-gram's tokens;
 * ids come in order of first appearance, so tables from two halves of a
 * corpus extend each other. Character n-grams of the usual sizes take the
 * faster sorting route of char_ngrams.c instead.
 */
#include "qc/terms_internal.h"

#include <assert.h>
#include <string.h>

qc_status qc_char_tokens(const qc_str *texts, size_t n_texts, int64_t *indptr,
                         int64_t **tokens, size_t *n_tokens, size_t *capacity,
                         qc_errinfo *err)
{
    if (indptr == NULL || tokens == NULL || n_tokens == NULL || capacity == NULL)
        return qc_fail(err, QC_EINVAL, "tokens", 0, 0, 0, "is missing");
    indptr[0] = (int64_t)*n_tokens;
    for (size_t t = 0; t < n_texts; t++) {
        const qc_str *s = &texts[t];
        qc_status status = qc_str_check(s, "texts", t, err);
        if (status == QC_OK)
            status = qc_grow(capacity, *n_tokens + s->len,
                             &(qc_growable){tokens, sizeof **tokens}, 1);
        if (status != QC_OK)
            return status;
        int64_t *out = *tokens;
        size_t k = *n_tokens;
        for (size_t i = 0; i < s->len; i++)
            out[k++] = qc_char_token(s, &i);
        *n_tokens = k;
        indptr[t + 1] = (int64_t)k;
    }
    return QC_OK;
}

/* -- n-gram table ------------------------------------------------------------ */

/* 16 bytes: the first two tokens, the gram id + 1 (0 = empty slot) and a
   tag of hash bits and length that settles most mismatches. */
typedef struct {
    uint32_t t0, t1;
    uint32_t gram1;
    uint32_t tag;
} gram_slot;

static inline uint32_t gram_tag(uint64_t h, size_t n)
{
    return (uint32_t)(h >> 32) << 8 | (uint32_t)(n < 255 ? n : 255);
}

struct qc_ngrams {
    gram_slot *slots;
    size_t capacity, n;
    int64_t *indptr, *tokens;
    size_t indptr_cap, tokens_cap;
};

qc_status qc_ngrams_new(qc_ngrams **out)
{
    *out = NULL;
    qc_ngrams *g = qc_calloc(1, sizeof *g);
    if (g == NULL)
        return QC_ENOMEM;
    g->capacity = 1024;
    g->slots = qc_calloc(g->capacity, sizeof *g->slots);
    if (g->slots == NULL ||
        qc_grow(&g->indptr_cap, 1, &(qc_growable){&g->indptr, sizeof *g->indptr}, 1) != QC_OK) {
        qc_ngrams_free(g);
        return QC_ENOMEM;
    }
    g->indptr[0] = 0;
    *out = g;
    return QC_OK;
}

void qc_ngrams_free(qc_ngrams *g)
{
    if (g == NULL)
        return;
    qc_free(g->slots);
    qc_free(g->indptr);
    qc_free(g->tokens);
    qc_free(g);
}

size_t qc_ngrams_count(const qc_ngrams *g) { return g->n; }
const int64_t *qc_ngrams_indptr(const qc_ngrams *g) { return g->indptr; }
const int64_t *qc_ngrams_tokens(const qc_ngrams *g) { return g->tokens; }

static uint64_t hash_tokens(const int64_t *k, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ull * (n + 1);
    for (size_t i = 0; i < n; i++) {
        h ^= (uint64_t)k[i] + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
        h *= 0xBF58476D1CE4E5B9ull;
    }
    h ^= h >> 31;
    return h | 1;
}

static qc_status grow_grams(qc_ngrams *g)
{
    size_t capacity = 2 * g->capacity;
    gram_slot *slots = qc_calloc(capacity, sizeof *slots);
    if (slots == NULL)
        return QC_ENOMEM;
    for (size_t i = 0; i < g->capacity; i++) {
        if (g->slots[i].gram1 == 0)
            continue;
        int64_t id = (int64_t)g->slots[i].gram1 - 1;
        size_t j = hash_tokens(g->tokens + g->indptr[id],
                               (size_t)(g->indptr[id + 1] - g->indptr[id])) & (capacity - 1);
        while (slots[j].gram1 != 0)
            j = (j + 1) & (capacity - 1);
        slots[j] = g->slots[i];
    }
    qc_free(g->slots);
    g->slots = slots;
    g->capacity = capacity;
    return QC_OK;
}

/* The id of the gram k[0..n), added when new. */
static qc_status gram_id(qc_ngrams *g, const int64_t *k, size_t n, int32_t *id)
{
    /* a slot keeps the first two tokens in 32 bits: qc_count_ngrams refused
       an n_vocab above that, and qc_filter_tokens every id at or above it */
    assert(n >= 1 && k[0] >= 0 && (uint64_t)k[0] <= UINT32_MAX);
    uint64_t h = hash_tokens(k, n);
    uint32_t t0 = (uint32_t)k[0], t1 = n > 1 ? (uint32_t)k[1] : 0, tag = gram_tag(h, n);
    size_t mask = g->capacity - 1, i = h & mask;
    for (;; i = (i + 1) & mask) {
        gram_slot *s = &g->slots[i];
        if (s->gram1 == 0)
            break;
        int64_t found = (int64_t)s->gram1 - 1;
        if (s->tag == tag && s->t0 == t0 && s->t1 == t1 &&
            (n <= 2 || ((size_t)(g->indptr[found + 1] - g->indptr[found]) == n &&
                        memcmp(g->tokens + g->indptr[found] + 2, k + 2,
                               (n - 2) * sizeof *k) == 0))) {
            *id = (int32_t)found;
            return QC_OK;
        }
    }
    if (g->n >= (size_t)INT32_MAX)
        return QC_EOVERFLOW;
    size_t used = (size_t)g->indptr[g->n];
    qc_status status = qc_grow(&g->indptr_cap, g->n + 2,
                               &(qc_growable){&g->indptr, sizeof *g->indptr}, 1);
    if (status == QC_OK)
        status = qc_grow(&g->tokens_cap, used + n, &(qc_growable){&g->tokens, sizeof *g->tokens}, 1);
    if (status != QC_OK)
        return status;
    if (2 * (g->n + 1) > g->capacity) {
        if (grow_grams(g) != QC_OK)
            return QC_ENOMEM;
        mask = g->capacity - 1;
        i = h & mask;
        while (g->slots[i].gram1 != 0)
            i = (i + 1) & mask;
    }
    memcpy(g->tokens + used, k, n * sizeof *k);
    g->indptr[g->n + 1] = (int64_t)(used + n);
    g->slots[i] = (gram_slot){t0, t1, (uint32_t)g->n + 1, tag};
    *id = (int32_t)g->n++;
    return QC_OK;
}

void qc_csr_free(qc_csr *m)
{
    if (m == NULL)
        return;
    qc_free(m->indptr);
    qc_free(m->indices);
    qc_free(m->data);
    memset(m, 0, sizeof *m);
}

qc_status qc_filter_tokens(const int64_t *indptr, size_t n_docs, const int64_t *tokens,
                           size_t n_tokens, size_t n_vocab, const uint8_t *keep,
                           int64_t **kept_indptr, int64_t **kept, qc_errinfo *err)
{
    *kept_indptr = NULL;
    *kept = NULL;
    qc_status status = qc_check_indptr(indptr, n_docs, n_tokens, "indptr", err);
    if (status != QC_OK)
        return status;
    if (n_tokens > 0 && tokens == NULL)
        return qc_fail(err, QC_EINVAL, "tokens", 0, 0, 0, "is missing");
    *kept_indptr = qc_malloc(n_docs + 1, sizeof **kept_indptr);
    *kept = qc_malloc(n_tokens, sizeof **kept);
    if (*kept_indptr == NULL || *kept == NULL) {
        qc_free(*kept_indptr);
        qc_free(*kept);
        *kept_indptr = *kept = NULL;
        return QC_ENOMEM;
    }
    size_t k = 0;
    (*kept_indptr)[0] = 0;
    for (size_t d = 0; d < n_docs; d++) {
        for (int64_t i = indptr[d]; i < indptr[d + 1]; i++) {
            int64_t t = tokens[i];
            if (t < 0 || (uint64_t)t >= n_vocab) {
                qc_free(*kept_indptr);
                qc_free(*kept);
                *kept_indptr = *kept = NULL;
                return qc_fail(err, QC_EINDEX, "tokens", (size_t)i, t,
                               (int64_t)n_vocab, "must be a token id below n_vocab");
            }
            if (keep == NULL || keep[t])
                (*kept)[k++] = t;
        }
        (*kept_indptr)[d + 1] = (int64_t)k;
    }
    return QC_OK;
}

/* Per-gram stamp for counting within one row: the last row that saw the
   gram and where in that row its count sits. */
typedef struct {
    int64_t last, slot;
} stamp;

/* Room for need stamps, the new ones seen by no row. */
static qc_status grow_stamps(stamp **stamps, size_t *capacity, size_t need)
{
    size_t before = *capacity;
    qc_status status = qc_grow(capacity, need, &(qc_growable){stamps, sizeof **stamps}, 1);
    for (size_t i = before; status == QC_OK && i < *capacity; i++)
        (*stamps)[i].last = -1;
    return status;
}

/* Adds one occurrence of column g to row d of m. */
static qc_status csr_add(qc_csr *m, stamp **stamps, size_t *n_stamps, int64_t g,
                         size_t d)
{
    /* the capacities are compared here: a call per occurrence would cost */
    if ((size_t)g >= *n_stamps) {
        qc_status status = grow_stamps(stamps, n_stamps, (size_t)g + 1);
        if (status != QC_OK)
            return status;
    }
    stamp *st = &(*stamps)[g];
    if (st->last == (int64_t)d) {
        m->data[st->slot]++;
        return QC_OK;
    }
    if (m->nnz == m->capacity) {
        qc_growable columns[] = {{&m->indices, sizeof *m->indices}, {&m->data, sizeof *m->data}};
        qc_status status = qc_grow(&m->capacity, m->nnz + 1, columns, 2);
        if (status != QC_OK)
            return status;
    }
    st->last = (int64_t)d;
    st->slot = (int64_t)m->nnz;
    m->indices[m->nnz] = g;
    m->data[m->nnz] = 1;
    m->nnz++;
    return QC_OK;
}

qc_status qc_count_ngrams(const int64_t *indptr, size_t n_docs,
                          const int64_t *tokens, size_t n_tokens,
                          size_t n_vocab, const uint8_t *keep, size_t min_n,
                          size_t max_n, qc_ngrams *grams, qc_csr *out,
                          qc_errinfo *err)
{
    if (min_n < 1 || max_n < min_n)
        return qc_fail(err, QC_EINVAL, "ngram_range", 0, (int64_t)min_n,
                       (int64_t)max_n, "needs 1 <= min_n <= max_n");
    if (n_vocab > UINT32_MAX)
        return qc_fail(err, QC_EOVERFLOW, "n_vocab", 0, (int64_t)n_vocab, 0,
                       "token ids must fit in 32 bits");
    if (grams == NULL || out == NULL)
        return qc_fail(err, QC_EINVAL, "grams", 0, 0, 0, "is missing");
    int64_t *kind = NULL, *kept = NULL;
    stamp *stamps = NULL;
    size_t n_stamps = 0;
    memset(out, 0, sizeof *out);
    qc_status status = qc_filter_tokens(indptr, n_docs, tokens, n_tokens, n_vocab,
                                        keep, &kind, &kept, err);
    if (status != QC_OK)
        goto cleanup;
    out->n_rows = n_docs;
    out->indptr = qc_malloc(n_docs + 1, sizeof *out->indptr);
    if (out->indptr == NULL) {
        status = QC_ENOMEM;
        goto cleanup;
    }
    out->indptr[0] = 0;
    for (size_t d = 0; d < n_docs; d++) {
        const int64_t *doc = kept + kind[d];
        size_t len = (size_t)(kind[d + 1] - kind[d]);
        for (size_t i = 0; i < len; i++) {
            for (size_t n = min_n; n <= max_n && i + n <= len; n++) {
                int32_t g;
                status = gram_id(grams, doc + i, n, &g);
                if (status == QC_OK)
                    status = csr_add(out, &stamps, &n_stamps, g, d);
                if (status != QC_OK)
                    goto cleanup;
            }
        }
        out->indptr[d + 1] = (int64_t)out->nnz;
    }
cleanup:
    qc_free(kind);
    qc_free(kept);
    qc_free(stamps);
    if (status != QC_OK)
        qc_csr_free(out);
    return status;
}
