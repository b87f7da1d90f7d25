/*
 * The regional-science indices of qc/indices.h. Every grouped index makes
 * at most two passes over the sample, the first validating it and totalling
 * each group (NaN handled by policy in one place); indices that need an
 * order (Gini, primacy, rank-size) radix-sort the units of each group in
 * its own block rather than compare-sort them all, so a call stays O(n).
 */
#include "qc/indices.h"

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

/* One kept unit, for the kernels that sort. */
typedef struct {
    int64_t g;
    double x;
    double w;
} unit_rec;

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
        if (w < 0) {
            status = qc_fail_float(err, QC_EINVAL, "weight", i, w, 0,
                             "must be >= 0");
            goto cleanup;
        }
        t[g].n += 1.0;
        t[g].w += w;
        t[g].sum += w * x;
        if (x == 0)
            t[g].zero = 1;
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

/* Byte b of a value's IEEE bits: non-negative doubles order as their bits. */
static unsigned value_byte(double x, int b)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    return (unsigned)(bits >> (8 * b)) & 0xffu;
}

/*
 * Sorts rec[0..m) by value, ascending, with tmp[0..m) as scratch: an LSD
 * radix sort over the 8 bytes of the values, skipping bytes they all share.
 * Values are >= 0 with -0.0 stored as 0.0.
 */
static void radix_sort_values(unit_rec *rec, unit_rec *tmp, size_t m)
{
    unit_rec *src = rec, *dst = tmp;
    for (int b = 0; b < 8; b++) {
        size_t count[257] = {0};
        for (size_t r = 0; r < m; r++)
            count[value_byte(src[r].x, b) + 1]++;
        int uniform = 0;
        for (int v = 0; v < 256 && !uniform; v++)
            uniform = count[v + 1] == m;
        if (uniform)
            continue;
        for (int v = 0; v < 256; v++)
            count[v + 1] += count[v];
        for (size_t r = 0; r < m; r++)
            dst[count[value_byte(src[r].x, b)]++] = src[r];
        unit_rec *swap = src;
        src = dst;
        dst = swap;
    }
    if (src != rec)
        memcpy(rec, src, m * sizeof *rec);
}

/*
 * The kept units as records sorted by group, then by value, ascending: one
 * counting pass places every unit in its group's block (offsets from the
 * tallies), then each block is radix-sorted on its own, while it sits in
 * cache. O(n) time, no comparison callback; one scratch copy and one offset
 * per group. *m gets the number of records; *out is qc_free'd by the caller.
 */
static qc_status sorted_units(const qc_sample *s, const double *weight,
                              const tally_t *t, unit_rec **out, size_t *m)
{
    size_t total = 0;
    for (size_t g = 0; g < s->n_groups; g++)
        total += (size_t)t[g].n;
    unit_rec *rec = qc_malloc(total, sizeof *rec);
    unit_rec *tmp = qc_malloc(total, sizeof *tmp);
    size_t *next = qc_malloc(s->n_groups, sizeof *next);
    if (rec == NULL || tmp == NULL || next == NULL) {
        qc_free(rec);
        qc_free(tmp);
        qc_free(next);
        return QC_ENOMEM;
    }
    size_t start = 0;
    for (size_t g = 0; g < s->n_groups; g++) {
        next[g] = start;
        start += (size_t)t[g].n;
    }
    for (size_t i = 0; i < s->n; i++) {
        if (!kept(s, weight, i))
            continue;
        int64_t g = group_of(s, i);
        unit_rec *r = &rec[next[g]++];
        r->g = g;
        r->x = s->x[i] == 0 ? 0.0 : s->x[i];
        r->w = weight != NULL ? weight[i] : 1.0;
    }
    start = 0;
    for (size_t g = 0; g < s->n_groups; g++) {
        size_t n_g = (size_t)t[g].n;
        radix_sort_values(rec + start, tmp + start, n_g);
        start += n_g;
    }
    qc_free(next);
    qc_free(tmp);
    *out = rec;
    *m = total;
    return QC_OK;
}

qc_status qc_gini(const qc_sample *s, const double *weight, int corrected,
                  double *out, qc_errinfo *err)
{
    if (corrected && weight != NULL)
        return qc_fail(err, QC_EINVAL, "corrected", 0, 1, 0,
                       "the n/(n-1) correction is defined for unweighted data only");
    tally_t *t = NULL;
    unit_rec *rec = NULL;
    size_t m = 0;
    qc_status status = tally(s, weight, 0, &t, err);
    if (status != QC_OK)
        return status;
    if (out == NULL && s->n_groups > 0) {
        status = qc_fail(err, QC_EINVAL, "out", 0, 0, 0, "is missing");
        goto cleanup;
    }
    status = sorted_units(s, weight, t, &rec, &m);
    if (status != QC_OK)
        goto cleanup;
    for (size_t g = 0; g < s->n_groups; g++)
        out[g] = 0.0;
    /* Sorted ascending, sum_{i,j} w_i w_j |x_i - x_j| = 2 sum_i w_i x_i
       (2 c_i + w_i - W), c_i the weight below unit i: one cumulative sum. */
    double below = 0.0;
    for (size_t k = 0; k < m; k++) {
        int64_t g = rec[k].g;
        if (k == 0 || rec[k - 1].g != g)
            below = 0.0;
        out[g] += rec[k].w * rec[k].x * (2.0 * below + rec[k].w - t[g].w);
        below += rec[k].w;
    }
    for (size_t g = 0; g < s->n_groups; g++) {
        double denom = t[g].w * t[g].sum;
        if (t[g].nan || t[g].n == 0 || denom == 0) {
            out[g] = NAN;
            continue;
        }
        out[g] /= denom;
        if (corrected)
            out[g] = t[g].n > 1 ? out[g] * t[g].n / (t[g].n - 1.0) : NAN;
    }
cleanup:
    qc_free(rec);
    qc_free(t);
    return status;
}

