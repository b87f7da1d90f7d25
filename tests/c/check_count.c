/* qc/count.h: frequencies over CSR codings. */
#include <string.h>

#include "qc/count.h"
#include "fixtures.h"
#include "suites.h"

static const qc_codings fx_codings = {N_ITEMS, fx_items_indptr, fx_items_code,
                                      N_CODINGS, N_CODES};

/* Builds the subtheme (level) or group-set map of the fixtures. */
static qc_dimmap fixture_map(int groups)
{
    qc_dimmap map;
    qc_status status =
        groups ? qc_dimmap_build(fx_parent, N_CODES, fx_group_indptr,
                                 fx_group_target, 4, 3, QC_INHERIT_ALL, &map,
                                 NULL)
               : qc_dimmap_build(fx_parent, N_CODES, fx_level_indptr,
                                 fx_level_target, 2, 2, QC_INHERIT_NEAREST,
                                 &map, NULL);
    ck_assert_int_eq(status, QC_OK);
    return map;
}

static void assert_counts(const int64_t *got, const int64_t *want, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(got[i] == want[i], "cell %zu: got %lld, want %lld", i,
                      (long long)got[i], (long long)want[i]);
}

START_TEST(level_counts_by_codings_and_items)
{
    qc_dimmap map = fixture_map(0);
    qc_dimview view = qc_dimmap_view(&map);
    int64_t counts[2] = {0};
    ck_assert_int_eq(qc_count_codes(&fx_codings, &view, NULL, NULL, 1,
                                    QC_UNIT_CODINGS, counts, NULL),
                     QC_OK);
    assert_counts(counts, (const int64_t[]){3, 2}, 2);
    memset(counts, 0, sizeof counts);
    ck_assert_int_eq(qc_count_codes(&fx_codings, &view, NULL, NULL, 1,
                                    QC_UNIT_ITEMS, counts, NULL),
                     QC_OK);
    assert_counts(counts, (const int64_t[]){2, 2}, 2);
    qc_dimmap_free(&map);
}
END_TEST

START_TEST(group_set_counts_each_group_once_per_coding)
{
    qc_dimmap map = fixture_map(1);
    qc_dimview view = qc_dimmap_view(&map);
    int64_t counts[3] = {0};
    ck_assert_int_eq(qc_count_codes(&fx_codings, &view, NULL, NULL, 1,
                                    QC_UNIT_CODINGS, counts, NULL),
                     QC_OK);
    assert_counts(counts, (const int64_t[]){4, 3, 0}, 3);
    memset(counts, 0, sizeof counts);
    ck_assert_int_eq(qc_count_codes(&fx_codings, &view, NULL, NULL, 1,
                                    QC_UNIT_ITEMS, counts, NULL),
                     QC_OK);
    assert_counts(counts, (const int64_t[]){2, 2, 0}, 3);
    qc_dimmap_free(&map);
}
END_TEST

START_TEST(split_by_item_group_leaves_out_minus_one)
{
    qc_dimmap map = fixture_map(0);
    qc_dimview view = qc_dimmap_view(&map);
    const int64_t item_group[N_ITEMS] = {0, 1, 0, -1};
    int64_t counts[4] = {0};
    ck_assert_int_eq(qc_count_codes(&fx_codings, &view, item_group, NULL, 2,
                                    QC_UNIT_CODINGS, counts, NULL),
                     QC_OK);
    assert_counts(counts, (const int64_t[]){1, 1, 2, 0}, 4);
    qc_dimmap_free(&map);
}
END_TEST

START_TEST(split_by_coding_group_counts_items_per_group)
{
    qc_dimmap map = fixture_map(0);
    qc_dimview view = qc_dimmap_view(&map);
    const int64_t coder[N_CODINGS] = {0, 1, 0, 1, 1};
    int64_t counts[4] = {0};
    ck_assert_int_eq(qc_count_codes(&fx_codings, &view, NULL, coder, 2,
                                    QC_UNIT_ITEMS, counts, NULL),
                     QC_OK);
    assert_counts(counts, (const int64_t[]){2, 0, 1, 2}, 4);
    qc_dimmap_free(&map);
}
END_TEST

