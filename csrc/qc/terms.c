#include "qc/terms.h"
#include "qc/parallel.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* -- growable int64 arrays --------------------------------------------------- */

static qc_status reserve64(int64_t **data, size_t *capacity, size_t need)
{
    if (need <= *capacity)
        return QC_OK;
    size_t cap = *capacity ? *capacity : 256;
    while (cap < need)
        cap *= 2;
    int64_t *grown = qc_malloc(cap, sizeof *grown);
    if (grown == NULL)
        return QC_ENOMEM;
    if (*data != NULL && *capacity > 0)
        memcpy(grown, *data, *capacity * sizeof *grown);
    qc_free(*data);
    *data = grown;
    *capacity = cap;
    return QC_OK;
}

/* The character token at s[*i] as scikit-learn's analyzer="char" reads it:
   a run of two or more white-space characters is one space, and *i moves to
   the run's last character. */
static inline uint32_t char_token(const qc_str *s, size_t *i)
{
    uint32_t c = qc_str_at(s, *i);
    if (qc_is_space(c) && *i + 1 < s->len && qc_is_space(qc_str_at(s, *i + 1))) {
        while (*i + 1 < s->len && qc_is_space(qc_str_at(s, *i + 1)))
            (*i)++;
        c = ' ';
    }
    return c;
}

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
            status = reserve64(tokens, capacity, *n_tokens + s->len);
        if (status != QC_OK)
            return status;
        int64_t *out = *tokens;
        size_t k = *n_tokens;
        for (size_t i = 0; i < s->len; i++)
            out[k++] = char_token(s, &i);
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
    if (g->slots == NULL || reserve64(&g->indptr, &g->indptr_cap, 1) != QC_OK) {
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
    if (reserve64(&g->indptr, &g->indptr_cap, g->n + 2) != QC_OK ||
        reserve64(&g->tokens, &g->tokens_cap, used + n) != QC_OK)
        return QC_ENOMEM;
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

/* Checks the token stream and copies the kept tokens of each document into
   a fresh array (kept_indptr, kept). */
static qc_status filter_tokens(const int64_t *indptr, size_t n_docs,
                               const int64_t *tokens, size_t n_tokens,
                               size_t n_vocab, const uint8_t *keep,
                               int64_t **kept_indptr, int64_t **kept,
                               qc_errinfo *err)
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

static qc_status grow_stamps(stamp **stamps, size_t *capacity, size_t need)
{
    size_t cap = *capacity ? 2 * *capacity : 1024;
    while (cap < need)
        cap *= 2;
    stamp *grown = qc_malloc(cap, sizeof *grown);
    if (grown == NULL)
        return QC_ENOMEM;
    if (*capacity > 0)
        memcpy(grown, *stamps, *capacity * sizeof *grown);
    for (size_t i = *capacity; i < cap; i++)
        grown[i].last = -1;
    qc_free(*stamps);
    *stamps = grown;
    *capacity = cap;
    return QC_OK;
}

/* Adds one occurrence of column g to row d of m. */
static qc_status csr_add(qc_csr *m, stamp **stamps, size_t *n_stamps, int64_t g,
                         size_t d)
{
    if ((size_t)g >= *n_stamps && grow_stamps(stamps, n_stamps, (size_t)g + 1) != QC_OK)
        return QC_ENOMEM;
    stamp *st = &(*stamps)[g];
    if (st->last == (int64_t)d) {
        m->data[st->slot]++;
        return QC_OK;
    }
    if (m->nnz == m->capacity) {
        size_t cap = m->capacity, cap2 = m->capacity;
        if (reserve64(&m->indices, &cap, m->nnz + 1) != QC_OK ||
            reserve64(&m->data, &cap2, m->nnz + 1) != QC_OK)
            return QC_ENOMEM;
        m->capacity = cap < cap2 ? cap : cap2;
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
    qc_status status = filter_tokens(indptr, n_docs, tokens, n_tokens, n_vocab,
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

/* -- n-gram counts by sorting packed keys ------------------------------------ */

static unsigned bit_length(uint64_t x)
{
    unsigned bits = 0;
    for (; x != 0; x >>= 1)
        bits++;
    return bits;
}

enum { RADIX_BITS = 11 };

/* A stable LSD radix sort whose passes run in parts: each part counts the
   digits of its slice of src, then moves the slice; offsets taken digit by
   digit and, within a digit, part by part keep the sort stable. */
typedef struct {
    uint64_t *src, *dst;    /* a pass moves src to dst, then they swap */
    size_t *count;          /* per part, a count then an offset per digit */
    size_t n_parts;
    size_t first[QC_MAX_PARTS + 1]; /* each part's slice */
    unsigned shift;
    uint64_t mask;
} radix_job;

static qc_status count_digits_part(void *context, size_t part)
{
    const radix_job *job = context;
    size_t *count = job->count + (part << RADIX_BITS);
    memset(count, 0, ((size_t)job->mask + 1) * sizeof *count);
    for (size_t i = job->first[part]; i < job->first[part + 1]; i++)
        count[job->src[i] >> job->shift & job->mask]++;
    return QC_OK;
}

static qc_status move_digits_part(void *context, size_t part)
{
    const radix_job *job = context;
    size_t *offset = job->count + (part << RADIX_BITS);
    for (size_t i = job->first[part]; i < job->first[part + 1]; i++) {
        uint64_t v = job->src[i];
        job->dst[offset[v >> job->shift & job->mask]++] = v;
    }
    return QC_OK;
}

/* Sorts job->src[0..n) on bits [lo, hi), job->dst as scratch; the sorted
   words end in job->src (the two pointers may swap). The bits are split
   into as few digits of at most RADIX_BITS as possible, of even width; a
   digit that every value shares costs one counting pass and no move.
   job->count has n_parts << RADIX_BITS entries. */
static void radix_sort(radix_job *job, size_t n, unsigned lo, unsigned hi)
{
    unsigned passes = (hi - lo + RADIX_BITS - 1) / RADIX_BITS;
    unsigned step = passes ? (hi - lo + passes - 1) / passes : 1;
    for (size_t p = 0; p <= job->n_parts; p++)
        job->first[p] = n * p / job->n_parts;
    for (unsigned shift = lo; shift < hi && n > 0; shift += step) {
        unsigned width = hi - shift < step ? hi - shift : step;
        job->shift = shift;
        job->mask = ((uint64_t)1 << width) - 1;
        (void)qc_run_parts(job->n_parts, count_digits_part, job);
        size_t sum = 0;
        int shared = 0;
        for (size_t d = 0; d <= job->mask; d++) {
            size_t all = 0;
            for (size_t p = 0; p < job->n_parts; p++) {
                size_t c = job->count[(p << RADIX_BITS) + d];
                job->count[(p << RADIX_BITS) + d] = sum;
                sum += c;
                all += c;
            }
            shared |= all == n;
        }
        if (shared)
            continue;
        (void)qc_run_parts(job->n_parts, move_digits_part, job);
        uint64_t *sorted = job->dst;
        job->dst = job->src;
        job->src = sorted;
    }
}

/*
 * The counting behind qc_count_char_ngrams, in phases whose parts run on
 * threads: the packed words generated by ranges of documents, radix-sorted
 * (each part counts and moves its own slice; digit-major, part-minor
 * offsets keep the sort stable), their runs counted and turned into rows by
 * ranges of keys cut where a key changes (each range owns its terms and,
 * within every row, the places after the ranges before it).
 */
enum { MIN_PART_GRAMS = 1 << 16 };

typedef struct {
    const int64_t *kind;     /* documents: ranks[kind[d] .. kind[d+1]) */
    const int32_t *ranks;
    size_t n_docs, min_n, max_n, n_parts;
    unsigned bits, doc_bits; /* per token; of a document number */
    size_t doc_cut[QC_MAX_PARTS + 1];  /* documents of each part */
    size_t first[QC_MAX_PARTS + 1];    /* each part's first word: generated,
                                          then cut at key changes */
    radix_job sort;          /* the words in sort.src */
    int64_t *row_count;      /* per part, n_docs: entries, then places */
    size_t nnz[QC_MAX_PARTS], n_terms[QC_MAX_PARTS], total_nnz;
    uint64_t *entries;       /* column << 32 | count, by row */
    qc_packed_terms *terms;
} ngram_job;

/* (key, document) in one word, in document order: sorting the key bits
   stably leaves each key's documents in order. */
static qc_status generate_part(void *context, size_t part)
{
    const ngram_job *job = context;
    uint64_t *values = job->sort.src;
    size_t m = job->first[part];
    const size_t max_n = job->max_n;
    for (size_t d = job->doc_cut[part]; d < job->doc_cut[part + 1]; d++) {
        const int32_t *doc = job->ranks + job->kind[d];
        size_t len = (size_t)(job->kind[d + 1] - job->kind[d]);
        for (size_t i = 0; i < len; i++) {
            uint64_t key = 0;
            for (size_t n = 1; n <= max_n && i + n <= len; n++) {
                key |= (uint64_t)doc[i + n - 1] << (job->bits * (max_n - n));
                if (n >= job->min_n)
                    values[m++] = key << job->doc_bits | d;
            }
        }
    }
    return QC_OK;
}

/* Runs of one (key, document) are the non-zeros, of one key the terms:
   counted per part, and the part's entries per row. */
static qc_status count_runs_part(void *context, size_t part)
{
    ngram_job *job = context;
    const uint64_t *values = job->sort.src;
    const uint64_t doc_mask = ((uint64_t)1 << job->doc_bits) - 1;
    int64_t *rows = job->row_count + part * job->n_docs;
    size_t nnz = 0, n_terms = 0, from = job->first[part];
    for (size_t i = from; i < job->first[part + 1]; i++) {
        if (i == from || values[i] != values[i - 1]) {
            nnz++;
            rows[values[i] & doc_mask]++;
            if (i == from || values[i] >> job->doc_bits != values[i - 1] >> job->doc_bits)
                n_terms++;
        }
    }
    job->nnz[part] = nnz;
    job->n_terms[part] = n_terms;
    return QC_OK;
}

/* Terms in key order, so each row's columns come out ascending. The rows
   are filled at n_docs places at once: one word per entry (column and
   count) keeps those places few cache lines. */
static qc_status fill_rows_part(void *context, size_t part)
{
    const ngram_job *job = context;
    const uint64_t *values = job->sort.src;
    const uint64_t doc_mask = ((uint64_t)1 << job->doc_bits) - 1;
    int64_t *place = job->row_count + part * job->n_docs;
    uint64_t *keys = job->terms->keys;
    int64_t *df = job->terms->df;
    size_t t = job->n_terms[part], end = job->first[part + 1];
    for (size_t i = job->first[part]; i < end;) {
        size_t j = i + 1;
        while (j < end && values[j] == values[i])
            j++;
        uint64_t key = values[i] >> job->doc_bits;
        if (t == job->n_terms[part] || keys[t - 1] != key) {
            keys[t] = key;
            df[t++] = 0;
        }
        df[t - 1]++;
        job->entries[place[values[i] & doc_mask]++] = (uint64_t)(t - 1) << 32 | (j - i);
        i = j;
    }
    return QC_OK;
}

/* The entries of part's share of the rows split into columns and counts:
   the two sorting buffers become them, so no fresh memory is faulted in. */
static qc_status split_entries_part(void *context, size_t part)
{
    const ngram_job *job = context;
    size_t total = job->total_nnz;
    size_t from = total * part / job->n_parts, to = total * (part + 1) / job->n_parts;
    int64_t *indices = (int64_t *)job->sort.src, *data = (int64_t *)job->entries;
    for (size_t k = from; k < to; k++) {
        uint64_t entry = job->entries[k];
        indices[k] = (int64_t)(entry >> 32);
        data[k] = (int64_t)(entry & UINT32_MAX);
    }
    return QC_OK;
}

/* The n-grams of min_n..max_n tokens in a document of len tokens. */
static size_t grams_in(size_t len, size_t min_n, size_t max_n)
{
    size_t grams = 0;
    for (size_t n = min_n; n <= max_n && n <= len; n++)
        grams += len - n + 1;
    return grams;
}

/*
 * Documents d are the token ranks ranks[kind[d] .. kind[d+1]-1]
 * (1 .. n_present, order kept), n-grams of min_n..max_n of them. Fills out
 * and terms (but terms->ids).
 */
static qc_status count_ranked(const int64_t *kind, size_t n_docs, const int32_t *ranks,
                              size_t n_present, size_t min_n, size_t max_n, size_t n_threads,
                              qc_csr *out, qc_packed_terms *terms, qc_errinfo *err)
{
    ngram_job job = {.kind = kind, .ranks = ranks, .n_docs = n_docs, .min_n = min_n,
                     .max_n = max_n};
    qc_status status = QC_OK;
    /* each token as its rank in `bits` bits, the first token highest, absent
       tokens 0: key order is token order, a prefix first */
    unsigned bits = bit_length((uint64_t)n_present);
    if (bits == 0) /* no characters at all: keys of one bit, none made */
        bits = 1;
    unsigned doc_bits = bit_length(n_docs > 1 ? (uint64_t)(n_docs - 1) : 0);
    if (max_n > 64 / bits || bits * max_n + doc_bits > 64)
        return qc_fail(err, QC_EOVERFLOW, "ngram_range", 0, (int64_t)max_n,
                       (int64_t)bits, "packed n-grams and documents need more than 64 bits");
    job.bits = bits;
    job.doc_bits = doc_bits;
    size_t n_grams = 0;
    for (size_t d = 0; d < n_docs; d++)
        n_grams += grams_in((size_t)(kind[d + 1] - kind[d]), min_n, max_n);
    if (n_grams > UINT32_MAX) /* counts and columns share a word below */
        return qc_fail(err, QC_EOVERFLOW, "ngram_range", 0, (int64_t)n_grams,
                       (int64_t)UINT32_MAX, "too many n-grams to count packed");
    size_t n_parts = qc_part_count(n_grams, MIN_PART_GRAMS, n_threads);
    job.n_parts = job.sort.n_parts = n_parts;
    job.sort.src = qc_malloc(n_grams, sizeof *job.sort.src);
    job.sort.dst = qc_malloc(n_grams, sizeof *job.sort.dst);
    job.sort.count = qc_malloc(n_parts << RADIX_BITS, sizeof *job.sort.count);
    job.row_count = qc_calloc(n_parts * n_docs + 1, sizeof *job.row_count);
    out->indptr = qc_calloc(n_docs + 1, sizeof *out->indptr);
    if (job.sort.src == NULL || job.sort.dst == NULL || job.sort.count == NULL ||
        job.row_count == NULL || out->indptr == NULL) {
        status = QC_ENOMEM;
        goto cleanup;
    }
    /* documents cut by characters, and where each part's words start */
    qc_cut_by_offsets(kind, n_docs, n_parts, job.doc_cut);
    for (size_t p = 0, d = 0, m = 0; p <= n_parts; p++) {
        for (; d < job.doc_cut[p]; d++)
            m += grams_in((size_t)(kind[d + 1] - kind[d]), min_n, max_n);
        job.first[p] = m;
    }
    (void)qc_run_parts(n_parts, generate_part, &job);
    radix_sort(&job.sort, n_grams, doc_bits, doc_bits + bits * (unsigned)max_n);
    const uint64_t *sorted = job.sort.src;
    /* the runs' ranges: cut where a key changes, so no term spans two */
    for (size_t p = 1; p < n_parts; p++) {
        size_t i = job.first[p] > job.first[p - 1] ? job.first[p] : job.first[p - 1];
        while (i > 0 && i < n_grams && sorted[i] >> doc_bits == sorted[i - 1] >> doc_bits)
            i++;
        job.first[p] = i;
    }
    (void)qc_run_parts(n_parts, count_runs_part, &job);
    /* each part's first term, the rows' offsets, and each part's places in
       every row: after the parts before it */
    size_t nnz = 0, n_terms = 0;
    for (size_t p = 0; p < n_parts; p++) {
        size_t part_terms = job.n_terms[p];
        job.n_terms[p] = n_terms;
        n_terms += part_terms;
        nnz += job.nnz[p];
    }
    for (size_t d = 0; d < n_docs; d++) {
        int64_t row = 0;
        for (size_t p = 0; p < n_parts; p++)
            row += job.row_count[p * n_docs + d];
        out->indptr[d + 1] = out->indptr[d] + row;
        int64_t place = out->indptr[d];
        for (size_t p = 0; p < n_parts; p++) {
            int64_t count = job.row_count[p * n_docs + d];
            job.row_count[p * n_docs + d] = place;
            place += count;
        }
    }
    terms->keys = qc_malloc(n_terms, sizeof *terms->keys);
    terms->df = qc_malloc(n_terms, sizeof *terms->df);
    if (terms->keys == NULL || terms->df == NULL) {
        status = QC_ENOMEM;
        goto cleanup;
    }
    job.entries = job.sort.dst;
    job.terms = terms;
    (void)qc_run_parts(n_parts, fill_rows_part, &job);
    job.total_nnz = nnz;
    (void)qc_run_parts(n_parts, split_entries_part, &job);
    out->n_rows = n_docs;
    out->nnz = out->capacity = nnz;
    out->indices = (int64_t *)job.sort.src;
    out->data = (int64_t *)job.entries;
    job.sort.src = job.sort.dst = NULL;
    terms->n = n_terms;
    terms->bits = bits;
    terms->max_n = max_n;
cleanup:
    qc_free(job.sort.src);
    qc_free(job.sort.dst);
    qc_free(job.sort.count);
    qc_free(job.row_count);
    return status;
}

qc_status qc_count_char_ngrams(const qc_str *texts, size_t n_texts,
                               const uint8_t *keep, size_t min_n, size_t max_n,
                               size_t n_threads, qc_csr *out, qc_packed_terms *terms, qc_errinfo *err)
{
    if (min_n < 1 || max_n < min_n)
        return qc_fail(err, QC_EINVAL, "ngram_range", 0, (int64_t)min_n,
                       (int64_t)max_n, "needs 1 <= min_n <= max_n");
    if (out == NULL || terms == NULL || (n_texts > 0 && texts == NULL))
        return qc_fail(err, QC_EINVAL, "out", 0, 0, 0, "is missing");
    memset(out, 0, sizeof *out);
    memset(terms, 0, sizeof *terms);
    size_t total = 0;
    for (size_t t = 0; t < n_texts; t++) {
        qc_status status = qc_str_check(&texts[t], "texts", t, err);
        if (status != QC_OK)
            return status;
        total += texts[t].len;
    }
    int64_t *kind = qc_malloc(n_texts + 1, sizeof *kind);
    int32_t *ranks = qc_malloc(total, sizeof *ranks);
    int32_t *rank = qc_calloc(QC_N_CODE_POINTS, sizeof *rank);
    qc_status status = QC_ENOMEM;
    if (kind == NULL || ranks == NULL || rank == NULL)
        goto cleanup;
    /* the characters as qc_char_tokens reads them, less those keep drops */
    size_t k = 0;
    uint32_t lowest = QC_N_CODE_POINTS, highest = 0;
    kind[0] = 0;
    for (size_t t = 0; t < n_texts; t++) {
        const qc_str *s = &texts[t];
        for (size_t i = 0; i < s->len; i++) {
            uint32_t c = char_token(s, &i);
            if (c >= QC_N_CODE_POINTS) {
                status = qc_fail(err, QC_EINVAL, "texts", t, (int64_t)c,
                                 QC_N_CODE_POINTS, "holds a value above U+10FFFF");
                goto cleanup;
            }
            if (keep == NULL || keep[c]) {
                ranks[k++] = (int32_t)c;
                rank[c] = 1;
                lowest = c < lowest ? c : lowest;
                highest = c > highest ? c : highest;
            }
        }
        kind[t + 1] = (int64_t)k;
    }
    /* Characters are renumbered by rank among those present (order kept),
       so keys are as short as the characters in use allow. */
    size_t n_present = 0;
    for (size_t c = lowest; c <= highest && k > 0; c++)
        if (rank[c] != 0)
            rank[c] = (int32_t)++n_present;
    terms->ids = qc_malloc(n_present, sizeof *terms->ids);
    if (terms->ids == NULL) {
        status = QC_ENOMEM;
        goto cleanup;
    }
    for (size_t c = lowest; c <= highest && k > 0; c++)
        if (rank[c] != 0)
            terms->ids[rank[c] - 1] = (int64_t)c;
    for (size_t i = 0; i < k; i++)
        ranks[i] = rank[ranks[i]];
    status = count_ranked(kind, n_texts, ranks, n_present, min_n, max_n,
                          n_threads > 0 ? n_threads : 1, out, terms, err);
cleanup:
    qc_free(kind);
    qc_free(ranks);
    qc_free(rank);
    if (status != QC_OK) {
        qc_csr_free(out);
        qc_packed_terms_free(terms);
    }
    return status;
}

size_t qc_packed_term(const qc_packed_terms *terms, size_t t, int64_t *out)
{
    uint64_t key = terms->keys[t], mask = ((uint64_t)1 << terms->bits) - 1;
    size_t n = 0;
    for (; n < terms->max_n; n++) {
        uint64_t rank = key >> (terms->bits * (terms->max_n - 1 - n)) & mask;
        if (rank == 0)
            break;
        out[n] = terms->ids[rank - 1];
    }
    return n;
}

void qc_packed_terms_free(qc_packed_terms *terms)
{
    if (terms == NULL)
        return;
    qc_free(terms->keys);
    qc_free(terms->df);
    qc_free(terms->ids);
    memset(terms, 0, sizeof *terms);
}

/* -- n-gram strings, sorted -------------------------------------------------- */

typedef struct {
    const uint32_t *text;
    const int64_t *offsets;
} strtab;

static int compare_strings(const strtab *t, int64_t a, int64_t b)
{
    const uint32_t *x = t->text + t->offsets[a], *y = t->text + t->offsets[b];
    int64_t nx = t->offsets[a + 1] - t->offsets[a], ny = t->offsets[b + 1] - t->offsets[b];
    int64_t n = nx < ny ? nx : ny;
    for (int64_t i = 0; i < n; i++) {
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    }
    return nx < ny ? -1 : nx > ny;
}

/* The first three code points of string a packed for comparison: each as
   cp + 1 in 21 bits, 0 past the end, so comparing keys compares prefixes in
   code point order with a shorter string first. Ties need the full compare. */
static uint64_t prefix_key(const strtab *t, int64_t a)
{
    const uint32_t *x = t->text + t->offsets[a];
    int64_t n = t->offsets[a + 1] - t->offsets[a];
    uint64_t key = 0;
    for (int64_t i = 0; i < 3; i++)
        key = key << 21 | (i < n ? (uint64_t)x[i] + 1 : 0);
    return key;
}

typedef struct {
    uint64_t key;
    int64_t id;
} keyed;

static int keyed_less(const strtab *t, const keyed *a, const keyed *b)
{
    if (a->key != b->key)
        return a->key < b->key;
    return compare_strings(t, a->id, b->id) < 0;
}

/* Stable merge sort of ids by their strings (code point order). */
static void merge_sort(const strtab *t, keyed *ids, keyed *tmp, size_t n)
{
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                tmp[k++] = keyed_less(t, &ids[j], &ids[i]) ? ids[j++] : ids[i++];
            while (i < mid)
                tmp[k++] = ids[i++];
            while (j < hi)
                tmp[k++] = ids[j++];
        }
        memcpy(ids, tmp, n * sizeof *ids);
    }
}

qc_status qc_string_order(const uint32_t *text, const int64_t *offsets, size_t n,
                          int64_t *order)
{
    keyed *ids = qc_malloc(n, sizeof *ids), *tmp = qc_malloc(n, sizeof *tmp);
    if (ids == NULL || tmp == NULL) {
        qc_free(ids);
        qc_free(tmp);
        return QC_ENOMEM;
    }
    strtab tab = {text, offsets};
    for (size_t i = 0; i < n; i++)
        ids[i] = (keyed){prefix_key(&tab, (int64_t)i), (int64_t)i};
    merge_sort(&tab, ids, tmp, n);
    for (size_t i = 0; i < n; i++)
        order[i] = ids[i].id;
    qc_free(ids);
    qc_free(tmp);
    return QC_OK;
}

qc_status qc_ngram_strings(const qc_ngrams *grams, const uint32_t *tok_text,
                           const int64_t *tok_offsets, size_t n_tok,
                           int64_t joiner, uint32_t **text, int64_t **offsets,
                           int64_t **rank, int64_t **order,
                           size_t *n_distinct, qc_errinfo *err)
{
    size_t n = grams->n;
    *text = NULL;
    *rank = *order = NULL;
    *offsets = qc_malloc(n + 1, sizeof **offsets);
    keyed *ids = qc_malloc(n, sizeof *ids), *tmp = qc_malloc(n, sizeof *tmp);
    qc_status status = QC_OK;
    if (*offsets == NULL || ids == NULL || tmp == NULL) {
        status = QC_ENOMEM;
        goto cleanup;
    }
    int64_t total = 0;
    (*offsets)[0] = 0;
    for (size_t g = 0; g < n; g++) {
        for (int64_t k = grams->indptr[g]; k < grams->indptr[g + 1]; k++) {
            int64_t t = grams->tokens[k];
            if (tok_offsets != NULL && (t < 0 || (uint64_t)t >= n_tok)) {
                status = qc_fail(err, QC_EINDEX, "tokens", (size_t)k, t, (int64_t)n_tok,
                                 "no string for this token id");
                goto cleanup;
            }
            total += tok_offsets ? tok_offsets[t + 1] - tok_offsets[t] : 1;
            if (joiner >= 0 && k > grams->indptr[g])
                total++;
        }
        (*offsets)[g + 1] = total;
    }
    *text = qc_malloc((size_t)total, sizeof **text);
    if (*text == NULL) {
        status = QC_ENOMEM;
        goto cleanup;
    }
    for (size_t g = 0; g < n; g++) {
        uint32_t *at = *text + (*offsets)[g];
        for (int64_t k = grams->indptr[g]; k < grams->indptr[g + 1]; k++) {
            int64_t t = grams->tokens[k];
            if (joiner >= 0 && k > grams->indptr[g])
                *at++ = (uint32_t)joiner;
            if (tok_offsets == NULL) {
                *at++ = (uint32_t)t;
            } else {
                size_t len = (size_t)(tok_offsets[t + 1] - tok_offsets[t]);
                memcpy(at, tok_text + tok_offsets[t], len * sizeof *at);
                at += len;
            }
        }
    }
    strtab tab = {*text, *offsets};
    for (size_t g = 0; g < n; g++)
        ids[g] = (keyed){prefix_key(&tab, (int64_t)g), (int64_t)g};
    merge_sort(&tab, ids, tmp, n);
    *rank = qc_malloc(n, sizeof **rank);
    *order = qc_malloc(n, sizeof **order);
    if (*rank == NULL || *order == NULL) {
        status = QC_ENOMEM;
        goto cleanup;
    }
    size_t distinct = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || ids[i - 1].key != ids[i].key ||
            compare_strings(&tab, ids[i - 1].id, ids[i].id) != 0)
            (*order)[distinct++] = ids[i].id;
        (*rank)[ids[i].id] = (int64_t)distinct - 1;
    }
    *n_distinct = distinct;
cleanup:
    qc_free(ids);
    qc_free(tmp);
    if (status != QC_OK) {
        qc_free(*text);
        qc_free(*offsets);
        qc_free(*rank);
        qc_free(*order);
        *text = NULL;
        *offsets = *rank = *order = NULL;
    }
    return status;
}

