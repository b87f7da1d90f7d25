#include "qc/acmatch.h"

#include <stdlib.h>
#include <string.h>

/*
 * Once built, the automaton keeps one 20-byte record per node, numbered in
 * breadth-first order with the children of a node consecutive and sorted by
 * code point: a step scans the children's records (or, for a node with
 * many, looks the child up in a hash table), and the record found holds all
 * the next step needs. The trie used to build it is freed.
 */
typedef struct {
    uint32_t cp;      /* of the edge into the node */
    uint32_t first;   /* the node's children: first .. next node's first - 1 */
    int32_t fail;     /* longest proper suffix that is a node */
    int32_t output;   /* nearest proper suffix with a pattern, 0 if none */
    int32_t pattern;  /* pattern ending here, -1 if none */
} ac_node;

enum { SCAN = 8 };

typedef struct {
    uint32_t parent; /* UINT32_MAX marks an empty slot */
    uint32_t cp;
    int32_t child;
} ac_edge;

static inline size_t edge_slot(uint32_t parent, uint32_t cp, size_t capacity)
{
    uint64_t h = ((uint64_t)parent << 21 ^ cp) * 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 32) & (capacity - 1);
}

struct qc_matcher {
    int fold;
    size_t n_nodes;
    ac_node *node;    /* n_nodes + 1: the last only closes the children of the one before */
    int32_t *length;  /* per pattern */
    size_t n_patterns;
    /* Most characters of a text start no pattern: bit (c & root_mask) of
       root_bits is set for each first character, so the walk stays at the
       root without a search for the rest (16 bits per first character). */
    uint64_t *root_bits;
    uint32_t root_mask;
    /* The children of nodes with more than SCAN children (the root, the
       first characters of many patterns) are found by hashing instead. */
    ac_edge *edges;
    size_t capacity;
};

void qc_matcher_free(qc_matcher *m)
{
    if (m == NULL)
        return;
    qc_free(m->node);
    qc_free(m->length);
    qc_free(m->root_bits);
    qc_free(m->edges);
    qc_free(m);
}

static inline uint32_t key_at(const qc_matcher *m, const qc_str *s, size_t i)
{
    uint32_t c = qc_str_at(s, i);
    return m->fold ? qc_fold_latin(c) : c;
}

/* The child of v along c, or -1. */
static inline int32_t child(const qc_matcher *m, int32_t v, uint32_t c)
{
    const ac_node *node = m->node;
    uint32_t lo = node[v].first, end = node[v + 1].first;
    if (end - lo > SCAN) {
        for (size_t j = edge_slot((uint32_t)v, c, m->capacity);; j = (j + 1) & (m->capacity - 1)) {
            const ac_edge *e = &m->edges[j];
            if (e->parent == (uint32_t)v && e->cp == c)
                return e->child;
            if (e->parent == UINT32_MAX)
                return -1;
        }
    }
    for (; lo < end; lo++) {
        if (node[lo].cp >= c)
            return node[lo].cp == c ? (int32_t)lo : -1;
    }
    return -1;
}

static int compare_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

/* Lays the trie out as the node records (see ac_node): breadth-first, each
   node's children together, sorted by code point. renumber[v] receives the
   record of trie node v. */
