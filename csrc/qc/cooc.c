/*
 * Co-occurrence and cross-tabulation (qc/cooc.h). Pairs of targets go to a
 * sink, a dense array (qc_cooc_dense) or an open-addressing table
 * (qc_cooc_sparse), so one counting serves small codebooks and sparse ones
 * with thousands of targets. Each segment's targets are gathered once,
 * deduplicated with stamps rather than sets, and neighbours are found by
 * walking segments sorted by (space, start).
 */
#include "qc/cooc.h"

#include <stdlib.h>
#include <string.h>

/* ---- where emitted pairs go: a dense array or an open-addressing table ---- */

typedef struct {
    int64_t *dense; /* n_groups x T x T, or NULL for the table */
    size_t n_targets;
    int64_t *keys;  /* (g * T + a) * T + b, or -1 for an empty slot */
    int64_t *values;
    size_t capacity; /* a power of two */
    size_t used;
} sink;

static size_t slot_of(int64_t key, size_t capacity)
{
    /* splitmix64's finaliser spreads consecutive keys over the table */
    uint64_t x = (uint64_t)key;
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return (size_t)x & (capacity - 1);
}

static qc_status table_init(sink *s, size_t capacity)
{
    s->keys = qc_malloc(capacity, sizeof *s->keys);
    s->values = qc_calloc(capacity, sizeof *s->values);
    if (s->keys == NULL || s->values == NULL) {
        qc_free(s->keys);
        qc_free(s->values);
        s->keys = s->values = NULL;
        return QC_ENOMEM;
    }
    for (size_t i = 0; i < capacity; i++)
        s->keys[i] = -1;
    s->capacity = capacity;
    s->used = 0;
    return QC_OK;
}

static qc_status table_grow(sink *s)
{
    if (s->capacity > SIZE_MAX / 4)
        return QC_EOVERFLOW;
    int64_t *old_keys = s->keys, *old_values = s->values;
    size_t old_capacity = s->capacity;
    qc_status status = table_init(s, old_capacity * 2);
    if (status != QC_OK) {
        s->keys = old_keys;
        s->values = old_values;
        s->capacity = old_capacity;
        return status;
    }
    for (size_t i = 0; i < old_capacity; i++) {
        if (old_keys[i] < 0)
            continue;
        size_t j = slot_of(old_keys[i], s->capacity);
        while (s->keys[j] >= 0)
            j = (j + 1) & (s->capacity - 1);
        s->keys[j] = old_keys[i];
        s->values[j] = old_values[i];
        s->used++;
    }
    qc_free(old_keys);
    qc_free(old_values);
    return QC_OK;
}

static qc_status sink_add(sink *s, int64_t g, int64_t a, int64_t b)
{
    size_t t = s->n_targets;
    int64_t key = ((int64_t)g * (int64_t)t + a) * (int64_t)t + b;
    if (s->dense != NULL) {
        s->dense[key]++;
        return QC_OK;
    }
    size_t j = slot_of(key, s->capacity);
    while (s->keys[j] >= 0 && s->keys[j] != key)
        j = (j + 1) & (s->capacity - 1);
    if (s->keys[j] == key) {
        s->values[j]++;
        return QC_OK;
    }
    s->keys[j] = key;
    s->values[j] = 1;
    /* keep the load at most one half so probes stay short */
    if (++s->used * 2 > s->capacity)
        return table_grow(s);
    return QC_OK;
}

/* ---- per-segment target sets ---- */

static int compare_int64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

