/*
 * Fuzzes dictionary matching (qc/acmatch.h): qc_matcher_new on patterns
 * split out of the input, with folding on or off, then qc_match in both
 * modes over the rest of the input as one or more texts.
 *
 * Input: a flags byte, an allocation-failure byte, the length of the
 * pattern part (16 bits), the pattern part, then the texts. Both parts are
 * read as UTF-8 (bytes where invalid) or, with a flag, as raw 32-bit code
 * points (any value, NUL and values past U+10FFFF included); patterns are
 * split at U+000A, texts at U+001E; each pattern and text is stored in a
 * kind chosen from the flags (the narrowest, or wider).
 *
 * Checks beyond "no crash":
 *  - qc_matcher_new refuses exactly what it must: no patterns, an empty
 *    pattern (naming its index), a bad view;
 *  - every reported match lies in its text, and its slice equals its
 *    pattern code point by code point (after qc_fold_latin on both sides
 *    when folding), with the first of any duplicate patterns reported;
 *  - overlapping mode reports exactly every occurrence of every pattern,
 *    ordered by text, then end, then start; longest mode reports exactly
 *    the leftmost-longest non-overlapping matches, in order (both against
 *    a direct search);
 *  - qc_match appends: a second call into the same output adds the same
 *    rows again after the first's; a bad mode is refused;
 *  - the prefilter's skip never passes a position where a pattern starts,
 *    and its plain C and AVX2 loops stop at the same positions.
 */
#include "fuzz_common.h"
#include "qc/acmatch.h"

/* Bounds that keep the direct search fast (texts x patterns). */
enum { MAX_PATTERNS = 128, MAX_PATTERN_LEN = 64, MAX_TEXT_CPS = 4096 };

/* The one call of qc_match: every match (max_matches is SIZE_MAX), so the
   invariants below see them all; the bound has its own Check case. */
static qc_status match(const qc_matcher *m, const qc_str *texts, size_t n_texts,
                       qc_matchmode mode, qc_matches *out, qc_errinfo *err)
{
    return qc_match(m, texts, n_texts, mode, SIZE_MAX, out, err);
}

typedef struct {
    int64_t text, start, end, pattern;
} row;

static uint32_t fold_if(int fold, uint32_t c)
{
    return fold ? qc_fold_latin(c) : c;
}

/* Whether pattern p occurs in text at start. */
static int occurs(const qc_str *p, const qc_str *text, size_t start, int fold)
{
    if (start + p->len > text->len)
        return 0;
    for (size_t i = 0; i < p->len; i++)
        if (fold_if(fold, qc_str_at(p, i)) != fold_if(fold, qc_str_at(text, start + i)))
            return 0;
    return 1;
}

/* The index of the first pattern equal to pattern p (after folding). */
static size_t first_equal(const qc_str *patterns, size_t p, int fold)
{
    for (size_t q = 0; q < p; q++)
        if (patterns[q].len == patterns[p].len && occurs(&patterns[q], &patterns[p], 0, fold))
            return q;
    return p;
}

/* The matches a direct search finds, in the documented order. */
static size_t direct_search(const qc_str *patterns, const size_t *canon, size_t n_patterns,
                            const qc_str *texts, size_t n_texts, int fold, qc_matchmode mode,
                            row *rows)
{
    size_t n = 0;
    for (size_t t = 0; t < n_texts; t++) {
        const qc_str *text = &texts[t];
        if (mode == QC_MATCH_OVERLAPPING) {
            for (size_t end = 1; end <= text->len; end++) {
                /* distinct patterns of one length cannot both end here, so
                   this end has at most one match a length: ordered by
                   start, the longest first */
                size_t first = n;
                for (size_t p = 0; p < n_patterns; p++) {
                    size_t len = patterns[p].len;
                    if (canon[p] != p || len > end || !occurs(&patterns[p], text, end - len, fold))
                        continue;
                    size_t at = n++;
                    while (at > first && rows[at - 1].start > (int64_t)(end - len)) {
                        rows[at] = rows[at - 1];
                        at--;
                    }
                    rows[at] = (row){(int64_t)t, (int64_t)(end - len), (int64_t)end, (int64_t)p};
                }
            }
        } else {
            for (size_t start = 0; start < text->len;) {
                size_t best = SIZE_MAX;
                for (size_t p = 0; p < n_patterns; p++)
                    if (canon[p] == p && occurs(&patterns[p], text, start, fold) &&
                        (best == SIZE_MAX || patterns[p].len > patterns[best].len))
                        best = p;
                if (best == SIZE_MAX) {
                    start++;
                    continue;
                }
                rows[n++] = (row){(int64_t)t, (int64_t)start,
                                  (int64_t)(start + patterns[best].len), (int64_t)best};
                start += patterns[best].len;
            }
        }
    }
    return n;
}