/* -- co-word pairs ----------------------------------------------------------- */

/* The pairs counted so far, sorted by (a, b), a < b: columns b and count,
   and the a of each pair either as a column or as rows (the window walk
   gives rows, as a caller takes them). The columns b and count may start
   skip entries into their blocks (the window walk's first two ranges fill
   one block from its middle outwards). */
struct qc_wordpairs {
    int32_t *a;          /* or NULL, and then: */
    int64_t *row_start;  /* the pairs of a are [row_start[a], row_start[a + 1]) */
    size_t n_rows;       /* for a < n_rows */
    int32_t *b;
    int32_t *count;      /* int32: 8 bytes a pair rather than 12 (see qc_count_pairs) */
    size_t n, skip;
};

/* The most a pair's count may be: INT32_MAX, or in test builds what
   qc_limit_pair_counts set (2^bits - 1, so that counts or-ed together
   pass it exactly when one does). */
#ifdef QC_ALLOC_TESTING
static _Thread_local uint32_t count_max = INT32_MAX;

void qc_limit_pair_counts(unsigned bits)
{
    count_max = bits > 0 && bits < 31 ? ((uint32_t)1 << bits) - 1 : INT32_MAX;
}
#else
static const uint32_t count_max = INT32_MAX;
#endif

qc_status qc_wordpairs_new(qc_wordpairs **out)
{
    *out = qc_calloc(1, sizeof **out);
    return *out == NULL ? QC_ENOMEM : QC_OK;
}

