/*
 * Inter-coder agreement (qc/agree.h): one pass tallies all a coefficient
 * needs, so tallies of disjoint units add up before any is computed; then
 * the coefficients and the bootstraps, whose generator is seeded per call
 * (reproducible replicates, no shared state).
 */
#include "qc/agree.h"
#include "qc/keyset.h"
#include "qc/rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- encoding numbers ---- */

/* Categories are doubles told apart by their bits (0.0 and -0.0 as one),
   numbered in the order first seen by a qc_keyset. */
static uint64_t double_key(double x)
{
    uint64_t bits;
    if (x == 0)
        x = 0; /* -0.0 and 0.0 are one value */
    memcpy(&bits, &x, sizeof bits);
    return bits;
}

static double key_double(uint64_t key)
{
    double x;
    memcpy(&x, &key, sizeof x);
    return x;
}

/* The number of category x, added when new; -1 when it cannot be added. */
static int64_t category_of(qc_keyset *set, double x)
{
    size_t index;
    return qc_keyset_add(set, double_key(x), &index) == QC_OK ? (int64_t)index : -1;
}

static int compare_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

qc_status qc_agree_encode(const double *values, size_t n_coders,
                          size_t n_units, int64_t *codes, double **categories,
                          size_t *n_cats, qc_errinfo *err)
{
    *categories = NULL;
    *n_cats = 0;
    if (n_coders != 0 && n_units > SIZE_MAX / n_coders)
        return qc_fail(err, QC_EOVERFLOW, "n_units", 0, (int64_t)n_units, 0,
                       "n_units x n_coders does not fit");
    size_t n = n_units * n_coders;
    if (n > 0 && (values == NULL || codes == NULL))
        return qc_fail(err, QC_EINVAL, values == NULL ? "values" : "codes", 0, 0,
                       0, "is missing");
    qc_keyset set;
    double *sorted = NULL;
    int64_t *rank = NULL;
    /* Ratings are mostly small whole numbers: those find their code by direct
       lookup, everything else through the hash set. */
    enum { SMALL = 1024 };
    int64_t small[SMALL];
    for (size_t i = 0; i < SMALL; i++)
        small[i] = -1;
    qc_status status = qc_keyset_init(&set, 64);
    if (status != QC_OK)
        return status;
    for (size_t g = 0; g < n_coders; g++) {
        for (size_t u = 0; u < n_units; u++) {
            double x = values[g * n_units + u];
            int64_t code = -1;
            if (x >= 0 && x < SMALL && x == (double)(size_t)x) {
                size_t slot = (size_t)x;
                code = small[slot];
                if (code < 0 && (code = small[slot] = category_of(&set, x)) < 0) {
                    status = QC_ENOMEM;
                    goto cleanup;
                }
            } else if (isinf(x)) {
                status = qc_fail_float(err, QC_EINVAL, "values", g * n_units + u, x, 0,
                                       "must be finite (NaN marks a missing rating)");
                goto cleanup;
            } else if (!isnan(x) && (code = category_of(&set, x)) < 0) {
                status = QC_ENOMEM;
                goto cleanup;
            }
            codes[u * n_coders + g] = code;
        }
    }
    /* first-seen order to ascending order */
    sorted = qc_malloc(set.n, sizeof *sorted);
    rank = qc_malloc(set.n, sizeof *rank);
    if (sorted == NULL || rank == NULL) {
        status = QC_ENOMEM;
        goto cleanup;
    }
    for (size_t i = 0; i < set.n; i++)
        sorted[i] = key_double(set.keys[i]);
    qsort(sorted, set.n, sizeof *sorted, compare_double);
    for (size_t i = 0; i < set.n; i++) {
        size_t lo = 0, hi = set.n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (sorted[mid] < key_double(set.keys[i]))
                lo = mid + 1;
            else
                hi = mid;
        }
        rank[i] = (int64_t)lo;
    }
    for (size_t i = 0; i < n; i++)
        if (codes[i] >= 0)
            codes[i] = rank[codes[i]];
    *categories = sorted;
    *n_cats = set.n;
    sorted = NULL;
cleanup:
    qc_keyset_free(&set);
    qc_free(rank);
    qc_free(sorted);
    return status;
}

/* ---- tally ---- */

qc_status qc_agree_tally_new(size_t n_coders, size_t n_cats,
                             qc_agree_tally *tally)
{
    memset(tally, 0, sizeof *tally);
    tally->parts = QC_TALLY_ALL;
    if (n_cats != 0 && n_cats > SIZE_MAX / n_cats)
        return QC_EOVERFLOW;
    tally->share = qc_calloc(n_cats, sizeof(double));
    tally->coincidence = qc_calloc(n_cats * n_cats, sizeof(double));
    tally->coder_counts = qc_calloc(n_coders, n_cats * sizeof(double));
    tally->coder_units = qc_calloc(n_coders, sizeof(double));
    if (tally->share == NULL || tally->coincidence == NULL ||
        tally->coder_counts == NULL || tally->coder_units == NULL) {
        qc_agree_tally_free(tally);
        return QC_ENOMEM;
    }
    return QC_OK;
}

