/* qc/walk.h: the walk mirror of a trie agrees with the trie itself (the
   expected values are the trie's nodes and the values given to them). */
#include "qc/walk.h"
#include "alloc_rounds.h"
#include "suites.h"

/* Adds s[0:len) to the trie and mirrors the new nodes; the word's node. */
static int32_t add(qc_trie *t, qc_walk *w, const uint32_t *s, size_t len)
{
    qc_str word = {4, s, len};
    size_t before = qc_trie_nodes(t);
    ck_assert_int_eq(qc_walk_reserve(w, t, 1, len), QC_OK);
    int32_t node;
    ck_assert_int_eq(qc_trie_insert(t, &word, 0, len, &node), QC_OK);
    for (size_t i = before; i < qc_trie_nodes(t); i++)
        qc_walk_place(w, t, (int32_t)i);
    return node;
}

/* Walks s[0:len) as the segmenter does (mask first, then the probe) and
   returns the value reached, or -1 when the walk leaves the mirror. */
static int64_t walk_value(const qc_walk *w, const uint32_t *s, size_t len)
{
    uint32_t place;
    qc_walk_rec rec = qc_walk_first(w, s[0], &place);
    for (size_t i = 1; i < len; i++) {
        if (!(rec.mask >> (s[i] & 31) & 1))
            return -1;
        place = qc_walk_next(w, place, s[i], &rec);
        if (place == QC_WALK_NONE)
            return -1;
    }
    return rec.value;
}

/* Every node of t, spelled back, walks to its value in w; value_of[node]
   is what was set (0 when nothing was). */
static void assert_mirrors(const qc_trie *t, const qc_walk *w, const uint32_t *value_of)
{
    uint32_t s[16];
    for (size_t node = 1; node < qc_trie_nodes(t); node++) {
        size_t len = qc_trie_depth(t, (int32_t)node);
        qc_trie_string(t, (int32_t)node, s);
        ck_assert_int_eq(walk_value(w, s, len), value_of[node]);
        ck_assert_uint_eq(qc_walk_value(w, (int32_t)node), value_of[node]);
    }
}

/* Words over a small alphabet (so they share prefixes), with code points
   from each region the mirror treats apart: CJK, U+FFFF, beyond U+FFFF. */
static size_t word_of(uint64_t *state, uint32_t *s)
{
    static const uint32_t ALPHABET[] = {0x4E00, 0x4E01, 0x5927, 0x5B66, 'a', '%',
                                        0xFFFF, 0x1F600, 0x20000, 0x9FD5, 0x4E20};
    *state = *state * 6364136223846793005ull + 1442695040888963407ull;
    size_t len = 1 + (size_t)(*state >> 60) % 6;
    for (size_t i = 0; i < len; i++) {
        *state = *state * 6364136223846793005ull + 1442695040888963407ull;
        s[i] = ALPHABET[(*state >> 33) % (sizeof ALPHABET / sizeof ALPHABET[0])];
    }
    return len;
}

START_TEST(mirror_follows_the_trie_through_growth)
{
    qc_trie t;
    qc_walk w;
    ck_assert_int_eq(qc_trie_init(&t), QC_OK);
    ck_assert_int_eq(qc_walk_init(&w), QC_OK);
    static uint32_t value_of[100000];
    uint64_t state = 42;
    uint32_t s[8];
    for (uint32_t i = 1; i <= 6000; i++) {
        size_t len = word_of(&state, s);
        int32_t node = add(&t, &w, s, len);
        ck_assert_int_lt(node, 100000);
        /* values past 0xFFFF take the pair table's escape */
        uint32_t value = i % 3 == 0 ? 0x10000u + i : i;
        qc_walk_set_value(&w, node, value);
        value_of[node] = value;
    }
    for (int i = 0; i < QC_WALK_LEVELS; i++)
        ck_assert_uint_gt(w.level[i].n, 0);
    ck_assert_uint_gt(w.level[2].capacity, 256); /* the tables were rebuilt */
    ck_assert_uint_gt(w.n_slots, 0);
    assert_mirrors(&t, &w, value_of);
    /* code points past U+FFFF, and what follows them, are in the slots */
    uint32_t wide[3] = {0x4E00, 0x1F600, 0x4E01};
    int32_t node = add(&t, &w, wide, 3);
    qc_walk_set_value(&w, node, 7);
    ck_assert_uint_eq(w.place[node] >> 29, QC_WALK_KIND_SLOT);
    ck_assert_int_eq(walk_value(&w, wide, 3), 7);
    /* strings the trie does not hold walk nowhere */
    uint32_t missing[3] = {0x4E00, 0x4E00, 0x1F601};
    ck_assert_int_eq(walk_value(&w, missing, 3), -1);
    uint32_t place;
    qc_walk_rec rec = qc_walk_first(&w, 0x1F601, &place);
    ck_assert_uint_eq(rec.value, 0);
    ck_assert_uint_eq(rec.mask, 0);
    qc_walk_free(&w);
    qc_walk_free(&w); /* safe twice */
    qc_trie_free(&t);
}
END_TEST

START_TEST(walk_survives_every_allocation_failure)
{
    for (long k = 0;; k++) {
        qc_trie t;
        qc_walk w;
        ck_assert_int_eq(qc_trie_init(&t), QC_OK);
        static uint32_t value_of[4096];
        uint64_t state = 7;
        uint32_t s[8];
        qc_alloc_fail_after(k);
        qc_status status = qc_walk_init(&w);
        for (uint32_t i = 1; status == QC_OK && i <= 400; i++) {
            size_t len = word_of(&state, s);
            qc_str word = {4, s, len};
            size_t before = qc_trie_nodes(&t);
            int32_t node;
            status = qc_walk_reserve(&w, &t, 1, len);
            if (status == QC_OK)
                status = qc_trie_insert(&t, &word, 0, len, &node);
            /* what the trie made, even half a word, gets mirrored */
            for (size_t j = before; j < qc_trie_nodes(&t); j++)
                qc_walk_place(&w, &t, (int32_t)j);
            if (status == QC_OK) {
                qc_walk_set_value(&w, node, i);
                value_of[node] = i;
            }
        }
        long attempts = qc_alloc_attempts();
        qc_alloc_fail_after(-1);
        if (w.first != NULL) /* a failure leaves every node mirrored */
            assert_mirrors(&t, &w, value_of);
        qc_walk_free(&w);
        qc_trie_free(&t);
        for (size_t j = 0; j < 4096; j++)
            value_of[j] = 0;
        if (alloc_round_done(status, k, attempts, 5))
            break;
    }
}
END_TEST

Suite *walk_suite(void)
{
    Suite *s = suite_create("walk");
    TCase *tc = tcase_create("qc_walk");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, mirror_follows_the_trie_through_growth);
    tcase_add_test(tc, walk_survives_every_allocation_failure);
    suite_add_tcase(s, tc);
    return s;
}
