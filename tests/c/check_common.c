/* qc/common.h: status text, the allocation hook and CSR offset checks. */
#include <stdint.h>

#include "qc/common.h"
#include "suites.h"

START_TEST(strerror_names_every_status)
{
    for (int s = QC_OK; s <= QC_EOVERFLOW; s++)
        ck_assert_str_ne(qc_strerror((qc_status)s), "unknown status");
    ck_assert_str_eq(qc_strerror((qc_status)999), "unknown status");
}
END_TEST

START_TEST(fail_keeps_a_double_as_a_double)
{
    qc_errinfo err = {0};
    ck_assert_int_eq(qc_fail_float(&err, QC_EINVAL, "x", 3, -1.5, 0.25, "must be >= 0"),
                     QC_EINVAL);
    ck_assert_str_eq(err.arg, "x");
    ck_assert_uint_eq(err.index, 3);
    ck_assert(err.is_float && err.fvalue == -1.5 && err.flimit == 0.25);
    ck_assert(err.value == 0 && err.limit == 0);
    /* a later integer error clears the mark */
    ck_assert_int_eq(qc_fail(&err, QC_EINDEX, "code", 1, 9, 7, "too big"), QC_EINDEX);
    ck_assert(!err.is_float && err.value == 9 && err.limit == 7);
    ck_assert_int_eq(qc_fail_float(NULL, QC_EINVAL, "x", 0, 1, 0, "ok"), QC_EINVAL);
}
END_TEST

START_TEST(malloc_refuses_overflowing_sizes)
{
    ck_assert_ptr_null(qc_malloc(SIZE_MAX / 2, 4));
    ck_assert_ptr_null(qc_calloc(SIZE_MAX / 2, 4));
}
END_TEST

START_TEST(malloc_of_zero_is_not_null)
{
    void *p = qc_malloc(0, 8);
    ck_assert_ptr_nonnull(p);
    qc_free(p);
    qc_free(NULL);
}
END_TEST

/* On Linux a large block lies on whole 2 MiB pages, so huge pages can
   cover all of it; it is written to its last byte and grows by realloc. */
START_TEST(large_blocks_start_on_a_huge_page)
{
    const size_t n = ((size_t)5 << 20) + 3; /* past 4 MiB, not whole pages */
    uint8_t *p = qc_malloc(n, 1);
    ck_assert_ptr_nonnull(p);
#if defined(__linux__)
    ck_assert_uint_eq((uintptr_t)p % ((uintptr_t)2 << 20), 0);
#endif
    p[0] = 1;
    p[n - 1] = 2;
    uint8_t *q = qc_realloc(p, 2 * n, 1);
    ck_assert_ptr_nonnull(q);
    ck_assert_uint_eq(q[0], 1);
    ck_assert_uint_eq(q[n - 1], 2);
    qc_free(q);
    /* below 4 MiB: whatever malloc gives */
    p = qc_malloc(((size_t)4 << 20) - 1, 1);
    ck_assert_ptr_nonnull(p);
    qc_free(p);
}
END_TEST

START_TEST(realloc_keeps_contents_and_the_block_on_failure)
{
    ck_assert_ptr_null(qc_realloc(NULL, SIZE_MAX / 2, 4));
    int64_t *a = qc_realloc(NULL, 4, sizeof *a);
    ck_assert_ptr_nonnull(a);
    for (int64_t i = 0; i < 4; i++)
        a[i] = i * i;
    /* past the 4 MiB that ask for huge pages */
    int64_t *b = qc_realloc(a, (size_t)1 << 20, sizeof *b);
    ck_assert_ptr_nonnull(b);
    b[((size_t)1 << 20) - 1] = 7;
    for (int64_t i = 0; i < 4; i++)
        ck_assert_int_eq(b[i], i * i);
    qc_alloc_fail_after(0);
    ck_assert_ptr_null(qc_realloc(b, (size_t)1 << 21, sizeof *b));
    qc_alloc_fail_after(-1);
    ck_assert_int_eq(b[3], 9); /* still ours, unchanged */
    ck_assert_int_eq(b[((size_t)1 << 20) - 1], 7);
    qc_free(b);
}
END_TEST

