#if !defined(QC_NO_THREADS) && (defined(__unix__) || defined(__APPLE__))
#define _POSIX_C_SOURCE 200809L
#define QC_HAVE_PTHREADS 1
#include <pthread.h>
#endif

#include "qc/parallel.h"

typedef struct {
    qc_part_fn part;
    void *context;
    size_t index;
    qc_status status;
} part_run;

#ifdef QC_HAVE_PTHREADS
static void *run_on_thread(void *arg)
{
    part_run *run = arg;
    run->status = run->part(run->context, run->index);
    return NULL;
}
#endif

size_t qc_part_count(size_t work, size_t min_part, size_t n_threads)
{
    size_t n = min_part > 0 ? work / min_part : work;
    n = n < n_threads ? n : n_threads;
    n = n < QC_MAX_PARTS ? n : QC_MAX_PARTS;
    return n > 0 ? n : 1;
}

qc_status qc_run_parts(size_t n_parts, qc_part_fn part, void *context)
{
    if (n_parts == 0 || n_parts > QC_MAX_PARTS || part == NULL)
        return QC_EINVAL;
    part_run runs[QC_MAX_PARTS];
    for (size_t p = 0; p < n_parts; p++)
        runs[p] = (part_run){part, context, p, QC_OK};
    unsigned char started[QC_MAX_PARTS] = {0};
#ifdef QC_HAVE_PTHREADS
    pthread_t threads[QC_MAX_PARTS];
    for (size_t p = 1; p < n_parts; p++)
        started[p] = pthread_create(&threads[p], NULL, run_on_thread, &runs[p]) == 0;
#endif
    /* part 0 here: one thread fewer to start, and the caller's allocation
       hook (failure injection is per thread) reaches that part */
    runs[0].status = part(context, 0);
    for (size_t p = 1; p < n_parts; p++) {
#ifdef QC_HAVE_PTHREADS
        if (started[p]) {
            pthread_join(threads[p], NULL);
            continue;
        }
#endif
        runs[p].status = part(context, p);
    }
    (void)started; /* unread without threads */
    for (size_t p = 0; p < n_parts; p++) {
        if (runs[p].status != QC_OK)
            return runs[p].status;
    }
    return QC_OK;
}

/* The cuts of qc_cut_by_weight over any array of running totals. */
static void cut_by(const void *before, uint64_t (*total_at)(const void *, size_t), size_t n,
                   size_t n_parts, size_t *cut)
{
    uint64_t total = total_at(before, n);
    cut[0] = 0;
    for (size_t p = 1; p < n_parts; p++) {
        uint64_t goal = total * p / n_parts;
        /* the first item whose running total reaches goal, never before the
           previous cut */
        size_t lo = cut[p - 1], hi = n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (total_at(before, mid) < goal)
                lo = mid + 1;
            else
                hi = mid;
        }
        cut[p] = lo;
    }
    cut[n_parts] = n;
}

static uint64_t total_at32(const void *before, size_t i)
{
    return ((const uint32_t *)before)[i];
}

static uint64_t total_at64(const void *before, size_t i)
{
    int64_t v = ((const int64_t *)before)[i];
    return v > 0 ? (uint64_t)v : 0;
}

void qc_cut_by_weight(const uint32_t *weight_before, size_t n, size_t n_parts, size_t *cut)
{
    cut_by(weight_before, total_at32, n, n_parts, cut);
}

void qc_cut_by_offsets(const int64_t *offsets, size_t n, size_t n_parts, size_t *cut)
{
    cut_by(offsets, total_at64, n, n_parts, cut);
}
