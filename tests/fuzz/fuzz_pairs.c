/*
 * Fuzzes pair counting in windows, in one of three modes the first byte
 * picks:
 *
 *  0. co-word pairs (qc/wordpairs.h): qc_count_pairs over a token stream
 *     with offsets, ids, n_vocab, keep mask, window (whole documents,
 *     windows from 2 up, wider than the texts) and a count limit from the
 *     input; texts may be repeated so that the walk cuts its ids into
 *     ranges, whose parts run one after another on this thread
 *     (qc_run_parts_in_turn). Then qc_wordpairs_take, qc_pairs_at_least and
 *     qc_pairs_by_count on the pairs;
 *  1. qc_pairs_by_count on rows and counts read from the input (any int32
 *     counts, so both radix routes run);
 *  2. co-occurrence of codebook targets (qc/cooc.h): qc_cooc_dense and
 *     qc_cooc_sparse over segments (codes, spaces, starts, ends, groups)
 *     within segments, overlapping spans and position windows.
 *
 * Checks beyond "no crash":
 *  - statuses: malformed input is refused (EINVAL, EINDEX, EORDER,
 *    EOVERFLOW as documented), well-formed input is not;
 *  - the pairs equal a direct count over every two positions (every two
 *    distinct ids of a document for window 0), sorted by (a, b), a < b;
 *    counting the documents in two calls into one table gives the same; a
 *    count past the limit fails with QC_EOVERFLOW exactly when the direct
 *    count passes it;
 *  - the taken rows hold the same pairs; qc_pairs_by_count lists the pairs
 *    of count >= min_count, highest count first, ties in row order then
 *    as given (a stable sort), qc_pairs_at_least of them;
 *  - dense and sparse co-occurrence equal a direct count from the
 *    definition in qc/cooc.h (the diagonal counts segments, a neighbouring
 *    pair of segments counts once per pair of targets), only cells a <= b
 *    written, the sparse triplets sorted and non-zero.
 */
#include "fuzz_common.h"
#include "qc/cooc.h"
#include "qc/parallel.h"
#include "qc/wordpairs.h"

enum {
    MAX_DOCS = 16,
    MAX_TOKENS = 4096,
    MAX_POSITIONS = 140000, /* repeated texts: just over two ranges of the walk */
    DENSE_VOCAB = 256,
    KEEP_VOCAB = 4096,
    MAX_SEGMENTS = 48,
    MAX_CODES = 16,
    MAX_GROUPS = 3
};

static int compare_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

static int compare_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

/* -- mode 0: co-word pairs ------------------------------------------------------ */

/* The direct count: sorted keys a << 32 | b, run-length counted into
   key/count; returns how many distinct pairs. */
