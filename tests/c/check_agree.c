/* qc/agree.h against published worked examples. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "qc/agree.h"
#include "suites.h"

/* Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section
   C: 4 observers, 12 units, values 1..5, missing data. Units x observers,
   category index = value - 1, -1 missing. */
enum { C_UNITS = 12, C_CODERS = 4, C_CATS = 5 };
static const int64_t section_c[C_UNITS * C_CODERS] = {
    0, 0, -1, 0,  1, 1, 2, 1,   2, 2, 2, 2,   2, 2, 2, 2,
    1, 1, 1, 1,   0, 1, 2, 3,   3, 3, 3, 3,   0, 0, 1, 0,
    1, 1, 1, 1,   -1, 4, 4, 4,  -1, -1, 0, 0, -1, -1, 2, -1};
static const double section_c_values[C_CATS] = {1, 2, 3, 4, 5};

static double coefficient(const int64_t *data, size_t n_units, size_t n_coders,
                          size_t n_cats, qc_agree_method method,
                          qc_metric metric, const double *values,
                          const double *weights)
{
    qc_ratings r = {n_units, n_coders, n_cats, data};
    qc_agree_tally t;
    ck_assert_int_eq(qc_agree_tally_new(n_coders, n_cats, &t), QC_OK);
    ck_assert_int_eq(qc_agree_tally_add(&r, weights, NULL, &t, NULL), QC_OK);
    qc_agree_result res;
    ck_assert_int_eq(qc_agree_coefficient(&t, n_coders, n_cats, weights, method,
                                          metric, values, &res, NULL),
                     QC_OK);
    qc_agree_tally_free(&t);
    return res.value;
}

START_TEST(krippendorff_2011_section_c)
{
    const double published[4] = {0.743, 0.815, 0.849, 0.797};
    const qc_metric metrics[4] = {QC_METRIC_NOMINAL, QC_METRIC_ORDINAL,
                                  QC_METRIC_INTERVAL, QC_METRIC_RATIO};
    for (int i = 0; i < 4; i++) {
        double alpha = coefficient(section_c, C_UNITS, C_CODERS, C_CATS,
                                   QC_AGREE_ALPHA, metrics[i],
                                   section_c_values, NULL);
        ck_assert_double_eq_tol(alpha, published[i], 0.0005);
    }
}
END_TEST

START_TEST(krippendorff_2011_sections_a_and_b)
{
    /* A: two observers, binary data, 10 units: alpha = 0.095 */
    const int64_t a[20] = {0, 1, 1, 1, 0, 1, 0, 0, 0, 0,
                           0, 1, 0, 0, 0, 0, 1, 0, 0, 0};
    ck_assert_double_eq_tol(coefficient(a, 10, 2, 2, QC_AGREE_ALPHA,
                                        QC_METRIC_NOMINAL, NULL, NULL),
                            0.095, 0.0005);
    /* B: two observers, nominal a..e, 12 units: alpha = 0.692 */
    const int64_t b[24] = {0, 1, 0, 0, 1, 1, 1, 1, 3, 1, 2, 2,
                           2, 2, 2, 2, 4, 4, 3, 3, 3, 3, 0, 3};
    ck_assert_double_eq_tol(coefficient(b, 12, 2, 5, QC_AGREE_ALPHA,
                                        QC_METRIC_NOMINAL, NULL, NULL),
                            0.692, 0.0005);
}
END_TEST

/* Fleiss (1971), Table 1 as reproduced in the literature: 10 subjects, 14
   raters, 5 categories; kappa = 0.210. */
static const int fleiss_counts[10][5] = {
    {0, 0, 0, 0, 14}, {0, 2, 6, 4, 2}, {0, 0, 3, 5, 6}, {0, 3, 9, 2, 0},
    {2, 2, 8, 1, 1},  {7, 7, 0, 0, 0}, {3, 2, 6, 3, 0}, {2, 5, 3, 2, 2},
    {6, 5, 2, 1, 0},  {0, 2, 2, 3, 7}};