static void pairs_clear(qc_wordpairs *p);

void qc_wordpairs_free(qc_wordpairs *p)
{
    if (p == NULL)
        return;
    pairs_clear(p);
    qc_free(p);
}

size_t qc_wordpairs_count(const qc_wordpairs *p) { return p->n; }

/*
 * Pair occurrences wait in a batch, packed as lo << bits | hi; a full batch
 * is radix-sorted, its runs counted and merged into the pairs. Sorting
 * streams through memory where a hash table of millions of pairs would miss
 * the cache on every occurrence; the batch is no larger than the pairs
 * already counted (or a floor), so memory stays proportional to them.
 */
typedef struct {
    uint64_t *values, *scratch;
    size_t n, capacity;
    unsigned bits;
    size_t *count; /* radix scratch */
} pair_batch;

/* Allocates the columns of n pairs. */
static qc_status pairs_alloc(qc_wordpairs *p, size_t n)
{
    p->a = qc_malloc(n + 1, sizeof *p->a);
    p->b = qc_malloc(n + 1, sizeof *p->b);
    p->count = qc_malloc(n + 1, sizeof *p->count);
    p->n = n;
    if (p->a == NULL || p->b == NULL || p->count == NULL)
        return QC_ENOMEM;
    return QC_OK;
}