static size_t direct_pairs(const int64_t *indptr, size_t n_docs, const int64_t *tokens,
                           const uint8_t *keep, size_t n_vocab, size_t window, uint64_t **key,
                           int64_t **count)
{
    /* few ids (repeated texts have no others): a dense table of counts,
       faster than sorting millions of keys */
    int64_t *dense = n_vocab <= DENSE_VOCAB ? fz_alloc(n_vocab * n_vocab, sizeof *dense) : NULL;
    size_t cap = 1024, n = 0;
    uint64_t *keys = fz_alloc(cap, sizeof *keys);
    int64_t *kept = fz_alloc((size_t)indptr[n_docs] + 1, sizeof *kept);
    for (size_t d = 0; d < n_docs; d++) {
        size_t m = 0;
        for (int64_t i = indptr[d]; i < indptr[d + 1]; i++)
            if (keep == NULL || keep[tokens[i]])
                kept[m++] = tokens[i];
        if (window == 0) { /* the distinct ids, each pair once */
            qsort(kept, m, sizeof *kept, compare_i64);
            size_t u = 0;
            for (size_t i = 0; i < m; i++)
                if (i == 0 || kept[i] != kept[i - 1])
                    kept[u++] = kept[i];
            m = u;
        }
        for (size_t i = 0; i < m; i++) {
            for (size_t j = i + 1; j < m && (window == 0 || j - i < window); j++) {
                if (kept[i] == kept[j])
                    continue;
                if (dense != NULL) {
                    dense[kept[i] < kept[j] ? kept[i] * (int64_t)n_vocab + kept[j]
                                            : kept[j] * (int64_t)n_vocab + kept[i]]++;
                    continue;
                }
                if (n == cap) {
                    cap *= 2;
                    keys = realloc(keys, cap * sizeof *keys);
                    FZ_CHECK(keys != NULL);
                }
                uint64_t lo = (uint64_t)(kept[i] < kept[j] ? kept[i] : kept[j]);
                uint64_t hi = (uint64_t)(kept[i] < kept[j] ? kept[j] : kept[i]);
                keys[n++] = lo << 32 | hi;
            }
        }
    }
    if (dense != NULL) {
        for (size_t a = 0; a < n_vocab; a++)
            for (size_t b = a + 1; b < n_vocab; b++)
                n += dense[a * n_vocab + b] != 0;
        *key = fz_alloc(n + 1, sizeof **key);
        *count = fz_alloc(n + 1, sizeof **count);
        n = 0;
        for (size_t a = 0; a < n_vocab; a++)
            for (size_t b = a + 1; b < n_vocab; b++)
                if (dense[a * n_vocab + b] != 0) {
                    (*key)[n] = (uint64_t)a << 32 | b;
                    (*count)[n++] = dense[a * n_vocab + b];
                }
        free(dense);
        free(keys);
        free(kept);
        return n;
    }
    qsort(keys, n, sizeof *keys, compare_u64);
    *key = fz_alloc(n + 1, sizeof **key);
    *count = fz_alloc(n + 1, sizeof **count);
    size_t distinct = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && keys[j] == keys[i])
            j++;
        (*key)[distinct] = keys[i];
        (*count)[distinct++] = (int64_t)(j - i);
        i = j;
    }
    free(keys);
    free(kept);
    return distinct;
}

/* The pairs in p equal key/count (each count times `times`). */
static void check_pairs(const qc_wordpairs *p, const uint64_t *key, const int64_t *count,
                        size_t n, int64_t times)
{
    FZ_CHECK(qc_wordpairs_count(p) == n);
    int32_t *a = fz_alloc(n + 1, sizeof *a), *b = fz_alloc(n + 1, sizeof *b);
    int32_t *c = fz_alloc(n + 1, sizeof *c);
    qc_wordpairs_export(p, a, b, c);
    for (size_t i = 0; i < n; i++) {
        FZ_CHECK(a[i] == (int32_t)(key[i] >> 32) && b[i] == (int32_t)(key[i] & 0xFFFFFFFFu));
        FZ_CHECK(c[i] == count[i] * times);
    }
    free(a);
    free(b);
    free(c);
}

/* A kept pair for the direct order: its count and its place in the rows. */
typedef struct {
    int64_t count;
    size_t at;
} ranked;

static int compare_ranked(const void *x, const void *y)
{
    const ranked *a = x, *b = y;
    if (a->count != b->count) /* highest count first */
        return a->count < b->count ? 1 : -1;
    return (a->at > b->at) - (a->at < b->at); /* then as the rows list them */
}

/* Pairs listed by count: exactly a stable sort of (row, b, count) by count,
   highest first, of those with count >= min_count. */
