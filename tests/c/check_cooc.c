/* qc/cooc.h: co-occurrence within units, spans and windows; crosstabs. */
#include <string.h>

#include "qc/cooc.h"
#include "fixtures.h"
#include "suites.h"

/* Three codes A, B, C that are their own targets. */
static const int64_t id_indptr[4] = {0, 1, 2, 3};
static const int64_t id_target[3] = {0, 1, 2};
static const qc_dimview identity = {3, 3, id_indptr, id_target, 3};
enum { A, B, C };

/* Cell (a, b) of a T x T count array. */
#define CELL(counts, t, a, b) ((counts)[(a) * (t) + (b)])

START_TEST(items_count_pairs_once_per_item)
{
    qc_dimmap map;
    ck_assert_int_eq(qc_dimmap_build(fx_parent, N_CODES, fx_level_indptr,
                                     fx_level_target, 2, 2, QC_INHERIT_NEAREST,
                                     &map, NULL),
                     QC_OK);
    qc_dimview view = qc_dimmap_view(&map);
    qc_segments items = {N_ITEMS, fx_items_indptr, fx_items_code, N_CODINGS,
                         NULL, NULL, NULL, NULL, 1};
    int64_t counts[4] = {0};
    ck_assert_int_eq(qc_cooc_dense(&items, &view, QC_NEAR_SELF, 0, counts, NULL),
                     QC_OK);
    ck_assert_int_eq(CELL(counts, 2, 0, 0), 2); /* items 0 and 1 carry COE-1 */
    ck_assert_int_eq(CELL(counts, 2, 0, 1), 1); /* item 0 carries both */
    ck_assert_int_eq(CELL(counts, 2, 1, 0), 0); /* lower triangle untouched */
    ck_assert_int_eq(CELL(counts, 2, 1, 1), 2);
    qc_dimmap_free(&map);
}
END_TEST

/*
 * Space 0: [0,10) A; [2,5) B inside it; [10,12) C touching it; [10,10) B at
 * its end (inside it, and sharing C's start). Space 1: [0,5) A+B overlapping
 * [3,8) A+B.
 */
static const int64_t span_indptr[7] = {0, 1, 2, 3, 4, 6, 8};
static const int64_t span_code[8] = {A, B, C, B, A, B, A, B};
static const int64_t span_space[6] = {0, 0, 0, 0, 1, 1};
static const int64_t span_start[6] = {0, 2, 10, 10, 0, 3};
static const int64_t span_end[6] = {10, 5, 12, 10, 5, 8};

static qc_segments span_segments(void)
{
    qc_segments s = {6, span_indptr, span_code, 8, span_space, span_start,
                     span_end, NULL, 1};
    return s;
}

START_TEST(spans_overlap_enclose_but_do_not_touch)
{
    qc_segments spans = span_segments();
    int64_t counts[9] = {0};
    ck_assert_int_eq(qc_cooc_dense(&spans, &identity, QC_NEAR_SPAN, 0, counts, NULL),
                     QC_OK);
    ck_assert_int_eq(CELL(counts, 3, A, A), 3);
    ck_assert_int_eq(CELL(counts, 3, B, B), 4);
    ck_assert_int_eq(CELL(counts, 3, C, C), 1);
    /* s0-s1, s0-s3, two self pairs in space 1, and s4-s5 once */
    ck_assert_int_eq(CELL(counts, 3, A, B), 5);
    ck_assert_int_eq(CELL(counts, 3, B, C), 1); /* zero-length B at C's start */
    ck_assert_int_eq(CELL(counts, 3, A, C), 0); /* [0,10) only touches [10,12) */
}
END_TEST

START_TEST(sparse_equals_dense)
{
    qc_segments spans = span_segments();
    qc_pairs pairs;
    ck_assert_int_eq(qc_cooc_sparse(&spans, &identity, QC_NEAR_SPAN, 0, &pairs, NULL),
                     QC_OK);
    int64_t dense[9] = {0};
    ck_assert_int_eq(qc_cooc_dense(&spans, &identity, QC_NEAR_SPAN, 0, dense, NULL),
                     QC_OK);
    size_t nonzero = 0;
    for (int i = 0; i < 9; i++)
        nonzero += dense[i] != 0;
    ck_assert_uint_eq(pairs.n, nonzero);
    for (size_t k = 0; k < pairs.n; k++) {
        ck_assert_int_eq(pairs.group[k], 0);
        ck_assert_int_le(pairs.a[k], pairs.b[k]);
        ck_assert_int_eq(pairs.count[k], CELL(dense, 3, pairs.a[k], pairs.b[k]));
        if (k > 0)
            ck_assert(pairs.a[k - 1] < pairs.a[k] ||
                      (pairs.a[k - 1] == pairs.a[k] && pairs.b[k - 1] < pairs.b[k]));
    }
    qc_pairs_free(&pairs);
    qc_pairs_free(&pairs);
}
END_TEST

