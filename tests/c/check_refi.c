/* qc/refi.h: the REFI-QDA gatherer fed events directly (no expat): columns,
   tree events, positions, refusal, the prolog check, and every allocation
   failure. The comparison with the Python route on real documents is
   tests/test_qdpx_gather.py. */
#include <string.h>

#include "qc/refi.h"
#include "alloc_rounds.h"
#include "suites.h"

#define NS "urn:QDA-XML:project:1.0}"

static const char *str_at(const qc_refi_result *r, int32_t i)
{
    static char buf[256];
    if (i < 0)
        return NULL;
    size_t len = (size_t)(r->pool->off[i + 1] - r->pool->off[i]);
    ck_assert_uint_lt(len, sizeof buf);
    memcpy(buf, r->pool->bytes + r->pool->off[i], len);
    buf[len] = '\0';
    return buf;
}

/* <Project><Sources><TextSource guid="s"> two selections, a coding each, a
   coding of the whole source </TextSource></Sources></Project> */
static qc_status feed(qc_refi *g)
{
    const char *none[] = {NULL};
    const char *source[] = {"guid", "s", NULL};
    const char *sel1[] = {"guid", "p1", "startPosition", "12", "endPosition", "007", NULL};
    const char *sel2[] = {"guid", "p2", "endPosition", "5", NULL};
    const char *coding[] = {"guid", "c", "creatingUser", "u", NULL};
    const char *ref[] = {"targetGUID", "k", NULL};
    const char *note[] = {"targetGUID", "n", NULL};
    qc_refi_start(g, NS "Project", none);
    qc_refi_data(g, "\n", 1);
    qc_refi_start(g, NS "Sources", none);
    qc_refi_start(g, NS "TextSource", source);
    qc_refi_data(g, "  ignored  ", 11);
    qc_refi_start(g, NS "PlainTextSelection", sel1);
    qc_refi_start(g, NS "Description", none);
    qc_refi_data(g, "de", 2);
    qc_refi_data(g, "sc", 2);
    qc_refi_start(g, NS "Inner", none);
    qc_refi_data(g, "not read", 8);
    qc_refi_end(g);
    qc_refi_end(g);
    qc_refi_start(g, NS "NoteRef", note);
    qc_refi_end(g);
    qc_refi_start(g, NS "NoteRef", none);
    qc_refi_end(g);
    qc_refi_start(g, NS "Coding", coding);
    qc_refi_start(g, NS "CodeRef", ref);
    qc_refi_end(g);
    qc_refi_start(g, NS "CodeRef", note); /* a second one is not read */
    qc_refi_end(g);
    qc_refi_end(g);
    qc_refi_end(g);
    qc_refi_start(g, NS "PlainTextSelection", sel2);
    qc_refi_end(g);
    qc_refi_start(g, NS "Coding", coding);
    qc_refi_end(g);
    qc_refi_start(g, NS "PlainTextContent", none);
    qc_refi_data(g, "text", 4);
    qc_refi_end(g);
    qc_refi_end(g);
    qc_refi_end(g);
    qc_refi_end(g);
    return qc_refi_status(g);
}