START_TEST(fleiss_1971_example)
{
    int64_t data[10 * 14];
    for (int u = 0; u < 10; u++) {
        int g = 0;
        for (int k = 0; k < 5; k++)
            for (int n = 0; n < fleiss_counts[u][k]; n++)
                data[u * 14 + g++] = k;
    }
    double kappa = coefficient(data, 10, 14, 5, QC_AGREE_FLEISS,
                               QC_METRIC_NOMINAL, NULL, NULL);
    ck_assert_double_eq_tol(kappa, 0.210, 0.0005);
}
END_TEST

START_TEST(undefined_cases_are_nan)
{
    /* everyone agrees on the one category used: chance agreement is 1 */
    const int64_t same[6] = {0, 0, 0, 0, 0, 0};
    ck_assert(isnan(coefficient(same, 3, 2, 1, QC_AGREE_FLEISS,
                                QC_METRIC_NOMINAL, NULL, NULL)));
    ck_assert(isnan(coefficient(same, 3, 2, 1, QC_AGREE_ALPHA,
                                QC_METRIC_NOMINAL, NULL, NULL)));
    ck_assert(isnan(coefficient(same, 3, 2, 1, QC_AGREE_GWET,
                                QC_METRIC_NOMINAL, NULL, NULL)));
    /* no unit has two ratings */
    const int64_t lonely[4] = {0, -1, -1, 1};
    ck_assert(isnan(coefficient(lonely, 2, 2, 2, QC_AGREE_PERCENT,
                                QC_METRIC_NOMINAL, NULL, NULL)));
    ck_assert(isnan(coefficient(lonely, 2, 2, 2, QC_AGREE_ALPHA,
                                QC_METRIC_NOMINAL, NULL, NULL)));
}
END_TEST

START_TEST(tallies_of_halves_add_up)
{
    qc_ratings all = {C_UNITS, C_CODERS, C_CATS, section_c};
    qc_ratings first = {6, C_CODERS, C_CATS, section_c};
    qc_ratings second = {6, C_CODERS, C_CATS, section_c + 6 * C_CODERS};
    qc_agree_tally whole, parts;
    ck_assert_int_eq(qc_agree_tally_new(C_CODERS, C_CATS, &whole), QC_OK);
    ck_assert_int_eq(qc_agree_tally_new(C_CODERS, C_CATS, &parts), QC_OK);
    ck_assert_int_eq(qc_agree_tally_add(&all, NULL, NULL, &whole, NULL), QC_OK);
    ck_assert_int_eq(qc_agree_tally_add(&first, NULL, NULL, &parts, NULL), QC_OK);
    ck_assert_int_eq(qc_agree_tally_add(&second, NULL, NULL, &parts, NULL), QC_OK);
    ck_assert_double_eq_tol(whole.agreement, parts.agreement, 1e-12);
    for (int i = 0; i < C_CATS * C_CATS; i++)
        ck_assert_double_eq_tol(whole.coincidence[i], parts.coincidence[i], 1e-12);
    /* a multiplicity of 2 on every unit doubles every count */
    int64_t twice[C_UNITS];
    for (int u = 0; u < C_UNITS; u++)
        twice[u] = 2;
    qc_agree_tally doubled;
    ck_assert_int_eq(qc_agree_tally_new(C_CODERS, C_CATS, &doubled), QC_OK);
    ck_assert_int_eq(qc_agree_tally_add(&all, NULL, twice, &doubled, NULL), QC_OK);
    ck_assert_double_eq_tol(doubled.pairs, 2 * whole.pairs, 1e-12);
    /* the lean pass (no optional parts) agrees with the full one */
    qc_agree_tally lean;
    ck_assert_int_eq(qc_agree_tally_new(C_CODERS, C_CATS, &lean), QC_OK);
    lean.parts = 0;
    ck_assert_int_eq(qc_agree_tally_add(&all, NULL, twice, &lean, NULL), QC_OK);
    ck_assert_double_eq_tol(lean.agreement, doubled.agreement, 1e-12);
    ck_assert_double_eq_tol(lean.pairs, doubled.pairs, 1e-12);
    ck_assert_double_eq_tol(lean.rated_units, doubled.rated_units, 1e-12);
    for (int k = 0; k < C_CATS; k++)
        ck_assert_double_eq_tol(lean.share[k], doubled.share[k], 1e-12);
    const int64_t bad[4] = {0, 9, 0, 0};
    qc_ratings wrong = {1, C_CODERS, C_CATS, bad};
    qc_errinfo err = {0};
    ck_assert_int_eq(qc_agree_tally_add(&wrong, NULL, NULL, &lean, &err), QC_EINDEX);
    ck_assert_uint_eq(err.index, 1);
    qc_agree_tally_free(&lean);
    qc_agree_tally_free(&whole);
    qc_agree_tally_free(&parts);
    qc_agree_tally_free(&doubled);
}
END_TEST