void qc_agree_tally_free(qc_agree_tally *tally)
{
    if (tally == NULL)
        return;
    qc_free(tally->share);
    qc_free(tally->coincidence);
    qc_free(tally->coder_counts);
    qc_free(tally->coder_units);
    memset(tally, 0, sizeof *tally);
}

static void tally_clear(qc_agree_tally *t, size_t n_coders, size_t n_cats)
{
    /* every array is cleared: parts only says which ones a pass fills */
    t->rated_units = t->paired_units = t->pairs = t->agreement = 0;
    memset(t->share, 0, n_cats * sizeof(double));
    memset(t->coincidence, 0, n_cats * n_cats * sizeof(double));
    memset(t->coder_counts, 0, n_coders * n_cats * sizeof(double));
    memset(t->coder_units, 0, n_coders * sizeof(double));
}

static qc_status check_ratings(const qc_ratings *r, qc_errinfo *err)
{
    if (r == NULL)
        return qc_fail(err, QC_EINVAL, "ratings", 0, 0, 0, "is missing");
    if (r->n_cats == 0)
        return qc_fail(err, QC_EINVAL, "n_cats", 0, 0, 0,
                       "there must be at least one category");
    if (r->n_coders != 0 && r->n_units > SIZE_MAX / r->n_coders)
        return qc_fail(err, QC_EOVERFLOW, "n_units", 0, (int64_t)r->n_units, 0,
                       "n_units x n_coders does not fit");
    if (r->n_units * r->n_coders > 0 && r->value == NULL)
        return qc_fail(err, QC_EINVAL, "values", 0, 0, 0, "is missing");
    return QC_OK;
}

static qc_status bad_value(const qc_ratings *r, size_t i, qc_errinfo *err)
{
    return qc_fail(err, QC_EINDEX, "values", i, r->value[i], (int64_t)r->n_cats,
                   "must be -1 (missing) or a category index below the bound");
}

/* An agreement-weight matrix (NULL: identity) holds finite numbers. */
static qc_status check_weights(const double *weights, size_t k_cats,
                               qc_errinfo *err)
{
    for (size_t i = 0; weights != NULL && i < k_cats * k_cats; i++) {
        if (!isfinite(weights[i]))
            return qc_fail_float(err, QC_EINVAL, "weights", i, weights[i], 0,
                                 "must be finite; index is row * n_cats + column");
    }
    return QC_OK;
}

/* Few categories, no weights, no optional parts: what kappa-type
   coefficients read. Units are summed in integers per number of ratings m:
   by_m[m][k] adds the units' r_uk and pairs_m[m] their sum_k r_uk (r_uk - 1);
   the divisions by m and m (m - 1) happen once per m at the end. */
enum { FAST_CATS = 32 };

typedef struct {
    int64_t *by_m, *pairs_m, *units_m;
} unit_sums;

static void add_unit(unit_sums *s, const int64_t *count, size_t k_cats, size_t m,
                     int64_t mult)
{
    int64_t *line = s->by_m + m * FAST_CATS, agreeing = 0;
    for (size_t k = 0; k < k_cats; k++) {
        line[k] += mult * count[k];
        agreeing += count[k] * (count[k] - 1);
    }
    s->pairs_m[m] += mult * agreeing;
    s->units_m[m] += mult;
}

/* Distinct count vectors packed one category per byte (0 marks an empty
   slot: a unit without ratings adds nothing), with their units. */
typedef struct {
    uint64_t *key;
    int64_t *units;
    size_t capacity, n;
} pattern_table;

static size_t pattern_slot(const pattern_table *p, uint64_t key)
{
    size_t mask = p->capacity - 1, j = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 20) & mask;
    while (p->key[j] != 0 && p->key[j] != key)
        j = (j + 1) & mask;
    return j;
}

static qc_status pattern_table_init(pattern_table *p, size_t capacity)
{
    p->key = qc_calloc(capacity, sizeof *p->key);
    p->units = qc_calloc(capacity, sizeof *p->units);
    p->capacity = capacity;
    p->n = 0;
    if (p->key == NULL || p->units == NULL) {
        qc_free(p->key);
        qc_free(p->units);
        p->key = NULL;
        p->units = NULL;
        return QC_ENOMEM;
    }
    return QC_OK;
}

static qc_status pattern_add(pattern_table *p, uint64_t key, int64_t units)
{
    size_t j = pattern_slot(p, key);
    if (p->key[j] == 0) {
        if (2 * (p->n + 1) > p->capacity) {
            pattern_table bigger;
            if (pattern_table_init(&bigger, 2 * p->capacity) != QC_OK)
                return QC_ENOMEM;
            for (size_t i = 0; i < p->capacity; i++) {
                if (p->key[i] != 0) {
                    size_t t = pattern_slot(&bigger, p->key[i]);
                    bigger.key[t] = p->key[i];
                    bigger.units[t] = p->units[i];
                }
            }
            bigger.n = p->n;
            qc_free(p->key);
            qc_free(p->units);
            *p = bigger;
            j = pattern_slot(p, key);
        }
        p->key[j] = key;
        p->n++;
    }
    p->units[j] += units;
    return QC_OK;
}

/* With at most 8 categories and 255 coders a unit's counts fit as bytes of
   one word (each rating adds 1 << 8k: no branch per rating), and units
   repeat few count vectors, so they are tallied once per distinct vector. */
