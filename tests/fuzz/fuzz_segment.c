/*
 * Fuzzes the segmenter (qc/segment.h): qc_segmenter_load on part of the
 * input as a jieba dictionary file, HMM tables and an add_word from the
 * input, then qc_segment in every qc_cutmode over the rest as one to four
 * texts, stored 1, 2 or 4 bytes a code point (or as raw 16-bit units, lone
 * surrogates included).
 *
 * Checks beyond "no crash":
 *  - statuses: load gives OK, EINVAL (arg "data", a byte offset inside
 *    the dictionary, and either a decoding error or a line number) or
 *    EOVERFLOW; qc_segment fails exactly when the mode needs what the
 *    segmenter lacks (HMM tables; a positive total outside full mode), and
 *    names a bad mode or text view;
 *  - a dictionary that loads has total = the sum of its lines' frequencies,
 *    each word looks up to the frequency of its last line, and the number
 *    of words with a positive frequency is qc_segmenter_words;
 *  - indptr runs from 0 to spans.n without decreasing; in DAG and HMM mode
 *    each text's spans tile it (from 0, each starting where the last
 *    ended, none empty, ending at its length); in full mode every span is
 *    non-empty and within its text;
 *  - in DAG mode a token of two or more code points is a word of positive
 *    frequency, a run of ASCII letters and digits, or "\r\n" (jieba's
 *    cut(HMM=False));
 *  - cutting a text at qc_segment_safe_prefix and segmenting both parts
 *    gives the same tokens as segmenting it whole, in every mode;
 *  - qc_segmenter_suggest over segments refuses part ends that do not rise
 *    to the word's length, and otherwise gives a frequency between 0 and
 *    the word's own.
 * An input may make one allocation fail; the segmenter is then still used,
 * and only the invariants of calls that succeed are checked.
 */
#include "fuzz_common.h"
#include "qc/segment.h"

#include <math.h>

enum { MAX_TEXTS = 4 };

/* jieba's finalseg.MIN_FLOAT, the log probability of what was never seen. */
#define MIN_FLOAT (-3.14e100)

typedef struct {
    int armed; /* an allocation failure was asked for */
} context;

/* A log probability from one byte: a spread of values <= 0, and MIN_FLOAT. */
static double log_prob(uint8_t b)
{
    return b == 255 ? MIN_FLOAT : -(double)b / 8.0;
}

/* -- the dictionary, parsed again here ------------------------------------------ */

typedef struct {
    uint32_t *cps; /* the word */
    size_t len;
    int64_t freq;
    size_t line;   /* order in the file */
} dict_word;

static int ascii_space(uint8_t b)
{
    return b == ' ' || (b >= '\t' && b <= '\r');
}

/* The words and frequencies of a dictionary that loaded without error. */
static size_t parse_dictionary(const uint8_t *data, size_t n, dict_word *words)
{
    size_t pos = 0, count = 0;
    if (n >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF)
        pos = 3;
    while (pos < n) {
        size_t end = pos;
        while (end < n && data[end] != '\n')
            end++;
        size_t a = pos, b = end;
        pos = end + 1;
        while (a < b && ascii_space(data[a]))
            a++;
        while (b > a && ascii_space(data[b - 1]))
            b--;
        if (a == b)
            continue;
        uint32_t *cps = fz_alloc(b - a, sizeof *cps);
        size_t n_cp, consumed;
        FZ_CHECK(qc_utf8_decode(data + a, b - a, 1, cps, &n_cp, &consumed, NULL) == QC_OK);
        size_t sp = 0;
        while (sp < n_cp && cps[sp] != ' ')
            sp++;
        size_t f = sp + 1 < n_cp && cps[sp + 1] == '+' ? sp + 2 : sp + 1;
        int64_t freq = 0;
        for (size_t i = f; i < n_cp && cps[i] != ' '; i++)
            freq = freq * 10 + (int64_t)(cps[i] - '0');
        words[count] = (dict_word){cps, sp, freq, count};
        count++;
    }
    return count;
}