static void check_by_count(int armed, const int64_t *rows, size_t n_rows, const int32_t *b,
                           const int32_t *count, size_t n, int64_t min_count)
{
    ranked *want = fz_alloc(n + 1, sizeof *want);
    int32_t *row_of = fz_alloc(n + 1, sizeof *row_of);
    size_t kept = 0;
    for (size_t r = 0; r < n_rows; r++)
        for (int64_t i = rows[r]; i < rows[r + 1]; i++) {
            row_of[i] = (int32_t)r;
            if (count[i] >= min_count)
                want[kept++] = (ranked){count[i], (size_t)i};
        }
    qsort(want, kept, sizeof *want, compare_ranked);
    FZ_CHECK(qc_pairs_at_least(count, n, min_count) == kept);
    int32_t *a_out = fz_alloc(kept + 1, sizeof *a_out), *b_out = fz_alloc(kept + 1, sizeof *b_out);
    int32_t *c_out = fz_alloc(kept + 1, sizeof *c_out);
    qc_errinfo err = {0};
    qc_status status = qc_pairs_by_count(rows, n_rows, b, count, n, min_count, a_out, b_out,
                                         c_out, &err);
    FZ_CHECK_STATUS(status, FZ_ST(QC_OK) | (armed ? FZ_ST(QC_ENOMEM) : 0));
    for (size_t k = 0; status == QC_OK && k < kept; k++) {
        size_t i = want[k].at;
        FZ_CHECK(a_out[k] == row_of[i] && b_out[k] == b[i] && c_out[k] == count[i]);
    }
    free(want);
    free(row_of);
    free(a_out);
    free(b_out);
    free(c_out);
}

