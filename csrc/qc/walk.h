/*
 * qc/walk.h: a read-only mirror of a qc_trie laid out for walks that read
 * one small value per node (the segmenter's route).
 *
 * Such a walk spends its time waiting for memory: a trie of a large
 * dictionary (jieba's has half a million nodes) does not fit in cache, and
 * each step of a walk needs the child's record before the next step can
 * start. The mirror keeps, per node, a value (an index the caller gives,
 * 0 for "none") and a children mask (bit cp & 7 or cp & 31 per child, so
 * most missing children are ruled out without a probe), and puts them where
 * the step's probe lands, in tables small enough to stay in cache:
 *
 * - nodes one code point long (below U+10000) in a direct table indexed by
 *   the code point: every walk starts there;
 * - nodes two, three and four code points long in three level tables of
 *   8-byte slots, each keyed by the parent's index in the level above (below
 *   2^24 - 1) and a code point below U+10000: a hot level's table is not
 *   diluted by the deeper, rarer nodes. Each level has a Bloom filter too
 *   (two bits per key in one 64-bit word, 8 bits a slot) read before the
 *   probe: most children that a mask lets through do not exist, and the
 *   filter, an eighth of its table, answers for them from cache;
 * - the others (longer, or with a code point from U+10000 on, and their
 *   descendants) in an open-addressing table of 16-byte slots keyed by the
 *   parent's place and the code point.
 *
 * A node's place (what its children are keyed by) says which table holds
 * it and where (QC_WALK_KIND_* in the top three bits, the index below); the
 * root is QC_WALK_ROOT. The trie keeps the node numbering; place[node] says
 * where each node sits. The owner mirrors every node it adds to the trie
 * (qc_walk_reserve before, then qc_walk_place for each new node in order)
 * and every value it changes.
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
/* place = kind << 29 | index */
#define QC_WALK_KIND_SLOT 0u
#define QC_WALK_KIND_FIRST 1u
#define QC_WALK_KIND_LEVEL 2u /* levels 0, 1, 2: kinds 2, 3, 4 */
#define QC_WALK_INDEX 0x1FFFFFFFu
#define QC_WALK_LEVELS 3
/* level slots: key (40 bits: parent index + 1, code point) << 24 | mask
   (8 bits) << 16 | value (16 bits; QC_WALK_BIG: see big[]); 0 is empty */
#define QC_WALK_BIG 0xFFFFu
#define QC_WALK_LEVEL_PARENTS ((size_t)1 << 24)

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
    uint64_t *slots; /* capacity a power of two, at most 3/4 full */
    uint32_t *big;   /* per slot: the value when the slot says QC_WALK_BIG */
    uint64_t *bloom; /* capacity / 8 words: two bits per key, in one word */
    size_t capacity, n;
} qc_walk_level;

typedef struct {
    qc_walk_rec *first;  /* QC_WALK_DIRECT records */
    qc_walk_level level[QC_WALK_LEVELS];
    qc_walk_slot *slots; /* capacity a power of two, at most half full */
    size_t slot_capacity, n_slots;
    uint32_t *place;     /* per trie node */
    size_t node_capacity;
} qc_walk;

/* A mirror of a trie that holds only its root. Errors: QC_ENOMEM (w then
   holds nothing to free, but qc_walk_free is safe). */
qc_status qc_walk_init(qc_walk *w);

/* Releases what w owns; safe on a zeroed or already freed mirror. */
void qc_walk_free(qc_walk *w);

/*
 * Room for `words` more strings made of `nodes` new nodes in all (a string
 * adds at most one node to each level; nodes may be left 0 when a later
 * call reserves them), every node of t being placed: the tables are rebuilt
 * larger (values kept) when they would get too full.
 * Errors: QC_ENOMEM, QC_EOVERFLOW (a table past 2^29 slots); w is unchanged
 * on error. O(nodes of the tables rebuilt) when it rebuilds.
 */
qc_status qc_walk_reserve(qc_walk *w, const qc_trie *t, size_t words, size_t nodes);