START_TEST(halves_add_up_to_the_whole)
{
    qc_dimmap map = fixture_map(1);
    qc_dimview view = qc_dimmap_view(&map);
    int64_t whole[3] = {0}, parts[3] = {0};
    ck_assert_int_eq(qc_count_codes(&fx_codings, &view, NULL, NULL, 1,
                                    QC_UNIT_ITEMS, whole, NULL),
                     QC_OK);
    /* items 0-1 and items 2-3 as two corpora of their own */
    const int64_t first_indptr[] = {0, 2, 4};
    const int64_t second_indptr[] = {0, 0, 1};
    qc_codings first = {2, first_indptr, fx_items_code, 4, N_CODES};
    qc_codings second = {2, second_indptr, fx_items_code + 4, 1, N_CODES};
    ck_assert_int_eq(qc_count_codes(&first, &view, NULL, NULL, 1,
                                    QC_UNIT_ITEMS, parts, NULL),
                     QC_OK);
    ck_assert_int_eq(qc_count_codes(&second, &view, NULL, NULL, 1,
                                    QC_UNIT_ITEMS, parts, NULL),
                     QC_OK);
    assert_counts(parts, whole, 3);
    qc_dimmap_free(&map);
}
END_TEST

START_TEST(empty_corpus_counts_nothing)
{
    qc_dimmap map = fixture_map(0);
    qc_dimview view = qc_dimmap_view(&map);
    const int64_t indptr[] = {0};
    qc_codings none = {0, indptr, NULL, 0, N_CODES};
    int64_t counts[2] = {0};
    ck_assert_int_eq(qc_count_codes(&none, &view, NULL, NULL, 1, QC_UNIT_ITEMS,
                                    counts, NULL),
                     QC_OK);
    assert_counts(counts, (const int64_t[]){0, 0}, 2);
    qc_dimmap_free(&map);
}
END_TEST