static void pairs_clear(qc_wordpairs *p)
{
    qc_free(p->a);
    qc_free(p->row_start);
    qc_free(p->b != NULL ? p->b - p->skip : NULL);
    qc_free(p->count != NULL ? p->count - p->skip : NULL);
    *p = (qc_wordpairs){0};
}

static inline int pair_less(const qc_wordpairs *x, size_t i, const qc_wordpairs *y, size_t j)
{
    return x->a[i] < y->a[j] || (x->a[i] == y->a[j] && x->b[i] < y->b[j]);
}

/* Writes the a of every pair in rows [row_start[a], row_start[a + 1]). */
static void rows_to_column(const int64_t *row_start, size_t n_rows, int32_t *column)
{
    for (size_t a = 0; a < n_rows; a++) {
        for (int64_t i = row_start[a]; i < row_start[a + 1]; i++)
            column[i] = (int32_t)a;
    }
}

/* The a of every pair of p as a column, from its rows. */
static qc_status pairs_column_a(qc_wordpairs *p)
{
    if (p->a != NULL || p->row_start == NULL)
        return QC_OK;
    p->a = qc_malloc(p->n + 1, sizeof *p->a);
    if (p->a == NULL)
        return QC_ENOMEM;
    rows_to_column(p->row_start, p->n_rows, p->a);
    qc_free(p->row_start);
    p->row_start = NULL;
    p->n_rows = 0;
    return QC_OK;
}

/* Adds the sorted pairs *add to p, which stays sorted; *add is consumed
   (moved when p is empty, freed otherwise, also on error). */
static qc_status merge_pairs(qc_wordpairs *p, qc_wordpairs *add)
{
    if (p->n == 0) {
        pairs_clear(p);
        *p = *add;
        *add = (qc_wordpairs){0};
        return QC_OK;
    }
    qc_wordpairs sum = {0};
    qc_status status = pairs_column_a(p);
    if (status == QC_OK)
        status = pairs_column_a(add);
    if (status == QC_OK)
        status = pairs_alloc(&sum, p->n + add->n);
    if (status != QC_OK) {
        pairs_clear(&sum);
        pairs_clear(add);
        return status;
    }
    size_t i = 0, j = 0, k = 0;
    while (i < p->n || j < add->n) {
        const qc_wordpairs *from = p;
        size_t *at = &i;
        if (i == p->n || (j < add->n && pair_less(add, j, p, i))) {
            from = add;
            at = &j;
        }
        sum.a[k] = from->a[*at];
        sum.b[k] = from->b[*at];
        int64_t count = from->count[*at];
        (*at)++;
        if (from == p && j < add->n && add->a[j] == sum.a[k] && add->b[j] == sum.b[k])
            count += add->count[j++];
        if (count > count_max) {
            pairs_clear(&sum);
            pairs_clear(add);
            return QC_EOVERFLOW;
        }
        sum.count[k++] = (int32_t)count;
    }
    sum.n = k;
    pairs_clear(p);
    pairs_clear(add);
    *p = sum;
    return QC_OK;
}

static qc_status merge_batch(qc_wordpairs *p, pair_batch *b)
{
    radix_job sort = {.src = b->values, .dst = b->scratch, .count = b->count, .n_parts = 1};
    radix_sort(&sort, b->n, 0, 2 * b->bits);
    b->values = sort.src;
    b->scratch = sort.dst;
    /* count the runs, then write them as columns */
    size_t runs = 0;
    for (size_t i = 0; i < b->n; i++)
        runs += i == 0 || b->values[i] != b->values[i - 1];
    qc_wordpairs add = {0};
    qc_status status = pairs_alloc(&add, runs);
    if (status != QC_OK) {
        pairs_clear(&add);
        return status;
    }
    uint64_t low = ((uint64_t)1 << b->bits) - 1;
    size_t k = 0;
    for (size_t i = 0; i < b->n;) {
        size_t j = i + 1;
        while (j < b->n && b->values[j] == b->values[i])
            j++;
        if (j - i > count_max) {
            pairs_clear(&add);
            return QC_EOVERFLOW;
        }
        add.a[k] = (int32_t)(b->values[i] >> b->bits);
        add.b[k] = (int32_t)(b->values[i] & low);
        add.count[k++] = (int32_t)(j - i);
        i = j;
    }
    b->n = 0;
    return merge_pairs(p, &add);
}

static inline qc_status batch_add(qc_wordpairs *p, pair_batch *b, uint64_t x, uint64_t y)
{
    if (b->n == b->capacity) {
        qc_status status = merge_batch(p, b);
        if (status != QC_OK)
            return status;
    }
    b->values[b->n++] = x < y ? x << b->bits | y : y << b->bits | x;
    return QC_OK;
}

/*
 * Window pairs by their lower id, without listing pair occurrences. The kept
 * tokens are laid out as uint32 ids with window - 1 GAP entries before and
 * after every text, so a neighbour needs no bounds check, and the positions
 * of each id are listed (a counting sort). For each id a the neighbours
 * b > a of its positions are gathered: a pair of positions is counted once,
 * from its lower id. A few are sorted and counted as runs; many are tallied
 * in a dense array and read back in order through a two-level bit set (only
 * one a's tallies are live at a time, so they stay in cache); many spread
 * thinly over a large vocabulary are sorted with qsort. The pairs thus come
 * sorted by (a, b) with no sort of all pairs.
 *
 * Ids are independent of each other, so ranges of them (cut to hold about
 * the same number of positions) are walked on threads, each with its own
 * tallies. The first two ranges write into one block from a middle place
 * outwards: the first walks its ids downwards and writes its pairs
 * backwards, ending at that place; the second writes forwards from it. The
 * columns of most counts then need no copy (copying a range's pairs cost
 * more than a fifth of the whole on two threads); further ranges write
 * columns of their own, copied after the first two.
 *
 * Equal positions are not equal work: how an id's neighbours spread costs
 * as much as how many there are, and numbering the ids in string order
 * left one of the two ranges 19 ms and the other 12 ms. So the first two
 * take their ids a chunk at a time (qc_claims), each from its own end of
 * the block's middle, and the one that finishes first takes chunks from
 * the far end of the other's range: the first from the top of the second
 * range downwards, the second from the bottom of the first upwards, each
 * in its own direction. What it takes it writes to a buffer of its own;
 * those pairs are copied next to the range's others (whose room in the
 * block holds all its ids' pairs) with the further ranges' columns.
 */
enum {
    GAP = UINT32_MAX,
    FEW = 32,
    CHUNK = 1 << 16,
    MIN_PART_POSITIONS = 1 << 16,
    WIDE = 64,
    CLAIM_POSITIONS = 1 << 12, /* a chunk of ids claimed: under 0.1 ms of walking */
    MIN_COPY_PAIRS = 1 << 18   /* copied per thread, at least: some 0.4 ms */
};

typedef struct {
    uint32_t *ids;      /* the texts, GAP-separated */
    uint32_t *start;    /* per id + 1: its positions are at[start[a]:start[a+1]] */
    uint32_t *at;
    size_t gap;         /* window - 1 */
    size_t n_kept;
} window_layout;

/* Columns b and count that a walk writes pairs in. */
typedef struct {
    int32_t *b;
    int32_t *count;
    size_t start, next; /* its pairs are [start, next), or [next, start) */
    int fixed;          /* its room holds every pair its ids can have */
    size_t capacity;    /* of growable columns */
} pair_sink;

/* One range of ids being walked: its scratch, and where its pairs go. */
typedef struct {
    size_t first, last; /* the ids a in [first, last) */
    uint32_t *near;     /* neighbours b > a gathered, up to CHUNK + 2 window */
    uint32_t *tally;    /* per id, zero between ids */
    uint64_t *bits;     /* a bit per id and, in summary, a bit per word of */
    uint64_t *summary;  /* bits: zero between ids */
    uint32_t lo, hi;    /* the least and greatest b tallied (or any id) */
    int bounded;        /* lo and hi tracked: more than WIDE summary words */
    int backward;       /* ids downwards, pairs at decreasing places */
    int shared;         /* own is in the block of the first two ranges */
    pair_sink own;      /* its own ids' pairs (columns of its own, or the block) */
    pair_sink taken;    /* the pairs of ids taken from the other shared range */
} window_part;

/* Pairs copied to offset in the joined columns. */
typedef struct {
    const int32_t *b;
    const int32_t *count;
    size_t n, offset;
} pair_copy;

typedef struct {
    const window_layout *layout;
    window_part *parts;
    size_t n_parts, n_vocab;
    int64_t *pair_start;  /* per a + 1: its pairs, then where they start */
    qc_claims claims[2];  /* the ids of the first two ranges, when they share */
    size_t room[2];       /* and the most pairs each range's ids can have */
    pair_copy copies[QC_MAX_PARTS + 2];
    size_t n_copies, copied, n_copiers; /* pairs to copy, split n_copiers ways */
    qc_wordpairs *joined;
} window_job;