static void word_pairs(fz_input *in)
{
    size_t n_docs = fz_u8(in) % (MAX_DOCS + 1);
    uint8_t vocab_kind = fz_u8(in), shape = fz_u8(in), win = fz_u8(in);
    /* ids: few, up to 2^13 (the walk takes O(n_vocab) time), more than
       2^20 + 4 x tokens (the sorted batches take over), and at the 2^31
       limit */
    size_t n_vocab = vocab_kind < 200   ? (size_t)vocab_kind % 48 + 1
                     : vocab_kind < 250 ? (size_t)fz_u16(in) % 8192 + 1
                     : vocab_kind < 254 ? ((size_t)1 << 20) + 4 * MAX_TOKENS + 1 + fz_u16(in)
                                        : ((size_t)1 << 31) + fz_u8(in) % 3;
    /* windows: whole documents (0), the refused 1, 2..33, wider than any
       text (the walk's time is tokens x window), or so wide that the gaps
       between texts outweigh the tokens (the sorted batches) */
    size_t window = win < 16    ? 0
                    : win < 20  ? 1
                    : win < 240 ? 2 + win % 32
                    : win < 250 ? 256 + win % 8
                                : ((size_t)1 << 21) + win % 8;
    /* whole documents keep a table of n_vocab words (qc/wordpairs.h:
       memory O(n_vocab)): 2^31 ids would ask for 16 GiB */
    if (window == 0 && n_vocab > ((size_t)1 << 20) && n_vocab <= ((size_t)1 << 31))
        n_vocab = (size_t)1 << 20;
    size_t n_threads = fz_u8(in) % 5, half = n_docs ? fz_u8(in) % (n_docs + 1) : 0;
    unsigned limit_bits = fz_u8(in) % 40;
    size_t repeat = (shape & 0x50) == 0x50 ? 1 + fz_u16(in) % 512 : 1;
    int turns = shape & 32 ? -1 : 1;
    int64_t indptr[MAX_DOCS + 1];
    size_t n_read = fz_offsets(in, n_docs, shape & 1, 256, MAX_TOKENS, indptr);
    int64_t *read = fz_alloc(n_read + 1, sizeof *read);
    for (size_t i = 0; i < n_read; i++) {
        uint16_t v = fz_u16(in);
        /* shape bit 1: ids as read (negative, too large) */
        read[i] = shape & 2             ? (int64_t)(int16_t)v
                  : n_vocab <= 65536 ? (int64_t)(v % n_vocab)
                                     : (int64_t)((size_t)v * (n_vocab / 65536)); /* spread out */
    }
    uint8_t *keep = NULL;
    if ((shape & 4) && n_vocab <= KEEP_VOCAB) {
        keep = fz_alloc(n_vocab, 1);
        for (size_t t = 0; t < n_vocab; t++)
            keep[t] = (uint8_t)(t % 4 == 0 ? fz_u8(in) & 1 : 1);
    }
    uint8_t rows_extra = fz_u8(in), min_count = fz_u8(in), alloc_spec = fz_u8(in);

    /* each document repeated: many positions from a short input, only with
       valid offsets, few ids (the direct count then stays small), narrow
       windows (the walk takes positions x window) and parts to cut */
    int valid_offsets = indptr[0] == 0 && indptr[n_docs] == (int64_t)n_read;
    for (size_t d = 0; d < n_docs; d++)
        valid_offsets &= indptr[d + 1] >= indptr[d];
    if (!valid_offsets || n_vocab > DENSE_VOCAB || window > 5 || n_threads < 2)
        repeat = 1;
    if (n_read * repeat > MAX_POSITIONS)
        repeat = MAX_POSITIONS / (n_read + 1) + 1;
    size_t n_tokens = repeat > 1 ? n_read * repeat : n_read;
    int64_t *tokens = read;
    if (repeat > 1) {
        tokens = fz_alloc(n_tokens + 1, sizeof *tokens);
        size_t at = 0;
        int64_t start = 0;
        for (size_t d = 0; d < n_docs; d++) {
            size_t len = (size_t)(indptr[d + 1] - start);
            for (size_t r = 0; r < repeat; r++)
                for (size_t i = 0; i < len; i++)
                    tokens[at++] = read[start + (int64_t)i];
            start = indptr[d + 1];
            indptr[d + 1] = (int64_t)at;
        }
    }

    int valid = valid_offsets && window != 1 && n_vocab <= ((size_t)1 << 31);
    for (size_t i = 0; valid && i < n_tokens; i++)
        valid = tokens[i] >= 0 && (uint64_t)tokens[i] < n_vocab;

    uint64_t *key = NULL;
    int64_t *count = NULL;
    size_t n_pairs = 0;
    int64_t most = 0;
    if (valid) {
        n_pairs = direct_pairs(indptr, n_docs, tokens, keep, n_vocab, window, &key, &count);
        for (size_t i = 0; i < n_pairs; i++)
            most = count[i] > most ? count[i] : most;
    }
    int64_t limit = limit_bits == 0 || limit_bits >= 31 ? INT32_MAX
                                                        : ((int64_t)1 << limit_bits) - 1;

    int armed = fz_arm_alloc_failure(alloc_spec);
    qc_wordpairs *whole = NULL, *halves = NULL;
    qc_status status = qc_wordpairs_new(&whole);
    if (status == QC_OK)
        status = qc_wordpairs_new(&halves);
    FZ_CHECK_STATUS(status, FZ_ST(QC_OK) | (armed ? FZ_ST(QC_ENOMEM) : 0));
    if (status == QC_OK) {
        qc_errinfo err = {0};
        if (n_threads > 1)
            qc_run_parts_in_turn(turns);
        qc_limit_pair_counts(limit_bits);
        status = qc_count_pairs(indptr, n_docs, tokens, n_tokens, n_vocab, keep, window,
                                n_threads, whole, &err);
        qc_limit_pair_counts(0);
        if (!valid) {
            FZ_CHECK(status != QC_OK);
            FZ_CHECK_STATUS(status, FZ_ST(QC_EINVAL) | FZ_ST(QC_EINDEX) | FZ_ST(QC_EORDER) |
                                        FZ_ST(QC_EOVERFLOW) | (armed ? FZ_ST(QC_ENOMEM) : 0));
        } else if (!(armed && status == QC_ENOMEM)) {
            /* past the limit exactly when the direct count is */
            FZ_CHECK(status == (most > limit ? QC_EOVERFLOW : QC_OK));
            if (status == QC_EOVERFLOW)
                FZ_CHECK(strcmp(err.arg, "window") == 0);
        }
        if (status == QC_OK) {
            check_pairs(whole, key, count, n_pairs, 1);
            /* in two calls into one table: the same pairs (not for many
               ids: each call is O(n_vocab)) */
            int64_t second[MAX_DOCS + 1];
            for (size_t d = half; d <= n_docs; d++)
                second[d - half] = indptr[d] - indptr[half];
            if (n_vocab <= KEEP_VOCAB) {
                status = qc_count_pairs(indptr, half, tokens, (size_t)indptr[half], n_vocab,
                                        keep, window, n_threads, halves, &err);
                if (status == QC_OK)
                    status = qc_count_pairs(second, n_docs - half, tokens + indptr[half],
                                            n_tokens - (size_t)indptr[half], n_vocab, keep,
                                            window, n_threads, halves, &err);
                FZ_CHECK_STATUS(status, FZ_ST(QC_OK) | (armed ? FZ_ST(QC_ENOMEM) : 0));
                if (status == QC_OK)
                    check_pairs(halves, key, count, n_pairs, 1);
            }

            /* taken as rows: n_rows must pass every a (one row per id: not
               for ids spread up to 2^31) */
            size_t top = n_pairs ? (size_t)(key[n_pairs - 1] >> 32) + 1 : 0;
            if (top > ((size_t)1 << 20))
                goto done;
            size_t n_rows = top + rows_extra % 3 - (top > 0 && rows_extra % 4 == 3);
            int64_t *rows = NULL;
            int32_t *b = NULL, *c = NULL;
            size_t skip = 0;
            status = qc_wordpairs_take(whole, n_rows, &rows, &b, &c, &skip);
            if (n_rows < top) {
                FZ_CHECK(status == QC_EINVAL || (armed && status == QC_ENOMEM));
            } else {
                FZ_CHECK_STATUS(status, FZ_ST(QC_OK) | (armed ? FZ_ST(QC_ENOMEM) : 0));
            }
            if (status == QC_OK) {
                FZ_CHECK(qc_wordpairs_count(whole) == 0 && rows[0] == 0 &&
                         rows[n_rows] == (int64_t)n_pairs);
                for (size_t r = 0; r < n_rows; r++)
                    for (int64_t i = rows[r]; i < rows[r + 1]; i++) {
                        FZ_CHECK((uint64_t)r == key[i] >> 32);
                        FZ_CHECK(b[skip + (size_t)i] == (int32_t)(key[i] & 0xFFFFFFFFu));
                        FZ_CHECK(c[skip + (size_t)i] == count[i]);
                    }
                check_by_count(armed, rows, n_rows, b + skip, c + skip, n_pairs,
                               (int64_t)min_count - 8);
            }
            qc_free(rows);
            qc_free(b);
            qc_free(c);
        }
    done:
        qc_run_parts_in_turn(0);
    }
    fz_disarm_alloc_failure();
    qc_wordpairs_free(whole);
    qc_wordpairs_free(halves);
    free(key);
    free(count);
    free(keep);
    if (tokens != read)
        free(tokens);
    free(read);
}

