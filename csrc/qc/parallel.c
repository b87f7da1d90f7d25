/*
 * Running a kernel's parts on threads (qc/parallel.h). There is no pool:
 * a kernel runs a few phases of at most QC_MAX_PARTS parts, so threads are
 * started per call and joined before it returns, and no state outlives it
 * (kernels stay re-entrant, and a failed thread start only costs overlap).
 * Shared work is claimed through one atomic word rather than a lock, and
 * cuts are found by binary search over running totals the caller already
 * has (CSR offsets, positions per id).
 */
#if !defined(QC_NO_THREADS) && (defined(__unix__) || defined(__APPLE__))
#if defined(__linux__)
#define _GNU_SOURCE /* sched_getcpu, the affinity of threads */
#define QC_PLACE_THREADS 1
#include <sched.h>
#else
#define _POSIX_C_SOURCE 200809L
#endif
#define QC_HAVE_PTHREADS 1
#include <pthread.h>
#elif !defined(QC_NO_THREADS) && defined(_WIN32)
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#define QC_HAVE_WIN32_THREADS 1
#include <windows.h>
#endif

#include "qc/parallel.h"

#include <assert.h>

typedef struct {
    qc_part_fn part;
    void *context;
    size_t index;
    qc_status status;
#ifdef QC_PLACE_THREADS
    const cpu_set_t *allowed; /* the thread's CPUs once it runs, or NULL */
#endif
} part_run;

#ifdef QC_HAVE_PTHREADS
static void *run_on_thread(void *arg)
{
    part_run *run = arg;
#ifdef QC_PLACE_THREADS
    if (run->allowed != NULL)
        (void)pthread_setaffinity_np(pthread_self(), sizeof *run->allowed, run->allowed);
#endif
    run->status = run->part(run->context, run->index);
    return NULL;
}
#elif defined(QC_HAVE_WIN32_THREADS)
/* CreateThread rather than _beginthreadex: the universal CRT (which
   CPython 3.5 and later link) frees a thread's CRT state however the
   thread was started. */
static DWORD WINAPI run_on_thread(LPVOID arg)
{
    part_run *run = arg;
    run->status = run->part(run->context, run->index);
    return 0;
}
#endif

#ifdef QC_PLACE_THREADS
/* Linux often starts a new thread on the CPU of the thread creating it and
   moves it only when it next balances its queues, a few milliseconds on: on
   a two-CPU machine half the starts measured so, and a kernel's phase
   shorter than that ran its two parts one after the other. So the threads
   start on the caller's other allowed CPUs (attr, when it has any: returns
   whether it set them), and once running may use all of them again (those
   in allowed), as the user's own affinity says. */
static int start_elsewhere(pthread_attr_t *attr, cpu_set_t *allowed)
{
    int here = sched_getcpu();
    if (here < 0 || here >= CPU_SETSIZE ||
        pthread_getaffinity_np(pthread_self(), sizeof *allowed, allowed) != 0 ||
        CPU_COUNT(allowed) < 2 || !CPU_ISSET(here, allowed))
        return 0;
    cpu_set_t others = *allowed;
    CPU_CLR(here, &others);
    return pthread_attr_setaffinity_np(attr, sizeof others, &others) == 0;
}
#endif

size_t qc_part_count(size_t work, size_t min_part, size_t n_threads)
{
    size_t n = min_part > 0 ? work / min_part : work;
    n = n < n_threads ? n : n_threads;
    n = n < QC_MAX_PARTS ? n : QC_MAX_PARTS;
    return n > 0 ? n : 1;
}

#ifdef QC_ALLOC_TESTING
static QC_THREAD_LOCAL int in_turn = 0;

void qc_run_parts_in_turn(int turns)
{
    in_turn = turns;
}
#endif

/* The status of the lowest-numbered part that failed, or QC_OK. */
static qc_status first_failure(const part_run *runs, size_t n_parts)
{
    for (size_t p = 0; p < n_parts; p++) {
        if (runs[p].status != QC_OK)
            return runs[p].status;
    }
    return QC_OK;
}

