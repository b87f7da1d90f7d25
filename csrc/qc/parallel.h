/*
 * qc/parallel.h: a kernel's independent parts run on threads.
 *
 * A kernel that can split its work (ranges of ids, halves of a sort) gives
 * each part its own scratch and output, then asks qc_run_parts to run the
 * parts at once. The parts write nothing in common; at most they claim work
 * from a shared range (qc_claims, one atomic word), so no locks are needed.
 * The caller joins their results afterwards. Threads are POSIX threads,
 * or Win32 threads on Windows; builds with neither (or with QC_NO_THREADS
 * defined) run the parts one after another, with the same results.
 */
#ifndef QC_PARALLEL_H
#define QC_PARALLEL_H

#include "qc/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The most parts one call runs at once. */
enum { QC_MAX_PARTS = 64 };

typedef qc_status (*qc_part_fn)(void *context, size_t part);

/* How many parts to cut `work` units into: one per min_part units (smaller
   parts cost more in thread starts and scratch than they save), at most
   n_threads and QC_MAX_PARTS, at least 1. */
size_t qc_part_count(size_t work, size_t min_part, size_t n_threads);

/*
 * Runs part(context, p) for every p in [0, n_parts): part 0 on the calling
 * thread, each other part on a thread of its own. A thread that cannot be
 * started (the system's limit) leaves its part to the calling thread, so
 * the parts always all run; only their overlap is lost. On Linux the
 * threads start on the CPUs the caller may use other than the one it runs
 * on (when there are any), then may use all of the caller's CPUs: started
 * unplaced, a thread often waited on the caller's CPU until the scheduler
 * next balanced, and short parts ran one after the other. Returns when all
 * have finished: QC_OK, or the status of the lowest-numbered part that
 * failed (each part keeps its own error details in its context).
 * Errors: QC_EINVAL (n_parts is 0 or above QC_MAX_PARTS, or part is NULL).
 */
qc_status qc_run_parts(size_t n_parts, qc_part_fn part, void *context);

/*
 * Where to cut n items into n_parts ranges of about equal weight: on return
 * cut[0] = 0, cut[n_parts] = n, and part p is [cut[p], cut[p+1]), cut at the
 * item where the running total of weight first reaches p / n_parts of the
 * whole. weight_before is the running total itself (n + 1 non-decreasing
 * values, weight_before[0] = 0), as a CSR offset array gives it. cut has
 * n_parts + 1 entries. Never fails.
 */
void qc_cut_by_weight(const uint32_t *weight_before, size_t n, size_t n_parts, size_t *cut);

/*
 * A range of items that two parts take a chunk at a time, one from each
 * end: its owner from one end and, once its own range is done, the other
 * part from the far end. How long an item takes is hard to foresee (a cut
 * by an estimate of the work balanced one numbering of a kernel's ids and
 * unbalanced another), so parts that claim as they go end together, give
 * or take a chunk. A chunk holds items up to `grain` of weight (a running
 * total, as qc_cut_by_weight takes), and at least one item. Lock-free: the
 * two ends are one atomic word, so items must be below 2^32.
 */
typedef struct {
    qc_atomic_u64 ends; /* last << 32 | first */
} qc_claims;

/* The items [first, last) to claim; last below 2^32. */
void qc_claims_init(qc_claims *c, size_t first, size_t last);

/*
 * Claims the next chunk from the top end (from_top: its items end where the
 * remaining ones did) or the bottom: [*first, *last), with weight
 * weight_before[*last] - weight_before[*first] below grain unless one item
 * outweighs it. Returns 0 (and leaves *first, *last alone) when no items
 * remain. Never fails; any number of threads may claim at once.
 */
int qc_claim(qc_claims *c, int from_top, const uint32_t *weight_before, uint32_t grain,
             size_t *first, size_t *last);

#ifdef QC_ALLOC_TESTING
/*
 * Test builds only: makes this thread's later qc_run_parts calls run their
 * parts one after another on the caller, in order (turns > 0), last part
 * first (turns < 0), or on threads again (0). Kernels whose parts share
 * work (qc_claims) then take their extreme paths: the first part to run
 * does the whole of the shared work.
 */
void qc_run_parts_in_turn(int turns);
#endif

/* The same over CSR offsets (rows cut by their entries; offsets must not
   decrease, as qc_check_indptr ensures). */
void qc_cut_by_offsets(const int64_t *offsets, size_t n, size_t n_parts, size_t *cut);

#ifdef __cplusplus
}
#endif

#endif /* QC_PARALLEL_H */
