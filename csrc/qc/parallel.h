/*
 * qc/parallel.h: a kernel's independent parts run on threads.
 *
 * A kernel that can split its work (ranges of ids, halves of a sort) gives
 * each part its own scratch and output, then asks qc_run_parts to run the
 * parts at once. The parts share nothing writable, so no locks are needed;
 * the caller joins their results afterwards. Builds without POSIX threads
 * (or with QC_NO_THREADS defined) run the parts one after another, with the
 * same results.
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

/* The same over CSR offsets (rows cut by their entries; offsets must not
   decrease, as qc_check_indptr ensures). */
void qc_cut_by_offsets(const int64_t *offsets, size_t n, size_t n_parts, size_t *cut);

#ifdef __cplusplus
}
#endif

#endif /* QC_PARALLEL_H */
