/*
 * The window walk of qc_count_pairs (qc/wordpairs.h): co-word pairs in a
 * sliding window counted by their lower id, without a list of pair
 * occurrences, on threads. It is the hot path of co-word counting, and
 * most of this file is about memory: a layout with gaps so that neighbours
 * need no bounds checks, positions listed per id so that only one id's
 * tallies are live at a time, and output columns that the first two ranges
 * of ids share so that most pairs are never copied. The long comment below
 * says how; wordpairs.c decides when the walk is used (qc_window_walk_fits)
 * and merges what it returns.
 */
#include "qc/terms_internal.h"
#include "qc/parallel.h"

#include <assert.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/*
 * Window pairs by their lower id, without listing pair occurrences. The kept
 * tokens are laid out as uint32 ids with window - 1 GAP entries before and
 * after every text, so a neighbour needs no bounds check, and the positions
 * of each id are listed (a counting sort). For each id a the neighbours
 * b > a of its positions are gathered: a pair of positions is counted once,
 * from its lower id. A few are sorted and counted as runs; many are tallied
 * in a dense array and read back in order through a two-level bit set (only
 * one a's tallies are live at a time, so they stay in cache); many spread
 * thinly over a large vocabulary are sorted with qsort. The pairs thus come
 * sorted by (a, b) with no sort of all pairs.
 *
 * Ids are independent of each other, so ranges of them (cut to hold about
 * the same number of positions) are walked on threads, each with its own
 * tallies. The first two ranges write into one block from a middle place
 * outwards: the first walks its ids downwards and writes its pairs
 * backwards, ending at that place; the second writes forwards from it. The
 * columns of most counts then need no copy (copying a range's pairs cost
 * more than a fifth of the whole on two threads); further ranges write
 * columns of their own, copied after the first two.
 *
 * Equal positions are not equal work: how an id's neighbours spread costs
 * as much as how many there are, and numbering the ids in string order
 * left one of the two ranges 19 ms and the other 12 ms. So the first two
 * take their ids a chunk at a time (qc_claims), each from its own end of
 * the block's middle, and the one that finishes first takes chunks from
 * the far end of the other's range: the first from the top of the second
 * range downwards, the second from the bottom of the first upwards, each
 * in its own direction. What it takes it writes to a buffer of its own;
 * those pairs are copied next to the range's others (whose room in the
 * block holds all its ids' pairs) with the further ranges' columns.
 */
/* outside the enum: ISO C enumerators are ints, and MSVC would make it -1 */
static const uint32_t GAP = UINT32_MAX;
enum {
    FEW = 32,
    CHUNK = 1 << 16,
    MIN_PART_POSITIONS = 1 << 16,
    WIDE = 64,
    CLAIM_POSITIONS = 1 << 12, /* a chunk of ids claimed: under 0.1 ms of walking */
    MIN_COPY_PAIRS = 1 << 18   /* copied per thread, at least: some 0.4 ms */
};

typedef struct {
    uint32_t *ids;      /* the texts, GAP-separated */
    uint32_t *start;    /* per id + 1: its positions are at[start[a]:start[a+1]] */
    uint32_t *at;
    size_t gap;         /* window - 1 */
    size_t n_kept;
} window_layout;

/* Columns b and count that a walk writes pairs in. */
typedef struct {
    int32_t *b;
    int32_t *count;
    size_t start, next; /* its pairs are [start, next), or [next, start) */
    int fixed;          /* its room holds every pair its ids can have */
    size_t capacity;    /* the room of its columns */
} pair_sink;

/* One range of ids being walked: its scratch, and where its pairs go. */
typedef struct {
    size_t first, last; /* the ids a in [first, last) */
    uint32_t *near;     /* neighbours b > a gathered, up to CHUNK + 2 window */
    uint32_t *tally;    /* per id, zero between ids */
    uint64_t *bits;     /* a bit per id and, in summary, a bit per word of */
    uint64_t *summary;  /* bits: zero between ids */
    uint32_t lo, hi;    /* the least and greatest b tallied (or any id) */
    int bounded;        /* lo and hi tracked: more than WIDE summary words */
    int backward;       /* ids downwards, pairs at decreasing places */
    int shared;         /* own is in the block of the first two ranges */
    pair_sink own;      /* its own ids' pairs (columns of its own, or the block) */
    pair_sink taken;    /* the pairs of ids taken from the other shared range */
} window_part;

/* Pairs copied to offset in the joined columns. */
typedef struct {
    const int32_t *b;
    const int32_t *count;
    size_t n, offset;
} pair_copy;

typedef struct {
    const window_layout *layout;
    window_part *parts;
    size_t n_parts, n_vocab;
    int64_t *pair_start;  /* per a + 1: its pairs, then where they start */
    qc_claims claims[2];  /* the ids of the first two ranges, when they share */
    size_t room[2];       /* and the most pairs each range's ids can have */
    pair_copy copies[QC_MAX_PARTS + 2];
    size_t n_copies, copied, n_copiers; /* pairs to copy, split n_copiers ways */
    qc_wordpairs *joined;
} window_job;

/* The layout fits when positions take 32 bits, and the gaps and the
   arrays over ids are no larger than a few times the tokens (or a floor),
   so memory stays O(tokens). */
int qc_window_walk_fits(size_t n_docs, size_t n_tokens, size_t n_vocab, size_t window)
{
    if (n_vocab > 4 * n_tokens + ((size_t)1 << 20))
        return 0;
    size_t gaps = n_docs + 1;
    if (gaps > (UINT32_MAX - 1) / window)
        return 0;
    gaps *= window - 1;
    /* and every pair occurrence (so any tally) countable in 32 bits */
    return gaps <= n_tokens + ((size_t)1 << 20) && n_tokens < (size_t)UINT32_MAX - 1 - gaps &&
           n_tokens <= UINT32_MAX / window;
}

static unsigned lowest_bit(uint64_t x)
{
    return qc_ctz64(x);
}

static unsigned highest_bit(uint64_t x)
{
    return 63 - qc_clz64(x);
}

static int compare_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a > b) - (a < b);
}

