/*
 * The Aho-Corasick matcher of qc/acmatch.h: building the automaton from a
 * hash trie, and scanning texts with it. The build is done once and pays
 * for a compact read-only layout (breadth-first numbering, children of a
 * node adjacent and sorted) because matching is what runs over a corpus:
 * a step touches one or two cache lines. Scans are specialised by text
 * width and folding, and matches are logged in fixed chunks so that the
 * output columns are allocated once, at the size the scan found.
 *
 * The prefilter. Dictionary coding runs a few hundred to a few thousand
 * keywords over text where few of them occur; walking the automaton over
 * every code point then costs a root lookup (and a branch that mispredicts
 * whenever a character starts a pattern, which for CJK words is one
 * character in five to two in three) per code point. So, while the
 * automaton is at the root, the scan skips ahead to the next position whose
 * first two code points (c0, c1) may begin a pattern, and runs the automaton
 * only from there:
 *
 *  - Two bit tables of 2^12 to 2^20 bits (0.5 to 128 KiB, so they stay in
 *    L1 or L2), indexed by one 32-bit multiplicative hash: pf_pair holds the
 *    (first, second) code points of every pattern of two or more (the
 *    automaton's depth-2 nodes), pf_one the code point of every pattern of
 *    one (those would otherwise start anywhere). A position whose pair bit
 *    and one bit are clear starts no pattern; a set bit may be a collision,
 *    which costs an automaton step and nothing else.
 *  - Exactness. Skipping is only valid where the automaton is at the root
 *    or as good as there: at a root's child v (depth 1) whose pair with the
 *    next code point begins no pattern, the next step fails from v back to
 *    the root and reads that code point from there, with no output at v
 *    but the one-code-point pattern already reported. So the overlapping
 *    scan hands back to the skip whenever its state has depth <= 1 and the
 *    next pair's bit is clear; the leftmost-longest scan starts every walk
 *    at the root and skips before each. Offsets are positions in the
 *    code point array (the PEP 393 view), so skipped code points need no
 *    counting.
 *  - Folding. The tables are tested on the raw code points of the text:
 *    with folding, each pattern pair is entered in every case (every code
 *    point qc_fold_latin maps to the pattern's, fold_sources), at most 4 x 4
 *    entries per pair.
 *  - The skip: with AVX2 (asked of the CPU at run time, compiled with a
 *    target attribute, so the build needs no -mavx2), eight positions a
 *    round, the hashes computed in lanes and the table words gathered:
 *    about 0.35 ns a code point where nothing starts, on the machine of
 *    docs/benchmarks.md. Elsewhere plain C, four pairs a round (their
 *    hashes and loads overlap in the pipeline): about 1 ns. Both give the
 *    same answer (Check compares them position by position). No SSE2 or
 *    NEON version: without a gather they would do what the plain loop does;
 *    and a nibble-shuffle filter (Teddy) saturates beyond a few dozen
 *    patterns.
 *  - The rule: the tables are sized for one key per PF_BITS_PER_KEY (128)
 *    bits, and the prefilter is built only if at most 1 bit in PF_MAX_FILL
 *    (8) ends up set: up to about 140,000 distinct first pairs (35,000 of
 *    Latin letters with folding, 4 entries each). Past that the table
 *    saturates and the automaton runs alone, as it did before. The text is
 *    not known at build time: where most positions begin a pattern pair
 *    (dense hits), the skip returns at once and adds its test to the
 *    steps; on bench_text.py's dense rows (140,000 to 1.3 million matches
 *    in 2.3 million characters) the scans still ran 1.1-2x faster with it
 *    than without.
 *
 * Limits: a pair filter cannot skip where pattern pairs are common in the
 * text (e.g. 50,000 CJK words, whose pairs begin a seventh of the
 * positions of a corpus), and one-code-point patterns make their code
 * points candidates everywhere. AVX2 needs GCC or Clang on x86; other
 * compilers and CPUs (aarch64 included) take the plain loop.
 */
#include "qc/acmatch.h"

#include <stdlib.h>
#include <string.h>

#define QC_HOT static QC_ALWAYS_INLINE

/* Per node, in breadth-first order with the children of a node numbered
   consecutively in increasing code point: the children of v are nodes
   first .. next->first - 1, so the node records carry no child pointers and
   no count (record n is a sentinel holding the end). */
typedef struct {
    uint32_t first; /* first child */
    uint32_t fail;  /* longest proper suffix that is a node */
    uint32_t hit;   /* 1 + output entry of the nearest node on the suffix
                       chain (v included) where a pattern ends; 0 if none */
} node_rec;

/* One per node where a pattern ends; entries chain to shorter suffixes. */
typedef struct {
    int32_t pattern; /* first pattern ending here */
    uint32_t length; /* its length (the node's depth) */
    uint32_t next;   /* 1 + next entry on the suffix chain, 0 at the end */
} out_entry;

/* The root's children: a hash table of buckets of four slots that never
   overflow (the table grows or changes multiplier until none does), so a
   lookup compares four slots without a branch: about half the characters
   of a text start a pattern, so a data-dependent branch there mispredicts.
   Empty slots hold node 0, which matches nothing (the root is nobody's
   child). */