static qc_status tally_packed(const qc_ratings *r, const int64_t *multiplicity,
                              unit_sums *s, qc_errinfo *err)
{
    const size_t k_cats = r->n_cats, n_coders = r->n_coders;
    pattern_table table;
    if (pattern_table_init(&table, 256) != QC_OK)
        return QC_ENOMEM;
    qc_status status = QC_OK;
    for (size_t u = 0; u < r->n_units; u++) {
        const int64_t *row = r->value + u * n_coders;
        uint64_t fields = 0, bad = 0;
        for (size_t g = 0; g < n_coders; g++) {
            int64_t v = row[g];
            uint64_t valid = (uint64_t)(v + 1) <= k_cats;
            bad |= !valid;
            fields += (uint64_t)(valid & (v >= 0)) << (8 * (v & 7));
        }
        if (bad) {
            for (size_t g = 0;; g++) {
                if (row[g] < -1 || row[g] >= (int64_t)k_cats) {
                    status = bad_value(r, u * n_coders + g, err);
                    goto cleanup;
                }
            }
        }
        if (fields != 0 &&
            (status = pattern_add(&table, fields, multiplicity ? multiplicity[u] : 1)) != QC_OK)
            goto cleanup;
    }
    for (size_t j = 0; j < table.capacity; j++) {
        uint64_t fields = table.key[j];
        if (fields == 0)
            continue;
        int64_t count[8];
        for (size_t k = 0; k < k_cats; k++)
            count[k] = (int64_t)(fields >> (8 * k) & 0xFF);
        size_t m = (size_t)((fields * 0x0101010101010101ull) >> 56);
        add_unit(s, count, k_cats, m, table.units[j]);
    }
cleanup:
    qc_free(table.key);
    qc_free(table.units);
    return status;
}

static qc_status tally_scattered(const qc_ratings *r, const int64_t *multiplicity,
                                 unit_sums *s, qc_errinfo *err)
{
    const size_t k_cats = r->n_cats, n_coders = r->n_coders;
    for (size_t u = 0; u < r->n_units; u++) {
        const int64_t *row = r->value + u * n_coders;
        int64_t count[FAST_CATS] = {0};
        size_t m = 0;
        for (size_t g = 0; g < n_coders; g++) {
            int64_t v = row[g];
            if (v < -1 || v >= (int64_t)k_cats)
                return bad_value(r, u * n_coders + g, err);
            if (v >= 0) {
                count[v]++;
                m++;
            }
        }
        add_unit(s, count, k_cats, m, multiplicity != NULL ? multiplicity[u] : 1);
    }
    return QC_OK;
}

/* Whether the fast tally's integer sums cannot overflow: each unit adds at
   most n_coders^2 pairs, times its multiplicity. Multiplicities that large
   (a caller's, not a bootstrap's) take the tally in doubles instead. */
static int sums_fit_int64(const qc_ratings *r, const int64_t *multiplicity)
{
    const uint64_t coders = r->n_coders > 0 ? r->n_coders : 1;
    if (coders > UINT32_MAX)
        return 0;
    const uint64_t limit = (uint64_t)INT64_MAX / (coders * coders);
    uint64_t total = 0;
    for (size_t u = 0; u < r->n_units; u++) {
        total += multiplicity != NULL ? (uint64_t)multiplicity[u] : 1; /* each < 2^63 */
        if (total > limit)
            return 0;
    }
    return 1;
}

static qc_status tally_units_fast(const qc_ratings *r, const int64_t *multiplicity,
                                  qc_agree_tally *t, qc_errinfo *err)
{
    const size_t k_cats = r->n_cats, n_coders = r->n_coders;
    unit_sums s = {qc_calloc((n_coders + 1) * FAST_CATS, sizeof *s.by_m),
                   qc_calloc(n_coders + 1, sizeof *s.pairs_m),
                   qc_calloc(n_coders + 1, sizeof *s.units_m)};
    qc_status status = QC_ENOMEM;
    if (s.by_m == NULL || s.pairs_m == NULL || s.units_m == NULL)
        goto cleanup;
    status = k_cats <= 8 && n_coders < 256 ? tally_packed(r, multiplicity, &s, err)
                                           : tally_scattered(r, multiplicity, &s, err);
    if (status != QC_OK)
        goto cleanup;
    for (size_t m = 1; m <= n_coders; m++) {
        double units = (double)s.units_m[m];
        t->rated_units += units;
        for (size_t k = 0; k < k_cats; k++)
            t->share[k] += (double)s.by_m[m * FAST_CATS + k] / (double)m;
        if (m >= 2) {
            t->paired_units += units;
            t->pairs += units * (double)(m * (m - 1)) / 2;
            t->agreement += (double)s.pairs_m[m] / (double)(m * (m - 1));
        }
    }
cleanup:
    qc_free(s.by_m);
    qc_free(s.pairs_m);
    qc_free(s.units_m);
    return status;
}

/* Adds the tally of the ratings, checking each value as it is read (the
   first bad one stops the pass; the tally is then incomplete). count[]
   (n_cats, zero) and seen[] (n_coders) are scratch and are left zero. */
