/*
 * qc/walk.h: a read-only mirror of a qc_trie laid out for walks that read
 * one small value per node (the segmenter's route).
 *
 * Such a walk spends its time waiting for memory: a trie of a large
 * dictionary (jieba's has half a million nodes) does not fit in cache, and
 * each step of a walk needs the child's record before the next step can
 * start. The mirror keeps, per node, a value (an index the caller gives,
 * 0 for "none") and a children mask (bit cp & 31 per child, so most missing
 * children are ruled out without a probe), and places the record where the
 * step's probe lands, so a step costs one cache line:
 *
 * - nodes one code point long (below U+10000) in a direct table indexed by
 *   the code point: every walk starts there;
 * - nodes two code points long (both below U+10000) in a compact table of
 *   8-byte slots keyed by the pair (a 16-bit mask; values from 0xFFFF on
 *   kept aside): the level most walks reach, small enough to stay in cache;
 * - the others in an open-addressing table of 16-byte slots keyed by the
 *   parent's place and the code point.
 *
 * A node's place (what its children are keyed by) is QC_WALK_FIRST | cp,
 * QC_WALK_PAIR | slot or a slot; the root is QC_WALK_ROOT. The trie keeps
 * the node numbering; place[node] says where each node sits. The owner
 * mirrors every node it adds to the trie (qc_walk_reserve before, then
 * qc_walk_place for each new node in order) and every value it changes.
 *
 * Not thread-safe for writers; any number of readers may walk a mirror that
 * no one modifies.
 */
#ifndef QC_WALK_H
#define QC_WALK_H

#include "qc/trie.h"

