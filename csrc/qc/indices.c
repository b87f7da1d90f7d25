/*
 * The regional-science indices of qc/indices.h. Every grouped index makes
 * at most two passes over the sample, the first validating it and totalling
 * each group (NaN handled by policy in one place); indices that need an
 * order (Gini, primacy, rank-size) radix-sort the units of each group in
 * its own block rather than compare-sort them all, so a call stays O(n).
 */
#include "qc/indices.h"
#include "qc/vlog.h"

#include <float.h>
#include <math.h>
#include <string.h>

/* Per-group totals from the first pass over a sample. */
typedef struct {
    double n;   /* units kept */
    double w;   /* their weight (n when unweighted) */
    double sum; /* sum of w x */
    int nan;    /* a NaN was seen under QC_NAN_PROPAGATE */
    int zero;   /* a zero value was seen (Theil L, Atkinson) */
} tally_t;

static int64_t group_of(const qc_sample *s, size_t i)
{
    return s->group != NULL ? s->group[i] : 0;
}

static qc_status check_policy(qc_nan_policy nan, qc_errinfo *err)
{
    if (nan != QC_NAN_PROPAGATE && nan != QC_NAN_OMIT && nan != QC_NAN_RAISE)
        return qc_fail(err, QC_EINVAL, "nan_policy", 0, (int64_t)nan, 0,
                       "must be propagate, omit or raise");
    return QC_OK;
}

/*
 * First pass: validates the sample (and weights, when given) and totals each
 * group. A NaN in x or weight is a missing unit: an error, a poisoned group or
 * a unit left out, by policy. On success *out owns n_groups tallies.
 */
static qc_status tally(const qc_sample *s, const double *weight,
                       int allow_negative, tally_t **out, qc_errinfo *err)
{
    *out = NULL;
    if (s == NULL)
        return qc_fail(err, QC_EINVAL, "sample", 0, 0, 0, "is missing");
    if (s->n > 0 && s->x == NULL)
        return qc_fail(err, QC_EINVAL, "x", 0, 0, 0, "is missing");
    qc_status status = check_policy(s->nan, err);
    if (status != QC_OK)
        return status;
    if (s->group == NULL && s->n_groups != 1)
        return qc_fail(err, QC_EINVAL, "n_groups", 0, (int64_t)s->n_groups, 1,
                       "must be 1 when there is no group vector");
    tally_t *t = qc_calloc(s->n_groups, sizeof *t);
    if (t == NULL)
        return QC_ENOMEM;
    for (size_t i = 0; i < s->n; i++) {
        int64_t g = group_of(s, i);
        if (g < -1 || g >= (int64_t)s->n_groups) {
            status = qc_fail(err, QC_EINDEX, "group", i, g,
                             (int64_t)s->n_groups,
                             "must be -1 or a group index below the bound");
            goto cleanup;
        }
        if (g == -1)
            continue;
        double x = s->x[i];
        double w = weight != NULL ? weight[i] : 1.0;
        /* the usual unit, finite and in range, in one test (false for NaN) */
        double magnitude = allow_negative ? fabs(x) : x;
        if (magnitude >= 0 && magnitude <= DBL_MAX && w >= 0 && w <= DBL_MAX) {
            t[g].n += 1.0;
            t[g].w += w;
            t[g].sum += w * x;
            t[g].zero |= x == 0;
            continue;
        }
        if (isnan(x) || isnan(w)) {
            if (s->nan == QC_NAN_RAISE) {
                status = qc_fail_float(err, QC_EINVAL, isnan(x) ? "x" : "weight", i,
                                 NAN, 0, "is NaN (nan_policy='raise')");
                goto cleanup;
            }
            if (s->nan == QC_NAN_PROPAGATE)
                t[g].nan = 1;
            continue;
        }
        if (isinf(x) || isinf(w)) {
            status = qc_fail_float(err, QC_EINVAL, isinf(x) ? "x" : "weight", i,
                             isinf(x) ? x : w, 0, "must be finite");
            goto cleanup;
        }
        if (x < 0 && !allow_negative) {
            status = qc_fail_float(err, QC_EINVAL, "x", i, x, 0,
                             "must be >= 0");
            goto cleanup;
        }
        /* what is left, past the usual unit's test: a negative weight */
        status = qc_fail_float(err, QC_EINVAL, "weight", i, w, 0, "must be >= 0");
        goto cleanup;
    }
cleanup:
    if (status != QC_OK) {
        qc_free(t);
        return status;
    }
    *out = t;
    return QC_OK;
}

/* True when unit i takes part in the second pass. */
static int kept(const qc_sample *s, const double *weight, size_t i)
{
    return group_of(s, i) != -1 && !isnan(s->x[i]) &&
           (weight == NULL || !isnan(weight[i]));
}

