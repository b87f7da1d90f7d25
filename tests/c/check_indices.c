/*
 * qc/indices.h. Expected values are published worked examples (REAT's
 * manual, after Doersam 2004, Stoermann 2009 and Farhauer/Kroell 2013; the
 * Atkinson example of PySAL inequality) or follow from the formula on inputs
 * small enough to work by hand (shown in the comments).
 */
#include <math.h>

#include "qc/indices.h"
#include "qc/vlog.h"
#include "suites.h"

#include <float.h>
#include <stdlib.h>
#include <string.h>

#define TOL 1e-9

static qc_sample one_group(const double *x, size_t n)
{
    qc_sample s = {n, x, NULL, 1, QC_NAN_PROPAGATE};
    return s;
}

START_TEST(gini_reproduces_reat_examples)
{
    /* REAT gini(): sales c(20,50,20,10) -> 0.3, standardized 0.4 (Doersam) */
    const double sales[] = {20, 50, 20, 10};
    qc_sample s = one_group(sales, 4);
    double g;
    ck_assert_int_eq(qc_gini(&s, NULL, 0, &g, NULL), QC_OK);
    ck_assert_double_eq_tol(g, 0.3, TOL);
    ck_assert_int_eq(qc_gini(&s, NULL, 1, &g, NULL), QC_OK);
    ck_assert_double_eq_tol(g, 0.4, TOL);
    /* income classes weighted by their size -> 0.5278 (printed to 4 places) */
    const double income[] = {500, 1500, 2500, 4000, 7500, 15000};
    const double size[] = {1000, 1200, 1600, 400, 200, 600};
    s = one_group(income, 6);
    ck_assert_int_eq(qc_gini(&s, size, 0, &g, NULL), QC_OK);
    ck_assert_double_eq_tol(g, 0.5278, 5e-5);
    /* weights and the n/(n-1) correction do not mix */
    ck_assert_int_eq(qc_gini(&s, size, 1, &g, NULL), QC_EINVAL);
}
END_TEST

START_TEST(grouped_gini_equals_separate_calls)
{
    const double x[] = {3, 1, 99, 2, 7, 0, 5};
    const int64_t group[] = {0, 1, -1, 0, 1, 0, 2};
    qc_sample s = {7, x, group, 4, QC_NAN_PROPAGATE};
    double out[4];
    ck_assert_int_eq(qc_gini(&s, NULL, 0, out, NULL), QC_OK);
    /* group 0 = {3, 2, 0}: sum |xi - xj| over ordered pairs = 2 (1+3+2) = 12,
       G = 12 / (2 * 9 * 5/3) = 0.4 */
    ck_assert_double_eq_tol(out[0], 0.4, TOL);
    /* group 1 = {1, 7}: 2 * 6 / (2 * 4 * 4) = 0.375 */
    ck_assert_double_eq_tol(out[1], 0.375, TOL);
    ck_assert_double_eq_tol(out[2], 0.0, TOL); /* one unit */
    ck_assert(isnan(out[3]));                   /* empty group */
}
END_TEST