START_TEST(windows_pair_items_within_reach)
{
    /* items at positions 0, 1, 2, 5 of one document carrying A, B, A, C */
    const int64_t indptr[5] = {0, 1, 2, 3, 4};
    const int64_t code[4] = {A, B, A, C};
    const int64_t space[4] = {7, 7, 7, 7};
    const int64_t position[4] = {0, 1, 2, 5};
    qc_segments items = {4, indptr, code, 4, space, position, NULL, NULL, 1};
    int64_t near1[9] = {0}, near3[9] = {0};
    ck_assert_int_eq(qc_cooc_dense(&items, &identity, QC_NEAR_WINDOW, 1, near1, NULL),
                     QC_OK);
    ck_assert_int_eq(CELL(near1, 3, A, B), 2);
    ck_assert_int_eq(CELL(near1, 3, A, C), 0);
    ck_assert_int_eq(CELL(near1, 3, A, A), 2); /* the diagonal counts items */
    ck_assert_int_eq(qc_cooc_dense(&items, &identity, QC_NEAR_WINDOW, 3, near3, NULL),
                     QC_OK);
    ck_assert_int_eq(CELL(near3, 3, A, B), 2);
    ck_assert_int_eq(CELL(near3, 3, A, C), 1);
    ck_assert_int_eq(CELL(near3, 3, B, C), 0); /* 4 apart */

    /* 2^63 apart: a signed difference of the starts would wrap to <= 0 */
    const int64_t far[2] = {-1, INT64_MAX};
    qc_segments apart = {2, indptr, code, 2, space, far, NULL, NULL, 1};
    int64_t none[9] = {0};
    ck_assert_int_eq(qc_cooc_dense(&apart, &identity, QC_NEAR_WINDOW, 0, none, NULL), QC_OK);
    ck_assert_int_eq(CELL(none, 3, A, B), 0);
    ck_assert_int_eq(CELL(none, 3, A, A), 1);
}
END_TEST

START_TEST(groups_keep_neighbours_apart)
{
    const int64_t group[6] = {0, 1, 0, 0, -1, -1};
    qc_segments spans = span_segments();
    spans.group = group;
    spans.n_groups = 2;
    int64_t counts[18] = {0};
    ck_assert_int_eq(qc_cooc_dense(&spans, &identity, QC_NEAR_SPAN, 0, counts, NULL),
                     QC_OK);
    /* group 0: s0 (A), s2 (C), s3 (B): A-B through s3, B-C through s2-s3 */
    ck_assert_int_eq(CELL(counts, 3, A, B), 1);
    ck_assert_int_eq(CELL(counts, 3, B, C), 1);
    ck_assert_int_eq(CELL(counts, 3, A, A), 1);
    /* group 1: s1 alone */
    ck_assert_int_eq(CELL(counts + 9, 3, B, B), 1);
    ck_assert_int_eq(CELL(counts + 9, 3, A, B), 0);
}
END_TEST