START_TEST(grow_doubles_and_keeps_contents)
{
    int64_t *a = NULL;
    size_t capacity = 0;
    qc_alloc_fail_after(-1); /* counts the attempts */
    ck_assert_int_eq(qc_grow(&capacity, 0, &(qc_growable){&a, sizeof *a}, 1), QC_OK);
    ck_assert_ptr_null(a); /* nothing needed, nothing allocated */
    ck_assert_int_eq(qc_alloc_attempts(), 0);
    ck_assert_int_eq(qc_grow(&capacity, 3, &(qc_growable){&a, sizeof *a}, 1), QC_OK);
    ck_assert_uint_eq(capacity, QC_GROW_FIRST); /* a first block of some size */
    for (int64_t i = 0; i < 3; i++)
        a[i] = 10 * i;
    ck_assert_int_eq(qc_grow(&capacity, QC_GROW_FIRST + 1, &(qc_growable){&a, sizeof *a}, 1),
                     QC_OK);
    ck_assert_uint_eq(capacity, 2 * QC_GROW_FIRST); /* doubled: appends O(1) */
    ck_assert_int_eq(qc_grow(&capacity, 1000, &(qc_growable){&a, sizeof *a}, 1), QC_OK);
    ck_assert_uint_eq(capacity, 1000); /* more than double: what was asked */
    a[999] = 1;
    for (int64_t i = 0; i < 3; i++)
        ck_assert_int_eq(a[i], 10 * i);
    ck_assert_int_eq(qc_alloc_attempts(), 3);
    ck_assert_int_eq(qc_grow(&capacity, 1000, &(qc_growable){&a, sizeof *a}, 1), QC_OK);
    ck_assert_int_eq(qc_alloc_attempts(), 3); /* room already: no allocation */
    qc_free(a);
}
END_TEST

START_TEST(grow_moves_parallel_columns_together)
{
    int64_t *wide = NULL;
    uint8_t *narrow = NULL;
    size_t capacity = 0;
    qc_growable columns[] = {{&wide, sizeof *wide}, {&narrow, sizeof *narrow}};
    ck_assert_int_eq(qc_grow(&capacity, 40, columns, 2), QC_OK);
    ck_assert_uint_eq(capacity, 40);
    for (int i = 0; i < 40; i++) {
        wide[i] = -i;
        narrow[i] = (uint8_t)i;
    }
    /* every column's failure leaves the capacity and every column's
       contents as they were, each column a valid block */
    for (long k = 0;; k++) {
        qc_alloc_fail_after(k);
        qc_status status = qc_grow(&capacity, 100, columns, 2);
        qc_alloc_fail_after(-1);
        if (status == QC_OK)
            break;
        ck_assert_int_eq(status, QC_ENOMEM);
        ck_assert_int_lt(k, 2);
        ck_assert_uint_eq(capacity, 40);
    }
    ck_assert_uint_eq(capacity, 100);
    for (int i = 0; i < 40; i++) {
        ck_assert_int_eq(wide[i], -i);
        ck_assert_int_eq(narrow[i], i);
    }
    wide[99] = 99;
    narrow[99] = 99;
    qc_free(wide);
    qc_free(narrow);
}
END_TEST

START_TEST(grow_refuses_overflowing_sizes)
{
    int64_t *a = NULL;
    size_t capacity = 0;
    qc_alloc_fail_after(-1);
    ck_assert_int_eq(qc_grow(&capacity, SIZE_MAX / 4, &(qc_growable){&a, sizeof *a}, 1),
                     QC_EOVERFLOW);
    ck_assert_int_eq(qc_alloc_attempts(), 0);
    ck_assert_ptr_null(a);
    ck_assert_uint_eq(capacity, 0);
}
END_TEST