/*
 * The kept units of a sample in blocks by group, each block sorted by value,
 * ascending. A unit is `stride` 64-bit words: its value's bits (values are
 * >= 0, -0.0 stored as 0.0, so their bits order as the values do), then,
 * with weights, its weight's bits. Group g's units are [start[g],
 * start[g + 1]). Packing the values alone when there are no weights keeps
 * the sort's passes to 8 bytes a unit.
 */
typedef struct {
    uint64_t *word;
    size_t stride;
    size_t *start; /* n_groups + 1 offsets */
} sorted_t;

static double bits_to_double(uint64_t bits)
{
    double x;
    memcpy(&x, &bits, sizeof x);
    return x;
}

static uint64_t double_to_bits(double x)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    return bits;
}

/* The value of unit k (0-based, over all blocks). */
static double sorted_value(const sorted_t *so, size_t k)
{
    return bits_to_double(so->word[k * so->stride]);
}

/* The weight of unit k: 1 without weights. */
static double sorted_weight(const sorted_t *so, size_t k)
{
    return so->stride == 2 ? bits_to_double(so->word[2 * k + 1]) : 1.0;
}

/* Below this many units a block is insertion-sorted: a radix sort's eight
   256-entry histograms cost more than the comparisons. */
enum { SMALL_BLOCK = 48 };

static void insertion_sort_units(uint64_t *unit, size_t m, size_t stride)
{
    for (size_t r = 1; r < m; r++) {
        uint64_t key = unit[r * stride], extra = stride == 2 ? unit[r * 2 + 1] : 0;
        size_t q = r;
        for (; q > 0 && unit[(q - 1) * stride] > key; q--)
            memcpy(unit + q * stride, unit + (q - 1) * stride, stride * sizeof *unit);
        unit[q * stride] = key;
        if (stride == 2)
            unit[q * 2 + 1] = extra;
    }
}

/* Above this many units a block is first split on its highest differing
   byte, so that the LSD passes run on parts that sit in cache (8 bytes a
   unit: 256 KiB) instead of streaming the whole block eight times. */
enum { CACHE_BLOCK = 1 << 15 };

/*
 * Sorts m units of `stride` words ascending by their first word (the key),
 * of which only the low n_bytes bytes may differ, with tmp as scratch of
 * the same size. An LSD radix sort: one pass counts every byte position at
 * once, and a position where all keys share their byte is skipped, so
 * keys of a narrow range cost fewer passes. A block above CACHE_BLOCK is
 * split MSD-first on its highest differing byte and each part sorted on
 * the bytes below it. static inline so that each call site's constant
 * stride is folded in.
 */
static inline void radix_sort_units(uint64_t *unit, uint64_t *tmp, size_t m, size_t stride,
                                    unsigned n_bytes)
{
    if (m < SMALL_BLOCK) {
        insertion_sort_units(unit, m, stride);
        return;
    }
    if (m > CACHE_BLOCK) {
        uint64_t differ = 0;
        for (size_t r = 1; r < m; r++)
            differ |= unit[r * stride] ^ unit[0];
        unsigned top = 0; /* bytes up to the highest differing one */
        while (top < n_bytes && (differ >> (8 * top)) != 0)
            top++;
        if (top == 0)
            return; /* all keys equal */
        unsigned shift = 8 * (top - 1);
        size_t start[257] = {0};
        for (size_t r = 0; r < m; r++)
            start[((unit[r * stride] >> shift) & 0xffu) + 1]++;
        for (unsigned v = 0; v < 256; v++)
            start[v + 1] += start[v];
        size_t next[256];
        memcpy(next, start, sizeof next);
        for (size_t r = 0; r < m; r++) {
            const uint64_t *from = unit + r * stride;
            uint64_t *to = tmp + next[(from[0] >> shift) & 0xffu]++ * stride;
            to[0] = from[0];
            if (stride == 2)
                to[1] = from[1];
        }
        memcpy(unit, tmp, m * stride * sizeof *unit);
        for (unsigned v = 0; v < 256; v++)
            radix_sort_units(unit + start[v] * stride, tmp + start[v] * stride,
                             start[v + 1] - start[v], stride, top - 1);
        return;
    }
    size_t count[8][256];
    memset(count, 0, sizeof count);
    for (size_t r = 0; r < m; r++) {
        uint64_t key = unit[r * stride];
        for (unsigned b = 0; b < n_bytes; b++)
            count[b][(key >> (8 * b)) & 0xffu]++;
    }
    uint64_t *src = unit, *dst = tmp;
    for (unsigned b = 0; b < n_bytes; b++) {
        size_t *offset = count[b];
        if (offset[(src[0] >> (8 * b)) & 0xffu] == m)
            continue;
        size_t next = 0;
        for (unsigned v = 0; v < 256; v++) {
            size_t c = offset[v];
            offset[v] = next;
            next += c;
        }
        for (size_t r = 0; r < m; r++) {
            const uint64_t *from = src + r * stride;
            uint64_t *to = dst + offset[(from[0] >> (8 * b)) & 0xffu]++ * stride;
            to[0] = from[0];
            if (stride == 2)
                to[1] = from[1];
        }
        uint64_t *swap = src;
        src = dst;
        dst = swap;
    }
    if (src != unit)
        memcpy(unit, src, m * stride * sizeof *unit);
}

