/*
 * Cutting texts with a segmenter (qc_segment in qc/segment.h), as jieba's
 * Tokenizer.cut does, in its three modes. A text is read a window of about
 * 4096 code points at a time (whole blocks, never cut inside one), so the
 * scratch (the route, the Viterbi tables) stays in cache whatever the
 * text's length; the route of highest probability is summed from the end
 * of each block in the order jieba sums it, so that ties and rounding come
 * out the same. The segmenter is only read here: any number of threads may
 * cut with one.
 */
#include "qc/segment_internal.h"

#include <assert.h>
#include <math.h>
#include <string.h>

enum { ST_B = 0, ST_E = 1, ST_M = 2, ST_S = 3 }; /* letter order: ties */

/* The two states that may precede each state (jieba's PrevStatus), in the
   order jieba tries them. */
static const int PREV[4][2] = {
    [ST_B] = {ST_E, ST_S},
    [ST_E] = {ST_B, ST_M},
    [ST_M] = {ST_M, ST_B},
    [ST_S] = {ST_S, ST_E},
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

/* Room for need spans in all. */
static qc_status spans_reserve(qc_spans *spans, size_t need)
{
    qc_growable columns[] = {{&spans->start, sizeof *spans->start},
                             {&spans->end, sizeof *spans->end}};
    return qc_grow(&spans->capacity, need, columns, 2);
}

static inline qc_status spans_push(qc_spans *spans, int64_t start, int64_t end)
{
    if (spans->n == spans->capacity) {
        qc_status status = spans_reserve(spans, spans->n + 1);
        if (status != QC_OK)
            return status;
    }
    spans->start[spans->n] = start;
    spans->end[spans->n] = end;
    spans->n++;
    return QC_OK;
}

qc_status qc_spans_push(qc_spans *spans, int64_t start, int64_t end)
{
    return spans_push(spans, start, end);
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

/* Room for a window of n positions (the route reads one past its end). */
static qc_status work_reserve(work *w, size_t n)
{
    qc_growable arrays[] = {{&w->block, sizeof *w->block},
                            {&w->han, sizeof *w->han},
                            {&w->route_p, sizeof *w->route_p},
                            {&w->route_x, sizeof *w->route_x},
                            {&w->v, 4 * sizeof *w->v},
                            {&w->back, 4 * sizeof *w->back},
                            {&w->dag, sizeof *w->dag}};
    return qc_grow(&w->capacity, n + 1, arrays, sizeof arrays / sizeof arrays[0]);
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
    assert(len + 1 <= w->capacity); /* route_p[len] ends every block */
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
    assert(a >= w->base); /* a block lies in the loaded window */
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
    /* qc_segment refuses QC_CUT_HMM without tables; runs are never empty */
    assert(seg->emit != NULL && b > a);
    size_t n = b - a;
    double *v = w->v;
    uint8_t *back = w->back;
    uint32_t c = at(w, a) - CJK_FIRST;
    assert(c < N_CJK); /* cut_hmm_run passes runs of CJK characters only */
    for (int y = 0; y < 4; y++)
        v[y] = seg->start[y] + seg->emit[4 * (size_t)c + (size_t)y];
    for (size_t t = 1; t < n; t++) {
        c = at(w, a + t) - CJK_FIRST;
        assert(c < N_CJK);
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
    assert(j > i); /* every window moves the text on */
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

size_t qc_segment_safe_prefix(const qc_str *text)
{
    for (size_t i = text->len; i-- > 0;) {
        if (qc_str_at(text, i) == '\n')
            return i + 1;
    }
    return 0;
}