static qc_status tally_units(const qc_ratings *r, const double *w,
                             const int64_t *multiplicity, qc_agree_tally *t,
                             double *count, size_t *seen, qc_errinfo *err)
{
    const size_t k_cats = r->n_cats;
    const int coders = (t->parts & QC_TALLY_CODERS) != 0;
    const int coincidence = (t->parts & QC_TALLY_COINCIDENCE) != 0;
    for (size_t u = 0; u < r->n_units; u++) {
        double mult = multiplicity != NULL ? (double)multiplicity[u] : 1.0;
        if (mult == 0)
            continue;
        const int64_t *row = r->value + u * r->n_coders;
        size_t n_seen = 0;
        double r_u = 0;
        for (size_t g = 0; g < r->n_coders; g++) {
            int64_t v = row[g];
            if (v < 0 || v >= (int64_t)k_cats) {
                if (v == -1)
                    continue;
                for (size_t i = 0; i < n_seen; i++)
                    count[seen[i]] = 0;
                return bad_value(r, u * r->n_coders + g, err);
            }
            if (count[v] == 0)
                seen[n_seen++] = (size_t)v;
            count[v] += 1;
            r_u += 1;
            if (coders) {
                t->coder_counts[g * k_cats + (size_t)v] += mult;
                t->coder_units[g] += mult;
            }
        }
        if (r_u == 0)
            continue;
        t->rated_units += mult;
        double per_rating = mult / r_u;
        for (size_t i = 0; i < n_seen; i++)
            t->share[seen[i]] += per_rating * count[seen[i]];
        if (r_u >= 2) {
            double agreeing = 0, per_pair = mult / (r_u - 1);
            for (size_t i = 0; i < n_seen; i++) {
                size_t k = seen[i];
                double weighted = count[k], scaled = per_pair * count[k];
                if (w != NULL) {
                    weighted = 0;
                    for (size_t j = 0; j < n_seen; j++)
                        weighted += w[k * k_cats + seen[j]] * count[seen[j]];
                }
                agreeing += count[k] * (weighted - 1);
                if (!coincidence)
                    continue;
                double *line = t->coincidence + k * k_cats;
                for (size_t j = 0; j < n_seen; j++) {
                    size_t c = seen[j];
                    line[c] += scaled * (count[c] - (c == k));
                }
            }
            if (w != NULL && r->n_coders == 2 && row[0] != row[1]) {
                /* two coders: the pair is weighted in coder order, w[a][b]
                   (Cohen 1968), where the sum above took (w[a][b] +
                   w[b][a]) / 2; add the antisymmetric half, 0 for a
                   symmetric matrix */
                size_t a = (size_t)row[0], b = (size_t)row[1];
                agreeing += w[a * k_cats + b] - w[b * k_cats + a];
            }
            t->paired_units += mult;
            t->pairs += mult * r_u * (r_u - 1) / 2;
            t->agreement += mult * agreeing / (r_u * (r_u - 1));
        }
        for (size_t i = 0; i < n_seen; i++)
            count[seen[i]] = 0;
    }
    return QC_OK;
}

qc_status qc_agree_tally_add(const qc_ratings *ratings, const double *weights,
                             const int64_t *multiplicity, qc_agree_tally *tally,
                             qc_errinfo *err)
{
    qc_status status = check_ratings(ratings, err);
    if (status != QC_OK)
        return status;
    if (tally == NULL || tally->share == NULL ||
        ((tally->parts & QC_TALLY_COINCIDENCE) && tally->coincidence == NULL) ||
        ((tally->parts & QC_TALLY_CODERS) &&
         (tally->coder_counts == NULL || tally->coder_units == NULL)))
        return qc_fail(err, QC_EINVAL, "tally", 0, 0, 0, "has missing arrays");
    status = check_weights(weights, ratings->n_cats, err);
    if (status != QC_OK)
        return status;
    for (size_t u = 0; multiplicity != NULL && u < ratings->n_units; u++) {
        if (multiplicity[u] < 0)
            return qc_fail(err, QC_EINVAL, "multiplicity", u, multiplicity[u],
                           0, "must be >= 0");
    }
    if (weights == NULL && (tally->parts & QC_TALLY_ALL) == 0 &&
        ratings->n_cats <= FAST_CATS && sums_fit_int64(ratings, multiplicity))
        return tally_units_fast(ratings, multiplicity, tally, err);
    double *count = qc_calloc(ratings->n_cats, sizeof *count);
    size_t *seen = qc_malloc(ratings->n_coders, sizeof *seen);
    if (count == NULL || seen == NULL) {
        status = QC_ENOMEM;
        goto cleanup;
    }
    status = tally_units(ratings, weights, multiplicity, tally, count, seen, err);
cleanup:
    qc_free(count);
    qc_free(seen);
    return status;
}

/* ---- coefficients ---- */