/* Writes the runs of the sorted near[0..c) as pairs to out; returns their
   lengths or-ed together. */
static uint32_t append_runs(const uint32_t *near, size_t c, pair_sink *out, int backward)
{
    /* locals: a store to count could alias out->next */
    int32_t *b = out->b;
    int32_t *count = out->count;
    size_t next = out->next;
    uint32_t any = 0; /* c < 2^32: near holds CHUNK + 2 window */
    if (!backward) {
        for (size_t i = 0; i < c;) {
            size_t j = i + 1;
            while (j < c && near[j] == near[i])
                j++;
            b[next] = (int32_t)near[i];
            count[next++] = (int32_t)(j - i);
            any |= (uint32_t)(j - i);
            i = j;
        }
    } else {
        for (size_t j = c; j > 0;) {
            size_t i = j - 1;
            while (i > 0 && near[i - 1] == near[j - 1])
                i--;
            b[--next] = (int32_t)near[j - 1];
            count[next] = (int32_t)(j - i);
            any |= (uint32_t)(j - i);
            j = i;
        }
    }
    out->next = next;
    return any;
}

/* Adds near[0..c) to the tallies and the bit sets; in a wide vocabulary,
   also to the least and greatest b tallied, so that reading back need not
   visit every summary word. */
static void tally_near(window_part *w, size_t c)
{
    /* locals: the tallies are uint32 too, so w->lo could alias them */
    uint32_t lo = w->lo, hi = w->hi, *tally = w->tally;
    uint64_t *bits = w->bits, *summary = w->summary;
    const uint32_t *near = w->near;
    if (!w->bounded) {
        for (size_t i = 0; i < c; i++) {
            uint32_t b = near[i];
            tally[b]++;
            bits[b >> 6] |= (uint64_t)1 << (b & 63);
            summary[b >> 12] |= (uint64_t)1 << (b >> 6 & 63);
        }
        return;
    }
    for (size_t i = 0; i < c; i++) {
        uint32_t b = near[i];
        tally[b]++;
        bits[b >> 6] |= (uint64_t)1 << (b & 63);
        summary[b >> 12] |= (uint64_t)1 << (b >> 6 & 63);
        lo = b < lo ? b : lo;
        hi = b > hi ? b : hi;
    }
    w->lo = lo;
    w->hi = hi;
}