START_TEST(count_rejects_bad_input)
{
    qc_dimmap map = fixture_map(0);
    qc_dimview view = qc_dimmap_view(&map);
    int64_t counts[4] = {0};
    qc_errinfo err = {0};

    const int64_t bad_code[N_CODINGS] = {2, 6, 3, 7, 5};
    qc_codings bad = {N_ITEMS, fx_items_indptr, bad_code, N_CODINGS, N_CODES};
    ck_assert_int_eq(qc_count_codes(&bad, &view, NULL, NULL, 1,
                                    QC_UNIT_CODINGS, counts, &err),
                     QC_EINDEX);
    ck_assert_str_eq(err.arg, "code");
    ck_assert_uint_eq(err.index, 3);

    const int64_t item_group[N_ITEMS] = {0, 2, 0, 0};
    ck_assert_int_eq(qc_count_codes(&fx_codings, &view, item_group, NULL, 2,
                                    QC_UNIT_CODINGS, counts, &err),
                     QC_EINDEX);
    ck_assert_str_eq(err.arg, "item_group");
    ck_assert_uint_eq(err.index, 1);

    /* a bad code is bad input even in an item left out of every group */
    const int64_t left_out[N_ITEMS] = {0, -1, -1, 0};
    ck_assert_int_eq(qc_count_codes(&bad, &view, left_out, NULL, 1, QC_UNIT_CODINGS,
                                    counts, &err),
                     QC_EINDEX);
    ck_assert_str_eq(err.arg, "code");
    ck_assert_uint_eq(err.index, 3);

    const int64_t coder[N_CODINGS] = {0, 0, 0, 0, -3};
    ck_assert_int_eq(qc_count_codes(&fx_codings, &view, NULL, coder, 2,
                                    QC_UNIT_ITEMS, counts, &err),
                     QC_EINDEX);
    ck_assert_str_eq(err.arg, "coding_group");

    ck_assert_int_eq(qc_count_codes(&fx_codings, &view, item_group, coder, 2,
                                    QC_UNIT_ITEMS, counts, &err),
                     QC_EINVAL);
    ck_assert_int_eq(qc_count_codes(&fx_codings, &view, NULL, NULL, 2,
                                    QC_UNIT_ITEMS, counts, &err),
                     QC_EINVAL);
    ck_assert_str_eq(err.arg, "n_groups");
    ck_assert_int_eq(qc_count_codes(&fx_codings, &view, NULL, NULL, 1,
                                    (qc_unit)9, counts, &err),
                     QC_EINVAL);
    ck_assert_str_eq(err.arg, "unit");

    const int64_t bad_indptr[N_ITEMS + 1] = {0, 2, 1, 4, 5};
    qc_codings unordered = {N_ITEMS, bad_indptr, fx_items_code, N_CODINGS,
                             N_CODES};
    ck_assert_int_eq(qc_count_codes(&unordered, &view, NULL, NULL, 1,
                                    QC_UNIT_CODINGS, counts, &err),
                     QC_EORDER);
    ck_assert_str_eq(err.arg, "indptr");

    qc_codings fewer_codes = {N_ITEMS, fx_items_indptr, fx_items_code,
                               N_CODINGS, 3};
    ck_assert_int_eq(qc_count_codes(&fewer_codes, &view, NULL, NULL, 1,
                                    QC_UNIT_CODINGS, counts, &err),
                     QC_EINVAL);
    ck_assert_str_eq(err.arg, "map");

    /* indptr promises more codings than the code array holds */
    qc_codings short_code = {N_ITEMS, fx_items_indptr, fx_items_code, 4,
                             N_CODES};
    ck_assert_int_eq(qc_count_codes(&short_code, &view, NULL, NULL, 1,
                                    QC_UNIT_CODINGS, counts, &err),
                     QC_EINVAL);
    ck_assert_str_eq(err.arg, "indptr");
    ck_assert_int_eq(err.limit, 4);

    ck_assert_int_eq(qc_count_codes(&fx_codings, &view, NULL, NULL, 1,
                                    QC_UNIT_CODINGS, NULL, &err),
                     QC_EINVAL);
    ck_assert_int_eq(qc_count_codes(&fx_codings, &view, NULL, coder,
                                    SIZE_MAX / 2 + 1, QC_UNIT_ITEMS, counts, &err),
                     QC_EOVERFLOW);
    qc_dimmap_free(&map);
}
END_TEST

START_TEST(count_survives_allocation_failure)
{
    qc_dimmap map = fixture_map(1);
    qc_dimview view = qc_dimmap_view(&map);
    int64_t counts[3] = {0};
    qc_alloc_fail_after(0);
    qc_status status = qc_count_codes(&fx_codings, &view, NULL, NULL, 1,
                                      QC_UNIT_ITEMS, counts, NULL);
    qc_alloc_fail_after(-1);
    ck_assert_int_eq(status, QC_ENOMEM);
    qc_dimmap_free(&map);
}
END_TEST

Suite *count_suite(void)
{
    Suite *s = suite_create("count");
    TCase *tc = tcase_create("qc_count_codes");
    tcase_add_test(tc, level_counts_by_codings_and_items);
    tcase_add_test(tc, group_set_counts_each_group_once_per_coding);
    tcase_add_test(tc, split_by_item_group_leaves_out_minus_one);
    tcase_add_test(tc, split_by_coding_group_counts_items_per_group);
    tcase_add_test(tc, halves_add_up_to_the_whole);
    tcase_add_test(tc, empty_corpus_counts_nothing);
    tcase_add_test(tc, count_rejects_bad_input);
    tcase_add_test(tc, count_survives_allocation_failure);
    suite_add_tcase(s, tc);
    return s;
}
