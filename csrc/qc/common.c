/*
 * The allocation hook, the status strings and the CSR check that every
 * kernel shares. All core memory passes through qc_malloc, qc_calloc and
 * qc_realloc so that a test build can fail the Nth allocation on one
 * thread, and so that large blocks, which kernels write through once, are
 * laid on transparent huge pages in one place rather than in each kernel.
 * qc_grow is the only way an array grows: one doubling rule, one overflow
 * check, and arrays left valid when an allocation fails.
 */
#if defined(__linux__)
/* madvise, posix_memalign; _GNU_SOURCE (which implies _DEFAULT_SOURCE) is
   the spelling clang does not flag as a reserved name */
#define _GNU_SOURCE
#include <sys/mman.h>
#endif

#include "qc/common.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

const char *qc_strerror(qc_status status)
{
    switch (status) {
    case QC_OK: return "success";
    case QC_ENOMEM: return "out of memory";
    case QC_EINVAL: return "invalid argument";
    case QC_EINDEX: return "index out of range";
    case QC_EORDER: return "offsets decrease";
    case QC_ECYCLE: return "cycle in parent chain";
    case QC_EOVERFLOW: return "size overflow";
    case QC_ELIMIT: return "limit reached";
    }
    return "unknown status";
}

qc_status qc_fail(qc_errinfo *err, qc_status status, const char *arg,
                  size_t index, int64_t value, int64_t limit,
                  const char *reason)
{
    if (err != NULL) {
        err->arg = arg;
        err->index = index;
        err->value = value;
        err->limit = limit;
        err->reason = reason;
        err->is_float = 0;
        err->fvalue = 0;
        err->flimit = 0;
    }
    return status;
}

qc_status qc_fail_float(qc_errinfo *err, qc_status status, const char *arg,
                        size_t index, double value, double limit,
                        const char *reason)
{
    qc_fail(err, status, arg, index, 0, 0, reason);
    if (err != NULL) {
        err->is_float = 1;
        err->fvalue = value;
        err->flimit = limit;
    }
    return status;
}

#ifdef QC_ALLOC_TESTING
static QC_THREAD_LOCAL long fail_countdown = -1;
static QC_THREAD_LOCAL long attempts = 0;

void qc_alloc_fail_after(long k)
{
    fail_countdown = k;
    attempts = 0;
}

long qc_alloc_attempts(void)
{
    return attempts;
}

/* True when the armed countdown says this allocation must fail. */
static int injected_failure(void)
{
    attempts++;
    if (fail_countdown < 0)
        return 0;
    if (fail_countdown == 0) {
        fail_countdown = -1;
        return 1;
    }
    fail_countdown--;
    return 0;
}
#else
static int injected_failure(void)
{
    return 0;
}
#endif

/* Large buffers are written through once (sorting passes, token arrays):
   on Linux they are offered transparent huge pages, one page fault per 2 MiB
   instead of per 4 KiB. Only a hint: nothing changes where it is refused. */
enum { LARGE = 4u << 20, HUGE_PAGE = 2u << 20, PAGE = 4096 };

static void *prefer_huge_pages(void *ptr, size_t bytes)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (ptr != NULL && bytes >= LARGE) {
        uintptr_t first = ((uintptr_t)ptr + PAGE - 1) & ~(uintptr_t)(PAGE - 1);
        uintptr_t last = ((uintptr_t)ptr + bytes) & ~(uintptr_t)(PAGE - 1);
        (void)madvise((void *)first, last - first, MADV_HUGEPAGE);
    }
#else
    (void)bytes;
#endif
    return ptr;
}

/* A large block starts on a huge page and ends on one: a huge page is only
   used where all of its 2 MiB lie in the advised range, so an unaligned
   block's first and last pages fell back to 4 KiB pages, hundreds of
   faults for each (a co-word count of 1.2 million tokens took about 1,350
   faults a call, 40 after). The rounding is address space until written. */