/* Writes w's tallied b's, in order, as pairs to out, clearing the tallies
   and bit sets; returns the tallies or-ed together (above INT32_MAX when
   one does not fit its int32 count). */
static uint32_t append_tallied(window_part *w, pair_sink *out)
{
    int32_t *b_col = out->b;
    int32_t *count = out->count;
    uint32_t *tally = w->tally, any = 0;
    uint64_t *bits = w->bits, *summary = w->summary;
    size_t next = out->next, first = w->lo >> 12, last = w->hi >> 12;
    if (!w->backward) {
        for (size_t s = first; s <= last; s++) {
            uint64_t words = summary[s];
            summary[s] = 0;
            for (; words != 0; words &= words - 1) {
                size_t word = s * 64 + lowest_bit(words);
                uint64_t x = bits[word];
                bits[word] = 0;
                for (; x != 0; x &= x - 1) {
                    size_t b = word * 64 + lowest_bit(x);
                    uint32_t t = tally[b]; /* once: count could alias tally */
                    b_col[next] = (int32_t)b;
                    count[next++] = (int32_t)t;
                    any |= t;
                    tally[b] = 0;
                }
            }
        }
    } else {
        for (size_t s = last + 1; s-- > first;) {
            uint64_t words = summary[s];
            summary[s] = 0;
            for (; words != 0; words ^= (uint64_t)1 << highest_bit(words)) {
                size_t word = s * 64 + highest_bit(words);
                uint64_t x = bits[word];
                bits[word] = 0;
                for (; x != 0; x ^= (uint64_t)1 << highest_bit(x)) {
                    size_t b = word * 64 + highest_bit(x);
                    uint32_t t = tally[b];
                    b_col[--next] = (int32_t)b;
                    count[next] = (int32_t)t;
                    any |= t;
                    tally[b] = 0;
                }
            }
        }
    }
    out->next = next;
    if (w->bounded) {
        w->lo = UINT32_MAX;
        w->hi = 0;
    }
    return any;
}

/* Room for need pairs in the columns *b and *count, which have room for
   *capacity. */
static qc_status reserve_pairs(int32_t **b, int32_t **count, size_t *capacity, size_t need)
{
    qc_growable columns[] = {{b, sizeof **b}, {count, sizeof **count}};
    return qc_grow(capacity, need, columns, 2);
}

/* The pairs written to a sink, and where the first of them is. */
static size_t sink_written(const pair_sink *s, int backward)
{
    return backward ? s->start - s->next : s->next - s->start;
}

static size_t sink_first(const pair_sink *s, int backward)
{
    return backward ? s->next : s->start;
}

/* A sink with room for n pairs, written from its end when backward. */
static qc_status fixed_sink_init(pair_sink *s, size_t n, int backward)
{
    s->b = qc_malloc(n + 1, sizeof *s->b);
    s->count = qc_malloc(n + 1, sizeof *s->count);
    s->start = s->next = backward ? n : 0;
    s->fixed = 1;
    s->capacity = n + 1;
    return s->b == NULL || s->count == NULL ? QC_ENOMEM : QC_OK;
}

/* Room for need more pairs in a sink (growable ones are written forwards;
   a fixed one was given room for every pair its ids can have). */
static qc_status reserve_sink(pair_sink *s, size_t need, int backward)
{
    if (s->fixed) {
        assert(backward ? need <= s->next : need <= s->capacity - s->next);
        return QC_OK;
    }
    assert(!backward);
    return reserve_pairs(&s->b, &s->count, &s->capacity, s->next + need);
}

static void window_layout_free(window_layout *w)
{
    qc_free(w->ids);
    qc_free(w->start);
    qc_free(w->at);
}

static void window_part_free_scratch(window_part *w)
{
    qc_free(w->near);
    qc_free(w->tally);
    qc_free(w->bits);
    qc_free(w->summary);
    w->near = w->tally = NULL;
    w->bits = w->summary = NULL;
}

