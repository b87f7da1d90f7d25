/*
 * Fuzzes inter-coder agreement (qc/agree.h): qc_agree_encode on numeric
 * ratings, tallies (qc_agree_tally_add, with weights, multiplicities and
 * each choice of optional parts), every coefficient and metric, and both
 * bootstraps with at most 50 replicates of at most 50 draws.
 *
 * Input: a flags byte, an allocation-failure byte, then the sizes (up to 64
 * units, 8 coders, 40 categories: both sides of the 8- and 32-category fast
 * paths), method, metric, replicate and draw counts, a seed, and the
 * ratings (category bytes, or numbers that qc_agree_encode turns into
 * categories), weights, multiplicities and category values.
 *
 * Checks beyond "no crash" and "no hang":
 *  - every status is one the header documents for that call (malformed
 *    sizes, methods, metrics, values and multiplicities are refused, and
 *    the error names the offending element); well-formed input is not;
 *  - qc_agree_encode: categories ascending and distinct, each code's
 *    category equal to its value (-0.0 as 0.0), NaN as -1;
 *  - a tally equals a direct computation of every field from the
 *    definitions in qc/agree.h (rated and paired units, pairs, agreement
 *    with weights and the two-coder coder-order term, shares, Krippendorff's
 *    coincidences, coders' marginals), leaves the parts it was not asked
 *    for untouched, and tallies of two halves add up to the whole;
 *  - with weights in [0, 1], observed agreement lies in [0, 1] and every
 *    coefficient and bootstrap replicate is NaN or at most 1;
 *  - bootstraps are reproducible: the same seed gives the same replicates.
 */
#include "fuzz_common.h"
#include "qc/agree.h"

#include <math.h>

enum { MAX_UNITS = 64, MAX_CODERS = 8, MAX_CATS = 40, MAX_BOOT = 50, MAX_DRAWS = 50 };

typedef struct {
    int armed;
} context;

/* Relative closeness, for sums taken in another order. */
static int close_to(double got, double want)
{
    if (isnan(got) || isnan(want))
        return isnan(got) && isnan(want);
    return fabs(got - want) <= 1e-9 * (1 + fabs(want));
}

/* The tally of units [u0, u1), computed directly from the definitions. */
static void direct_tally(const qc_ratings *r, const double *w, const int64_t *mult, size_t u0,
                         size_t u1, qc_agree_tally *t)
{
    const size_t K = r->n_cats, G = r->n_coders;
    for (size_t u = u0; u < u1; u++) {
        const int64_t *row = r->value + u * G;
        double m = mult ? (double)mult[u] : 1.0, count[MAX_CATS] = {0}, r_u = 0;
        for (size_t g = 0; g < G; g++) {
            if (row[g] < 0)
                continue;
            count[row[g]]++;
            r_u++;
            t->coder_counts[g * K + (size_t)row[g]] += m;
            t->coder_units[g] += m;
        }
        if (r_u == 0)
            continue;
        t->rated_units += m;
        for (size_t k = 0; k < K; k++)
            t->share[k] += m * count[k] / r_u;
        if (r_u < 2)
            continue;
        t->paired_units += m;
        t->pairs += m * r_u * (r_u - 1) / 2;
        /* sum_k r_uk (r*_uk - 1), r*_uk = sum_l w_kl r_ul */
        double agreeing = 0;
        for (size_t k = 0; k < K; k++) {
            double star = 0;
            for (size_t l = 0; l < K; l++)
                star += (w ? w[k * K + l] : (double)(k == l)) * count[l];
            agreeing += count[k] * (star - 1);
        }
        if (w != NULL && G == 2) /* the pair weighs w_ab in coder order */
            agreeing += w[(size_t)row[0] * K + (size_t)row[1]] - w[(size_t)row[1] * K + (size_t)row[0]];
        t->agreement += m * agreeing / (r_u * (r_u - 1));
        for (size_t c = 0; c < K; c++)
            for (size_t k = 0; k < K; k++)
                t->coincidence[c * K + k] += m * count[c] * (count[k] - (c == k)) / (r_u - 1);
    }
}

/* Compares every field; agreement only with finite weights (any doubles
   make sums that depend on their order, and 0 x NaN terms the core skips). */
