/*
 * qc/merge.h: partial results added exactly.
 *
 * A statistic that can outgrow one machine is computed piece by piece (a
 * batch of texts, a Dask partition) into a partial result, and the pieces
 * are added. Sparse counts travel as keys sorted without repeats, each with
 * its count; adding two such lists is one merge that sums the counts of keys
 * both hold, so the sum of the pieces is the count of the whole corpus,
 * whatever the order of the additions.
 */
#ifndef QC_MERGE_H
#define QC_MERGE_H

#include "qc/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Adds the sorted counts (key_a, count_a) and (key_b, count_b): out_key and
 * out_count (each with room for n_a + n_b entries, owned by the caller)
 * receive the union of the keys, increasing, with the sum of their counts;
 * *n_out their number. Counts may be negative (a difference of states).
 *
 * Errors: QC_EINVAL (a NULL array of nonzero length), QC_EORDER (keys of an
 * input not strictly increasing: the index and key in err, arg "key_a" or
 * "key_b"), QC_EOVERFLOW (a sum leaves int64: arg "count_a", its index and
 * count, and the bound it broke). On error *n_out is 0 and the outputs hold nothing of use.
 * Time O(n_a + n_b); no memory allocated.
 */
qc_status qc_merge_counts(const int64_t *key_a, const int64_t *count_a, size_t n_a,
                          const int64_t *key_b, const int64_t *count_b, size_t n_b,
                          int64_t *out_key, int64_t *out_count, size_t *n_out,
                          qc_errinfo *err);

#ifdef __cplusplus
}
#endif

#endif