static void window_part_free(window_part *w)
{
    window_part_free_scratch(w);
    if (!w->shared) {
        qc_free(w->own.b);
        qc_free(w->own.count);
    }
    qc_free(w->taken.b);
    qc_free(w->taken.count);
    w->own = w->taken = (pair_sink){0};
}

/* One range of texts being laid out. Its region of ids starts where its
   first text would with every token kept, so ranges need not wait for each
   other; what dropped tokens leave free at the region's end is gap. */
typedef struct {
    size_t first, last; /* the texts [first, last) */
    size_t from, to;    /* its region of ids */
    uint32_t *cursor;   /* per id: its kept tokens in these texts, then where
                           its next position goes in at */
    qc_errinfo err;
} layout_part;

typedef struct {
    window_layout *layout;
    layout_part *parts;
    const int64_t *indptr, *tokens;
    const uint8_t *keep;
    size_t n_vocab;
} layout_job;

/* Checks one range's tokens, writes the kept ones (each text followed by
   the gap) and counts them by id (a qc_part_fn). */
static qc_status write_kept(void *context, size_t part)
{
    const layout_job *job = context;
    layout_part *w = &job->parts[part];
    uint32_t *ids = job->layout->ids;
    const size_t gap = job->layout->gap;
    size_t n = w->from;
    for (size_t d = w->first; d < w->last; d++) {
        size_t before = n;
        for (int64_t i = job->indptr[d]; i < job->indptr[d + 1]; i++) {
            int64_t t = job->tokens[i];
            if (t < 0 || (uint64_t)t >= job->n_vocab)
                return qc_fail(&w->err, QC_EINDEX, "tokens", (size_t)i, t,
                               (int64_t)job->n_vocab, "must be a token id below n_vocab");
            if (job->keep == NULL || job->keep[t]) {
                ids[n++] = (uint32_t)t;
                w->cursor[t]++;
            }
        }
        if (n > before) {
            for (size_t i = 0; i < gap; i++)
                ids[n++] = GAP;
        }
    }
    for (; n < w->to; n++)
        ids[n] = GAP;
    return QC_OK;
}

/* Lists the positions of one range's ids (a qc_part_fn). */
static qc_status list_positions(void *context, size_t part)
{
    const layout_job *job = context;
    const layout_part *w = &job->parts[part];
    const uint32_t *ids = job->layout->ids;
    uint32_t *at = job->layout->at, *cursor = w->cursor;
    for (size_t i = w->from; i < w->to; i++) {
        if (ids[i] != GAP)
            at[cursor[ids[i]]++] = (uint32_t)i;
    }
    return QC_OK;
}

/* Lays out the kept tokens (checking them) and lists each id's positions,
   ranges of texts on up to n_threads threads. */
static qc_status window_walk_layout(window_layout *w, const int64_t *indptr, size_t n_docs,
                                    const int64_t *tokens, size_t n_vocab,
                                    const uint8_t *keep, size_t window, size_t n_threads,
                                    qc_errinfo *err)
{
    layout_part parts[QC_MAX_PARTS];
    size_t cut[QC_MAX_PARTS + 1], n_tokens = (size_t)indptr[n_docs], gap = window - 1;
    /* a cursor array per range: no more ranges than the tokens pay for */
    size_t affordable = n_tokens / (n_vocab + 1);
    size_t n_parts = qc_part_count(n_tokens, MIN_PART_POSITIONS,
                                   n_threads < affordable ? n_threads : affordable);
    qc_cut_by_offsets(indptr, n_docs, n_parts, cut);
    memset(parts, 0, sizeof parts);
    w->gap = gap;
    w->ids = qc_malloc(gap + n_tokens + n_docs * gap, sizeof *w->ids);
    w->start = qc_malloc(n_vocab + 1, sizeof *w->start);
    qc_status status = w->ids == NULL || w->start == NULL ? QC_ENOMEM : QC_OK;
    for (size_t p = 0; p < n_parts && status == QC_OK; p++) {
        parts[p].first = cut[p];
        parts[p].last = cut[p + 1];
        parts[p].from = gap + (size_t)indptr[cut[p]] + cut[p] * gap;
        parts[p].to = gap + (size_t)indptr[cut[p + 1]] + cut[p + 1] * gap;
        parts[p].cursor = qc_calloc(n_vocab + 1, sizeof *parts[p].cursor);
        if (parts[p].cursor == NULL)
            status = QC_ENOMEM;
    }
    layout_job job = {w, parts, indptr, tokens, keep, n_vocab};
    if (status == QC_OK) {
        for (size_t i = 0; i < gap; i++)
            w->ids[i] = GAP;
        status = qc_run_parts(n_parts, write_kept, &job);
    }
    for (size_t p = 0; p < n_parts && status != QC_OK; p++) {
        if (parts[p].err.arg != NULL) { /* the first bad token */
            if (err != NULL)
                *err = parts[p].err;
            break;
        }
    }
    if (status != QC_OK)
        goto cleanup;
    /* each id's positions in at: the ranges' counts in turn */
    uint32_t running = 0;
    for (size_t a = 0; a < n_vocab; a++) {
        w->start[a] = running;
        for (size_t p = 0; p < n_parts; p++) {
            uint32_t count = parts[p].cursor[a];
            parts[p].cursor[a] = running;
            running += count;
        }
    }
    w->start[n_vocab] = running;
    w->n_kept = running;
    w->at = qc_malloc(w->n_kept + 1, sizeof *w->at);
    if (w->at == NULL) {
        status = QC_ENOMEM;
        goto cleanup;
    }
    status = qc_run_parts(n_parts, list_positions, &job);
cleanup:
    for (size_t p = 0; p < n_parts; p++)
        qc_free(parts[p].cursor);
    return status;
}