#define ROOT_WAYS 4
typedef struct {
    uint32_t cp[ROOT_WAYS], node[ROOT_WAYS];
} root_bucket;

typedef struct {
    uint32_t cp, node;
} edge_slot; /* see child() */

struct qc_matcher {
    int fold;
    size_t n_nodes, n_entries;
    node_rec *node;   /* n_nodes + 1 */
    uint32_t *label;  /* per node: the code point leading into it */
    out_entry *out;   /* n_entries */
    root_bucket *root; /* 1 << root_bits buckets */
    edge_slot *wide;   /* wide_mask + 1 slots */
    uint32_t wide_mask, wide_shift;
    uint32_t root_bits, root_mult;
    uint32_t depth2;   /* first node of depth 2: nodes 1 .. depth2 - 1 are
                          the root's children */
    /* The prefilter (see the file comment); pf_pair == NULL when off. */
    uint32_t *pf_pair; /* 1 << pf_bits bits: hashed first pairs */
    uint32_t *pf_one;  /* 1 << pf_one_bits bits: hashed one-code-point
                          patterns; NULL when there are none */
    uint32_t pf_bits, pf_one_bits; /* log2 of their sizes in bits */
    int pf_simd;       /* skip with AVX2 (the CPU has it) */
};

void qc_matcher_free(qc_matcher *m)
{
    if (m == NULL)
        return;
    qc_free(m->node);
    qc_free(m->label);
    qc_free(m->out);
    qc_free(m->root);
    qc_free(m->wide);
    qc_free(m->pf_pair);
    qc_free(m->pf_one);
    qc_free(m);
}

QC_HOT uint32_t root_bucket_of(uint32_t c, uint32_t mult, uint32_t bits)
{
    return (uint32_t)(((uint64_t)(c * mult) << bits) >> 32);
}

QC_HOT uint32_t root_child(const qc_matcher *m, uint32_t c)
{
    const root_bucket *b = &m->root[root_bucket_of(c, m->root_mult, m->root_bits)];
    uint32_t v = 0;
    for (int k = 0; k < ROOT_WAYS; k++)
        v |= b->node[k] & (0u - (uint32_t)(b->cp[k] == c));
    return v;
}

/* Edges out of wide nodes (more than SCAN_MAX children, the root aside)
   are also in one open-addressing table keyed by (node, code point): a
   binary search over hundreds of labels costs a cache miss per step, one
   probe a single miss. A slot holds the code point and the child; it
   answers for v when the child is in v's range of children (consecutive),
   and empty slots hold node 0, nobody's child. Load at most one half. */
#define SCAN_MAX 16

QC_HOT uint32_t edge_hash(uint32_t v, uint32_t c)
{
    return ((v * 0x9E3779B1u) ^ c) * 0x85EBCA77u;
}

/* The child of v != 0 along c, or 0. Most nodes have one or two children. */
QC_HOT uint32_t child(const qc_matcher *m, uint32_t v, uint32_t c)
{
    uint32_t lo = m->node[v].first, count = m->node[v + 1].first - lo;
    if (count > SCAN_MAX) {
        uint32_t i = edge_hash(v, c) >> m->wide_shift;
        for (;;) {
            edge_slot e = m->wide[i];
            if (e.node == 0)
                return 0;
            if (e.cp == c && e.node - lo < count)
                return e.node;
            i = (i + 1) & m->wide_mask;
        }
    }
    const uint32_t *label = m->label;
    for (uint32_t end = lo + count; lo < end; lo++)
        if (label[lo] == c)
            return lo;
    return 0;
}

static uint32_t any_child(const qc_matcher *m, uint32_t v, uint32_t c)
{
    return v == 0 ? root_child(m, c) : child(m, v, c);
}

/* Build-time node: sorted level by level into the final numbering. */
typedef struct {
    uint32_t parent; /* new number of the parent */
    uint32_t cp;
    int32_t old;
} level_item;

static int level_cmp(const void *a, const void *b)
{
    const level_item *x = a, *y = b;
    if (x->parent != y->parent)
        return x->parent < y->parent ? -1 : 1;
    return x->cp < y->cp ? -1 : x->cp > y->cp;
}

static inline uint32_t key_at(int fold, const qc_str *s, size_t i)
{
    uint32_t c = qc_str_at(s, i);
    return fold ? qc_fold_latin(c) : c;
}

/* Renumbers the nodes of trie t breadth-first, children of a node together
   in code point order, and fills m->node[].first, m->label and parent (new
   numbers) ; new_of[old] receives the new numbers. */