static void *allocate(size_t bytes)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (bytes >= LARGE && bytes <= SIZE_MAX - HUGE_PAGE) {
        size_t whole = (bytes + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1);
        void *ptr = NULL;
        return posix_memalign(&ptr, HUGE_PAGE, whole) == 0 ? prefer_huge_pages(ptr, whole)
                                                            : NULL;
    }
#endif
    /* malloc(0) may return NULL legitimately; ask for one byte instead so
       that NULL always means failure. */
    return malloc(bytes > 0 ? bytes : 1);
}

void *qc_malloc(size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size)
        return NULL;
    if (injected_failure())
        return NULL;
    return allocate(n * size);
}

void *qc_calloc(size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size)
        return NULL;
    if (injected_failure())
        return NULL;
    return prefer_huge_pages(calloc(n ? n : 1, size ? size : 1), n * size);
}

void *qc_realloc(void *ptr, size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size)
        return NULL;
    if (injected_failure())
        return NULL;
    size_t bytes = n * size;
    return prefer_huge_pages(realloc(ptr, bytes > 0 ? bytes : 1), bytes);
}

void qc_free(void *ptr)
{
    free(ptr);
}

qc_status qc_grow(size_t *capacity, size_t need, const qc_growable *arrays, size_t n_arrays)
{
    assert(capacity != NULL && (arrays != NULL || n_arrays == 0));
    if (need <= *capacity)
        return QC_OK;
    size_t grown = *capacity <= SIZE_MAX / 2 ? 2 * *capacity : SIZE_MAX;
    grown = grown > need ? grown : need;
    grown = grown > QC_GROW_FIRST ? grown : QC_GROW_FIRST;
    for (size_t i = 0; i < n_arrays; i++) {
        size_t size = arrays[i].size;
        if (size != 0 && need > SIZE_MAX / size)
            return QC_EOVERFLOW;
        if (size != 0 && grown > SIZE_MAX / size)
            grown = need;
    }
    for (size_t i = 0; i < n_arrays; i++) {
        /* the pointer is read and written as bytes: arrays of any element
           type pass through one void * without aliasing it as void * */
        void *block;
        memcpy(&block, arrays[i].array, sizeof block);
        block = block == NULL ? qc_malloc(grown, arrays[i].size)
                              : qc_realloc(block, grown, arrays[i].size);
        if (block == NULL)
            return QC_ENOMEM;
        memcpy(arrays[i].array, &block, sizeof block);
    }
    *capacity = grown;
    return QC_OK;
}

qc_status qc_check_indptr(const int64_t *indptr, size_t n_rows,
                          size_t n_entries, const char *arg, qc_errinfo *err)
{
    if (indptr == NULL)
        return qc_fail(err, QC_EINVAL, arg, 0, 0, 0, "is missing");
    if (indptr[0] != 0)
        return qc_fail(err, QC_EINVAL, arg, 0, indptr[0], 0,
                       "the first offset must be 0");
    for (size_t i = 0; i < n_rows; i++) {
        if (indptr[i + 1] < indptr[i])
            return qc_fail(err, QC_EORDER, arg, i + 1, indptr[i + 1],
                           indptr[i], "offsets must not decrease");
    }
    if (indptr[n_rows] < 0 || (uint64_t)indptr[n_rows] != (uint64_t)n_entries)
        return qc_fail(err, QC_EINVAL, arg, n_rows, indptr[n_rows],
                       (int64_t)n_entries,
                       "the last offset must equal the number of entries");
    return QC_OK;
}

int32_t *qc_narrow_to_int32(int64_t *data, size_t n)
{
    /* element i moves from bytes [8i, 8i+8) to [4i, 4i+4): never onto an
       element not yet read; memcpy keeps the types out of it */
    unsigned char *bytes = (unsigned char *)data;
    for (size_t i = 0; i < n; i++) {
        int64_t wide;
        memcpy(&wide, bytes + 8 * i, sizeof wide);
        assert(wide >= INT32_MIN && wide <= INT32_MAX); /* the caller's promise */
        int32_t narrow = (int32_t)wide;
        memcpy(bytes + 4 * i, &narrow, sizeof narrow);
    }
    return (int32_t *)(void *)data;
}