/* Splits cps at sep into views of the chosen kinds; returns how many. */
static size_t split(const uint32_t *cps, size_t n, uint32_t sep, qc_str *views, size_t max,
                    size_t max_len, uint8_t kinds)
{
    size_t count = 0, from = 0;
    for (size_t i = 0; i <= n && count < max; i++) {
        if (i < n && cps[i] != sep)
            continue;
        size_t len = i - from < max_len ? i - from : max_len;
        views[count] = fz_store(cps + from, len, fz_pick_kind(cps + from, len, kinds >> (count % 4 * 2)));
        count++;
        from = i + 1;
    }
    return count;
}

static size_t read_cps(const uint8_t *bytes, size_t n, int raw32, uint32_t *cps)
{
    if (!raw32)
        return fz_lenient_decode(bytes, n, cps);
    for (size_t i = 0; i + 4 <= n; i += 4)
        memcpy(&cps[i / 4], bytes + i, 4);
    return n / 4;
}

static void check_rows(const qc_matches *out, size_t from, const row *want, size_t n_want)
{
    FZ_CHECK(out->n - from == n_want);
    for (size_t j = 0; j < n_want; j++) {
        const row *r = &want[j];
        if (out->text[from + j] != r->text || out->start[from + j] != r->start ||
            out->end[from + j] != r->end || out->pattern[from + j] != r->pattern) {
            fprintf(stderr, "match %zu: got text %lld [%lld, %lld) pattern %lld, "
                            "want text %lld [%lld, %lld) pattern %lld\n", j,
                    (long long)out->text[from + j], (long long)out->start[from + j],
                    (long long)out->end[from + j], (long long)out->pattern[from + j],
                    (long long)r->text, (long long)r->start, (long long)r->end,
                    (long long)r->pattern);
            FZ_CHECK(!"the match above differs from a direct search");
        }
    }
}

/* The prefilter's skip (qc_matcher_skip) from every position: it never
   passes a position where a pattern starts, stops within the text, and
   plain C and AVX2 stop at the same place. */
