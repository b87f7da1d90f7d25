/*
 * The walk mirror of a trie (qc/walk.h): placing nodes and sizing its
 * tables. A table that would pass its load is rebuilt whole rather than
 * grown in place (a level's keys are its parents' indexes, so rebuilding
 * one level moves the levels below it too), and room is reserved ahead of
 * a batch of words, so that a dictionary load rebuilds once rather than at
 * every doubling.
 */
#include "qc/walk.h"

#include <string.h>

enum { INITIAL_LEVEL = 256, INITIAL_SLOTS = 256, INITIAL_NODES = 256 };

/* indexes fit below the kind bits */
#define MAX_CAPACITY ((size_t)QC_WALK_INDEX + 1)

static qc_walk_slot *new_slots(size_t capacity)
{
    qc_walk_slot *slots = qc_malloc(capacity, sizeof *slots);
    if (slots != NULL) {
        for (size_t i = 0; i < capacity; i++)
            slots[i].parent = QC_WALK_NONE;
    }
    return slots;
}

static void free_level(qc_walk_level *l)
{
    qc_free(l->slots);
    qc_free(l->big);
    qc_free(l->bloom);
    memset(l, 0, sizeof *l);
}

static qc_status new_level(qc_walk_level *l, size_t capacity)
{
    l->slots = qc_calloc(capacity, sizeof *l->slots);
    l->big = qc_malloc(capacity, sizeof *l->big);
    l->bloom = qc_calloc(capacity / 8, sizeof *l->bloom);
    l->capacity = capacity;
    l->n = 0;
    if (l->slots == NULL || l->big == NULL || l->bloom == NULL) {
        free_level(l);
        return QC_ENOMEM;
    }
    return QC_OK;
}

qc_status qc_walk_init(qc_walk *w)
{
    memset(w, 0, sizeof *w);
    w->first = qc_calloc(QC_WALK_DIRECT, sizeof *w->first);
    w->slots = new_slots(INITIAL_SLOTS);
    w->place = qc_malloc(INITIAL_NODES, sizeof *w->place);
    int ok = w->first != NULL && w->slots != NULL && w->place != NULL;
    for (int i = 0; ok && i < QC_WALK_LEVELS; i++)
        ok = new_level(&w->level[i], INITIAL_LEVEL) == QC_OK;
    if (!ok) {
        qc_walk_free(w);
        return QC_ENOMEM;
    }
    w->slot_capacity = INITIAL_SLOTS;
    w->node_capacity = INITIAL_NODES;
    w->place[0] = QC_WALK_ROOT;
    return QC_OK;
}

void qc_walk_free(qc_walk *w)
{
    if (w == NULL)
        return;
    qc_free(w->first);
    for (int i = 0; i < QC_WALK_LEVELS; i++)
        free_level(&w->level[i]);
    qc_free(w->slots);
    qc_free(w->place);
    memset(w, 0, sizeof *w);
}

static uint32_t level_value(const qc_walk_level *l, size_t i)
{
    uint32_t value = (uint32_t)(l->slots[i] & 0xFFFF);
    return value != QC_WALK_BIG ? value : l->big[i];
}

static void set_level_value(qc_walk_level *l, size_t i, uint32_t value)
{
    uint64_t small = value < QC_WALK_BIG ? value : QC_WALK_BIG;
    l->slots[i] = (l->slots[i] & ~(uint64_t)0xFFFF) | small;
    l->big[i] = value;
}

uint32_t qc_walk_value(const qc_walk *w, int32_t node)
{
    uint32_t place = w->place[node], kind = place >> 29, index = place & QC_WALK_INDEX;
    if (kind == QC_WALK_KIND_FIRST)
        return w->first[index].value;
    if (kind >= QC_WALK_KIND_LEVEL)
        return level_value(&w->level[kind - QC_WALK_KIND_LEVEL], index);
    return w->slots[index].rec.value;
}

void qc_walk_set_value(qc_walk *w, int32_t node, uint32_t value)
{
    uint32_t place = w->place[node], kind = place >> 29, index = place & QC_WALK_INDEX;
    if (kind == QC_WALK_KIND_FIRST)
        w->first[index].value = value;
    else if (kind >= QC_WALK_KIND_LEVEL)
        set_level_value(&w->level[kind - QC_WALK_KIND_LEVEL], index, value);
    else
        w->slots[index].rec.value = value;
}

/* Places node with value in w's tables (with room), marking it in its
   parent's mask. */
static void place_in(qc_walk *w, const qc_trie *t, int32_t node, uint32_t value)
{
    uint32_t parent = w->place[t->parent[node]];
    uint32_t cp = t->cp[node];
    uint32_t place;
    uint64_t key;
    int level;
    if (parent == QC_WALK_ROOT && cp < QC_WALK_DIRECT) {
        w->first[cp].value = value; /* its mask, if any, stays right */
        place = QC_WALK_KIND_FIRST << 29 | cp;
    } else if (parent != QC_WALK_ROOT && (level = qc_walk_level_of(parent, cp, &key)) >= 0) {
        qc_walk_level *l = &w->level[level];
        size_t mask = l->capacity - 1, i = qc_walk_key_hash(key) & mask;
        while (l->slots[i] != 0)
            i = (i + 1) & mask;
        l->slots[i] = key << 24;
        set_level_value(l, i, value);
        size_t word;
        uint64_t bits = qc_walk_bloom_bits(l, key, &word);
        l->bloom[word] |= bits;
        l->n++;
        place = (QC_WALK_KIND_LEVEL + (uint32_t)level) << 29 | (uint32_t)i;
    } else {
        size_t mask = w->slot_capacity - 1, i = qc_walk_hash(parent, cp) & mask;
        while (w->slots[i].parent != QC_WALK_NONE)
            i = (i + 1) & mask;
        w->slots[i] = (qc_walk_slot){parent, cp, {0, value}};
        w->n_slots++;
        place = (uint32_t)i;
    }
    w->place[node] = place;
    if (parent == QC_WALK_ROOT)
        return;
    uint32_t kind = parent >> 29, index = parent & QC_WALK_INDEX;
    if (kind == QC_WALK_KIND_FIRST)
        w->first[index].mask |= (uint32_t)1 << (cp & 31);
    else if (kind >= QC_WALK_KIND_LEVEL)
        w->level[kind - QC_WALK_KIND_LEVEL].slots[index] |= (uint64_t)1 << (16 + (cp & 7));
    else
        w->slots[index].rec.mask |= (uint32_t)1 << (cp & 31);
}

