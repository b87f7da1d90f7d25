#include "qc/trie.h"

#include <string.h>

enum { INITIAL_SLOTS = 1024, INITIAL_NODES = 256 };

static qc_trie_slot *new_slots(size_t capacity)
{
    qc_trie_slot *slots = qc_malloc(capacity, sizeof *slots);
    if (slots != NULL) {
        for (size_t i = 0; i < capacity; i++)
            slots[i].node = UINT32_MAX;
    }
    return slots;
}

qc_status qc_trie_init(qc_trie *t)
{
    memset(t, 0, sizeof *t);
    t->slots = new_slots(INITIAL_SLOTS);
    t->mask = qc_malloc(INITIAL_NODES, sizeof *t->mask);
    t->parent = qc_malloc(INITIAL_NODES, sizeof *t->parent);
    t->cp = qc_malloc(INITIAL_NODES, sizeof *t->cp);
    if (t->slots == NULL || t->mask == NULL ||
        t->parent == NULL || t->cp == NULL) {
        qc_trie_free(t);
        return QC_ENOMEM;
    }
    t->capacity = INITIAL_SLOTS;
    t->direct_after = QC_TRIE_DIRECT_AFTER;
    t->node_capacity = INITIAL_NODES;
    t->mask[0] = 0;
    t->parent[0] = -1;
    t->cp[0] = 0;
    t->n_nodes = 1;
    return QC_OK;
}

void qc_trie_free(qc_trie *t)
{
    if (t == NULL)
        return;
    qc_free(t->direct);
    qc_free(t->slots);
    qc_free(t->mask);
    qc_free(t->parent);
    qc_free(t->cp);
    memset(t, 0, sizeof *t);
}

/* Rebuilds the hash table with the given capacity, leaving out the edges
   the direct table holds; a load of at most one half keeps probes short. */
static qc_status rehash(qc_trie *t, size_t capacity)
{
    qc_trie_slot *slots = new_slots(capacity);
    if (slots == NULL)
        return QC_ENOMEM;
    t->used = 0;
    for (size_t i = 0; i < t->capacity; i++) {
        const qc_trie_slot *s = &t->slots[i];
        if (s->node == UINT32_MAX)
            continue;
        if (t->direct != NULL && s->node == 0 && s->cp < QC_TRIE_DIRECT) {
            t->direct[s->cp] = s->child;
            continue;
        }
        t->used++;
        size_t j = qc_trie_hash(s->node, s->cp) & (capacity - 1);
        while (slots[j].node != UINT32_MAX)
            j = (j + 1) & (capacity - 1);
        slots[j] = *s;
    }
    qc_free(t->slots);
    t->slots = slots;
    t->capacity = capacity;
    return QC_OK;
}

/* Moves the root's edges to a direct table once the root is busy. */
static qc_status make_direct(qc_trie *t)
{
    t->direct = qc_malloc(QC_TRIE_DIRECT, sizeof *t->direct);
    if (t->direct == NULL)
        return QC_ENOMEM;
    memset(t->direct, 0xFF, QC_TRIE_DIRECT * sizeof *t->direct);
    if (rehash(t, t->capacity) != QC_OK) {
        qc_free(t->direct);
        t->direct = NULL;
        return QC_ENOMEM;
    }
    return QC_OK;
}

static qc_status grow_nodes(qc_trie *t)
{
    size_t capacity = t->node_capacity * 2;
    uint64_t *mask = qc_malloc(capacity, sizeof *mask);
    int32_t *parent = qc_malloc(capacity, sizeof *parent);
    uint32_t *cp = qc_malloc(capacity, sizeof *cp);
    if (mask == NULL || parent == NULL || cp == NULL) {
        qc_free(mask);
        qc_free(parent);
        qc_free(cp);
        return QC_ENOMEM;
    }
    memcpy(mask, t->mask, t->n_nodes * sizeof *mask);
    memcpy(parent, t->parent, t->n_nodes * sizeof *parent);
    memcpy(cp, t->cp, t->n_nodes * sizeof *cp);
    qc_free(t->mask);
    qc_free(t->parent);
    qc_free(t->cp);
    t->mask = mask;
    t->parent = parent;
    t->cp = cp;
    t->node_capacity = capacity;
    return QC_OK;
}