/* Whether the walk's layout fits: positions in 32 bits, and the gaps and
   the arrays over ids no larger than a few times the tokens (or a floor),
   so memory stays O(tokens). */
static int window_walk_fits(size_t n_docs, size_t n_tokens, size_t n_vocab, size_t window)
{
    if (n_vocab > 4 * n_tokens + ((size_t)1 << 20))
        return 0;
    size_t gaps = n_docs + 1;
    if (gaps > (UINT32_MAX - 1) / window)
        return 0;
    gaps *= window - 1;
    /* and every pair occurrence (so any tally) countable in 32 bits */
    return gaps <= n_tokens + ((size_t)1 << 20) && n_tokens < (size_t)UINT32_MAX - 1 - gaps &&
           n_tokens <= UINT32_MAX / window;
}

static unsigned lowest_bit(uint64_t x)
{
#if defined(__GNUC__)
    return (unsigned)__builtin_ctzll(x);
#else
    unsigned i = 0;
    for (; !(x & 1); x >>= 1)
        i++;
    return i;
#endif
}

static unsigned highest_bit(uint64_t x)
{
#if defined(__GNUC__)
    return 63 - (unsigned)__builtin_clzll(x);
#else
    unsigned i = 63;
    for (; !(x >> 63); x <<= 1)
        i--;
    return i;
#endif
}

static int compare_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a > b) - (a < b);
}

/* Writes the runs of the sorted near[0..c) as pairs to out; returns their
   lengths or-ed together. */
static uint32_t append_runs(const uint32_t *near, size_t c, pair_sink *out, int backward)
{
    /* locals: a store to count could alias out->next */
    int32_t *b = out->b;
    int32_t *count = out->count;
    size_t next = out->next;
    uint32_t any = 0; /* c < 2^32: near holds CHUNK + 2 window */
    if (!backward) {
        for (size_t i = 0; i < c;) {
            size_t j = i + 1;
            while (j < c && near[j] == near[i])
                j++;
            b[next] = (int32_t)near[i];
            count[next++] = (int32_t)(j - i);
            any |= (uint32_t)(j - i);
            i = j;
        }
    } else {
        for (size_t j = c; j > 0;) {
            size_t i = j - 1;
            while (i > 0 && near[i - 1] == near[j - 1])
                i--;
            b[--next] = (int32_t)near[j - 1];
            count[next] = (int32_t)(j - i);
            any |= (uint32_t)(j - i);
            j = i;
        }
    }
    out->next = next;
    return any;
}

/* Adds near[0..c) to the tallies and the bit sets; in a wide vocabulary,
   also to the least and greatest b tallied, so that reading back need not
   visit every summary word. */
static void tally_near(window_part *w, size_t c)
{
    /* locals: the tallies are uint32 too, so w->lo could alias them */
    uint32_t lo = w->lo, hi = w->hi, *tally = w->tally;
    uint64_t *bits = w->bits, *summary = w->summary;
    const uint32_t *near = w->near;
    if (!w->bounded) {
        for (size_t i = 0; i < c; i++) {
            uint32_t b = near[i];
            tally[b]++;
            bits[b >> 6] |= (uint64_t)1 << (b & 63);
            summary[b >> 12] |= (uint64_t)1 << (b >> 6 & 63);
        }
        return;
    }
    for (size_t i = 0; i < c; i++) {
        uint32_t b = near[i];
        tally[b]++;
        bits[b >> 6] |= (uint64_t)1 << (b & 63);
        summary[b >> 12] |= (uint64_t)1 << (b >> 6 & 63);
        lo = b < lo ? b : lo;
        hi = b > hi ? b : hi;
    }
    w->lo = lo;
    w->hi = hi;
}

/* Writes w's tallied b's, in order, as pairs to out, clearing the tallies
   and bit sets; returns the tallies or-ed together (above INT32_MAX when
   one does not fit its int32 count). */
static uint32_t append_tallied(window_part *w, pair_sink *out)
{
    int32_t *b_col = out->b;
    int32_t *count = out->count;
    uint32_t *tally = w->tally, any = 0;
    uint64_t *bits = w->bits, *summary = w->summary;
    size_t next = out->next, first = w->lo >> 12, last = w->hi >> 12;
    if (!w->backward) {
        for (size_t s = first; s <= last; s++) {
            uint64_t words = summary[s];
            summary[s] = 0;
            for (; words != 0; words &= words - 1) {
                size_t word = s * 64 + lowest_bit(words);
                uint64_t x = bits[word];
                bits[word] = 0;
                for (; x != 0; x &= x - 1) {
                    size_t b = word * 64 + lowest_bit(x);
                    uint32_t t = tally[b]; /* once: count could alias tally */
                    b_col[next] = (int32_t)b;
                    count[next++] = (int32_t)t;
                    any |= t;
                    tally[b] = 0;
                }
            }
        }
    } else {
        for (size_t s = last + 1; s-- > first;) {
            uint64_t words = summary[s];
            summary[s] = 0;
            for (; words != 0; words ^= (uint64_t)1 << highest_bit(words)) {
                size_t word = s * 64 + highest_bit(words);
                uint64_t x = bits[word];
                bits[word] = 0;
                for (; x != 0; x ^= (uint64_t)1 << highest_bit(x)) {
                    size_t b = word * 64 + highest_bit(x);
                    uint32_t t = tally[b];
                    b_col[--next] = (int32_t)b;
                    count[next] = (int32_t)t;
                    any |= t;
                    tally[b] = 0;
                }
            }
        }
    }
    out->next = next;
    if (w->bounded) {
        w->lo = UINT32_MAX;
        w->hi = 0;
    }
    return any;
}

/* Room for need pairs in the columns b and count of p (n are in use). */
static qc_status reserve_pairs(qc_wordpairs *p, size_t *capacity, size_t need)
{
    if (need <= *capacity)
        return QC_OK;
    size_t cap = *capacity > 0 ? *capacity : 1;
    while (cap < need)
        cap *= 2;
    int32_t *b = qc_realloc(p->b, cap, sizeof *b);
    if (b == NULL)
        return QC_ENOMEM;
    p->b = b;
    int32_t *count = qc_realloc(p->count, cap, sizeof *count);
    if (count == NULL)
        return QC_ENOMEM;
    p->count = count;
    *capacity = cap;
    return QC_OK;
}

/* The pairs written to a sink, and where the first of them is. */
static size_t sink_written(const pair_sink *s, int backward)
{
    return backward ? s->start - s->next : s->next - s->start;
}

static size_t sink_first(const pair_sink *s, int backward)
{
    return backward ? s->next : s->start;
}

/* A sink with room for n pairs, written from its end when backward. */
static qc_status fixed_sink_init(pair_sink *s, size_t n, int backward)
{
    s->b = qc_malloc(n + 1, sizeof *s->b);
    s->count = qc_malloc(n + 1, sizeof *s->count);
    s->start = s->next = backward ? n : 0;
    s->fixed = 1;
    return s->b == NULL || s->count == NULL ? QC_ENOMEM : QC_OK;
}

/* Room for need more pairs in a sink (growable ones are written forwards). */
static qc_status reserve_sink(pair_sink *s, size_t need)
{
    if (s->fixed)
        return QC_OK;
    qc_wordpairs grown = {.b = s->b, .count = s->count};
    qc_status status = reserve_pairs(&grown, &s->capacity, s->next + need);
    s->b = grown.b;
    s->count = grown.count;
    return status;
}

static void window_layout_free(window_layout *w)
{
    qc_free(w->ids);
    qc_free(w->start);
    qc_free(w->at);
}

static void window_part_free_scratch(window_part *w)
{
    qc_free(w->near);
    qc_free(w->tally);
    qc_free(w->bits);
    qc_free(w->summary);
    w->near = w->tally = NULL;
    w->bits = w->summary = NULL;
}

static void window_part_free(window_part *w)
{
    window_part_free_scratch(w);
    if (!w->shared) {
        qc_free(w->own.b);
        qc_free(w->own.count);
    }
    qc_free(w->taken.b);
    qc_free(w->taken.count);
    w->own = w->taken = (pair_sink){0};
}

/* One range of texts being laid out. Its region of ids starts where its
   first text would with every token kept, so ranges need not wait for each
   other; what dropped tokens leave free at the region's end is gap. */
typedef struct {
    size_t first, last; /* the texts [first, last) */
    size_t from, to;    /* its region of ids */
    uint32_t *cursor;   /* per id: its kept tokens in these texts, then where
                           its next position goes in at */
    qc_errinfo err;
} layout_part;

typedef struct {
    window_layout *layout;
    layout_part *parts;
    const int64_t *indptr, *tokens;
    const uint8_t *keep;
    size_t n_vocab;
} layout_job;

/* Checks one range's tokens, writes the kept ones (each text followed by
   the gap) and counts them by id (a qc_part_fn). */
static qc_status write_kept(void *context, size_t part)
{
    const layout_job *job = context;
    layout_part *w = &job->parts[part];
    uint32_t *ids = job->layout->ids;
    const size_t gap = job->layout->gap;
    size_t n = w->from;
    for (size_t d = w->first; d < w->last; d++) {
        size_t before = n;
        for (int64_t i = job->indptr[d]; i < job->indptr[d + 1]; i++) {
            int64_t t = job->tokens[i];
            if (t < 0 || (uint64_t)t >= job->n_vocab)
                return qc_fail(&w->err, QC_EINDEX, "tokens", (size_t)i, t,
                               (int64_t)job->n_vocab, "must be a token id below n_vocab");
            if (job->keep == NULL || job->keep[t]) {
                ids[n++] = (uint32_t)t;
                w->cursor[t]++;
            }
        }
        if (n > before) {
            for (size_t i = 0; i < gap; i++)
                ids[n++] = GAP;
        }
    }
    for (; n < w->to; n++)
        ids[n] = GAP;
    return QC_OK;
}