/* Metric differences delta^2_ck, n_cats x n_cats, from the tally's marginals. */
static void metric_differences(size_t k_cats, qc_metric metric,
                               const double *values, const double *marginal,
                               double *delta)
{
    for (size_t c = 0; c < k_cats; c++) {
        for (size_t k = 0; k < k_cats; k++) {
            double d = 0;
            if (c == k) {
                d = 0;
            } else if (metric == QC_METRIC_NOMINAL) {
                d = 1;
            } else if (metric == QC_METRIC_ORDINAL) {
                size_t lo = c < k ? c : k, hi = c < k ? k : c;
                double between = 0;
                for (size_t g = lo; g <= hi; g++)
                    between += marginal[g];
                between -= (marginal[c] + marginal[k]) / 2;
                d = between * between;
            } else if (metric == QC_METRIC_INTERVAL) {
                d = (values[c] - values[k]) * (values[c] - values[k]);
            } else {
                double sum = values[c] + values[k];
                d = sum == 0 ? 0 : ((values[c] - values[k]) / sum) * ((values[c] - values[k]) / sum);
            }
            delta[c * k_cats + k] = d;
        }
    }
}

static qc_status alpha_parts(const qc_agree_tally *t, size_t k_cats,
                             qc_metric metric, const double *values,
                             double *observed, double *expected, double *delta)
{
    double *marginal = qc_calloc(k_cats, sizeof *marginal);
    if (marginal == NULL)
        return QC_ENOMEM;
    double n = 0;
    for (size_t c = 0; c < k_cats; c++)
        for (size_t k = 0; k < k_cats; k++)
            marginal[c] += t->coincidence[c * k_cats + k];
    for (size_t c = 0; c < k_cats; c++)
        n += marginal[c];
    metric_differences(k_cats, metric, values, marginal, delta);
    double d_o = 0, d_e = 0;
    for (size_t c = 0; c < k_cats; c++) {
        for (size_t k = 0; k < k_cats; k++) {
            d_o += t->coincidence[c * k_cats + k] * delta[c * k_cats + k];
            d_e += marginal[c] * marginal[k] * delta[c * k_cats + k];
        }
    }
    *observed = n > 0 ? d_o / n : NAN;
    *expected = n > 1 ? d_e / (n * (n - 1)) : NAN;
    qc_free(marginal);
    return QC_OK;
}

/* (pa - pe) / (1 - pe), NaN when undefined. */
static double chance_corrected(double pa, double pe)
{
    if (isnan(pa) || isnan(pe) || 1 - pe == 0)
        return NAN;
    return (pa - pe) / (1 - pe);
}

static double weight(const double *w, size_t k_cats, size_t k, size_t l)
{
    return w != NULL ? w[k * k_cats + l] : (double)(k == l);
}

static double conger_expected(const qc_agree_tally *t, size_t n_coders,
                              size_t k_cats, const double *w)
{
    /* coders who rated nothing have no marginals and take no part */
    double r = 0;
    for (size_t g = 0; g < n_coders; g++)
        r += t->coder_units[g] > 0;
    if (r < 2)
        return NAN;
    double pe = 0;
    for (size_t k = 0; k < k_cats; k++) {
        for (size_t l = 0; l < k_cats; l++) {
            double wkl = weight(w, k_cats, k, l);
            if (wkl == 0)
                continue;
            double mean_k = 0, mean_l = 0, cross = 0;
            for (size_t g = 0; g < n_coders; g++) {
                if (t->coder_units[g] <= 0)
                    continue;
                double pk = t->coder_counts[g * k_cats + k] / t->coder_units[g];
                double pl = t->coder_counts[g * k_cats + l] / t->coder_units[g];
                mean_k += pk;
                mean_l += pl;
                cross += pk * pl;
            }
            mean_k /= r;
            mean_l /= r;
            double s2 = (cross - r * mean_k * mean_l) / (r - 1);
            pe += wkl * (mean_k * mean_l - s2 / r);
        }
    }
    if (w != NULL && n_coders == 2) {
        /* two coders: chance agreement in coder order, sum w_kl p_ak p_bl
           (Cohen 1968), where the sum above took the symmetric part of w;
           add the antisymmetric part, 0 for a symmetric matrix */
        const double *p_a = t->coder_counts, *p_b = t->coder_counts + k_cats;
        for (size_t k = 0; k < k_cats; k++) {
            for (size_t l = 0; l < k_cats; l++) {
                double half = (w[k * k_cats + l] - w[l * k_cats + k]) / 2;
                if (half != 0)
                    pe += half * (p_a[k] / t->coder_units[0]) *
                          (p_b[l] / t->coder_units[1]);
            }
        }
    }
    return pe;
}

