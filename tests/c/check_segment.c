/* qc/segment.h. Expected tokens are jieba 0.42.1's on the same tiny
   dictionary (jieba.Tokenizer(dict).lcut), for its README sentence
   "我来到北京清华大学" and a line with Latin, digits and punctuation. */
#include <string.h>

#include "qc/segment.h"
#include "alloc_rounds.h"
#include "suites.h"

static const char DICT[] = "北京 30 ns\n清华 20 nt\n清华大学 50 nt\n大学 40 n\n"
                           "华大 3 n\n来到 60 v\n我 100 r\nC++ 2 nz\n";

/* jieba's finalseg prob_start and prob_trans (B, E, M, S), no emissions */
static const double START[4] = {-0.26268660809250016, -3.14e100, -3.14e100,
                                -1.4652633398537678};
static const double TRANS[16] = {
    -3.14e100, -0.510825623765990, -0.916290731874155, -3.14e100,
    -0.5897149736854513, -3.14e100, -3.14e100, -0.8085250474669937,
    -3.14e100, -0.33344856811948514, -1.2603623820268226, -3.14e100,
    -0.7211965654669841, -3.14e100, -3.14e100, -0.6658631448798212};

static qc_segmenter *tiny(void)
{
    qc_segmenter *seg;
    ck_assert_int_eq(qc_segmenter_new(&seg), QC_OK);
    ck_assert_int_eq(qc_segmenter_load(seg, (const uint8_t *)DICT, sizeof DICT - 1, NULL), QC_OK);
    ck_assert_int_eq(qc_segmenter_set_hmm(seg, START, TRANS, NULL, NULL, 0, NULL), QC_OK);
    return seg;
}

/* The text as UTF-8 decoded to code points (kind 4). */
static qc_str text_of(const char *utf8, uint32_t *buf)
{
    size_t n, consumed;
    ck_assert_int_eq(qc_utf8_decode((const uint8_t *)utf8, strlen(utf8), 1, buf, &n,
                                    &consumed, NULL), QC_OK);
    return (qc_str){4, buf, n};
}

/* Asserts the tokens (as UTF-8, joined by '/') of text in mode. */
static void assert_cut(const qc_segmenter *seg, const char *utf8, qc_cutmode mode,
                       const char *want)
{
    uint32_t buf[128];
    qc_str text = text_of(utf8, buf);
    qc_spans spans = {0};
    int64_t indptr[2];
    ck_assert_int_eq(qc_segment(seg, &text, 1, mode, indptr, &spans, NULL), QC_OK);
    char got[512] = "";
    size_t at = 0;
    for (size_t k = 0; k < spans.n; k++) {
        for (int64_t i = spans.start[k]; i < spans.end[k]; i++) {
            uint32_t c = buf[i];
            if (c < 0x80)
                got[at++] = (char)c;
            else if (c < 0x800) {
                got[at++] = (char)(0xC0 | c >> 6);
                got[at++] = (char)(0x80 | (c & 0x3F));
            } else {
                got[at++] = (char)(0xE0 | c >> 12);
                got[at++] = (char)(0x80 | (c >> 6 & 0x3F));
                got[at++] = (char)(0x80 | (c & 0x3F));
            }
        }
        got[at++] = k + 1 < spans.n ? '/' : '\0';
    }
    ck_assert_int_eq(indptr[1], (int64_t)spans.n);
    ck_assert_str_eq(got, want);
    qc_spans_free(&spans);
}

START_TEST(readme_sentence_in_three_modes)
{
    qc_segmenter *seg = tiny();
    assert_cut(seg, "我来到北京清华大学", QC_CUT_DAG, "我/来到/北京/清华大学");
    assert_cut(seg, "我来到北京清华大学", QC_CUT_HMM, "我/来到/北京/清华大学");
    assert_cut(seg, "我来到北京清华大学", QC_CUT_ALL, "我/来到/北京/清华/清华大学/华大/大学");
    qc_segmenter_free(seg);
}
END_TEST

START_TEST(latin_digits_and_punctuation)
{
    qc_segmenter *seg = tiny();
    const char *line = "清华大学，C++和c++ 3.14%。\r\n好";
    assert_cut(seg, line, QC_CUT_DAG, "清华大学/，/C++/和/c/+/+/ /3/./14/%/。/\r\n/好");
    assert_cut(seg, line, QC_CUT_HMM, "清华大学/，/C++/和/c/++/ /3.14%/。/\r\n/好");
    assert_cut(seg, line, QC_CUT_ALL,
               "清华/清华大学/华大/大学/，/C++/和/c/+/+/ /3/./14/%/。/\r\n/好");
    qc_segmenter_free(seg);
}
END_TEST

