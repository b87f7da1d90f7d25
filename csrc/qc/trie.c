/*
 * The code-point trie and string interning of qc/trie.h. Edges live in one
 * open-addressing table keyed by (node, code point) instead of per-node
 * child lists, so a trie of half a million nodes costs a few arrays and no
 * allocation per node; the root's children move to a direct table once
 * there are many, since every walk starts there. The interning table keeps
 * its strings in one buffer of code points, ready for export.
 */
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

/* Room for one more node in the per-node arrays. */
static qc_status grow_nodes(qc_trie *t)
{
    qc_growable arrays[] = {{&t->mask, sizeof *t->mask},
                            {&t->parent, sizeof *t->parent},
                            {&t->cp, sizeof *t->cp}};
    return qc_grow(&t->node_capacity, t->n_nodes + 1, arrays, 3);
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
    v->id_capacity = 64;
    v->char_capacity = 256;
    v->capacity = 128;
    v->chars = qc_malloc(v->char_capacity, sizeof *v->chars);
    v->offsets = qc_malloc(v->id_capacity + 1, sizeof *v->offsets);
    v->slots = qc_calloc(v->capacity, sizeof *v->slots);
    if (v->chars == NULL || v->offsets == NULL || v->slots == NULL) {
        qc_vocab_free(v);
        return QC_ENOMEM;
    }
    v->offsets[0] = 0;
    return QC_OK;
}

void qc_vocab_free(qc_vocab *v)
{
    if (v == NULL)
        return;
    qc_free(v->chars);
    qc_free(v->offsets);
    qc_free(v->slots);
    memset(v, 0, sizeof *v);
}

#define LONG_KEY UINT64_MAX

/* s[start:end) packed as (cp + 1) in 21 bits each when it has at most three
   code points (0 for the empty string), else LONG_KEY. */
static uint64_t short_key(const qc_str *s, size_t start, size_t end)
{
    if (end - start > 3)
        return LONG_KEY;
    uint64_t key = 0;
    for (size_t i = start; i < end; i++)
        key = key << 21 | ((uint64_t)qc_str_at(s, i) + 1);
    return key;
}

static uint32_t string_hash(const qc_str *s, size_t start, size_t end, uint64_t key)
{
    uint64_t h = 0x9E3779B97F4A7C15ull ^ (end - start);
    if (key != LONG_KEY)
        h ^= key * 0xBF58476D1CE4E5B9ull;
    else
        for (size_t i = start; i < end; i++)
            h = (h ^ qc_str_at(s, i)) * 0xBF58476D1CE4E5B9ull;
    return (uint32_t)(h >> 32 ^ h);
}

/* The slot holding s[start:end) (key and hash h), or the empty slot where it
   would go. */
static size_t vocab_slot(const qc_vocab *v, const qc_str *s, size_t start,
                         size_t end, uint64_t key, uint32_t h)
{
    size_t mask = v->capacity - 1, j = h & mask, len = end - start;
    for (;; j = (j + 1) & mask) {
        const qc_vocab_slot *slot = &v->slots[j];
        if (slot->id1 == 0)
            return j;
        if (slot->hash != h || slot->key != key)
            continue;
        if (key != LONG_KEY)
            return j;
        int32_t id = slot->id1 - 1;
        if ((size_t)(v->offsets[id + 1] - v->offsets[id]) != len)
            continue;
        const uint32_t *chars = v->chars + v->offsets[id];
        size_t i = 0;
        while (i < len && chars[i] == qc_str_at(s, start + i))
            i++;
        if (i == len)
            return j;
    }
}

/* Room for one more id in offsets and a table at most half full after it. */
static qc_status reserve_id(qc_vocab *v)
{
    if (v->n_ids == v->id_capacity) {
        size_t entries = v->id_capacity + 1; /* an offset more than ids */
        qc_status status = qc_grow(&entries, v->n_ids + 2,
                                   &(qc_growable){&v->offsets, sizeof *v->offsets}, 1);
        if (status != QC_OK)
            return status;
        v->id_capacity = entries - 1;
    }
    if (2 * (v->n_ids + 1) > v->capacity) {
        size_t cap = 2 * v->capacity, mask = cap - 1;
        qc_vocab_slot *slots = qc_calloc(cap, sizeof *slots);
        if (slots == NULL)
            return QC_ENOMEM;
        for (size_t j = 0; j < v->capacity; j++) {
            if (v->slots[j].id1 == 0)
                continue;
            size_t k = v->slots[j].hash & mask;
            while (slots[k].id1 != 0)
                k = (k + 1) & mask;
            slots[k] = v->slots[j];
        }
        qc_free(v->slots);
        v->slots = slots;
        v->capacity = cap;
    }
    return QC_OK;
}

qc_status qc_vocab_intern(qc_vocab *v, const qc_str *s, size_t start,
                          size_t end, int32_t *id)
{
    uint64_t key = short_key(s, start, end);
    uint32_t h = string_hash(s, start, end, key);
    size_t j = vocab_slot(v, s, start, end, key, h);
    if (v->slots[j].id1 != 0) {
        *id = v->slots[j].id1 - 1;
        return QC_OK;
    }
    if (v->n_ids >= (size_t)INT32_MAX - 1)
        return QC_EOVERFLOW;
    size_t len = end - start;
    qc_status status = reserve_id(v);
    if (status == QC_OK)
        status = qc_grow(&v->char_capacity, v->n_chars + len,
                         &(qc_growable){&v->chars, sizeof *v->chars}, 1);
    if (status != QC_OK)
        return status;
    for (size_t i = 0; i < len; i++)
        v->chars[v->n_chars + i] = qc_str_at(s, start + i);
    v->n_chars += len;
    j = vocab_slot(v, s, start, end, key, h); /* the table may have grown */
    *id = (int32_t)v->n_ids;
    v->offsets[++v->n_ids] = (int64_t)v->n_chars;
    v->slots[j] = (qc_vocab_slot){key, h, *id + 1};
    return QC_OK;
}

int32_t qc_vocab_find(const qc_vocab *v, const qc_str *s, size_t start,
                      size_t end)
{
    uint64_t key = short_key(s, start, end);
    return v->slots[vocab_slot(v, s, start, end, key, string_hash(s, start, end, key))].id1 - 1;
}

size_t qc_vocab_length(const qc_vocab *v, int32_t id)
{
    return (size_t)(v->offsets[id + 1] - v->offsets[id]);
}

void qc_vocab_string(const qc_vocab *v, int32_t id, uint32_t *out)
{
    memcpy(out, v->chars + v->offsets[id], qc_vocab_length(v, id) * sizeof *out);
}

qc_status qc_vocab_export(const qc_vocab *v, uint32_t **text,
                          int64_t **offsets)
{
    *offsets = qc_malloc(v->n_ids + 1, sizeof **offsets);
    *text = qc_malloc(v->n_chars, sizeof **text);
    if (*offsets == NULL || *text == NULL) {
        qc_free(*offsets);
        qc_free(*text);
        *offsets = NULL;
        *text = NULL;
        return QC_ENOMEM;
    }
    memcpy(*offsets, v->offsets, (v->n_ids + 1) * sizeof **offsets);
    memcpy(*text, v->chars, v->n_chars * sizeof **text);
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
