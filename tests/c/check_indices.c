/*
 * qc/indices.h. Expected values are published worked examples (REAT's
 * manual, after Doersam 2004, Stoermann 2009 and Farhauer/Kroell 2013; the
 * Atkinson example of PySAL inequality) or follow from the formula on inputs
 * small enough to work by hand (shown in the comments).
 */
#include <math.h>

#include "qc/indices.h"
#include "suites.h"

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

START_TEST(theil_matches_reat_and_decomposes)
{
    /* REAT theil(): c(10,10,10,20,50) -> 0.2326302 (Theil L, Stoermann) */
    const double x[] = {10, 10, 10, 20, 50};
    qc_sample s = one_group(x, 5);
    double per[1], dec[3];
    ck_assert_int_eq(qc_theil(&s, QC_THEIL_L, per, dec, NULL), QC_OK);
    ck_assert_double_eq_tol(per[0], 0.2326302, 5e-8);
    /* Theil T by hand: (1/5)(3 * 0.5 ln 0.5 + 2.5 ln 2.5) */
    ck_assert_int_eq(qc_theil(&s, QC_THEIL_T, per, dec, NULL), QC_OK);
    ck_assert_double_eq_tol(per[0], (1.5 * log(0.5) + 2.5 * log(2.5)) / 5, TOL);

    /* Two groups {1, 1} and {4, 4}: no within inequality, all between. */
    const double y[] = {1, 4, 1, 4};
    const int64_t group[] = {0, 1, 0, 1};
    qc_sample split = {4, y, group, 2, QC_NAN_PROPAGATE};
    double two[2];
    for (int kind = 0; kind < 2; kind++) {
        ck_assert_int_eq(qc_theil(&split, (qc_theil_kind)kind, two, dec, NULL), QC_OK);
        ck_assert_double_eq_tol(dec[2], 0.0, TOL);
        ck_assert_double_eq_tol(dec[0], dec[1], TOL);
    }
    /* T = (0.4 ln 0.4 + 1.6 ln 1.6) / 2 with mean 2.5 */
    ck_assert_int_eq(qc_theil(&split, QC_THEIL_T, two, dec, NULL), QC_OK);
    ck_assert_double_eq_tol(dec[0], (0.4 * log(0.4) + 1.6 * log(1.6)) / 2, TOL);
}
END_TEST

START_TEST(theil_edge_cases_are_nan)
{
    const double with_zero[] = {0, 2, 4};
    qc_sample s = one_group(with_zero, 3);
    double per, dec[3];
    ck_assert_int_eq(qc_theil(&s, QC_THEIL_L, &per, dec, NULL), QC_OK);
    ck_assert(isnan(per) && isnan(dec[0]));
    /* T takes 0 ln 0 = 0: mean 2, (1/3)(0 + 2 ln 2 ... ) */
    ck_assert_int_eq(qc_theil(&s, QC_THEIL_T, &per, dec, NULL), QC_OK);
    ck_assert_double_eq_tol(per, (1.0 * log(1.0) + 2.0 * log(2.0)) / 3, TOL);
    const double zeros[] = {0, 0};
    s = one_group(zeros, 2);
    ck_assert_int_eq(qc_theil(&s, QC_THEIL_T, &per, dec, NULL), QC_OK);
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
    ck_assert_int_eq(qc_theil(&bad_group, QC_THEIL_T, out, NULL, &err),
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
    for (int kernel = 0; kernel < 6; kernel++) {
        for (long k = 0;; k++) {
            double out[QC_GREEN_N], dec[3];
            qc_alloc_fail_after(k);
            qc_status status;
            switch (kernel) {
            case 0: status = qc_gini(&s, NULL, 0, out, NULL); break;
            case 1: status = qc_theil(&s, QC_THEIL_T, out, dec, NULL); break;
            case 2: status = qc_primacy(&s, 2, out, NULL); break;
            case 3: status = qc_rank_size(&s, 0, out, dec, NULL); break;
            case 4: status = qc_concentration(&s, out, dec, NULL, NULL); break;
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
