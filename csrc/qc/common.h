/*
 * qc/common.h: status codes, error details and the allocation hook shared by
 * every qdacore kernel.
 *
 * The qc layer is plain C11: no Python.h, no numpy. Every public function
 * returns a qc_status; results travel through out-parameters the caller
 * provides. Memory the core allocates for a caller is released with the
 * matching *_free function, or with qc_free when the header says so.
 */
#ifndef QC_COMMON_H
#define QC_COMMON_H

#include "qc/portable.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    QC_OK = 0,
    QC_ENOMEM,    /* an allocation failed */
    QC_EINVAL,    /* an argument is malformed (NULL, wrong length, bad mode) */
    QC_EINDEX,    /* an index lies outside its valid range */
    QC_EORDER,    /* offsets that must not decrease do decrease */
    QC_ECYCLE,    /* a parent chain loops back on itself */
    QC_EOVERFLOW, /* a size computation would overflow */
    QC_ELIMIT     /* a result would pass a limit the caller set */
} qc_status;

/* Static English text for a status; never NULL. */
const char *qc_strerror(qc_status status);

/*
 * Where a kernel found bad input, so the binding can name the argument and
 * the offending element. Kernels fill it only when they return an error and
 * only when the pointer they were given is not NULL.
 */
typedef struct {
    const char *arg;  /* parameter name as in the prototype, static string */
    size_t index;     /* element position within that argument */
    int64_t value;    /* offending value */
    int64_t limit;    /* the bound the value broke (see reason), or 0 */
    const char *reason; /* what was expected, static string */
    /* Set by qc_fail_float for an argument that holds doubles: the value and
       bound are then fvalue and flimit (value and limit are 0), so that a
       NaN, an infinity or -1.5 is reported as itself, not as an integer. */
    int is_float;
    double fvalue;
    double flimit;
} qc_errinfo;

/* Records an error detail and returns status, for `return qc_fail(...)`. */
qc_status qc_fail(qc_errinfo *err, qc_status status, const char *arg,
                  size_t index, int64_t value, int64_t limit,
                  const char *reason);

/* The same for an element of a double argument: value and limit are kept
   as doubles (is_float set). */
qc_status qc_fail_float(qc_errinfo *err, qc_status status, const char *arg,
                        size_t index, double value, double limit,
                        const char *reason);

/*
 * The one allocation hook. qc_malloc(n, size) allocates n elements of size
 * bytes and returns NULL when n * size overflows or the system is out of
 * memory; qc_calloc zeroes the block; qc_realloc resizes a block from
 * either to n elements (ptr may be NULL), keeping its contents, and on
 * failure returns NULL with ptr untouched (large blocks grow in place or
 * are remapped: no copy, no second page fault); qc_free(NULL) is a no-op.
 * On Linux, qc_malloc blocks of 4 MiB or more start on a 2 MiB boundary and
 * are rounded up to whole 2 MiB pages, advised as transparent huge pages.
 *
 * A build with QC_ALLOC_TESTING defined adds qc_alloc_fail_after(k): the
 * (k+1)-th allocation from now on fails (k = 0 fails the next one; a negative
 * k disarms it). The countdown is thread-local, so a test that arms it cannot
 * disturb another thread. Production builds have no such state.
 */
void *qc_malloc(size_t n, size_t size);
void *qc_calloc(size_t n, size_t size);
void *qc_realloc(void *ptr, size_t n, size_t size);
void qc_free(void *ptr);

/* One array that qc_grow resizes: the address of the array's pointer (a
   T **, NULL or a block from the hook) and sizeof(T). */
typedef struct {
    void *array;
    size_t size;
} qc_growable;

/*
 * Makes the n_arrays arrays that share *capacity (one array, or parallel
 * columns indexed alike) hold at least need elements each, keeping their
 * contents: to the largest of need, twice *capacity and QC_GROW_FIRST
 * elements (doubling keeps appends O(1) amortised), or to exactly need
 * where doubling would pass SIZE_MAX bytes. A NULL array is allocated with
 * qc_malloc (large blocks on huge pages), any other resized with
 * qc_realloc: one attempt of the allocation hook per array. *capacity
 * changes only when every array grew; on failure each array is still a
 * valid block of its old or its new size, its first *capacity elements
 * intact. need <= *capacity does nothing.
 * Errors: QC_ENOMEM, QC_EOVERFLOW (need elements of an array pass SIZE_MAX
 * bytes; nothing is allocated).
 */
enum { QC_GROW_FIRST = 16 };
qc_status qc_grow(size_t *capacity, size_t need, const qc_growable *arrays, size_t n_arrays);

/*
 * Checks a CSR offset array: indptr[0] == 0, never decreasing, and
 * indptr[n_rows] == n_entries. Every kernel that takes CSR input calls it.
 * Errors: QC_EINVAL (first or last offset wrong), QC_EORDER; err names arg.
 */
qc_status qc_check_indptr(const int64_t *indptr, size_t n_rows,
                          size_t n_entries, const char *arg, qc_errinfo *err);

/*
 * Rewrites data[0..n) as int32 in the same block (values must fit: the
 * caller knows they do) and returns the block as int32_t *: halves what a
 * consumer that wants 32-bit indices (scipy.sparse) would otherwise copy.
 * O(n), no allocation.
 */
int32_t *qc_narrow_to_int32(int64_t *data, size_t n);

#ifdef QC_ALLOC_TESTING
void qc_alloc_fail_after(long k);
/* Allocations attempted since the last qc_alloc_fail_after call. */
long qc_alloc_attempts(void);
#endif

#ifdef __cplusplus
}
#endif

#endif /* QC_COMMON_H */