static void sorted_free(sorted_t *so)
{
    qc_free(so->word);
    qc_free(so->start);
    so->word = NULL;
    so->start = NULL;
}

/*
 * Fills *so: one counting pass places every kept unit in its group's block
 * (offsets from the tallies), then each block is radix-sorted on its own,
 * while it sits in cache. O(n), no comparison callback; one scratch copy
 * (as large as the largest block) and one offset per group. On success the
 * caller frees *so with sorted_free.
 */
static qc_status sorted_units(const qc_sample *s, const double *weight,
                              const tally_t *t, sorted_t *so)
{
    size_t stride = weight != NULL ? 2 : 1, total = 0, largest = 0;
    for (size_t g = 0; g < s->n_groups; g++) {
        size_t n_g = (size_t)t[g].n;
        total += n_g;
        largest = n_g > largest ? n_g : largest;
    }
    so->stride = stride;
    so->word = qc_malloc(total * stride + 1, sizeof *so->word);
    so->start = qc_malloc(s->n_groups + 1, sizeof *so->start);
    size_t *next = qc_malloc(s->n_groups + 1, sizeof *next);
    uint64_t *tmp = qc_malloc(largest * stride + 1, sizeof *tmp);
    qc_status status = QC_OK;
    if (so->word == NULL || so->start == NULL || next == NULL || tmp == NULL) {
        sorted_free(so);
        status = QC_ENOMEM;
        goto cleanup;
    }
    so->start[0] = 0;
    for (size_t g = 0; g < s->n_groups; g++) {
        next[g] = so->start[g];
        so->start[g + 1] = so->start[g] + (size_t)t[g].n;
    }
    for (size_t i = 0; i < s->n; i++) {
        if (!kept(s, weight, i))
            continue;
        uint64_t *unit = so->word + next[group_of(s, i)]++ * stride;
        unit[0] = double_to_bits(s->x[i] == 0 ? 0.0 : s->x[i]);
        if (stride == 2)
            unit[1] = double_to_bits(weight[i]);
    }
    for (size_t g = 0; g < s->n_groups; g++) {
        uint64_t *block = so->word + so->start[g] * stride;
        size_t n_g = so->start[g + 1] - so->start[g];
        if (stride == 2)
            radix_sort_units(block, tmp, n_g, 2, 8);
        else
            radix_sort_units(block, tmp, n_g, 1, 8);
    }
cleanup:
    qc_free(next);
    qc_free(tmp);
    return status;
}

qc_status qc_label_codes(const int64_t *label, size_t n, size_t max_span,
                         int64_t *code, int64_t *first, size_t *n_groups,
                         qc_errinfo *err)
{
    if (n > 0 && (label == NULL || code == NULL || first == NULL))
        return qc_fail(err, QC_EINVAL, label == NULL ? "label" : code == NULL ? "code" : "first",
                       0, 0, 0, "is missing");
    if (n_groups == NULL)
        return qc_fail(err, QC_EINVAL, "n_groups", 0, 0, 0, "is missing");
    *n_groups = 0;
    if (n == 0)
        return QC_OK;
    int64_t lo = label[0], hi = label[0];
    for (size_t i = 1; i < n; i++) {
        lo = label[i] < lo ? label[i] : lo;
        hi = label[i] > hi ? label[i] : hi;
    }
    /* unsigned: the difference of any two int64s fits */
    uint64_t span = (uint64_t)hi - (uint64_t)lo;
    if (span >= max_span)
        return qc_fail(err, QC_ELIMIT, "label", 0, (int64_t)(span < INT64_MAX ? span : INT64_MAX),
                       (int64_t)(max_span < INT64_MAX ? max_span : INT64_MAX),
                       "spans more values than the table may hold");
    int64_t *group_of_value = qc_malloc((size_t)span + 1, sizeof *group_of_value);
    if (group_of_value == NULL)
        return QC_ENOMEM;
    memset(group_of_value, 0xff, ((size_t)span + 1) * sizeof *group_of_value); /* all -1 */
    size_t seen = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t *slot = &group_of_value[(uint64_t)label[i] - (uint64_t)lo];
        if (*slot < 0) {
            first[seen] = (int64_t)i;
            *slot = (int64_t)seen++;
        }
        code[i] = *slot;
    }
    qc_free(group_of_value);
    *n_groups = seen;
    return QC_OK;
}