qc_status qc_trie_add(qc_trie *t, int32_t node, uint32_t cp, int32_t *child,
                      int *created)
{
    if (created != NULL)
        *created = 0;
    int32_t found = qc_trie_child(t, node, cp);
    if (found >= 0) {
        *child = found;
        return QC_OK;
    }
    if (t->n_nodes >= (size_t)INT32_MAX)
        return QC_EOVERFLOW;
    if (node == 0 && t->direct == NULL && t->root_children >= t->direct_after &&
        make_direct(t) != QC_OK)
        return QC_ENOMEM;
    int direct = node == 0 && cp < QC_TRIE_DIRECT && t->direct != NULL;
    if (!direct && 2 * (t->used + 1) > t->capacity && rehash(t, 2 * t->capacity) != QC_OK)
        return QC_ENOMEM;
    if (t->n_nodes == t->node_capacity && grow_nodes(t) != QC_OK)
        return QC_ENOMEM;
    int32_t id = (int32_t)t->n_nodes++;
    if (node == 0)
        t->root_children++;
    t->mask[id] = 0;
    t->mask[node] |= (uint64_t)1 << (cp & 63);
    t->parent[id] = node;
    t->cp[id] = cp;
    if (direct) {
        t->direct[cp] = id;
    } else {
        size_t mask = t->capacity - 1;
        size_t i = qc_trie_hash((uint32_t)node, cp) & mask;
        while (t->slots[i].node != UINT32_MAX)
            i = (i + 1) & mask;
        t->slots[i] = (qc_trie_slot){(uint32_t)node, cp, id};
        t->used++;
    }
    *child = id;
    if (created != NULL)
        *created = 1;
    return QC_OK;
}

int32_t qc_trie_find(const qc_trie *t, const qc_str *s, size_t start,
                     size_t end)
{
    int32_t node = 0;
    for (size_t i = start; i < end && node >= 0; i++)
        node = qc_trie_child(t, node, qc_str_at(s, i));
    return node;
}

qc_status qc_trie_insert(qc_trie *t, const qc_str *s, size_t start,
                         size_t end, int32_t *node)
{
    int32_t at = 0;
    for (size_t i = start; i < end; i++) {
        qc_status status = qc_trie_add(t, at, qc_str_at(s, i), &at, NULL);
        if (status != QC_OK)
            return status;
    }
    *node = at;
    return QC_OK;
}

size_t qc_trie_depth(const qc_trie *t, int32_t node)
{
    size_t depth = 0;
    for (; node > 0; node = t->parent[node])
        depth++;
    return depth;
}

void qc_trie_string(const qc_trie *t, int32_t node, uint32_t *out)
{
    size_t i = qc_trie_depth(t, node);
    for (; node > 0; node = t->parent[node])
        out[--i] = t->cp[node];
}

/* -- interning ------------------------------------------------------------ */

qc_status qc_vocab_init(qc_vocab *v)
{
    memset(v, 0, sizeof *v);
    qc_status status = qc_trie_init(&v->trie);
    if (status != QC_OK)
        return status;
    v->node_capacity = 64;
    v->id_capacity = 64;
    v->id_of_node = qc_malloc(v->node_capacity, sizeof *v->id_of_node);
    v->node_of_id = qc_malloc(v->id_capacity, sizeof *v->node_of_id);
    if (v->id_of_node == NULL || v->node_of_id == NULL) {
        qc_vocab_free(v);
        return QC_ENOMEM;
    }
    for (size_t i = 0; i < v->node_capacity; i++)
        v->id_of_node[i] = -1;
    return QC_OK;
}

void qc_vocab_free(qc_vocab *v)
{
    if (v == NULL)
        return;
    qc_trie_free(&v->trie);
    qc_free(v->id_of_node);
    qc_free(v->node_of_id);
    memset(v, 0, sizeof *v);
}

/* Makes room in id_of_node for one more trie node before it is created,
   so a failure never leaves a node without its entry. */
