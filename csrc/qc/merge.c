/*
 * qc/merge.c: sorted key/count merges (see merge.h).
 */
#include "qc/merge.h"

static qc_status check_sorted(const int64_t *key, size_t n, const char *arg, qc_errinfo *err)
{
    for (size_t i = 1; i < n; i++)
        if (key[i] <= key[i - 1])
            return qc_fail(err, QC_EORDER, arg, i, key[i], key[i - 1],
                           "must increase strictly (sorted keys, each once)");
    return QC_OK;
}

qc_status qc_merge_counts(const int64_t *key_a, const int64_t *count_a, size_t n_a,
                          const int64_t *key_b, const int64_t *count_b, size_t n_b,
                          int64_t *out_key, int64_t *out_count, size_t *n_out,
                          qc_errinfo *err)
{
    if (n_out == NULL)
        return qc_fail(err, QC_EINVAL, "n_out", 0, 0, 0, "is missing");
    *n_out = 0;
    if (n_a > 0 && (key_a == NULL || count_a == NULL))
        return qc_fail(err, QC_EINVAL, key_a == NULL ? "key_a" : "count_a", 0, 0, 0,
                       "is missing");
    if (n_b > 0 && (key_b == NULL || count_b == NULL))
        return qc_fail(err, QC_EINVAL, key_b == NULL ? "key_b" : "count_b", 0, 0, 0,
                       "is missing");
    if (n_a + n_b > 0 && (out_key == NULL || out_count == NULL))
        return qc_fail(err, QC_EINVAL, out_key == NULL ? "out_key" : "out_count", 0, 0, 0,
                       "is missing");
    /* checked first, so a bad input never leaves a half-written output
       that looks like a result */
    qc_status status = check_sorted(key_a, n_a, "key_a", err);
    if (status == QC_OK)
        status = check_sorted(key_b, n_b, "key_b", err);
    if (status != QC_OK)
        return status;

    size_t i = 0, j = 0, n = 0;
    while (i < n_a && j < n_b) {
        if (key_a[i] < key_b[j]) {
            out_key[n] = key_a[i];
            out_count[n++] = count_a[i++];
        } else if (key_b[j] < key_a[i]) {
            out_key[n] = key_b[j];
            out_count[n++] = count_b[j++];
        } else {
            int64_t x = count_a[i], y = count_b[j];
            if ((y > 0 && x > INT64_MAX - y) || (y < 0 && x < INT64_MIN - y))
                return qc_fail(err, QC_EOVERFLOW, "count_a", i, x, y > 0 ? INT64_MAX - y : INT64_MIN - y,
                               "plus count_b's count of the same key leaves the int64 range");
            out_key[n] = key_a[i];
            out_count[n++] = x + y;
            i++;
            j++;
        }
    }
    for (; i < n_a; i++, n++) {
        out_key[n] = key_a[i];
        out_count[n] = count_a[i];
    }
    for (; j < n_b; j++, n++) {
        out_key[n] = key_b[j];
        out_count[n] = count_b[j];
    }
    *n_out = n;
    return QC_OK;
}