static int compare_words(const void *x, const void *y)
{
    const dict_word *a = x, *b = y;
    size_t n = a->len < b->len ? a->len : b->len;
    for (size_t i = 0; i < n; i++)
        if (a->cps[i] != b->cps[i])
            return a->cps[i] < b->cps[i] ? -1 : 1;
    if (a->len != b->len)
        return a->len < b->len ? -1 : 1;
    return (a->line > b->line) - (a->line < b->line);
}

static void check_dictionary(const qc_segmenter *seg, const uint8_t *data, size_t n)
{
    size_t lines = 1;
    for (size_t i = 0; i < n; i++)
        lines += data[i] == '\n';
    dict_word *words = fz_alloc(lines, sizeof *words);
    size_t count = parse_dictionary(data, n, words);
    int64_t total = 0;
    for (size_t i = 0; i < count; i++)
        total += words[i].freq;
    FZ_CHECK(qc_segmenter_total(seg) == total);
    /* by word, then line: the last of each run is the word's frequency */
    qsort(words, count, sizeof *words, compare_words);
    size_t positive = 0;
    for (size_t i = 0; i < count; i++) {
        const dict_word *w = &words[i];
        if (i + 1 < count && w->len == words[i + 1].len &&
            memcmp(w->cps, words[i + 1].cps, w->len * sizeof *w->cps) == 0)
            continue;
        qc_str view = {4, w->cps, w->len};
        int64_t freq;
        int32_t tag;
        qc_segmenter_lookup(seg, &view, &freq, &tag);
        FZ_CHECK(freq == w->freq);
        positive += w->freq > 0;
    }
    FZ_CHECK(qc_segmenter_words(seg) == positive);
    for (size_t i = 0; i < count; i++)
        free(words[i].cps);
    free(words);
}

/* -- cutting ---------------------------------------------------------------------- */