/* The columns a range of `positions` positions reserves when it has its
   own: every pair occurrence could be a new pair, but reserving that much
   (up to a bound) is only address space until it is written. */
static size_t own_capacity(size_t positions, size_t window)
{
    size_t capacity = positions * (window - 1);
    return capacity < 4 * positions + ((size_t)1 << 16) ? capacity
                                                          : 4 * positions + ((size_t)1 << 16);
}

/* Room for every pair the first two ranges can find (an id a has at most
   2 (window - 1) neighbours per position, and n_vocab - 1 - a ids above
   it), in room[0] and room[1]; whether they may share a block: only when
   that is at most twice what their own columns would reserve. */
static int block_room(const window_layout *layout, size_t n_vocab, const size_t *cut,
                      size_t window, size_t room[2])
{
    uint64_t most[2] = {0, 0}, own = 0; /* 64 bits: tokens x window x 2 */
    for (size_t p = 0; p < 2; p++) {
        for (size_t a = cut[p]; a < cut[p + 1]; a++) {
            uint64_t k = layout->start[a + 1] - layout->start[a];
            uint64_t found = 2 * (uint64_t)(window - 1) * k, above = n_vocab - 1 - a;
            most[p] += found < above ? found : above;
        }
        own += own_capacity(layout->start[cut[p + 1]] - layout->start[cut[p]], window);
    }
    if (most[0] + most[1] > 2 * own || most[0] + most[1] >= SIZE_MAX / sizeof(int64_t))
        return 0;
    room[0] = (size_t)most[0];
    room[1] = (size_t)most[1];
    return 1;
}

/* The scratch of a range that walks `positions` positions, and its own
   columns unless it writes in the block. */
static qc_status window_part_init(window_part *w, size_t n_vocab, size_t window,
                                  size_t positions)
{
    w->tally = qc_calloc(n_vocab + 1, sizeof *w->tally);
    w->near = qc_malloc(CHUNK + 2 * window, sizeof *w->near);
    w->bits = qc_calloc(n_vocab / 64 + 1, sizeof *w->bits);
    w->summary = qc_calloc(n_vocab / 4096 + 1, sizeof *w->summary);
    w->bounded = n_vocab / 4096 + 1 > WIDE;
    w->lo = w->bounded ? UINT32_MAX : 0;
    w->hi = w->bounded || n_vocab == 0 ? 0 : (uint32_t)(n_vocab - 1);
    if (w->tally == NULL || w->near == NULL || w->bits == NULL || w->summary == NULL)
        return QC_ENOMEM;
    if (w->own.fixed) /* block_room gave it room in the block */
        return QC_OK;
    return reserve_sink(&w->own, own_capacity(positions, window), 0);
}