START_TEST(cooc_rejects_bad_input)
{
    qc_errinfo err = {0};
    int64_t counts[9] = {0};
    qc_segments spans = span_segments();

    const int64_t unsorted_start[6] = {0, 2, 1, 10, 0, 3};
    spans.start = unsorted_start;
    ck_assert_int_eq(qc_cooc_dense(&spans, &identity, QC_NEAR_SPAN, 0, counts, &err),
                     QC_EORDER);
    ck_assert_str_eq(err.arg, "start");
    ck_assert_uint_eq(err.index, 2);

    spans = span_segments();
    const int64_t backwards_end[6] = {10, 5, 12, 9, 5, 8};
    spans.end = backwards_end;
    ck_assert_int_eq(qc_cooc_dense(&spans, &identity, QC_NEAR_SPAN, 0, counts, &err),
                     QC_EORDER);
    ck_assert_str_eq(err.arg, "end");
    ck_assert_uint_eq(err.index, 3);

    spans = span_segments();
    const int64_t unsorted_space[6] = {0, 0, 1, 0, 1, 1};
    spans.space = unsorted_space;
    ck_assert_int_eq(qc_cooc_dense(&spans, &identity, QC_NEAR_SPAN, 0, counts, &err),
                     QC_EORDER);
    ck_assert_str_eq(err.arg, "space");

    spans = span_segments();
    spans.end = NULL;
    ck_assert_int_eq(qc_cooc_dense(&spans, &identity, QC_NEAR_SPAN, 0, counts, &err),
                     QC_EINVAL);
    ck_assert_str_eq(err.arg, "end");

    spans = span_segments();
    ck_assert_int_eq(qc_cooc_dense(&spans, &identity, QC_NEAR_WINDOW, -1, counts, &err),
                     QC_EINVAL);
    ck_assert_str_eq(err.arg, "window");

    const int64_t bad_code[8] = {A, B, C, B, A, 3, A, B};
    spans.code = bad_code;
    ck_assert_int_eq(qc_cooc_dense(&spans, &identity, QC_NEAR_SELF, 0, counts, &err),
                     QC_EINDEX);
    ck_assert_str_eq(err.arg, "code");
    ck_assert_uint_eq(err.index, 5);
    /* a left-out segment's codes are checked too: the sweep would read them */
    const int64_t leave_out[6] = {0, 0, 0, 0, -1, 0};
    spans.group = leave_out;
    ck_assert_int_eq(qc_cooc_dense(&spans, &identity, QC_NEAR_SPAN, 0, counts, &err),
                     QC_EINDEX);
    ck_assert_uint_eq(err.index, 5);

    spans = span_segments();
    const int64_t group[6] = {0, 0, 2, 0, 0, 0};
    spans.group = group;
    spans.n_groups = 2;
    ck_assert_int_eq(qc_cooc_dense(&spans, &identity, QC_NEAR_SPAN, 0, counts, &err),
                     QC_EINDEX);
    ck_assert_str_eq(err.arg, "group");

    spans = span_segments();
    spans.n_groups = (size_t)1 << 62;
    ck_assert_int_eq(qc_cooc_dense(&spans, &identity, QC_NEAR_SPAN, 0, counts, &err),
                     QC_EOVERFLOW);
    ck_assert_int_eq(qc_cooc_dense(&spans, &identity, (qc_near)9, 0, counts, &err),
                     QC_EOVERFLOW);
    spans.n_groups = 1;
    ck_assert_int_eq(qc_cooc_dense(&spans, &identity, (qc_near)9, 0, counts, &err),
                     QC_EINVAL);
    ck_assert_str_eq(err.arg, "near");
}
END_TEST

START_TEST(cooc_survives_every_allocation_failure)
{
    qc_segments spans = span_segments();
    for (int sparse = 0; sparse < 2; sparse++) {
        for (long k = 0;; k++) {
            int64_t counts[9] = {0};
            qc_pairs pairs;
            qc_alloc_fail_after(k);
            qc_status status =
                sparse ? qc_cooc_sparse(&spans, &identity, QC_NEAR_SPAN, 0, &pairs, NULL)
                       : qc_cooc_dense(&spans, &identity, QC_NEAR_SPAN, 0, counts, NULL);
            long attempts = qc_alloc_attempts();
            qc_alloc_fail_after(-1);
            if (attempts <= k) {
                ck_assert_int_eq(status, QC_OK);
                if (sparse)
                    qc_pairs_free(&pairs);
                break;
            }
            ck_assert_int_eq(status, QC_ENOMEM);
            if (sparse)
                ck_assert_ptr_null(pairs.count);
        }
    }
}
END_TEST

START_TEST(sparse_table_grows)
{
    /* one segment carrying 100 targets: 5050 cells, several table growths */
    enum { N = 100 };
    int64_t indptr[N + 1], target[N], code[N];
    for (int i = 0; i < N; i++) {
        indptr[i] = i;
        target[i] = i;
        code[i] = i;
    }
    indptr[N] = N;
    qc_dimview map = {N, N, indptr, target, N};
    const int64_t seg_indptr[2] = {0, N};
    qc_segments one = {1, seg_indptr, code, N, NULL, NULL, NULL, NULL, 1};
    qc_pairs pairs;
    ck_assert_int_eq(qc_cooc_sparse(&one, &map, QC_NEAR_SELF, 0, &pairs, NULL), QC_OK);
    ck_assert_uint_eq(pairs.n, N * (N + 1) / 2);
    for (size_t k = 0; k < pairs.n; k++)
        ck_assert_int_eq(pairs.count[k], 1);
    qc_pairs_free(&pairs);
}
END_TEST

