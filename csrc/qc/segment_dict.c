/*
 * Building a segmenter (qc/segment.h): jieba's dictionary (FREQ with every
 * prefix of every word, the total), add_word and suggest_freq, and the HMM
 * tables. The trie numbers the nodes and the per-node arrays (frequency,
 * tag, force-split) are indexed by that number; every change to a node is
 * mirrored into the walk table that segment.c reads, so the cutting side
 * never consults the trie on its hot path. Frequencies are interned and
 * their logs computed once here, not per route.
 */
#include "qc/segment_internal.h"

#include <assert.h>
#include <math.h>
#include <string.h>

/* jieba's finalseg.MIN_FLOAT: the log probability of what the HMM never saw. */
#define MIN_FLOAT (-3.14e100)

/* Makes the per-node arrays hold at least need nodes. */
static qc_status reserve_nodes(qc_segmenter *seg, size_t need)
{
    qc_growable arrays[] = {{&seg->freq, sizeof *seg->freq},
                            {&seg->tag, sizeof *seg->tag},
                            {&seg->force, sizeof *seg->force}};
    return qc_grow(&seg->node_capacity, need, arrays, 3);
}

/* The number of frequency freq, its log recorded when new. Errors:
   QC_ENOMEM, QC_EOVERFLOW. */
static qc_status intern_value(qc_segmenter *seg, int64_t freq, uint32_t *value)
{
    /* room first: a new number fits whatever the keyset says */
    qc_status status = qc_grow(&seg->logf_capacity, seg->values.n + 1,
                               &(qc_growable){&seg->logf, sizeof *seg->logf}, 1);
    if (status != QC_OK)
        return status;
    size_t before = seg->values.n, index;
    status = qc_keyset_add(&seg->values, (uint64_t)freq, &index);
    if (status != QC_OK)
        return status;
    assert(index < seg->logf_capacity);
    if (seg->values.n > before)
        seg->logf[index] = freq > 0 ? log((double)freq) : -INFINITY;
    *value = (uint32_t)index;
    return QC_OK;
}

qc_status qc_segmenter_new(qc_segmenter **out)
{
    *out = NULL;
    qc_segmenter *seg = qc_calloc(1, sizeof *seg);
    if (seg == NULL)
        return QC_ENOMEM;
    enum { VALUES_INITIAL = 64 };
    seg->logf = qc_malloc(VALUES_INITIAL, sizeof *seg->logf);
    seg->logf_capacity = VALUES_INITIAL;
    uint32_t zero;
    if (qc_walk_init(&seg->walk) != QC_OK || seg->logf == NULL ||
        qc_keyset_init(&seg->values, 2 * VALUES_INITIAL) != QC_OK ||
        intern_value(seg, 0, &zero) != QC_OK || /* number 0: frequency 0 */
        qc_trie_init(&seg->trie) != QC_OK ||
        qc_vocab_init(&seg->tags) != QC_OK || reserve_nodes(seg, 1024) != QC_OK) {
        qc_segmenter_free(seg);
        return QC_ENOMEM;
    }
    seg->freq[0] = 0; /* the root: the empty string, never looked up */
    seg->tag[0] = -1;
    seg->force[0] = 0;
    *out = seg;
    return QC_OK;
}

void qc_segmenter_free(qc_segmenter *seg)
{
    if (seg == NULL)
        return;
    qc_trie_free(&seg->trie);
    qc_vocab_free(&seg->tags);
    qc_free(seg->freq);
    qc_free(seg->tag);
    qc_free(seg->force);
    qc_walk_free(&seg->walk);
    qc_free(seg->logf);
    qc_keyset_free(&seg->values);
    qc_free(seg->emit);
    qc_free(seg);
}

/* The node of word, created with its prefixes (frequency 0) when missing.
   The per-node arrays and the walk table grow first, so every node the
   trie holds has its entries even when the insertion fails half way. */