/* Walks the ids [first, last) with w's scratch, in w's direction, writing
   their pairs to out. */
static qc_status walk_ids(const window_job *job, window_part *w, pair_sink *out, size_t first,
                          size_t last)
{
    const window_layout *layout = job->layout;
    enum { AHEAD = 32 }; /* occurrences: about the latency of a miss to L3 */
    const size_t gap = layout->gap;
    const int backward = w->backward;
    const uint32_t *ids = layout->ids, *at = layout->at;
    uint32_t *near = w->near;
    /* positions are walked in the order of the ids, so the next ones to
       fetch lie AHEAD places on (the next chunk's, when the walk gets
       there, are mostly its own) */
    const size_t highest = layout->n_kept;
    /* this thread's: test builds lower it per thread */
    const uint32_t count_max = qc_pair_count_max();
    for (size_t i = first; i < last; i++) {
        size_t a = backward ? first + last - 1 - i : i;
        size_t from = layout->start[a], to = layout->start[a + 1], before = out->next;
        /* b counts when in (a, GAP): one unsigned compare, no branch */
        const uint32_t above = (uint32_t)a + 1, span = GAP - above;
        size_t c = 0, tallied = 0;
        for (size_t k = from; k < to; k++) {
            size_t j = k;
            if (!backward) {
                if (j + AHEAD < highest) {
                    QC_PREFETCH(&ids[at[j + AHEAD] - gap]);
                    QC_PREFETCH(&ids[at[j + AHEAD] + gap]);
                }
            } else {
                j = from + to - 1 - k;
                if (j >= AHEAD) {
                    QC_PREFETCH(&ids[at[j - AHEAD] - gap]);
                    QC_PREFETCH(&ids[at[j - AHEAD] + gap]);
                }
            }
            const uint32_t *here = ids + at[j];
            for (size_t d = 1; d <= gap; d++) {
                uint32_t b = here[d];
                near[c] = b;
                c += b - above < span;
                b = here[-(ptrdiff_t)d];
                near[c] = b;
                c += b - above < span;
            }
            if (c >= CHUNK) {
                tally_near(w, c);
                tallied += c;
                c = 0;
            }
        }
        /* gathered neighbours are tallied at CHUNK, so c stays below it:
           near (CHUNK + 2 window entries) held every write, and the runs'
           lengths that append_runs ors together fit 32 bits */
        assert(c < CHUNK);
        /* at most one pair per neighbour gathered, and per id above a (the
           bound block_room gave the shared ranges room for) */
        size_t most = job->n_vocab - 1 - a;
        qc_status status = reserve_sink(out, c + tallied < most ? c + tallied : most, backward);
        if (status != QC_OK)
            return status;
        uint32_t counts; /* or-ed together */
        if (tallied == 0 && c <= FEW) {
            for (size_t m = 1; m < c; m++) { /* insertion sort */
                uint32_t v = near[m];
                size_t n = m;
                for (; n > 0 && near[n - 1] > v; n--)
                    near[n] = near[n - 1];
                near[n] = v;
            }
            counts = append_runs(near, c, out, backward);
        } else {
            /* sorted instead when spread over so many summary words that
               reading them back costs more; only a vocabulary of 4 c
               summary words or more can spread them that far */
            int sparse = 0;
            if (tallied == 0 && (job->n_vocab >> 12) >= 4 * c) {
                uint32_t lo = UINT32_MAX, hi = 0;
                for (size_t m = 0; m < c; m++) {
                    lo = near[m] < lo ? near[m] : lo;
                    hi = near[m] > hi ? near[m] : hi;
                }
                sparse = (hi >> 12) - (lo >> 12) >= 4 * c;
            }
            if (sparse) {
                qsort(near, c, sizeof *near, compare_u32);
                counts = append_runs(near, c, out, backward);
            } else {
                tally_near(w, c);
                counts = append_tallied(w, out);
            }
        }
        /* a count passes INT32_MAX only in the likes of a window of
           thousands over a token of a million places */
        if (counts > count_max)
            return QC_EOVERFLOW;
        job->pair_start[a + 1] = (int64_t)(backward ? before - out->next : out->next - before);
    }
    return QC_OK;
}