START_TEST(gathers_columns_and_tree_events)
{
    qc_refi *g;
    ck_assert_int_eq(qc_refi_new(&g), QC_OK);
    ck_assert_int_eq(feed(g), QC_OK);
    qc_refi_result r;
    qc_refi_results(g, &r);
    ck_assert_uint_eq(r.n_sources, 1);
    ck_assert_uint_eq(r.n_sel, 2);
    ck_assert_str_eq(str_at(&r, r.sel_str[QC_REFI_SEL_GUID][0]), "p1");
    ck_assert_str_eq(str_at(&r, r.sel_str[QC_REFI_SEL_DESCRIPTION][0]), "desc");
    ck_assert_str_eq(str_at(&r, r.sel_str[QC_REFI_SEL_NOTES][0]), "n ");
    ck_assert_int_eq(r.sel_str[QC_REFI_SEL_DESCRIPTION][1], -1);
    ck_assert_int_eq(r.sel_start.kind[0], QC_REFI_POS_DIGITS);
    ck_assert_int_eq(r.sel_start.value[0], 12);
    ck_assert_int_eq(r.sel_end.kind[0], QC_REFI_POS_OTHER); /* a leading zero */
    ck_assert_str_eq(str_at(&r, r.sel_end.raw[0]), "007");
    ck_assert_int_eq(r.sel_start.kind[1], QC_REFI_POS_MISSING);
    ck_assert_uint_eq(r.n_cod, 2);
    ck_assert_int_eq(r.cod_sel[0], 0);
    ck_assert_int_eq(r.cod_sel[1], -1); /* the whole source */
    ck_assert_str_eq(str_at(&r, r.cod_str[QC_REFI_COD_REF][0]), "k");
    ck_assert_int_eq(r.cod_str[QC_REFI_COD_REF][1], -1);
    ck_assert_int_eq(r.cod_str[QC_REFI_COD_CREATED_BY][0], r.cod_str[QC_REFI_COD_CREATED_BY][1]);
    /* START Project 0, DATA "\n", START Sources 0, SOURCE TextSource 1 (guid s),
       START PlainTextContent 0, DATA "text", END, END, END, END */
    const int32_t kinds[] = {QC_REFI_START, QC_REFI_DATA, QC_REFI_START, QC_REFI_SOURCE, QC_REFI_START,
                             QC_REFI_DATA, QC_REFI_END, QC_REFI_END, QC_REFI_END, QC_REFI_END};
    size_t at = 0;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        ck_assert_uint_lt(at, r.n_events);
        ck_assert_int_eq(r.events[at], kinds[k]);
        if (kinds[k] == QC_REFI_DATA)
            at += 2;
        else if (kinds[k] == QC_REFI_END)
            at += 1;
        else
            at += 3 + 2 * (size_t)r.events[at + 2];
    }
    ck_assert_uint_eq(at, r.n_events);
    qc_refi_free(g);
}
END_TEST

START_TEST(a_refusal_sticks)
{
    qc_refi *g;
    ck_assert_int_eq(qc_refi_new(&g), QC_OK);
    qc_refi_refuse(g);
    ck_assert_int_eq(feed(g), QC_EINVAL);
    qc_refi_result r;
    qc_refi_results(g, &r);
    ck_assert_uint_eq(r.n_events, 0);
    qc_refi_free(g);
    qc_refi_free(NULL);
}
END_TEST

START_TEST(plain_prologs)
{
    static const struct {
        const char *doc;
        int plain;
    } cases[] = {
        {"<P/>", 1},
        {"\xEF\xBB\xBF<?xml version='1.0'?>\n<!-- c -->\n<?pi x?><P/>", 1},
        {"<!DOCTYPE P><P/>", 0},
        {"<?xml version='1.0'?><!-- c --><!DOCTYPE P [<!ENTITY a 'b'>]><P/>", 0},
        {"<!-- unterminated", 0},
        {"<?xml unterminated", 0},
        {"", 0},
        {"   ", 0},
        {"<\0P\0/\0>\0", 0}, /* UTF-16 */
        {"\xFF\xFE<\0", 0},
        {"text", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *doc = cases[i].doc;
        size_t n = i == 8 ? 8 : i == 9 ? 4 : strlen(doc);
        ck_assert_msg(qc_refi_plain_prolog(doc, n) == cases[i].plain, "case %zu", i);
    }
}
END_TEST

START_TEST(refi_survives_every_allocation_failure)
{
    for (long k = 0;; k++) {
        qc_alloc_fail_after(k);
        qc_refi *g = NULL;
        qc_status status = qc_refi_new(&g);
        if (status == QC_OK)
            status = feed(g);
        long attempts = qc_alloc_attempts();
        qc_alloc_fail_after(-1);
        qc_refi_free(g);
        if (alloc_round_done(status, k, attempts, 5))
            break;
    }
}
END_TEST

Suite *refi_suite(void)
{
    Suite *s = suite_create("refi");
    TCase *tc = tcase_create("qc_refi");
    tcase_add_test(tc, gathers_columns_and_tree_events);
    tcase_add_test(tc, a_refusal_sticks);
    tcase_add_test(tc, plain_prologs);
    tcase_add_test(tc, refi_survives_every_allocation_failure);
    suite_add_tcase(s, tc);
    return s;
}