static qc_status compute(const qc_agree_tally *t, size_t n_coders,
                         size_t k_cats, const double *w, qc_agree_method method,
                         qc_metric metric, const double *values,
                         qc_agree_result *out, double *delta)
{
    if (method == QC_AGREE_ALPHA) {
        qc_status status = alpha_parts(t, k_cats, metric, values, &out->observed,
                                       &out->expected, delta);
        if (status != QC_OK)
            return status;
        out->value = isnan(out->expected) || out->expected == 0
                         ? NAN
                         : 1 - out->observed / out->expected;
        return QC_OK;
    }
    double pa = t->paired_units > 0 ? t->agreement / t->paired_units : NAN;
    double total_w = 0;
    for (size_t k = 0; k < k_cats; k++)
        for (size_t l = 0; l < k_cats; l++)
            total_w += weight(w, k_cats, k, l);
    double q = (double)k_cats, pe = NAN;
    switch (method) {
    case QC_AGREE_PERCENT:
        out->observed = pa;
        out->expected = NAN;
        out->value = pa;
        return QC_OK;
    case QC_AGREE_FLEISS:
        if (t->rated_units > 0) {
            pe = 0;
            for (size_t k = 0; k < k_cats; k++)
                for (size_t l = 0; l < k_cats; l++)
                    pe += weight(w, k_cats, k, l) * (t->share[k] / t->rated_units) *
                          (t->share[l] / t->rated_units);
        }
        break;
    case QC_AGREE_GWET:
        if (t->rated_units > 0 && k_cats >= 2) {
            double spread = 0;
            for (size_t k = 0; k < k_cats; k++) {
                double pi = t->share[k] / t->rated_units;
                spread += pi * (1 - pi);
            }
            pe = total_w * spread / (q * (q - 1));
        }
        break;
    case QC_AGREE_BRENNAN_PREDIGER:
        pe = k_cats >= 2 ? total_w / (q * q) : NAN;
        break;
    case QC_AGREE_CONGER:
        pe = conger_expected(t, n_coders, k_cats, w);
        break;
    case QC_AGREE_ALPHA: /* returned above; check_method refused the rest */
        break;
    }
    out->observed = pa;
    out->expected = pe;
    out->value = chance_corrected(pa, pe);
    return QC_OK;
}

static qc_status check_method(qc_agree_method method, qc_metric metric,
                              const double *category_values, size_t k_cats,
                              qc_errinfo *err)
{
    if ((int)method < QC_AGREE_PERCENT || method > QC_AGREE_ALPHA)
        return qc_fail(err, QC_EINVAL, "method", 0, (int64_t)method, 0,
                       "is not a qc_agree_method");
    if (method == QC_AGREE_ALPHA) {
        if ((int)metric < QC_METRIC_NOMINAL || metric > QC_METRIC_RATIO)
            return qc_fail(err, QC_EINVAL, "metric", 0, (int64_t)metric, 0,
                           "is not a qc_metric");
        if ((metric == QC_METRIC_INTERVAL || metric == QC_METRIC_RATIO) &&
            category_values == NULL)
            return qc_fail(err, QC_EINVAL, "category_values", 0, 0, 0,
                           "interval and ratio metrics need category values");
        /* the values the metric reads: finite, and not negative for ratio */
        for (size_t k = 0; category_values != NULL && metric >= QC_METRIC_INTERVAL &&
                           k < k_cats;
             k++) {
            double v = category_values[k];
            if (!isfinite(v))
                return qc_fail_float(err, QC_EINVAL, "category_values", k, v, 0,
                                     "must be finite");
            if (metric == QC_METRIC_RATIO && v < 0)
                return qc_fail_float(err, QC_EINVAL, "category_values", k, v, 0,
                                     "must be >= 0 for the ratio metric");
        }
    }
    return QC_OK;
}

/* A count of a tally: finite, >= 0 and whole. */
static int is_count(double x)
{
    return isfinite(x) && x >= 0 && x == floor(x);
}

/* The entries of one of a tally's arrays are finite and >= 0. */
static qc_status check_tally_array(const double *a, size_t n, const char *arg,
                                   qc_errinfo *err)
{
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(a[i]) || a[i] < 0)
            return qc_fail_float(err, QC_EINVAL, arg, i, a[i], 0,
                                 "must be finite and >= 0");
    }
    return QC_OK;
}