START_TEST(add_word_and_del_word_like_jieba)
{
    qc_segmenter *seg = tiny();
    uint32_t buf[16];
    qc_str word = text_of("北京清华", buf);
    int64_t freq = -2;
    int32_t tag;
    int64_t before = qc_segmenter_total(seg);
    /* jieba's suggest_freq("北京清华") on this dictionary (total 305): the
       cut 北京/清华 has p = 30/305 * 20/305, int(p * 305) + 1 = 2 */
    ck_assert_int_eq(qc_segmenter_add_word(seg, &word, -1, NULL, &freq, NULL), QC_OK);
    ck_assert_int_eq(freq, 2);
    ck_assert_int_eq(qc_segmenter_total(seg), before + 2);
    qc_str gone = text_of("清华大学", buf);
    ck_assert_int_eq(qc_segmenter_add_word(seg, &gone, 0, NULL, NULL, NULL), QC_OK);
    qc_segmenter_lookup(seg, &gone, &freq, &tag);
    ck_assert_int_eq(freq, 0);
    ck_assert_int_eq(tag, 1); /* nt, the second tag seen */
    assert_cut(seg, "清华大学", QC_CUT_DAG, "清华/大学");
    qc_str prefix = text_of("清华大", buf);
    qc_segmenter_lookup(seg, &prefix, &freq, &tag);
    ck_assert_int_eq(freq, 0);
    qc_str absent = text_of("天津", buf);
    qc_segmenter_lookup(seg, &absent, &freq, &tag);
    ck_assert_int_eq(freq, -1);
    ck_assert_uint_eq(qc_segmenter_words(seg), 8);
    qc_segmenter_free(seg);
}
END_TEST

START_TEST(bad_input_is_named)
{
    qc_segmenter *seg;
    ck_assert_int_eq(qc_segmenter_new(&seg), QC_OK);
    qc_errinfo err = {0};
    const char bad_line[] = "ok 1\nno_freq\n";
    ck_assert_int_eq(qc_segmenter_load(seg, (const uint8_t *)bad_line, sizeof bad_line - 1, &err),
                     QC_EINVAL);
    ck_assert_int_eq(err.value, 2);
    ck_assert_uint_eq(err.index, 5);
    const char bad_utf8[] = "ok 1\n\xFF 2\n";
    ck_assert_int_eq(qc_segmenter_load(seg, (const uint8_t *)bad_utf8, sizeof bad_utf8 - 1, &err),
                     QC_EINVAL);
    ck_assert(qc_utf8_is_decode_error(&err));
    ck_assert_uint_eq(err.index, 5);
    uint32_t c = 'x';
    qc_str text = {4, &c, 1}, bad_kind = {3, &c, 1};
    qc_spans spans = {0};
    int64_t indptr[2];
    ck_assert_int_eq(qc_segment(seg, &text, 1, QC_CUT_HMM, indptr, &spans, &err), QC_EINVAL);
    ck_assert_str_eq(err.arg, "hmm");
    ck_assert_int_eq(qc_segment(seg, &bad_kind, 1, QC_CUT_DAG, indptr, &spans, &err), QC_EINVAL);
    ck_assert_str_eq(err.arg, "texts");
    ck_assert_int_eq(qc_segment(seg, &text, 1, (qc_cutmode)7, indptr, &spans, &err), QC_EINVAL);
    ck_assert_str_eq(err.arg, "mode");
    qc_str empty = {4, &c, 0};
    ck_assert_int_eq(qc_segmenter_put(seg, &empty, 1, NULL, &err), QC_EINVAL);
    ck_assert_int_eq(qc_segmenter_put(seg, &text, -1, NULL, &err), QC_EINVAL);
    ck_assert_str_eq(err.arg, "freq");
    qc_spans_free(&spans);
    qc_segmenter_free(seg);
}
END_TEST

START_TEST(segment_survives_every_allocation_failure)
{
    uint32_t buf[64];
    qc_str text = text_of("我来到北京清华大学，C++和c++ 3.14%。", buf);
    for (long k = 0;; k++) {
        qc_segmenter *seg = NULL;
        qc_spans spans = {0};
        int64_t indptr[2];
        qc_alloc_fail_after(k);
        qc_status status = qc_segmenter_new(&seg);
        if (status == QC_OK)
            status = qc_segmenter_load(seg, (const uint8_t *)DICT, sizeof DICT - 1, NULL);
        if (status == QC_OK)
            status = qc_segmenter_set_hmm(seg, START, TRANS, NULL, NULL, 0, NULL);
        if (status == QC_OK)
            status = qc_segmenter_add_word(seg, &text, -1, NULL, NULL, NULL);
        for (int mode = 0; status == QC_OK && mode < 3; mode++)
            status = qc_segment(seg, &text, 1, (qc_cutmode)mode, indptr, &spans, NULL);
        long attempts = qc_alloc_attempts();
        qc_alloc_fail_after(-1);
        qc_spans_free(&spans);
        qc_segmenter_free(seg);
        if (alloc_round_done(status, k, attempts, 5))
            break;
    }
}
END_TEST