static qc_status renumber(const qc_trie *t, qc_matcher *m, uint32_t *parent,
                          uint32_t *new_of)
{
    size_t n = m->n_nodes;
    qc_status status = QC_OK;
    uint32_t *depth = qc_malloc(n, sizeof *depth);
    level_item *items = qc_malloc(n, sizeof *items);
    size_t *start = NULL;
    if (depth == NULL || items == NULL) {
        status = QC_ENOMEM;
        goto cleanup;
    }
    uint32_t max_depth = 0;
    depth[0] = 0;
    for (size_t v = 1; v < n; v++) {
        depth[v] = depth[t->parent[v]] + 1;
        if (depth[v] > max_depth)
            max_depth = depth[v];
    }
    start = qc_calloc((size_t)max_depth + 2, sizeof *start);
    if (start == NULL) {
        status = QC_ENOMEM;
        goto cleanup;
    }
    for (size_t v = 0; v < n; v++)
        start[depth[v] + 1]++;
    for (uint32_t d = 0; d <= max_depth; d++)
        start[d + 1] += start[d];
    /* items of depth d occupy [start[d], start[d+1]); fill in old order */
    {
        size_t *fill = qc_malloc((size_t)max_depth + 1, sizeof *fill);
        if (fill == NULL) {
            status = QC_ENOMEM;
            goto cleanup;
        }
        memcpy(fill, start, ((size_t)max_depth + 1) * sizeof *fill);
        for (size_t v = 0; v < n; v++)
            items[fill[depth[v]]++].old = (int32_t)v;
        qc_free(fill);
    }
    new_of[0] = 0;
    parent[0] = 0;
    m->label[0] = 0;
    for (uint32_t d = 1; d <= max_depth; d++) {
        /* the parents (depth d - 1) are numbered: sort by (parent, cp) */
        for (size_t k = start[d]; k < start[d + 1]; k++) {
            int32_t v = items[k].old;
            items[k].cp = t->cp[v];
            items[k].parent = new_of[t->parent[v]];
        }
        qsort(items + start[d], start[d + 1] - start[d], sizeof *items, level_cmp);
        for (size_t k = start[d]; k < start[d + 1]; k++) {
            int32_t v = items[k].old;
            new_of[v] = (uint32_t)k;
            parent[k] = items[k].parent;
            m->label[k] = items[k].cp;
        }
    }
    /* children of p are the nodes whose parent is p, consecutive */
    size_t p = 0;
    m->node[0].first = 1;
    for (size_t v = 1; v < n; v++)
        while (p < parent[v])
            m->node[++p].first = (uint32_t)v;
    while (p < n)
        m->node[++p].first = (uint32_t)n;
cleanup:
    qc_free(depth);
    qc_free(items);
    qc_free(start);
    return status;
}

static qc_status build_root(qc_matcher *m)
{
    static const uint32_t MULT[] = {0x9E3779B1u, 0x85EBCA77u, 0xC2B2AE3Du, 0x27D4EB2Fu};
    uint32_t n_root = m->node[1].first - m->node[0].first;
    uint32_t bits = 0;
    while ((1u << bits) < n_root / 2 + 1)
        bits++;
    for (;; bits++) {
        size_t n_buckets = (size_t)1 << bits;
        qc_free(m->root);
        m->root = qc_calloc(n_buckets, sizeof *m->root);
        if (m->root == NULL)
            return QC_ENOMEM;
        for (size_t j = 0; j < sizeof MULT / sizeof *MULT; j++) {
            uint32_t v = m->node[0].first;
            for (; v < m->node[1].first; v++) {
                root_bucket *b = &m->root[root_bucket_of(m->label[v], MULT[j], bits)];
                int k = 0;
                while (k < ROOT_WAYS && b->node[k] != 0)
                    k++;
                if (k == ROOT_WAYS)
                    break;
                b->cp[k] = m->label[v];
                b->node[k] = v;
            }
            if (v == m->node[1].first) {
                m->root_bits = bits;
                m->root_mult = MULT[j];
                return QC_OK;
            }
            memset(m->root, 0, n_buckets * sizeof *m->root);
        }
    }
}

static qc_status build_wide(qc_matcher *m)
{
    size_t n_edges = 0;
    for (size_t v = 1; v < m->n_nodes; v++) {
        uint32_t count = m->node[v + 1].first - m->node[v].first;
        n_edges += count > SCAN_MAX ? count : 0;
    }
    uint32_t bits = 1;
    while (((size_t)1 << bits) < 2 * n_edges)
        bits++;
    if (bits > 31)
        return QC_EOVERFLOW;
    m->wide_mask = (1u << bits) - 1;
    m->wide_shift = 32 - bits;
    m->wide = qc_calloc((size_t)m->wide_mask + 1, sizeof *m->wide);
    if (m->wide == NULL)
        return QC_ENOMEM;
    for (uint32_t v = 1; v < m->n_nodes; v++) {
        uint32_t lo = m->node[v].first, hi = m->node[v + 1].first;
        for (uint32_t g = lo; hi - lo > SCAN_MAX && g < hi; g++) {
            uint32_t i = edge_hash(v, m->label[g]) >> m->wide_shift;
            while (m->wide[i].node != 0)
                i = (i + 1) & m->wide_mask;
            m->wide[i].cp = m->label[g];
            m->wide[i].node = g;
        }
    }
    return QC_OK;
}

/* ---- The prefilter (see the file comment) --------------------------------
   Bits for (first, second) code point pairs and for one-code-point
   patterns, set through one multiplicative hash: a position whose bits are
   clear starts no pattern. The hash is 32-bit so that AVX2 computes it in
   eight lanes at once; the tables are 32-bit words so that it gathers them. */
