/* qc/keyset.h: numbering in first-seen order through growth, and a failed
   add leaving the set as it was. */
#include "qc/keyset.h"
#include "alloc_rounds.h"
#include "suites.h"

/* Keys that collide in few bits and repeat: key i of a stream of 3 n. */
static uint64_t key_at(size_t i, size_t n)
{
    size_t k = i % n;
    return k == 0 ? UINT64_MAX : (uint64_t)k << 40; /* 0 comes second */
}

START_TEST(numbers_keys_in_the_order_first_seen)
{
    enum { N = 5000 };
    qc_keyset s;
    ck_assert_int_eq(qc_keyset_init(&s, 0), QC_OK);
    size_t index;
    ck_assert_int_eq(qc_keyset_add(&s, UINT64_MAX, &index), QC_OK);
    ck_assert_uint_eq(index, 0);
    ck_assert_int_eq(qc_keyset_add(&s, 0, &index), QC_OK);
    ck_assert_uint_eq(index, 1);
    for (size_t i = 0; i < 3 * N; i++) {
        ck_assert_int_eq(qc_keyset_add(&s, key_at(i, N), &index), QC_OK);
        /* key k (k >= 1) first came at i = k, numbered k + 1 after the two */
        size_t k = i % N;
        ck_assert_uint_eq(index, k == 0 ? 0 : k + 1);
    }
    ck_assert_uint_eq(s.n, N + 1);
    ck_assert_uint_ge(s.capacity, 2 * s.n);
    for (size_t k = 1; k < N; k++)
        ck_assert(s.keys[k + 1] == (uint64_t)k << 40);
    qc_keyset_free(&s);
}
END_TEST

START_TEST(keyset_survives_every_allocation_failure)
{
    for (long k = 0;; k++) {
        qc_keyset s = {0};
        qc_alloc_fail_after(k);
        qc_status status = qc_keyset_init(&s, 0);
        size_t held = 0;
        for (size_t i = 0; status == QC_OK && i < 100; i++) {
            size_t index;
            status = qc_keyset_add(&s, (uint64_t)i * 7919, &index);
            if (status == QC_OK)
                held = s.n;
        }
        long attempts = qc_alloc_attempts();
        qc_alloc_fail_after(-1);
        if (status != QC_OK && s.keys != NULL) {
            /* what was added stays, and the set still works */
            ck_assert_uint_eq(s.n, held);
            size_t index;
            ck_assert_int_eq(qc_keyset_add(&s, 0, &index), QC_OK);
            ck_assert_uint_eq(index, 0);
        }
        qc_keyset_free(&s);
        if (alloc_round_done(status, k, attempts, 2))
            break;
    }
}
END_TEST

Suite *keyset_suite(void)
{
    Suite *s = suite_create("keyset");
    TCase *tc = tcase_create("qc_keyset");
    tcase_add_test(tc, numbers_keys_in_the_order_first_seen);
    tcase_add_test(tc, keyset_survives_every_allocation_failure);
    suite_add_tcase(s, tc);
    return s;
}