qc_status qc_gini(const qc_sample *s, const double *weight, int corrected,
                  double *out, qc_errinfo *err)
{
    if (corrected && weight != NULL)
        return qc_fail(err, QC_EINVAL, "corrected", 0, 1, 0,
                       "the n/(n-1) correction is defined for unweighted data only");
    tally_t *t = NULL;
    sorted_t so = {NULL, 1, NULL};
    qc_status status = tally(s, weight, 0, &t, err);
    if (status != QC_OK)
        return status;
    if (out == NULL && s->n_groups > 0) {
        status = qc_fail(err, QC_EINVAL, "out", 0, 0, 0, "is missing");
        goto cleanup;
    }
    status = sorted_units(s, weight, t, &so);
    if (status != QC_OK)
        goto cleanup;
    /* Sorted ascending, sum_{i,j} w_i w_j |x_i - x_j| = 2 sum_i w_i x_i
       (2 c_i + w_i - W), c_i the weight below unit i: one cumulative sum. */
    for (size_t g = 0; g < s->n_groups; g++) {
        double below = 0.0, acc = 0.0;
        for (size_t k = so.start[g]; k < so.start[g + 1]; k++) {
            double w = sorted_weight(&so, k);
            acc += w * sorted_value(&so, k) * (2.0 * below + w - t[g].w);
            below += w;
        }
        double denom = t[g].w * t[g].sum;
        if (t[g].nan || t[g].n == 0 || denom == 0) {
            out[g] = NAN;
            continue;
        }
        out[g] = acc / denom;
        if (corrected)
            out[g] = t[g].n > 1 ? out[g] * t[g].n / (t[g].n - 1.0) : NAN;
    }
cleanup:
    sorted_free(&so);
    qc_free(t);
    return status;
}

/* Units whose logs qc_log_array takes at once: a few KiB on the stack. */
enum { LOG_CHUNK = 256 };

qc_status qc_theil(const qc_sample *s, qc_theil_kind kind, double *per_group,
                   double *decomposition, double *units, double *totals,
                   qc_errinfo *err)
{
    if (kind != QC_THEIL_T && kind != QC_THEIL_L)
        return qc_fail(err, QC_EINVAL, "kind", 0, (int64_t)kind, 0,
                       "must be QC_THEIL_T or QC_THEIL_L");
    tally_t *t = NULL;
    double *acc = NULL, *mean = NULL;
    qc_status status = tally(s, NULL, 0, &t, err);
    if (status != QC_OK)
        return status;
    acc = qc_calloc(s->n_groups, sizeof *acc);
    mean = qc_malloc(s->n_groups, sizeof *mean);
    if (acc == NULL || mean == NULL) {
        status = QC_ENOMEM;
        goto cleanup;
    }
    double n_all = 0.0, sum_all = 0.0;
    int nan_any = 0, zero_any = 0;
    for (size_t g = 0; g < s->n_groups; g++) {
        n_all += t[g].n;
        sum_all += t[g].sum;
        nan_any |= t[g].nan;
        zero_any |= t[g].zero;
        if (units != NULL)
            units[g] = t[g].n;
        if (totals != NULL)
            totals[g] = t[g].sum;
    }
    double mu_all = n_all > 0 ? sum_all / n_all : NAN;
    for (size_t g = 0; g < s->n_groups; g++)
        mean[g] = t[g].sum / t[g].n;
    /* Second pass: deviations from each group's mean, which keeps nearly
       equal distributions accurate (no difference of large sums). One log
       a unit, taken a chunk at a time (qc_log_array: four at once): the
       total is between + within, an identity of both indices (Shorrocks
       1980) whose two parts are each >= 0, so adding them loses nothing,
       where a third sum of logs around the overall mean would double the
       pass's cost. */
    double ratio[LOG_CHUNK], logs[LOG_CHUNK];
    int64_t owner[LOG_CHUNK];
    size_t held = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (kept(s, NULL, i) && s->x[i] > 0) {
            int64_t g = group_of(s, i);
            ratio[held] = s->x[i] / mean[g];
            owner[held++] = g;
        }
        if (held == LOG_CHUNK || (i + 1 == s->n && held > 0)) {
            qc_log_array(ratio, logs, held);
            for (size_t k = 0; k < held; k++)
                acc[owner[k]] += kind == QC_THEIL_T ? ratio[k] * logs[k] : -logs[k];
            held = 0;
        }
    }
    double between = 0.0, within = 0.0;
    int undefined = nan_any || n_all == 0 || sum_all == 0;
    for (size_t g = 0; g < s->n_groups; g++) {
        double value = NAN;
        if (!t[g].nan && t[g].n > 0 && t[g].sum > 0 &&
            !(kind == QC_THEIL_L && t[g].zero))
            value = acc[g] / t[g].n;
        if (per_group != NULL)
            per_group[g] = value;
        if (t[g].n == 0)
            continue;
        if (kind == QC_THEIL_T) {
            double share = sum_all > 0 ? t[g].sum / sum_all : NAN;
            if (share > 0) {
                between += share * log(share * n_all / t[g].n);
                within += share * value;
            }
        } else {
            double mu_g = t[g].sum / t[g].n;
            double weight = t[g].n / n_all;
            if (mu_g > 0)
                between += weight * log(mu_all / mu_g);
            else
                undefined = 1;
            within += weight * value;
        }
    }
    if (kind == QC_THEIL_L && zero_any)
        within = NAN;
    if (decomposition != NULL) {
        decomposition[0] = undefined ? NAN : between + within;
        decomposition[1] = undefined ? NAN : between;
        decomposition[2] = undefined ? NAN : within;
    }
