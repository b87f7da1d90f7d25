/* qc/codebook.h: hierarchy validation and dimension maps. */
#include "qc/codebook.h"
#include "fixtures.h"
#include "suites.h"

START_TEST(depth_of_a_forest)
{
    int32_t depth[N_CODES];
    ck_assert_int_eq(qc_hierarchy_depth(fx_parent, N_CODES, depth, NULL), QC_OK);
    const int32_t expected[N_CODES] = {0, 1, 2, 2, 0, 1, 2};
    for (int i = 0; i < N_CODES; i++)
        ck_assert_int_eq(depth[i], expected[i]);
}
END_TEST

START_TEST(depth_when_children_come_first)
{
    /* a chain listed leaf first: 0 -> 1 -> 2 -> root */
    const int64_t parent[] = {1, 2, -1};
    int32_t depth[3];
    ck_assert_int_eq(qc_hierarchy_depth(parent, 3, depth, NULL), QC_OK);
    ck_assert_int_eq(depth[0], 2);
    ck_assert_int_eq(depth[1], 1);
    ck_assert_int_eq(depth[2], 0);
}
END_TEST

START_TEST(depth_of_nothing)
{
    ck_assert_int_eq(qc_hierarchy_depth(NULL, 0, NULL, NULL), QC_OK);
}
END_TEST

START_TEST(depth_rejects_parent_out_of_range)
{
    const int64_t parent[] = {-1, 3, 0};
    int32_t depth[3];
    qc_errinfo err = {0};
    ck_assert_int_eq(qc_hierarchy_depth(parent, 3, depth, &err), QC_EINDEX);
    ck_assert_str_eq(err.arg, "parent");
    ck_assert_uint_eq(err.index, 1);
    ck_assert_int_eq(err.value, 3);
    const int64_t below[] = {-2};
    ck_assert_int_eq(qc_hierarchy_depth(below, 1, depth, &err), QC_EINDEX);
}
END_TEST

START_TEST(depth_rejects_cycles)
{
    int32_t depth[4];
    qc_errinfo err = {0};
    const int64_t self_loop[] = {-1, 1};
    ck_assert_int_eq(qc_hierarchy_depth(self_loop, 2, depth, &err), QC_ECYCLE);
    ck_assert_uint_eq(err.index, 1);
    /* 3 hangs below a 3-cycle 0 -> 1 -> 2 -> 0 */
    const int64_t three[] = {1, 2, 0, 0};
    ck_assert_int_eq(qc_hierarchy_depth(three, 4, depth, &err), QC_ECYCLE);
    ck_assert_str_eq(err.arg, "parent");
}
END_TEST

static void assert_row(const qc_dimmap *map, int code, int n, const int64_t *want)
{
    ck_assert_int_eq(map->indptr[code + 1] - map->indptr[code], n);
    for (int k = 0; k < n; k++)
        ck_assert_int_eq(map->target[map->indptr[code] + k], want[k]);
}

START_TEST(level_map_takes_nearest_ancestor)
{
    qc_dimmap map;
    ck_assert_int_eq(qc_dimmap_build(fx_parent, N_CODES, fx_level_indptr,
                                     fx_level_target, 2, 2, QC_INHERIT_NEAREST,
                                     &map, NULL),
                     QC_OK);
    const int64_t coe1[] = {0}, con1[] = {1};
    assert_row(&map, 0, 0, NULL);
    assert_row(&map, 1, 1, coe1);
    assert_row(&map, 2, 1, coe1);
    assert_row(&map, 3, 1, coe1);
    assert_row(&map, 4, 0, NULL);
    assert_row(&map, 5, 1, con1);
    assert_row(&map, 6, 1, con1);
    qc_dimmap_free(&map);
    qc_dimmap_free(&map); /* idempotent */
}
END_TEST

START_TEST(group_map_takes_union_once)
{
    qc_dimmap map;
    ck_assert_int_eq(qc_dimmap_build(fx_parent, N_CODES, fx_group_indptr,
                                     fx_group_target, 4, 3, QC_INHERIT_ALL,
                                     &map, NULL),
                     QC_OK);
    const int64_t both[] = {0, 1}, g0[] = {0};
    assert_row(&map, 0, 2, both);
    assert_row(&map, 1, 2, both); /* G1 directly and again through COE */
    assert_row(&map, 2, 2, both);
    assert_row(&map, 3, 2, both);
    assert_row(&map, 4, 0, NULL);
    assert_row(&map, 5, 0, NULL);
    assert_row(&map, 6, 1, g0);
    ck_assert_uint_eq(map.n_targets, 3);
    qc_dimmap_free(&map);
    /* targets no code reaches cost nothing: the scratch covers the targets
       in use, so a huge n_targets allocates no more */
    ck_assert_int_eq(qc_dimmap_build(fx_parent, N_CODES, fx_group_indptr,
                                     fx_group_target, 4, SIZE_MAX / 2, QC_INHERIT_ALL,
                                     &map, NULL),
                     QC_OK);
    assert_row(&map, 1, 2, both);
    ck_assert_uint_eq(map.n_targets, SIZE_MAX / 2);
    qc_dimmap_free(&map);
}
END_TEST

