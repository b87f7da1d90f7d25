/*
 * qc/codebook.h: the codebook's hierarchy and the maps that roll codes up to
 * any codebook dimension (a hierarchy level or a set of code groups).
 *
 * Codes are numbered 0..n_codes-1. parent[i] is the index of code i's parent
 * or -1 for a root.
 */
#ifndef QC_CODEBOOK_H
#define QC_CODEBOOK_H

#include "qc/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Checks that every parent[i] lies in [-1, n_codes) and that no parent chain
 * loops, and writes each code's depth (roots have depth 0) into depth[i].
 *
 * Errors: QC_EINDEX (err names "parent" and the element), QC_ECYCLE (err
 * names a code on the cycle), QC_ENOMEM. O(n_codes) time, one scratch array
 * of n_codes.
 */
qc_status qc_hierarchy_depth(const int64_t *parent, size_t n_codes,
                             int32_t *depth, qc_errinfo *err);

/*
 * A dimension map in CSR form: code i counts toward the targets
 * target[indptr[i]] .. target[indptr[i+1] - 1], in ascending order with no
 * repeats. Targets are numbered 0..n_targets-1 (the codes of one hierarchy
 * level, or the groups of one group set).
 */
typedef struct {
    size_t n_codes;
    size_t n_targets;
    int64_t *indptr; /* n_codes + 1 entries, owned */
    int64_t *target; /* indptr[n_codes] entries, owned */
} qc_dimmap;

typedef enum {
    /* a code takes the direct targets of the nearest code on its path to the
       root (itself included) that has any: how a hierarchy level rolls up */
    QC_INHERIT_NEAREST = 0,
    /* a code takes the union of the direct targets of every code on its path
       to the root (itself included): how group membership rolls down */
    QC_INHERIT_ALL = 1
} qc_inherit;

/*
 * Builds the dimension map of a codebook dimension from the direct
 * assignments direct_target[direct_indptr[i] .. direct_indptr[i+1]-1] of each
 * code i (n_direct assignments in all) (for a level: the code itself when it sits at that level; for a group
 * set: the groups that list the code as a member). On success *out owns two
 * arrays; release them with qc_dimmap_free. On failure *out holds nothing.
 *
 * Errors: QC_EINDEX, QC_EORDER (direct_indptr), QC_ECYCLE, QC_ENOMEM.
 * O(n_codes * depth + assignments) time.
 */
qc_status qc_dimmap_build(const int64_t *parent, size_t n_codes,
                          const int64_t *direct_indptr,
                          const int64_t *direct_target, size_t n_direct,
                          size_t n_targets, qc_inherit mode, qc_dimmap *out,
                          qc_errinfo *err);

/* Releases what qc_dimmap_build stored; NULL-safe and idempotent. */
void qc_dimmap_free(qc_dimmap *map);

/*
 * A borrowed, read-only dimension map: what counting kernels take, whether
 * the arrays came from qc_dimmap_build or from a caller (numpy arrays held by
 * the binding). Kernels validate a view before using it.
 */
typedef struct {
    size_t n_codes;
    size_t n_targets;
    const int64_t *indptr; /* n_codes + 1 entries */
    const int64_t *target; /* indptr[n_codes] entries */
    size_t n_entries;      /* length of target */
} qc_dimview;

/* A view of an owned map; valid while the map is. */
qc_dimview qc_dimmap_view(const qc_dimmap *map);

/* Checks a view's offsets and that every target is below n_targets. */
qc_status qc_dimview_check(const qc_dimview *view, qc_errinfo *err);

#ifdef __cplusplus
}
#endif

#endif /* QC_CODEBOOK_H */