cleanup:
    qc_free(mean);
    qc_free(acc);
    qc_free(t);
    return status;
}

qc_status qc_atkinson(const qc_sample *s, double epsilon, double *out,
                      qc_errinfo *err)
{
    if (!(epsilon >= 0) || isinf(epsilon))
        return qc_fail_float(err, QC_EINVAL, "epsilon", 0, epsilon, 0,
                       "must be a finite number >= 0");
    tally_t *t = NULL;
    qc_status status = tally(s, NULL, 0, &t, err);
    if (status != QC_OK)
        return status;
    if (out == NULL && s->n_groups > 0) {
        status = qc_fail(err, QC_EINVAL, "out", 0, 0, 0, "is missing");
        goto cleanup;
    }
    for (size_t g = 0; g < s->n_groups; g++)
        out[g] = 0.0;
    for (size_t i = 0; i < s->n; i++) {
        if (!kept(s, NULL, i))
            continue;
        int64_t g = group_of(s, i);
        if (t[g].sum == 0)
            continue;
        double r = s->x[i] / (t[g].sum / t[g].n);
        if (r == 0)
            continue; /* handled through t[g].zero */
        out[g] += epsilon == 1.0 ? log(r) : pow(r, 1.0 - epsilon);
    }
    for (size_t g = 0; g < s->n_groups; g++) {
        if (t[g].nan || t[g].n == 0 || t[g].sum == 0)
            out[g] = NAN;
        else if (t[g].zero && epsilon >= 1.0)
            out[g] = 1.0; /* a zero drives the equally distributed equivalent to 0 */
        else if (epsilon == 1.0)
            out[g] = 1.0 - exp(out[g] / t[g].n);
        else
            out[g] = 1.0 - pow(out[g] / t[g].n, 1.0 / (1.0 - epsilon));
    }
cleanup:
    qc_free(t);
    return status;
}

qc_status qc_concentration(const qc_sample *s, double *hhi, double *entropy,
                           int64_t *count, qc_errinfo *err)
{
    tally_t *t = NULL;
    qc_status status = tally(s, NULL, 0, &t, err);
    if (status != QC_OK)
        return status;
    for (size_t g = 0; g < s->n_groups; g++) {
        if (hhi != NULL)
            hhi[g] = 0.0;
        if (entropy != NULL)
            entropy[g] = 0.0;
        if (count != NULL)
            count[g] = (int64_t)t[g].n;
    }
    for (size_t i = 0; i < s->n; i++) {
        if (!kept(s, NULL, i))
            continue;
        int64_t g = group_of(s, i);
        if (t[g].sum == 0)
            continue;
        double p = s->x[i] / t[g].sum;
        if (hhi != NULL)
            hhi[g] += p * p;
        if (entropy != NULL && p > 0)
            entropy[g] -= p * log(p);
    }
    for (size_t g = 0; g < s->n_groups; g++) {
        if (t[g].nan || t[g].n == 0 || t[g].sum == 0) {
            if (hhi != NULL)
                hhi[g] = NAN;
            if (entropy != NULL)
                entropy[g] = NAN;
        }
    }
    qc_free(t);
    return QC_OK;
}

qc_status qc_cv(const qc_sample *s, double ddof, double *out, qc_errinfo *err)
{
    if (!(ddof >= 0) || isinf(ddof))
        return qc_fail_float(err, QC_EINVAL, "ddof", 0, ddof, 0,
                       "must be a finite number >= 0");
    tally_t *t = NULL;
    qc_status status = tally(s, NULL, 1, &t, err);
    if (status != QC_OK)
        return status;
    if (out == NULL && s->n_groups > 0) {
        status = qc_fail(err, QC_EINVAL, "out", 0, 0, 0, "is missing");
        goto cleanup;
    }
    for (size_t g = 0; g < s->n_groups; g++)
        out[g] = 0.0;
    for (size_t i = 0; i < s->n; i++) {
        if (!kept(s, NULL, i))
            continue;
        int64_t g = group_of(s, i);
        double d = s->x[i] - t[g].sum / t[g].n;
        out[g] += d * d;
    }
    for (size_t g = 0; g < s->n_groups; g++) {
        double mu = t[g].n > 0 ? t[g].sum / t[g].n : 0.0;
        if (t[g].nan || t[g].n <= ddof || mu == 0)
            out[g] = NAN;
        else
            out[g] = sqrt(out[g] / (t[g].n - ddof)) / mu;
    }
cleanup:
    qc_free(t);
    return status;
}