static void sort_row(int64_t *v, size_t n)
{
    if (n > 16) {
        qsort(v, n, sizeof *v, compare_int64);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        int64_t x = v[i];
        size_t j = i;
        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

/*
 * The distinct targets of each segment, ascending, as CSR. stamp[t] holds the
 * last segment that took t. On success the caller owns *indptr_out and
 * *target_out.
 */
static qc_status segment_targets(const qc_segments *seg, const qc_dimview *map,
                                 int64_t **indptr_out, int64_t **target_out)
{
    qc_status status = QC_OK;
    int64_t *stamp = qc_malloc(map->n_targets, sizeof *stamp);
    int64_t *indptr = qc_malloc(seg->n_segments + 1, sizeof *indptr);
    int64_t *target = NULL;
    if (stamp == NULL || indptr == NULL) {
        status = QC_ENOMEM;
        goto cleanup;
    }
    for (int pass = 0; pass < 2; pass++) {
        for (size_t t = 0; t < map->n_targets; t++)
            stamp[t] = -1;
        indptr[0] = 0;
        for (size_t s = 0; s < seg->n_segments; s++) {
            int64_t n = indptr[s];
            for (int64_t k = seg->indptr[s]; k < seg->indptr[s + 1]; k++) {
                int64_t c = seg->code[k];
                for (int64_t m = map->indptr[c]; m < map->indptr[c + 1]; m++) {
                    int64_t t = map->target[m];
                    if (stamp[t] == (int64_t)s)
                        continue;
                    stamp[t] = (int64_t)s;
                    if (target != NULL)
                        target[n] = t;
                    n++;
                }
            }
            indptr[s + 1] = n;
            if (target != NULL)
                sort_row(target + indptr[s], (size_t)(n - indptr[s]));
        }
        if (pass == 0) {
            target = qc_malloc((size_t)indptr[seg->n_segments], sizeof *target);
            if (target == NULL) {
                status = QC_ENOMEM;
                goto cleanup;
            }
        }
    }
    *indptr_out = indptr;
    *target_out = target;
    indptr = NULL;
    target = NULL;
cleanup:
    qc_free(stamp);
    qc_free(indptr);
    qc_free(target);
    return status;
}

/* ---- validation ---- */

static qc_status check_segments(const qc_segments *seg, const qc_dimview *map,
                                qc_near near, int64_t window, qc_errinfo *err)
{
    if (seg == NULL)
        return qc_fail(err, QC_EINVAL, "segments", 0, 0, 0, "is missing");
    if (near != QC_NEAR_SELF && near != QC_NEAR_SPAN && near != QC_NEAR_WINDOW)
        return qc_fail(err, QC_EINVAL, "near", 0, (int64_t)near, 0,
                       "must be QC_NEAR_SELF, QC_NEAR_SPAN or QC_NEAR_WINDOW");
    if (near == QC_NEAR_WINDOW && window < 0)
        return qc_fail(err, QC_EINVAL, "window", 0, window, 0, "must be >= 0");
    qc_status status = qc_dimview_check(map, err);
    if (status != QC_OK)
        return status;
    status = qc_check_indptr(seg->indptr, seg->n_segments, seg->n_code_entries,
                             "indptr", err);
    if (status != QC_OK)
        return status;
    if (seg->n_code_entries > 0 && seg->code == NULL)
        return qc_fail(err, QC_EINVAL, "code", 0, 0, 0, "is missing");
    /* code values are checked by emit_within, the first pass over them */
    if (seg->group == NULL && seg->n_groups != 1)
        return qc_fail(err, QC_EINVAL, "n_groups", 0, (int64_t)seg->n_groups, 1,
                       "must be 1 when there is no split");
    if (seg->group != NULL) {
        for (size_t s = 0; s < seg->n_segments; s++) {
            if (seg->group[s] < -1 || seg->group[s] >= (int64_t)seg->n_groups)
                return qc_fail(err, QC_EINDEX, "group", s, seg->group[s],
                               (int64_t)seg->n_groups,
                               "must be -1 or a group index below the bound");
        }
    }
    if (near == QC_NEAR_SELF)
        return QC_OK;
    if (seg->n_segments > 0 &&
        (seg->space == NULL || seg->start == NULL ||
         (near == QC_NEAR_SPAN && seg->end == NULL)))
        return qc_fail(err, QC_EINVAL, seg->space == NULL ? "space" : seg->start == NULL ? "start" : "end",
                       0, 0, 0, "is required for spans and windows");
    for (size_t s = 0; s < seg->n_segments; s++) {
        if (near == QC_NEAR_SPAN && seg->end[s] < seg->start[s])
            return qc_fail(err, QC_EORDER, "end", s, seg->end[s], seg->start[s],
                           "a span must not end before it starts");
        if (s == 0)
            continue;
        if (seg->space[s] < seg->space[s - 1])
            return qc_fail(err, QC_EORDER, "space", s, seg->space[s],
                           seg->space[s - 1], "segments must be sorted by space");
        if (seg->space[s] == seg->space[s - 1] && seg->start[s] < seg->start[s - 1])
            return qc_fail(err, QC_EORDER, "start", s, seg->start[s],
                           seg->start[s - 1],
                           "segments must be sorted by start within a space");
    }
    return QC_OK;
}

/* ---- the count ---- */

/* Pairs across two neighbouring segments s and t: each unordered pair of
   distinct targets once, whichever of the two segments carries which. */
static qc_status emit_between(sink *out, int64_t g, const int64_t *ts, size_t ns,
                              const int64_t *tt, size_t nt, int64_t *in_s,
                              int64_t *in_t, int64_t pair_id)
{
    for (size_t i = 0; i < ns; i++)
        in_s[ts[i]] = pair_id;
    for (size_t j = 0; j < nt; j++)
        in_t[tt[j]] = pair_id;
    for (size_t i = 0; i < ns; i++) {
        int64_t a = ts[i];
        for (size_t j = 0; j < nt; j++) {
            int64_t b = tt[j];
            if (a == b)
                continue;
            /* {a, b} is also reached as (b, a) when b is in s and a in t:
               count it only from the ordered side a < b. */
            if (b < a && in_s[b] == pair_id && in_t[a] == pair_id)
                continue;
            qc_status status = a < b ? sink_add(out, g, a, b) : sink_add(out, g, b, a);
            if (status != QC_OK)
                return status;
        }
    }
    return QC_OK;
}

/*
 * Pairs within each segment, in one pass that also checks the codes: the
 * segment's distinct targets are gathered in a scratch row (stamp[t] == s
 * marks t as taken; at most n_targets of them), sorted, and every pair a <= b
 * (the diagonal included) is emitted.
 */
static qc_status emit_within(const qc_segments *seg, const qc_dimview *map,
                             sink *out, qc_errinfo *err)
{
    qc_status status = QC_OK;
    int64_t *row = qc_malloc(map->n_targets, sizeof *row);
    int64_t *stamp = qc_malloc(map->n_targets, sizeof *stamp);
    if (row == NULL || stamp == NULL) {
        status = QC_ENOMEM;
        goto cleanup;
    }
    for (size_t t = 0; t < map->n_targets; t++)
        stamp[t] = -1;
    const size_t n_targets = map->n_targets;
    for (size_t s = 0; s < seg->n_segments; s++) {
        int64_t g = seg->group != NULL ? seg->group[s] : 0;
        size_t n = 0;
        for (int64_t k = seg->indptr[s]; k < seg->indptr[s + 1]; k++) {
            int64_t c = seg->code[k];
            if (c < 0 || (uint64_t)c >= map->n_codes) {
                status = qc_fail(err, QC_EINDEX, "code", (size_t)k, c,
                                 (int64_t)map->n_codes,
                                 "must be a code index below the bound");
                goto cleanup;
            }
            for (int64_t m = map->indptr[c]; m < map->indptr[c + 1]; m++) {
                int64_t t = map->target[m];
                if (stamp[t] != (int64_t)s) {
                    stamp[t] = (int64_t)s;
                    row[n++] = t;
                }
            }
        }
        if (g < 0) /* left out, but its codes were checked */
            continue;
        sort_row(row, n);
        if (out->dense != NULL) {
            int64_t *cube_g = out->dense + (size_t)g * n_targets * n_targets;
            for (size_t i = 0; i < n; i++) {
                int64_t *line = cube_g + (size_t)row[i] * n_targets;
                for (size_t j = i; j < n; j++)
                    line[row[j]]++;
            }
            continue;
        }
        for (size_t i = 0; i < n; i++) {
            for (size_t j = i; j < n; j++) {
                status = sink_add(out, g, row[i], row[j]);
                if (status != QC_OK)
                    goto cleanup;
            }
        }
    }
cleanup:
    qc_free(row);
    qc_free(stamp);
    return status;
}

static qc_status cooc_run(const qc_segments *seg, const qc_dimview *map,
                          qc_near near, int64_t window, sink *out,
                          qc_errinfo *err)
{
    qc_status status = check_segments(seg, map, near, window, err);
    if (status != QC_OK)
        return status;
    status = emit_within(seg, map, out, err);
    if (status != QC_OK || near == QC_NEAR_SELF)
        return status;

    /* Sweep each space in start order, keeping the earlier segments that can
       still meet a later one. Their target sets are needed repeatedly, so
       they are expanded once. */
    int64_t *tindptr = NULL, *targets = NULL, *in_s = NULL, *in_t = NULL;
    size_t *active = NULL;
    status = segment_targets(seg, map, &tindptr, &targets);
    if (status != QC_OK)
        goto cleanup;
    active = qc_malloc(seg->n_segments, sizeof *active);
    in_s = qc_malloc(map->n_targets, sizeof *in_s);
    in_t = qc_malloc(map->n_targets, sizeof *in_t);
    if (active == NULL || in_s == NULL || in_t == NULL) {
        status = QC_ENOMEM;
        goto cleanup;
    }
    for (size_t t = 0; t < map->n_targets; t++)
        in_s[t] = in_t[t] = -1;
    int64_t pair_id = 0;
    size_t n_active = 0;
    for (size_t t = 0; t < seg->n_segments; t++) {
        if (t > 0 && seg->space[t] != seg->space[t - 1])
            n_active = 0;
        int64_t gt = seg->group != NULL ? seg->group[t] : 0;
        size_t keep = 0;
        for (size_t k = 0; k < n_active; k++) {
            size_t s = active[k];
            int meets;
            if (near == QC_NEAR_SPAN) {
                if (seg->end[s] < seg->start[t])
                    continue; /* ends before t and every later segment */
                meets = seg->end[t] <= seg->end[s] ||
                        (seg->start[t] < seg->end[s] && seg->start[t] < seg->end[t]) ||
                        seg->start[s] == seg->start[t];
            } else {
                /* starts rise within a space, so the distance is >= 0; taken
                   unsigned, it cannot overflow however far apart they are */
                if ((uint64_t)seg->start[t] - (uint64_t)seg->start[s] > (uint64_t)window)
                    continue;
                meets = 1;
            }
            active[keep++] = s;
            int64_t gs = seg->group != NULL ? seg->group[s] : 0;
            if (!meets || gt < 0 || gs != gt)
                continue;
            size_t ns = (size_t)(tindptr[s + 1] - tindptr[s]);
            size_t nt = (size_t)(tindptr[t + 1] - tindptr[t]);
            if (ns == 0 || nt == 0)
                continue;
            status = emit_between(out, gt, targets + tindptr[s], ns,
                                  targets + tindptr[t], nt, in_s, in_t,
                                  pair_id++);
            if (status != QC_OK)
                goto cleanup;
        }
        n_active = keep;
        active[n_active++] = t;
    }

cleanup:
    qc_free(tindptr);
    qc_free(targets);
    qc_free(active);
    qc_free(in_s);
    qc_free(in_t);
    return status;
}

/* n_groups * T * T as a size, or 0 with *overflow set. */
static size_t cube(size_t n_groups, size_t n_targets, int *overflow)
{
    *overflow = 0;
    if (n_targets != 0 && n_targets > SIZE_MAX / n_targets) {
        *overflow = 1;
        return 0;
    }
    size_t square = n_targets * n_targets;
    if (square != 0 && n_groups > (size_t)INT64_MAX / square) {
        *overflow = 1;
        return 0;
    }
    return n_groups * square;
}

qc_status qc_cooc_dense(const qc_segments *segments, const qc_dimview *map,
                        qc_near near, int64_t window, int64_t *counts,
                        qc_errinfo *err)
{
    if (segments == NULL || map == NULL)
        return qc_fail(err, QC_EINVAL, segments == NULL ? "segments" : "map", 0,
                       0, 0, "is missing");
    int overflow;
    size_t cells = cube(segments->n_groups, map->n_targets, &overflow);
    if (overflow)
        return qc_fail(err, QC_EOVERFLOW, "n_groups", 0,
                       (int64_t)segments->n_groups, 0,
                       "n_groups x T x T does not fit; use qc_cooc_sparse");
    if (counts == NULL && cells > 0)
        return qc_fail(err, QC_EINVAL, "counts", 0, 0, 0, "is missing");
    sink out = {counts, map->n_targets, NULL, NULL, 0, 0};
    return cooc_run(segments, map, near, window, &out, err);
}

typedef struct {
    int64_t key;
    int64_t value;
} entry;

static int compare_entry(const void *x, const void *y)
{
    int64_t a = ((const entry *)x)->key, b = ((const entry *)y)->key;
    return (a > b) - (a < b);
}

qc_status qc_cooc_sparse(const qc_segments *segments, const qc_dimview *map,
                         qc_near near, int64_t window, qc_pairs *out,
                         qc_errinfo *err)
{
    if (out == NULL)
        return qc_fail(err, QC_EINVAL, "out", 0, 0, 0, "is missing");
    memset(out, 0, sizeof *out);
    if (segments == NULL || map == NULL)
        return qc_fail(err, QC_EINVAL, segments == NULL ? "segments" : "map", 0,
                       0, 0, "is missing");
    int overflow, targets_overflow;
    cube(segments->n_groups, map->n_targets, &overflow);
    cube(1, map->n_targets, &targets_overflow);
    if (overflow)  /* named by the size that alone does not fit, if one does not */
        return qc_fail(err, QC_EOVERFLOW, targets_overflow ? "n_targets" : "n_groups", 0,
                       (int64_t)(targets_overflow ? map->n_targets : segments->n_groups), 0,
                       "n_groups x n_targets x n_targets does not fit in a 64-bit key");

    sink table = {NULL, map->n_targets, NULL, NULL, 0, 0};
    entry *entries = NULL;
    qc_status status = table_init(&table, 1024);
    if (status != QC_OK)
        return status;
    status = cooc_run(segments, map, near, window, &table, err);
    if (status != QC_OK)
        goto cleanup;

    entries = qc_malloc(table.used, sizeof *entries);
    out->group = qc_malloc(table.used, sizeof *out->group);
    out->a = qc_malloc(table.used, sizeof *out->a);
    out->b = qc_malloc(table.used, sizeof *out->b);
    out->count = qc_malloc(table.used, sizeof *out->count);
    if (entries == NULL || out->group == NULL || out->a == NULL ||
        out->b == NULL || out->count == NULL) {
        status = QC_ENOMEM;
        goto cleanup;
    }
    size_t n = 0;
    for (size_t i = 0; i < table.capacity; i++) {
        if (table.keys[i] >= 0) {
            entries[n].key = table.keys[i];
            entries[n].value = table.values[i];
            n++;
        }
    }
    qsort(entries, n, sizeof *entries, compare_entry);
    int64_t t = (int64_t)map->n_targets;
    for (size_t i = 0; i < n; i++) {
        int64_t key = entries[i].key;
        out->b[i] = key % t;
        out->a[i] = (key / t) % t;
        out->group[i] = key / t / t;
        out->count[i] = entries[i].value;
    }
    out->n = n;

cleanup:
    qc_free(table.keys);
    qc_free(table.values);
    qc_free(entries);
    if (status != QC_OK)
        qc_pairs_free(out);
    return status;
}

void qc_pairs_free(qc_pairs *pairs)
{
    if (pairs == NULL)
        return;
    qc_free(pairs->group);
    qc_free(pairs->a);
    qc_free(pairs->b);
    qc_free(pairs->count);
    memset(pairs, 0, sizeof *pairs);
}

/* ---- cross-tabulation ---- */

typedef struct {
    int64_t group;
    int64_t target;
} tagged;

static int compare_tagged(const void *x, const void *y)
{
    const tagged *a = x, *b = y;
    if (a->group != b->group)
        return (a->group > b->group) - (a->group < b->group);
    return (a->target > b->target) - (a->target < b->target);
}

/* Sorts and removes repeats; returns the new length. */
static size_t distinct(tagged *v, size_t n)
{
    if (n == 0)
        return 0;
    qsort(v, n, sizeof *v, compare_tagged);
    size_t m = 1;
    for (size_t i = 1; i < n; i++) {
        if (compare_tagged(&v[i], &v[m - 1]) != 0)
            v[m++] = v[i];
    }
    return m;
}

/* qc_dimview_check of one of qc_crosstab's two maps, the error naming the
   map as the caller does (a_indptr, b_target), not as "map_indptr". */
static qc_status check_named_map(const qc_dimview *map, const char *indptr_name,
                                 const char *target_name, qc_errinfo *err)
{
    qc_status status = qc_dimview_check(map, err);
    if (status != QC_OK && err != NULL && err->arg != NULL) {
        if (strcmp(err->arg, "map_indptr") == 0)
            err->arg = indptr_name;
        else if (strcmp(err->arg, "map_target") == 0)
            err->arg = target_name;
    }
    return status;
}

qc_status qc_crosstab(const qc_codings *codings, const qc_dimview *map_a,
                      const qc_dimview *map_b, const int64_t *item_group,
                      const int64_t *coding_group, size_t n_groups,
                      qc_unit unit, int64_t *counts, qc_errinfo *err)
{
    if (map_a == NULL || map_b == NULL)
        return qc_fail(err, QC_EINVAL, "map", 0, 0, 0, "is missing");
    qc_status status = qc_check_codings(codings, item_group, coding_group,
                                        n_groups, unit, err);
    if (status == QC_OK)
        status = check_named_map(map_a, "a_indptr", "a_target", err);
    if (status == QC_OK)
        status = check_named_map(map_b, "b_indptr", "b_target", err);
    if (status != QC_OK)
        return status;
    if (map_a->n_codes != codings->n_codes || map_b->n_codes != codings->n_codes) {
        int a = map_a->n_codes != codings->n_codes;
        return qc_fail(err, QC_EINVAL, a ? "a_indptr" : "b_indptr", 0,
                       (int64_t)(a ? map_a : map_b)->n_codes, (int64_t)codings->n_codes,
                       "this map must cover as many codes as the codings' codebook");
    }
    size_t ta = map_a->n_targets, tb = map_b->n_targets;
    if ((ta != 0 && tb > SIZE_MAX / ta) ||
        (ta * tb != 0 && n_groups > SIZE_MAX / (ta * tb)))
        return qc_fail(err, QC_EOVERFLOW, "n_groups", 0, (int64_t)n_groups, 0,
                       "n_groups x Ta x Tb does not fit in memory");
    if (counts == NULL && n_groups * ta * tb > 0)
        return qc_fail(err, QC_EINVAL, "counts", 0, 0, 0, "is missing");

    const int64_t *indptr = codings->indptr, *code = codings->code;
    for (size_t k = 0; k < codings->n_codings; k++) {
        if (code[k] < 0 || (uint64_t)code[k] >= codings->n_codes)
            return qc_fail(err, QC_EINDEX, "code", k, code[k],
                           (int64_t)codings->n_codes,
                           "must be a code index below the bound");
        if (coding_group != NULL &&
            (coding_group[k] < -1 || coding_group[k] >= (int64_t)n_groups))
            return qc_fail(err, QC_EINDEX, "coding_group", k, coding_group[k],
                           (int64_t)n_groups,
                           "must be -1 or a group index below the bound");
    }
    for (size_t i = 0; item_group != NULL && i < codings->n_items; i++) {
        if (item_group[i] < -1 || item_group[i] >= (int64_t)n_groups)
            return qc_fail(err, QC_EINDEX, "item_group", i, item_group[i],
                           (int64_t)n_groups,
                           "must be -1 or a group index below the bound");
    }

    if (unit == QC_UNIT_CODINGS) {
        for (size_t i = 0; i < codings->n_items; i++) {
            int64_t gi = item_group != NULL ? item_group[i] : 0;
            for (int64_t k = indptr[i]; k < indptr[i + 1]; k++) {
                int64_t g = coding_group != NULL ? coding_group[k] : gi;
                if (g < 0)
                    continue;
                int64_t c = code[k];
                for (int64_t x = map_a->indptr[c]; x < map_a->indptr[c + 1]; x++)
                    for (int64_t y = map_b->indptr[c]; y < map_b->indptr[c + 1]; y++)
                        counts[((size_t)g * ta + (size_t)map_a->target[x]) * tb +
                               (size_t)map_b->target[y]]++;
            }
        }
        return QC_OK;
    }

    /* Items: the distinct (group, target) pairs of each side, then their
       product within each group. Scratch is sized by the busiest item. */
    size_t most_a = 0, most_b = 0;
    for (size_t i = 0; i < codings->n_items; i++) {
        size_t na = 0, nb = 0;
        for (int64_t k = indptr[i]; k < indptr[i + 1]; k++) {
            na += (size_t)(map_a->indptr[code[k] + 1] - map_a->indptr[code[k]]);
            nb += (size_t)(map_b->indptr[code[k] + 1] - map_b->indptr[code[k]]);
        }
        most_a = na > most_a ? na : most_a;
        most_b = nb > most_b ? nb : most_b;
    }
    tagged *side_a = qc_malloc(most_a, sizeof *side_a);
    tagged *side_b = qc_malloc(most_b, sizeof *side_b);
    if (side_a == NULL || side_b == NULL) {
        status = QC_ENOMEM;
        goto cleanup;
    }
    for (size_t i = 0; i < codings->n_items; i++) {
        int64_t gi = item_group != NULL ? item_group[i] : 0;
        size_t na = 0, nb = 0;
        for (int64_t k = indptr[i]; k < indptr[i + 1]; k++) {
            int64_t g = coding_group != NULL ? coding_group[k] : gi;
            if (g < 0)
                continue;
            int64_t c = code[k];
            for (int64_t x = map_a->indptr[c]; x < map_a->indptr[c + 1]; x++)
                side_a[na++] = (tagged){g, map_a->target[x]};
            for (int64_t y = map_b->indptr[c]; y < map_b->indptr[c + 1]; y++)
                side_b[nb++] = (tagged){g, map_b->target[y]};
        }
        na = distinct(side_a, na);
        nb = distinct(side_b, nb);
        for (size_t x = 0, y0 = 0; x < na; x++) {
            while (y0 < nb && side_b[y0].group < side_a[x].group)
                y0++;
            for (size_t y = y0; y < nb && side_b[y].group == side_a[x].group; y++)
                counts[((size_t)side_a[x].group * ta + (size_t)side_a[x].target) * tb +
                       (size_t)side_b[y].target]++;
        }
    }
cleanup:
    qc_free(side_a);
    qc_free(side_b);
    return status;
}
