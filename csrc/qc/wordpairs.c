/*
 * Co-word counts (qc/wordpairs.h): the pairs themselves, the batched count
 * for whole documents and for inputs the window walk does not take, and
 * the order of pairs by count. Pair occurrences are packed two ids to a
 * word and radix-sorted a batch at a time, then merged into pairs kept
 * sorted by (a, b): sorting streams memory where a hash table of millions
 * of pairs would miss the cache at every occurrence, and sorted columns
 * merge in one pass and hand over to scipy as CSR rows without a copy.
 * Windows small enough for it are walked id by id in window_walk.c, which
 * hands its rows to qc_wordpairs_merge here.
 */
#include "qc/radix.h"
#include "qc/terms_internal.h"

#include <assert.h>
#include <string.h>

/* The most a pair's count may be: INT32_MAX, or in test builds what
   qc_limit_pair_counts set (2^bits - 1, so that counts or-ed together
   pass it exactly when one does). */
#ifdef QC_ALLOC_TESTING
static QC_THREAD_LOCAL uint32_t count_max = INT32_MAX;

void qc_limit_pair_counts(unsigned bits)
{
    count_max = bits > 0 && bits < 31 ? ((uint32_t)1 << bits) - 1 : INT32_MAX;
}
#else
static const uint32_t count_max = INT32_MAX;
#endif

uint32_t qc_pair_count_max(void)
{
    return count_max;
}

qc_status qc_wordpairs_new(qc_wordpairs **out)
{
    *out = qc_calloc(1, sizeof **out);
    return *out == NULL ? QC_ENOMEM : QC_OK;
}

void qc_wordpairs_free(qc_wordpairs *p)
{
    if (p == NULL)
        return;
    qc_wordpairs_clear(p);
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

void qc_wordpairs_clear(qc_wordpairs *p)
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

qc_status qc_wordpairs_merge(qc_wordpairs *p, qc_wordpairs *add)
{
    if (p->n == 0) {
        qc_wordpairs_clear(p);
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
        qc_wordpairs_clear(&sum);
        qc_wordpairs_clear(add);
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
            qc_wordpairs_clear(&sum);
            qc_wordpairs_clear(add);
            return QC_EOVERFLOW;
        }
        sum.count[k++] = (int32_t)count;
    }
    sum.n = k;
    qc_wordpairs_clear(p);
    qc_wordpairs_clear(add);
    *p = sum;
    return QC_OK;
}

static qc_status merge_batch(qc_wordpairs *p, pair_batch *b)
{
    assert(2 * b->bits <= 64); /* ids below 2^31: two to a word */
    qc_radix_job sort = {.src = b->values, .dst = b->scratch, .count = b->count, .n_parts = 1};
    qc_radix_sort(&sort, b->n, 0, 2 * b->bits);
    b->values = sort.src;
    b->scratch = sort.dst;
    /* count the runs, then write them as columns */
    size_t runs = 0;
    for (size_t i = 0; i < b->n; i++)
        runs += i == 0 || b->values[i] != b->values[i - 1];
    qc_wordpairs add = {0};
    qc_status status = pairs_alloc(&add, runs);
    if (status != QC_OK) {
        qc_wordpairs_clear(&add);
        return status;
    }
    uint64_t low = ((uint64_t)1 << b->bits) - 1;
    size_t k = 0;
    for (size_t i = 0; i < b->n;) {
        size_t j = i + 1;
        while (j < b->n && b->values[j] == b->values[i])
            j++;
        if (j - i > count_max) {
            qc_wordpairs_clear(&add);
            return QC_EOVERFLOW;
        }
        add.a[k] = (int32_t)(b->values[i] >> b->bits);
        add.b[k] = (int32_t)(b->values[i] & low);
        add.count[k++] = (int32_t)(j - i);
        i = j;
    }
    b->n = 0;
    return qc_wordpairs_merge(p, &add);
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

/* qc_count_pairs once its arguments are checked: QC_EOVERFLOW from here is
   a count past count_max. */
static qc_status count_pairs(const int64_t *indptr, size_t n_docs,
                             const int64_t *tokens, size_t n_tokens,
                             size_t n_vocab, const uint8_t *keep, size_t window,
                             size_t n_threads, qc_wordpairs *pairs, qc_errinfo *err)
{
    if (window > 0 && qc_window_walk_fits(n_docs, n_tokens, n_vocab, window)) {
        qc_status status = qc_check_indptr(indptr, n_docs, n_tokens, "indptr", err);
        if (status == QC_OK && n_tokens > 0 && tokens == NULL)
            status = qc_fail(err, QC_EINVAL, "tokens", 0, 0, 0, "is missing");
        if (status == QC_OK)
            status = qc_count_window_pairs(indptr, n_docs, tokens, n_vocab, keep, window,
                                           n_threads > 0 ? n_threads : 1, pairs, err);
        return status;
    }
    int64_t *kind = NULL, *kept = NULL, *seen = NULL, *distinct = NULL;
    pair_batch batch = {NULL, NULL, 0, 0, qc_bit_length(n_vocab > 1 ? n_vocab - 1 : 1), NULL};
    qc_status status = qc_filter_tokens(indptr, n_docs, tokens, n_tokens, n_vocab,
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
    batch.count = qc_malloc((size_t)1 << QC_RADIX_BITS, sizeof *batch.count);
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
    assert(p->a != NULL || p->row_start != NULL); /* pairs have an a, one way or the other */
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