START_TEST(bootstraps_are_seeded_and_bracket_alpha)
{
    qc_ratings r = {C_UNITS, C_CODERS, C_CATS, section_c};
    double a[200], b[200];
    ck_assert_int_eq(qc_agree_bootstrap_units(&r, NULL, QC_AGREE_ALPHA,
                                              QC_METRIC_NOMINAL, NULL, 200, 7, a,
                                              NULL),
                     QC_OK);
    ck_assert_int_eq(qc_agree_bootstrap_units(&r, NULL, QC_AGREE_ALPHA,
                                              QC_METRIC_NOMINAL, NULL, 200, 7, b,
                                              NULL),
                     QC_OK);
    ck_assert_mem_eq(a, b, sizeof a);
    qc_agree_tally t;
    ck_assert_int_eq(qc_agree_tally_new(C_CODERS, C_CATS, &t), QC_OK);
    ck_assert_int_eq(qc_agree_tally_add(&r, NULL, NULL, &t, NULL), QC_OK);
    ck_assert_int_eq(qc_alpha_bootstrap(&t, C_CATS, QC_METRIC_NOMINAL, NULL,
                                        (size_t)t.pairs, 200, 7, b, NULL),
                     QC_OK);
    double below = 0, mean = 0;
    for (int i = 0; i < 200; i++) {
        below += b[i] < 0.743;
        mean += b[i] / 200;
    }
    /* the draws scatter around the estimate */
    ck_assert(below > 20 && below < 180);
    ck_assert_double_eq_tol(mean, 0.743, 0.1);
    qc_agree_tally_free(&t);
}
END_TEST

START_TEST(agree_rejects_bad_input)
{
    qc_errinfo err = {0};
    const int64_t bad[4] = {0, 1, 2, -2};
    qc_ratings r = {2, 2, 2, bad};
    qc_agree_tally t;
    ck_assert_int_eq(qc_agree_tally_new(2, 2, &t), QC_OK);
    ck_assert_int_eq(qc_agree_tally_add(&r, NULL, NULL, &t, &err), QC_EINDEX);
    ck_assert_str_eq(err.arg, "values");
    ck_assert_uint_eq(err.index, 2);
    const int64_t ok[4] = {0, 1, 1, 1};
    r.value = ok;
    const int64_t negative[2] = {1, -1};
    ck_assert_int_eq(qc_agree_tally_add(&r, NULL, negative, &t, &err), QC_EINVAL);
    ck_assert_str_eq(err.arg, "multiplicity");
    qc_agree_result res;
    ck_assert_int_eq(qc_agree_coefficient(&t, 2, 2, NULL, (qc_agree_method)42,
                                          QC_METRIC_NOMINAL, NULL, &res, &err),
                     QC_EINVAL);
    ck_assert_int_eq(qc_agree_coefficient(&t, 2, 2, NULL, QC_AGREE_ALPHA,
                                          QC_METRIC_INTERVAL, NULL, &res, &err),
                     QC_EINVAL);
    ck_assert_str_eq(err.arg, "category_values");
    r.n_cats = 0;
    ck_assert_int_eq(qc_agree_tally_add(&r, NULL, NULL, &t, &err), QC_EINVAL);
    qc_agree_tally_free(&t);
}
END_TEST

/* An asymmetric weight matrix with two coders is read in coder order (Cohen
   1968): w[k][l] weighs coder 0 saying k and coder 1 saying l. Half credit
   when coder 1 says the category after coder 0's (cyclically). Worked by
   hand: coder 0 says 0,0,1,1,2,2,0,1 and coder 1 says 0,1,1,2,2,0,0,1; both
   have marginals (3, 3, 2) / 8, so p_e = 32.5 / 64 either way round, and
   p_o = 6.5 / 8 (kappa 13/21) or, coders swapped, 5 / 8 (kappa 5/21). */