/* A reproducible stream for the larger cases (xorshift64). */
static uint64_t next_random(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

/* Gini from its definition, sum_i sum_j w_i w_j |x_i - x_j| / (2 W^2 mu),
   in O(n^2): the reference for the sorted kernel's blocks. */
static double gini_by_pairs(const double *x, const double *w, size_t n)
{
    double pairs = 0, weight = 0, total = 0;
    for (size_t i = 0; i < n; i++) {
        double wi = w ? w[i] : 1.0;
        weight += wi;
        total += wi * x[i];
        for (size_t j = 0; j < n; j++)
            pairs += wi * (w ? w[j] : 1.0) * fabs(x[i] - x[j]);
    }
    return pairs / (2 * weight * total);
}

START_TEST(gini_of_large_groups_equals_the_pairwise_definition)
{
    /* groups of 1 to 300 units: below and above the insertion-sort bound,
       values with ties, zeros (both signs) and a wide range of exponents */
    enum { N = 1200, GROUPS = 7 };
    static double x[N], w[N], member_x[N], member_w[N];
    static int64_t group[N];
    uint64_t state = 0x9e3779b97f4a7c15u;
    for (size_t i = 0; i < N; i++) {
        uint64_t r = next_random(&state);
        group[i] = i < 1 ? 5 : (int64_t)(r % GROUPS) - (i % 97 == 0); /* some -1 */
        x[i] = r % 11 == 0 ? 0.0 : r % 13 == 0 ? -0.0 : r % 7 == 0 ? 4.0
               : ldexp((double)(r >> 11), (int)(r % 40) - 60);
        w[i] = (double)(next_random(&state) % 5);
    }
    group[1] = 6; /* group 6: one unit besides whatever lands there */
    qc_sample s = {N, x, group, GROUPS, QC_NAN_PROPAGATE};
    double out[GROUPS], weighted[GROUPS];
    ck_assert_int_eq(qc_gini(&s, NULL, 0, out, NULL), QC_OK);
    ck_assert_int_eq(qc_gini(&s, w, 0, weighted, NULL), QC_OK);
    for (int64_t g = 0; g < GROUPS; g++) {
        size_t m = 0;
        for (size_t i = 0; i < N; i++)
            if (group[i] == g) {
                member_x[m] = x[i];
                member_w[m++] = w[i];
            }
        ck_assert_double_eq_tol(out[g], gini_by_pairs(member_x, NULL, m), 1e-12);
        ck_assert_double_eq_tol(weighted[g], gini_by_pairs(member_x, member_w, m), 1e-12);
    }
}
END_TEST

typedef struct {
    double x, w;
} weighted_value;

static int by_value(const void *a, const void *b)
{
    double x = ((const weighted_value *)a)->x, y = ((const weighted_value *)b)->x;
    return (x > y) - (x < y);
}

/* Gini through libc's qsort and the cumulative form of the definition:
   the reference for blocks too large for gini_by_pairs. */
static double gini_by_qsort(const double *x, const double *w, size_t n)
{
    weighted_value *v = malloc(n * sizeof *v);
    ck_assert_ptr_nonnull(v);
    double weight = 0, total = 0;
    for (size_t i = 0; i < n; i++) {
        v[i].x = x[i];
        v[i].w = w ? w[i] : 1.0;
        weight += v[i].w;
        total += v[i].w * v[i].x;
    }
    qsort(v, n, sizeof *v, by_value);
    double below = 0, acc = 0;
    for (size_t i = 0; i < n; i++) {
        acc += v[i].w * v[i].x * (2 * below + v[i].w - weight);
        below += v[i].w;
    }
    free(v);
    return acc / (weight * total);
}

START_TEST(gini_of_a_block_larger_than_the_cache_equals_qsorts)
{
    /* one block of 300,000 units: split on its highest differing byte
       before the LSD passes; values from a few exponents, with ties */
    enum { N = 300000 };
    double *x = malloc(N * sizeof *x), *w = malloc(N * sizeof *w);
    ck_assert_ptr_nonnull(x);
    ck_assert_ptr_nonnull(w);
    uint64_t state = 0x2545f4914f6cdd1du;
    for (size_t i = 0; i < N; i++) {
        uint64_t r = next_random(&state);
        x[i] = r % 5 == 0 ? (double)(r % 1000) : ldexp((double)(r >> 11), (int)(r % 9) - 50);
        w[i] = (double)(r % 3) + 0.5;
    }
    qc_sample s = one_group(x, N);
    double got;
    ck_assert_int_eq(qc_gini(&s, NULL, 0, &got, NULL), QC_OK);
    ck_assert_double_eq_tol(got, gini_by_qsort(x, NULL, N), 1e-12);
    ck_assert_int_eq(qc_gini(&s, w, 0, &got, NULL), QC_OK);
    ck_assert_double_eq_tol(got, gini_by_qsort(x, w, N), 1e-12);
    free(x);
    free(w);
}
END_TEST

START_TEST(label_codes_number_groups_by_first_appearance)
{
    const int64_t label[] = {110000, -5, 110000, 7, -5, 7, 320000};
    int64_t code[7], first[7];
    size_t n_groups = 99;
    ck_assert_int_eq(qc_label_codes(label, 7, 1000000, code, first, &n_groups, NULL), QC_OK);
    const int64_t want_code[] = {0, 1, 0, 2, 1, 2, 3}, want_first[] = {0, 1, 3, 6};
    ck_assert_uint_eq(n_groups, 4);
    ck_assert_mem_eq(code, want_code, sizeof want_code);
    ck_assert_mem_eq(first, want_first, sizeof want_first);
    /* the span is max - min = 320005: a bound of 320005 is too small */
    qc_errinfo err = {0};
    ck_assert_int_eq(qc_label_codes(label, 7, 320005, code, first, &n_groups, &err),
                     QC_ELIMIT);
    ck_assert_str_eq(err.arg, "label");
    ck_assert_int_eq(qc_label_codes(label, 7, 320006, code, first, &n_groups, NULL), QC_OK);
    /* the widest span, which overflows a signed difference */
    const int64_t extremes[] = {INT64_MAX, INT64_MIN};
    ck_assert_int_eq(qc_label_codes(extremes, 2, SIZE_MAX, code, first, &n_groups, NULL),
                     QC_ELIMIT);
    ck_assert_int_eq(qc_label_codes(NULL, 0, 1, NULL, NULL, &n_groups, NULL), QC_OK);
    ck_assert_uint_eq(n_groups, 0);
    ck_assert_int_eq(qc_label_codes(NULL, 3, 1, code, first, &n_groups, &err), QC_EINVAL);
    ck_assert_str_eq(err.arg, "label");
}
END_TEST

/* Units in the last place between a and b (both finite, same sign). */
static int64_t ulps_apart(double a, double b)
{
    int64_t ia, ib;
    memcpy(&ia, &a, sizeof ia);
    memcpy(&ib, &b, sizeof ib);
    return ia > ib ? ia - ib : ib - ia;
}

START_TEST(log_array_is_within_one_ulp_of_libm)
{
    /* libm's log is the reference: values across the whole exponent range
       and near 1 (where the reduction's boundary sqrt(2)/2 lies) */
    enum { N = 200003 }; /* odd: the vector loop leaves a tail */
    static double x[N], got[N];
    uint64_t state = 88172645463325252u;
    for (size_t i = 0; i < N; i++) {
        double u = (double)(next_random(&state) >> 11) / 9007199254740992.0;
        x[i] = i % 3 == 0 ? exp((u - 0.5) * 1400) : i % 3 == 1 ? 0.5 + u : 0.70710678118654752 + u * 1e-6;
    }
    qc_log_array(x, got, N);
    int64_t worst = 0;
    for (size_t i = 0; i < N; i++) {
        int64_t apart = ulps_apart(got[i], log(x[i]));
        worst = apart > worst ? apart : worst;
        /* the vector and scalar paths agree bit for bit */
        ck_assert(got[i] == qc_log_one(x[i]));
    }
    ck_assert_int_le(worst, 1);
    /* values outside the positive normals get libm's answers, also in a
       block of four the vector path takes otherwise */
    double special[] = {0.0, -0.0, -1.0, INFINITY, NAN, 4.9e-324, DBL_MIN, DBL_MAX, 1.0, 2.0, 0.5};
    enum { S = sizeof special / sizeof *special };
    double out[S];
    qc_log_array(special, out, S);
    for (size_t i = 0; i < S; i++) {
        double want = log(special[i]);
        ck_assert(isnan(want) ? isnan(out[i]) : out[i] == want);
    }
}
END_TEST

START_TEST(theil_matches_reat_and_decomposes)
{
    /* REAT theil(): c(10,10,10,20,50) -> 0.2326302 (Theil L, Stoermann) */
    const double x[] = {10, 10, 10, 20, 50};
    qc_sample s = one_group(x, 5);
    double per[1], dec[3];
    ck_assert_int_eq(qc_theil(&s, QC_THEIL_L, per, dec, NULL, NULL, NULL), QC_OK);
    ck_assert_double_eq_tol(per[0], 0.2326302, 5e-8);
    /* Theil T by hand: (1/5)(3 * 0.5 ln 0.5 + 2.5 ln 2.5) */
    ck_assert_int_eq(qc_theil(&s, QC_THEIL_T, per, dec, NULL, NULL, NULL), QC_OK);
    ck_assert_double_eq_tol(per[0], (1.5 * log(0.5) + 2.5 * log(2.5)) / 5, TOL);

    /* Two groups {1, 1} and {4, 4}: no within inequality, all between. */
    const double y[] = {1, 4, 1, 4};
    const int64_t group[] = {0, 1, 0, 1};
    qc_sample split = {4, y, group, 2, QC_NAN_PROPAGATE};
    double two[2];
    for (int kind = 0; kind < 2; kind++) {
        ck_assert_int_eq(qc_theil(&split, (qc_theil_kind)kind, two, dec, NULL, NULL, NULL), QC_OK);
        ck_assert_double_eq_tol(dec[2], 0.0, TOL);
        ck_assert_double_eq_tol(dec[0], dec[1], TOL);
    }
    /* T = (0.4 ln 0.4 + 1.6 ln 1.6) / 2 with mean 2.5 */
    ck_assert_int_eq(qc_theil(&split, QC_THEIL_T, two, dec, NULL, NULL, NULL), QC_OK);
    ck_assert_double_eq_tol(dec[0], (0.4 * log(0.4) + 1.6 * log(1.6)) / 2, TOL);
}
END_TEST

START_TEST(theil_edge_cases_are_nan)
{
    const double with_zero[] = {0, 2, 4};
    qc_sample s = one_group(with_zero, 3);
    double per, dec[3];
    ck_assert_int_eq(qc_theil(&s, QC_THEIL_L, &per, dec, NULL, NULL, NULL), QC_OK);
    ck_assert(isnan(per) && isnan(dec[0]));
    /* T takes 0 ln 0 = 0: mean 2, (1/3)(0 + 2 ln 2 ... ) */
    ck_assert_int_eq(qc_theil(&s, QC_THEIL_T, &per, dec, NULL, NULL, NULL), QC_OK);
    ck_assert_double_eq_tol(per, (1.0 * log(1.0) + 2.0 * log(2.0)) / 3, TOL);
    const double zeros[] = {0, 0};
    s = one_group(zeros, 2);
    ck_assert_int_eq(qc_theil(&s, QC_THEIL_T, &per, dec, NULL, NULL, NULL), QC_OK);
    ck_assert(isnan(per) && isnan(dec[0]));
}
END_TEST

START_TEST(nan_policy_propagates_omits_or_raises)
{
    const double x[] = {20, 50, NAN, 20, 10};
    qc_sample s = one_group(x, 5);
    double g;
    qc_errinfo err = {0};
    ck_assert_int_eq(qc_gini(&s, NULL, 0, &g, NULL), QC_OK);
    ck_assert(isnan(g));
    s.nan = QC_NAN_OMIT;
    ck_assert_int_eq(qc_gini(&s, NULL, 0, &g, NULL), QC_OK);
    ck_assert_double_eq_tol(g, 0.3, TOL);
    s.nan = QC_NAN_RAISE;
    ck_assert_int_eq(qc_gini(&s, NULL, 0, &g, &err), QC_EINVAL);
    ck_assert_str_eq(err.arg, "x");
    ck_assert_uint_eq(err.index, 2);
    s.nan = (qc_nan_policy)7;
    ck_assert_int_eq(qc_gini(&s, NULL, 0, &g, &err), QC_EINVAL);
    ck_assert_str_eq(err.arg, "nan_policy");
}
END_TEST

START_TEST(bad_samples_name_the_argument)
{
    const double x[] = {1, -2, 3};
    qc_sample s = one_group(x, 3);
    double out[2];
    qc_errinfo err = {0};
    ck_assert_int_eq(qc_gini(&s, NULL, 0, out, &err), QC_EINVAL);
    ck_assert_str_eq(err.arg, "x");
    ck_assert_uint_eq(err.index, 1);
    ck_assert_int_eq(err.is_float, 1); /* a double is reported as itself */
    ck_assert_double_eq(err.fvalue, -2);
    ck_assert_int_eq(qc_cv(&s, 1, out, &err), QC_OK); /* cv accepts any sign */
    const double fraction[] = {1, -1.5};
    s = one_group(fraction, 2);
    ck_assert_int_eq(qc_gini(&s, NULL, 0, out, &err), QC_EINVAL);
    ck_assert_double_eq(err.fvalue, -1.5);
    ck_assert_int_eq(qc_atkinson(&s, NAN, out, &err), QC_EINVAL);
    ck_assert_str_eq(err.arg, "epsilon");
    ck_assert(err.is_float && isnan(err.fvalue));

    const double ok[] = {1, 2, 3};
    const int64_t group[] = {0, 2, 1};
    qc_sample bad_group = {3, ok, group, 2, QC_NAN_PROPAGATE};
    ck_assert_int_eq(qc_theil(&bad_group, QC_THEIL_T, out, NULL, NULL, NULL, &err),
                     QC_EINDEX);
    ck_assert_str_eq(err.arg, "group");
    ck_assert_int_eq(err.limit, 2);
    qc_sample no_split = {3, ok, NULL, 2, QC_NAN_PROPAGATE};
    ck_assert_int_eq(qc_cv(&no_split, 1, out, &err), QC_EINVAL);
    ck_assert_str_eq(err.arg, "n_groups");
    const double inf[] = {1, INFINITY};
    s = one_group(inf, 2);
    ck_assert_int_eq(qc_concentration(&s, out, NULL, NULL, &err), QC_EINVAL);
    ck_assert_str_eq(err.arg, "x");
    s = one_group(ok, 3);
    ck_assert_int_eq(qc_atkinson(&s, -0.5, out, &err), QC_EINVAL);
    ck_assert_str_eq(err.arg, "epsilon");
    ck_assert_int_eq(qc_primacy(&s, 1, out, &err), QC_EINVAL);
    ck_assert_str_eq(err.arg, "k");
    const double w[] = {1, NAN, 1};
    s.nan = QC_NAN_RAISE;
    ck_assert_int_eq(qc_gini(&s, w, 0, out, &err), QC_EINVAL);
    ck_assert_str_eq(err.arg, "weight");
}
END_TEST

START_TEST(concentration_atkinson_cv_by_hand)
{
    /* REAT herf(): c(20,50,20,10) -> 0.34 */
    const double sales[] = {20, 50, 20, 10};
    qc_sample s = one_group(sales, 4);
    double h, e, a, v;
    int64_t n;
    ck_assert_int_eq(qc_concentration(&s, &h, &e, &n, NULL), QC_OK);
    ck_assert_double_eq_tol(h, 0.34, TOL);
    ck_assert_double_eq_tol(e, -(2 * 0.2 * log(0.2) + 0.5 * log(0.5) + 0.1 * log(0.1)), TOL);
    ck_assert_int_eq(n, 4);
    /* PySAL inequality atkinson([10..50], 0.5) -> 0.06315, (.., 1) -> 0.13161 */
    const double inc[] = {10, 20, 30, 40, 50};
    s = one_group(inc, 5);
    ck_assert_int_eq(qc_atkinson(&s, 0.5, &a, NULL), QC_OK);
    ck_assert_double_eq_tol(a, 0.06315, 5e-6);
    ck_assert_int_eq(qc_atkinson(&s, 1.0, &a, NULL), QC_OK);
    ck_assert_double_eq_tol(a, 0.13161, 5e-6);
    ck_assert_int_eq(qc_atkinson(&s, 0.0, &a, NULL), QC_OK);
    ck_assert_double_eq_tol(a, 0.0, TOL);
    /* sample sd of 10..50 is sqrt(250), mean 30 */
    ck_assert_int_eq(qc_cv(&s, 1, &v, NULL), QC_OK);
    ck_assert_double_eq_tol(v, sqrt(250.0) / 30.0, TOL);
    ck_assert_int_eq(qc_cv(&s, 0, &v, NULL), QC_OK);
    ck_assert_double_eq_tol(v, sqrt(200.0) / 30.0, TOL);
    /* a zero with epsilon >= 1: the index is 1 */
    const double zero[] = {0, 10};
    s = one_group(zero, 2);
    ck_assert_int_eq(qc_atkinson(&s, 2.0, &a, NULL), QC_OK);
    ck_assert_double_eq_tol(a, 1.0, TOL);
    /* one unit: cv with ddof 1 is undefined */
    s = one_group(inc, 1);
    ck_assert_int_eq(qc_cv(&s, 1, &v, NULL), QC_OK);
    ck_assert(isnan(v));
}
END_TEST

START_TEST(primacy_and_rank_size_by_hand)
{
    /* sizes 100 / rank (Zipf) in shuffled order: 100, 50, 33.3, 25 */
    const double x[] = {25, 100, 100.0 / 3, 50};
    qc_sample s = one_group(x, 4);
    double p, b, r2;
    ck_assert_int_eq(qc_primacy(&s, 2, &p, NULL), QC_OK);
    ck_assert_double_eq_tol(p, 2.0, TOL);
    ck_assert_int_eq(qc_primacy(&s, 4, &p, NULL), QC_OK);
    ck_assert_double_eq_tol(p, 12.0 / 13, TOL); /* 100 / (50 + 100/3 + 25) */
    ck_assert_int_eq(qc_primacy(&s, 5, &p, NULL), QC_OK);
    ck_assert(isnan(p));
    /* exactly 100 r^-1: slope -1 and R^2 1 over any top */
    ck_assert_int_eq(qc_rank_size(&s, 3, &b, &r2, NULL), QC_OK);
    ck_assert_double_eq_tol(b, -1.0, TOL);
    ck_assert_int_eq(qc_rank_size(&s, 0, &b, &r2, NULL), QC_OK);
    ck_assert_double_eq_tol(b, -1.0, TOL);
    ck_assert_double_eq_tol(r2, 1.0, TOL);
    const double flat[] = {5, 5, 5};
    s = one_group(flat, 3);
    ck_assert_int_eq(qc_rank_size(&s, 0, &b, &r2, NULL), QC_OK);
    ck_assert_double_eq_tol(b, 0.0, TOL);
    ck_assert(isnan(r2));
    s = one_group(flat, 1);
    ck_assert_int_eq(qc_rank_size(&s, 0, &b, &r2, NULL), QC_OK);
    ck_assert(isnan(b));
}
END_TEST

/* A three-node OD matrix: node 0 is the core. */
static const double od3[9] = {
    9, 6, 4, /* diagonal entries are ignored */
    2, 9, 1,
    4, 0, 9,
};

START_TEST(flow_summary_by_hand)
{
    qc_od od = {3, od3, QC_NAN_PROPAGATE};
    const int64_t core[3] = {1, 0, 0};
    double in[3], out[3], h[3], net[QC_FLOW_NETWORK_N];
    ck_assert_int_eq(qc_flow_summary(&od, core, in, out, h, net, NULL), QC_OK);
    ck_assert_double_eq_tol(out[0], 10, TOL);
    ck_assert_double_eq_tol(in[0], 6, TOL);
    ck_assert_double_eq_tol(in[1], 6, TOL);
    ck_assert_double_eq_tol(in[2], 5, TOL);
    ck_assert_double_eq_tol(net[QC_FLOW_TOTAL], 17, TOL);
    /* min pairs: (0,1) 2, (0,2) 4, (1,2) 0; each counted both ways */
    ck_assert_double_eq_tol(net[QC_FLOW_SYMMETRY], 12.0 / 17, TOL);
    ck_assert_double_eq_tol(net[QC_FLOW_CORE_INFLOW], 6.0 / 17, TOL);
    ck_assert_double_eq_tol(net[QC_FLOW_CORE_OUTFLOW], 10.0 / 17, TOL);
    ck_assert_double_eq_tol(net[QC_FLOW_SECONDARY], 1.0 / 17, TOL);
    ck_assert_double_eq_tol(h[0], -(0.6 * log(0.6) + 0.4 * log(0.4)), TOL);
    ck_assert_double_eq_tol(h[2], 0.0, TOL); /* one destination */
}
END_TEST

START_TEST(green_polycentricity_by_hand)
{
    qc_od od = {3, od3, QC_NAN_PROPAGATE};
    double g[QC_GREEN_N];
    ck_assert_int_eq(qc_green_polycentricity(&od, QC_DEGREE_IN, g, NULL), QC_OK);
    /* in-degrees 6, 6, 5: mean 17/3, population sd sqrt(2/9) */
    ck_assert_double_eq_tol(g[QC_GREEN_SD], sqrt(2.0 / 9.0), TOL);
    ck_assert_double_eq_tol(g[QC_GREEN_SD_MAX], 3.0, TOL);
    ck_assert_double_eq_tol(g[QC_GREEN_DENSITY], 5.0 / 6.0, TOL);
    ck_assert_double_eq_tol(g[QC_GREEN_VALUED_DENSITY], 17.0 / (6 * 6), TOL);
    ck_assert_double_eq_tol(g[QC_GREEN_POLYCENTRICITY],
                            (1 - sqrt(2.0 / 9.0) / 3) * 5.0 / 6.0, TOL);
    /* a star where every secondary node sends 1 to the core and gets nothing */
    const double star[9] = {0, 0, 0, 1, 0, 0, 1, 0, 0};
    od.w = star;
    ck_assert_int_eq(qc_green_polycentricity(&od, QC_DEGREE_IN, g, NULL), QC_OK);
    /* in-degrees 2, 0, 0: sd sqrt(8/9), sd_max 1 */
    ck_assert_double_eq_tol(g[QC_GREEN_EVENNESS], 1 - sqrt(8.0 / 9.0), TOL);
    qc_errinfo err = {0};
    const double negative[4] = {0, -1, 2, 0};
    qc_od bad = {2, negative, QC_NAN_PROPAGATE};
    ck_assert_int_eq(qc_green_polycentricity(&bad, QC_DEGREE_IN, g, &err),
                     QC_EINVAL);
    ck_assert_str_eq(err.arg, "od");
    ck_assert_uint_eq(err.index, 1);
}
END_TEST

START_TEST(share_distance_and_location_quotient)
{
    /* REAT krugman.spec(): c(20,10,70,0,0) vs c(0,0,0,60,40) -> 2 */
    const double a[] = {20, 10, 70, 0, 0, 1, 1, 0, 0, 0};
    const double b[] = {0, 0, 0, 60, 40, 1, 1, 0, 0, 0};
    double d[2];
    ck_assert_int_eq(qc_share_distance(a, b, 2, 5, QC_NAN_PROPAGATE, d, NULL),
                     QC_OK);
    ck_assert_double_eq_tol(d[0], 2.0, TOL);
    ck_assert_double_eq_tol(d[1], 0.0, TOL);
    /* REAT locq(1714, 79006, 879213, 15593224) -> 0.3847623 (Farhauer/Kroell) */
    const double e_ij[] = {1714}, e_j[] = {79006}, e_i[] = {879213},
                 e[] = {15593224};
    double lq;
    ck_assert_int_eq(qc_location_quotient(e_ij, e_j, e_i, e, 1, 1,
                                          QC_NAN_PROPAGATE, &lq, NULL),
                     QC_OK);
    ck_assert_double_eq_tol(lq, 0.3847623, 5e-8);
    qc_errinfo err = {0};
    ck_assert_int_eq(qc_location_quotient(e_j, e_ij, e_i, e, 1, 1,
                                          QC_NAN_PROPAGATE, &lq, &err),
                     QC_EINVAL);
    ck_assert_str_eq(err.arg, "e_ij");
    ck_assert_int_eq(qc_location_quotient(e_j, e_ij, e_i, e, 1, 0,
                                          QC_NAN_PROPAGATE, &lq, &err),
                     QC_OK);
}
END_TEST

START_TEST(kernels_survive_every_allocation_failure)
{
    const double x[] = {3, 1, 4, 1, 5, 9, 2, 6};
    const int64_t group[] = {0, 1, 0, 1, 0, 1, -1, 0};
    qc_sample s = {8, x, group, 2, QC_NAN_PROPAGATE};
    qc_od od = {3, od3, QC_NAN_PROPAGATE};
    const double weight[] = {1, 2, 0, 1, 3, 1, 1, 2};
    const int64_t labels[] = {40, 7, 40, 9, 7, 7, 9, 40};
    for (int kernel = 0; kernel < 8; kernel++) {
        for (long k = 0;; k++) {
            double out[QC_GREEN_N], dec[3];
            qc_alloc_fail_after(k);
            qc_status status;
            switch (kernel) {
            case 0: status = qc_gini(&s, NULL, 0, out, NULL); break;
            case 1: status = qc_theil(&s, QC_THEIL_T, out, dec, NULL, NULL, NULL); break;
            case 2: status = qc_primacy(&s, 2, out, NULL); break;
            case 3: status = qc_rank_size(&s, 0, out, dec, NULL); break;
            case 4: status = qc_concentration(&s, out, dec, NULL, NULL); break;
            case 5: status = qc_gini(&s, weight, 0, out, NULL); break;
            case 6: {
                int64_t code[8], first[8];
                size_t n_groups;
                status = qc_label_codes(labels, 8, 100, code, first, &n_groups, NULL);
                break;
            }
            default: status = qc_green_polycentricity(&od, QC_DEGREE_IN, out, NULL); break;
            }
            long attempts = qc_alloc_attempts();
            qc_alloc_fail_after(-1);
            if (attempts <= k) {
                ck_assert_int_eq(status, QC_OK);
                ck_assert_int_gt(k, 0);
                break;
            }
            ck_assert_int_eq(status, QC_ENOMEM);
        }
    }
}
END_TEST

Suite *indices_suite(void)
{
    Suite *s = suite_create("indices");
    TCase *tc = tcase_create("inequality");
    tcase_add_test(tc, gini_reproduces_reat_examples);
    tcase_add_test(tc, grouped_gini_equals_separate_calls);
    tcase_add_test(tc, gini_of_large_groups_equals_the_pairwise_definition);
    tcase_add_test(tc, gini_of_a_block_larger_than_the_cache_equals_qsorts);
    tcase_add_test(tc, label_codes_number_groups_by_first_appearance);
    tcase_add_test(tc, log_array_is_within_one_ulp_of_libm);
    tcase_add_test(tc, theil_matches_reat_and_decomposes);
    tcase_add_test(tc, theil_edge_cases_are_nan);
    tcase_add_test(tc, nan_policy_propagates_omits_or_raises);
    tcase_add_test(tc, bad_samples_name_the_argument);
    tcase_add_test(tc, concentration_atkinson_cv_by_hand);
    suite_add_tcase(s, tc);
    tc = tcase_create("polycentricity");
    tcase_add_test(tc, primacy_and_rank_size_by_hand);
    tcase_add_test(tc, flow_summary_by_hand);
    tcase_add_test(tc, green_polycentricity_by_hand);
    tcase_add_test(tc, share_distance_and_location_quotient);
    tcase_add_test(tc, kernels_survive_every_allocation_failure);
    suite_add_tcase(s, tc);
    return s;
}
