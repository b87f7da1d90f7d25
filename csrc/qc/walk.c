#include "qc/walk.h"

#include <string.h>

enum { INITIAL_PAIRS = 256, INITIAL_SLOTS = 256, INITIAL_NODES = 256 };

/* places stay below QC_WALK_PAIR */
#define MAX_CAPACITY ((size_t)1 << 30)

static qc_walk_pair *new_pairs(size_t capacity)
{
    qc_walk_pair *pairs = qc_malloc(capacity, sizeof *pairs);
    if (pairs != NULL) {
        for (size_t i = 0; i < capacity; i++)
            pairs[i].key = QC_WALK_NONE;
    }
    return pairs;
}

static qc_walk_slot *new_slots(size_t capacity)
{
    qc_walk_slot *slots = qc_malloc(capacity, sizeof *slots);
    if (slots != NULL) {
        for (size_t i = 0; i < capacity; i++)
            slots[i].parent = QC_WALK_NONE;
    }
    return slots;
}

qc_status qc_walk_init(qc_walk *w)
{
    memset(w, 0, sizeof *w);
    w->first = qc_calloc(QC_WALK_DIRECT, sizeof *w->first);
    w->pairs = new_pairs(INITIAL_PAIRS);
    w->pair_value = qc_malloc(INITIAL_PAIRS, sizeof *w->pair_value);
    w->slots = new_slots(INITIAL_SLOTS);
    w->place = qc_malloc(INITIAL_NODES, sizeof *w->place);
    if (w->first == NULL || w->pairs == NULL || w->pair_value == NULL ||
        w->slots == NULL || w->place == NULL) {
        qc_walk_free(w);
        return QC_ENOMEM;
    }
    w->pair_capacity = INITIAL_PAIRS;
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
    qc_free(w->pairs);
    qc_free(w->pair_value);
    qc_free(w->slots);
    qc_free(w->place);
    memset(w, 0, sizeof *w);
}

uint32_t qc_walk_value(const qc_walk *w, int32_t node)
{
    uint32_t place = w->place[node];
    if (place & QC_WALK_FIRST)
        return w->first[place & 0xFFFFu].value;
    if (place & QC_WALK_PAIR) {
        size_t i = place & ~QC_WALK_PAIR;
        return w->pairs[i].value != QC_WALK_BIG ? w->pairs[i].value : w->pair_value[i];
    }
    return w->slots[place].rec.value;
}

void qc_walk_set_value(qc_walk *w, int32_t node, uint32_t value)
{
    uint32_t place = w->place[node];
    if (place & QC_WALK_FIRST) {
        w->first[place & 0xFFFFu].value = value;
    } else if (place & QC_WALK_PAIR) {
        size_t i = place & ~QC_WALK_PAIR;
        w->pairs[i].value = value < QC_WALK_BIG ? (uint16_t)value : QC_WALK_BIG;
        w->pair_value[i] = value;
    } else {
        w->slots[place].rec.value = value;
    }
}

/* Places node with value in the given tables (with room), marking it in its
   parent's mask. */
static void place_in(qc_walk *w, qc_walk_pair *pairs, uint32_t *pair_value,
                     size_t pair_capacity, qc_walk_slot *slots,
                     size_t slot_capacity, const qc_trie *t, int32_t node,
                     uint32_t value)
{
    uint32_t parent = w->place[t->parent[node]];
    uint32_t cp = t->cp[node];
    uint32_t place;
    if (parent == QC_WALK_ROOT && cp < QC_WALK_DIRECT) {
        w->first[cp].value = value; /* its mask, if any, stays right */
        place = QC_WALK_FIRST | cp;
    } else if (qc_walk_is_pair(parent, cp)) {
        uint32_t key = (parent & 0xFFFFu) << 16 | cp;
        size_t mask = pair_capacity - 1, i = qc_walk_pair_hash(key) & mask;
        while (pairs[i].key != QC_WALK_NONE)
            i = (i + 1) & mask;
        pairs[i] = (qc_walk_pair){key, 0, value < QC_WALK_BIG ? (uint16_t)value : QC_WALK_BIG};
        pair_value[i] = value;
        place = QC_WALK_PAIR | (uint32_t)i;
    } else {
        size_t mask = slot_capacity - 1, i = qc_walk_hash(parent, cp) & mask;
        while (slots[i].parent != QC_WALK_NONE)
            i = (i + 1) & mask;
        slots[i] = (qc_walk_slot){parent, cp, {0, value}};
        place = (uint32_t)i;
    }
    w->place[node] = place;
    if (parent == QC_WALK_ROOT)
        return;
    if (parent & QC_WALK_FIRST)
        w->first[parent & 0xFFFFu].mask |= (uint32_t)1 << (cp & 31);
    else if (parent & QC_WALK_PAIR)
        pairs[parent & ~QC_WALK_PAIR].mask |= (uint16_t)(1u << (cp & 15));
    else
        slots[parent].rec.mask |= (uint32_t)1 << (cp & 31);
}