static const double cyclic[9] = {1, 0.5, 0, 0, 1, 0.5, 0.5, 0, 1};
static const double cyclic_t[9] = {1, 0, 0.5, 0.5, 1, 0, 0, 0.5, 1};
static const double cyclic_sym[9] = {1, 0.25, 0.25, 0.25, 1, 0.25, 0.25, 0.25, 1};
static const int64_t ab[16] = {0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 0, 0, 0, 1, 1};
static const int64_t ba[16] = {0, 0, 1, 0, 1, 1, 2, 1, 2, 2, 0, 2, 0, 0, 1, 1};

START_TEST(tally_is_checked_before_any_loop)
{
    qc_ratings r = {C_UNITS, C_CODERS, C_CATS, section_c};
    qc_agree_tally t;
    ck_assert_int_eq(qc_agree_tally_new(C_CODERS, C_CATS, &t), QC_OK);
    ck_assert_int_eq(qc_agree_tally_add(&r, NULL, NULL, &t, NULL), QC_OK);
    qc_errinfo err = {0};
    ck_assert_int_eq(qc_agree_tally_check(&t, C_CODERS, C_CATS, &err), QC_OK);
    double out[2];
    const double pairs = t.pairs;
    /* pairs that would make the bootstrap draw without end, or that the
       coincidences cannot hold, are refused before it draws */
    const double bad_pairs[4] = {-1, 4611686018427387904.0, 2.5, NAN};
    for (int i = 0; i < 4; i++) {
        t.pairs = bad_pairs[i];
        ck_assert_int_eq(qc_alpha_bootstrap(&t, C_CATS, QC_METRIC_NOMINAL, NULL,
                                            (size_t)-1, 2, 1, out, &err),
                         QC_EINVAL);
        ck_assert_str_eq(err.arg, "tally.pairs");
        ck_assert(err.is_float);
    }
    t.pairs = pairs;
    ck_assert_int_eq(qc_alpha_bootstrap(&t, C_CATS, QC_METRIC_NOMINAL, NULL,
                                        (size_t)pairs + 1, 2, 1, out, &err),
                     QC_EINVAL);
    ck_assert_str_eq(err.arg, "draws");
    t.coincidence[1] = -0.5;
    ck_assert_int_eq(qc_agree_coefficient(&t, C_CODERS, C_CATS, NULL, QC_AGREE_ALPHA,
                                          QC_METRIC_NOMINAL, NULL, &(qc_agree_result){0},
                                          &err),
                     QC_EINVAL);
    ck_assert_str_eq(err.arg, "tally.coincidence");
    ck_assert_uint_eq(err.index, 1);
    ck_assert_double_eq(err.fvalue, -0.5);
    t.coincidence[1] = 0;
    t.parts = 7;
    ck_assert_int_eq(qc_agree_tally_check(&t, C_CODERS, C_CATS, &err), QC_EINVAL);
    ck_assert_str_eq(err.arg, "tally.parts");
    t.parts = QC_TALLY_CODERS; /* no coincidences: alpha's bootstrap has nothing to draw */
    ck_assert_int_eq(qc_alpha_bootstrap(&t, C_CATS, QC_METRIC_NOMINAL, NULL, 1, 2, 1, out,
                                        &err),
                     QC_EINVAL);
    ck_assert_str_eq(err.arg, "tally");
    qc_agree_tally_free(&t);

    /* weights and category values that are not finite, a negative ratio value */
    const double nan_weights[C_CATS * C_CATS] = {NAN};
    ck_assert_int_eq(qc_agree_tally_new(C_CODERS, C_CATS, &t), QC_OK);
    ck_assert_int_eq(qc_agree_tally_add(&r, nan_weights, NULL, &t, &err), QC_EINVAL);
    ck_assert_str_eq(err.arg, "weights");
    ck_assert(isnan(err.fvalue));
    ck_assert_int_eq(qc_agree_tally_add(&r, NULL, NULL, &t, NULL), QC_OK);
    const double infinite[C_CATS] = {1, 2, INFINITY, 4, 5}, negative[C_CATS] = {-1, 2, 3, 4, 5};
    ck_assert_int_eq(qc_agree_coefficient(&t, C_CODERS, C_CATS, NULL, QC_AGREE_ALPHA,
                                          QC_METRIC_INTERVAL, infinite,
                                          &(qc_agree_result){0}, &err),
                     QC_EINVAL);
    ck_assert_str_eq(err.arg, "category_values");
    ck_assert_uint_eq(err.index, 2);
    ck_assert_int_eq(qc_agree_bootstrap_units(&r, NULL, QC_AGREE_ALPHA, QC_METRIC_RATIO,
                                              negative, 2, 1, out, &err),
                     QC_EINVAL);
    ck_assert_double_eq(err.fvalue, -1);
    qc_agree_tally_free(&t);
}
END_TEST