/* The value of rank r (0 = largest) in group g's ascending block. */
static double ranked(const sorted_t *so, size_t g, size_t r)
{
    return sorted_value(so, so->start[g + 1] - 1 - r);
}

qc_status qc_primacy(const qc_sample *s, size_t k, double *out,
                     qc_errinfo *err)
{
    if (k < 2)
        return qc_fail(err, QC_EINVAL, "k", 0, (int64_t)k, 0, "must be >= 2");
    tally_t *t = NULL;
    sorted_t so = {NULL, 1, NULL};
    qc_status status = tally(s, NULL, 0, &t, err);
    if (status != QC_OK)
        return status;
    if (out == NULL && s->n_groups > 0) {
        status = qc_fail(err, QC_EINVAL, "out", 0, 0, 0, "is missing");
        goto cleanup;
    }
    status = sorted_units(s, NULL, t, &so);
    if (status != QC_OK)
        goto cleanup;
    for (size_t g = 0; g < s->n_groups; g++) {
        out[g] = NAN;
        if (t[g].nan || (size_t)t[g].n < k)
            continue;
        double rest = 0.0;
        for (size_t r = 1; r < k; r++)
            rest += ranked(&so, g, r);
        if (rest > 0)
            out[g] = ranked(&so, g, 0) / rest;
    }
cleanup:
    sorted_free(&so);
    qc_free(t);
    return status;
}

/* OLS of ln x on ln rank over the m largest units of group g. */
static void fit_rank_size(const sorted_t *so, size_t g, size_t m, double *slope, double *r2)
{
    double mx = 0.0, my = 0.0;
    for (size_t r = 0; r < m; r++) {
        mx += log((double)(r + 1));
        my += log(ranked(so, g, r));
    }
    mx /= (double)m;
    my /= (double)m;
    double sxx = 0.0, sxy = 0.0, syy = 0.0;
    for (size_t r = 0; r < m; r++) {
        double dx = log((double)(r + 1)) - mx;
        double dy = log(ranked(so, g, r)) - my;
        sxx += dx * dx;
        sxy += dx * dy;
        syy += dy * dy;
    }
    *slope = sxy / sxx;
    *r2 = syy > 0 ? sxy * sxy / (sxx * syy) : NAN;
}

qc_status qc_rank_size(const qc_sample *s, size_t top, double *slope,
                       double *r2, qc_errinfo *err)
{
    tally_t *t = NULL;
    sorted_t so = {NULL, 1, NULL};
    qc_status status = tally(s, NULL, 0, &t, err);
    if (status != QC_OK)
        return status;
    status = sorted_units(s, NULL, t, &so);
    if (status != QC_OK)
        goto cleanup;
    for (size_t g = 0; g < s->n_groups; g++) {
        if (slope != NULL)
            slope[g] = NAN;
        if (r2 != NULL)
            r2[g] = NAN;
        size_t n_g = (size_t)t[g].n;
        size_t used = top > 0 && top < n_g ? top : n_g;
        if (t[g].nan || used < 2 || !(ranked(&so, g, used - 1) > 0))
            continue;
        double b, fit;
        fit_rank_size(&so, g, used, &b, &fit);
        if (slope != NULL)
            slope[g] = b;
        if (r2 != NULL)
            r2[g] = fit;
    }
cleanup:
    sorted_free(&so);
    qc_free(t);
    return status;
}

/* Validates an OD matrix: flows >= 0 and finite, NaN by policy. */
static qc_status check_od(const qc_od *od, int *has_nan, qc_errinfo *err)
{
    *has_nan = 0;
    if (od == NULL)
        return qc_fail(err, QC_EINVAL, "od", 0, 0, 0, "is missing");
    if (od->n > 0 && od->w == NULL)
        return qc_fail(err, QC_EINVAL, "od", 0, 0, 0, "is missing");
    qc_status status = check_policy(od->nan, err);
    if (status != QC_OK)
        return status;
    if (od->n != 0 && od->n > SIZE_MAX / od->n)
        return qc_fail(err, QC_EOVERFLOW, "od", 0, (int64_t)od->n, 0,
                       "n x n does not fit in memory");
    for (size_t k = 0; k < od->n * od->n; k++) {
        double v = od->w[k];
        if (k / od->n == k % od->n)
            continue;
        if (isnan(v)) {
            if (od->nan == QC_NAN_RAISE)
                return qc_fail_float(err, QC_EINVAL, "od", k, NAN, 0,
                               "is NaN (nan_policy='raise'); index is row * n + column");
            *has_nan = 1;
        } else if (!(v >= 0) || isinf(v)) {
            return qc_fail_float(err, QC_EINVAL, "od", k, v, 0,
                           "must be finite and >= 0; index is row * n + column");
        }
    }
    return QC_OK;
}

/* A flow as the kernels read it: NaN counts as no flow under omit. */
static double flow(const qc_od *od, size_t i, size_t j)
{
    double v = od->w[i * od->n + j];
    return isnan(v) && od->nan == QC_NAN_OMIT ? 0.0 : v;
}

