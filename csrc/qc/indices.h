/*
 * qc/indices.h: the index family regional scientists use to measure spatial
 * structure: inequality and concentration, morphological polycentricity,
 * flow structure of an origin-destination matrix, and specialisation and
 * complementarity of functional profiles.
 *
 * Formulas, conventions and sources are stated on each function here and in
 * docs/conventions.md. Values are doubles; results that are mathematically
 * undefined (0/0, an empty group, fewer units than the index needs) are NaN,
 * never an error. Bad input (negative sizes, a NaN under QC_NAN_RAISE, a group
 * outside its bound) is an error that names the argument and the element.
 *
 * Grouped kernels take an int64 group per unit (-1 leaves a unit out) and
 * compute every group in one call: O(n) for moment-based indices (two passes
 * over the data), and O(n) radix-sort passes where an order is needed (Gini,
 * primacy, rank-size; one scratch copy of the units). Nothing here keeps
 * state between calls.
 */
#ifndef QC_INDICES_H
#define QC_INDICES_H

#include "qc/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What a NaN in the input does (scipy's nan_policy). */
typedef enum {
    QC_NAN_PROPAGATE = 0, /* the result it touches is NaN */
    QC_NAN_OMIT = 1,      /* the unit (or matrix cell) is left out */
    QC_NAN_RAISE = 2      /* QC_EINVAL naming the element */
} qc_nan_policy;

/*
 * Units with a value each, optionally split into groups. Borrowed: the
 * caller owns the arrays. group == NULL puts every unit in group 0 and then
 * n_groups must be 1; otherwise group[i] is in [0, n_groups) or -1.
 */
typedef struct {
    size_t n;
    const double *x;
    const int64_t *group;
    size_t n_groups;
    qc_nan_policy nan;
} qc_sample;

/*
 * Integer labels to the group codes a qc_sample takes, groups numbered in
 * order of first appearance (as pandas.factorize(sort=False) numbers them),
 * through a table over the labels' range where a hash table would probe:
 * code[i] gets label[i]'s group, first[g] the index of the unit where group
 * g first appears (first needs room for n entries), *n_groups their count.
 * QC_ELIMIT, writing nothing, when the labels span max_span values or more
 * (max - min >= max_span): the caller then hashes. The table costs eight
 * bytes a value of the span.
 * Errors: QC_EINVAL (an array missing), QC_ELIMIT, QC_ENOMEM.
 */
qc_status qc_label_codes(const int64_t *label, size_t n, size_t max_span,
                         int64_t *code, int64_t *first, size_t *n_groups,
                         qc_errinfo *err);

/*
 * Gini coefficient per group, written to out[n_groups]:
 *   G = sum_i sum_j w_i w_j |x_i - x_j| / (2 W^2 mu),  mu = sum w x / W,
 * computed from the sorted values (radix sort, O(n)). weight == NULL gives every
 * unit weight 1 (then G = sum_i (2i - n - 1) x_(i) / (n sum x), PySAL's
 * form). corrected != 0 multiplies by n / (n - 1) (unit count; not allowed
 * with weights: QC_EINVAL). x and weights must be >= 0. Sum 0 or no unit:
 * NaN; corrected with n = 1: NaN.
 * Errors: QC_EINVAL, QC_EINDEX, QC_ENOMEM (the sorted values, a scratch copy
 * of the largest group, two offsets per group).
 */
qc_status qc_gini(const qc_sample *s, const double *weight, int corrected,
                  double *out, qc_errinfo *err);

typedef enum { QC_THEIL_T = 0, QC_THEIL_L = 1 } qc_theil_kind;

