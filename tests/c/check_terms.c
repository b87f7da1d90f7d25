/* qc/terms.h: n-gram counts and co-word pairs on a hand-made stream; the
   expected counts are scikit-learn's CountVectorizer and nltk's windowed
   bigrams on the same tokens (documents "a b a c" and "b a"). */
#include "qc/terms.h"
#include "suites.h"

static const int64_t INDPTR[] = {0, 4, 6};
static const int64_t TOKENS[] = {0, 1, 0, 2, 1, 0}; /* a=0 b=1 c=2 */

START_TEST(unigrams_and_bigrams)
{
    qc_ngrams *g;
    qc_csr m;
    ck_assert_int_eq(qc_ngrams_new(&g), QC_OK);
    ck_assert_int_eq(qc_count_ngrams(INDPTR, 2, TOKENS, 6, 3, NULL, 1, 2, g, &m, NULL), QC_OK);
    /* grams by first appearance: a, ab, b, ba, ac, c */
    ck_assert_uint_eq(qc_ngrams_count(g), 6);
    ck_assert_int_eq(m.indptr[1], 6);
    ck_assert_int_eq(m.indptr[2], 9);
    const int64_t data0[] = {2, 1, 1, 1, 1, 1};
    for (int i = 0; i < 6; i++)
        ck_assert_int_eq(m.data[i], data0[i]);
    const uint32_t names[] = {'a', 'b', 'c'};
    const int64_t name_off[] = {0, 1, 2, 3};
    uint32_t *text;
    int64_t *offsets, *rank, *order;
    size_t distinct;
    ck_assert_int_eq(qc_ngram_strings(g, names, name_off, 3, ' ', &text, &offsets, &rank,
                                      &order, &distinct, NULL), QC_OK);
    /* sorted: "a" < "a b" < "a c" < "b" < "b a" < "c" */
    ck_assert_uint_eq(distinct, 6);
    const int64_t want_rank[] = {0, 1, 3, 4, 2, 5};
    for (int i = 0; i < 6; i++)
        ck_assert_int_eq(rank[i], want_rank[i]);
    qc_free(text);
    qc_free(offsets);
    qc_free(rank);
    qc_free(order);
    qc_csr_free(&m);
    qc_ngrams_free(g);
}
END_TEST

START_TEST(window_pairs_and_halves_add_up)
{
    qc_wordpairs *whole, *halves;
    ck_assert_int_eq(qc_wordpairs_new(&whole), QC_OK);
    ck_assert_int_eq(qc_wordpairs_new(&halves), QC_OK);
    ck_assert_int_eq(qc_count_pairs(INDPTR, 2, TOKENS, 6, 3, NULL, 3, whole, NULL), QC_OK);
    ck_assert_int_eq(qc_count_pairs(INDPTR, 1, TOKENS, 4, 3, NULL, 3, halves, NULL), QC_OK);
    const int64_t second[] = {0, 2};
    ck_assert_int_eq(qc_count_pairs(second, 1, TOKENS + 4, 2, 3, NULL, 3, halves, NULL), QC_OK);
    /* window 3 in "a b a c": ab, aa(skipped), ba, bc... {a,b}: 2+1 = 3 with
       "b a"; {a,c}: 1; {b,c}: 1 */
    int64_t a[3], b[3], n[3], a2[3], b2[3], n2[3];
    ck_assert_uint_eq(qc_wordpairs_count(whole), 3);
    qc_wordpairs_export(whole, a, b, n);
    qc_wordpairs_export(halves, a2, b2, n2);
    int64_t total = 0;
    for (int i = 0; i < 3; i++) {
        total += n[i];
        if (a[i] == 0 && b[i] == 1)
            ck_assert_int_eq(n[i], 3);
        for (int j = 0; j < 3; j++)
            if (a2[j] == a[i] && b2[j] == b[i])
                ck_assert_int_eq(n2[j], n[i]);
    }
    ck_assert_int_eq(total, 5);
    qc_errinfo err = {0};
    ck_assert_int_eq(qc_count_pairs(INDPTR, 2, TOKENS, 6, 2, NULL, 3, whole, &err), QC_EINDEX);
    ck_assert_str_eq(err.arg, "tokens");
    ck_assert_int_eq(qc_count_pairs(INDPTR, 2, TOKENS, 6, 3, NULL, 1, whole, &err), QC_EINVAL);
    qc_wordpairs_free(whole);
    qc_wordpairs_free(halves);
}
END_TEST

START_TEST(terms_survive_every_allocation_failure)
{
    for (long k = 0;; k++) {
        qc_ngrams *g = NULL;
        qc_wordpairs *p = NULL;
        qc_csr m = {0};
        qc_alloc_fail_after(k);
        qc_status status = qc_ngrams_new(&g);
        if (status == QC_OK)
            status = qc_count_ngrams(INDPTR, 2, TOKENS, 6, 3, NULL, 1, 3, g, &m, NULL);
        if (status == QC_OK)
            status = qc_wordpairs_new(&p);
        if (status == QC_OK)
            status = qc_count_pairs(INDPTR, 2, TOKENS, 6, 3, NULL, 0, p, NULL);
        long attempts = qc_alloc_attempts();
        qc_alloc_fail_after(-1);
        qc_csr_free(&m);
        qc_ngrams_free(g);
        qc_wordpairs_free(p);
        if (status == QC_OK) {
            ck_assert_int_gt(k, 3);
            break;
        }
        ck_assert_int_eq(status, QC_ENOMEM);
        ck_assert_int_le(k, attempts);
    }
}
END_TEST

Suite *terms_suite(void)
{
    Suite *s = suite_create("terms");
    TCase *tc = tcase_create("qc_count_ngrams");
    tcase_add_test(tc, unigrams_and_bigrams);
    tcase_add_test(tc, window_pairs_and_halves_add_up);
    tcase_add_test(tc, terms_survive_every_allocation_failure);
    suite_add_tcase(s, tc);
    return s;
}