qc_status qc_run_parts(size_t n_parts, qc_part_fn part, void *context)
{
    if (n_parts == 0 || n_parts > QC_MAX_PARTS || part == NULL)
        return QC_EINVAL;
    part_run runs[QC_MAX_PARTS];
    for (size_t p = 0; p < n_parts; p++)
        runs[p] = (part_run){.part = part, .context = context, .index = p, .status = QC_OK};
#ifdef QC_ALLOC_TESTING
    if (in_turn != 0) {
        for (size_t i = 0; i < n_parts; i++) {
            size_t p = in_turn > 0 ? i : n_parts - 1 - i;
            runs[p].status = part(context, p);
        }
        return first_failure(runs, n_parts);
    }
#endif
    unsigned char started[QC_MAX_PARTS] = {0};
#ifdef QC_HAVE_PTHREADS
    pthread_t threads[QC_MAX_PARTS];
    pthread_attr_t *placed = NULL;
#ifdef QC_PLACE_THREADS
    pthread_attr_t attr;
    cpu_set_t allowed;
    if (n_parts > 1 && pthread_attr_init(&attr) == 0) {
        if (start_elsewhere(&attr, &allowed)) {
            placed = &attr;
            for (size_t p = 1; p < n_parts; p++)
                runs[p].allowed = &allowed;
        } else {
            (void)pthread_attr_destroy(&attr);
        }
    }
#endif
    for (size_t p = 1; p < n_parts; p++)
        started[p] = pthread_create(&threads[p], placed, run_on_thread, &runs[p]) == 0;
    if (placed != NULL)
        (void)pthread_attr_destroy(placed);
#elif defined(QC_HAVE_WIN32_THREADS)
    HANDLE threads[QC_MAX_PARTS];
    for (size_t p = 1; p < n_parts; p++) {
        threads[p] = CreateThread(NULL, 0, run_on_thread, &runs[p], 0, NULL);
        started[p] = threads[p] != NULL;
    }
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
#elif defined(QC_HAVE_WIN32_THREADS)
        if (started[p]) {
            (void)WaitForSingleObject(threads[p], INFINITE);
            (void)CloseHandle(threads[p]);
            continue;
        }
#endif
        runs[p].status = part(context, p);
    }
    (void)started; /* unread without threads */
    return first_failure(runs, n_parts);
}

void qc_claims_init(qc_claims *c, size_t first, size_t last)
{
    /* both ends share one 64-bit word */
    assert(first <= last && last <= UINT32_MAX);
    qc_atomic_init_u64(&c->ends, (uint64_t)last << 32 | (uint32_t)first);
}

int qc_claim(qc_claims *c, int from_top, const uint32_t *weight_before, uint32_t grain,
             size_t *first, size_t *last)
{
    /* relaxed: the items' data were written before the parts started, and
       what a part writes for its items is read after they are joined
       (thread start and join order those, on any CPU); the claims
       themselves never overlap, since a compare-exchange succeeds only on
       the word's latest value */
    uint64_t ends = qc_atomic_load_relaxed_u64(&c->ends), claimed;
    size_t lo, hi, from, to;
    do {
        lo = (uint32_t)ends;
        hi = (size_t)(ends >> 32);
        if (lo >= hi)
            return 0;
        if (from_top) {
            to = hi;
            from = hi - 1;
            while (from > lo && weight_before[to] - weight_before[from - 1] < grain)
                from--;
            claimed = (uint64_t)from << 32 | lo;
        } else {
            from = lo;
            to = lo + 1;
            while (to < hi && weight_before[to + 1] - weight_before[from] < grain)
                to++;
            claimed = (uint64_t)hi << 32 | to;
        }
    } while (!qc_atomic_cas_relaxed_u64(&c->ends, &ends, claimed));
    *first = from;
    *last = to;
    return 1;
}

/* The cuts of qc_cut_by_weight over any array of running totals. */
static void cut_by(const void *before, uint64_t (*total_at)(const void *, size_t), size_t n,
                   size_t n_parts, size_t *cut)
{
    assert(n_parts >= 1 && n_parts <= QC_MAX_PARTS); /* cut holds n_parts + 1 */
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