/*
 * Theil index per group (per_group[n_groups]) and its decomposition over
 * the groups (decomposition[3] = total, between, within; total = between +
 * within). With mu the mean and s_g the group's share of the total:
 *   T = (1/n) sum (x/mu) ln(x/mu)          (0 ln 0 = 0)
 *   L = (1/n) sum ln(mu/x)                 (mean log deviation)
 *   T_between = sum_g s_g ln(s_g n / n_g),  T_within = sum_g s_g T_g
 *   L_between = sum_g (n_g/n) ln(mu/mu_g),  L_within = sum_g (n_g/n) L_g
 * Units with group -1 are outside the decomposition altogether. x >= 0;
 * a zero makes L of its group (and the total) NaN, since ln(mu/0)
 * diverges. units[n_groups] and totals[n_groups] get each group's units
 * and the sum of their values (what the shares are made of). Any output
 * may be NULL.
 * Errors: QC_EINVAL, QC_EINDEX, QC_ENOMEM.
 */
qc_status qc_theil(const qc_sample *s, qc_theil_kind kind, double *per_group,
                   double *decomposition, double *units, double *totals,
                   qc_errinfo *err);

/*
 * Atkinson index per group: A = 1 - (mean (x/mu)^(1-e))^(1/(1-e)) for
 * e != 1 and A = 1 - exp(mean ln(x/mu)) for e = 1. epsilon >= 0, x >= 0;
 * a zero with e >= 1 gives A = 1 (the equally distributed equivalent is 0).
 * Errors: QC_EINVAL, QC_EINDEX, QC_ENOMEM.
 */
qc_status qc_atkinson(const qc_sample *s, double epsilon, double *out,
                      qc_errinfo *err);

/*
 * Concentration per group from the shares p = x / sum x: Herfindahl-
 * Hirschman H = sum p^2 and Shannon entropy E = -sum p ln p (0 ln 0 = 0),
 * with the number of units used in count (any output may be NULL; the
 * normalised forms follow from count). x >= 0; sum 0: NaN.
 * Errors: QC_EINVAL, QC_EINDEX, QC_ENOMEM.
 */
qc_status qc_concentration(const qc_sample *s, double *hhi, double *entropy,
                           int64_t *count, qc_errinfo *err);

/*
 * Coefficient of variation per group: sqrt(sum (x - mu)^2 / (n - ddof)) / mu.
 * Any sign is accepted; mu = 0 or n <= ddof gives NaN. ddof >= 0.
 * Errors: QC_EINVAL, QC_EINDEX, QC_ENOMEM.
 */
qc_status qc_cv(const qc_sample *s, double ddof, double *out, qc_errinfo *err);

/*
 * Primacy per group: P1 / (P2 + ... + Pk) over the sizes in descending
 * order (k = 2: P1/P2; k = 4: the four-city index). k >= 2; fewer than k
 * units or a zero denominator: NaN. Sizes >= 0.
 * Errors: QC_EINVAL, QC_EINDEX, QC_ENOMEM.
 */
qc_status qc_primacy(const qc_sample *s, size_t k, double *out,
                     qc_errinfo *err);

/*
 * Rank-size regression per group: OLS of ln(size) on ln(rank) over the
 * `top` largest units (top = 0: all), ranks 1, 2, ... in descending order
 * of size. slope and r2 get the fitted slope and
 * R^2 (either may be NULL). Fewer than 2 units, or a zero size among them:
 * NaN; all sizes equal: slope 0, R^2 NaN. Sizes >= 0.
 * Errors: QC_EINVAL, QC_EINDEX, QC_ENOMEM.
 */
qc_status qc_rank_size(const qc_sample *s, size_t top, double *slope,
                       double *r2, qc_errinfo *err);

/*
 * An origin-destination matrix: w[i * n + j] is the flow from node i to
 * node j, >= 0. The diagonal (flows within a node) is ignored everywhere.
 * Under QC_NAN_OMIT a NaN cell counts as no flow. Borrowed.
 */
typedef struct {
    size_t n;
    const double *w;
    qc_nan_policy nan;
} qc_od;

