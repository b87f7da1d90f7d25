/*
 * qc/rng.h: a small seeded generator for the bootstraps (internal to the core):
 * xoshiro256** seeded through qc_splitmix64. Each call seeds its own state, so
 * replicates are reproducible from the seed and no state is shared between
 * threads.
 */
#ifndef QC_RNG_H
#define QC_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t s[4];
} qc_rng;

static inline uint64_t qc_splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline void qc_rng_seed(qc_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = qc_splitmix64(&seed);
}

static inline uint64_t qc_rotl64(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t qc_rng_next(qc_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = qc_rotl64(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = qc_rotl64(s[3], 45);
    return result;
}

/* Uniform in [0, 1) with 53 random bits. */
static inline double qc_rng_uniform(qc_rng *r)
{
    return (double)(qc_rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform index in [0, n). */
static inline size_t qc_rng_below(qc_rng *r, size_t n)
{
    size_t i = (size_t)(qc_rng_uniform(r) * (double)n);
    return i < n ? i : n - 1;
}

#endif /* QC_RNG_H */