#ifdef __cplusplus
extern "C" {
#endif

#define QC_WALK_DIRECT 0x10000u
#define QC_WALK_NONE UINT32_MAX
#define QC_WALK_ROOT (UINT32_MAX - 1)
#define QC_WALK_FIRST 0x80000000u
#define QC_WALK_PAIR 0x40000000u
#define QC_WALK_BIG 0xFFFFu /* a pair's value kept in pair_value */

typedef struct {
    uint32_t mask;  /* bit cp & 31 per child */
    uint32_t value; /* 0: none */
} qc_walk_rec;

typedef struct {
    uint32_t parent; /* the parent's place; QC_WALK_NONE when empty */
    uint32_t cp;
    qc_walk_rec rec;
} qc_walk_slot;

typedef struct {
    uint32_t key;   /* first << 16 | second; QC_WALK_NONE when empty (so
                       U+FFFF U+FFFF goes to the slots) */
    uint16_t mask;  /* bit cp & 15 per child */
    uint16_t value; /* QC_WALK_BIG: see pair_value */
} qc_walk_pair;

typedef struct {
    qc_walk_rec *first;   /* QC_WALK_DIRECT records */
    qc_walk_pair *pairs;  /* capacity a power of two, at most 3/4 full */
    uint32_t *pair_value; /* per pair slot */
    size_t pair_capacity, n_pairs;
    qc_walk_slot *slots;  /* capacity a power of two, at most half full */
    size_t slot_capacity, n_slots;
    uint32_t *place;      /* per trie node */
    size_t node_capacity;
} qc_walk;

/* A mirror of a trie that holds only its root. Errors: QC_ENOMEM (w then
   holds nothing to free, but qc_walk_free is safe). */
qc_status qc_walk_init(qc_walk *w);

/* Releases what w owns; safe on a zeroed or already freed mirror. */
void qc_walk_free(qc_walk *w);

/*
 * Room for `more` nodes beyond the trie's current ones, every node of t
 * being placed: the tables are rebuilt larger (values kept) when they would
 * get too full. Errors: QC_ENOMEM, QC_EOVERFLOW (more than 2^29 nodes in a
 * table); w is unchanged on error. O(nodes) when it rebuilds.
 */
qc_status qc_walk_reserve(qc_walk *w, const qc_trie *t, size_t more);

/* Places node of t (its parent placed, room reserved) with value 0. */
void qc_walk_place(qc_walk *w, const qc_trie *t, int32_t node);

/* The value of a placed node, and setting it. */
uint32_t qc_walk_value(const qc_walk *w, int32_t node);
void qc_walk_set_value(qc_walk *w, int32_t node, uint32_t value);

static inline uint32_t qc_walk_hash(uint32_t parent, uint32_t cp)
{
    return qc_trie_hash(parent, cp);
}

static inline uint32_t qc_walk_pair_hash(uint32_t key)
{
    return (uint32_t)(((uint64_t)key * 0x9E3779B97F4A7C15ull) >> 32);
}

/* Whether the child of place along cp is kept in the pair table. */
static inline int qc_walk_is_pair(uint32_t place, uint32_t cp)
{
    return (place & QC_WALK_FIRST) && place != QC_WALK_ROOT && cp < QC_WALK_DIRECT &&
           (place != (QC_WALK_FIRST | 0xFFFFu) || cp != 0xFFFFu);
}

/* The slot of the child of place along cp in the slot table, or
   QC_WALK_NONE. */
static inline uint32_t qc_walk_find_slot(const qc_walk *w, uint32_t place,
                                         uint32_t cp)
{
    const size_t mask = w->slot_capacity - 1;
    for (size_t i = qc_walk_hash(place, cp) & mask;; i = (i + 1) & mask) {
        const qc_walk_slot *s = &w->slots[i];
        if (s->parent == place && s->cp == cp)
            return (uint32_t)i;
        if (s->parent == QC_WALK_NONE)
            return QC_WALK_NONE;
    }
}

/* The record of the one-code-point node cp (its place in *place); {0, 0}
   (no value, no children) when there is none. */
static inline qc_walk_rec qc_walk_first(const qc_walk *w, uint32_t cp,
                                        uint32_t *place)
{
    if (cp < QC_WALK_DIRECT) {
        *place = QC_WALK_FIRST | cp;
        return w->first[cp];
    }
    uint32_t s = qc_walk_find_slot(w, QC_WALK_ROOT, cp);
    *place = s;
    return s == QC_WALK_NONE ? (qc_walk_rec){0, 0} : w->slots[s].rec;
}

/* The place of the child of place along cp and its record in *rec, or
   QC_WALK_NONE. Pair masks come back doubled (bit cp & 31 tests them). */
static inline uint32_t qc_walk_next(const qc_walk *w, uint32_t place,
                                    uint32_t cp, qc_walk_rec *rec)
{
    if (qc_walk_is_pair(place, cp)) {
        const uint32_t key = (place & 0xFFFFu) << 16 | cp;
        const size_t mask = w->pair_capacity - 1;
        for (size_t i = qc_walk_pair_hash(key) & mask;; i = (i + 1) & mask) {
            const qc_walk_pair *p = &w->pairs[i];
            if (p->key == key) {
                rec->mask = (uint32_t)p->mask * 0x10001u;
                rec->value = p->value != QC_WALK_BIG ? p->value : w->pair_value[i];
                return QC_WALK_PAIR | (uint32_t)i;
            }
            if (p->key == QC_WALK_NONE)
                return QC_WALK_NONE;
        }
    }
    uint32_t s = qc_walk_find_slot(w, place, cp);
    if (s != QC_WALK_NONE)
        *rec = w->slots[s].rec;
    return s;
}

/* Fetches the cache line where qc_walk_next(w, place, cp) starts. */
static inline void qc_walk_prefetch(const qc_walk *w, uint32_t place, uint32_t cp)
{
    if (qc_walk_is_pair(place, cp))
        QC_PREFETCH(&w->pairs[qc_walk_pair_hash((place & 0xFFFFu) << 16 | cp) &
                              (w->pair_capacity - 1)]);
    else
        QC_PREFETCH(&w->slots[qc_walk_hash(place, cp) & (w->slot_capacity - 1)]);
}

#ifdef __cplusplus
}
#endif

#endif /* QC_WALK_H */