static void check_tally(const qc_agree_tally *got, const qc_agree_tally *want, size_t G,
                        size_t K, unsigned parts, int finite_weights)
{
    FZ_CHECK(close_to(got->rated_units, want->rated_units));
    FZ_CHECK(close_to(got->paired_units, want->paired_units));
    FZ_CHECK(close_to(got->pairs, want->pairs));
    if (finite_weights)
        FZ_CHECK(close_to(got->agreement, want->agreement));
    for (size_t k = 0; k < K; k++)
        FZ_CHECK(close_to(got->share[k], want->share[k]));
    /* parts not asked for are left as they were: zero */
    for (size_t i = 0; i < K * K; i++)
        FZ_CHECK(close_to(got->coincidence[i], parts & QC_TALLY_COINCIDENCE ? want->coincidence[i] : 0));
    for (size_t g = 0; g < G; g++) {
        FZ_CHECK(close_to(got->coder_units[g], parts & QC_TALLY_CODERS ? want->coder_units[g] : 0));
        for (size_t k = 0; k < K; k++)
            FZ_CHECK(close_to(got->coder_counts[g * K + k],
                              parts & QC_TALLY_CODERS ? want->coder_counts[g * K + k] : 0));
    }
}

/* A category value or weight from the input: small steps, or (raw) any
   double the bytes spell, NaN and infinities included. */
static double number(fz_input *in, int raw)
{
    if (raw) {
        uint64_t bits = fz_u64(in);
        double x;
        memcpy(&x, &bits, sizeof x);
        return x;
    }
    return (double)fz_u8(in) / 4;
}

/* Bootstraps twice with one seed: the status, and the replicates (bit for
   bit) must repeat. */
/* Category values the interval and ratio metrics refuse: none, one that is
   not finite, or (ratio) a negative one. */
static int bad_category_values(qc_metric metric, const double *values, size_t n_cats)
{
    if (metric != QC_METRIC_INTERVAL && metric != QC_METRIC_RATIO)
        return 0;
    if (values == NULL)
        return 1;
    for (size_t k = 0; k < n_cats; k++)
        if (!isfinite(values[k]) || (metric == QC_METRIC_RATIO && values[k] < 0))
            return 1;
    return 0;
}

static qc_status bootstrap_twice(const context *ctx, int alpha, const qc_ratings *r,
                                 const qc_agree_tally *t, const double *w, qc_agree_method method,
                                 qc_metric metric, const double *values, size_t draws,
                                 size_t n_boot, uint64_t seed, double *out)
{
    double again[MAX_BOOT];
    qc_errinfo err = {0};
    qc_status first, second;
    if (alpha) {
        first = qc_alpha_bootstrap(t, r->n_cats, metric, values, draws, n_boot, seed, out, &err);
        second = qc_alpha_bootstrap(t, r->n_cats, metric, values, draws, n_boot, seed, again, &err);
    } else {
        first = qc_agree_bootstrap_units(r, w, method, metric, values, n_boot, seed, out, &err);
        second = qc_agree_bootstrap_units(r, w, method, metric, values, n_boot, seed, again, &err);
    }
    if (first == QC_OK && second == QC_OK)
        FZ_CHECK(memcmp(out, again, n_boot * sizeof *out) == 0);
    else if (!ctx->armed)
        FZ_CHECK(first == second);
    return first != QC_OK ? first : second;
}

/* A bootstrap's status: refused (QC_EINVAL) when the caller knows it must
   be, else done; either may run out of memory when allocation failure is
   armed. Done and bounded, every replicate is NaN or at most 1. */
static void check_bootstrap(const context *ctx, qc_status status, int refused, int bounded,
                            const double *out, size_t n_boot)
{
    if (refused)
        FZ_CHECK(status == QC_EINVAL || (ctx->armed && status == QC_ENOMEM));
    else
        FZ_CHECK_STATUS(status, FZ_ST(QC_OK) | (ctx->armed ? FZ_ST(QC_ENOMEM) : 0));
    if (status == QC_OK && bounded)
        for (size_t b = 0; b < n_boot; b++)
            FZ_CHECK(isnan(out[b]) || out[b] <= 1 + 1e-9);
}