/* Walks the ids of one range (a qc_part_fn): when the first two share the
   block, a chunk at a time from its end, then chunks of the other's. */
static qc_status walk_part(void *context, size_t part)
{
    window_job *job = context;
    window_part *w = &job->parts[part];
    if (!w->shared)
        return walk_ids(job, w, &w->own, w->first, w->last);
    const uint32_t *positions_before = job->layout->start;
    assert(part < 2); /* only the first two ranges share the block */
    qc_status status = QC_OK;
    size_t first, last;
    while (status == QC_OK && qc_claim(&job->claims[part], w->backward, positions_before,
                                       CLAIM_POSITIONS, &first, &last))
        status = walk_ids(job, w, &w->own, first, last);
    while (status == QC_OK && qc_claim(&job->claims[1 - part], w->backward, positions_before,
                                       CLAIM_POSITIONS, &first, &last)) {
        if (w->taken.b == NULL) /* room for all of the other range's pairs */
            status = fixed_sink_init(&w->taken, job->room[1 - part], w->backward);
        if (status == QC_OK)
            status = walk_ids(job, w, &w->taken, first, last);
    }
    return status;
}

/* Copies slice t of n_copiers equal slices of the pairs not in place into
   the joined columns (a qc_part_fn): the ranges after the first two (after
   the first when they did not share the block), and the ids taken from
   another range. Slices of the copying rather than of the columns: the
   pairs taken lie at one end, and a slice of the columns would give all of
   them to one thread. */
static qc_status join_slice(void *context, size_t t)
{
    const window_job *job = context;
    qc_wordpairs *joined = job->joined;
    size_t from = job->copied * t / job->n_copiers, to = job->copied * (t + 1) / job->n_copiers;
    size_t before = 0; /* pairs of the copies before c */
    for (size_t i = 0; i < job->n_copies; before += job->copies[i++].n) {
        const pair_copy *c = &job->copies[i];
        size_t lo = before > from ? before : from;
        size_t hi = before + c->n < to ? before + c->n : to;
        if (lo < hi) {
            size_t at = c->offset + (lo - before);
            memcpy(joined->b + at, c->b + (lo - before), (hi - lo) * sizeof *joined->b);
            memcpy(joined->count + at, c->count + (lo - before),
                   (hi - lo) * sizeof *joined->count);
        }
    }
    return QC_OK;
}

/* Adds the pairs of sink s (written in direction backward) to the copies at
   offset; returns how many. */
static size_t copy_later(window_job *job, const pair_sink *s, int backward, size_t offset)
{
    size_t n = sink_written(s, backward), first = sink_first(s, backward);
    assert(job->n_copies < QC_MAX_PARTS + 2); /* the ranges, and two taken sinks */
    if (n > 0)
        job->copies[job->n_copies++] = (pair_copy){s->b + first, s->count + first, n, offset};
    job->copied += n;
    return n;
}

