/*
 * qc/count.h: code frequencies at any codebook dimension, overall or split by
 * a partition of items or codings (document, region, coder, ...).
 */
#ifndef QC_COUNT_H
#define QC_COUNT_H

#include "qc/codebook.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The coded corpus as kernels see it (CSR): the codings of item i sit at
 * positions indptr[i] .. indptr[i+1]-1 and name the codes code[k].
 * Borrowed: the caller owns the arrays.
 */
typedef struct {
    size_t n_items;
    const int64_t *indptr; /* n_items + 1 entries, indptr[n_items] == n_codings */
    const int64_t *code;   /* n_codings entries, each below n_codes */
    size_t n_codings;
    size_t n_codes;
} qc_codings;

typedef enum {
    QC_UNIT_CODINGS = 0, /* every coding counts once per target it reaches */
    QC_UNIT_ITEMS = 1    /* an item counts once per target and group, however
                            many of its codings reach the target (ATLAS.ti's
                            groundedness when targets are codes) */
} qc_unit;

/*
 * Checks what every kernel over CSR codings with an optional split takes:
 * the codings view and its offsets, the unit, and that at most one of
 * item_group and coding_group is given (n_groups == 1 when neither is).
 * Group values themselves are checked by the kernels as they read them.
 */
qc_status qc_check_codings(const qc_codings *codings,
                           const int64_t *item_group,
                           const int64_t *coding_group, size_t n_groups,
                           qc_unit unit, qc_errinfo *err);

/*
 * Adds the frequencies of the targets of `map` to counts, a row-major
 * n_groups x map->n_targets array the caller owns and has zeroed (adding lets
 * counts from two halves of a corpus combine by addition).
 *
 * The split is given by at most one of item_group (n_items entries) and
 * coding_group (one entry per coding, in CSR order); each entry is a group in
 * [0, n_groups) or -1 to leave that item or coding out. With neither,
 * n_groups must be 1 and everything counts in group 0.
 *
 * Errors: QC_EINVAL, QC_EORDER, QC_EINDEX (err names the argument and the
 * element), QC_EOVERFLOW, QC_ENOMEM (QC_UNIT_ITEMS needs one scratch array of
 * n_groups * n_targets). O(codings * targets per code) time.
 */
qc_status qc_count_codes(const qc_codings *codings, const qc_dimview *map,
                         const int64_t *item_group,
                         const int64_t *coding_group, size_t n_groups,
                         qc_unit unit, int64_t *counts, qc_errinfo *err);

#ifdef __cplusplus
}
#endif

#endif /* QC_COUNT_H */