START_TEST(two_coder_weights_in_coder_order)
{
    qc_ratings r = {8, 2, 3, ab};
    qc_agree_tally t;
    ck_assert_int_eq(qc_agree_tally_new(2, 3, &t), QC_OK);
    ck_assert_int_eq(qc_agree_tally_add(&r, cyclic, NULL, &t, NULL), QC_OK);
    ck_assert_double_eq_tol(t.agreement / t.paired_units, 6.5 / 8, 1e-12);
    qc_agree_result res;
    ck_assert_int_eq(qc_agree_coefficient(&t, 2, 3, cyclic, QC_AGREE_CONGER,
                                          QC_METRIC_NOMINAL, NULL, &res, NULL),
                     QC_OK);
    ck_assert_double_eq_tol(res.expected, 32.5 / 64, 1e-12);
    ck_assert_double_eq_tol(res.value, 13.0 / 21, 1e-12);
    qc_agree_tally_free(&t);
    ck_assert_double_eq_tol(coefficient(ba, 8, 2, 3, QC_AGREE_CONGER,
                                        QC_METRIC_NOMINAL, NULL, cyclic),
                            5.0 / 21, 1e-12);
    /* swapping the coders is transposing the matrix, for every coefficient */
    const qc_agree_method methods[5] = {QC_AGREE_PERCENT, QC_AGREE_FLEISS,
                                        QC_AGREE_GWET, QC_AGREE_BRENNAN_PREDIGER,
                                        QC_AGREE_CONGER};
    for (int i = 0; i < 5; i++)
        ck_assert_double_eq_tol(coefficient(ab, 8, 2, 3, methods[i],
                                            QC_METRIC_NOMINAL, NULL, cyclic),
                                coefficient(ba, 8, 2, 3, methods[i],
                                            QC_METRIC_NOMINAL, NULL, cyclic_t),
                                1e-12);
    /* and so for the bootstrap's replicates */
    double x[50], y[50];
    qc_ratings swapped = {8, 2, 3, ba};
    ck_assert_int_eq(qc_agree_bootstrap_units(&r, cyclic, QC_AGREE_CONGER,
                                              QC_METRIC_NOMINAL, NULL, 50, 3, x,
                                              NULL),
                     QC_OK);
    ck_assert_int_eq(qc_agree_bootstrap_units(&swapped, cyclic_t, QC_AGREE_CONGER,
                                              QC_METRIC_NOMINAL, NULL, 50, 3, y,
                                              NULL),
                     QC_OK);
    for (int i = 0; i < 50; i++)
        ck_assert(x[i] == y[i] || (isnan(x[i]) && isnan(y[i])));
}
END_TEST

START_TEST(more_coders_use_the_symmetric_part)
{
    /* a third coder who repeats coder 0: a unit's pairs have no order, and
       the matrix counts as (W + W^T) / 2 */
    int64_t abc[24];
    for (int u = 0; u < 8; u++) {
        abc[u * 3] = ab[u * 2];
        abc[u * 3 + 1] = ab[u * 2 + 1];
        abc[u * 3 + 2] = ab[u * 2];
    }
    const qc_agree_method methods[5] = {QC_AGREE_PERCENT, QC_AGREE_FLEISS,
                                        QC_AGREE_GWET, QC_AGREE_BRENNAN_PREDIGER,
                                        QC_AGREE_CONGER};
    for (int i = 0; i < 5; i++)
        ck_assert_double_eq_tol(coefficient(abc, 8, 3, 3, methods[i],
                                            QC_METRIC_NOMINAL, NULL, cyclic),
                                coefficient(abc, 8, 3, 3, methods[i],
                                            QC_METRIC_NOMINAL, NULL, cyclic_sym),
                                1e-12);
    /* with two coders, the symmetric part observes the mean agreement of
       both orders */
    ck_assert_double_eq_tol(coefficient(ab, 8, 2, 3, QC_AGREE_PERCENT,
                                        QC_METRIC_NOMINAL, NULL, cyclic_sym),
                            (6.5 / 8 + 5.0 / 8) / 2, 1e-12);
}
END_TEST