#define PF_K0 0x9E3779B1u
#define PF_K1 0x85EBCA77u
#define PF_MIN_BITS 12 /* 512 bytes */
#define PF_MAX_BITS 20 /* 128 KiB: L2 at most */
#define PF_BITS_PER_KEY 128 /* a pair that begins no pattern passes 1 time in
                               128 (more past 8,192 keys) */
#define PF_MAX_FILL 8  /* off when more than 1 bit in 8 is set */

QC_HOT uint32_t pf_hash(uint32_t c0, uint32_t c1, uint32_t bits)
{
    return (((c0 * PF_K0) ^ c1) * PF_K1) >> (32 - bits);
}

QC_HOT uint32_t pf_test(const uint32_t *set, uint32_t h)
{
    return (set[h >> 5] >> (h & 31)) & 1;
}

static int pf_simd_supported(void); /* below, with the AVX2 skip */

static void pf_set(uint32_t *set, uint32_t h)
{
    set[h >> 5] |= (uint32_t)1 << (h & 31);
}

/* The code points that qc_fold_latin maps to c, c included. It folds only
   below U+0180 (into that range) and fullwidth A-Z (onto a-z), which
   sources[] (built by fold_sources_init) and the fullwidth case cover; a
   Check case walks every code point to hold utf8.c to that. */
enum { FOLD_LOW = 0x180, MAX_SOURCES = 4 };
typedef struct {
    uint32_t cp[FOLD_LOW][MAX_SOURCES - 1];
    uint8_t n[FOLD_LOW];
} fold_sources;

static void fold_sources_init(fold_sources *fs)
{
    memset(fs->n, 0, sizeof fs->n);
    for (uint32_t x = 0; x < FOLD_LOW; x++) {
        uint32_t y = qc_fold_latin(x);
        if (y != x && y < FOLD_LOW && fs->n[y] < MAX_SOURCES - 1)
            fs->cp[y][fs->n[y]++] = x;
    }
}

static size_t sources_of(const fold_sources *fs, uint32_t c, uint32_t out[MAX_SOURCES])
{
    size_t n = 0;
    out[n++] = c;
    if (fs == NULL)
        return n;
    if (c < FOLD_LOW)
        for (uint8_t k = 0; k < fs->n[c]; k++)
            out[n++] = fs->cp[c][k];
    else if (c >= 0xFF41 && c <= 0xFF5A)
        out[n++] = c - 32;
    return n;
}

static size_t popcount_bits(const uint32_t *set, size_t words)
{
    size_t n = 0;
    for (size_t w = 0; w < words; w++)
        for (uint32_t x = set[w]; x != 0; x &= x - 1)
            n++;
    return n;
}

/* log2 of the table size for keys keys: PF_BITS_PER_KEY bits a key,
   within PF_MIN_BITS .. PF_MAX_BITS. */
static uint32_t pf_table_bits(size_t keys)
{
    uint32_t bits = PF_MIN_BITS;
    while (bits < PF_MAX_BITS && ((size_t)1 << bits) < keys * PF_BITS_PER_KEY)
        bits++;
    return bits;
}

/* Builds the prefilter from the first two levels of the automaton, or
   leaves it off (pf_pair NULL) when too many bits would be set for it to
   skip much: the rule of the file comment. */
static qc_status build_prefilter(qc_matcher *m)
{
    fold_sources fs;
    if (m->fold)
        fold_sources_init(&fs);
    const fold_sources *sources = m->fold ? &fs : NULL;
    /* keys: the depth-2 nodes (pairs) and the depth-1 nodes where a pattern
       ends (one code point), in every case each may take */
    size_t pairs = 0, ones = 0;
    for (uint32_t v = 1; v < m->depth2; v++) {
        uint32_t a[MAX_SOURCES], b[MAX_SOURCES];
        size_t na = sources_of(sources, m->label[v], a);
        ones += m->node[v].hit != 0 ? na : 0;
        for (uint32_t g = m->node[v].first; g < m->node[v + 1].first; g++)
            pairs += na * sources_of(sources, m->label[g], b);
    }
    uint32_t bits = pf_table_bits(pairs), one_bits = pf_table_bits(ones);
    uint32_t *pair = qc_calloc((size_t)1 << (bits - 5), sizeof *pair);
    uint32_t *one = ones == 0 ? NULL : qc_calloc((size_t)1 << (one_bits - 5), sizeof *one);
    if (pair == NULL || (ones != 0 && one == NULL)) {
        qc_free(pair);
        qc_free(one);
        return QC_ENOMEM;
    }
    for (uint32_t v = 1; v < m->depth2; v++) {
        uint32_t a[MAX_SOURCES], b[MAX_SOURCES];
        size_t na = sources_of(sources, m->label[v], a);
        if (m->node[v].hit != 0) /* a one-code-point pattern ends at v */
            for (size_t i = 0; i < na; i++)
                pf_set(one, pf_hash(a[i], 0, one_bits));
        for (uint32_t g = m->node[v].first; g < m->node[v + 1].first; g++) {
            size_t nb = sources_of(sources, m->label[g], b);
            for (size_t i = 0; i < na; i++)
                for (size_t j = 0; j < nb; j++)
                    pf_set(pair, pf_hash(a[i], b[j], bits));
        }
    }
    /* the share of positions that begin no pattern yet pass */
    size_t pair_set = popcount_bits(pair, (size_t)1 << (bits - 5));
    double fill = (double)pair_set / (double)((size_t)1 << bits);
    if (one != NULL) {
        size_t one_set = popcount_bits(one, (size_t)1 << (one_bits - 5));
        fill += (double)one_set / (double)((size_t)1 << one_bits);
    }
    if (fill * PF_MAX_FILL > 1.0) {
        qc_free(pair);
        qc_free(one);
        return QC_OK;
    }
    m->pf_pair = pair;
    m->pf_one = one;
    m->pf_bits = bits;
    m->pf_one_bits = one_bits;
    m->pf_simd = pf_simd_supported();
    return QC_OK;
}

