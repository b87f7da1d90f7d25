/* qc/trie.h: the code point trie and string interning. */
#include "qc/trie.h"
#include "suites.h"

static const uint32_t WORDS[] = {0x57CE, 0x5E02, 0x7FA4, 0x1F600, 'a', 0};

START_TEST(insert_find_and_spell_back)
{
    qc_trie t;
    ck_assert_int_eq(qc_trie_init(&t), QC_OK);
    qc_str s = {4, WORDS, 5};
    int32_t whole, prefix;
    ck_assert_int_eq(qc_trie_insert(&t, &s, 0, 5, &whole), QC_OK);
    ck_assert_int_eq(qc_trie_insert(&t, &s, 0, 2, &prefix), QC_OK);
    ck_assert_uint_eq(qc_trie_nodes(&t), 6);
    ck_assert_int_eq(qc_trie_find(&t, &s, 0, 5), whole);
    ck_assert_int_eq(qc_trie_find(&t, &s, 1, 3), -1);
    ck_assert_uint_eq(qc_trie_depth(&t, whole), 5);
    uint32_t out[5];
    qc_trie_string(&t, whole, out);
    for (int i = 0; i < 5; i++)
        ck_assert_uint_eq(out[i], WORDS[i]);
    qc_trie_free(&t);
    qc_trie_free(&t); /* safe twice */
}
END_TEST

START_TEST(many_keys_grow_the_table)
{
    qc_trie t;
    ck_assert_int_eq(qc_trie_init(&t), QC_OK);
    uint16_t key[3];
    qc_str s = {2, key, 3};
    int32_t node;
    for (uint32_t i = 0; i < 20000; i++) {
        key[0] = (uint16_t)(0x4E00 + i % 50);
        key[1] = (uint16_t)(0x4E00 + i / 50);
        key[2] = (uint16_t)i;
        ck_assert_int_eq(qc_trie_insert(&t, &s, 0, 3, &node), QC_OK);
    }
    for (uint32_t i = 0; i < 20000; i += 7) {
        key[0] = (uint16_t)(0x4E00 + i % 50);
        key[1] = (uint16_t)(0x4E00 + i / 50);
        key[2] = (uint16_t)i;
        ck_assert_int_ge(qc_trie_find(&t, &s, 0, 3), 0);
    }
    ck_assert_uint_le(2 * t.used, t.capacity);
    qc_trie_free(&t);
}
END_TEST

START_TEST(vocab_ids_in_first_appearance_order)
{
    qc_vocab v;
    ck_assert_int_eq(qc_vocab_init(&v), QC_OK);
    qc_str s = {4, WORDS, 6};
    int32_t id;
    ck_assert_int_eq(qc_vocab_intern(&v, &s, 0, 2, &id), QC_OK);
    ck_assert_int_eq(id, 0);
    ck_assert_int_eq(qc_vocab_intern(&v, &s, 2, 5, &id), QC_OK);
    ck_assert_int_eq(id, 1);
    ck_assert_int_eq(qc_vocab_intern(&v, &s, 0, 2, &id), QC_OK);
    ck_assert_int_eq(id, 0);
    ck_assert_int_eq(qc_vocab_intern(&v, &s, 5, 6, &id), QC_OK); /* NUL */
    ck_assert_int_eq(id, 2);
    ck_assert_int_eq(qc_vocab_find(&v, &s, 0, 1), -1);
    uint32_t *text;
    int64_t *offsets;
    ck_assert_int_eq(qc_vocab_export(&v, &text, &offsets), QC_OK);
    ck_assert_int_eq(offsets[3], 6);
    ck_assert_uint_eq(text[2], 0x7FA4);
    ck_assert_uint_eq(text[5], 0);
    qc_free(text);
    qc_free(offsets);
    qc_vocab_free(&v);
}
END_TEST

START_TEST(intern_spans_rejects_spans_outside_the_text)
{
    qc_vocab v;
    ck_assert_int_eq(qc_vocab_init(&v), QC_OK);
    qc_str s = {4, WORDS, 6};
    const int64_t indptr[] = {0, 2}, start[] = {0, 3}, end[] = {2, 7};
    int64_t ids[2];
    qc_errinfo err = {0};
    ck_assert_int_eq(qc_vocab_intern_spans(&v, &s, 1, indptr, start, end, 2, ids, &err),
                     QC_EINDEX);
    ck_assert_str_eq(err.arg, "end");
    ck_assert_uint_eq(err.index, 1);
    qc_vocab_free(&v);
}
END_TEST

START_TEST(vocab_survives_every_allocation_failure)
{
    uint16_t key[2];
    qc_str s = {2, key, 2};
    for (long k = 0;; k++) {
        qc_vocab v;
        qc_alloc_fail_after(k);
        qc_status status = qc_vocab_init(&v);
        for (uint32_t i = 0; status == QC_OK && i < 3000; i++) {
            int32_t id;
            key[0] = (uint16_t)(0x4E00 + i % 70);
            key[1] = (uint16_t)(0x100 + i);
            status = qc_vocab_intern(&v, &s, 0, 2, &id);
            if (status == QC_OK)
                ck_assert_int_eq(qc_vocab_find(&v, &s, 0, 2), id);
        }
        long attempts = qc_alloc_attempts();
        qc_alloc_fail_after(-1);
        if (status == QC_OK) {
            ck_assert_uint_eq(v.n_ids, 3000);
            for (uint32_t i = 0; i < 3000; i += 7) { /* the grown table keeps ids */
                int32_t id;
                uint32_t spelled[2];
                key[0] = (uint16_t)(0x4E00 + i % 70);
                key[1] = (uint16_t)(0x100 + i);
                ck_assert_int_eq(qc_vocab_intern(&v, &s, 0, 2, &id), QC_OK);
                ck_assert_int_eq(id, (int32_t)i);
                ck_assert_uint_eq(qc_vocab_length(&v, id), 2);
                qc_vocab_string(&v, id, spelled);
                ck_assert_uint_eq(spelled[0], key[0]);
                ck_assert_uint_eq(spelled[1], key[1]);
            }
            qc_vocab_free(&v);
            ck_assert_int_gt(k, 3);
            break;
        }
        ck_assert_int_eq(status, QC_ENOMEM);
        ck_assert_int_le(k, attempts);
        qc_vocab_free(&v);
    }
}
END_TEST

Suite *trie_suite(void)
{
    Suite *s = suite_create("trie");
    TCase *tc = tcase_create("qc_trie");
    tcase_add_test(tc, insert_find_and_spell_back);
    tcase_add_test(tc, many_keys_grow_the_table);
    suite_add_tcase(s, tc);
    tc = tcase_create("qc_vocab");
    tcase_add_test(tc, vocab_ids_in_first_appearance_order);
    tcase_add_test(tc, intern_spans_rejects_spans_outside_the_text);
    tcase_add_test(tc, vocab_survives_every_allocation_failure);
    suite_add_tcase(s, tc);
    return s;
}