static qc_status word_node(qc_segmenter *seg, const qc_str *word,
                           int32_t *node)
{
    size_t before = seg->trie.n_nodes;
    if (word->len > SIZE_MAX / 2 - before - 1)
        return QC_EOVERFLOW;
    qc_status status = reserve_nodes(seg, before + word->len + 1);
    if (status == QC_OK)
        status = qc_walk_reserve(&seg->walk, &seg->trie, 1, word->len);
    if (status != QC_OK)
        return status;
    status = qc_trie_insert(&seg->trie, word, 0, word->len, node);
    assert(seg->trie.n_nodes <= seg->node_capacity); /* a word adds len nodes at most */
    for (size_t i = before; i < seg->trie.n_nodes; i++) {
        seg->freq[i] = 0;
        seg->tag[i] = -1;
        seg->force[i] = 0;
        qc_walk_place(&seg->walk, &seg->trie, (int32_t)i);
    }
    return status;
}

static qc_status set_freq(qc_segmenter *seg, int32_t node, int64_t freq,
                          const qc_str *tag, qc_errinfo *err)
{
    if (freq > INT64_MAX - seg->total)
        return qc_fail(err, QC_EOVERFLOW, "freq", 0, freq, 0,
                       "the total frequency would overflow");
    uint32_t value = 0;
    qc_status status = freq > 0 ? intern_value(seg, freq, &value) : QC_OK;
    if (status != QC_OK)
        return status;
    if (tag != NULL) {
        int32_t id;
        status = qc_vocab_intern(&seg->tags, tag, 0, tag->len, &id);
        if (status != QC_OK)
            return status;
        seg->tag[node] = id;
    }
    if (seg->freq[node] > 0)
        seg->n_words--;
    if (freq > 0)
        seg->n_words++;
    seg->freq[node] = freq;
    qc_walk_set_value(&seg->walk, node, value);
    seg->total += freq;
    return QC_OK;
}

qc_status qc_segmenter_put(qc_segmenter *seg, const qc_str *word,
                           int64_t freq, const qc_str *tag, qc_errinfo *err)
{
    qc_status status = qc_str_check(word, "word", 0, err);
    if (status != QC_OK)
        return status;
    if (word->len == 0)
        return qc_fail(err, QC_EINVAL, "word", 0, 0, 0, "must not be empty");
    if (freq < 0)
        return qc_fail(err, QC_EINVAL, "freq", 0, freq, 0, "must be >= 0");
    int32_t node;
    status = word_node(seg, word, &node);
    if (status != QC_OK)
        return status;
    return set_freq(seg, node, freq, tag, err);
}

/* Whitespace that Python's bytes.strip() removes. */
static int ascii_space(uint8_t b)
{
    return b == ' ' || (b >= '\t' && b <= '\r');
}