/* -- mode 1: qc_pairs_by_count on rows read from the input ------------------------- */

static void by_count(fz_input *in)
{
    size_t n_rows = fz_u8(in) % 24;
    uint8_t shape = fz_u8(in), alloc_spec = fz_u8(in);
    int64_t min_count = (int32_t)fz_u32(in);
    if (shape & 1)
        min_count = (int64_t)(int8_t)fz_u8(in);
    else if (shape & 2)
        min_count = shape & 4 ? INT64_MIN : INT64_MAX;
    int64_t *rows = fz_alloc(n_rows + 1, sizeof *rows);
    rows[0] = shape & 8 ? (int8_t)fz_u8(in) : 0;
    for (size_t r = 0; r < n_rows; r++)
        rows[r + 1] = rows[r] + (shape & 8 ? (int8_t)fz_u8(in) : fz_u8(in) % 16);
    size_t n = rows[n_rows] > 0 ? (size_t)rows[n_rows] : 0;
    if (shape & 16 && n > 0)
        n--; /* the last offset then differs from the number of pairs */
    int32_t *b = fz_alloc(n + 1, sizeof *b), *count = fz_alloc(n + 1, sizeof *count);
    for (size_t i = 0; i < n; i++) {
        b[i] = (int32_t)fz_u16(in);
        /* narrow counts (one radix pass) or any int32 (two) */
        count[i] = shape & 32 ? (int32_t)fz_u32(in) : (int32_t)(fz_u8(in) % 8);
    }
    int valid = rows[0] == 0 && rows[n_rows] == (int64_t)n;
    for (size_t r = 0; r < n_rows; r++)
        valid &= rows[r + 1] >= rows[r];
    int armed = fz_arm_alloc_failure(alloc_spec);
    if (valid) {
        check_by_count(armed, rows, n_rows, b, count, n, min_count);
    } else {
        size_t kept = qc_pairs_at_least(count, n, min_count);
        int32_t *out = fz_alloc(3 * (kept + 1), sizeof *out);
        qc_errinfo err = {0};
        qc_status status = qc_pairs_by_count(rows, n_rows, b, count, n, min_count, out,
                                             out + kept + 1, out + 2 * (kept + 1), &err);
        FZ_CHECK(status == QC_EINVAL || status == QC_EORDER);
        FZ_CHECK(strcmp(err.arg, "row_start") == 0);
        free(out);
    }
    fz_disarm_alloc_failure();
    free(rows);
    free(b);
    free(count);
}

