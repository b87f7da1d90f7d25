/*
 * qc/radix.h: a stable LSD radix sort of 64-bit words whose passes run in
 * parts on threads. Internal to the core (the n-gram and co-word kernels
 * sort packed keys with it); not part of the API the binding uses.
 *
 * Each part counts the digits of its slice of the words, then moves the
 * slice; offsets taken digit by digit and, within a digit, part by part
 * keep the sort stable, so the result is the same for any number of parts.
 */
#ifndef QC_RADIX_H
#define QC_RADIX_H

#include "qc/parallel.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The widest digit a pass sorts on. */
enum { QC_RADIX_BITS = 11 };

typedef struct {
    uint64_t *src, *dst;    /* a pass moves src to dst, then they swap */
    size_t *count;          /* per part, a count then an offset per digit:
                               n_parts << QC_RADIX_BITS entries */
    size_t n_parts;         /* 1 .. QC_MAX_PARTS */
    size_t first[QC_MAX_PARTS + 1]; /* each part's slice (set by the sort) */
    unsigned shift;
    uint64_t mask;
} qc_radix_job;

/*
 * Sorts job->src[0..n) on bits [lo, hi) (lo <= hi <= 64), job->dst as
 * scratch; the sorted words end in job->src (the two pointers may swap).
 * The bits are split into as few digits of at most QC_RADIX_BITS as
 * possible, of even width; a digit that every word shares costs one
 * counting pass and no move. Never fails.
 */
void qc_radix_sort(qc_radix_job *job, size_t n, unsigned lo, unsigned hi);

/* The bits x needs: 0 for 0, else one more than its highest set bit. */
static inline unsigned qc_bit_length(uint64_t x)
{
    unsigned bits = 0;
    for (; x != 0; x >>= 1)
        bits++;
    return bits;
}

#ifdef __cplusplus
}
#endif

#endif /* QC_RADIX_H */