static int is_eng(uint32_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Segments texts; returns the status after checking it and the layout. */
static qc_status cut(const context *ctx, const qc_segmenter *seg, const qc_str *texts,
                     size_t n_texts, qc_cutmode mode, int64_t *indptr, qc_spans *spans)
{
    qc_errinfo err = {0};
    *spans = (qc_spans){0};
    qc_status status = qc_segment(seg, texts, n_texts, mode, indptr, spans, &err);
    int needs_hmm = mode == QC_CUT_HMM && !qc_segmenter_has_hmm(seg);
    int needs_total = mode != QC_CUT_ALL && qc_segmenter_total(seg) <= 0;
    if (needs_hmm || needs_total) {
        FZ_CHECK(status == QC_EINVAL);
        FZ_CHECK(strcmp(err.arg, needs_hmm ? "hmm" : "total") == 0);
        return status;
    }
    FZ_CHECK_STATUS(status, FZ_ST(QC_OK) | (ctx->armed ? FZ_ST(QC_ENOMEM) : 0));
    if (status != QC_OK)
        return status;
    FZ_CHECK(indptr[0] == 0 && indptr[n_texts] == (int64_t)spans->n);
    for (size_t t = 0; t < n_texts; t++) {
        FZ_CHECK(indptr[t] <= indptr[t + 1]);
        int64_t len = (int64_t)texts[t].len, at = 0;
        for (int64_t k = indptr[t]; k < indptr[t + 1]; k++) {
            int64_t a = spans->start[k], b = spans->end[k];
            FZ_CHECK(0 <= a && a < b && b <= len);
            if (mode == QC_CUT_ALL)
                continue;
            FZ_CHECK(a == at);
            at = b;
            if (mode != QC_CUT_DAG || b - a == 1)
                continue;
            qc_str token = fz_slice(&texts[t], (size_t)a, (size_t)b);
            int64_t freq;
            int32_t tag;
            qc_segmenter_lookup(seg, &token, &freq, &tag);
            int eng = 1;
            for (int64_t i = a; i < b; i++)
                eng &= is_eng(qc_str_at(&texts[t], (size_t)i));
            int crlf = b - a == 2 && qc_str_at(&texts[t], (size_t)a) == '\r' &&
                       qc_str_at(&texts[t], (size_t)a + 1) == '\n';
            FZ_CHECK(freq > 0 || eng || crlf);
        }
        if (mode != QC_CUT_ALL)
            FZ_CHECK(at == len);
    }
    return QC_OK;
}

/* The tokens of a text cut at its safe prefix are those of the whole. */
static void check_safe_prefix(const context *ctx, const qc_segmenter *seg, const qc_str *text,
                              qc_cutmode mode, const qc_spans *whole, int64_t from,
                              int64_t to)
{
    size_t p = qc_segment_safe_prefix(text);
    FZ_CHECK(p <= text->len);
    FZ_CHECK(p == 0 || qc_str_at(text, p - 1) == '\n');
    for (size_t i = p; i < text->len; i++)
        FZ_CHECK(qc_str_at(text, i) != '\n');
    qc_str parts[2] = {fz_slice(text, 0, p), fz_slice(text, p, text->len)};
    int64_t indptr[3];
    qc_spans spans;
    if (cut(ctx, seg, parts, 2, mode, indptr, &spans) == QC_OK) {
        FZ_CHECK((int64_t)spans.n == to - from);
        for (size_t k = 0; k < spans.n; k++) {
            int64_t shift = (int64_t)k < indptr[1] ? 0 : (int64_t)p;
            FZ_CHECK(spans.start[k] + shift == whole->start[from + (int64_t)k]);
            FZ_CHECK(spans.end[k] + shift == whole->end[from + (int64_t)k]);
        }
    }
    qc_spans_free(&spans);
}

int LLVMFuzzerTestOneInput(const uint8_t *input, size_t size)
{
    if (size > FZ_MAX_INPUT)
        return 0;
    fz_input in = {input, size};
    uint8_t flags = fz_u8(&in), alloc_spec = fz_u8(&in);
    size_t dict_len;
    const uint8_t *dict = fz_bytes(&in, fz_u16(&in), &dict_len);
    uint8_t hmm_bytes[20];
    for (int i = 0; i < 20; i++)
        hmm_bytes[i] = fz_u8(&in);
    size_t n_emit = fz_u8(&in) % 9;
    uint16_t emit_at[8];
    uint8_t emit_bytes[8][4];
    for (size_t i = 0; i < n_emit; i++) {
        emit_at[i] = fz_u16(&in);
        for (int s = 0; s < 4; s++)
            emit_bytes[i][s] = fz_u8(&in);
    }
    uint16_t word_at = fz_u16(&in);
    uint8_t word_len = fz_u8(&in) % 8, word_freq = fz_u8(&in);
    size_t n_texts = 1 + fz_u8(&in) % MAX_TEXTS;
    uint16_t cuts[MAX_TEXTS];
    for (size_t t = 0; t < MAX_TEXTS; t++)
        cuts[t] = fz_u16(&in);
    /* flag 0x80: the word's suggested frequency as segments (part ends) */
    int64_t part_end[4];
    size_t n_parts = 0;
    if (flags & 0x80) {
        n_parts = 1 + fz_u8(&in) % 4;
        for (size_t i = 0; i < n_parts; i++)
            part_end[i] = (int8_t)fz_u8(&in);
    }
    size_t rest_len;
    const uint8_t *rest = fz_bytes(&in, SIZE_MAX, &rest_len);

    /* the text's code points: UTF-8 (bytes where invalid), or raw 16-bit
       units when flag 0x10 is set, lone surrogates and all */
    uint32_t *cps = fz_alloc(rest_len, sizeof *cps);
    size_t n_cps;
    int raw16 = (flags & 0x10) != 0;
    if (raw16) {
        n_cps = rest_len / 2;
        for (size_t i = 0; i < n_cps; i++)
            cps[i] = (uint32_t)rest[2 * i] | (uint32_t)rest[2 * i + 1] << 8;
    } else {
        n_cps = fz_lenient_decode(rest, rest_len, cps);
    }

    context ctx = {fz_arm_alloc_failure(alloc_spec)};
    qc_segmenter *seg = NULL;
    qc_status status = qc_segmenter_new(&seg);
    if (status != QC_OK) {
        FZ_CHECK(ctx.armed && status == QC_ENOMEM && seg == NULL);
        fz_disarm_alloc_failure();
        free(cps);
        return 0;
    }

    qc_errinfo err = {0};
    status = qc_segmenter_load(seg, dict, dict_len, &err);
    FZ_CHECK_STATUS(status, FZ_ST(QC_OK) | FZ_ST(QC_EINVAL) | FZ_ST(QC_EOVERFLOW) |
                                (ctx.armed ? FZ_ST(QC_ENOMEM) : 0));
    if (status == QC_EINVAL) {
        FZ_CHECK(strcmp(err.arg, "data") == 0 && err.index < dict_len);
        FZ_CHECK(qc_utf8_is_decode_error(&err) || err.value >= 1);
    }
    if (status == QC_OK)
        check_dictionary(seg, dict, dict_len);

    if (flags & 0x04) {
        double start[4], trans[16], emit[8 * 4];
        uint32_t emit_cp[8];
        for (int i = 0; i < 4; i++)
            start[i] = log_prob(hmm_bytes[i]);
        for (int i = 0; i < 16; i++)
            trans[i] = log_prob(hmm_bytes[4 + i]);
        /* emissions for characters of the text (those outside the CJK range
           the HMM observes must be ignored) */
        for (size_t i = 0; i < n_emit; i++) {
            emit_cp[i] = n_cps > 0 ? cps[emit_at[i] % n_cps] : 0x4E00u + emit_at[i];
            for (int s = 0; s < 4; s++)
                emit[4 * i + (size_t)s] = log_prob(emit_bytes[i][s]);
        }
        /* flag 0x20: one value is not a log probability and must be refused */
        if (flags & 0x20)
            trans[hmm_bytes[0] % 16] = hmm_bytes[1] % 2 ? NAN : 0.5;
        status = qc_segmenter_set_hmm(seg, start, trans, emit_cp, emit, n_emit, &err);
        if (flags & 0x20) {
            FZ_CHECK(status == QC_EINVAL && strcmp(err.arg, "trans") == 0);
            FZ_CHECK(!qc_segmenter_has_hmm(seg));
        } else {
            FZ_CHECK_STATUS(status, FZ_ST(QC_OK) | (ctx.armed ? FZ_ST(QC_ENOMEM) : 0));
            FZ_CHECK(qc_segmenter_has_hmm(seg) == (status == QC_OK));
        }
    }

    int kind = raw16 ? 2 : fz_pick_kind(cps, n_cps, flags & 3);
    qc_str all = fz_store(cps, n_cps, kind);

    if ((flags & 0x08) && word_len > 0 && n_cps > 0) {
        size_t a = word_at % n_cps, b = a + word_len < n_cps ? a + word_len : n_cps;
        qc_str word = fz_slice(&all, a, b);
        /* a high bit asks for jieba's suggested frequency */
        int64_t freq = word_freq & 0x80 ? -1 : word_freq, set = -2;
        int64_t total = qc_segmenter_total(seg);
        status = qc_segmenter_add_word(seg, &word, freq, NULL, &set, &err);
        FZ_CHECK_STATUS(status, FZ_ST(QC_OK) | FZ_ST(QC_EINVAL) | FZ_ST(QC_EOVERFLOW) |
                                    (ctx.armed ? FZ_ST(QC_ENOMEM) : 0));
        /* the total would pass INT64_MAX (a suggestion is at most about
           the total, give or take the rounding of doubles) */
        if (status == QC_EOVERFLOW)
            FZ_CHECK(freq >= 0 ? freq > INT64_MAX - total : total > INT64_MAX / 4);
        if (status == QC_EINVAL) /* suggesting needs a positive total */
            FZ_CHECK(freq < 0 && total <= 0 && strcmp(err.arg, "total") == 0);
        if (status == QC_OK) {
            FZ_CHECK(set >= 0 && (freq < 0 || set == freq));
            int64_t got;
            int32_t tag;
            qc_segmenter_lookup(seg, &word, &got, &tag);
            FZ_CHECK(got == set);
        }
    }

    if (n_parts > 0 && n_cps > 0) {
        size_t a = word_at % n_cps, b = a + word_len < n_cps ? a + word_len : n_cps;
        qc_str word = fz_slice(&all, a, b);
        int valid = 1;
        for (size_t i = 0; i < n_parts; i++)
            valid &= part_end[i] >= (i ? part_end[i - 1] : 0) && part_end[i] <= (int64_t)word.len;
        valid &= part_end[n_parts - 1] == (int64_t)word.len;
        int64_t freq = -2, known;
        int32_t tag;
        status = qc_segmenter_suggest(seg, &word, part_end, n_parts, &freq, &err);
        if (qc_segmenter_total(seg) <= 0) {
            FZ_CHECK(status == QC_EINVAL && strcmp(err.arg, "total") == 0);
        } else if (!valid) {
            FZ_CHECK(status == QC_EINVAL && strcmp(err.arg, "part_end") == 0);
        } else {
            /* min(the segments' joint frequency, FREQ.get(word, 0)) */
            FZ_CHECK(status == QC_OK);
            qc_segmenter_lookup(seg, &word, &known, &tag);
            FZ_CHECK(freq >= 0 && freq <= (known > 0 ? known : 0));
        }
    }

    /* the texts: the code points cut at up to three places */
    qc_str texts[MAX_TEXTS];
    size_t from = 0;
    for (size_t t = 0; t < n_texts; t++) {
        size_t to = t + 1 == n_texts ? n_cps : from + cuts[t] % (n_cps - from + 1);
        texts[t] = fz_slice(&all, from, to);
        from = to;
    }

    for (int mode = QC_CUT_DAG; mode <= QC_CUT_ALL; mode++) {
        int64_t indptr[MAX_TEXTS + 1];
        qc_spans spans;
        if (cut(&ctx, seg, texts, n_texts, (qc_cutmode)mode, indptr, &spans) == QC_OK) {
            for (size_t t = 0; t < n_texts; t++)
                check_safe_prefix(&ctx, seg, &texts[t], (qc_cutmode)mode, &spans, indptr[t],
                                  indptr[t + 1]);
        }
        qc_spans_free(&spans);
    }

    /* malformed calls are refused and named */
    if (flags & 0x40) {
        int64_t indptr[2];
        qc_spans spans = {0};
        status = qc_segment(seg, texts, 1, (qc_cutmode)3, indptr, &spans, &err);
        FZ_CHECK(status == QC_EINVAL && strcmp(err.arg, "mode") == 0);
        qc_str bad = texts[0];
        bad.kind = 3;
        status = qc_segment(seg, &bad, 1, QC_CUT_ALL, indptr, &spans, &err);
        FZ_CHECK(status == QC_EINVAL && strcmp(err.arg, "texts") == 0);
        qc_spans_free(&spans);
    }

    uint32_t *tag_text = NULL;
    int64_t *tag_offsets = NULL;
    size_t n_tags = 0;
    status = qc_segmenter_tags(seg, &tag_text, &tag_offsets, &n_tags);
    FZ_CHECK_STATUS(status, FZ_ST(QC_OK) | (ctx.armed ? FZ_ST(QC_ENOMEM) : 0));
    if (status == QC_OK) {
        FZ_CHECK(tag_offsets[0] == 0);
        for (size_t t = 0; t < n_tags; t++)
            FZ_CHECK(tag_offsets[t] <= tag_offsets[t + 1]);
    }
    qc_free(tag_text);
    qc_free(tag_offsets);

    fz_disarm_alloc_failure();
    qc_segmenter_free(seg);
    free((void *)all.data);
    free(cps);
    return 0;
}