/* Lists the positions of one range's ids (a qc_part_fn). */
static qc_status list_positions(void *context, size_t part)
{
    const layout_job *job = context;
    const layout_part *w = &job->parts[part];
    const uint32_t *ids = job->layout->ids;
    uint32_t *at = job->layout->at, *cursor = w->cursor;
    for (size_t i = w->from; i < w->to; i++) {
        if (ids[i] != GAP)
            at[cursor[ids[i]]++] = (uint32_t)i;
    }
    return QC_OK;
}

/* Lays out the kept tokens (checking them) and lists each id's positions,
   ranges of texts on up to n_threads threads. */
static qc_status window_walk_layout(window_layout *w, const int64_t *indptr, size_t n_docs,
                                    const int64_t *tokens, size_t n_vocab,
                                    const uint8_t *keep, size_t window, size_t n_threads,
                                    qc_errinfo *err)
{
    layout_part parts[QC_MAX_PARTS];
    size_t cut[QC_MAX_PARTS + 1], n_tokens = (size_t)indptr[n_docs], gap = window - 1;
    /* a cursor array per range: no more ranges than the tokens pay for */
    size_t affordable = n_tokens / (n_vocab + 1);
    size_t n_parts = qc_part_count(n_tokens, MIN_PART_POSITIONS,
                                   n_threads < affordable ? n_threads : affordable);
    qc_cut_by_offsets(indptr, n_docs, n_parts, cut);
    memset(parts, 0, sizeof parts);
    w->gap = gap;
    w->ids = qc_malloc(gap + n_tokens + n_docs * gap, sizeof *w->ids);
    w->start = qc_malloc(n_vocab + 1, sizeof *w->start);
    qc_status status = w->ids == NULL || w->start == NULL ? QC_ENOMEM : QC_OK;
    for (size_t p = 0; p < n_parts && status == QC_OK; p++) {
        parts[p].first = cut[p];
        parts[p].last = cut[p + 1];
        parts[p].from = gap + (size_t)indptr[cut[p]] + cut[p] * gap;
        parts[p].to = gap + (size_t)indptr[cut[p + 1]] + cut[p + 1] * gap;
        parts[p].cursor = qc_calloc(n_vocab + 1, sizeof *parts[p].cursor);
        if (parts[p].cursor == NULL)
            status = QC_ENOMEM;
    }
    layout_job job = {w, parts, indptr, tokens, keep, n_vocab};
    if (status == QC_OK) {
        for (size_t i = 0; i < gap; i++)
            w->ids[i] = GAP;
        status = qc_run_parts(n_parts, write_kept, &job);
    }
    for (size_t p = 0; p < n_parts && status != QC_OK; p++) {
        if (parts[p].err.arg != NULL) { /* the first bad token */
            if (err != NULL)
                *err = parts[p].err;
            break;
        }
    }
    if (status != QC_OK)
        goto cleanup;
    /* each id's positions in at: the ranges' counts in turn */
    uint32_t running = 0;
    for (size_t a = 0; a < n_vocab; a++) {
        w->start[a] = running;
        for (size_t p = 0; p < n_parts; p++) {
            uint32_t count = parts[p].cursor[a];
            parts[p].cursor[a] = running;
            running += count;
        }
    }
    w->start[n_vocab] = running;
    w->n_kept = running;
    w->at = qc_malloc(w->n_kept + 1, sizeof *w->at);
    if (w->at == NULL) {
        status = QC_ENOMEM;
        goto cleanup;
    }
    status = qc_run_parts(n_parts, list_positions, &job);
cleanup:
    for (size_t p = 0; p < n_parts; p++)
        qc_free(parts[p].cursor);
    return status;
}

/* The columns a range of `positions` positions reserves when it has its
   own: every pair occurrence could be a new pair, but reserving that much
   (up to a bound) is only address space until it is written. */
static size_t own_capacity(size_t positions, size_t window)
{
    size_t capacity = positions * (window - 1);
    return capacity < 4 * positions + ((size_t)1 << 16) ? capacity
                                                          : 4 * positions + ((size_t)1 << 16);
}

/* Room for every pair the first two ranges can find (an id a has at most
   2 (window - 1) neighbours per position, and n_vocab - 1 - a ids above
   it), in room[0] and room[1]; whether they may share a block: only when
   that is at most twice what their own columns would reserve. */
static int block_room(const window_layout *layout, size_t n_vocab, const size_t *cut,
                      size_t window, size_t room[2])
{
    uint64_t most[2] = {0, 0}, own = 0; /* 64 bits: tokens x window x 2 */
    for (size_t p = 0; p < 2; p++) {
        for (size_t a = cut[p]; a < cut[p + 1]; a++) {
            uint64_t k = layout->start[a + 1] - layout->start[a];
            uint64_t found = 2 * (uint64_t)(window - 1) * k, above = n_vocab - 1 - a;
            most[p] += found < above ? found : above;
        }
        own += own_capacity(layout->start[cut[p + 1]] - layout->start[cut[p]], window);
    }
    if (most[0] + most[1] > 2 * own || most[0] + most[1] >= SIZE_MAX / sizeof(int64_t))
        return 0;
    room[0] = (size_t)most[0];
    room[1] = (size_t)most[1];
    return 1;
}

/* The scratch of a range that walks `positions` positions, and its own
   columns unless it writes in the block. */
static qc_status window_part_init(window_part *w, size_t n_vocab, size_t window,
                                  size_t positions)
{
    w->tally = qc_calloc(n_vocab + 1, sizeof *w->tally);
    w->near = qc_malloc(CHUNK + 2 * window, sizeof *w->near);
    w->bits = qc_calloc(n_vocab / 64 + 1, sizeof *w->bits);
    w->summary = qc_calloc(n_vocab / 4096 + 1, sizeof *w->summary);
    w->bounded = n_vocab / 4096 + 1 > WIDE;
    w->lo = w->bounded ? UINT32_MAX : 0;
    w->hi = w->bounded || n_vocab == 0 ? 0 : (uint32_t)(n_vocab - 1);
    if (w->tally == NULL || w->near == NULL || w->bits == NULL || w->summary == NULL)
        return QC_ENOMEM;
    return reserve_sink(&w->own, own_capacity(positions, window));
}

/* Walks the ids [first, last) with w's scratch, in w's direction, writing
   their pairs to out. */
static qc_status walk_ids(const window_job *job, window_part *w, pair_sink *out, size_t first,
                          size_t last)
{
    const window_layout *layout = job->layout;
    enum { AHEAD = 32 }; /* occurrences: about the latency of a miss to L3 */
    const size_t gap = layout->gap;
    const int backward = w->backward;
    const uint32_t *ids = layout->ids, *at = layout->at;
    uint32_t *near = w->near;
    /* positions are walked in the order of the ids, so the next ones to
       fetch lie AHEAD places on (the next chunk's, when the walk gets
       there, are mostly its own) */
    const size_t highest = layout->n_kept;
    for (size_t i = first; i < last; i++) {
        size_t a = backward ? first + last - 1 - i : i;
        size_t from = layout->start[a], to = layout->start[a + 1], before = out->next;
        /* b counts when in (a, GAP): one unsigned compare, no branch */
        const uint32_t above = (uint32_t)a + 1, span = GAP - above;
        size_t c = 0, tallied = 0;
        for (size_t k = from; k < to; k++) {
            size_t j = k;
            if (!backward) {
                if (j + AHEAD < highest) {
                    QC_PREFETCH(&ids[at[j + AHEAD] - gap]);
                    QC_PREFETCH(&ids[at[j + AHEAD] + gap]);
                }
            } else {
                j = from + to - 1 - k;
                if (j >= AHEAD) {
                    QC_PREFETCH(&ids[at[j - AHEAD] - gap]);
                    QC_PREFETCH(&ids[at[j - AHEAD] + gap]);
                }
            }
            const uint32_t *here = ids + at[j];
            for (size_t d = 1; d <= gap; d++) {
                uint32_t b = here[d];
                near[c] = b;
                c += b - above < span;
                b = here[-(ptrdiff_t)d];
                near[c] = b;
                c += b - above < span;
            }
            if (c >= CHUNK) {
                tally_near(w, c);
                tallied += c;
                c = 0;
            }
        }
        /* at most one pair per neighbour gathered */
        qc_status status = reserve_sink(out, c + tallied);
        if (status != QC_OK)
            return status;
        uint32_t counts; /* or-ed together */
        if (tallied == 0 && c <= FEW) {
            for (size_t m = 1; m < c; m++) { /* insertion sort */
                uint32_t v = near[m];
                size_t n = m;
                for (; n > 0 && near[n - 1] > v; n--)
                    near[n] = near[n - 1];
                near[n] = v;
            }
            counts = append_runs(near, c, out, backward);
        } else {
            /* sorted instead when spread over so many summary words that
               reading them back costs more; only a vocabulary of 4 c
               summary words or more can spread them that far */
            int sparse = 0;
            if (tallied == 0 && (job->n_vocab >> 12) >= 4 * c) {
                uint32_t lo = UINT32_MAX, hi = 0;
                for (size_t m = 0; m < c; m++) {
                    lo = near[m] < lo ? near[m] : lo;
                    hi = near[m] > hi ? near[m] : hi;
                }
                sparse = (hi >> 12) - (lo >> 12) >= 4 * c;
            }
            if (sparse) {
                qsort(near, c, sizeof *near, compare_u32);
                counts = append_runs(near, c, out, backward);
            } else {
                tally_near(w, c);
                counts = append_tallied(w, out);
            }
        }
        /* a count passes INT32_MAX only in the likes of a window of
           thousands over a token of a million places */
        if (counts > count_max)
            return QC_EOVERFLOW;
        job->pair_start[a + 1] = (int64_t)(backward ? before - out->next : out->next - before);
    }
    return QC_OK;
}

