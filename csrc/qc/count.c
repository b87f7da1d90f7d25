/*
 * Code frequencies (qc/count.h): one pass over the CSR codings through a
 * dimension map, with the argument checks every kernel over codings shares.
 * Counting items rather than codings uses a stamp per (group, target), not
 * a set per item, so both units cost the same single pass.
 */
#include "qc/count.h"

qc_status qc_check_codings(const qc_codings *codings,
                           const int64_t *item_group,
                           const int64_t *coding_group, size_t n_groups,
                           qc_unit unit, qc_errinfo *err)
{
    if (codings == NULL)
        return qc_fail(err, QC_EINVAL, "codings", 0, 0, 0, "is missing");
    if (codings->n_codings > 0 && codings->code == NULL)
        return qc_fail(err, QC_EINVAL, "code", 0, 0, 0, "is missing");
    if (unit != QC_UNIT_CODINGS && unit != QC_UNIT_ITEMS)
        return qc_fail(err, QC_EINVAL, "unit", 0, (int64_t)unit, 0,
                       "must be QC_UNIT_CODINGS or QC_UNIT_ITEMS");
    if (item_group != NULL && coding_group != NULL)
        return qc_fail(err, QC_EINVAL, "coding_group", 0, 0, 0,
                       "give item_group or coding_group, not both");
    if (item_group == NULL && coding_group == NULL && n_groups != 1)
        return qc_fail(err, QC_EINVAL, "n_groups", 0, (int64_t)n_groups, 1,
                       "must be 1 when there is no split");
    return qc_check_indptr(codings->indptr, codings->n_items,
                           codings->n_codings, "indptr", err);
}

qc_status qc_count_codes(const qc_codings *codings, const qc_dimview *map,
                         const int64_t *item_group,
                         const int64_t *coding_group, size_t n_groups,
                         qc_unit unit, int64_t *counts, qc_errinfo *err)
{
    qc_status status = qc_check_codings(codings, item_group, coding_group,
                                        n_groups, unit, err);
    if (status == QC_OK)
        status = qc_dimview_check(map, err);
    if (status != QC_OK)
        return status;
    if (map->n_codes != codings->n_codes)
        return qc_fail(err, QC_EINVAL, "map", 0, (int64_t)map->n_codes,
                       (int64_t)codings->n_codes,
                       "must cover as many codes as the codings' codebook");
    size_t n_targets = map->n_targets;
    if (n_targets != 0 && n_groups > SIZE_MAX / n_targets)
        return qc_fail(err, QC_EOVERFLOW, "n_groups", 0, (int64_t)n_groups,
                       0, "n_groups x n_targets does not fit in memory");
    if (counts == NULL && n_groups * n_targets > 0)
        return qc_fail(err, QC_EINVAL, "counts", 0, 0, 0, "is missing");

    /* For QC_UNIT_ITEMS, seen[g * n_targets + t] holds the last item counted
       in that cell: the codings of one item are contiguous, so one stamp per
       cell suffices to count each item once. */
    int64_t *seen = NULL;
    if (unit == QC_UNIT_ITEMS) {
        seen = qc_malloc(n_groups * n_targets, sizeof *seen);
        if (seen == NULL)
            return QC_ENOMEM;
        for (size_t s = 0; s < n_groups * n_targets; s++)
            seen[s] = -1;
    }

    const int64_t *indptr = codings->indptr, *code = codings->code;
    const int64_t *map_indptr = map->indptr, *map_target = map->target;
    for (size_t i = 0; i < codings->n_items; i++) {
        int64_t item_g = 0;
        if (item_group != NULL) {
            item_g = item_group[i];
            if (item_g < -1 || item_g >= (int64_t)n_groups) {
                status = qc_fail(err, QC_EINDEX, "item_group", i, item_g,
                                 (int64_t)n_groups,
                                 "must be -1 or a group index below the bound");
                goto cleanup;
            }
        }
        /* an item left out of every group still has its codes checked: a
           bad code is bad input whatever the grouping */
        for (int64_t k = indptr[i]; k < indptr[i + 1]; k++) {
            int64_t c = code[k];
            if (c < 0 || (uint64_t)c >= codings->n_codes) {
                status = qc_fail(err, QC_EINDEX, "code", (size_t)k, c,
                                 (int64_t)codings->n_codes,
                                 "must be a code index below the bound");
                goto cleanup;
            }
            int64_t g = item_g;
            if (coding_group != NULL) {
                g = coding_group[k];
                if (g < -1 || g >= (int64_t)n_groups) {
                    status = qc_fail(err, QC_EINDEX, "coding_group", (size_t)k,
                                     g, (int64_t)n_groups,
                                     "must be -1 or a group index below the bound");
                    goto cleanup;
                }
            }
            if (g == -1)
                continue;
            int64_t *row = counts + (size_t)g * n_targets;
            for (int64_t m = map_indptr[c]; m < map_indptr[c + 1]; m++) {
                int64_t t = map_target[m];
                if (seen != NULL) {
                    size_t cell = (size_t)g * n_targets + (size_t)t;
                    if (seen[cell] == (int64_t)i)
                        continue;
                    seen[cell] = (int64_t)i;
                }
                row[t]++;
            }
        }
    }

cleanup:
    qc_free(seen);
    return status;
}
