#include "qc/acmatch.h"

#include <string.h>

struct qc_matcher {
    qc_trie trie;
    int fold;
    size_t n_nodes;
    /* per node */
    int32_t *fail;    /* longest proper suffix that is a trie node */
    int32_t *output;  /* nearest proper suffix with a pattern, 0 if none */
    int32_t *pattern; /* pattern ending here, -1 if none */
    int32_t *depth;
    /* Most characters of a text start no pattern: bit (c & root_mask) of
       root_bits is set for each first character, so the walk stays at the
       root without a probe for the rest (16 bits per first character). */
    uint64_t *root_bits;
    uint32_t root_mask;
};

void qc_matcher_free(qc_matcher *m)
{
    if (m == NULL)
        return;
    qc_trie_free(&m->trie);
    qc_free(m->fail);
    qc_free(m->output);
    qc_free(m->pattern);
    qc_free(m->depth);
    qc_free(m->root_bits);
    qc_free(m);
}

static inline uint32_t key_at(const qc_matcher *m, const qc_str *s, size_t i)
{
    uint32_t c = qc_str_at(s, i);
    return m->fold ? qc_fold_latin(c) : c;
}

/* Breadth-first order of the nodes: counting sort by depth (a parent has a
   smaller number than its child, so depths fill in one pass). */
static qc_status bfs_order(qc_matcher *m, int32_t **order_out)
{
    size_t n = m->n_nodes;
    int32_t max_depth = 0;
    m->depth[0] = 0;
    for (size_t v = 1; v < n; v++) {
        m->depth[v] = m->depth[m->trie.parent[v]] + 1;
        if (m->depth[v] > max_depth)
            max_depth = m->depth[v];
    }
    size_t *first = qc_calloc((size_t)max_depth + 2, sizeof *first);
    int32_t *order = qc_malloc(n, sizeof *order);
    if (first == NULL || order == NULL) {
        qc_free(first);
        qc_free(order);
        return QC_ENOMEM;
    }
    for (size_t v = 0; v < n; v++)
        first[m->depth[v] + 1]++;
    for (int32_t d = 0; d <= max_depth; d++)
        first[d + 1] += first[d];
    for (size_t v = 0; v < n; v++)
        order[first[m->depth[v]]++] = (int32_t)v;
    qc_free(first);
    *order_out = order;
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
    }
    qc_matcher *m = qc_calloc(1, sizeof *m);
    if (m == NULL)
        return QC_ENOMEM;
    m->fold = fold != 0;
    int32_t *ends = qc_malloc(n_patterns, sizeof *ends);
    int32_t *order = NULL;
    qc_status status = ends == NULL ? QC_ENOMEM : qc_trie_init(&m->trie);
    /* matching memory matters more here than the root's first step */
    m->trie.direct_after = SIZE_MAX;
    for (size_t i = 0; status == QC_OK && i < n_patterns; i++) {
        int32_t node = 0;
        for (size_t k = 0; status == QC_OK && k < patterns[i].len; k++)
            status = qc_trie_add(&m->trie, node, key_at(m, &patterns[i], k), &node, NULL);
        ends[i] = node;
    }
    if (status != QC_OK)
        goto cleanup;
    size_t n = m->n_nodes = qc_trie_nodes(&m->trie);
    m->fail = qc_malloc(n, sizeof *m->fail);
    m->output = qc_malloc(n, sizeof *m->output);
    m->pattern = qc_malloc(n, sizeof *m->pattern);
    m->depth = qc_malloc(n, sizeof *m->depth);
    if (m->fail == NULL || m->output == NULL || m->pattern == NULL || m->depth == NULL) {
        status = QC_ENOMEM;
        goto cleanup;
    }
    for (size_t v = 0; v < n; v++)
        m->pattern[v] = -1;
    for (size_t i = n_patterns; i-- > 0;) /* the first occurrence wins */
        m->pattern[ends[i]] = (int32_t)i;
    status = bfs_order(m, &order);
    if (status != QC_OK)
        goto cleanup;
    size_t first_chars = 0;
    for (size_t v = 1; v < n; v++)
        first_chars += m->trie.parent[v] == 0;
    size_t bits = 64;
    while (bits < 16 * first_chars && bits < ((size_t)1 << 21))
        bits *= 2;
    m->root_mask = (uint32_t)(bits - 1);
    m->root_bits = qc_calloc(bits / 64, sizeof *m->root_bits);
    if (m->root_bits == NULL) {
        status = QC_ENOMEM;
        goto cleanup;
    }
    for (size_t v = 1; v < n; v++) {
        if (m->trie.parent[v] == 0) {
            uint32_t c = m->trie.cp[v] & m->root_mask;
            m->root_bits[c / 64] |= (uint64_t)1 << (c % 64);
        }
    }
    m->fail[0] = 0;
    m->output[0] = 0;
    for (size_t k = 1; k < n; k++) {
        int32_t v = order[k], u = m->trie.parent[v];
        uint32_t c = m->trie.cp[v];
        int32_t f = 0;
        if (u != 0) {
            f = m->fail[u];
            int32_t g;
            while ((g = qc_trie_child(&m->trie, f, c)) < 0 && f != 0)
                f = m->fail[f];
            f = g >= 0 ? g : 0;
        }
        m->fail[v] = f;
        m->output[v] = m->pattern[f] >= 0 ? f : m->output[f];
    }
cleanup:
    qc_free(ends);
    qc_free(order);
    if (status != QC_OK) {
        qc_matcher_free(m);
        return status;
    }
    *out = m;
    return QC_OK;
}

size_t qc_matcher_bytes(const qc_matcher *m)
{
    return sizeof *m + (m->trie.direct ? QC_TRIE_DIRECT * sizeof(int32_t) : 0) +
           m->trie.capacity * sizeof(qc_trie_slot) +
           m->trie.node_capacity * (sizeof(uint64_t) + sizeof(int32_t) + sizeof(uint32_t)) +
           m->n_nodes * 4 * sizeof(int32_t) + ((size_t)m->root_mask + 1) / 8;
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

static qc_status match_overlapping(const qc_matcher *m, const qc_str *s,
                                   size_t t, qc_matches *out)
{
    int32_t state = 0;
    for (size_t i = 0; i < s->len; i++) {
        uint32_t c = key_at(m, s, i);
        if (state == 0 && !(m->root_bits[(c & m->root_mask) / 64] >> (c & 63) & 1))
            continue; /* no pattern starts with c */
        for (;;) {
            int32_t g = qc_trie_child(&m->trie, state, c);
            if (g >= 0) {
                state = g;
                break;
            }
            if (state == 0)
                break;
            state = m->fail[state];
        }
        int32_t hit = m->pattern[state] >= 0 ? state : m->output[state];
        for (; hit > 0; hit = m->output[hit]) {
            qc_status status = push(out, t, i + 1 - (size_t)m->depth[hit], i + 1,
                                    m->pattern[hit]);
            if (status != QC_OK)
                return status;
        }
    }
    return QC_OK;
}

static qc_status match_longest(const qc_matcher *m, const qc_str *s, size_t t,
                               qc_matches *out)
{
    size_t i = 0;
    while (i < s->len) {
        int32_t node = 0, best = -1;
        size_t best_end = 0;
        for (size_t j = i; j < s->len; j++) {
            node = qc_trie_child(&m->trie, node, key_at(m, s, j));
            if (node < 0)
                break;
            if (m->pattern[node] >= 0) {
                best = m->pattern[node];
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