/* Ratings from a fixed linear congruential sequence: category or missing. */
static int64_t *scrambled_ratings(size_t n, size_t n_cats, uint64_t seed)
{
    int64_t *v = malloc(n * sizeof *v);
    ck_assert_ptr_nonnull(v);
    for (size_t i = 0; i < n; i++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        uint64_t x = seed >> 33;
        v[i] = x % 7 == 0 ? -1 : (int64_t)(x % n_cats);
    }
    return v;
}

START_TEST(lean_tally_equals_full_tally)
{
    /* the packed pass (<= 8 categories, count vectors hashed, the table
       grows past its first 256 slots) and the scattered pass (more
       categories) both equal the general pass */
    enum { UNITS = 3000, CODERS = 9 };
    const size_t cats[3] = {2, 8, 20};
    for (int c = 0; c < 3; c++) {
        int64_t *v = scrambled_ratings(UNITS * CODERS, cats[c], 7 + (uint64_t)c);
        qc_ratings r = {UNITS, CODERS, cats[c], v};
        qc_agree_tally full, lean;
        ck_assert_int_eq(qc_agree_tally_new(CODERS, cats[c], &full), QC_OK);
        ck_assert_int_eq(qc_agree_tally_new(CODERS, cats[c], &lean), QC_OK);
        lean.parts = 0;
        ck_assert_int_eq(qc_agree_tally_add(&r, NULL, NULL, &full, NULL), QC_OK);
        ck_assert_int_eq(qc_agree_tally_add(&r, NULL, NULL, &lean, NULL), QC_OK);
        ck_assert_double_eq_tol(lean.agreement, full.agreement, 1e-9);
        ck_assert_double_eq_tol(lean.pairs, full.pairs, 1e-9);
        ck_assert_double_eq_tol(lean.rated_units, full.rated_units, 1e-9);
        ck_assert_double_eq_tol(lean.paired_units, full.paired_units, 1e-9);
        for (size_t k = 0; k < cats[c]; k++)
            ck_assert_double_eq_tol(lean.share[k], full.share[k], 1e-9);
        for (long fail = 0;; fail++) {
            qc_agree_tally again;
            ck_assert_int_eq(qc_agree_tally_new(CODERS, cats[c], &again), QC_OK);
            again.parts = 0;
            qc_alloc_fail_after(fail);
            qc_status status = qc_agree_tally_add(&r, NULL, NULL, &again, NULL);
            long attempts = qc_alloc_attempts();
            qc_alloc_fail_after(-1);
            qc_agree_tally_free(&again);
            if (attempts <= fail) {
                ck_assert_int_eq(status, QC_OK);
                break;
            }
            ck_assert_int_eq(status, QC_ENOMEM);
        }
        qc_agree_tally_free(&full);
        qc_agree_tally_free(&lean);
        free(v);
    }
}
END_TEST

START_TEST(agree_survives_every_allocation_failure)
{
    qc_ratings r = {C_UNITS, C_CODERS, C_CATS, section_c};
    for (long k = 0;; k++) {
        double out[5];
        qc_alloc_fail_after(k);
        qc_status status = qc_agree_bootstrap_units(&r, NULL, QC_AGREE_CONGER,
                                                    QC_METRIC_NOMINAL, NULL, 5,
                                                    1, out, NULL);
        long attempts = qc_alloc_attempts();
        qc_alloc_fail_after(-1);
        if (attempts <= k) {
            ck_assert_int_eq(status, QC_OK);
            break;
        }
        ck_assert_int_eq(status, QC_ENOMEM);
    }
    qc_agree_tally t;
    ck_assert_int_eq(qc_agree_tally_new(C_CODERS, C_CATS, &t), QC_OK);
    ck_assert_int_eq(qc_agree_tally_add(&r, NULL, NULL, &t, NULL), QC_OK);
    for (long k = 0;; k++) {
        double out[5];
        qc_alloc_fail_after(k);
        qc_status status = qc_alpha_bootstrap(&t, C_CATS, QC_METRIC_ORDINAL,
                                              NULL, 10, 5, 1, out, NULL);
        long attempts = qc_alloc_attempts();
        qc_alloc_fail_after(-1);
        if (attempts <= k) {
            ck_assert_int_eq(status, QC_OK);
            break;
        }
        ck_assert_int_eq(status, QC_ENOMEM);
    }
    qc_agree_tally_free(&t);
}
END_TEST