START_TEST(fail_after_counts_down_then_disarms)
{
    qc_alloc_fail_after(2);
    void *a = qc_malloc(1, 1), *b = qc_malloc(1, 1), *c = qc_malloc(1, 1);
    void *d = qc_malloc(1, 1);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_ptr_null(c);
    ck_assert_ptr_nonnull(d);
    ck_assert_int_eq(qc_alloc_attempts(), 4);
    qc_free(a);
    qc_free(b);
    qc_free(d);
    qc_alloc_fail_after(-1);
}
END_TEST

START_TEST(indptr_accepts_valid_offsets)
{
    const int64_t indptr[] = {0, 0, 2, 2, 5};
    ck_assert_int_eq(qc_check_indptr(indptr, 4, 5, "indptr", NULL), QC_OK);
}
END_TEST

START_TEST(indptr_rejects_bad_offsets)
{
    qc_errinfo err = {0};
    const int64_t starts_late[] = {1, 2};
    ck_assert_int_eq(qc_check_indptr(starts_late, 1, 1, "indptr", &err),
                     QC_EINVAL);
    ck_assert_uint_eq(err.index, 0);

    const int64_t decreasing[] = {0, 3, 2, 4};
    ck_assert_int_eq(qc_check_indptr(decreasing, 3, 4, "indptr", &err),
                     QC_EORDER);
    ck_assert_uint_eq(err.index, 2);
    ck_assert_str_eq(err.arg, "indptr");

    const int64_t short_total[] = {0, 1, 2};
    ck_assert_int_eq(qc_check_indptr(short_total, 2, 3, "indptr", &err),
                     QC_EINVAL);
    ck_assert_int_eq(err.value, 2);
    ck_assert_int_eq(err.limit, 3);

    ck_assert_int_eq(qc_check_indptr(NULL, 0, 0, "indptr", &err), QC_EINVAL);
}
END_TEST

START_TEST(narrowing_keeps_every_value_in_place)
{
    enum { N = 1000 };
    int64_t *wide = qc_malloc(N, sizeof *wide);
    ck_assert_ptr_nonnull(wide);
    for (int64_t i = 0; i < N; i++)
        wide[i] = i % 3 == 0 ? -i * 2147 : i * 2147483;
    wide[1] = INT32_MAX;
    wide[2] = INT32_MIN;
    int32_t *narrow = qc_narrow_to_int32(wide, N);
    ck_assert_ptr_eq((void *)narrow, (void *)wide);
    ck_assert_int_eq(narrow[1], INT32_MAX);
    ck_assert_int_eq(narrow[2], INT32_MIN);
    for (int64_t i = 3; i < N; i++)
        ck_assert_int_eq(narrow[i], i % 3 == 0 ? -i * 2147 : i * 2147483);
    qc_free(wide);
}
END_TEST

Suite *common_suite(void)
{
    Suite *s = suite_create("common");
    TCase *tc = tcase_create("qc_strerror");
    tcase_add_test(tc, strerror_names_every_status);
    tcase_add_test(tc, fail_keeps_a_double_as_a_double);
    suite_add_tcase(s, tc);
    tc = tcase_create("qc_malloc");
    tcase_add_test(tc, malloc_refuses_overflowing_sizes);
    tcase_add_test(tc, malloc_of_zero_is_not_null);
    tcase_add_test(tc, fail_after_counts_down_then_disarms);
    tcase_add_test(tc, realloc_keeps_contents_and_the_block_on_failure);
    tcase_add_test(tc, large_blocks_start_on_a_huge_page);
    suite_add_tcase(s, tc);
    tc = tcase_create("qc_grow");
    tcase_add_test(tc, grow_doubles_and_keeps_contents);
    tcase_add_test(tc, grow_moves_parallel_columns_together);
    tcase_add_test(tc, grow_refuses_overflowing_sizes);
    suite_add_tcase(s, tc);
    tc = tcase_create("qc_check_indptr");
    tcase_add_test(tc, indptr_accepts_valid_offsets);
    tcase_add_test(tc, indptr_rejects_bad_offsets);
    tcase_add_test(tc, narrowing_keeps_every_value_in_place);
    suite_add_tcase(s, tc);
    return s;
}