qc_status qc_flow_summary(const qc_od *od, const int64_t *core,
                          double *inflow, double *outflow, double *entropy,
                          double *network, qc_errinfo *err)
{
    int has_nan;
    qc_status status = check_od(od, &has_nan, err);
    if (status != QC_OK)
        return status;
    size_t n = od->n;
    for (size_t i = 0; core != NULL && i < n; i++) {
        if (core[i] != 0 && core[i] != 1)
            return qc_fail(err, QC_EINVAL, "core", i, core[i], 0,
                           "must be 0 or 1");
    }
    double total = 0.0, mutual = 0.0, core_in = 0.0, core_out = 0.0,
           secondary = 0.0;
    for (size_t i = 0; i < n; i++) {
        double out_i = 0.0, in_i = 0.0;
        for (size_t j = 0; j < n; j++) {
            if (i == j)
                continue;
            double v = flow(od, i, j), back = flow(od, j, i);
            out_i += v;
            in_i += back;
            total += v;
            mutual += isnan(v) || isnan(back) ? NAN : (v < back ? v : back);
            int ci = core != NULL && core[i], cj = core != NULL && core[j];
            if (cj)
                core_in += v;
            if (ci)
                core_out += v;
            if (!ci && !cj)
                secondary += v;
        }
        if (outflow != NULL)
            outflow[i] = out_i;
        if (inflow != NULL)
            inflow[i] = in_i;
        if (entropy != NULL) {
            double h = 0.0;
            if (isnan(out_i) || out_i == 0) {
                h = NAN;
            } else {
                for (size_t j = 0; j < n; j++) {
                    double v = i == j ? 0.0 : flow(od, i, j);
                    if (v > 0)
                        h -= v / out_i * log(v / out_i);
                }
            }
            entropy[i] = h;
        }
    }
    if (network != NULL) {
        int none = !(total > 0) || isnan(total);
        network[QC_FLOW_TOTAL] = total;
        network[QC_FLOW_SYMMETRY] = none ? NAN : mutual / total;
        network[QC_FLOW_CORE_INFLOW] = none ? NAN : core_in / total;
        network[QC_FLOW_CORE_OUTFLOW] = none ? NAN : core_out / total;
        network[QC_FLOW_SECONDARY] = none ? NAN : secondary / total;
    }
    return QC_OK;
}

qc_status qc_green_polycentricity(const qc_od *od, qc_degree degree,
                                  double *out, qc_errinfo *err)
{
    if (degree != QC_DEGREE_IN && degree != QC_DEGREE_OUT &&
        degree != QC_DEGREE_TOTAL)
        return qc_fail(err, QC_EINVAL, "degree", 0, (int64_t)degree, 0,
                       "must be in, out or total");
    if (out == NULL)
        return qc_fail(err, QC_EINVAL, "out", 0, 0, 0, "is missing");
    int has_nan;
    qc_status status = check_od(od, &has_nan, err);
    if (status != QC_OK)
        return status;
    for (int k = 0; k < QC_GREEN_N; k++)
        out[k] = NAN;
    size_t n = od->n;
    if (n < 2 || (has_nan && od->nan == QC_NAN_PROPAGATE))
        return QC_OK;
    double *d = qc_calloc(n, sizeof *d);
    if (d == NULL)
        return QC_ENOMEM;
    double total = 0.0, largest = 0.0, links = 0.0;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++) {
            if (i == j)
                continue;
            double v = flow(od, i, j);
            if (degree != QC_DEGREE_IN)
                d[i] += v;
            if (degree != QC_DEGREE_OUT)
                d[j] += v;
            total += v;
            if (v > largest)
                largest = v;
            if (v > 0)
                links += 1.0;
        }
    }
    double mean = 0.0, dmax = 0.0, var = 0.0;
    for (size_t i = 0; i < n; i++) {
        mean += d[i];
        if (d[i] > dmax)
            dmax = d[i];
    }
    mean /= (double)n;
    for (size_t i = 0; i < n; i++)
        var += (d[i] - mean) * (d[i] - mean);
    double pairs = (double)n * (double)(n - 1);
    if (total > 0) {
        out[QC_GREEN_SD] = sqrt(var / (double)n);
        out[QC_GREEN_SD_MAX] = dmax / 2.0; /* population sd of {0, dmax} */
        out[QC_GREEN_EVENNESS] = 1.0 - out[QC_GREEN_SD] / out[QC_GREEN_SD_MAX];
        out[QC_GREEN_DENSITY] = links / pairs;
        out[QC_GREEN_VALUED_DENSITY] = total / (pairs * largest);
        out[QC_GREEN_POLYCENTRICITY] =
            out[QC_GREEN_EVENNESS] * out[QC_GREEN_DENSITY];
    }
    qc_free(d);
    return QC_OK;
}