QC_HOT uint32_t raw(const void *data, int kind, size_t i)
{
    return kind == 1   ? ((const uint8_t *)data)[i]
           : kind == 2 ? ((const uint16_t *)data)[i]
                       : ((const uint32_t *)data)[i];
}

/* Whether the pair at i, i + 1 (i + 1 < len) may begin a pattern. */
QC_HOT int pf_pair_at(const qc_matcher *m, const void *data, int kind, size_t i)
{
    return (int)pf_test(m->pf_pair, pf_hash(raw(data, kind, i), raw(data, kind, i + 1),
                                            m->pf_bits));
}

/* The skip in plain C: the first position >= i where a pattern may start
   (len if none), one whose pair's bit is set or whose code point's bit is
   set in pf_one. Four pairs a round with one branch: their hashes and loads
   do not depend on each other, so they overlap in the pipeline. */
QC_HOT size_t pf_skip_plain(const qc_matcher *m, const void *data, size_t len, int kind,
                            size_t i)
{
    const uint32_t *pair = m->pf_pair, *one = m->pf_one;
    const uint32_t bits = m->pf_bits, one_bits = m->pf_one_bits;
    if (one == NULL) {
        while (i + 4 < len) {
            uint32_t c0 = raw(data, kind, i), c1 = raw(data, kind, i + 1),
                     c2 = raw(data, kind, i + 2), c3 = raw(data, kind, i + 3),
                     c4 = raw(data, kind, i + 4);
            if (pf_test(pair, pf_hash(c0, c1, bits)) | pf_test(pair, pf_hash(c1, c2, bits)) |
                pf_test(pair, pf_hash(c2, c3, bits)) | pf_test(pair, pf_hash(c3, c4, bits)))
                break;
            i += 4;
        }
        for (; i + 1 < len; i++)
            if (pf_test(pair, pf_hash(raw(data, kind, i), raw(data, kind, i + 1), bits)))
                return i;
        return len; /* every pattern is two code points or longer */
    }
    for (; i < len; i++) {
        uint32_t c0 = raw(data, kind, i);
        if (pf_test(one, pf_hash(c0, 0, one_bits)))
            return i;
        if (i + 1 < len && pf_test(pair, pf_hash(c0, raw(data, kind, i + 1), bits)))
            return i;
    }
    return len;
}

/* The skip with AVX2, where the compiler can target it (GCC and Clang on
   x86; the build does not assume it: the CPU is asked once, at build time
   of the matcher). Eight positions a round: the code points at i .. i + 7
   and i + 1 .. i + 8 widened to 32-bit lanes, the hash in each lane, the
   table words gathered (a gather of eight from a table in L1 or L2 costs
   about what two scalar lookups do), the bits tested, and the first lane
   whose bit is set returned; the plain loop finishes the last positions. */
#ifdef QC_AVX2_DISPATCH
#define QC_PF_AVX2 1
#include <immintrin.h>

QC_TARGET_AVX2 static inline __m256i
pf_lanes(const void *data, int kind, size_t i)
{
    switch (kind) {
    /* unaligned loads: the intrinsics take __m128i and __m256i pointers
       but promise no alignment, so the casts go through void * */
    case 1: return _mm256_cvtepu8_epi32(_mm_loadl_epi64((const void *)((const uint8_t *)data + i)));
    case 2: return _mm256_cvtepu16_epi32(_mm_loadu_si128((const void *)((const uint16_t *)data + i)));
    default: return _mm256_loadu_si256((const void *)((const uint32_t *)data + i));
    }
}

QC_TARGET_AVX2 static inline __m256i
pf_lanes_test(const uint32_t *set, __m256i h)
{
    __m256i word = _mm256_i32gather_epi32((const int *)set, _mm256_srli_epi32(h, 5), 4);
    return _mm256_srlv_epi32(word, _mm256_and_si256(h, _mm256_set1_epi32(31)));
}