START_TEST(crosstab_by_codings_and_items)
{
    qc_dimmap level, groups;
    ck_assert_int_eq(qc_dimmap_build(fx_parent, N_CODES, fx_level_indptr,
                                     fx_level_target, 2, 2, QC_INHERIT_NEAREST,
                                     &level, NULL),
                     QC_OK);
    ck_assert_int_eq(qc_dimmap_build(fx_parent, N_CODES, fx_group_indptr,
                                     fx_group_target, 4, 3, QC_INHERIT_ALL,
                                     &groups, NULL),
                     QC_OK);
    qc_dimview a = qc_dimmap_view(&level), b = qc_dimmap_view(&groups);
    qc_codings codings = {N_ITEMS, fx_items_indptr, fx_items_code, N_CODINGS,
                          N_CODES};
    int64_t counts[6] = {0};
    ck_assert_int_eq(qc_crosstab(&codings, &a, &b, NULL, NULL, 1, QC_UNIT_CODINGS,
                                 counts, NULL),
                     QC_OK);
    const int64_t by_codings[6] = {3, 3, 0, 1, 0, 0};
    for (int i = 0; i < 6; i++)
        ck_assert_int_eq(counts[i], by_codings[i]);
    memset(counts, 0, sizeof counts);
    ck_assert_int_eq(qc_crosstab(&codings, &a, &b, NULL, NULL, 1, QC_UNIT_ITEMS,
                                 counts, NULL),
                     QC_OK);
    const int64_t by_items[6] = {2, 2, 0, 1, 1, 0};
    for (int i = 0; i < 6; i++)
        ck_assert_int_eq(counts[i], by_items[i]);

    /* per coder: coder 1 alone never has a subtheme-0 coding on item 0 */
    const int64_t coder[N_CODINGS] = {0, 1, 0, 0, 1};
    int64_t split[12] = {0};
    ck_assert_int_eq(qc_crosstab(&codings, &a, &b, NULL, coder, 2, QC_UNIT_ITEMS,
                                 split, NULL),
                     QC_OK);
    const int64_t coder0[6] = {2, 2, 0, 0, 0, 0}, coder1[6] = {0, 0, 0, 1, 0, 0};
    for (int i = 0; i < 6; i++) {
        ck_assert_int_eq(split[i], coder0[i]);
        ck_assert_int_eq(split[6 + i], coder1[i]);
    }
    qc_errinfo err = {0};
    ck_assert_int_eq(qc_crosstab(&codings, &a, &b, NULL, NULL, 1, (qc_unit)5,
                                 counts, &err),
                     QC_EINVAL);
    ck_assert_str_eq(err.arg, "unit");
    /* each map is named as the caller names it, not as "map_target" */
    qc_dimview narrow = b;
    narrow.n_targets = 1;
    ck_assert_int_eq(qc_crosstab(&codings, &a, &narrow, NULL, NULL, 1, QC_UNIT_CODINGS,
                                 counts, &err),
                     QC_EINDEX);
    ck_assert_str_eq(err.arg, "b_target");
    qc_alloc_fail_after(0);
    qc_status status = qc_crosstab(&codings, &a, &b, NULL, NULL, 1, QC_UNIT_ITEMS,
                                   counts, NULL);
    qc_alloc_fail_after(-1);
    ck_assert_int_eq(status, QC_ENOMEM);
    qc_dimmap_free(&level);
    qc_dimmap_free(&groups);
}
END_TEST

Suite *cooc_suite(void)
{
    Suite *s = suite_create("cooc");
    TCase *tc = tcase_create("qc_cooc_dense");
    tcase_add_test(tc, items_count_pairs_once_per_item);
    tcase_add_test(tc, spans_overlap_enclose_but_do_not_touch);
    tcase_add_test(tc, windows_pair_items_within_reach);
    tcase_add_test(tc, groups_keep_neighbours_apart);
    tcase_add_test(tc, cooc_rejects_bad_input);
    tcase_add_test(tc, cooc_survives_every_allocation_failure);
    suite_add_tcase(s, tc);
    tc = tcase_create("qc_cooc_sparse");
    tcase_add_test(tc, sparse_equals_dense);
    tcase_add_test(tc, sparse_table_grows);
    suite_add_tcase(s, tc);
    tc = tcase_create("qc_crosstab");
    tcase_add_test(tc, crosstab_by_codings_and_items);
    suite_add_tcase(s, tc);
    return s;
}
