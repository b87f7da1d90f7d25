#include "qc/segment.h"
#include "qc/keyset.h"
#include "qc/walk.h"

#include <math.h>
#include <string.h>

/* jieba's finalseg.MIN_FLOAT: the log probability of what the HMM never saw. */
#define MIN_FLOAT (-3.14e100)
#define CJK_FIRST 0x4E00u
#define CJK_LAST 0x9FD5u
#define N_CJK (CJK_LAST - CJK_FIRST + 1)

enum { ST_B = 0, ST_E = 1, ST_M = 2, ST_S = 3 }; /* letter order: ties */

/* The two states that may precede each state (jieba's PrevStatus), in the
   order jieba tries them. */
static const int PREV[4][2] = {
    [ST_B] = {ST_E, ST_S},
    [ST_E] = {ST_B, ST_M},
    [ST_M] = {ST_M, ST_B},
    [ST_S] = {ST_S, ST_E},
};

struct qc_segmenter {
    qc_trie trie;
    /* per trie node; every node is a key of jieba's FREQ (words and their
       prefixes), so FREQ.get of a missing string is "no node" */
    int64_t *freq;
    int32_t *tag;        /* tag id or -1 */
    uint8_t *force;      /* jieba's Force_Split_Words */
    size_t node_capacity;
    /* what the route reads: per node the index of its log frequency in
       logf (0 for freq 0) and the children */
    qc_walk walk;
    /* distinct frequencies, numbered: logf[v] = log of frequency number v
       (number 0 is frequency 0, logf -INFINITY) */
    qc_keyset values;
    double *logf;
    size_t logf_capacity;
    int64_t total;
    size_t n_words;
    qc_vocab tags;
    int has_hmm;
    double start[4];
    double trans[4][4];
    double *emit; /* [4 * (cp - CJK_FIRST) + state]: one cache line per character */
};

/* -- spans ----------------------------------------------------------------- */

void qc_spans_free(qc_spans *spans)
{
    if (spans == NULL)
        return;
    qc_free(spans->start);
    qc_free(spans->end);
    memset(spans, 0, sizeof *spans);
}

static qc_status spans_grow(qc_spans *spans);

static inline qc_status spans_push(qc_spans *spans, int64_t start, int64_t end)
{
    if (spans->n == spans->capacity && spans_grow(spans) != QC_OK)
        return QC_ENOMEM;
    spans->start[spans->n] = start;
    spans->end[spans->n] = end;
    spans->n++;
    return QC_OK;
}

/* Room for capacity spans in all. */
static qc_status spans_reserve(qc_spans *spans, size_t capacity)
{
    if (capacity <= spans->capacity)
        return QC_OK;
    int64_t *start = qc_realloc(spans->start, capacity, sizeof *start);
    if (start == NULL)
        return QC_ENOMEM;
    spans->start = start;
    int64_t *end = qc_realloc(spans->end, capacity, sizeof *end);
    if (end == NULL)
        return QC_ENOMEM;
    spans->end = end;
    spans->capacity = capacity;
    return QC_OK;
}

static qc_status spans_grow(qc_spans *spans)
{
    return spans_reserve(spans, spans->capacity ? 2 * spans->capacity : 1024);
}

qc_status qc_spans_push(qc_spans *spans, int64_t start, int64_t end)
{
    return spans_push(spans, start, end);
}

/* -- dictionary ------------------------------------------------------------ */

/* Makes the per-node arrays hold at least need nodes. */
static qc_status reserve_nodes(qc_segmenter *seg, size_t need)
{
    if (need <= seg->node_capacity)
        return QC_OK;
    size_t capacity = 2 * seg->node_capacity > need ? 2 * seg->node_capacity : need;
    /* each array is valid (grown or not) whichever of them fails */
    int64_t *freq = qc_realloc(seg->freq, capacity, sizeof *freq);
    if (freq == NULL)
        return QC_ENOMEM;
    seg->freq = freq;
    int32_t *tag = qc_realloc(seg->tag, capacity, sizeof *tag);
    if (tag == NULL)
        return QC_ENOMEM;
    seg->tag = tag;
    uint8_t *force = qc_realloc(seg->force, capacity, sizeof *force);
    if (force == NULL)
        return QC_ENOMEM;
    seg->force = force;
    seg->node_capacity = capacity;
    return QC_OK;
}