static void check_skip(const qc_matcher *m, const qc_str *patterns, const size_t *canon,
                       size_t n_patterns, const qc_str *texts, size_t n_texts, int fold)
{
    for (size_t t = 0; t < n_texts; t++) {
        const qc_str *text = &texts[t];
        /* next_start[i]: the first position >= i where a pattern starts */
        size_t *next_start = fz_alloc(text->len + 1, sizeof *next_start);
        next_start[text->len] = text->len;
        for (size_t i = text->len; i-- > 0;) {
            next_start[i] = next_start[i + 1];
            for (size_t p = 0; p < n_patterns; p++)
                if (canon[p] == p && occurs(&patterns[p], text, i, fold)) {
                    next_start[i] = i;
                    break;
                }
        }
        for (size_t from = 0; from <= text->len + 1; from++) {
            size_t to = qc_matcher_skip(m, text, from, 0);
            FZ_CHECK(to == qc_matcher_skip(m, text, from, 1));
            if (from >= text->len) {
                FZ_CHECK(to == text->len);
                continue;
            }
            FZ_CHECK(to >= from && to <= next_start[from]);
            if (!qc_matcher_prefiltered(m))
                FZ_CHECK(to == from);
        }
        free(next_start);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *input, size_t size)
{
    if (size > FZ_MAX_INPUT)
        return 0;
    fz_input in = {input, size};
    uint8_t flags = fz_u8(&in), alloc_spec = fz_u8(&in), kinds = fz_u8(&in);
    int fold = flags & 1, raw32 = (flags & 2) != 0;
    size_t pat_bytes, text_bytes;
    const uint8_t *pat = fz_bytes(&in, fz_u16(&in), &pat_bytes);
    const uint8_t *txt = fz_bytes(&in, SIZE_MAX, &text_bytes);

    uint32_t *pcps = fz_alloc(pat_bytes, sizeof *pcps), *tcps = fz_alloc(text_bytes, sizeof *tcps);
    size_t n_pcps = read_cps(pat, pat_bytes, raw32, pcps);
    size_t n_tcps = read_cps(txt, text_bytes, raw32, tcps);
    if (n_tcps > MAX_TEXT_CPS)
        n_tcps = MAX_TEXT_CPS;
    qc_str *patterns = fz_alloc(MAX_PATTERNS, sizeof *patterns);
    qc_str *texts = fz_alloc(MAX_TEXT_CPS + 1, sizeof *texts);
    /* no pattern part at all: qc_matcher_new is given no patterns */
    size_t n_patterns = pat_bytes == 0 ? 0 : split(pcps, n_pcps, '\n', patterns, MAX_PATTERNS,
                                                   MAX_PATTERN_LEN, kinds);
    size_t n_texts = split(tcps, n_tcps, 0x1E, texts, MAX_TEXT_CPS + 1, SIZE_MAX, kinds >> 1);

    size_t first_empty = SIZE_MAX;
    for (size_t p = 0; p < n_patterns && first_empty == SIZE_MAX; p++)
        if (patterns[p].len == 0)
            first_empty = p;
    /* flag 4: one view of a kind no str has, which must be refused */
    size_t bad_view = SIZE_MAX;
    if ((flags & 4) && n_patterns > 0) {
        bad_view = alloc_spec % n_patterns;
        patterns[bad_view].kind = 3;
    }

    int armed = fz_arm_alloc_failure(alloc_spec);
    qc_matcher *m = NULL;
    qc_errinfo err = {0};
    qc_status status = qc_matcher_new(patterns, n_patterns, fold, &m, &err);
    size_t first_bad = first_empty < bad_view ? first_empty : bad_view;
    if (n_patterns == 0 || first_bad != SIZE_MAX) {
        FZ_CHECK(status == QC_EINVAL || (armed && status == QC_ENOMEM));
        FZ_CHECK(m == NULL);
        if (status == QC_EINVAL) {
            FZ_CHECK(strcmp(err.arg, "patterns") == 0);
            FZ_CHECK(n_patterns == 0 || err.index == first_bad);
        }
    } else {
        FZ_CHECK_STATUS(status, FZ_ST(QC_OK) | (armed ? FZ_ST(QC_ENOMEM) : 0));
    }

    if (status == QC_OK) {
        FZ_CHECK(qc_matcher_bytes(m) > 0 && qc_matcher_nodes(m) >= 1);
        size_t *canon = fz_alloc(n_patterns, sizeof *canon);
        for (size_t p = 0; p < n_patterns; p++)
            canon[p] = first_equal(patterns, p, fold);
        size_t max_rows = n_tcps + 1;
        if (n_patterns < MAX_PATTERN_LEN)
            max_rows *= n_patterns;
        else
            max_rows *= MAX_PATTERN_LEN;
        row *want = fz_alloc(max_rows, sizeof *want);
        for (int mode = QC_MATCH_OVERLAPPING; mode <= QC_MATCH_LONGEST; mode++) {
            size_t n_want = direct_search(patterns, canon, n_patterns, texts, n_texts, fold,
                                          (qc_matchmode)mode, want);
            qc_matches out = {0};
            status = match(m, texts, n_texts, (qc_matchmode)mode, &out, &err);
            FZ_CHECK_STATUS(status, FZ_ST(QC_OK) | (armed ? FZ_ST(QC_ENOMEM) : 0));
            if (status == QC_OK) {
                check_rows(&out, 0, want, n_want);
                /* appended: the same rows again after the first ones */
                status = match(m, texts, n_texts, (qc_matchmode)mode, &out, &err);
                FZ_CHECK_STATUS(status, FZ_ST(QC_OK) | (armed ? FZ_ST(QC_ENOMEM) : 0));
                if (status == QC_OK) {
                    check_rows(&out, n_want, want, n_want);
                } else {
                    FZ_CHECK(out.n == n_want); /* out is unchanged on error */
                    check_rows(&out, 0, want, n_want);
                }
            } else {
                FZ_CHECK(out.n == 0);
            }
            qc_matches_free(&out);
        }
        check_skip(m, patterns, canon, n_patterns, texts, n_texts, fold);
        qc_matches out = {0};
        status = match(m, texts, n_texts, (qc_matchmode)2, &out, &err);
        FZ_CHECK(status == QC_EINVAL && out.n == 0);
        qc_matches_free(&out);
        free(want);
        free(canon);
    }
    fz_disarm_alloc_failure();
    qc_matcher_free(m);

    for (size_t p = 0; p < n_patterns; p++)
        free((void *)patterns[p].data);
    for (size_t t = 0; t < n_texts; t++)
        free((void *)texts[t].data);
    free(patterns);
    free(texts);
    free(pcps);
    free(tcps);
    return 0;
}