QC_TARGET_AVX2 static size_t
pf_skip_avx2(const qc_matcher *m, const void *data, size_t len, int kind, size_t i)
{
    const __m256i k0 = _mm256_set1_epi32((int)PF_K0), k1 = _mm256_set1_epi32((int)PF_K1);
    const __m128i shift = _mm_cvtsi32_si128((int)(32 - m->pf_bits)),
                  one_shift = _mm_cvtsi32_si128((int)(32 - m->pf_one_bits));
    const __m256i lowest = _mm256_set1_epi32(1);
    for (; i + 8 < len; i += 8) {
        __m256i c0 = pf_lanes(data, kind, i), c1 = pf_lanes(data, kind, i + 1);
        __m256i mixed = _mm256_mullo_epi32(c0, k0);
        __m256i h = _mm256_srl_epi32(_mm256_mullo_epi32(_mm256_xor_si256(mixed, c1), k1), shift);
        __m256i bit = pf_lanes_test(m->pf_pair, h);
        if (m->pf_one != NULL) {
            __m256i h1 = _mm256_srl_epi32(_mm256_mullo_epi32(mixed, k1), one_shift);
            bit = _mm256_or_si256(bit, pf_lanes_test(m->pf_one, h1));
        }
        if (!_mm256_testz_si256(bit, lowest)) {
            /* the first lane whose bit is set: its sign bit, one per lane */
            int lanes = _mm256_movemask_ps(_mm256_castsi256_ps(_mm256_slli_epi32(bit, 31)));
            return i + qc_ctz64((uint32_t)lanes); /* lanes != 0 */
        }
    }
    return pf_skip_plain(m, data, len, kind, i);
}

static int pf_simd_supported(void)
{
    return qc_cpu_has_avx2();
}
#else
static int pf_simd_supported(void)
{
    return 0;
}
#endif

/* The skip the scans use: AVX2 where the CPU has it, else plain C. */
QC_HOT size_t pf_skip(const qc_matcher *m, const void *data, size_t len, int kind, size_t i)
{
#ifdef QC_PF_AVX2
    if (m->pf_simd)
        return pf_skip_avx2(m, data, len, kind, i);
#endif
    return pf_skip_plain(m, data, len, kind, i);
}

size_t qc_matcher_skip(const qc_matcher *m, const qc_str *text, size_t from, int simd)
{
    if (from >= text->len)
        return text->len;
    if (m->pf_pair == NULL)
        return from;
#ifdef QC_PF_AVX2
    if (simd && m->pf_simd)
        return pf_skip_avx2(m, text->data, text->len, text->kind, from);
#else
    (void)simd;
#endif
    return pf_skip_plain(m, text->data, text->len, text->kind, from);
}

int qc_matcher_prefiltered(const qc_matcher *m)
{
    return m->pf_pair == NULL ? 0 : m->pf_simd ? 2 : 1;
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
    qc_trie trie = {0};
    qc_matcher *m = qc_calloc(1, sizeof *m);
    int32_t *ends = qc_malloc(n_patterns, sizeof *ends);
    uint32_t *parent = NULL, *new_of = NULL, *pattern = NULL;
    qc_status status = m == NULL || ends == NULL ? QC_ENOMEM : qc_trie_init(&trie);
    if (status != QC_OK)
        goto cleanup;
    m->fold = fold != 0;
    /* the hash trie only builds; matching runs on the compact layout */
    trie.direct_after = SIZE_MAX;
    for (size_t i = 0; status == QC_OK && i < n_patterns; i++) {
        int32_t node = 0;
        for (size_t k = 0; status == QC_OK && k < patterns[i].len; k++)
            status = qc_trie_add(&trie, node, key_at(m->fold, &patterns[i], k), &node, NULL);
        ends[i] = node;
    }
    if (status != QC_OK)
        goto cleanup;
    size_t n = m->n_nodes = qc_trie_nodes(&trie);
    m->node = qc_malloc(n + 1, sizeof *m->node);
    m->label = qc_malloc(n, sizeof *m->label);
    parent = qc_malloc(n, sizeof *parent);
    new_of = qc_malloc(n, sizeof *new_of);
    if (m->node == NULL || m->label == NULL || parent == NULL || new_of == NULL) {
        status = QC_ENOMEM;
        goto cleanup;
    }
    status = renumber(&trie, m, parent, new_of);
    if (status == QC_OK)
        status = build_root(m);
    if (status == QC_OK)
        status = build_wide(m);
    if (status != QC_OK)
        goto cleanup;
    qc_trie_free(&trie);
    /* pattern per node (new numbers), -1 if none; the first occurrence wins */
    pattern = qc_malloc(n, sizeof *pattern);
    if (pattern == NULL) {
        status = QC_ENOMEM;
        goto cleanup;
    }
    memset(pattern, 0xFF, n * sizeof *pattern);
    size_t n_entries = 0;
    for (size_t i = n_patterns; i-- > 0;) {
        uint32_t v = new_of[ends[i]];
        n_entries += pattern[v] == UINT32_MAX;
        pattern[v] = (uint32_t)i;
    }
    m->out = qc_malloc(n_entries, sizeof *m->out);
    if (m->out == NULL) {
        status = QC_ENOMEM;
        goto cleanup;
    }
    /* breadth-first: a node's failure target is numbered before it */
    uint32_t *depth = new_of; /* reused: new_of is no longer needed */
    depth[0] = 0;
    m->node[0].fail = 0;
    m->node[0].hit = 0;
    for (size_t v = 1; v < n; v++) {
        uint32_t u = parent[v], c = m->label[v], f = 0;
        depth[v] = depth[u] + 1;
        if (u != 0) {
            f = m->node[u].fail;
            uint32_t g;
            while ((g = any_child(m, f, c)) == 0 && f != 0)
                f = m->node[f].fail;
            f = g;
        }
        m->node[v].fail = f;
        m->node[v].hit = m->node[f].hit;
        if (pattern[v] != UINT32_MAX) {
            out_entry *e = &m->out[m->n_entries++];
            e->pattern = (int32_t)pattern[v];
            e->length = depth[v];
            e->next = m->node[f].hit;
            m->node[v].hit = (uint32_t)m->n_entries;
        }
    }
    m->node[n].fail = m->node[n].hit = 0;
    m->depth2 = m->node[1].first;
    status = build_prefilter(m);
cleanup:
    qc_trie_free(&trie);
    qc_free(ends);
    qc_free(parent);
    qc_free(new_of);
    qc_free(pattern);
    if (status != QC_OK) {
        qc_matcher_free(m);
        return status;
    }
    *out = m;
    return QC_OK;
}