/* -- mode 2: co-occurrence of targets ------------------------------------------------ */

typedef struct {
    size_t n_codes, n_targets, n_groups, n_segments;
    int64_t map_indptr[MAX_CODES + 1], map_target[MAX_CODES * MAX_CODES];
    int64_t indptr[MAX_SEGMENTS + 1], code[MAX_SEGMENTS * 4];
    int64_t space[MAX_SEGMENTS], start[MAX_SEGMENTS], end[MAX_SEGMENTS], group[MAX_SEGMENTS];
} cooc_input;

/* The targets segment s reaches, as a bit set. */
static uint32_t targets_of(const cooc_input *c, size_t s)
{
    uint32_t set = 0;
    for (int64_t k = c->indptr[s]; k < c->indptr[s + 1]; k++)
        for (int64_t e = c->map_indptr[c->code[k]]; e < c->map_indptr[c->code[k] + 1]; e++)
            set |= 1u << c->map_target[e];
    return set;
}

/* Whether segments s and t are neighbours, as qc/cooc.h defines them. */
static int neighbours(const cooc_input *c, size_t s, size_t t, qc_near near, int64_t window)
{
    if (near == QC_NEAR_SELF || c->space[s] != c->space[t])
        return 0;
    int64_t a = c->start[s], b = c->start[t];
    if (near == QC_NEAR_WINDOW)
        return (a < b ? (uint64_t)b - (uint64_t)a : (uint64_t)a - (uint64_t)b) <= (uint64_t)window;
    int64_t ae = c->end[s], be = c->end[t];
    int64_t lo = a > b ? a : b, hi = ae < be ? ae : be;
    return lo < hi || (b <= a && ae <= be) || (a <= b && be <= ae);
}

/* The direct count into counts (n_groups x T x T, zeroed), upper cells. */
static void direct_cooc(const cooc_input *c, const int64_t *group, qc_near near, int64_t window,
                        int64_t *counts)
{
    size_t T = c->n_targets;
    for (size_t s = 0; s < c->n_segments; s++) {
        int64_t g = group ? group[s] : 0;
        if (g < 0)
            continue;
        uint32_t ts = targets_of(c, s);
        int64_t *cell = counts + (size_t)g * T * T;
        for (size_t x = 0; x < T; x++)
            for (size_t y = x; y < T; y++)
                if ((ts >> x & 1) && (ts >> y & 1))
                    cell[x * T + y]++;
        for (size_t t = s + 1; t < c->n_segments; t++) {
            if ((group ? group[t] : 0) != g || !neighbours(c, s, t, near, window))
                continue;
            uint32_t tt = targets_of(c, t);
            for (size_t x = 0; x < T; x++)
                for (size_t y = x + 1; y < T; y++)
                    if (((ts >> x & 1) && (tt >> y & 1)) || ((ts >> y & 1) && (tt >> x & 1)))
                        cell[x * T + y]++;
        }
    }
}