qc_status qc_segmenter_load(qc_segmenter *seg, const uint8_t *data, size_t n,
                            qc_errinfo *err)
{
    if (n > 0 && data == NULL)
        return qc_fail(err, QC_EINVAL, "data", 0, 0, 0, "is missing");
    size_t pos = 0, line_no = 0;
    if (n >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF)
        pos = 3;
    uint32_t *buf = NULL;
    size_t buf_len = 0;
    /* Room in the walk's levels for every line at once (a word adds at
       most one node to each), fitted to what they hold at the end: one
       rebuild instead of one at each doubling. */
    size_t lines = 1;
    for (const uint8_t *p = data + pos; (p = memchr(p, '\n', n - (size_t)(p - data))) != NULL; p++)
        lines++;
    qc_status status = qc_walk_reserve(&seg->walk, &seg->trie, lines, 0);
    if (status != QC_OK)
        return status;
    while (pos < n) {
        line_no++;
        size_t line_end = pos;
        while (line_end < n && data[line_end] != '\n')
            line_end++;
        size_t a = pos, b = line_end;
        pos = line_end + 1;
        while (a < b && ascii_space(data[a]))
            a++;
        while (b > a && ascii_space(data[b - 1]))
            b--;
        if (a == b)
            continue;
        status = qc_grow(&buf_len, b - a, &(qc_growable){&buf, sizeof *buf}, 1);
        if (status != QC_OK)
            goto cleanup;
        size_t n_cp, consumed;
        status = qc_utf8_decode(data + a, b - a, 1, buf, &n_cp, &consumed, err);
        if (status != QC_OK) {
            if (err != NULL)
                err->index += a;
            goto cleanup;
        }
        /* fields separated by single spaces: word, freq, optional tag */
        size_t sp1 = 0;
        while (sp1 < n_cp && buf[sp1] != ' ')
            sp1++;
        size_t sp2 = sp1 + 1;
        while (sp2 < n_cp && buf[sp2] != ' ')
            sp2++;
        size_t f = sp1 + 1;
        if (f < n_cp && buf[f] == '+')
            f++;
        int ok = sp1 > 0 && sp1 < n_cp && f < sp2;
        int64_t freq = 0;
        for (size_t i = f; ok && i < sp2; i++) {
            if (buf[i] < '0' || buf[i] > '9' || freq > (INT64_MAX - 9) / 10)
                ok = 0;
            else
                freq = freq * 10 + (int64_t)(buf[i] - '0');
        }
        if (!ok) {
            status = qc_fail(err, QC_EINVAL, "data", a, (int64_t)line_no, 0,
                             "a line must be 'word freq [tag]' with a whole "
                             "number freq >= 0, separated by single spaces");
            goto cleanup;
        }
        qc_str word = {4, buf, sp1};
        size_t tag_end = sp2 + 1;
        while (tag_end < n_cp && buf[tag_end] != ' ')
            tag_end++;
        qc_str tag = {4, buf + sp2 + 1, sp2 < n_cp ? tag_end - sp2 - 1 : 0};
        status = qc_segmenter_put(seg, &word, freq, sp2 < n_cp ? &tag : NULL,
                                  err);
        if (status != QC_OK)
            goto cleanup;
    }
cleanup:
    qc_free(buf);
    (void)qc_walk_fit(&seg->walk, &seg->trie); /* only a smaller copy */
    return status;
}

void qc_segmenter_lookup(const qc_segmenter *seg, const qc_str *word,
                         int64_t *freq, int32_t *tag)
{
    int32_t node = word->len > 0 ? qc_trie_find(&seg->trie, word, 0, word->len) : -1;
    *freq = node < 0 ? -1 : seg->freq[node];
    *tag = node < 0 ? -1 : seg->tag[node];
}

qc_status qc_segmenter_tags(const qc_segmenter *seg, uint32_t **text,
                            int64_t **offsets, size_t *n)
{
    *n = seg->tags.n_ids;
    return qc_vocab_export(&seg->tags, text, offsets);
}

int64_t qc_segmenter_total(const qc_segmenter *seg)
{
    return seg->total;
}

size_t qc_segmenter_words(const qc_segmenter *seg)
{
    return seg->n_words;
}

qc_status qc_segmenter_set_hmm(qc_segmenter *seg, const double *start,
                               const double *trans, const uint32_t *emit_cp,
                               const double *emit, size_t n_emit,
                               qc_errinfo *err)
{
    if (start == NULL || trans == NULL || (n_emit > 0 && (emit_cp == NULL || emit == NULL)))
        return qc_fail(err, QC_EINVAL, "hmm", 0, 0, 0, "tables are missing");
    for (size_t i = 0; i < 4 + 16 + 4 * n_emit; i++) {
        double v = i < 4 ? start[i] : i < 20 ? trans[i - 4] : emit[i - 20];
        if (isnan(v) || v > 0.0)
            return qc_fail(err, QC_EINVAL,
                           i < 4 ? "start" : i < 20 ? "trans" : "emit",
                           i < 4 ? i : i < 20 ? i - 4 : i - 20, 0, 0,
                           "log probabilities must be numbers <= 0");
    }
    double *table = seg->emit;
    if (table == NULL) {
        table = qc_malloc(4 * (size_t)N_CJK, sizeof *table);
        if (table == NULL)
            return QC_ENOMEM;
    }
    for (size_t i = 0; i < 4 * (size_t)N_CJK; i++)
        table[i] = MIN_FLOAT;
    for (size_t i = 0; i < n_emit; i++) {
        uint32_t cp = emit_cp[i];
        if (cp < CJK_FIRST || cp > CJK_LAST)
            continue;
        for (int s = 0; s < 4; s++)
            table[4 * (size_t)(cp - CJK_FIRST) + (size_t)s] = emit[4 * i + (size_t)s];
    }
    seg->emit = table;
    memcpy(seg->start, start, sizeof seg->start);
    memcpy(seg->trans, trans, sizeof seg->trans);
    seg->has_hmm = 1;
    return QC_OK;
}