static qc_status lay_out(qc_matcher *m, const qc_trie *trie, int32_t *renumber)
{
    size_t n = m->n_nodes;
    size_t *start = qc_calloc(n + 1, sizeof *start);
    uint64_t *kids = qc_malloc(n, sizeof *kids);
    if (start == NULL || kids == NULL) {
        qc_free(start);
        qc_free(kids);
        return QC_ENOMEM;
    }
    /* children grouped by parent (counting sort), each group by code point */
    for (size_t v = 1; v < n; v++)
        start[trie->parent[v] + 1]++;
    for (size_t v = 0; v < n; v++)
        start[v + 1] += start[v];
    for (size_t v = 1; v < n; v++)
        kids[start[trie->parent[v]]++] = (uint64_t)trie->cp[v] << 32 | v;
    for (size_t v = n; v-- > 0;) /* the cursors stopped at the next group */
        start[v + 1] = start[v];
    start[0] = 0;
    for (size_t v = 0; v < n; v++)
        qsort(kids + start[v], start[v + 1] - start[v], sizeof *kids, compare_u64);
    /* breadth first: the children of the k-th record get the next numbers */
    int32_t *trie_of = qc_malloc(n, sizeof *trie_of);
    if (trie_of == NULL) {
        qc_free(start);
        qc_free(kids);
        return QC_ENOMEM;
    }
    trie_of[0] = 0;
    renumber[0] = 0;
    m->node[0].cp = 0;
    size_t next = 1;
    for (size_t k = 0; k < n; k++) {
        size_t v = (size_t)trie_of[k];
        m->node[k].first = (uint32_t)next;
        for (size_t j = start[v]; j < start[v + 1]; j++) {
            int32_t w = (int32_t)(uint32_t)kids[j];
            trie_of[next] = w;
            renumber[w] = (int32_t)next;
            m->node[next].cp = (uint32_t)(kids[j] >> 32);
            next++;
        }
    }
    m->node[n].first = (uint32_t)n;
    m->node[n].cp = 0;
    qc_free(start);
    qc_free(kids);
    qc_free(trie_of);
    return QC_OK;
}

qc_status qc_matcher_new(const qc_str *patterns, size_t n_patterns, int fold,
                         qc_matcher **out, qc_errinfo *err)
{
    *out = NULL;
    if (n_patterns == 0 || patterns == NULL)
        return qc_fail(err, QC_EINVAL, "patterns", 0, 0, 0,
                       "needs at least one pattern");
    if (n_patterns > INT32_MAX)
        return qc_fail(err, QC_EOVERFLOW, "patterns", 0, (int64_t)n_patterns,
                       INT32_MAX, "too many patterns");
    for (size_t i = 0; i < n_patterns; i++) {
        qc_status status = qc_str_check(&patterns[i], "patterns", i, err);
        if (status != QC_OK)
            return status;
        if (patterns[i].len == 0)
            return qc_fail(err, QC_EINVAL, "patterns", i, 0, 0,
                           "a pattern must not be empty");
        if (patterns[i].len > INT32_MAX)
            return qc_fail(err, QC_EOVERFLOW, "patterns", i, (int64_t)patterns[i].len,
                           INT32_MAX, "a pattern is too long");
    }
    qc_matcher *m = qc_calloc(1, sizeof *m);
    if (m == NULL)
        return QC_ENOMEM;
    m->fold = fold != 0;
    m->n_patterns = n_patterns;
    qc_trie trie;
    int trie_ready = 0;
    int32_t *ends = qc_malloc(n_patterns, sizeof *ends);
    int32_t *renumber = NULL;
    m->length = qc_malloc(n_patterns, sizeof *m->length);
    qc_status status = ends == NULL || m->length == NULL ? QC_ENOMEM : qc_trie_init(&trie);
    trie_ready = status == QC_OK;
    if (trie_ready)
        trie.direct_after = SIZE_MAX; /* a build-time trie: no direct table */
    for (size_t i = 0; status == QC_OK && i < n_patterns; i++) {
        int32_t node = 0;
        for (size_t k = 0; status == QC_OK && k < patterns[i].len; k++)
            status = qc_trie_add(&trie, node, key_at(m, &patterns[i], k), &node, NULL);
        ends[i] = node;
        m->length[i] = (int32_t)patterns[i].len;
    }
    if (status != QC_OK)
        goto cleanup;
    size_t n = m->n_nodes = qc_trie_nodes(&trie);
    if (n >= INT32_MAX) {
        status = QC_EOVERFLOW;
        goto cleanup;
    }
    m->node = qc_malloc(n + 1, sizeof *m->node);
    renumber = qc_malloc(n, sizeof *renumber);
    if (m->node == NULL || renumber == NULL) {
        status = QC_ENOMEM;
        goto cleanup;
    }
    status = lay_out(m, &trie, renumber);
    if (status != QC_OK)
        goto cleanup;
    for (size_t v = 0; v <= n; v++)
        m->node[v].pattern = -1;
    for (size_t i = n_patterns; i-- > 0;) /* the first occurrence wins */
        m->node[renumber[ends[i]]].pattern = (int32_t)i;
    size_t first_chars = m->node[1].first - m->node[0].first;
    size_t bits = 64;
    while (bits < 16 * first_chars && bits < ((size_t)1 << 21))
        bits *= 2;
    m->root_mask = (uint32_t)(bits - 1);
    m->root_bits = qc_calloc(bits / 64, sizeof *m->root_bits);
    if (m->root_bits == NULL) {
        status = QC_ENOMEM;
        goto cleanup;
    }
    for (uint32_t v = m->node[0].first; v < m->node[1].first; v++) {
        uint32_t c = m->node[v].cp & m->root_mask;
        m->root_bits[c / 64] |= (uint64_t)1 << (c % 64);
    }
    size_t hashed = 0;
    for (size_t u = 0; u < n; u++) {
        uint32_t count = m->node[u + 1].first - m->node[u].first;
        hashed += count > SCAN ? count : 0;
    }
    m->capacity = 16;
    while (m->capacity < 2 * hashed)
        m->capacity *= 2;
    m->edges = qc_malloc(m->capacity, sizeof *m->edges);
    if (m->edges == NULL) {
        status = QC_ENOMEM;
        goto cleanup;
    }
    for (size_t j = 0; j < m->capacity; j++)
        m->edges[j].parent = UINT32_MAX;
    for (size_t u = 0; u < n; u++) {
        if (m->node[u + 1].first - m->node[u].first <= SCAN)
            continue;
        for (uint32_t v = m->node[u].first; v < m->node[u + 1].first; v++) {
            size_t j = edge_slot((uint32_t)u, m->node[v].cp, m->capacity);
            while (m->edges[j].parent != UINT32_MAX)
                j = (j + 1) & (m->capacity - 1);
            m->edges[j] = (ac_edge){(uint32_t)u, m->node[v].cp, (int32_t)v};
        }
    }
    /* failure and output links in breadth-first (record) order: a node's
       links are known before its children's */
    m->node[0].fail = 0;
    m->node[0].output = 0;
    for (size_t u = 0; u < n; u++) {
        for (uint32_t v = m->node[u].first; v < m->node[u + 1].first; v++) {
            int32_t f = 0;
            if (u != 0) {
                uint32_t c = m->node[v].cp;
                int32_t g;
                f = m->node[u].fail;
                while ((g = child(m, f, c)) < 0 && f != 0)
                    f = m->node[f].fail;
                f = g >= 0 ? g : 0;
            }
            m->node[v].fail = f;
            m->node[v].output = m->node[f].pattern >= 0 ? f : m->node[f].output;
        }
    }
cleanup:
    if (trie_ready)
        qc_trie_free(&trie);
    qc_free(ends);
    qc_free(renumber);
    if (status != QC_OK) {
        qc_matcher_free(m);
        return status;
    }
    *out = m;
    return QC_OK;
}

