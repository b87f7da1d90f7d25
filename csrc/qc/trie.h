/*
 * qc/trie.h: a trie over code points, and string interning.
 *
 * Nodes are numbered 0 (the root, the empty string), 1, 2, ... in the order
 * they are created, so a node's parent always has a smaller number. Storage
 * is compact: no allocation per node. Every edge lives in one open-addressing
 * hash table keyed by (node, code point), except that once the root has
 * QC_TRIE_DIRECT_AFTER children, its children below U+10000 move to a direct
 * table (the first step of every walk, 256 KiB, paid only by large tries). Per
 * node the trie keeps only its parent and the code point of the edge into it;
 * callers attach their own per-node data in arrays indexed by node number and
 * grow them when qc_trie_nodes() grows.
 *
 * Not thread-safe for writers; any number of readers may walk a trie that no
 * one modifies.
 */
#ifndef QC_TRIE_H
#define QC_TRIE_H

#include "qc/utf8.h"

#ifdef __cplusplus
extern "C" {
#endif

#define QC_TRIE_DIRECT 0x10000u
#define QC_TRIE_DIRECT_AFTER 256u

typedef struct {
    uint32_t node;  /* parent node, UINT32_MAX when the slot is empty */
    uint32_t cp;
    int32_t child;
} qc_trie_slot;

typedef struct {
    int32_t *direct;      /* QC_TRIE_DIRECT children of the root (-1 = none),
                             or NULL while the root has few children */
    size_t root_children;
    size_t direct_after;  /* root children before the direct table is made;
                             SIZE_MAX never makes it (small-memory tries) */
    qc_trie_slot *slots;  /* capacity is a power of two */
    size_t capacity, used;
    uint64_t *mask;       /* per node: bit (cp & 63) set for each child's cp;
                             rules out most missing children without a probe */
    int32_t *parent;      /* per node; parent[0] = -1 */
    uint32_t *cp;         /* per node: the code point leading into it */
    size_t n_nodes, node_capacity;
} qc_trie;

/* Sets up an empty trie (the root only). Errors: QC_ENOMEM (t then holds
   nothing to free, but qc_trie_free is safe). */
qc_status qc_trie_init(qc_trie *t);

/* Releases what t owns; safe on a zeroed or already freed trie. */
void qc_trie_free(qc_trie *t);

static inline size_t qc_trie_nodes(const qc_trie *t)
{
    return t->n_nodes;
}

static inline uint32_t qc_trie_hash(uint32_t node, uint32_t cp)
{
    uint64_t h = ((uint64_t)node << 21 | cp) * 0x9E3779B97F4A7C15ull;
    return (uint32_t)(h >> 32);
}

/* The child of node along cp, or -1, from the hash table alone (callers
   that keep their own copy of the children masks test it first). */
static inline int32_t qc_trie_probe(const qc_trie *t, int32_t node, uint32_t cp)
{
    if (node == 0 && cp < QC_TRIE_DIRECT && t->direct != NULL)
        return t->direct[cp];
    size_t mask = t->capacity - 1;
    size_t i = qc_trie_hash((uint32_t)node, cp) & mask;
    for (;;) {
        const qc_trie_slot *s = &t->slots[i];
        if (s->node == (uint32_t)node && s->cp == cp)
            return s->child;
        if (s->node == UINT32_MAX)
            return -1;
        i = (i + 1) & mask;
    }
}

/* The child of node along cp, or -1. O(1) expected. */
static inline int32_t qc_trie_child(const qc_trie *t, int32_t node, uint32_t cp)
{
    if (!(node == 0 && t->direct != NULL) && !(t->mask[node] >> (cp & 63) & 1))
        return -1;
    return qc_trie_probe(t, node, cp);
}

/*
 * The child of node along cp, created when missing (*created set to 1 then,
 * else 0; created may be NULL). Errors: QC_ENOMEM, QC_EOVERFLOW (more than
 * INT32_MAX nodes); the trie is unchanged on error.
 */
qc_status qc_trie_add(qc_trie *t, int32_t node, uint32_t cp, int32_t *child,
                      int *created);

/* Follows s[start:end) from the root; -1 when the path leaves the trie. */
int32_t qc_trie_find(const qc_trie *t, const qc_str *s, size_t start,
                     size_t end);

/* Inserts s[start:end) (creating the path) and returns its node. Errors as
   qc_trie_add. */
qc_status qc_trie_insert(qc_trie *t, const qc_str *s, size_t start,
                         size_t end, int32_t *node);

/* Depth of node = length of its string. O(depth). */
size_t qc_trie_depth(const qc_trie *t, int32_t node);

/* Writes the string of node (qc_trie_depth code points) into out. */
void qc_trie_string(const qc_trie *t, int32_t node, uint32_t *out);

/*
 * String interning: distinct strings get ids 0, 1, 2, ... in order of first
 * appearance. The strings are kept one after another in one buffer and found
 * through an open-addressing table of ids keyed by a hash of their code
 * points: one probe per lookup, whatever the length (a trie would cost a
 * probe per code point). Strings of up to three code points (most words)
 * are compared within the table's slot, without reading the buffer.
 */
typedef struct {
    uint64_t key;      /* strings of up to 3 code points, packed; else ~0 */
    uint32_t hash;     /* kept here so a probe reads one cache line */
    int32_t id1;       /* id + 1, 0 for an empty slot */
} qc_vocab_slot;

typedef struct {
    uint32_t *chars;   /* the strings, one after another */
    int64_t *offsets;  /* per id + 1: string i is chars[offsets[i]:offsets[i+1]] */
    qc_vocab_slot *slots; /* capacity a power of two, at most half full */
    size_t n_ids, id_capacity, n_chars, char_capacity, capacity;
} qc_vocab;

qc_status qc_vocab_init(qc_vocab *v);
void qc_vocab_free(qc_vocab *v);

/* The id of s[start:end), assigned when new. The empty string is a valid
   string. Errors: QC_ENOMEM, QC_EOVERFLOW (more than INT32_MAX strings); v is
   unchanged on error. */
qc_status qc_vocab_intern(qc_vocab *v, const qc_str *s, size_t start,
                          size_t end, int32_t *id);

/* The id of s[start:end), or -1 when it was never interned. */
int32_t qc_vocab_find(const qc_vocab *v, const qc_str *s, size_t start,
                      size_t end);

/* Length of string id, and the string itself (qc_vocab_length code points
   into out). */
size_t qc_vocab_length(const qc_vocab *v, int32_t id);
void qc_vocab_string(const qc_vocab *v, int32_t id, uint32_t *out);

/*
 * All strings in one buffer: *text (total code points) and *offsets (n_ids
 * + 1 entries, string i is text[offsets[i]:offsets[i+1]]), both allocated
 * with qc_malloc for the caller. Errors: QC_ENOMEM. O(total length).
 */
qc_status qc_vocab_export(const qc_vocab *v, uint32_t **text,
                          int64_t **offsets);

/*
 * Interns the spans start[k]:end[k] of texts: the spans of text t are
 * k = indptr[t] .. indptr[t+1]-1 (CSR over n_texts texts) and ids[k]
 * receives the id of text t's substring. Errors: QC_EINVAL, QC_EORDER,
 * QC_EINDEX (a span outside its text), QC_ENOMEM, QC_EOVERFLOW.
 */
qc_status qc_vocab_intern_spans(qc_vocab *v, const qc_str *texts,
                                size_t n_texts, const int64_t *indptr,
                                const int64_t *start, const int64_t *end,
                                size_t n_spans, int64_t *ids, qc_errinfo *err);

#ifdef __cplusplus
}
#endif

#endif /* QC_TRIE_H */