static void cooc(fz_input *in)
{
    cooc_input c;
    memset(&c, 0, sizeof c);
    uint8_t shape = fz_u8(in), near_byte = fz_u8(in), alloc_spec = fz_u8(in);
    c.n_codes = 1 + fz_u8(in) % MAX_CODES;
    c.n_targets = 1 + fz_u8(in) % MAX_CODES;
    c.n_groups = 1 + fz_u8(in) % MAX_GROUPS;
    c.n_segments = fz_u8(in) % (MAX_SEGMENTS + 1);
    qc_near near = (qc_near)(near_byte % 4); /* 3 is no qc_near */
    int64_t window = shape & 1 ? (int64_t)fz_u64(in) : (int64_t)(fz_u8(in) % 8);
    /* each code reaches the targets of a bit set (ascending, distinct) */
    for (size_t k = 0; k < c.n_codes; k++) {
        uint32_t set = fz_u16(in) & ((1u << c.n_targets) - 1);
        c.map_indptr[k + 1] = c.map_indptr[k];
        for (size_t t = 0; t < c.n_targets; t++)
            if (set >> t & 1)
                c.map_target[c.map_indptr[k + 1]++] = (int64_t)t;
    }
    int bad_code = 0, bad_group = 0;
    for (size_t s = 0; s < c.n_segments; s++) {
        size_t n = fz_u8(in) % 4;
        c.indptr[s + 1] = c.indptr[s] + (int64_t)n;
        for (size_t k = 0; k < n; k++) {
            uint8_t v = fz_u8(in);
            /* shape bit 1: codes may be out of range */
            int64_t code = shape & 2 ? (int64_t)(int8_t)v % (int64_t)(c.n_codes + 2)
                                     : (int64_t)(v % c.n_codes);
            bad_code |= code < 0 || (size_t)code >= c.n_codes;
            c.code[c.indptr[s] + (int64_t)k] = code;
        }
        c.space[s] = fz_u8(in) % 3;
        /* shape bit 2: starts anywhere in int64 (2^63 apart and more) */
        c.start[s] = shape & 4 ? (int64_t)fz_u64(in) : (int64_t)(int8_t)fz_u8(in);
        uint8_t len = fz_u8(in) % 8;
        c.end[s] = c.start[s] > INT64_MAX - len ? c.start[s] : c.start[s] + len;
        if (shape & 8) /* an end before the start, sometimes */
            c.end[s] -= fz_u8(in) % 2 && c.start[s] > INT64_MIN ? 1 + (c.end[s] - c.start[s]) : 0;
        c.group[s] = (int64_t)(fz_u8(in) % (c.n_groups + 2)) - 1;
        bad_group |= c.group[s] >= (int64_t)c.n_groups;
    }
    /* sorted by (space, start), unless shape bit 4 keeps the order read */
    if (!(shape & 16)) {
        for (size_t s = 1; s < c.n_segments; s++)
            for (size_t t = s; t > 0 && (c.space[t - 1] > c.space[t] ||
                                         (c.space[t - 1] == c.space[t] && c.start[t - 1] > c.start[t]));
                 t--) {
                /* move whole segments: their codes go with them */
                int64_t tmp;
                tmp = c.space[t], c.space[t] = c.space[t - 1], c.space[t - 1] = tmp;
                tmp = c.start[t], c.start[t] = c.start[t - 1], c.start[t - 1] = tmp;
                tmp = c.end[t], c.end[t] = c.end[t - 1], c.end[t - 1] = tmp;
                tmp = c.group[t], c.group[t] = c.group[t - 1], c.group[t - 1] = tmp;
                int64_t codes[8], a0 = c.indptr[t - 1], a1 = c.indptr[t], a2 = c.indptr[t + 1];
                size_t n0 = (size_t)(a1 - a0), n1 = (size_t)(a2 - a1);
                memcpy(codes, c.code + a1, n1 * sizeof *codes);
                memcpy(codes + n1, c.code + a0, n0 * sizeof *codes);
                memcpy(c.code + a0, codes, (n0 + n1) * sizeof *codes);
                c.indptr[t] = a0 + (int64_t)n1;
            }
    }
    const int64_t *group = shape & 32 ? c.group : NULL;
    size_t n_groups = group ? c.n_groups : 1;
    if (!group)
        bad_group = 0;

    int sorted = 1, ends_ok = 1;
    for (size_t s = 0; s < c.n_segments; s++) {
        ends_ok &= c.end[s] >= c.start[s];
        if (s > 0)
            sorted &= c.space[s - 1] < c.space[s] ||
                      (c.space[s - 1] == c.space[s] && c.start[s - 1] <= c.start[s]);
    }
    int valid = near != 3 && !(near == QC_NEAR_WINDOW && window < 0) && !bad_code && !bad_group &&
                (near == QC_NEAR_SELF || (sorted && (near != QC_NEAR_SPAN || ends_ok)));

    qc_dimview map = {c.n_codes, c.n_targets, c.map_indptr, c.map_target,
                      (size_t)c.map_indptr[c.n_codes]};
    qc_segments segs = {c.n_segments, c.indptr, c.code, (size_t)c.indptr[c.n_segments],
                        c.space, c.start, c.end, group, n_groups};
    size_t cells = n_groups * c.n_targets * c.n_targets;
    int64_t *dense = fz_alloc(cells, sizeof *dense), *want = fz_alloc(cells, sizeof *want);
    if (valid)
        direct_cooc(&c, group, near, window, want);

    int armed = fz_arm_alloc_failure(alloc_spec);
    qc_errinfo err = {0};
    qc_status status = qc_cooc_dense(&segs, &map, near, window, dense, &err);
    if (!valid) {
        FZ_CHECK(status == QC_EINVAL || status == QC_EINDEX || status == QC_EORDER ||
                 (armed && status == QC_ENOMEM));
    } else {
        FZ_CHECK_STATUS(status, FZ_ST(QC_OK) | (armed ? FZ_ST(QC_ENOMEM) : 0));
    }
    if (status == QC_OK)
        for (size_t i = 0; i < cells; i++)
            if (dense[i] != want[i]) {
                size_t T = c.n_targets;
                fprintf(stderr, "group %zu cell (%zu, %zu): got %lld, want %lld\n", i / (T * T),
                        i / T % T, i % T, (long long)dense[i], (long long)want[i]);
                FZ_CHECK(!"dense co-occurrence differs from the direct count");
            }

    qc_pairs pairs;
    status = qc_cooc_sparse(&segs, &map, near, window, &pairs, &err);
    if (!valid) {
        FZ_CHECK(status == QC_EINVAL || status == QC_EINDEX || status == QC_EORDER ||
                 (armed && status == QC_ENOMEM));
    } else {
        FZ_CHECK_STATUS(status, FZ_ST(QC_OK) | (armed ? FZ_ST(QC_ENOMEM) : 0));
    }
    if (status == QC_OK) {
        size_t nonzero = 0, T = c.n_targets;
        for (size_t i = 0; i < cells; i++)
            nonzero += want[i] != 0;
        FZ_CHECK(pairs.n == nonzero);
        for (size_t k = 0; k < pairs.n; k++) {
            int64_t g = pairs.group[k], a = pairs.a[k], b = pairs.b[k];
            FZ_CHECK(g >= 0 && (size_t)g < n_groups && a >= 0 && a <= b && (size_t)b < T);
            FZ_CHECK(pairs.count[k] == want[((size_t)g * T + (size_t)a) * T + (size_t)b]);
            if (k > 0) {
                int64_t pg = pairs.group[k - 1], pa = pairs.a[k - 1], pb = pairs.b[k - 1];
                FZ_CHECK(pg < g || (pg == g && (pa < a || (pa == a && pb < b))));
            }
        }
    } else {
        FZ_CHECK(pairs.n == 0 && pairs.count == NULL);
    }
    qc_pairs_free(&pairs);
    fz_disarm_alloc_failure();
    free(dense);
    free(want);
}

int LLVMFuzzerTestOneInput(const uint8_t *input, size_t size)
{
    if (size > FZ_MAX_INPUT)
        return 0;
    fz_input in = {input, size};
    switch (fz_u8(&in) % 3) {
    case 0:
        word_pairs(&in);
        break;
    case 1:
        by_count(&in);
        break;
    default:
        cooc(&in);
        break;
    }
    return 0;
}