static qc_status reserve_node(qc_vocab *v)
{
    if (v->trie.n_nodes < v->node_capacity)
        return QC_OK;
    size_t capacity = 2 * v->node_capacity;
    int32_t *ids = qc_malloc(capacity, sizeof *ids);
    if (ids == NULL)
        return QC_ENOMEM;
    memcpy(ids, v->id_of_node, v->node_capacity * sizeof *ids);
    for (size_t i = v->node_capacity; i < capacity; i++)
        ids[i] = -1;
    qc_free(v->id_of_node);
    v->id_of_node = ids;
    v->node_capacity = capacity;
    return QC_OK;
}

qc_status qc_vocab_intern(qc_vocab *v, const qc_str *s, size_t start,
                          size_t end, int32_t *id)
{
    int32_t node = 0;
    qc_status status = QC_OK;
    for (size_t i = start; i < end; i++) {
        status = reserve_node(v);
        if (status == QC_OK)
            status = qc_trie_add(&v->trie, node, qc_str_at(s, i), &node, NULL);
        if (status != QC_OK)
            return status;
    }
    if (v->id_of_node[node] >= 0) {
        *id = v->id_of_node[node];
        return QC_OK;
    }
    if (v->n_ids == v->id_capacity) {
        int32_t *grown = qc_malloc(2 * v->id_capacity, sizeof *grown);
        if (grown == NULL)
            return QC_ENOMEM;
        memcpy(grown, v->node_of_id, v->n_ids * sizeof *grown);
        qc_free(v->node_of_id);
        v->node_of_id = grown;
        v->id_capacity *= 2;
    }
    *id = (int32_t)v->n_ids;
    v->node_of_id[v->n_ids++] = node;
    v->id_of_node[node] = *id;
    return QC_OK;
}

int32_t qc_vocab_find(const qc_vocab *v, const qc_str *s, size_t start,
                      size_t end)
{
    int32_t node = qc_trie_find(&v->trie, s, start, end);
    return node < 0 ? -1 : v->id_of_node[node];
}

size_t qc_vocab_length(const qc_vocab *v, int32_t id)
{
    return qc_trie_depth(&v->trie, v->node_of_id[id]);
}

void qc_vocab_string(const qc_vocab *v, int32_t id, uint32_t *out)
{
    qc_trie_string(&v->trie, v->node_of_id[id], out);
}

qc_status qc_vocab_export(const qc_vocab *v, uint32_t **text,
                          int64_t **offsets)
{
    *text = NULL;
    *offsets = qc_malloc(v->n_ids + 1, sizeof **offsets);
    if (*offsets == NULL)
        return QC_ENOMEM;
    int64_t total = 0;
    (*offsets)[0] = 0;
    for (size_t i = 0; i < v->n_ids; i++) {
        total += (int64_t)qc_vocab_length(v, (int32_t)i);
        (*offsets)[i + 1] = total;
    }
    *text = qc_malloc((size_t)total, sizeof **text);
    if (*text == NULL) {
        qc_free(*offsets);
        *offsets = NULL;
        return QC_ENOMEM;
    }
    for (size_t i = 0; i < v->n_ids; i++)
        qc_vocab_string(v, (int32_t)i, *text + (*offsets)[i]);
    return QC_OK;
}

qc_status qc_vocab_intern_spans(qc_vocab *v, const qc_str *texts,
                                size_t n_texts, const int64_t *indptr,
                                const int64_t *start, const int64_t *end,
                                size_t n_spans, int64_t *ids, qc_errinfo *err)
{
    qc_status status = qc_check_indptr(indptr, n_texts, n_spans, "indptr", err);
    if (status != QC_OK)
        return status;
    for (size_t t = 0; t < n_texts; t++) {
        const qc_str *text = &texts[t];
        for (int64_t k = indptr[t]; k < indptr[t + 1]; k++) {
            if (start[k] < 0 || start[k] > end[k] || (uint64_t)end[k] > text->len)
                return qc_fail(err, QC_EINDEX, "end", (size_t)k, end[k],
                               (int64_t)text->len,
                               "spans must lie within their text");
            int32_t id;
            status = qc_vocab_intern(v, text, (size_t)start[k], (size_t)end[k], &id);
            if (status != QC_OK)
                return status;
            ids[k] = id;
        }
    }
    return QC_OK;
}