int qc_segmenter_has_hmm(const qc_segmenter *seg)
{
    return seg->has_hmm;
}

/* FREQ.get(text[a:b], dflt) */
static int64_t freq_get(const qc_segmenter *seg, const qc_str *text, size_t a,
                        size_t b, int64_t dflt)
{
    int32_t node = qc_trie_find(&seg->trie, text, a, b);
    return node < 0 ? dflt : seg->freq[node];
}

/* int(x) + plus as jieba computes it, for x >= 0, held to INT64_MAX: a
   dictionary total near 2^63 makes x reach 2^63, which no int64_t holds. */
static int64_t whole_part(double x, int64_t plus)
{
    if (!(x < 0x1p63)) /* NaN too, though p and the total never make one */
        return INT64_MAX;
    int64_t whole = (int64_t)x; /* at most 2^63 - 1024: + plus cannot overflow */
    return whole + plus;
}

qc_status qc_segmenter_suggest(const qc_segmenter *seg, const qc_str *word,
                               const int64_t *part_end, size_t n_parts,
                               int64_t *freq, qc_errinfo *err)
{
    qc_status status = qc_str_check(word, "word", 0, err);
    if (status != QC_OK)
        return status;
    if (seg->total <= 0)
        return qc_fail(err, QC_EINVAL, "total", 0, seg->total, 0,
                       "the dictionary has no word with a positive frequency");
    double ftotal = (double)seg->total, p = 1.0;
    if (n_parts > 0) {
        int64_t begin = 0;
        for (size_t i = 0; i < n_parts; i++) {
            if (part_end == NULL || part_end[i] < begin ||
                (uint64_t)part_end[i] > word->len ||
                (i + 1 == n_parts && (uint64_t)part_end[i] != word->len))
                return qc_fail(err, QC_EINVAL, "part_end", i,
                               part_end ? part_end[i] : 0, (int64_t)word->len,
                               "segment ends must rise to the word's length");
            int64_t f = freq_get(seg, word, (size_t)begin, (size_t)part_end[i], 1);
            p *= (double)f / ftotal;
            begin = part_end[i];
        }
        int64_t joint = whole_part(p * ftotal, 0);
        int64_t known = freq_get(seg, word, 0, word->len, 0);
        *freq = joint < known ? joint : known;
        return QC_OK;
    }
    qc_spans parts = {0};
    int64_t indptr[2];
    status = qc_segment(seg, word, 1, QC_CUT_DAG, indptr, &parts, err);
    if (status == QC_OK) {
        for (size_t i = 0; i < parts.n; i++) {
            int64_t f = freq_get(seg, word, (size_t)parts.start[i], (size_t)parts.end[i], 1);
            p *= (double)f / ftotal;
        }
        int64_t joint = whole_part(p * ftotal, 1);
        int64_t known = freq_get(seg, word, 0, word->len, 1);
        *freq = joint > known ? joint : known;
    }
    qc_spans_free(&parts);
    return status;
}

qc_status qc_segmenter_add_word(qc_segmenter *seg, const qc_str *word,
                                int64_t freq, const qc_str *tag,
                                int64_t *freq_out, qc_errinfo *err)
{
    qc_status status = qc_str_check(word, "word", 0, err);
    if (status != QC_OK)
        return status;
    if (word->len == 0)
        return qc_fail(err, QC_EINVAL, "word", 0, 0, 0, "must not be empty");
    if (freq < 0) {
        status = qc_segmenter_suggest(seg, word, NULL, 0, &freq, err);
        if (status != QC_OK)
            return status;
    }
    int32_t node;
    status = word_node(seg, word, &node);
    if (status == QC_OK)
        status = set_freq(seg, node, freq, tag, err);
    if (status != QC_OK)
        return status;
    if (freq == 0)
        seg->force[node] = 1;
    if (freq_out != NULL)
        *freq_out = freq;
    return QC_OK;
}
