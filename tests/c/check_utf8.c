/* qc/utf8.h: decoding against the well-formed byte sequences of the Unicode
   Standard, section 3.9, Table 3-7 (and Python's error wording). */
#include "qc/utf8.h"
#include "suites.h"

static qc_status decode(const char *bytes, size_t n, int final, uint32_t *out,
                        size_t *n_out, size_t *consumed, qc_errinfo *err)
{
    return qc_utf8_decode((const uint8_t *)bytes, n, final, out, n_out,
                          consumed, err);
}

START_TEST(decodes_every_sequence_length)
{
    /* U+0041, U+00E9, U+4E2D, U+1F600: 1 to 4 bytes */
    const char text[] = "A\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80";
    uint32_t out[16];
    size_t n_out, consumed;
    ck_assert_int_eq(decode(text, sizeof text - 1, 1, out, &n_out, &consumed, NULL), QC_OK);
    ck_assert_uint_eq(n_out, 4);
    ck_assert_uint_eq(consumed, sizeof text - 1);
    ck_assert_uint_eq(out[0], 0x41);
    ck_assert_uint_eq(out[1], 0xE9);
    ck_assert_uint_eq(out[2], 0x4E2D);
    ck_assert_uint_eq(out[3], 0x1F600);
}
END_TEST

START_TEST(reports_the_first_bad_byte)
{
    static const struct {
        const char *bytes;
        size_t n;
        size_t index;
        int64_t length;
        const char *reason;
    } cases[] = {
        {"ab\xFF", 3, 2, 1, "invalid start byte"},
        {"\xC0\x80", 2, 0, 1, "invalid start byte"},       /* overlong */
        {"\xE0\x80\x80", 3, 0, 1, "invalid continuation byte"}, /* overlong */
        {"\xED\xA0\x80", 3, 0, 1, "invalid continuation byte"}, /* surrogate */
        {"\xF4\x90\x80\x80", 4, 0, 1, "invalid continuation byte"}, /* > U+10FFFF */
        {"\xE4\xB8x", 3, 0, 2, "invalid continuation byte"},
        {"x\xE4\xB8", 3, 1, 2, "unexpected end of data"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint32_t out[8];
        size_t n_out, consumed;
        qc_errinfo err = {0};
        ck_assert_int_eq(decode(cases[i].bytes, cases[i].n, 1, out, &n_out, &consumed, &err),
                         QC_EINVAL);
        ck_assert_uint_eq(err.index, cases[i].index);
        ck_assert_int_eq(err.value, cases[i].length);
        ck_assert_str_eq(err.reason, cases[i].reason);
        ck_assert(qc_utf8_is_decode_error(&err));
    }
}
END_TEST

START_TEST(streaming_leaves_a_cut_sequence_for_the_next_chunk)
{
    const char text[] = "\xE4\xB8\xAD\xE6\x96"; /* 中 and two bytes of 文 */
    uint32_t out[4];
    size_t n_out, consumed;
    ck_assert_int_eq(decode(text, 5, 0, out, &n_out, &consumed, NULL), QC_OK);
    ck_assert_uint_eq(n_out, 1);
    ck_assert_uint_eq(consumed, 3);
}
END_TEST

START_TEST(space_and_folding_tables)
{
    ck_assert(qc_is_space(' ') && qc_is_space(0x3000) && qc_is_space(0x1F) &&
              qc_is_space(0x85) && !qc_is_space(0x200B) && !qc_is_space('a'));
    ck_assert_uint_eq(qc_fold_latin('Q'), 'q');
    ck_assert_uint_eq(qc_fold_latin(0xC9), 0xE9);   /* É */
    ck_assert_uint_eq(qc_fold_latin(0xD7), 0xD7);   /* multiplication sign */
    ck_assert_uint_eq(qc_fold_latin(0x178), 0xFF);  /* Ÿ */
    ck_assert_uint_eq(qc_fold_latin(0x139), 0x13A); /* Ĺ */
    ck_assert_uint_eq(qc_fold_latin(0xFF21), 0xFF41); /* fullwidth A */
    ck_assert_uint_eq(qc_fold_latin(0x4E2D), 0x4E2D);
}
END_TEST

Suite *utf8_suite(void)
{
    Suite *s = suite_create("utf8");
    TCase *tc = tcase_create("qc_utf8_decode");
    tcase_add_test(tc, decodes_every_sequence_length);
    tcase_add_test(tc, reports_the_first_bad_byte);
    tcase_add_test(tc, streaming_leaves_a_cut_sequence_for_the_next_chunk);
    tcase_add_test(tc, space_and_folding_tables);
    suite_add_tcase(s, tc);
    return s;
}
