/* qc/merge.h: adding sorted key/count lists, in any order, is counting the
   union; bad lists are refused before anything is written. */
#include "qc/merge.h"
#include "qc/rng.h"
#include "suites.h"

#include <string.h>

START_TEST(merge_sums_shared_keys_and_keeps_the_rest)
{
    const int64_t ka[] = {-4, 1, 5, 9, INT64_MAX};
    const int64_t ca[] = {8, 2, -3, 4, 7};
    const int64_t kb[] = {0, 5, 10};
    const int64_t cb[] = {1, 3, 6};
    int64_t key[8];
    int64_t count[8];
    size_t n = 99;
    ck_assert_int_eq(qc_merge_counts(ka, ca, 5, kb, cb, 3, key, count, &n, NULL), QC_OK);
    const int64_t want_key[] = {-4, 0, 1, 5, 9, 10, INT64_MAX};
    const int64_t want_count[] = {8, 1, 2, 0, 4, 6, 7}; /* a sum of 0 stays: it is a key both held */
    ck_assert_uint_eq(n, 7);
    for (size_t i = 0; i < n; i++) {
        ck_assert(key[i] == want_key[i]);
        ck_assert_int_eq(count[i], want_count[i]);
    }
}
END_TEST

/* Random lists over a small key range, checked against a dense tally. */
START_TEST(merge_equals_the_dense_tally_of_both)
{
    enum { RANGE = 200, ROUNDS = 300 };
    uint64_t seed = 7;
    for (int round = 0; round < ROUNDS; round++) {
        int64_t dense[RANGE] = {0};
        int64_t ka[RANGE], kb[RANGE], key[2 * RANGE];
        int64_t ca[RANGE], cb[RANGE], count[2 * RANGE];
        size_t na = 0, nb = 0;
        for (int k = 0; k < RANGE; k++) {
            int r = (int)(qc_splitmix64(&seed) % 4); /* in a, in b, in both, in neither */
            if (r == 0 || r == 2) {
                ka[na] = (int64_t)k * 1000003;
                ca[na] = (int64_t)(qc_splitmix64(&seed) % 1000) - 500;
                dense[k] += ca[na++];
            }
            if (r == 1 || r == 2) {
                kb[nb] = (int64_t)k * 1000003;
                cb[nb] = (int64_t)(qc_splitmix64(&seed) % 1000) - 500;
                dense[k] += cb[nb++];
            }
        }
        size_t n;
        ck_assert_int_eq(qc_merge_counts(ka, ca, na, kb, cb, nb, key, count, &n, NULL), QC_OK);
        size_t at = 0;
        for (int k = 0; k < RANGE; k++) {
            int held = 0;
            for (size_t i = 0; i < na; i++)
                held |= ka[i] == (int64_t)k * 1000003;
            for (size_t i = 0; i < nb; i++)
                held |= kb[i] == (int64_t)k * 1000003;
            if (!held)
                continue;
            ck_assert_uint_lt(at, n);
            ck_assert(key[at] == (int64_t)k * 1000003);
            ck_assert_int_eq(count[at], dense[k]);
            at++;
        }
        ck_assert_uint_eq(at, n);
        /* b + a gives the same list */
        int64_t key2[2 * RANGE];
        int64_t count2[2 * RANGE];
        size_t n2;
        ck_assert_int_eq(qc_merge_counts(kb, cb, nb, ka, ca, na, key2, count2, &n2, NULL), QC_OK);
        ck_assert_uint_eq(n2, n);
        ck_assert(n == 0 || (memcmp(key, key2, n * sizeof *key) == 0 &&
                             memcmp(count, count2, n * sizeof *count) == 0));
    }
}
END_TEST

START_TEST(merge_of_empty_lists_is_empty)
{
    size_t n = 99;
    ck_assert_int_eq(qc_merge_counts(NULL, NULL, 0, NULL, NULL, 0, NULL, NULL, &n, NULL), QC_OK);
    ck_assert_uint_eq(n, 0);
    const int64_t kb[] = {3};
    const int64_t cb[] = {4};
    int64_t key[1];
    int64_t count[1];
    ck_assert_int_eq(qc_merge_counts(NULL, NULL, 0, kb, cb, 1, key, count, &n, NULL), QC_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert(key[0] == 3 && count[0] == 4);
}
END_TEST

START_TEST(merge_refuses_unsorted_keys_and_overflow)
{
    const int64_t sorted[] = {1, 2};
    const int64_t repeated[] = {1, 1};
    const int64_t falling[] = {2, 1};
    const int64_t one[] = {1, 1};
    const int64_t big[] = {INT64_MAX, 1};
    const int64_t low[] = {INT64_MIN, 1};
    const int64_t minus[] = {-1, 1};
    int64_t key[4];
    int64_t count[4];
    size_t n = 99;
    qc_errinfo err = {0};

    ck_assert_int_eq(qc_merge_counts(sorted, one, 2, repeated, one, 2, key, count, &n, &err),
                     QC_EORDER);
    ck_assert_str_eq(err.arg, "key_b");
    ck_assert_uint_eq(err.index, 1);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(qc_merge_counts(falling, one, 2, sorted, one, 2, key, count, &n, &err),
                     QC_EORDER);
    ck_assert_str_eq(err.arg, "key_a");

    ck_assert_int_eq(qc_merge_counts(sorted, big, 2, sorted, one, 2, key, count, &n, &err),
                     QC_EOVERFLOW);
    ck_assert_str_eq(err.arg, "count_a");
    ck_assert_uint_eq(err.index, 0);
    ck_assert_int_eq(err.value, INT64_MAX);
    ck_assert_int_eq(err.limit, INT64_MAX - 1);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(qc_merge_counts(sorted, low, 2, sorted, minus, 2, key, count, &n, &err),
                     QC_EOVERFLOW);
    /* the extremes themselves are fine */
    ck_assert_int_eq(qc_merge_counts(sorted, big, 2, sorted, minus, 2, key, count, &n, &err),
                     QC_OK);
    ck_assert_int_eq(count[0], INT64_MAX - 1);

    ck_assert_int_eq(qc_merge_counts(NULL, one, 1, sorted, one, 2, key, count, &n, &err),
                     QC_EINVAL);
    ck_assert_str_eq(err.arg, "key_a");
    ck_assert_int_eq(qc_merge_counts(sorted, one, 2, sorted, one, 2, NULL, count, &n, &err),
                     QC_EINVAL);
    ck_assert_str_eq(err.arg, "out_key");
    ck_assert_int_eq(qc_merge_counts(sorted, one, 2, sorted, one, 2, key, count, NULL, &err),
                     QC_EINVAL);
}
END_TEST

Suite *merge_suite(void)
{
    Suite *s = suite_create("merge");
    TCase *tc = tcase_create("qc_merge_counts");
    tcase_add_test(tc, merge_sums_shared_keys_and_keeps_the_rest);
    tcase_add_test(tc, merge_equals_the_dense_tally_of_both);
    tcase_add_test(tc, merge_of_empty_lists_is_empty);
    tcase_add_test(tc, merge_refuses_unsorted_keys_and_overflow);
    suite_add_tcase(s, tc);
    return s;
}