/* The number of frequency freq, its log recorded when new. Errors:
   QC_ENOMEM, QC_EOVERFLOW. */
static qc_status intern_value(qc_segmenter *seg, int64_t freq, uint32_t *value)
{
    if (seg->values.n == seg->logf_capacity) { /* room first: a new one fits */
        double *logf = qc_realloc(seg->logf, 2 * seg->logf_capacity, sizeof *logf);
        if (logf == NULL)
            return QC_ENOMEM;
        seg->logf = logf;
        seg->logf_capacity *= 2;
    }
    size_t before = seg->values.n, index;
    qc_status status = qc_keyset_add(&seg->values, (uint64_t)freq, &index);
    if (status != QC_OK)
        return status;
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
        if (b - a > buf_len) {
            qc_free(buf);
            buf_len = 2 * (b - a);
            buf = qc_malloc(buf_len, sizeof *buf);
            if (buf == NULL) {
                status = QC_ENOMEM;
                goto cleanup;
            }
        }
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

/* -- segmentation ----------------------------------------------------------- */

/* ASCII classes: HAN for jieba's re_han_default (with U+4E00..U+9FD5),
   ENG for its re_eng. */
enum { HAN = 1, ENG = 2 };
#define HE (HAN | ENG)
static const uint8_t ASCII_CLASS[128] = {
    ['+'] = HAN, ['#'] = HAN, ['&'] = HAN, ['.'] = HAN, ['_'] = HAN,
    ['%'] = HAN, ['-'] = HAN,
    ['0'] = HE, ['1'] = HE, ['2'] = HE, ['3'] = HE, ['4'] = HE, ['5'] = HE,
    ['6'] = HE, ['7'] = HE, ['8'] = HE, ['9'] = HE,
    ['A'] = HE, ['B'] = HE, ['C'] = HE, ['D'] = HE, ['E'] = HE, ['F'] = HE,
    ['G'] = HE, ['H'] = HE, ['I'] = HE, ['J'] = HE, ['K'] = HE, ['L'] = HE,
    ['M'] = HE, ['N'] = HE, ['O'] = HE, ['P'] = HE, ['Q'] = HE, ['R'] = HE,
    ['S'] = HE, ['T'] = HE, ['U'] = HE, ['V'] = HE, ['W'] = HE, ['X'] = HE,
    ['Y'] = HE, ['Z'] = HE,
    ['a'] = HE, ['b'] = HE, ['c'] = HE, ['d'] = HE, ['e'] = HE, ['f'] = HE,
    ['g'] = HE, ['h'] = HE, ['i'] = HE, ['j'] = HE, ['k'] = HE, ['l'] = HE,
    ['m'] = HE, ['n'] = HE, ['o'] = HE, ['p'] = HE, ['q'] = HE, ['r'] = HE,
    ['s'] = HE, ['t'] = HE, ['u'] = HE, ['v'] = HE, ['w'] = HE, ['x'] = HE,
    ['y'] = HE, ['z'] = HE,
};
#undef HE

/* jieba's re_han_default: [\u4E00-\u9FD5a-zA-Z0-9+#&\._%\-] */
static inline int is_han(uint32_t c)
{
    return c - CJK_FIRST <= CJK_LAST - CJK_FIRST || (c < 128 && (ASCII_CLASS[c] & HAN));
}

/* jieba's re_eng: [a-zA-Z0-9] */
static inline int is_eng(uint32_t c)
{
    return c < 128 && (ASCII_CLASS[c] & ENG);
}

static int is_digit(uint32_t c)
{
    return c >= '0' && c <= '9';
}

typedef struct {
    const qc_segmenter *seg;
    const qc_str *text;
    qc_spans *out;
    double logtotal;
    size_t capacity;
    size_t base;      /* where the window starts in the text */
    uint32_t *block;  /* the window's code points */
    uint8_t *han;     /* per window position: is_han */
    double *route_p;  /* route[i][0] of jieba, per window position + 1 */
    int32_t *route_x; /* route[i][1], a window position */
    double *v;        /* Viterbi: 4 per position */
    uint8_t *back;    /* Viterbi back pointers: 4 per position */
    int64_t *dag;     /* one DAG list (full mode) */
} work;

static qc_status work_reserve(work *w, size_t n)
{
    if (n + 1 <= w->capacity)
        return QC_OK;
    size_t capacity = 2 * (n + 1);
    qc_free(w->route_p);
    qc_free(w->route_x);
    qc_free(w->v);
    qc_free(w->back);
    qc_free(w->dag);
    qc_free(w->block);
    qc_free(w->han);
    w->block = qc_malloc(capacity, sizeof *w->block);
    w->han = qc_malloc(capacity, sizeof *w->han);
    w->route_p = qc_malloc(capacity, sizeof *w->route_p);
    w->route_x = qc_malloc(capacity, sizeof *w->route_x);
    w->v = qc_malloc(4 * capacity, sizeof *w->v);
    w->back = qc_malloc(4 * capacity, sizeof *w->back);
    w->dag = qc_malloc(capacity, sizeof *w->dag);
    w->capacity = capacity;
    if (w->route_p == NULL || w->route_x == NULL || w->v == NULL ||
        w->back == NULL || w->dag == NULL || w->block == NULL || w->han == NULL) {
        w->capacity = 0;
        return QC_ENOMEM;
    }
    return QC_OK;
}

static void work_free(work *w)
{
    qc_free(w->block);
    qc_free(w->han);
    qc_free(w->route_p);
    qc_free(w->route_x);
    qc_free(w->v);
    qc_free(w->back);
    qc_free(w->dag);
}

static inline uint32_t at(const work *w, size_t i)
{
    return qc_str_at(w->text, i);
}

static inline qc_status emit(work *w, size_t a, size_t b)
{
    return spans_push(w->out, (int64_t)a, (int64_t)b);
}

static qc_status emit_chars(work *w, size_t a, size_t b)
{
    for (size_t i = a; i < b; i++) {
        qc_status status = emit(w, i, i + 1);
        if (status != QC_OK)
            return status;
    }
    return QC_OK;
}

/* FREQ.get(text[a:b]) as jieba's truth test: present and non-zero. */
static int has_positive_freq(const work *w, size_t a, size_t b)
{
    int32_t node = qc_trie_find(&w->seg->trie, w->text, a, b);
    return node >= 0 && w->seg->freq[node] > 0;
}

/* jieba's calc over every block of the window: route_p/route_x for each
   window position inside a block. */
static void calc_route(work *w, size_t len)
{
    const qc_walk *walk = &w->seg->walk;
    const double *logf = w->seg->logf;
    const uint32_t *block = w->block;
    const uint8_t *han = w->han;
    size_t end = len; /* of the block idx is in */
    for (size_t idx = len; idx-- > 0;) {
        if (!han[idx])
            continue;
        if (idx + 1 == len || !han[idx + 1]) {
            end = idx + 1;
            w->route_p[end] = 0.0;
        }
        double best = 0.0;
        int32_t best_x = -1;
        uint32_t place;
        qc_walk_rec r = qc_walk_first(walk, block[idx], &place);
        for (size_t x = idx;;) {
            if (r.value != 0) { /* freq > 0 */
                double p = (logf[r.value] - w->logtotal) + w->route_p[x + 1];
                /* jieba takes max over (p, x) tuples: ties go to the later x */
                if (best_x < 0 || p >= best) {
                    best = p;
                    best_x = (int32_t)x;
                }
            }
            if (++x == end || !(r.mask >> (block[x] & 31) & 1))
                break;
            place = qc_walk_next(walk, place, block[x], &r);
            if (place == QC_WALK_NONE)
                break;
        }
        if (best_x < 0) { /* log(FREQ.get(c) or 1) = 0 */
            best = (0.0 - w->logtotal) + w->route_p[idx + 1];
            best_x = (int32_t)idx;
        }
        w->route_p[idx] = best;
        w->route_x[idx] = best_x;
    }
}

/* The end of the word the route takes from text position a + x (x from
   a), relative to a. */
static inline size_t route_end(const work *w, size_t a, size_t x)
{
    return (size_t)w->route_x[a - w->base + x] + 1 - (a - w->base);
}

/* jieba's __cut_DAG_NO_HMM on the block [a, b) (its route computed). */
static qc_status cut_dag(work *w, size_t a, size_t b)
{
    size_t n = b - a, x = 0, buf = SIZE_MAX;
    qc_status status = QC_OK;
    while (x < n && status == QC_OK) {
        size_t y = route_end(w, a, x);
        if (y - x == 1 && is_eng(w->block[a - w->base + x])) {
            if (buf == SIZE_MAX)
                buf = x;
        } else {
            if (buf != SIZE_MAX)
                status = emit(w, a + buf, a + x);
            buf = SIZE_MAX;
            if (status == QC_OK)
                status = emit(w, a + x, a + y);
        }
        x = y;
    }
    if (status == QC_OK && buf != SIZE_MAX)
        status = emit(w, a + buf, b);
    return status;
}

/* A word the HMM proposes, unless jieba's force-split list names it. */
static qc_status emit_hmm_word(work *w, size_t a, size_t b)
{
    if (b - a > 1) {
        int32_t node = qc_trie_find(&w->seg->trie, w->text, a, b);
        if (node >= 0 && w->seg->force[node])
            return emit_chars(w, a, b);
    }
    return emit(w, a, b);
}

/* finalseg's viterbi and __cut over the CJK run [a, b). */
static qc_status viterbi(work *w, size_t a, size_t b)
{
    const qc_segmenter *seg = w->seg;
    size_t n = b - a;
    double *v = w->v;
    uint8_t *back = w->back;
    uint32_t c = at(w, a) - CJK_FIRST;
    for (int y = 0; y < 4; y++)
        v[y] = seg->start[y] + seg->emit[4 * (size_t)c + (size_t)y];
    for (size_t t = 1; t < n; t++) {
        c = at(w, a + t) - CJK_FIRST;
        const double *prev = v + 4 * (t - 1);
        for (int y = 0; y < 4; y++) {
            double em = seg->emit[4 * (size_t)c + (size_t)y];
            int s0 = PREV[y][0], s1 = PREV[y][1];
            double p0 = (prev[s0] + seg->trans[s0][y]) + em;
            double p1 = (prev[s1] + seg->trans[s1][y]) + em;
            /* max over (prob, state) tuples: ties go to the later letter */
            int pick = p1 > p0 || (p1 == p0 && s1 > s0) ? s1 : s0;
            v[4 * t + (size_t)y] = pick == s1 ? p1 : p0;
            back[4 * t + (size_t)y] = (uint8_t)pick;
        }
    }
    const double *last = v + 4 * (n - 1);
    int state = last[ST_S] >= last[ST_E] ? ST_S : ST_E;
    /* states are read back into back[4 * t] (slot 0 is free after use) */
    for (size_t t = n; t-- > 0;) {
        uint8_t previous = t > 0 ? back[4 * t + (size_t)state] : 0;
        back[4 * t] = (uint8_t)state;
        state = previous;
    }
    size_t begin = 0, next = 0;
    qc_status status = QC_OK;
    for (size_t i = 0; i < n && status == QC_OK; i++) {
        int pos = back[4 * i];
        if (pos == ST_B) {
            begin = i;
        } else if (pos == ST_E) {
            status = emit_hmm_word(w, a + begin, a + i + 1);
            next = i + 1;
        } else if (pos == ST_S) {
            status = emit_hmm_word(w, a + i, a + i + 1);
            next = i + 1;
        }
    }
    if (status == QC_OK && next < n)
        status = emit_hmm_word(w, a + next, b);
    return status;
}

/* finalseg's re_skip split of a run without CJK characters: pieces matching
   [a-zA-Z0-9]+(?:\.\d+)?%? and the pieces between them, each one token. */
static qc_status cut_skip(work *w, size_t a, size_t b)
{
    size_t p = a, piece = a;
    qc_status status = QC_OK;
    while (p < b && status == QC_OK) {
        if (!is_eng(at(w, p))) {
            p++;
            continue;
        }
        if (piece < p)
            status = emit(w, piece, p);
        size_t q = p;
        while (q < b && is_eng(at(w, q)))
            q++;
        if (q + 1 < b && at(w, q) == '.' && is_digit(at(w, q + 1))) {
            q += 2;
            while (q < b && is_digit(at(w, q)))
                q++;
        }
        if (q < b && at(w, q) == '%')
            q++;
        if (status == QC_OK)
            status = emit(w, p, q);
        p = piece = q;
    }
    if (status == QC_OK && piece < b)
        status = emit(w, piece, b);
    return status;
}

static int is_cjk(uint32_t c)
{
    return c >= CJK_FIRST && c <= CJK_LAST;
}

/* finalseg.cut on [a, b). */
static qc_status cut_hmm_run(work *w, size_t a, size_t b)
{
    qc_status status = QC_OK;
    size_t i = a;
    while (i < b && status == QC_OK) {
        int cjk = is_cjk(at(w, i));
        size_t j = i + 1;
        while (j < b && is_cjk(at(w, j)) == cjk)
            j++;
        status = cjk ? viterbi(w, i, j) : cut_skip(w, i, j);
        i = j;
    }
    return status;
}

/* What jieba's __cut_DAG does with the run buf = [a, b) of single
   characters. */
static qc_status flush_buf(work *w, size_t a, size_t b)
{
    if (b - a == 1)
        return emit(w, a, b);
    if (has_positive_freq(w, a, b))
        return emit_chars(w, a, b);
    return cut_hmm_run(w, a, b);
}

/* jieba's __cut_DAG on the block [a, b) (its route computed). */
static qc_status cut_hmm(work *w, size_t a, size_t b)
{
    size_t n = b - a, x = 0, buf = SIZE_MAX;
    qc_status status = QC_OK;
    while (x < n && status == QC_OK) {
        size_t y = route_end(w, a, x);
        if (y - x == 1) {
            if (buf == SIZE_MAX)
                buf = x;
        } else {
            if (buf != SIZE_MAX)
                status = flush_buf(w, a + buf, a + x);
            buf = SIZE_MAX;
            if (status == QC_OK)
                status = emit(w, a + x, a + y);
        }
        x = y;
    }
    if (status == QC_OK && buf != SIZE_MAX)
        status = flush_buf(w, a + buf, b);
    return status;
}

/* jieba's __cut_all on [a, b). Its English buffer is emitted as the span
   from its first to its last character. */
static qc_status cut_all(work *w, size_t a, size_t b)
{
    const qc_segmenter *seg = w->seg;
    size_t n = b - a;
    int64_t old_j = -1;
    int eng_scan = 0;
    size_t eng_start = 0, eng_end = 0;
    qc_status status = QC_OK;
    for (size_t k = 0; k < n && status == QC_OK; k++) {
        size_t n_dag = 0;
        int32_t node = 0;
        for (size_t x = k; x < n; x++) {
            node = qc_trie_child(&seg->trie, node, at(w, a + x));
            if (node < 0)
                break;
            if (seg->freq[node] > 0)
                w->dag[n_dag++] = (int64_t)x;
        }
        if (n_dag == 0)
            w->dag[n_dag++] = (int64_t)k;
        if (eng_scan && !is_eng(at(w, a + k))) {
            eng_scan = 0;
            status = emit(w, a + eng_start, a + eng_end);
            if (status != QC_OK)
                break;
        }
        if (n_dag == 1 && (int64_t)k > old_j) {
            size_t end = (size_t)w->dag[0] + 1;
            if (is_eng(at(w, a + k))) {
                if (!eng_scan) {
                    eng_scan = 1;
                    eng_start = k;
                }
                eng_end = end;
            }
            if (!eng_scan)
                status = emit(w, a + k, a + end);
            old_j = w->dag[0];
        } else {
            for (size_t i = 0; i < n_dag && status == QC_OK; i++) {
                if (w->dag[i] > (int64_t)k) {
                    status = emit(w, a + k, a + (size_t)w->dag[i] + 1);
                    old_j = w->dag[i];
                }
            }
        }
    }
    if (status == QC_OK && eng_scan)
        status = emit(w, a + eng_start, a + eng_end);
    return status;
}

/* Characters outside blocks: jieba's re_skip split ("\r\n" or one space
   character per token); other characters one by one, or in full mode the
   runs between spaces whole. */
static qc_status cut_other(work *w, size_t a, size_t b, qc_cutmode mode)
{
    qc_status status = QC_OK;
    size_t i = a;
    while (i < b && status == QC_OK) {
        uint32_t c = at(w, i);
        if (c == '\r' && i + 1 < b && at(w, i + 1) == '\n') {
            status = emit(w, i, i + 2);
            i += 2;
        } else if (qc_is_space(c) || mode != QC_CUT_ALL) {
            status = emit(w, i, i + 1);
            i++;
        } else {
            size_t j = i + 1;
            while (j < b && !qc_is_space(at(w, j)))
                j++;
            status = emit(w, i, j);
            i = j;
        }
    }
    return status;
}

/* Loads the window that starts at text position i: whole blocks and runs
   between them, about WINDOW code points (more when one run is longer).
   *end receives where it ends. Errors: QC_ENOMEM. */
static qc_status load_window(work *w, size_t i, size_t *end)
{
    enum { WINDOW = 4096 };
    const qc_str *text = w->text;
    size_t n = text->len, j = n - i > WINDOW ? i + WINDOW : n;
    if (j < n) {
        /* back to the start of the run that j cuts, or on to its end when
           it fills the window */
        int han = is_han(qc_str_at(text, j));
        size_t k = j;
        while (k > i && is_han(qc_str_at(text, k - 1)) == han)
            k--;
        if (k > i)
            j = k;
        else
            while (j < n && is_han(qc_str_at(text, j)) == han)
                j++;
    }
    qc_status status = work_reserve(w, j - i);
    if (status != QC_OK)
        return status;
    w->base = i;
    for (size_t k = i; k < j; k++) {
        uint32_t c = qc_str_at(text, k);
        w->block[k - i] = c;
        w->han[k - i] = (uint8_t)is_han(c);
    }
    *end = j;
    return QC_OK;
}

qc_status qc_segment(const qc_segmenter *seg, const qc_str *texts,
                     size_t n_texts, qc_cutmode mode, int64_t *indptr,
                     qc_spans *out, qc_errinfo *err)
{
    if (seg == NULL || out == NULL || indptr == NULL || (n_texts > 0 && texts == NULL))
        return qc_fail(err, QC_EINVAL, "texts", 0, 0, 0, "is missing");
    if (mode != QC_CUT_DAG && mode != QC_CUT_HMM && mode != QC_CUT_ALL)
        return qc_fail(err, QC_EINVAL, "mode", 0, (int64_t)mode, 0,
                       "must be QC_CUT_DAG, QC_CUT_HMM or QC_CUT_ALL");
    if (mode == QC_CUT_HMM && !seg->has_hmm)
        return qc_fail(err, QC_EINVAL, "hmm", 0, 0, 0,
                       "the segmenter has no HMM tables");
    if (mode != QC_CUT_ALL && seg->total <= 0)
        return qc_fail(err, QC_EINVAL, "total", 0, seg->total, 0,
                       "the dictionary has no word with a positive frequency");
    for (size_t t = 0; t < n_texts; t++) {
        qc_status status = qc_str_check(&texts[t], "texts", t, err);
        if (status != QC_OK)
            return status;
    }
    work w = {.seg = seg, .out = out,
              .logtotal = seg->total > 0 ? log((double)seg->total) : 0.0};
    qc_status status = QC_OK;
    indptr[0] = (int64_t)out->n;
    if (mode != QC_CUT_ALL) {
        /* no more tokens than code points: room for them all at once saves
           the copies of growing (pages untouched stay unallocated); only a
           hint, growing takes over when it fails */
        size_t total = 0;
        for (size_t t = 0; t < n_texts; t++)
            total += texts[t].len;
        if (total <= SIZE_MAX / 16 - out->n)
            (void)spans_reserve(out, out->n + total);
    }
    for (size_t t = 0; t < n_texts && status == QC_OK; t++) {
        w.text = &texts[t];
        size_t i = 0, n = texts[t].len;
        while (i < n && status == QC_OK) {
            size_t j;
            status = load_window(&w, i, &j);
            if (status != QC_OK)
                break;
            if (mode != QC_CUT_ALL)
                calc_route(&w, j - i);
            for (size_t k = 0; k < j - i && status == QC_OK;) {
                int han = w.han[k];
                size_t m = k + 1;
                while (m < j - i && w.han[m] == han)
                    m++;
                if (!han)
                    status = cut_other(&w, i + k, i + m, mode);
                else
                    status = mode == QC_CUT_DAG   ? cut_dag(&w, i + k, i + m)
                             : mode == QC_CUT_HMM ? cut_hmm(&w, i + k, i + m)
                                                  : cut_all(&w, i + k, i + m);
                k = m;
            }
            i = j;
        }
        indptr[t + 1] = (int64_t)out->n;
    }
    work_free(&w);
    return status;
}

/* -- frequencies ------------------------------------------------------------ */

/* FREQ.get(text[a:b], dflt) */
static int64_t freq_get(const qc_segmenter *seg, const qc_str *text, size_t a,
                        size_t b, int64_t dflt)
{
    int32_t node = qc_trie_find(&seg->trie, text, a, b);
    return node < 0 ? dflt : seg->freq[node];
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
            p *= (double)freq_get(seg, word, (size_t)begin, (size_t)part_end[i], 1) / ftotal;
            begin = part_end[i];
        }
        int64_t joint = (int64_t)(p * ftotal);
        int64_t known = freq_get(seg, word, 0, word->len, 0);
        *freq = joint < known ? joint : known;
        return QC_OK;
    }
    qc_spans parts = {0};
    int64_t indptr[2];
    status = qc_segment(seg, word, 1, QC_CUT_DAG, indptr, &parts, err);
    if (status == QC_OK) {
        for (size_t i = 0; i < parts.n; i++)
            p *= (double)freq_get(seg, word, (size_t)parts.start[i],
                                  (size_t)parts.end[i], 1) / ftotal;
        int64_t joint = (int64_t)(p * ftotal) + 1;
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

size_t qc_segment_safe_prefix(const qc_str *text)
{
    for (size_t i = text->len; i-- > 0;) {
        if (qc_str_at(text, i) == '\n')
            return i + 1;
    }
    return 0;
}