/* Positions in the network output of qc_flow_summary. */
enum {
    QC_FLOW_TOTAL = 0,       /* sum of flows between distinct nodes */
    QC_FLOW_SYMMETRY,        /* sum_{i!=j} min(w_ij, w_ji) / total */
    QC_FLOW_CORE_INFLOW,     /* share of the total that ends in a core node */
    QC_FLOW_CORE_OUTFLOW,    /* share of the total that leaves a core node */
    QC_FLOW_SECONDARY,       /* share between two non-core nodes */
    QC_FLOW_NETWORK_N
};

/*
 * Node and network summaries of an OD matrix. Per node (each output
 * n entries, any may be NULL): inflow, outflow, and the entropy of the
 * node's outflow over destinations, -sum_j p_ij ln p_ij with p_ij =
 * w_ij / outflow_i (NaN when outflow is 0). core (n entries, 0 or 1) marks
 * core nodes; NULL means no node is core (core shares 0). network gets
 * QC_FLOW_NETWORK_N values; shares are NaN when the total is 0.
 * Errors: QC_EINVAL (negative flow, NaN under raise, bad core flag).
 * O(n^2) time, no allocation.
 */
qc_status qc_flow_summary(const qc_od *od, const int64_t *core,
                          double *inflow, double *outflow, double *entropy,
                          double *network, qc_errinfo *err);

typedef enum {
    QC_DEGREE_IN = 0,
    QC_DEGREE_OUT = 1,
    QC_DEGREE_TOTAL = 2
} qc_degree;

/* Positions in the output of qc_green_polycentricity. */
enum {
    QC_GREEN_SD = 0,        /* population sd of the valued nodal degrees */
    QC_GREEN_SD_MAX,        /* sd of the two-node network {0, max degree} */
    QC_GREEN_EVENNESS,      /* 1 - sd / sd_max */
    QC_GREEN_DENSITY,       /* share of ordered pairs with a flow > 0 */
    QC_GREEN_VALUED_DENSITY,/* total / (n (n-1) max flow) */
    QC_GREEN_POLYCENTRICITY,/* evenness x density (Green 2007) */
    QC_GREEN_N
};

/*
 * Green's (2007) functional polycentricity, P = (1 - sd/sd_max) * density,
 * on valued degrees (inflow, outflow or both). n < 2 or no flow: NaN.
 * Errors: QC_EINVAL. O(n^2) time, one array of n doubles.
 */
qc_status qc_green_polycentricity(const qc_od *od, qc_degree degree,
                                  double *out, qc_errinfo *err);

/*
 * Row-wise distance between two profiles: out[r] = sum_c |a_rc / A_r -
 * b_rc / B_r| with A_r, B_r the row sums (Krugman's dissimilarity; half of
 * it is Hoover's coefficient). a and b are n_rows x n_cols, row-major,
 * values >= 0. A zero row sum: NaN. Under QC_NAN_OMIT a NaN cell is left
 * out of both profiles of its row.
 * Errors: QC_EINVAL. O(n_rows n_cols), no allocation.
 */
qc_status qc_share_distance(const double *a, const double *b, size_t n_rows,
                            size_t n_cols, qc_nan_policy nan, double *out,
                            qc_errinfo *err);

/*
 * Location quotients, element by element over n entries:
 *   LQ = (e_ij / e_j) / (e_i / e).
 * nested != 0 checks that the parts do not exceed their wholes (e_ij <=
 * e_j, e_ij <= e_i, e_j <= e, e_i <= e), as REAT's locq does; the
 * Duranton-Puga ratio form passes 0. Values >= 0; a zero denominator: NaN
 * (or inf for a positive numerator over a zero share).
 * Errors: QC_EINVAL. O(n), no allocation.
 */
qc_status qc_location_quotient(const double *e_ij, const double *e_j,
                               const double *e_i, const double *e, size_t n,
                               int nested, qc_nan_policy nan, double *out,
                               qc_errinfo *err);

#ifdef __cplusplus
}
#endif

#endif /* QC_INDICES_H */
