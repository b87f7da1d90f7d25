/*
 * qc/agree.h: inter-coder agreement. One pass over the reliability data
 * tallies everything the coefficients need (Gwet 2014's per-unit counts,
 * Krippendorff's coincidence matrix, each coder's marginals); the
 * coefficients are then computed from the tally, and bootstrap replicates
 * re-tally resampled units or redraw coincidences.
 *
 * Reliability data: n_units x n_coders category indices (row-major by unit),
 * each in [0, n_cats) or -1 for a missing rating.
 */
#ifndef QC_AGREE_H
#define QC_AGREE_H

#include "qc/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    size_t n_units;
    size_t n_coders;
    size_t n_cats;
    const int64_t *value; /* n_units * n_coders, borrowed */
} qc_ratings;

/* Optional parts of a tally: the coincidence matrix (alpha) and the coders'
   marginals (Conger) cost time that other coefficients need not pay. */
enum {
    QC_TALLY_COINCIDENCE = 1u,
    QC_TALLY_CODERS = 2u,
    QC_TALLY_ALL = 3u
};

/*
 * What the coefficients are built from. The caller owns the arrays and sizes
 * them as noted; qc_agree_tally adds to every field, so tallies of disjoint
 * sets of units combine by addition (the caller zeroes a fresh tally).
 * `parts` says which optional parts are kept (QC_TALLY_*); the others are
 * left untouched.
 */
typedef struct {
    unsigned parts;
    double rated_units;    /* units with at least one rating */
    double paired_units;   /* units with at least two ratings */
    double pairs;          /* sum over paired units of r_u (r_u - 1) / 2 */
    double agreement;      /* sum over paired units of
                              sum_k r_uk (r*_uk - 1) / (r_u (r_u - 1)),
                              r*_uk = sum_l w_kl r_ul (Gwet 2014), which
                              (1 on the diagonal) weighs a pair by
                              (w_kl + w_lk) / 2; with two
                              coders plus (w_ab - w_ba) / 2 for a unit rated
                              a by coder 0 and b by coder 1, so that the pair
                              weighs w_ab (coder order, Cohen 1968) */
    double *share;         /* n_cats: sum over rated units of r_uk / r_u */
    double *coincidence;   /* n_cats^2: Krippendorff's o_ck over paired units */
    double *coder_counts;  /* n_coders x n_cats: ratings of coder g in k */
    double *coder_units;   /* n_coders: units coder g rated */
} qc_agree_tally;

/*
 * Checks a tally that did not come from qc_agree_tally_add as it is (a
 * caller's sum of tallies, or one read back from elsewhere), once, before any
 * loop reads it: parts within QC_TALLY_ALL; rated_units, paired_units and
 * pairs whole numbers >= 0 with paired_units <= rated_units and
 * pairs >= paired_units; agreement finite; share (n_cats), coincidence
 * (n_cats^2, when parts holds it) and coder_counts and coder_units (when
 * parts holds them and n_coders > 0; 0 checks none) finite and >= 0; and
 * pairs consistent with the total n of the coincidences, n / 2 <= pairs <=
 * n (n - 1) / 2, which bounds the work of qc_alpha_bootstrap by the data.
 * qc_agree_coefficient and qc_alpha_bootstrap call it. Errors: QC_EINVAL
 * (err->arg "tally.<field>", the value as a double), QC_EOVERFLOW.
 */
qc_status qc_agree_tally_check(const qc_agree_tally *tally, size_t n_coders,
                               size_t n_cats, qc_errinfo *err);

/*
 * Adds the tally of the units to *tally. weights is an n_cats x n_cats
 * agreement-weight matrix (NULL: identity), row-major: w_kl = weights[k *
 * n_cats + l] weighs coder 0 saying k and coder 1 saying l when there are two
 * coders; with more coders only its symmetric part (w + w^T) / 2 counts.
 * multiplicity (NULL: all 1) counts
 * each unit that many times, which is how a bootstrap resample is tallied
 * without copying data.
 *
 * Errors: QC_EINVAL (missing arrays, no categories, a weight that is not
 * finite, a negative multiplicity), QC_EINDEX (a value outside [-1, n_cats);
 * err names "values"), QC_ENOMEM. Time O(units * coders^2);
 * scratch O(n_cats).
 */
qc_status qc_agree_tally_add(const qc_ratings *ratings, const double *weights,
                             const int64_t *multiplicity, qc_agree_tally *tally,
                             qc_errinfo *err);