qc_status qc_count_window_pairs(const int64_t *indptr, size_t n_docs, const int64_t *tokens,
                                size_t n_vocab, const uint8_t *keep, size_t window,
                                size_t n_threads, qc_wordpairs *pairs, qc_errinfo *err)
{
    window_layout layout = {0};
    window_part parts[QC_MAX_PARTS];
    size_t cut[QC_MAX_PARTS + 1], n_parts = 1, room[2] = {0, 0};
    int64_t *pair_start = NULL;
    qc_wordpairs block = {0}, joined = {0};
    memset(parts, 0, sizeof parts);
    qc_status status = window_walk_layout(&layout, indptr, n_docs, tokens, n_vocab, keep,
                                          window, n_threads, err);
    if (status != QC_OK)
        goto cleanup;
    n_parts = qc_part_count(layout.n_kept, MIN_PART_POSITIONS, n_threads);
    qc_cut_by_weight(layout.start, n_vocab, n_parts, cut);
    pair_start = qc_malloc(n_vocab + 1, sizeof *pair_start);
    if (pair_start == NULL) {
        status = QC_ENOMEM;
        goto cleanup;
    }
    int share = n_parts >= 2 && block_room(&layout, n_vocab, cut, window, room);
    size_t capacity = share ? room[0] + room[1] + 1 : 0;
    if (share) {
        block.b = qc_malloc(capacity, sizeof *block.b);
        block.count = qc_malloc(capacity, sizeof *block.count);
        if (block.b == NULL || block.count == NULL) {
            status = QC_ENOMEM;
            goto cleanup;
        }
    }
    for (size_t p = 0; p < n_parts && status == QC_OK; p++) {
        window_part *w = &parts[p];
        w->first = cut[p];
        w->last = cut[p + 1];
        if (share && p < 2) {
            w->backward = p == 0;
            w->shared = 1;
            w->own = (pair_sink){block.b, block.count, room[0], room[0], 1, capacity};
        }
        status = window_part_init(w, n_vocab, window,
                                  layout.start[cut[p + 1]] - layout.start[cut[p]]);
    }
    if (status != QC_OK)
        goto cleanup;
    window_job job = {.layout = &layout, .parts = parts, .n_parts = n_parts, .n_vocab = n_vocab,
                      .pair_start = pair_start, .room = {room[0], room[1]}, .joined = &joined};
    if (share) {
        qc_claims_init(&job.claims[0], cut[0], cut[1]);
        qc_claims_init(&job.claims[1], cut[1], cut[2]);
    }
    status = qc_run_parts(n_parts, walk_part, &job);
    if (status != QC_OK)
        goto cleanup;
    /* the scratch goes before the joined columns grow */
    window_layout_free(&layout);
    layout = (window_layout){0};
    for (size_t p = 0; p < n_parts; p++)
        window_part_free_scratch(&parts[p]);
    /* the joined columns in order of a: with the block, the ids the second
       range took from the bottom of the first, the first's own (in place),
       the second's (in place), the ids the first took from the top of the
       second; without, the first range's own columns; then the further
       ranges' */
    size_t total = 0, skip = 0;
    if (share) {
        total += copy_later(&job, &parts[1].taken, 0, total);
        /* the first range's room in the block held its ids' pairs, those the
           second took included: they fit below where its own pairs start */
        assert(parts[0].own.next >= total);
        skip = parts[0].own.next - total;
        total += sink_written(&parts[0].own, 1) + sink_written(&parts[1].own, 0);
        total += copy_later(&job, &parts[0].taken, 1, total);
        joined.b = block.b;
        joined.count = block.count;
        block = (qc_wordpairs){0};
    } else {
        total += sink_written(&parts[0].own, 0);
        joined.b = parts[0].own.b;
        joined.count = parts[0].own.count;
        capacity = parts[0].own.capacity;
        parts[0].own.b = NULL;
        parts[0].own.count = NULL;
    }
    for (size_t p = share ? 2 : 1; p < n_parts; p++)
        total += copy_later(&job, &parts[p].own, 0, total);
    status = reserve_pairs(&joined.b, &joined.count, &capacity, skip + total);
    if (status != QC_OK)
        goto cleanup;
    joined.skip = skip;
    if (skip > 0) { /* with nothing to skip the arrays may still be NULL */
        joined.b += skip;
        joined.count += skip;
    }
    joined.n = total;
    pair_start[0] = 0;
    for (size_t a = 0; a < n_vocab; a++)
        pair_start[a + 1] += pair_start[a];
    joined.row_start = pair_start;
    joined.n_rows = n_vocab;
    pair_start = NULL;
    /* the pairs taken from another range (a tenth or fewer) are copied on
       this thread alone: that is shorter than starting a thread, and when a
       thread ran slow (so the other took its ids) half the copy would be
       back on it */
    job.n_copiers = qc_part_count(job.copied, MIN_COPY_PAIRS, n_parts);
    if (job.copied > 0)
        status = qc_run_parts(job.n_copiers, join_slice, &job);
    if (status == QC_OK)
        status = qc_wordpairs_merge(pairs, &joined);
cleanup:
    window_layout_free(&layout);
    for (size_t p = 0; p < n_parts; p++)
        window_part_free(&parts[p]);
    qc_free(pair_start);
    qc_wordpairs_clear(&block);
    qc_wordpairs_clear(&joined);
    return status;
}