/* Walks the ids of one range (a qc_part_fn): when the first two share the
   block, a chunk at a time from its end, then chunks of the other's. */
static qc_status walk_part(void *context, size_t part)
{
    window_job *job = context;
    window_part *w = &job->parts[part];
    if (!w->shared)
        return walk_ids(job, w, &w->own, w->first, w->last);
    const uint32_t *positions_before = job->layout->start;
    qc_status status = QC_OK;
    size_t first, last;
    while (status == QC_OK && qc_claim(&job->claims[part], w->backward, positions_before,
                                       CLAIM_POSITIONS, &first, &last))
        status = walk_ids(job, w, &w->own, first, last);
    while (status == QC_OK && qc_claim(&job->claims[1 - part], w->backward, positions_before,
                                       CLAIM_POSITIONS, &first, &last)) {
        if (w->taken.b == NULL) /* room for all of the other range's pairs */
            status = fixed_sink_init(&w->taken, job->room[1 - part], w->backward);
        if (status == QC_OK)
            status = walk_ids(job, w, &w->taken, first, last);
    }
    return status;
}

/* Copies slice t of n_copiers equal slices of the pairs not in place into
   the joined columns (a qc_part_fn): the ranges after the first two (after
   the first when they did not share the block), and the ids taken from
   another range. Slices of the copying rather than of the columns: the
   pairs taken lie at one end, and a slice of the columns would give all of
   them to one thread. */
static qc_status join_slice(void *context, size_t t)
{
    const window_job *job = context;
    qc_wordpairs *joined = job->joined;
    size_t from = job->copied * t / job->n_copiers, to = job->copied * (t + 1) / job->n_copiers;
    size_t before = 0; /* pairs of the copies before c */
    for (size_t i = 0; i < job->n_copies; before += job->copies[i++].n) {
        const pair_copy *c = &job->copies[i];
        size_t lo = before > from ? before : from;
        size_t hi = before + c->n < to ? before + c->n : to;
        if (lo < hi) {
            size_t at = c->offset + (lo - before);
            memcpy(joined->b + at, c->b + (lo - before), (hi - lo) * sizeof *joined->b);
            memcpy(joined->count + at, c->count + (lo - before),
                   (hi - lo) * sizeof *joined->count);
        }
    }
    return QC_OK;
}

/* Adds the pairs of sink s (written in direction backward) to the copies at
   offset; returns how many. */
static size_t copy_later(window_job *job, const pair_sink *s, int backward, size_t offset)
{
    size_t n = sink_written(s, backward), first = sink_first(s, backward);
    if (n > 0)
        job->copies[job->n_copies++] = (pair_copy){s->b + first, s->count + first, n, offset};
    job->copied += n;
    return n;
}

static qc_status count_window_pairs(const int64_t *indptr, size_t n_docs,
                                    const int64_t *tokens, size_t n_vocab,
                                    const uint8_t *keep, size_t window, size_t n_threads,
                                    qc_wordpairs *pairs, qc_errinfo *err)
{
    window_layout layout = {0};
    window_part parts[QC_MAX_PARTS];
    size_t cut[QC_MAX_PARTS + 1], n_parts = 1, room[2] = {0, 0};
    int64_t *pair_start = NULL;
    qc_wordpairs block = {0}, joined = {0};
    memset(parts, 0, sizeof parts);
    qc_status status = window_walk_layout(&layout, indptr, n_docs, tokens, n_vocab, keep,
                                          window, n_threads, err);
    if (status != QC_OK)
        goto cleanup;
    n_parts = qc_part_count(layout.n_kept, MIN_PART_POSITIONS, n_threads);
    qc_cut_by_weight(layout.start, n_vocab, n_parts, cut);
    pair_start = qc_malloc(n_vocab + 1, sizeof *pair_start);
    if (pair_start == NULL) {
        status = QC_ENOMEM;
        goto cleanup;
    }
    int share = n_parts >= 2 && block_room(&layout, n_vocab, cut, window, room);
    size_t capacity = share ? room[0] + room[1] + 1 : 0;
    if (share) {
        block.b = qc_malloc(capacity, sizeof *block.b);
        block.count = qc_malloc(capacity, sizeof *block.count);
        if (block.b == NULL || block.count == NULL) {
            status = QC_ENOMEM;
            goto cleanup;
        }
    }
    for (size_t p = 0; p < n_parts && status == QC_OK; p++) {
        window_part *w = &parts[p];
        w->first = cut[p];
        w->last = cut[p + 1];
        if (share && p < 2) {
            w->backward = p == 0;
            w->shared = 1;
            w->own = (pair_sink){block.b, block.count, room[0], room[0], 1, 0};
        }
        status = window_part_init(w, n_vocab, window,
                                  layout.start[cut[p + 1]] - layout.start[cut[p]]);
    }
    if (status != QC_OK)
        goto cleanup;
    window_job job = {.layout = &layout, .parts = parts, .n_parts = n_parts, .n_vocab = n_vocab,
                      .pair_start = pair_start, .room = {room[0], room[1]}, .joined = &joined};
    if (share) {
        qc_claims_init(&job.claims[0], cut[0], cut[1]);
        qc_claims_init(&job.claims[1], cut[1], cut[2]);
    }
    status = qc_run_parts(n_parts, walk_part, &job);
    if (status != QC_OK)
        goto cleanup;
    /* the scratch goes before the joined columns grow */
    window_layout_free(&layout);
    layout = (window_layout){0};
    for (size_t p = 0; p < n_parts; p++)
        window_part_free_scratch(&parts[p]);
    /* the joined columns in order of a: with the block, the ids the second
       range took from the bottom of the first, the first's own (in place),
       the second's (in place), the ids the first took from the top of the
       second; without, the first range's own columns; then the further
       ranges' */
    size_t total = 0, skip = 0;
    if (share) {
        total += copy_later(&job, &parts[1].taken, 0, total);
        skip = parts[0].own.next - total;
        total += sink_written(&parts[0].own, 1) + sink_written(&parts[1].own, 0);
        total += copy_later(&job, &parts[0].taken, 1, total);
        joined.b = block.b;
        joined.count = block.count;
        block = (qc_wordpairs){0};
    } else {
        total += sink_written(&parts[0].own, 0);
        joined.b = parts[0].own.b;
        joined.count = parts[0].own.count;
        capacity = parts[0].own.capacity;
        parts[0].own.b = NULL;
        parts[0].own.count = NULL;
    }
    for (size_t p = share ? 2 : 1; p < n_parts; p++)
        total += copy_later(&job, &parts[p].own, 0, total);
    status = reserve_pairs(&joined, &capacity, skip + total);
    if (status != QC_OK)
        goto cleanup;
    joined.skip = skip;
    joined.b += skip;
    joined.count += skip;
    joined.n = total;
    pair_start[0] = 0;
    for (size_t a = 0; a < n_vocab; a++)
        pair_start[a + 1] += pair_start[a];
    joined.row_start = pair_start;
    joined.n_rows = n_vocab;
    pair_start = NULL;
    /* the pairs taken from another range (a tenth or fewer) are copied on
       this thread alone: that is shorter than starting a thread, and when a
       thread ran slow (so the other took its ids) half the copy would be
       back on it */
    job.n_copiers = qc_part_count(job.copied, MIN_COPY_PAIRS, n_parts);
    if (job.copied > 0)
        status = qc_run_parts(job.n_copiers, join_slice, &job);
    if (status == QC_OK)
        status = merge_pairs(pairs, &joined);
cleanup:
    window_layout_free(&layout);
    for (size_t p = 0; p < n_parts; p++)
        window_part_free(&parts[p]);
    qc_free(pair_start);
    pairs_clear(&block);
    pairs_clear(&joined);
    return status;
}

/* qc_count_pairs once its arguments are checked: QC_EOVERFLOW from here is
   a count past count_max. */