void qc_walk_place(qc_walk *w, const qc_trie *t, int32_t node)
{
    place_in(w, w->pairs, w->pair_value, w->pair_capacity, w->slots,
             w->slot_capacity, t, node, 0);
    if (w->place[node] & QC_WALK_FIRST)
        return;
    if (w->place[node] & QC_WALK_PAIR)
        w->n_pairs++;
    else
        w->n_slots++;
}

/* The capacity (a power of two from `capacity`) that keeps n entries at
   most num/den full; 0 when it would pass MAX_CAPACITY. */
static size_t fit(size_t capacity, size_t n, size_t num, size_t den)
{
    while (n > capacity / den * num) {
        if (capacity >= MAX_CAPACITY)
            return 0;
        capacity *= 2;
    }
    return capacity;
}

qc_status qc_walk_reserve(qc_walk *w, const qc_trie *t, size_t more)
{
    size_t n_nodes = qc_trie_nodes(t);
    if (more > MAX_CAPACITY || n_nodes > MAX_CAPACITY)
        return QC_EOVERFLOW;
    if (n_nodes + more > w->node_capacity) {
        size_t capacity = 2 * w->node_capacity > n_nodes + more ? 2 * w->node_capacity
                                                                : n_nodes + more;
        uint32_t *place = qc_malloc(capacity, sizeof *place);
        if (place == NULL)
            return QC_ENOMEM;
        memcpy(place, w->place, n_nodes * sizeof *place);
        qc_free(w->place);
        w->place = place;
        w->node_capacity = capacity;
    }
    /* new nodes may land in either table */
    size_t pair_capacity = fit(w->pair_capacity, w->n_pairs + more, 3, 4);
    size_t slot_capacity = fit(w->slot_capacity, w->n_slots + more, 1, 2);
    if (pair_capacity == 0 || slot_capacity == 0)
        return QC_EOVERFLOW;
    if (pair_capacity == w->pair_capacity && slot_capacity == w->slot_capacity)
        return QC_OK;
    qc_walk_pair *pairs = new_pairs(pair_capacity);
    uint32_t *pair_value = qc_malloc(pair_capacity, sizeof *pair_value);
    qc_walk_slot *slots = new_slots(slot_capacity);
    if (pairs == NULL || pair_value == NULL || slots == NULL) {
        qc_free(pairs);
        qc_free(pair_value);
        qc_free(slots);
        return QC_ENOMEM;
    }
    /* Parents come before their children in node order: when a node moves,
       its parent has its new place and its own place is still the old one
       (its value is read there). */
    for (size_t node = 1; node < n_nodes; node++) {
        uint32_t value = qc_walk_value(w, (int32_t)node);
        place_in(w, pairs, pair_value, pair_capacity, slots, slot_capacity, t,
                 (int32_t)node, value);
    }
    qc_free(w->pairs);
    qc_free(w->pair_value);
    qc_free(w->slots);
    w->pairs = pairs;
    w->pair_value = pair_value;
    w->pair_capacity = pair_capacity;
    w->slots = slots;
    w->slot_capacity = slot_capacity;
    return QC_OK;
}