int LLVMFuzzerTestOneInput(const uint8_t *input, size_t size)
{
    if (size > FZ_MAX_INPUT)
        return 0;
    fz_input in = {input, size};
    uint8_t flags = fz_u8(&in), alloc_spec = fz_u8(&in);
    size_t n_units = fz_u8(&in) % (MAX_UNITS + 1), n_coders = fz_u8(&in) % (MAX_CODERS + 1);
    size_t n_cats = fz_u8(&in) % (MAX_CATS + 1);
    unsigned parts = fz_u8(&in) % 4;
    qc_agree_method method = (qc_agree_method)(fz_u8(&in) % 7); /* 6 is no method */
    qc_metric metric = (qc_metric)(fz_u8(&in) % 5);              /* 4 is no metric */
    size_t n_boot = fz_u8(&in) % (MAX_BOOT + 1), draws = fz_u8(&in) % (MAX_DRAWS + 1);
    uint64_t seed = fz_u64(&in);
    size_t half = fz_u8(&in) % (n_units + 1);
    int encoded = flags & 1, raw_weights = (flags & 2) != 0, raw_values = (flags & 4) != 0;
    int bad_values = (flags & 8) != 0, bad_mult = (flags & 16) != 0;

    context ctx = {0};
    qc_errinfo err = {0};
    int64_t value[MAX_UNITS * MAX_CODERS];
    if (encoded) {
        /* numbers, coder by coder, encoded into categories */
        double numbers[MAX_UNITS * MAX_CODERS];
        for (size_t i = 0; i < n_units * n_coders; i++) {
            uint8_t b = fz_u8(&in);
            numbers[i] = b == 255 ? NAN : b == 254 ? INFINITY : b == 253 ? -0.0
                         : raw_values               ? (double)(int8_t)b * 1e300
                                                    : (double)(b % 16) / 2;
        }
        double *categories = NULL;
        size_t n_found = SIZE_MAX;
        ctx.armed = fz_arm_alloc_failure(alloc_spec);
        qc_status status = qc_agree_encode(numbers, n_coders, n_units, value, &categories,
                                           &n_found, &err);
        fz_disarm_alloc_failure();
        size_t first_inf = SIZE_MAX;
        for (size_t i = 0; i < n_units * n_coders && first_inf == SIZE_MAX; i++)
            if (isinf(numbers[i]))
                first_inf = i;
        if (first_inf != SIZE_MAX) {
            FZ_CHECK(status == QC_EINVAL || (ctx.armed && status == QC_ENOMEM));
            if (status == QC_EINVAL)
                FZ_CHECK(strcmp(err.arg, "values") == 0 && err.index < n_units * n_coders &&
                         isinf(numbers[err.index]));
        } else {
            FZ_CHECK_STATUS(status, FZ_ST(QC_OK) | (ctx.armed ? FZ_ST(QC_ENOMEM) : 0));
        }
        if (status != QC_OK) {
            qc_free(categories);
            return 0;
        }
        for (size_t k = 1; k < n_found; k++)
            FZ_CHECK(categories[k - 1] < categories[k]);
        for (size_t g = 0; g < n_coders; g++)
            for (size_t u = 0; u < n_units; u++) {
                double x = numbers[g * n_units + u];
                int64_t code = value[u * n_coders + g];
                if (isnan(x))
                    FZ_CHECK(code == -1);
                else
                    FZ_CHECK(code >= 0 && (size_t)code < n_found && categories[code] == x);
            }
        qc_free(categories);
        n_cats = n_found;
    } else {
        for (size_t i = 0; i < n_units * n_coders; i++) {
            uint8_t b = fz_u8(&in);
            /* -1 (missing) .. n_cats - 1, or with bad_values also n_cats and -2 */
            value[i] = bad_values ? (int64_t)(b % (n_cats + 3)) - 2 : (int64_t)(b % (n_cats + 1)) - 1;
        }
    }
    if (n_cats > MAX_CATS)
        return 0; /* encoded ratings with more distinct numbers than the bounds allow */

    /* weights: none, or agreement weights (1 on the diagonal, others in
       [0, 1], not necessarily symmetric), or any doubles (raw) */
    double weights[MAX_CATS * MAX_CATS];
    const double *w = NULL;
    if (flags & 32) {
        for (size_t i = 0; i < n_cats * n_cats; i++)
            weights[i] = raw_weights           ? number(&in, 1)
                         : i % (n_cats + 1) == 0 ? 1.0
                                               : (double)(fz_u8(&in) % 5) / 4;
        w = weights;
    }
    double values_buf[MAX_CATS];
    const double *values = NULL;
    if (flags & 64) {
        for (size_t k = 0; k < n_cats; k++)
            values_buf[k] = raw_values ? number(&in, 1) : (double)k + number(&in, 0);
        values = values_buf;
    }
    /* multiplicities: 0 to 3, -1 with bad_mult, and from bytes 252 up
       near INT64_MAX (the binding passes any int64 a caller gives) */
    int64_t mult_buf[MAX_UNITS];
    const int64_t *mult = NULL;
    int huge_mult = 0;
    if (flags & 128) {
        for (size_t u = 0; u < n_units; u++) {
            uint8_t b = fz_u8(&in);
            mult_buf[u] = b >= 252  ? INT64_MAX >> (b - 252)
                          : bad_mult ? (int64_t)(b % 5) - 1
                                     : b % 4;
            huge_mult |= b >= 252;
        }
        mult = mult_buf;
    }
    /* finite inputs everywhere: the bounds on coefficients apply, and sums
       taken in another order agree */
    int tame = (w == NULL || !raw_weights) && !huge_mult;
    tame &= values == NULL || !raw_values;

    qc_ratings r = {n_units, n_coders, n_cats, value};
    size_t first_bad = SIZE_MAX, first_neg = SIZE_MAX;
    for (size_t i = 0; i < n_units * n_coders && first_bad == SIZE_MAX; i++)
        if (value[i] < -1 || value[i] >= (int64_t)n_cats)
            first_bad = i;
    for (size_t u = 0; mult && u < n_units && first_neg == SIZE_MAX; u++)
        if (mult[u] < 0)
            first_neg = u;

    ctx.armed = fz_arm_alloc_failure(alloc_spec);
    qc_agree_tally t, direct, lo;
    qc_status status = qc_agree_tally_new(n_coders, n_cats, &t);
    FZ_CHECK_STATUS(status, FZ_ST(QC_OK) | (ctx.armed ? FZ_ST(QC_ENOMEM) : 0));
    if (status != QC_OK) {
        fz_disarm_alloc_failure();
        return 0;
    }
    t.parts = parts;
    size_t first_wild = SIZE_MAX; /* weights must be finite */
    for (size_t i = 0; w != NULL && i < n_cats * n_cats && first_wild == SIZE_MAX; i++)
        if (!isfinite(w[i]))
            first_wild = i;
    status = qc_agree_tally_add(&r, w, mult, &t, &err);
    if (n_cats == 0) {
        FZ_CHECK(status == QC_EINVAL && strcmp(err.arg, "n_cats") == 0);
    } else if (first_wild != SIZE_MAX) {
        FZ_CHECK(status == QC_EINVAL && strcmp(err.arg, "weights") == 0 && err.index == first_wild);
        qc_agree_tally_free(&t);
        fz_disarm_alloc_failure();
        return 0;
    } else if (first_neg != SIZE_MAX) {
        FZ_CHECK(status == QC_EINVAL && strcmp(err.arg, "multiplicity") == 0 &&
                 err.index == first_neg);
    } else if (first_bad != SIZE_MAX) {
        /* the first bad value of a unit the pass reads (a unit of
           multiplicity 0 may be skipped) */
        FZ_CHECK(status == QC_EINDEX || (ctx.armed && status == QC_ENOMEM) ||
                 (status == QC_OK && mult != NULL));
        if (status == QC_EINDEX)
            FZ_CHECK(strcmp(err.arg, "values") == 0 && err.index >= first_bad &&
                     err.index < n_units * n_coders &&
                     (value[err.index] < -1 || value[err.index] >= (int64_t)n_cats));
        if (status == QC_OK) /* every bad value sits in a unit counted 0 times */
            for (size_t i = 0; i < n_units * n_coders; i++)
                if (value[i] < -1 || value[i] >= (int64_t)n_cats)
                    FZ_CHECK(mult[i / n_coders] == 0);
    } else {
        FZ_CHECK_STATUS(status, FZ_ST(QC_OK) | (ctx.armed ? FZ_ST(QC_ENOMEM) : 0));
    }
    int valid = status == QC_OK && first_bad == SIZE_MAX;

    if (valid && !huge_mult && qc_agree_tally_new(n_coders, n_cats, &direct) == QC_OK) {
        direct_tally(&r, w, mult, 0, n_units, &direct);
        check_tally(&t, &direct, n_coders, n_cats, parts, tame);
        /* two halves add up to the whole */
        qc_ratings first = {half, n_coders, n_cats, value};
        qc_ratings second = {n_units - half, n_coders, n_cats, value + half * n_coders};
        if (qc_agree_tally_new(n_coders, n_cats, &lo) == QC_OK) {
            lo.parts = parts;
            status = qc_agree_tally_add(&first, w, mult, &lo, &err);
            if (status == QC_OK)
                status = qc_agree_tally_add(&second, w, mult ? mult + half : NULL, &lo, &err);
            FZ_CHECK_STATUS(status, FZ_ST(QC_OK) | (ctx.armed ? FZ_ST(QC_ENOMEM) : 0));
            if (status == QC_OK)
                check_tally(&lo, &direct, n_coders, n_cats, parts, tame);
            qc_agree_tally_free(&lo);
        }
        qc_agree_tally_free(&direct);
    }

    if (valid) {
        qc_agree_result res = {0, 0, 0};
        status = qc_agree_coefficient(&t, n_coders, n_cats, w, method, metric, values, &res, &err);
        unsigned needs = method == QC_AGREE_ALPHA    ? QC_TALLY_COINCIDENCE
                         : method == QC_AGREE_CONGER ? QC_TALLY_CODERS
                                                     : 0;
        int bad_method = (int)method > QC_AGREE_ALPHA;
        int bad_metric = method == QC_AGREE_ALPHA &&
                         ((int)metric > QC_METRIC_RATIO || bad_category_values(metric, values, n_cats));
        if (bad_method || bad_metric || (parts & needs) != needs) {
            FZ_CHECK(status == QC_EINVAL);
            const char *named = bad_method                     ? "method"
                                : !bad_metric                  ? "tally"
                                : (int)metric > QC_METRIC_RATIO ? "metric"
                                                               : "category_values";
            /* the tally's own sums are checked before its parts: raw
               weights or huge multiplicities may fail that check first */
            FZ_CHECK(strcmp(err.arg, named) == 0 ||
                     (!tame && !bad_method && !bad_metric && strncmp(err.arg, "tally.", 6) == 0));
        } else if (!tame && status == QC_EINVAL) {
            /* raw weights or huge multiplicities can make sums that are not
               finite, which the tally check refuses */
            FZ_CHECK(strncmp(err.arg, "tally.", 6) == 0);
        } else {
            FZ_CHECK_STATUS(status, FZ_ST(QC_OK) | (ctx.armed ? FZ_ST(QC_ENOMEM) : 0));
        }
        /* Conger's chance agreement with weights may pass 1 (its covariance
           terms are not all weighed alike), so its coefficient is unbounded */
        int bounded = tame && !(method == QC_AGREE_CONGER && w != NULL);
        if (status == QC_OK && bounded) {
            FZ_CHECK(isnan(res.value) || res.value <= 1 + 1e-9);
            if (method != QC_AGREE_ALPHA && !isnan(res.observed))
                FZ_CHECK(res.observed >= -1e-9 && res.observed <= 1 + 1e-9);
            if (method == QC_AGREE_PERCENT)
                FZ_CHECK(close_to(res.value, res.observed));
        }

        /* bootstraps: by units, and alpha's from the coincidences */
        double out[MAX_BOOT];
        status = bootstrap_twice(&ctx, 0, &r, &t, w, method, metric, values, 0, n_boot, seed, out);
        check_bootstrap(&ctx, status, bad_method || bad_metric, bounded, out, n_boot);
        int bad_alpha_metric = (int)metric > QC_METRIC_RATIO ||
                               bad_category_values(metric, values, n_cats);
        /* alpha's bootstrap draws from the coincidences, at most the tally's pairs */
        int refused_draws = !(t.parts & QC_TALLY_COINCIDENCE) || (double)draws > t.pairs;
        status = bootstrap_twice(&ctx, 1, &r, &t, w, method, metric, values, draws, n_boot, seed, out);
        check_bootstrap(&ctx, status, bad_alpha_metric || refused_draws || (!tame && status == QC_EINVAL),
                        tame, out, n_boot);
    }
    fz_disarm_alloc_failure();
    qc_agree_tally_free(&t);
    return 0;
}