size_t qc_matcher_bytes(const qc_matcher *m)
{
    return sizeof *m + (m->n_nodes + 1) * sizeof *m->node +
           m->n_patterns * sizeof *m->length + ((size_t)m->root_mask + 1) / 8 +
           m->capacity * sizeof *m->edges;
}

size_t qc_matcher_nodes(const qc_matcher *m)
{
    return m->n_nodes;
}

void qc_matches_free(qc_matches *matches)
{
    if (matches == NULL)
        return;
    qc_free(matches->text);
    qc_free(matches->start);
    qc_free(matches->end);
    qc_free(matches->pattern);
    memset(matches, 0, sizeof *matches);
}

static qc_status push(qc_matches *out, size_t text, size_t start, size_t end,
                      int32_t pattern)
{
    if (out->n == out->capacity) {
        size_t capacity = out->capacity ? 2 * out->capacity : 1024;
        int64_t *cols[4] = {qc_malloc(capacity, sizeof(int64_t)),
                            qc_malloc(capacity, sizeof(int64_t)),
                            qc_malloc(capacity, sizeof(int64_t)),
                            qc_malloc(capacity, sizeof(int64_t))};
        int64_t **old[4] = {&out->text, &out->start, &out->end, &out->pattern};
        int ok = cols[0] && cols[1] && cols[2] && cols[3];
        for (int c = 0; c < 4; c++) {
            if (ok && out->n > 0)
                memcpy(cols[c], *old[c], out->n * sizeof(int64_t));
            if (ok) {
                qc_free(*old[c]);
                *old[c] = cols[c];
            } else {
                qc_free(cols[c]);
            }
        }
        if (!ok)
            return QC_ENOMEM;
        out->capacity = capacity;
    }
    out->text[out->n] = (int64_t)text;
    out->start[out->n] = (int64_t)start;
    out->end[out->n] = (int64_t)end;
    out->pattern[out->n] = pattern;
    out->n++;
    return QC_OK;
}