static qc_status count_pairs(const int64_t *indptr, size_t n_docs,
                             const int64_t *tokens, size_t n_tokens,
                             size_t n_vocab, const uint8_t *keep, size_t window,
                             size_t n_threads, qc_wordpairs *pairs, qc_errinfo *err)
{
    if (window > 0 && window_walk_fits(n_docs, n_tokens, n_vocab, window)) {
        qc_status status = qc_check_indptr(indptr, n_docs, n_tokens, "indptr", err);
        if (status == QC_OK && n_tokens > 0 && tokens == NULL)
            status = qc_fail(err, QC_EINVAL, "tokens", 0, 0, 0, "is missing");
        if (status == QC_OK)
            status = count_window_pairs(indptr, n_docs, tokens, n_vocab, keep, window,
                                        n_threads > 0 ? n_threads : 1, pairs, err);
        return status;
    }
    int64_t *kind = NULL, *kept = NULL, *seen = NULL, *distinct = NULL;
    pair_batch batch = {NULL, NULL, 0, 0, bit_length(n_vocab > 1 ? n_vocab - 1 : 1), NULL};
    qc_status status = filter_tokens(indptr, n_docs, tokens, n_tokens, n_vocab,
                                     keep, &kind, &kept, err);
    if (status != QC_OK)
        return status;
    /* at most window - 1 pairs per token, or all pairs of a document's
       distinct tokens: the batch need not exceed that */
    size_t occurrences = 0;
    for (size_t d = 0; d < n_docs; d++) {
        size_t len = (size_t)(kind[d + 1] - kind[d]);
        size_t per = window > 0 ? window - 1 : len;
        occurrences += len > SIZE_MAX / (per + 1) ? SIZE_MAX / 2 : len * per;
        if (occurrences > SIZE_MAX / 2)
            occurrences = SIZE_MAX / 2;
    }
    batch.capacity = pairs->n > ((size_t)1 << 22) ? pairs->n : (size_t)1 << 22;
    if (batch.capacity > occurrences)
        batch.capacity = occurrences > 0 ? occurrences : 1;
    batch.values = qc_malloc(batch.capacity, sizeof *batch.values);
    batch.scratch = qc_malloc(batch.capacity, sizeof *batch.scratch);
    batch.count = qc_malloc((size_t)1 << RADIX_BITS, sizeof *batch.count);
    if (batch.values == NULL || batch.scratch == NULL || batch.count == NULL) {
        status = QC_ENOMEM;
        goto cleanup;
    }
    if (window == 0) {
        seen = qc_malloc(n_vocab, sizeof *seen);
        distinct = qc_malloc(n_tokens, sizeof *distinct);
        if (seen == NULL || distinct == NULL) {
            status = QC_ENOMEM;
            goto cleanup;
        }
        for (size_t v = 0; v < n_vocab; v++)
            seen[v] = -1;
    }
    for (size_t d = 0; d < n_docs && status == QC_OK; d++) {
        const int64_t *doc = kept + kind[d];
        size_t len = (size_t)(kind[d + 1] - kind[d]);
        if (window > 0) {
            for (size_t i = 0; i < len && status == QC_OK; i++) {
                size_t stop = i + window < len ? i + window : len;
                for (size_t j = i + 1; j < stop && status == QC_OK; j++) {
                    if (doc[i] != doc[j])
                        status = batch_add(pairs, &batch, (uint64_t)doc[i], (uint64_t)doc[j]);
                }
            }
            continue;
        }
        size_t k = 0;
        for (size_t i = 0; i < len; i++) {
            if (seen[doc[i]] != (int64_t)d) {
                seen[doc[i]] = (int64_t)d;
                distinct[k++] = doc[i];
            }
        }
        for (size_t i = 0; i < k && status == QC_OK; i++) {
            for (size_t j = i + 1; j < k && status == QC_OK; j++)
                status = batch_add(pairs, &batch, (uint64_t)distinct[i], (uint64_t)distinct[j]);
        }
    }
    if (status == QC_OK && batch.n > 0)
        status = merge_batch(pairs, &batch);
cleanup:
    qc_free(kind);
    qc_free(kept);
    qc_free(seen);
    qc_free(distinct);
    qc_free(batch.values);
    qc_free(batch.scratch);
    qc_free(batch.count);
    return status;
}

qc_status qc_count_pairs(const int64_t *indptr, size_t n_docs,
                         const int64_t *tokens, size_t n_tokens,
                         size_t n_vocab, const uint8_t *keep, size_t window,
                         size_t n_threads, qc_wordpairs *pairs, qc_errinfo *err)
{
    if (window == 1)
        return qc_fail(err, QC_EINVAL, "window", 0, 1, 2,
                       "must be at least 2 (or 0 for whole documents)");
    if (n_vocab > (size_t)INT32_MAX + 1)
        return qc_fail(err, QC_EOVERFLOW, "n_vocab", 0, (int64_t)n_vocab,
                       (int64_t)INT32_MAX + 1, "token ids must fit in 31 bits");
    if (pairs == NULL)
        return qc_fail(err, QC_EINVAL, "pairs", 0, 0, 0, "is missing");
    qc_status status = count_pairs(indptr, n_docs, tokens, n_tokens, n_vocab, keep, window,
                                   n_threads, pairs, err);
    /* the walk, the batches and the merges all stop at the first count
       past count_max; the detail is said once, here */
    if (status == QC_EOVERFLOW)
        return qc_fail(err, status, "window", 0, (int64_t)window, 0,
                       "pairs two tokens more than 2^31 - 1 times (counts are int32)");
    return status;
}

void qc_wordpairs_export(const qc_wordpairs *p, int32_t *a, int32_t *b, int32_t *count)
{
    if (p->n == 0)
        return;
    if (p->a != NULL)
        memcpy(a, p->a, p->n * sizeof *a);
    else
        rows_to_column(p->row_start, p->n_rows, a);
    memcpy(b, p->b, p->n * sizeof *b);
    memcpy(count, p->count, p->n * sizeof *count);
}

qc_status qc_wordpairs_take(qc_wordpairs *p, size_t n_rows, int64_t **row_start, int32_t **b,
                            int32_t **count, size_t *skip)
{
    if (p->row_start == NULL || p->n_rows != n_rows) {
        qc_status status = pairs_column_a(p);
        if (status != QC_OK)
            return status;
        if (p->n > 0 && (size_t)p->a[p->n - 1] >= n_rows) /* sorted: the last is the greatest */
            return QC_EINVAL;
        int64_t *rows = qc_calloc(n_rows + 1, sizeof *rows);
        if (rows == NULL)
            return QC_ENOMEM;
        for (size_t i = 0; i < p->n; i++)
            rows[p->a[i] + 1]++;
        for (size_t r = 0; r < n_rows; r++)
            rows[r + 1] += rows[r];
        qc_free(p->a);
        p->a = NULL;
        p->row_start = rows;
        p->n_rows = n_rows;
    }
    if (p->b == NULL) { /* no pairs were ever counted */
        p->b = qc_malloc(1, sizeof *p->b);
        p->count = qc_malloc(1, sizeof *p->count);
        if (p->b == NULL || p->count == NULL)
            return QC_ENOMEM;
    }
    *row_start = p->row_start;
    *b = p->b - p->skip;
    *count = p->count - p->skip;
    *skip = p->skip;
    *p = (qc_wordpairs){0};
    return QC_OK;
}

size_t qc_pairs_at_least(const int32_t *count, size_t n, int64_t min_count)
{
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        kept += count[i] >= min_count;
    return kept;
}

/* Pairs on their way through the radix passes. */
typedef struct {
    int32_t *a, *b, *count;
} pair_columns;

enum { DIGIT_BITS = 16 };

/* The radix key of a count: how far below the highest it is, so that the
   highest sorts first (64-bit difference: int32's ends are 2^32 - 1 apart). */
static inline uint32_t below_highest(int32_t high, int32_t count)
{
    return (uint32_t)((int64_t)high - count);
}

/* Turns a histogram of n_digits digit values into the place of each
   value's first pair. */
static void digit_starts(size_t *start, size_t n_digits)
{
    size_t running = 0;
    for (size_t d = 0; d < n_digits; d++) {
        size_t here = start[d];
        start[d] = running;
        running += here;
    }
}

qc_status qc_pairs_by_count(const int64_t *row_start, size_t n_rows, const int32_t *b,
                            const int32_t *count, size_t n, int64_t min_count, int32_t *a,
                            int32_t *b_out, int32_t *count_out, qc_errinfo *err)
{
    qc_status status = qc_check_indptr(row_start, n_rows, n, "row_start", err);
    if (status != QC_OK)
        return status;
    if (n_rows > (size_t)INT32_MAX + 1)
        return qc_fail(err, QC_EOVERFLOW, "row_start", n_rows, (int64_t)n_rows,
                       (int64_t)INT32_MAX + 1, "has more rows than int32 can number");
    int32_t high = INT32_MIN, low = INT32_MAX;
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        if (count[i] >= min_count) {
            high = count[i] > high ? count[i] : high;
            low = count[i] < low ? count[i] : low;
            kept++;
        }
    }
    if (kept == 0)
        return QC_OK;
    uint32_t span = below_highest(high, low);
    int two_passes = span >> DIGIT_BITS != 0;
    size_t n_digits = two_passes ? (size_t)1 << DIGIT_BITS : (size_t)span + 1;
    size_t *start = qc_calloc(n_digits, sizeof *start);
    pair_columns out = {a, b_out, count_out}, scratch = {NULL, NULL, NULL};
    /* two passes: by the low digit into scratch, then by the high into out */
    pair_columns by_low = out;
    if (start == NULL) {
        status = QC_ENOMEM;
        goto cleanup;
    }
    if (two_passes) {
        scratch.a = qc_malloc(kept, sizeof *scratch.a);
        scratch.b = qc_malloc(kept, sizeof *scratch.b);
        scratch.count = qc_malloc(kept, sizeof *scratch.count);
        if (scratch.a == NULL || scratch.b == NULL || scratch.count == NULL) {
            status = QC_ENOMEM;
            goto cleanup;
        }
        by_low = scratch;
    }
    const uint32_t mask = two_passes ? ((uint32_t)1 << DIGIT_BITS) - 1 : UINT32_MAX;
    for (size_t i = 0; i < n; i++) {
        if (count[i] >= min_count)
            start[below_highest(high, count[i]) & mask]++;
    }
    digit_starts(start, n_digits);
    for (size_t r = 0; r < n_rows; r++) {
        for (size_t i = (size_t)row_start[r]; i < (size_t)row_start[r + 1]; i++) {
            if (count[i] < min_count)
                continue;
            size_t to = start[below_highest(high, count[i]) & mask]++;
            by_low.a[to] = (int32_t)r;
            by_low.b[to] = b[i];
            by_low.count[to] = count[i];
        }
    }
    if (two_passes) {
        memset(start, 0, n_digits * sizeof *start);
        for (size_t i = 0; i < kept; i++)
            start[below_highest(high, scratch.count[i]) >> DIGIT_BITS]++;
        digit_starts(start, n_digits);
        for (size_t i = 0; i < kept; i++) {
            size_t to = start[below_highest(high, scratch.count[i]) >> DIGIT_BITS]++;
            out.a[to] = scratch.a[i];
            out.b[to] = scratch.b[i];
            out.count[to] = scratch.count[i];
        }
    }
cleanup:
    qc_free(start);
    qc_free(scratch.a);
    qc_free(scratch.b);
    qc_free(scratch.count);
    return status;
}