START_TEST(map_rejects_bad_input)
{
    qc_dimmap map;
    qc_errinfo err = {0};
    const int64_t bad_target[2] = {0, 2};
    ck_assert_int_eq(qc_dimmap_build(fx_parent, N_CODES, fx_level_indptr,
                                     bad_target, 2, 2, QC_INHERIT_NEAREST, &map,
                                     &err),
                     QC_EINDEX);
    ck_assert_str_eq(err.arg, "direct_target");
    ck_assert_uint_eq(err.index, 1);
    ck_assert_ptr_null(map.indptr);

    ck_assert_int_eq(qc_dimmap_build(fx_parent, N_CODES, fx_level_indptr,
                                     fx_level_target, 3, 2, QC_INHERIT_NEAREST,
                                     &map, &err),
                     QC_EINVAL);
    ck_assert_str_eq(err.arg, "direct_indptr");

    const int64_t cyclic[N_CODES] = {-1, 0, 1, 1, 6, 4, 5};
    ck_assert_int_eq(qc_dimmap_build(cyclic, N_CODES, fx_level_indptr,
                                     fx_level_target, 2, 2, QC_INHERIT_NEAREST,
                                     &map, &err),
                     QC_ECYCLE);
    ck_assert_int_eq(qc_dimmap_build(fx_parent, N_CODES, fx_level_indptr,
                                     fx_level_target, 2, 2, (qc_inherit)7, &map,
                                     &err),
                     QC_EINVAL);
    ck_assert_str_eq(err.arg, "mode");
}
END_TEST

START_TEST(map_survives_every_allocation_failure)
{
    for (long k = 0;; k++) {
        qc_dimmap map;
        qc_alloc_fail_after(k);
        qc_status status = qc_dimmap_build(fx_parent, N_CODES, fx_group_indptr,
                                           fx_group_target, 4, 3,
                                           QC_INHERIT_ALL, &map, NULL);
        long attempts = qc_alloc_attempts();
        qc_alloc_fail_after(-1);
        if (attempts <= k) {
            /* every allocation of this call succeeded: done */
            ck_assert_int_eq(status, QC_OK);
            qc_dimmap_free(&map);
            ck_assert_int_gt(k, 0);
            break;
        }
        ck_assert_int_eq(status, QC_ENOMEM);
        ck_assert_ptr_null(map.indptr);
        ck_assert_ptr_null(map.target);
    }
}
END_TEST

START_TEST(view_check_catches_bad_targets)
{
    const int64_t target[2] = {0, 5};
    qc_dimview view = {N_CODES, 2, fx_level_indptr, target, 2};
    qc_errinfo err = {0};
    ck_assert_int_eq(qc_dimview_check(&view, &err), QC_EINDEX);
    ck_assert_str_eq(err.arg, "map_target");
    ck_assert_int_eq(err.value, 5);
}
END_TEST

Suite *codebook_suite(void)
{
    Suite *s = suite_create("codebook");
    TCase *tc = tcase_create("qc_hierarchy_depth");
    tcase_add_test(tc, depth_of_a_forest);
    tcase_add_test(tc, depth_when_children_come_first);
    tcase_add_test(tc, depth_of_nothing);
    tcase_add_test(tc, depth_rejects_parent_out_of_range);
    tcase_add_test(tc, depth_rejects_cycles);
    suite_add_tcase(s, tc);
    tc = tcase_create("qc_dimmap_build");
    tcase_add_test(tc, level_map_takes_nearest_ancestor);
    tcase_add_test(tc, group_map_takes_union_once);
    tcase_add_test(tc, map_rejects_bad_input);
    tcase_add_test(tc, map_survives_every_allocation_failure);
    suite_add_tcase(s, tc);
    tc = tcase_create("qc_dimview_check");
    tcase_add_test(tc, view_check_catches_bad_targets);
    suite_add_tcase(s, tc);
    return s;
}