qc_status qc_share_distance(const double *a, const double *b, size_t n_rows,
                            size_t n_cols, qc_nan_policy nan, double *out,
                            qc_errinfo *err)
{
    qc_status status = check_policy(nan, err);
    if (status != QC_OK)
        return status;
    if (n_cols != 0 && n_rows > SIZE_MAX / n_cols)
        return qc_fail(err, QC_EOVERFLOW, "a", 0, (int64_t)n_rows, 0,
                       "n_rows x n_cols does not fit in memory");
    if (n_rows * n_cols > 0 && (a == NULL || b == NULL))
        return qc_fail(err, QC_EINVAL, a == NULL ? "a" : "b", 0, 0, 0,
                       "is missing");
    if (n_rows > 0 && out == NULL)
        return qc_fail(err, QC_EINVAL, "out", 0, 0, 0, "is missing");
    for (size_t k = 0; k < n_rows * n_cols; k++) {
        for (int side = 0; side < 2; side++) {
            double v = side ? b[k] : a[k];
            const char *name = side ? "b" : "a";
            if (isnan(v) && nan == QC_NAN_RAISE)
                return qc_fail_float(err, QC_EINVAL, name, k, NAN, 0,
                               "is NaN (nan_policy='raise'); index is row * n_cols + column");
            if (!isnan(v) && (v < 0 || isinf(v)))
                return qc_fail_float(err, QC_EINVAL, name, k, v, 0,
                               "must be finite and >= 0; index is row * n_cols + column");
        }
    }
    for (size_t r = 0; r < n_rows; r++) {
        const double *ar = a + r * n_cols, *br = b + r * n_cols;
        double sa = 0.0, sb = 0.0;
        int poisoned = 0;
        for (size_t c = 0; c < n_cols; c++) {
            if (isnan(ar[c]) || isnan(br[c])) {
                poisoned |= nan == QC_NAN_PROPAGATE;
                continue;
            }
            sa += ar[c];
            sb += br[c];
        }
        if (poisoned || sa == 0 || sb == 0) {
            out[r] = NAN;
            continue;
        }
        double d = 0.0;
        for (size_t c = 0; c < n_cols; c++) {
            if (!isnan(ar[c]) && !isnan(br[c]))
                d += fabs(ar[c] / sa - br[c] / sb);
        }
        out[r] = d;
    }
    return QC_OK;
}

qc_status qc_location_quotient(const double *e_ij, const double *e_j,
                               const double *e_i, const double *e, size_t n,
                               int nested, qc_nan_policy nan, double *out,
                               qc_errinfo *err)
{
    qc_status status = check_policy(nan, err);
    if (status != QC_OK)
        return status;
    const double *parts[4] = {e_ij, e_j, e_i, e};
    static const char *const names[4] = {"e_ij", "e_j", "e_i", "e"};
    if (n > 0) {
        for (int p = 0; p < 4; p++) {
            if (parts[p] == NULL)
                return qc_fail(err, QC_EINVAL, names[p], 0, 0, 0, "is missing");
        }
        if (out == NULL)
            return qc_fail(err, QC_EINVAL, "out", 0, 0, 0, "is missing");
    }
    for (size_t k = 0; k < n; k++) {
        int missing = 0;
        for (int p = 0; p < 4; p++) {
            double v = parts[p][k];
            if (isnan(v)) {
                if (nan == QC_NAN_RAISE)
                    return qc_fail_float(err, QC_EINVAL, names[p], k, NAN, 0,
                                   "is NaN (nan_policy='raise')");
                missing = 1;
            } else if (v < 0 || isinf(v)) {
                return qc_fail_float(err, QC_EINVAL, names[p], k, v, 0,
                               "must be finite and >= 0");
            }
        }
        if (missing) {
            out[k] = NAN;
            continue;
        }
        if (nested) {
            if (e_ij[k] > e_j[k])
                return qc_fail_float(err, QC_EINVAL, "e_ij", k, e_ij[k], e_j[k],
                               "exceeds e_j (a region's part above its total)");
            if (e_ij[k] > e_i[k])
                return qc_fail_float(err, QC_EINVAL, "e_ij", k, e_ij[k], e_i[k],
                               "exceeds e_i (a region's part above the sector total)");
            if (e_j[k] > e[k] || e_i[k] > e[k])
                return qc_fail_float(err, QC_EINVAL, e_j[k] > e[k] ? "e_j" : "e_i", k,
                               e_j[k] > e[k] ? e_j[k] : e_i[k], e[k],
                               "exceeds e (a part above the grand total)");
        }
        /* Explicit zero cases rather than IEEE division by zero. */
        if (e_j[k] == 0 || e[k] == 0) {
            out[k] = NAN;
        } else {
            double local = e_ij[k] / e_j[k], overall = e_i[k] / e[k];
            out[k] = overall > 0 ? local / overall : (local > 0 ? INFINITY : NAN);
        }
    }
    return QC_OK;
}
