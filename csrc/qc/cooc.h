/*
 * qc/cooc.h: co-occurrence of codebook targets within units (items,
 * documents), within overlapping spans, and within windows of items; and the
 * cross-tabulation of two codebook dimensions.
 *
 * The input is a list of *segments*, each carrying some codes: a segment is an
 * item, a document, a distinct coded span (a quotation) or an item in its
 * document's sequence, depending on the unit the caller chose. Codes reach
 * targets through a dimension map (qc/codebook.h). Two targets co-occur
 *
 *   - within one segment, when the segment carries both; and
 *   - across two segments s != t that are neighbours, when one carries the
 *     first target and the other the second. Each neighbouring pair of
 *     segments counts at most once for a pair of targets, and never for a
 *     target with itself.
 *
 * The diagonal (a, a) counts the segments that carry a.
 */
#ifndef QC_COOC_H
#define QC_COOC_H

#include "qc/count.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    QC_NEAR_SELF = 0,   /* segments have no neighbours (items, documents) */
    QC_NEAR_SPAN = 1,   /* [start, end) spans in one space that share a code
                           point, or one of which lies within the other (which
                           covers zero-length spans on or inside the other);
                           spans that only touch do not co-occur */
    QC_NEAR_WINDOW = 2  /* positions start in one space at most `window`
                           apart (end is ignored) */
} qc_near;

/*
 * Segments, borrowed from the caller. The codes of segment s are
 * code[indptr[s] .. indptr[s+1]-1]. For QC_NEAR_SPAN and QC_NEAR_WINDOW the
 * segments must be sorted by (space, start); space, start and end are then
 * required (end only for spans, with start <= end). group (optional) splits
 * the counts: a segment of group -1 is left out, and neighbours co-occur only
 * within one group.
 */
typedef struct {
    size_t n_segments;
    const int64_t *indptr;
    const int64_t *code;
    size_t n_code_entries; /* length of code */
    const int64_t *space;
    const int64_t *start;
    const int64_t *end;
    const int64_t *group;
    size_t n_groups; /* 1 when group is NULL */
} qc_segments;

/*
 * Adds co-occurrence counts to counts, a row-major n_groups x T x T array
 * (T = map->n_targets) the caller owns and has zeroed. Only cells (a, b) with
 * a <= b are written: the matrix is symmetric and the caller mirrors it.
 *
 * Errors: QC_EINVAL, QC_EINDEX, QC_EORDER (segments out of order, or
 * start > end), QC_EOVERFLOW, QC_ENOMEM. Time: O(codes * fan-out + pairs of
 * targets emitted); scratch memory O(n_segments + targets reached + T).
 */
qc_status qc_cooc_dense(const qc_segments *segments, const qc_dimview *map,
                        qc_near near, int64_t window, int64_t *counts,
                        qc_errinfo *err);

/*
 * The same counts for many targets, as sorted triplets: memory grows with
 * the number of distinct (group, a, b) cells that occur, never with T x T.
 * On success *out owns four arrays of out->n entries, sorted by (group, a, b)
 * with a <= b; release them with qc_pairs_free. On failure *out holds nothing.
 */
typedef struct {
    size_t n;
    int64_t *group;
    int64_t *a;
    int64_t *b;
    int64_t *count;
} qc_pairs;

qc_status qc_cooc_sparse(const qc_segments *segments, const qc_dimview *map,
                         qc_near near, int64_t window, qc_pairs *out,
                         qc_errinfo *err);

/* Releases what qc_cooc_sparse stored; NULL-safe and idempotent. */
void qc_pairs_free(qc_pairs *pairs);

/*
 * Cross-tabulation of two dimensions of one codebook over CSR codings (see
 * qc/count.h for qc_codings and the group arguments). Adds to counts, a
 * row-major n_groups x map_a->n_targets x map_b->n_targets array the caller
 * owns and has zeroed.
 *
 * QC_UNIT_CODINGS: each coding adds one to every (a, b) with a among the
 * targets its code reaches in map_a and b among those in map_b.
 * QC_UNIT_ITEMS: each item (per group) adds one to every (a, b) such that
 * some coding of the item reaches a and some coding of the item (the same or
 * another) reaches b.
 *
 * Errors: as qc_count_codes, the maps named "a_indptr", "a_target",
 * "b_indptr" and "b_target". Scratch: O(targets reached per item).
 */
qc_status qc_crosstab(const qc_codings *codings, const qc_dimview *map_a,
                      const qc_dimview *map_b, const int64_t *item_group,
                      const int64_t *coding_group, size_t n_groups,
                      qc_unit unit, int64_t *counts, qc_errinfo *err);

#ifdef __cplusplus
}
#endif

#endif /* QC_COOC_H */