qc_status qc_agree_tally_check(const qc_agree_tally *t, size_t n_coders,
                               size_t n_cats, qc_errinfo *err)
{
    if (t == NULL || t->share == NULL ||
        ((t->parts & QC_TALLY_COINCIDENCE) && t->coincidence == NULL) ||
        ((t->parts & QC_TALLY_CODERS) && n_coders > 0 &&
         (t->coder_counts == NULL || t->coder_units == NULL)))
        return qc_fail(err, QC_EINVAL, "tally", 0, 0, 0, "has missing arrays");
    if (t->parts > QC_TALLY_ALL)
        return qc_fail(err, QC_EINVAL, "tally.parts", 0, (int64_t)t->parts,
                       QC_TALLY_ALL, "must combine 1 (coincidence) and 2 (coders)");
    if (n_cats != 0 && n_cats > SIZE_MAX / n_cats)
        return qc_fail(err, QC_EOVERFLOW, "n_cats", 0, (int64_t)n_cats, 0,
                       "n_cats^2 does not fit");
    if (n_coders != 0 && n_cats > SIZE_MAX / n_coders)
        return qc_fail(err, QC_EOVERFLOW, "n_coders", 0, (int64_t)n_coders, 0,
                       "n_coders x n_cats does not fit");
    const double counts[3] = {t->rated_units, t->paired_units, t->pairs};
    static const char *const count_names[3] = {"tally.rated_units", "tally.paired_units",
                                               "tally.pairs"};
    for (int i = 0; i < 3; i++) {
        if (!is_count(counts[i]))
            return qc_fail_float(err, QC_EINVAL, count_names[i], 0, counts[i], 0,
                                 "must be a whole number >= 0");
    }
    if (t->paired_units > t->rated_units)
        return qc_fail_float(err, QC_EINVAL, "tally.paired_units", 0, t->paired_units,
                             t->rated_units, "exceeds rated_units");
    if (t->pairs < t->paired_units)
        return qc_fail_float(err, QC_EINVAL, "tally.pairs", 0, t->pairs,
                             t->paired_units, "is below paired_units (a paired unit has a pair)");
    if (!isfinite(t->agreement))
        return qc_fail_float(err, QC_EINVAL, "tally.agreement", 0, t->agreement, 0,
                             "must be finite");
    qc_status status = check_tally_array(t->share, n_cats, "tally.share", err);
    if (status == QC_OK && (t->parts & QC_TALLY_CODERS) && n_coders > 0) {
        status = check_tally_array(t->coder_counts, n_coders * n_cats,
                                   "tally.coder_counts", err);
        if (status == QC_OK)
            status = check_tally_array(t->coder_units, n_coders, "tally.coder_units", err);
    }
    if (status != QC_OK || !(t->parts & QC_TALLY_COINCIDENCE))
        return status;
    status = check_tally_array(t->coincidence, n_cats * n_cats, "tally.coincidence", err);
    if (status != QC_OK)
        return status;
    /* Unit u with m_u >= 2 ratings adds m_u to the coincidences' total n and
       m_u (m_u - 1) / 2 to pairs, so n / 2 <= pairs <= n (n - 1) / 2 (one
       unit holding every rating); the slack covers the rounding of the
       1 / (m_u - 1) terms of n. This also bounds the draws of the bootstrap
       by the data. */
    double n = 0;
    for (size_t i = 0; i < n_cats * n_cats; i++)
        n += t->coincidence[i];
    double slack = 1e-9 * (n + 1);
    if (t->pairs > (n + slack) * (n + slack - 1) / 2 + slack ||
        2 * t->pairs < n - slack)
        return qc_fail_float(err, QC_EINVAL, "tally.pairs", 0, t->pairs, n,
                             "disagrees with the coincidences, whose total (the bound) "
                             "n gives n / 2 <= pairs <= n (n - 1) / 2");
    return QC_OK;
}

qc_status qc_agree_coefficient(const qc_agree_tally *tally, size_t n_coders,
                               size_t n_cats, const double *weights,
                               qc_agree_method method, qc_metric metric,
                               const double *values, qc_agree_result *out,
                               qc_errinfo *err)
{
    if (tally == NULL || out == NULL)
        return qc_fail(err, QC_EINVAL, tally == NULL ? "tally" : "out", 0, 0, 0,
                       "is missing");
    qc_status status = check_method(method, metric, values, n_cats, err);
    if (status == QC_OK)
        status = qc_agree_tally_check(tally, n_coders, n_cats, err);
    if (status == QC_OK)
        status = check_weights(weights, n_cats, err);
    if (status != QC_OK)
        return status;
    unsigned needs = method == QC_AGREE_ALPHA    ? QC_TALLY_COINCIDENCE
                     : method == QC_AGREE_CONGER ? QC_TALLY_CODERS
                                                 : 0;
    if ((tally->parts & needs) != needs)
        return qc_fail(err, QC_EINVAL, "tally", 0, (int64_t)tally->parts,
                       (int64_t)needs, "lacks the part this method needs");
    double *delta = qc_malloc(n_cats * n_cats, sizeof *delta);
    if (delta == NULL)
        return QC_ENOMEM;
    status = compute(tally, n_coders, n_cats, weights, method, metric, values,
                     out, delta);
    qc_free(delta);
    return status;
}

/* ---- bootstrap ---- */

qc_status qc_agree_bootstrap_units(const qc_ratings *ratings,
                                   const double *weights,
                                   qc_agree_method method, qc_metric metric,
                                   const double *values, size_t n_boot,
                                   uint64_t seed, double *out, qc_errinfo *err)
{
    qc_status status = check_ratings(ratings, err);
    if (status == QC_OK)
        status = check_method(method, metric, values, ratings->n_cats, err);
    if (status == QC_OK)
        status = check_weights(weights, ratings->n_cats, err);
    if (status != QC_OK)
        return status;
    if (n_boot > 0 && out == NULL)
        return qc_fail(err, QC_EINVAL, "out", 0, 0, 0, "is missing");
    const size_t k_cats = ratings->n_cats, n_coders = ratings->n_coders;
    qc_agree_tally t;
    size_t *rated = NULL, *seen = NULL;
    int64_t *mult = NULL;
    double *count = NULL, *delta = NULL;
    status = qc_agree_tally_new(n_coders, k_cats, &t);
    if (status != QC_OK)
        return status;
    t.parts = method == QC_AGREE_ALPHA    ? QC_TALLY_COINCIDENCE
              : method == QC_AGREE_CONGER ? QC_TALLY_CODERS
                                          : 0;
    rated = qc_malloc(ratings->n_units, sizeof *rated);
    mult = qc_calloc(ratings->n_units, sizeof *mult);
    seen = qc_malloc(n_coders, sizeof *seen);
    count = qc_calloc(k_cats, sizeof *count);
    delta = qc_malloc(k_cats * k_cats, sizeof *delta);
    if (rated == NULL || mult == NULL || seen == NULL || count == NULL ||
        delta == NULL) {
        status = QC_ENOMEM;
        goto cleanup;
    }
    /* units without any rating are not data: resample the rated ones */
    size_t n_rated = 0;
    for (size_t u = 0; u < ratings->n_units; u++) {
        const int64_t *row = ratings->value + u * n_coders;
        int any = 0;
        for (size_t g = 0; g < n_coders; g++) {
            if (row[g] < -1 || row[g] >= (int64_t)k_cats) {
                status = bad_value(ratings, u * n_coders + g, err);
                goto cleanup;
            }
            any |= row[g] >= 0;
        }
        if (any)
            rated[n_rated++] = u;
    }
    qc_rng r;
    qc_rng_seed(&r, seed);
    for (size_t b = 0; b < n_boot; b++) {
        memset(mult, 0, ratings->n_units * sizeof *mult);
        for (size_t i = 0; i < n_rated; i++)
            mult[rated[qc_rng_below(&r, n_rated)]]++;
        tally_clear(&t, n_coders, k_cats);
        status = tally_units(ratings, weights, mult, &t, count, seen, err);
        if (status != QC_OK)
            goto cleanup;
        qc_agree_result res;
        status = compute(&t, n_coders, k_cats, weights, method, metric, values,
                         &res, delta);
        if (status != QC_OK)
            goto cleanup;
        out[b] = res.value;
    }
cleanup:
    qc_agree_tally_free(&t);
    qc_free(rated);
    qc_free(mult);
    qc_free(seen);
    qc_free(count);
    qc_free(delta);
    return status;
}