void qc_walk_place(qc_walk *w, const qc_trie *t, int32_t node)
{
    place_in(w, t, node, 0);
}

/* The capacity (a power of two from `from`) that keeps n entries at most
   num/den full; 0 when it would pass MAX_CAPACITY. */
static size_t fit(size_t from, size_t n, size_t num, size_t den)
{
    size_t capacity = from;
    while (n > capacity / den * num) {
        if (capacity >= MAX_CAPACITY)
            return 0;
        capacity *= 2;
    }
    return capacity;
}

/* Rebuilds the tables whose capacity[] differs from w's, and those below
   them: a level's keys are its parents' indexes in the level above, and the
   slot table's are places anywhere. Errors: QC_ENOMEM (w unchanged). */
static qc_status rebuild(qc_walk *w, const qc_trie *t, const size_t *capacity)
{
    int from = QC_WALK_LEVELS + 1; /* the first table rebuilt; the slots last */
    for (int i = QC_WALK_LEVELS - 1; i >= 0; i--) {
        if (capacity[i] != w->level[i].capacity)
            from = i;
    }
    if (from > QC_WALK_LEVELS && capacity[QC_WALK_LEVELS] != w->slot_capacity)
        from = QC_WALK_LEVELS;
    if (from > QC_WALK_LEVELS)
        return QC_OK;
    /* the new tables, in a copy of w that takes over on success */
    qc_walk grown = *w;
    qc_status status = QC_OK;
    for (int i = from; i < QC_WALK_LEVELS; i++)
        grown.level[i] = (qc_walk_level){0};
    for (int i = from; i < QC_WALK_LEVELS && status == QC_OK; i++)
        status = new_level(&grown.level[i], capacity[i]);
    grown.slots = status == QC_OK ? new_slots(capacity[QC_WALK_LEVELS]) : NULL;
    grown.slot_capacity = capacity[QC_WALK_LEVELS];
    grown.n_slots = 0;
    if (grown.slots == NULL) {
        for (int i = from; i < QC_WALK_LEVELS; i++)
            free_level(&grown.level[i]);
        return QC_ENOMEM;
    }
    /* Parents come before their children in node order: when a node moves,
       its parent has its new place and its own place is still the old one
       (its value is read there). grown.place is w->place. */
    for (size_t node = 1; node < qc_trie_nodes(t); node++) {
        uint32_t kind = w->place[node] >> 29;
        if (kind == QC_WALK_KIND_SLOT ||
            (kind >= QC_WALK_KIND_LEVEL && (int)(kind - QC_WALK_KIND_LEVEL) >= from))
            place_in(&grown, t, (int32_t)node, qc_walk_value(w, (int32_t)node));
    }
    for (int i = from; i < QC_WALK_LEVELS; i++)
        free_level(&w->level[i]);
    qc_free(w->slots);
    *w = grown;
    return QC_OK;
}

qc_status qc_walk_reserve(qc_walk *w, const qc_trie *t, size_t words, size_t nodes)
{
    size_t n_nodes = qc_trie_nodes(t);
    if (words > MAX_CAPACITY || nodes > MAX_CAPACITY || n_nodes > MAX_CAPACITY)
        return QC_EOVERFLOW;
    qc_status status = qc_grow(&w->node_capacity, n_nodes + nodes,
                               &(qc_growable){&w->place, sizeof *w->place}, 1);
    if (status != QC_OK)
        return status;
    /* a string adds at most one node to each level */
    size_t capacity[QC_WALK_LEVELS + 1];
    for (int i = 0; i < QC_WALK_LEVELS; i++)
        capacity[i] = fit(w->level[i].capacity, w->level[i].n + words, 3, 4);
    capacity[QC_WALK_LEVELS] = fit(w->slot_capacity, w->n_slots + nodes, 1, 2);
    for (int i = 0; i <= QC_WALK_LEVELS; i++) {
        if (capacity[i] == 0)
            return QC_EOVERFLOW;
    }
    return rebuild(w, t, capacity);
}

qc_status qc_walk_fit(qc_walk *w, const qc_trie *t)
{
    size_t capacity[QC_WALK_LEVELS + 1];
    for (int i = 0; i < QC_WALK_LEVELS; i++)
        capacity[i] = fit(INITIAL_LEVEL, w->level[i].n, 3, 4);
    capacity[QC_WALK_LEVELS] = fit(INITIAL_SLOTS, w->n_slots, 1, 2);
    return rebuild(w, t, capacity);
}