/* The loop of match_overlapping for one string kind and folding choice:
   called with constants, so each combination compiles to its own loop
   without a test per character. */
static inline qc_status overlapping_run(const qc_matcher *m, const void *data, int kind,
                                        int fold, size_t len, size_t t, qc_matches *out)
{
    const ac_node *node = m->node;
    int32_t state = 0;
    for (size_t i = 0; i < len; i++) {
        uint32_t c = kind == 1   ? ((const uint8_t *)data)[i]
                     : kind == 2 ? ((const uint16_t *)data)[i]
                                 : ((const uint32_t *)data)[i];
        if (fold)
            c = qc_fold_latin(c);
        if (state == 0 && !(m->root_bits[(c & m->root_mask) / 64] >> (c & 63) & 1))
            continue; /* no pattern starts with c */
        for (;;) {
            int32_t g = child(m, state, c);
            if (g >= 0) {
                state = g;
                break;
            }
            if (state == 0)
                break;
            state = node[state].fail;
        }
        int32_t hit = node[state].pattern >= 0 ? state : node[state].output;
        for (; hit > 0; hit = node[hit].output) {
            int32_t p = node[hit].pattern;
            qc_status status = push(out, t, i + 1 - (size_t)m->length[p], i + 1, p);
            if (status != QC_OK)
                return status;
        }
    }
    return QC_OK;
}

static qc_status match_overlapping(const qc_matcher *m, const qc_str *s,
                                   size_t t, qc_matches *out)
{
    switch (s->kind * 2 + m->fold) {
    case 2: return overlapping_run(m, s->data, 1, 0, s->len, t, out);
    case 3: return overlapping_run(m, s->data, 1, 1, s->len, t, out);
    case 4: return overlapping_run(m, s->data, 2, 0, s->len, t, out);
    case 5: return overlapping_run(m, s->data, 2, 1, s->len, t, out);
    case 8: return overlapping_run(m, s->data, 4, 0, s->len, t, out);
    default: return overlapping_run(m, s->data, 4, 1, s->len, t, out);
    }
}

static qc_status match_longest(const qc_matcher *m, const qc_str *s, size_t t,
                               qc_matches *out)
{
    size_t i = 0;
    while (i < s->len) {
        int32_t state = 0, best = -1;
        size_t best_end = 0;
        for (size_t j = i; j < s->len; j++) {
            state = child(m, state, key_at(m, s, j));
            if (state < 0)
                break;
            if (m->node[state].pattern >= 0) {
                best = m->node[state].pattern;
                best_end = j + 1;
            }
        }
        if (best < 0) {
            i++;
            continue;
        }
        qc_status status = push(out, t, i, best_end, best);
        if (status != QC_OK)
            return status;
        i = best_end;
    }
    return QC_OK;
}

qc_status qc_match(const qc_matcher *m, const qc_str *texts, size_t n_texts,
                   qc_matchmode mode, qc_matches *out, qc_errinfo *err)
{
    if (m == NULL || out == NULL || (n_texts > 0 && texts == NULL))
        return qc_fail(err, QC_EINVAL, "texts", 0, 0, 0, "is missing");
    if (mode != QC_MATCH_OVERLAPPING && mode != QC_MATCH_LONGEST)
        return qc_fail(err, QC_EINVAL, "mode", 0, (int64_t)mode, 0,
                       "must be QC_MATCH_OVERLAPPING or QC_MATCH_LONGEST");
    for (size_t t = 0; t < n_texts; t++) {
        qc_status status = qc_str_check(&texts[t], "texts", t, err);
        if (status != QC_OK)
            return status;
    }
    for (size_t t = 0; t < n_texts; t++) {
        qc_status status = mode == QC_MATCH_OVERLAPPING
                               ? match_overlapping(m, &texts[t], t, out)
                               : match_longest(m, &texts[t], t, out);
        if (status != QC_OK)
            return status;
    }
    return QC_OK;
}