qc_status qc_alpha_bootstrap(const qc_agree_tally *tally, size_t n_cats,
                             qc_metric metric, const double *values,
                             size_t draws, size_t n_boot, uint64_t seed,
                             double *out, qc_errinfo *err)
{
    if (tally == NULL)
        return qc_fail(err, QC_EINVAL, "tally", 0, 0, 0, "is missing");
    qc_status status = check_method(QC_AGREE_ALPHA, metric, values, n_cats, err);
    if (status == QC_OK)
        status = qc_agree_tally_check(tally, 0, n_cats, err);
    if (status != QC_OK)
        return status;
    if (!(tally->parts & QC_TALLY_COINCIDENCE))
        return qc_fail(err, QC_EINVAL, "tally", 0, (int64_t)tally->parts,
                       QC_TALLY_COINCIDENCE, "lacks the part this method needs");
    /* the checked tally bounds pairs, and so the work of the loops below */
    if ((double)draws > tally->pairs)
        return qc_fail(err, QC_EINVAL, "draws", 0, (int64_t)draws,
                       (int64_t)tally->pairs, "must be at most the tally's pairs");
    if (n_boot > 0 && out == NULL)
        return qc_fail(err, QC_EINVAL, "out", 0, 0, 0, "is missing");
    size_t cells = n_cats * n_cats;
    double *delta = qc_malloc(cells, sizeof *delta);
    double *prob = qc_malloc(cells, sizeof *prob);
    size_t *alias = qc_malloc(cells, sizeof *alias);
    size_t *small = qc_malloc(cells, sizeof *small);
    size_t *large = qc_malloc(cells, sizeof *large);
    if (delta == NULL || prob == NULL || alias == NULL || small == NULL ||
        large == NULL) {
        status = QC_ENOMEM;
        goto cleanup;
    }
    double d_o, d_e;
    status = alpha_parts(tally, n_cats, metric, values, &d_o, &d_e, delta);
    if (status != QC_OK)
        goto cleanup;
    double n = 0;
    for (size_t i = 0; i < cells; i++)
        n += tally->coincidence[i];
    if (n <= 0 || isnan(d_e) || d_e == 0 || draws == 0) {
        for (size_t b = 0; b < n_boot; b++)
            out[b] = NAN;
        goto cleanup;
    }
    /* Vose's alias table: one uniform draw picks a coincidence cell with
       probability o_ck / n.. in constant time. */
    size_t n_small = 0, n_large = 0;
    for (size_t i = 0; i < cells; i++) {
        prob[i] = tally->coincidence[i] / n * (double)cells;
        alias[i] = i;
        if (prob[i] < 1)
            small[n_small++] = i;
        else
            large[n_large++] = i;
    }
    while (n_small > 0 && n_large > 0) {
        size_t s = small[--n_small], l = large[--n_large];
        alias[s] = l;
        prob[l] -= 1 - prob[s];
        if (prob[l] < 1)
            small[n_small++] = l;
        else
            large[n_large++] = l;
    }
    while (n_large > 0)
        prob[large[--n_large]] = 1;
    while (n_small > 0)
        prob[small[--n_small]] = 1;
    qc_rng r;
    qc_rng_seed(&r, seed);
    for (size_t b = 0; b < n_boot; b++) {
        double sum = 0;
        for (size_t m = 0; m < draws; m++) {
            double x = qc_rng_uniform(&r) * (double)cells;
            size_t i = (size_t)x;
            if (i >= cells)
                i = cells - 1;
            size_t cell = (x - (double)i) < prob[i] ? i : alias[i];
            sum += delta[cell];
        }
        out[b] = 1 - (sum / (double)draws) / d_e;
    }
cleanup:
    qc_free(delta);
    qc_free(prob);
    qc_free(alias);
    qc_free(small);
    qc_free(large);
    return status;
}
