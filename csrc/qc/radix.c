/*
 * The parallel LSD radix sort of qc/radix.h. Kernels that count keys (the
 * packed character n-grams, batches of co-word pairs) sort them and count
 * runs rather than probe a hash table: the passes stream through memory,
 * where millions of keys in a table would miss the cache at every one. A
 * pass is two phases of parts (count the digits, then move), so the parts
 * share nothing but the offsets computed between them.
 */
#include "qc/radix.h"

#include <assert.h>
#include <string.h>

static qc_status count_digits_part(void *context, size_t part)
{
    const qc_radix_job *job = context;
    size_t *count = job->count + (part << QC_RADIX_BITS);
    memset(count, 0, ((size_t)job->mask + 1) * sizeof *count);
    for (size_t i = job->first[part]; i < job->first[part + 1]; i++)
        count[job->src[i] >> job->shift & job->mask]++;
    return QC_OK;
}

static qc_status move_digits_part(void *context, size_t part)
{
    const qc_radix_job *job = context;
    size_t *offset = job->count + (part << QC_RADIX_BITS);
    for (size_t i = job->first[part]; i < job->first[part + 1]; i++) {
        uint64_t v = job->src[i];
        job->dst[offset[v >> job->shift & job->mask]++] = v;
    }
    return QC_OK;
}

/* Runs one phase of a pass. It cannot fail: qc_run_parts fails only for a
   part count outside 1..QC_MAX_PARTS (the job's is inside, asserted by the
   sort) or when a part fails, and these parts always return QC_OK. */
static void run_phase(qc_radix_job *job, qc_part_fn phase)
{
    qc_status status = qc_run_parts(job->n_parts, phase, job);
    assert(status == QC_OK);
    (void)status;
}

void qc_radix_sort(qc_radix_job *job, size_t n, unsigned lo, unsigned hi)
{
    assert(job->n_parts >= 1 && job->n_parts <= QC_MAX_PARTS);
    assert(lo <= hi && hi <= 64);
    unsigned passes = (hi - lo + QC_RADIX_BITS - 1) / QC_RADIX_BITS;
    unsigned step = passes ? (hi - lo + passes - 1) / passes : 1;
    for (size_t p = 0; p <= job->n_parts; p++)
        job->first[p] = n * p / job->n_parts;
    for (unsigned shift = lo; shift < hi && n > 0; shift += step) {
        unsigned width = hi - shift < step ? hi - shift : step;
        assert(width >= 1 && width <= QC_RADIX_BITS); /* count holds 2^width per part */
        job->shift = shift;
        job->mask = ((uint64_t)1 << width) - 1;
        run_phase(job, count_digits_part);
        size_t sum = 0;
        int shared = 0;
        for (size_t d = 0; d <= job->mask; d++) {
            size_t all = 0;
            for (size_t p = 0; p < job->n_parts; p++) {
                size_t c = job->count[(p << QC_RADIX_BITS) + d];
                job->count[(p << QC_RADIX_BITS) + d] = sum;
                sum += c;
                all += c;
            }
            shared |= all == n;
        }
        assert(sum == n);
        if (shared)
            continue;
        run_phase(job, move_digits_part);
        uint64_t *sorted = job->dst;
        job->dst = job->src;
        job->src = sorted;
    }
}