qc_status qc_theil(const qc_sample *s, qc_theil_kind kind, double *per_group,
                   double *decomposition, qc_errinfo *err)
{
    if (kind != QC_THEIL_T && kind != QC_THEIL_L)
        return qc_fail(err, QC_EINVAL, "kind", 0, (int64_t)kind, 0,
                       "must be QC_THEIL_T or QC_THEIL_L");
    tally_t *t = NULL;
    double *acc = NULL;
    qc_status status = tally(s, NULL, 0, &t, err);
    if (status != QC_OK)
        return status;
    acc = qc_calloc(s->n_groups, sizeof *acc);
    if (acc == NULL) {
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
    }
    double mu_all = n_all > 0 ? sum_all / n_all : NAN;
    double acc_all = 0.0;
    /* Second pass: deviations from the group and overall means, which keeps
       nearly equal distributions accurate (no difference of large sums). */
    for (size_t i = 0; i < s->n; i++) {
        if (!kept(s, NULL, i))
            continue;
        int64_t g = group_of(s, i);
        double x = s->x[i];
        double mu = t[g].sum / t[g].n;
        if (kind == QC_THEIL_T) {
            if (x > 0) {
                acc[g] += x / mu * log(x / mu);
                acc_all += x / mu_all * log(x / mu_all);
            }
        } else if (x > 0) {
            acc[g] += log(mu / x);
            acc_all += log(mu_all / x);
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
    if (decomposition != NULL) {
        double total = n_all > 0 ? acc_all / n_all : NAN;
        if (kind == QC_THEIL_L && zero_any)
            total = within = NAN;
        decomposition[0] = undefined ? NAN : total;
        decomposition[1] = undefined ? NAN : between;
        decomposition[2] = undefined ? NAN : within;
    }
cleanup:
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

/* The value of rank r (0 = largest) in a group's ascending block of n_g. */
static double ranked(const unit_rec *block, size_t n_g, size_t r)
{
    return block[n_g - 1 - r].x;
}

qc_status qc_primacy(const qc_sample *s, size_t k, double *out,
                     qc_errinfo *err)
{
    if (k < 2)
        return qc_fail(err, QC_EINVAL, "k", 0, (int64_t)k, 0, "must be >= 2");
    tally_t *t = NULL;
    unit_rec *rec = NULL;
    size_t m = 0;
    qc_status status = tally(s, NULL, 0, &t, err);
    if (status != QC_OK)
        return status;
    if (out == NULL && s->n_groups > 0) {
        status = qc_fail(err, QC_EINVAL, "out", 0, 0, 0, "is missing");
        goto cleanup;
    }
    status = sorted_units(s, NULL, t, &rec, &m);
    if (status != QC_OK)
        goto cleanup;
    for (size_t g = 0; g < s->n_groups; g++)
        out[g] = NAN;
    size_t first = 0;
    while (first < m) {
        int64_t g = rec[first].g;
        size_t n_g = (size_t)t[g].n;
        if (!t[g].nan && n_g >= k) {
            double rest = 0.0;
            for (size_t r = 1; r < k; r++)
                rest += ranked(rec + first, n_g, r);
            if (rest > 0)
                out[g] = ranked(rec + first, n_g, 0) / rest;
        }
        first += n_g;
    }
cleanup:
    qc_free(rec);
    qc_free(t);
    return status;
}

/* OLS of ln x on ln rank over the m largest of a group's n_g records. */
static void fit_rank_size(const unit_rec *block, size_t n_g, size_t m,
                          double *slope, double *r2)
{
    double mx = 0.0, my = 0.0;
    for (size_t r = 0; r < m; r++) {
        mx += log((double)(r + 1));
        my += log(ranked(block, n_g, r));
    }
    mx /= (double)m;
    my /= (double)m;
    double sxx = 0.0, sxy = 0.0, syy = 0.0;
    for (size_t r = 0; r < m; r++) {
        double dx = log((double)(r + 1)) - mx;
        double dy = log(ranked(block, n_g, r)) - my;
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
    unit_rec *rec = NULL;
    size_t m = 0;
    qc_status status = tally(s, NULL, 0, &t, err);
    if (status != QC_OK)
        return status;
    status = sorted_units(s, NULL, t, &rec, &m);
    if (status != QC_OK)
        goto cleanup;
    for (size_t g = 0; g < s->n_groups; g++) {
        if (slope != NULL)
            slope[g] = NAN;
        if (r2 != NULL)
            r2[g] = NAN;
    }
    size_t first = 0;
    while (first < m) {
        int64_t g = rec[first].g;
        size_t n_g = (size_t)t[g].n;
        size_t used = top > 0 && top < n_g ? top : n_g;
        if (!t[g].nan && used >= 2 && ranked(rec + first, n_g, used - 1) > 0) {
            double b, fit;
            fit_rank_size(rec + first, n_g, used, &b, &fit);
            if (slope != NULL)
                slope[g] = b;
            if (r2 != NULL)
                r2[g] = fit;
        }
        first += n_g;
    }
cleanup:
    qc_free(rec);
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