START_TEST(suggest_tags_and_hmm_like_jieba)
{
    qc_segmenter *seg = tiny(), *bare;
    ck_assert_int_eq(qc_segmenter_new(&bare), QC_OK);
    ck_assert(qc_segmenter_has_hmm(seg));
    ck_assert(!qc_segmenter_has_hmm(bare));
    /* jieba's suggest_freq(("清华", "大学")) on this dictionary (total 305):
       min(int(20/305 * 40/305 * 305), FREQ["清华大学"]) = min(2, 50) */
    uint32_t buf[16];
    qc_str word = text_of("清华大学", buf);
    const int64_t part_end[] = {2, 4};
    int64_t freq = -1;
    ck_assert_int_eq(qc_segmenter_suggest(seg, &word, part_end, 2, &freq, NULL), QC_OK);
    ck_assert_int_eq(freq, 2);
    const int64_t bad_end[] = {3, 2};
    qc_errinfo err = {0};
    ck_assert_int_eq(qc_segmenter_suggest(seg, &word, bad_end, 2, &freq, &err), QC_EINVAL);
    ck_assert_str_eq(err.arg, "part_end");
    ck_assert_int_eq(qc_segmenter_suggest(bare, &word, NULL, 0, &freq, &err), QC_EINVAL);
    ck_assert_str_eq(err.arg, "total");
    /* tags by first appearance in the dictionary */
    uint32_t *text;
    int64_t *offsets;
    size_t n;
    ck_assert_int_eq(qc_segmenter_tags(seg, &text, &offsets, &n), QC_OK);
    const char *tags[] = {"ns", "nt", "n", "v", "r", "nz"};
    ck_assert_uint_eq(n, 6);
    for (size_t t = 0; t < n; t++) {
        ck_assert_int_eq(offsets[t + 1] - offsets[t], (int64_t)strlen(tags[t]));
        for (int64_t i = offsets[t]; i < offsets[t + 1]; i++)
            ck_assert_uint_eq(text[i], (uint32_t)tags[t][i - offsets[t]]);
    }
    qc_free(text);
    qc_free(offsets);
    qc_segmenter_free(bare);
    qc_segmenter_free(seg);
}
END_TEST

START_TEST(streams_cut_after_the_last_newline)
{
    uint32_t buf[16];
    qc_str lines = text_of("ab\ncd\nef", buf);
    ck_assert_uint_eq(qc_segment_safe_prefix(&lines), 6);
    qc_str line = text_of("abc", buf);
    ck_assert_uint_eq(qc_segment_safe_prefix(&line), 0);
}
END_TEST

START_TEST(spans_grow_as_pushed)
{
    qc_spans spans = {0};
    for (int64_t i = 0; i < 100; i++)
        ck_assert_int_eq(qc_spans_push(&spans, i, i + 1), QC_OK);
    ck_assert_uint_eq(spans.n, 100);
    ck_assert_uint_ge(spans.capacity, 100);
    for (int64_t i = 0; i < 100; i++)
        ck_assert_int_eq(spans.end[i] - spans.start[i], 1);
    /* a failed growth leaves the spans as they were */
    while (spans.n < spans.capacity)
        ck_assert_int_eq(qc_spans_push(&spans, 0, 0), QC_OK);
    size_t before = spans.n;
    qc_alloc_fail_after(0);
    ck_assert_int_eq(qc_spans_push(&spans, 7, 8), QC_ENOMEM);
    qc_alloc_fail_after(-1);
    ck_assert_uint_eq(spans.n, before);
    ck_assert_int_eq(spans.start[99], 99);
    qc_spans_free(&spans);
}
END_TEST

Suite *segment_suite(void)
{
    Suite *s = suite_create("segment");
    TCase *tc = tcase_create("qc_segment");
    tcase_add_test(tc, readme_sentence_in_three_modes);
    tcase_add_test(tc, latin_digits_and_punctuation);
    tcase_add_test(tc, add_word_and_del_word_like_jieba);
    tcase_add_test(tc, bad_input_is_named);
    tcase_add_test(tc, segment_survives_every_allocation_failure);
    tcase_add_test(tc, streams_cut_after_the_last_newline);
    tcase_add_test(tc, spans_grow_as_pushed);
    suite_add_tcase(s, tc);
    tc = tcase_create("qc_segmenter");
    tcase_add_test(tc, suggest_tags_and_hmm_like_jieba);
    suite_add_tcase(s, tc);
    return s;
}