size_t qc_matcher_bytes(const qc_matcher *m)
{
    return sizeof *m + (m->n_nodes + 1) * sizeof *m->node + m->n_nodes * sizeof *m->label +
           m->n_entries * sizeof *m->out + ((size_t)1 << m->root_bits) * sizeof *m->root +
           ((size_t)m->wide_mask + 1) * sizeof *m->wide +
           (m->pf_pair == NULL ? 0 : ((size_t)1 << m->pf_bits) / 8) +
           (m->pf_one == NULL ? 0 : ((size_t)1 << m->pf_one_bits) / 8);
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

/* Matches are first collected compactly (end offset, output entry: 12
   bytes) in fixed chunks, never copied while they grow; the four int64
   columns are then allocated once at their final size and written once. */
enum { CHUNK = 1 << 15 };
typedef struct {
    int64_t end[CHUNK];
    uint32_t entry[CHUNK];
} hit_chunk;

typedef struct {
    hit_chunk **chunks;
    size_t n_chunks, chunk_capacity;
    size_t n;  /* records in all chunks */
    uint32_t k; /* records in the last chunk */
    size_t limit; /* most records the caller takes */
} hit_log;

static void hit_log_free(hit_log *log)
{
    for (size_t c = 0; c < log->n_chunks; c++)
        qc_free(log->chunks[c]);
    qc_free(log->chunks);
}

static qc_status hit_log_grow(hit_log *log)
{
    qc_status status = qc_grow(&log->chunk_capacity, log->n_chunks + 1,
                               &(qc_growable){&log->chunks, sizeof *log->chunks}, 1);
    if (status != QC_OK)
        return status;
    hit_chunk *chunk = qc_malloc(1, sizeof *chunk);
    if (chunk == NULL)
        return QC_ENOMEM;
    log->chunks[log->n_chunks++] = chunk;
    log->k = 0;
    return QC_OK;
}

QC_HOT qc_status push(hit_log *log, size_t end, uint32_t entry)
{
    if (log->n == log->limit)
        return QC_ELIMIT;
    if (log->k == CHUNK || log->n_chunks == 0) {
        qc_status status = hit_log_grow(log);
        if (status != QC_OK)
            return status;
    }
    hit_chunk *chunk = log->chunks[log->n_chunks - 1];
    chunk->end[log->k] = (int64_t)end;
    chunk->entry[log->k] = entry;
    log->k++;
    log->n++;
    return QC_OK;
}

QC_HOT uint32_t load(const void *data, int kind, int fold, size_t i)
{
    uint32_t c = kind == 1   ? ((const uint8_t *)data)[i]
                 : kind == 2 ? ((const uint16_t *)data)[i]
                             : ((const uint32_t *)data)[i];
    return fold ? qc_fold_latin(c) : c;
}

/* kind, fold and pf (prefilter on) are constants at every call, so each
   use compiles to its own loop without per-character branches on them. */
QC_HOT qc_status scan_overlapping(const qc_matcher *m, const void *data, size_t len,
                                  int kind, int fold, int pf, hit_log *log)
{
    uint32_t state = 0;
    for (size_t i = pf ? pf_skip(m, data, len, kind, 0) : 0; i < len; i++) {
        uint32_t c = load(data, kind, fold, i);
        /* the root's answer does not depend on the state: look it up while
           the state is still being resolved */
        uint32_t r = root_child(m, c);
        for (;;) {
            if (state == 0) {
                state = r;
                break;
            }
            uint32_t g = child(m, state, c);
            if (g != 0) {
                state = g;
                break;
            }
            state = m->node[state].fail;
        }
        for (uint32_t h = m->node[state].hit; h != 0; h = m->out[h - 1].next) {
            qc_status status = push(log, i + 1, h - 1);
            if (status != QC_OK)
                return status;
        }
        /* Back to skipping when the automaton is as good as at the root
           for position i + 1: at the root, or at a root's child (the
           outputs at i are out) whose pair with i + 1 begins no pattern,
           so that i + 1 fails back to the root anyway. */
        if (pf && state < m->depth2 && i + 1 < len &&
            (state == 0 || !pf_pair_at(m, data, kind, i))) {
            state = 0;
            i = pf_skip(m, data, len, kind, i + 1) - 1; /* >= i */
        }
    }
    return QC_OK;
}

QC_HOT qc_status scan_longest(const qc_matcher *m, const void *data, size_t len,
                              int kind, int fold, int pf, hit_log *log)
{
    size_t i = 0;
    for (;;) {
        /* every walk starts at the root: skip to where a pattern may start */
        if (pf)
            i = pf_skip(m, data, len, kind, i);
        if (i >= len)
            break;
        uint32_t node = 0, best = 0;
        size_t best_end = 0;
        for (size_t j = i; j < len; j++) {
            node = any_child(m, node, load(data, kind, fold, j));
            if (node == 0)
                break;
            uint32_t h = m->node[node].hit;
            if (h != 0 && m->out[h - 1].length == j + 1 - i) {
                best = h;
                best_end = j + 1;
            }
        }
        if (best == 0) {
            i++;
            continue;
        }
        qc_status status = push(log, best_end, best - 1);
        if (status != QC_OK)
            return status;
        i = best_end;
    }
    return QC_OK;
}

static qc_status match_one(const qc_matcher *m, const qc_str *s, qc_matchmode mode,
                           hit_log *log)
{
    int pf = m->pf_pair != NULL;
#define QC_SCAN(fn)                                                           \
    switch (s->kind * 4 + m->fold * 2 + pf) {                                 \
    case 4: return fn(m, s->data, s->len, 1, 0, 0, log);                      \
    case 5: return fn(m, s->data, s->len, 1, 0, 1, log);                      \
    case 6: return fn(m, s->data, s->len, 1, 1, 0, log);                      \
    case 7: return fn(m, s->data, s->len, 1, 1, 1, log);                      \
    case 8: return fn(m, s->data, s->len, 2, 0, 0, log);                      \
    case 9: return fn(m, s->data, s->len, 2, 0, 1, log);                      \
    case 10: return fn(m, s->data, s->len, 2, 1, 0, log);                     \
    case 11: return fn(m, s->data, s->len, 2, 1, 1, log);                     \
    case 16: return fn(m, s->data, s->len, 4, 0, 0, log);                     \
    case 17: return fn(m, s->data, s->len, 4, 0, 1, log);                     \
    case 18: return fn(m, s->data, s->len, 4, 1, 0, log);                     \
    default: return fn(m, s->data, s->len, 4, 1, 1, log);                     \
    }
    if (mode == QC_MATCH_OVERLAPPING)
        QC_SCAN(scan_overlapping)
    QC_SCAN(scan_longest)
#undef QC_SCAN
}

/* Makes room for extra more rows in out. */
static qc_status reserve(qc_matches *out, size_t extra)
{
    if (extra > SIZE_MAX - out->n)
        return QC_EOVERFLOW;
    qc_growable columns[] = {{&out->text, sizeof *out->text},
                             {&out->start, sizeof *out->start},
                             {&out->end, sizeof *out->end},
                             {&out->pattern, sizeof *out->pattern}};
    return qc_grow(&out->capacity, out->n + extra, columns, 4);
}

qc_status qc_match(const qc_matcher *m, const qc_str *texts, size_t n_texts,
                   qc_matchmode mode, size_t max_matches, qc_matches *out,
                   qc_errinfo *err)
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
    hit_log log = {.limit = max_matches};
    size_t *upto = qc_malloc(n_texts, sizeof *upto); /* log.n after text t */
    qc_status status = upto == NULL ? QC_ENOMEM : QC_OK;
    for (size_t t = 0; status == QC_OK && t < n_texts; t++) {
        status = match_one(m, &texts[t], mode, &log);
        upto[t] = log.n;
        if (status == QC_ELIMIT)
            qc_fail(err, QC_ELIMIT, "max_matches", t,
                    max_matches > INT64_MAX ? INT64_MAX : (int64_t)max_matches, 0,
                    "the texts hold more matches than this");
    }
    if (status == QC_OK)
        status = reserve(out, log.n);
    if (status != QC_OK || log.n == 0) /* no rows: out's columns may be NULL */
        goto cleanup;
    int64_t *text = out->text + out->n, *start = out->start + out->n,
            *end = out->end + out->n, *pattern = out->pattern + out->n;
    size_t t = 0;
    for (size_t k = 0; k < log.n; k++) {
        const hit_chunk *chunk = log.chunks[k / CHUNK];
        const out_entry *e = &m->out[chunk->entry[k % CHUNK]];
        while (upto[t] <= k)
            t++;
        text[k] = (int64_t)t;
        end[k] = chunk->end[k % CHUNK];
        start[k] = end[k] - (int64_t)e->length;
        pattern[k] = e->pattern;
    }
    out->n += log.n;
cleanup:
    hit_log_free(&log);
    qc_free(upto);
    return status;
}