typedef enum {
    QC_AGREE_PERCENT = 0,  /* pa alone */
    QC_AGREE_FLEISS,       /* pe = sum w_kl pi_k pi_l */
    QC_AGREE_GWET,         /* AC1/AC2: pe = T_w sum pi_k (1 - pi_k) / (q (q - 1)) */
    QC_AGREE_BRENNAN_PREDIGER, /* pe = T_w / q^2 */
    QC_AGREE_CONGER,       /* pe from each coder's marginals; two coders:
                              Cohen's sum w_kl p_0k p_1l, in coder order */
    QC_AGREE_ALPHA         /* Krippendorff: 1 - D_o / D_e */
} qc_agree_method;

typedef enum {
    QC_METRIC_NOMINAL = 0,
    QC_METRIC_ORDINAL,
    QC_METRIC_INTERVAL,
    QC_METRIC_RATIO
} qc_metric;

/*
 * A coefficient and its parts: for kappa-type methods observed and expected
 * are the agreements pa and pe; for alpha the disagreements D_o and D_e.
 * value is NaN (never a finite stand-in) when its denominator is 0, e.g. no
 * paired unit, a single category, or expected agreement 1.
 */
typedef struct {
    double observed;
    double expected;
    double value;
} qc_agree_result;

/*
 * Computes a coefficient from a tally. weights as for qc_agree_tally_add (it
 * must be the matrix the tally was made with, and n_coders the tally's: with
 * two, an asymmetric matrix is read in coder order, as Cohen 1968 and irrCAC's
 * two-rater tables do; Fleiss', Gwet's and Brennan-Prediger's chance agreement
 * depend on the symmetric part only). For QC_AGREE_ALPHA, metric
 * selects the difference function and category_values (n_cats finite
 * numbers, >= 0 for ratio; err names "category_values") the values of the
 * categories that interval and ratio need (ordinal ranks them in order).
 *
 * Errors: QC_EINVAL (bad method or metric, missing category_values, values
 * that are not finite or, for ratio, negative, weights that are not finite, a
 * tally that qc_agree_tally_check refuses or without the part the method
 * needs), QC_EOVERFLOW.
 */
qc_status qc_agree_coefficient(const qc_agree_tally *tally, size_t n_coders,
                               size_t n_cats, const double *weights,
                               qc_agree_method method, qc_metric metric,
                               const double *category_values, qc_agree_result *out,
                               qc_errinfo *err);

/*
 * Percentile bootstrap by units: n_boot replicates, each tallying n_units units
 * drawn with replacement (seeded, reproducible across platforms), writing the
 * replicate coefficients to out[0 .. n_boot-1]. Errors: those of
 * qc_agree_tally_add and qc_agree_coefficient's method checks, QC_ENOMEM.
 */
qc_status qc_agree_bootstrap_units(const qc_ratings *ratings,
                                   const double *weights,
                                   qc_agree_method method, qc_metric metric,
                                   const double *category_values, size_t n_boot,
                                   uint64_t seed, double *out, qc_errinfo *err);

/*
 * Krippendorff's bootstrap of alpha (alpha-boot, 2006, rev. 2011): each
 * replicate draws `draws` pairs of values from the coincidence matrix with
 * probabilities o_ck / n.., averages their metric differences into a D_o and
 * divides by the tally's D_e. draws is the number of pairable pairs
 * (tally->pairs) unless the caller caps it: more is refused. The tally is
 * checked first (qc_agree_tally_check), so the n_boot x draws draws are
 * bounded by the data. Errors: QC_EINVAL (a tally refused, or without its
 * coincidences; draws above tally->pairs; bad metric or category_values),
 * QC_EOVERFLOW, QC_ENOMEM.
 */
qc_status qc_alpha_bootstrap(const qc_agree_tally *tally, size_t n_cats,
                             qc_metric metric, const double *category_values,
                             size_t draws, size_t n_boot, uint64_t seed,
                             double *out, qc_errinfo *err);

/*
 * Encodes numeric ratings: values is n_coders x n_units (row-major, NaN for
 * missing, as ratings are usually laid out); codes (caller-owned, n_units x
 * n_coders) receives each value's position among the distinct values, -1 for
 * NaN. On success *categories owns the distinct values in ascending order
 * (release with qc_free) and *n_cats is their number. -0.0 equals 0.0.
 *
 * Errors: QC_EINVAL (an infinite value; err names "values"), QC_ENOMEM.
 * O(n) expected time with a hash table of the distinct values.
 */
qc_status qc_agree_encode(const double *values, size_t n_coders,
                          size_t n_units, int64_t *codes, double **categories,
                          size_t *n_cats, qc_errinfo *err);

/* A tally's arrays allocated (zeroed) by the core; release with
   qc_agree_tally_free. */
qc_status qc_agree_tally_new(size_t n_coders, size_t n_cats,
                             qc_agree_tally *tally);
void qc_agree_tally_free(qc_agree_tally *tally);

#ifdef __cplusplus
}
#endif

#endif /* QC_AGREE_H */