START_TEST(encode_orders_distinct_values)
{
    /* 2 coders x 3 units, coder rows: {2.5, NaN, -0.0}, {0.0, 2.5, -1} */
    const double values[6] = {2.5, NAN, -0.0, 0.0, 2.5, -1};
    int64_t codes[6];
    double *cats = NULL;
    size_t n_cats = 0;
    ck_assert_int_eq(qc_agree_encode(values, 2, 3, codes, &cats, &n_cats, NULL),
                     QC_OK);
    ck_assert_uint_eq(n_cats, 3);
    ck_assert(cats[0] == -1 && cats[1] == 0 && cats[2] == 2.5);
    /* units x coders */
    const int64_t expected[6] = {2, 1, -1, 2, 1, 0};
    for (int i = 0; i < 6; i++)
        ck_assert_int_eq(codes[i], expected[i]);
    qc_free(cats);

    /* many distinct values grow the table */
    enum { N = 1000 };
    double many[N];
    int64_t many_codes[N];
    for (int i = 0; i < N; i++)
        many[i] = (double)((i * 7919) % N) / 10.0;
    ck_assert_int_eq(qc_agree_encode(many, 1, N, many_codes, &cats, &n_cats, NULL),
                     QC_OK);
    ck_assert_uint_eq(n_cats, N);
    for (int i = 0; i < N; i++)
        ck_assert(cats[many_codes[i]] == many[i]);
    qc_free(cats);

    qc_errinfo err = {0};
    const double infinite[2] = {1, INFINITY};
    ck_assert_int_eq(qc_agree_encode(infinite, 1, 2, codes, &cats, &n_cats, &err),
                     QC_EINVAL);
    ck_assert_uint_eq(err.index, 1);
    ck_assert_ptr_null(cats);
    for (long k = 0;; k++) {
        qc_alloc_fail_after(k);
        qc_status status = qc_agree_encode(many, 1, N, many_codes, &cats, &n_cats,
                                           NULL);
        long attempts = qc_alloc_attempts();
        qc_alloc_fail_after(-1);
        if (attempts <= k) {
            ck_assert_int_eq(status, QC_OK);
            qc_free(cats);
            break;
        }
        ck_assert_int_eq(status, QC_ENOMEM);
        ck_assert_ptr_null(cats);
    }
}
END_TEST

Suite *agree_suite(void)
{
    Suite *s = suite_create("agree");
    TCase *tc = tcase_create("qc_agree_coefficient");
    tcase_add_test(tc, krippendorff_2011_section_c);
    tcase_add_test(tc, krippendorff_2011_sections_a_and_b);
    tcase_add_test(tc, fleiss_1971_example);
    tcase_add_test(tc, undefined_cases_are_nan);
    tcase_add_test(tc, agree_rejects_bad_input);
    tcase_add_test(tc, tally_is_checked_before_any_loop);
    tcase_add_test(tc, two_coder_weights_in_coder_order);
    tcase_add_test(tc, more_coders_use_the_symmetric_part);
    suite_add_tcase(s, tc);
    tc = tcase_create("qc_agree_encode");
    tcase_add_test(tc, encode_orders_distinct_values);
    suite_add_tcase(s, tc);
    tc = tcase_create("qc_agree_tally_add");
    tcase_add_test(tc, tallies_of_halves_add_up);
    tcase_add_test(tc, lean_tally_equals_full_tally);
    suite_add_tcase(s, tc);
    tc = tcase_create("bootstrap");
    tcase_add_test(tc, bootstraps_are_seeded_and_bracket_alpha);
    tcase_add_test(tc, agree_survives_every_allocation_failure);
    suite_add_tcase(s, tc);
    return s;
}