/*
 * Rebuilds the tables larger than their nodes need (after a generous
 * qc_walk_reserve): a smaller table stays in cache. Errors: QC_ENOMEM (w
 * unchanged, and as good a mirror as before).
 */
qc_status qc_walk_fit(qc_walk *w, const qc_trie *t);

/* Places node of t (its parent placed, room reserved) with value 0. */
void qc_walk_place(qc_walk *w, const qc_trie *t, int32_t node);

/* The value of a placed node, and setting it. */
uint32_t qc_walk_value(const qc_walk *w, int32_t node);
void qc_walk_set_value(qc_walk *w, int32_t node, uint32_t value);

static inline uint32_t qc_walk_hash(uint32_t parent, uint32_t cp)
{
    return qc_trie_hash(parent, cp);
}

static inline uint32_t qc_walk_key_hash(uint64_t key)
{
    return (uint32_t)((key * 0x9E3779B97F4A7C15ull) >> 32);
}

/* A level's Bloom filter: the word and the two bits of key. */
static inline uint64_t qc_walk_bloom_bits(const qc_walk_level *l, uint64_t key,
                                          size_t *word)
{
    uint64_t h = key * 0xBF58476D1CE4E5B9ull;
    *word = (size_t)(h >> 32) & (l->capacity / 8 - 1);
    return (uint64_t)1 << (h & 63) | (uint64_t)1 << (h >> 6 & 63);
}

/* The level (0 to QC_WALK_LEVELS - 1) that holds the child of place along
   cp, with its key, or -1 when the slot table does. */
static inline int qc_walk_level_of(uint32_t place, uint32_t cp, uint64_t *key)
{
    uint32_t kind = place >> 29, index = place & QC_WALK_INDEX;
    if (cp >= QC_WALK_DIRECT || kind < QC_WALK_KIND_FIRST ||
        kind >= QC_WALK_KIND_LEVEL + QC_WALK_LEVELS - 1 ||
        index + (size_t)1 >= QC_WALK_LEVEL_PARENTS)
        return -1;
    *key = (uint64_t)(index + 1) << 16 | cp;
    return (int)(kind - QC_WALK_KIND_FIRST);
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
        *place = QC_WALK_KIND_FIRST << 29 | cp;
        return w->first[cp];
    }
    uint32_t s = qc_walk_find_slot(w, QC_WALK_ROOT, cp);
    *place = s;
    return s == QC_WALK_NONE ? (qc_walk_rec){0, 0} : w->slots[s].rec;
}

/* The place of the child of place along cp and its record in *rec, or
   QC_WALK_NONE. A level slot's 8-bit mask comes back repeated, so that bit
   cp & 31 tests it as any other. */
static inline uint32_t qc_walk_next(const qc_walk *w, uint32_t place,
                                    uint32_t cp, qc_walk_rec *rec)
{
    uint64_t key;
    int level = qc_walk_level_of(place, cp, &key);
    if (level >= 0) {
        const qc_walk_level *l = &w->level[level];
        size_t word;
        uint64_t bits = qc_walk_bloom_bits(l, key, &word);
        if ((l->bloom[word] & bits) != bits)
            return QC_WALK_NONE;
        const size_t mask = l->capacity - 1;
        for (size_t i = qc_walk_key_hash(key) & mask;; i = (i + 1) & mask) {
            uint64_t e = l->slots[i];
            if (e >> 24 == key) {
                uint32_t value = (uint32_t)(e & 0xFFFF);
                rec->mask = (uint32_t)(e >> 16 & 0xFF) * 0x01010101u;
                rec->value = value != QC_WALK_BIG ? value : l->big[i];
                return (QC_WALK_KIND_LEVEL + (uint32_t)level) << 29 | (uint32_t)i;
            }
            if (e == 0)
                return QC_WALK_NONE;
        }
    }
    uint32_t s = qc_walk_find_slot(w, place, cp);
    if (s != QC_WALK_NONE)
        *rec = w->slots[s].rec;
    return s;
}

#ifdef __cplusplus
}
#endif

#endif /* QC_WALK_H */
