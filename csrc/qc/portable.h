/*
 * qc/portable.h: the compiler- and platform-specific spellings the core
 * needs, in one place, so every kernel source stays plain C11.
 *
 * Three families: GCC and Clang (Linux, macOS, MinGW; also clang-cl for the
 * builtins), MSVC, and any other C11 compiler, which gets plain C. On GCC
 * and Clang each name expands to the builtin or attribute the sources used
 * before this header existed, so those builds compile to the same code.
 *
 * Atomics: C11 <stdatomic.h> wherever the compiler has it. On MSVC the core
 * uses the Interlocked intrinsics instead of /experimental:c11atomics: the
 * core needs one 64-bit word with a load and a compare-exchange (qc_claims),
 * the intrinsics exist in every MSVC that builds CPython extensions (the
 * <stdatomic.h> of MSVC needs 17.5 and a flag still called experimental),
 * and they are full barriers, at least as strong as any order asked for.
 *
 * AVX2: GCC and Clang on x86 build AVX2 functions beside the generic code
 * (a target attribute) and ask the CPU at run time. MSVC and every other
 * compiler or CPU (aarch64 included) build the scalar paths only:
 * QC_AVX2_DISPATCH stays undefined there. MSVC could compile the AVX2
 * functions too, but no MSVC builds or runs them here, and an untested
 * path is worse than a slower one.
 */
#ifndef QC_PORTABLE_H
#define QC_PORTABLE_H

#include <stdint.h>

#if defined(_MSC_VER) && !defined(__clang__)
#define QC_MSVC 1
#include <intrin.h>
#endif

#if defined(__GNUC__) || defined(__clang__)
#define QC_GNU_BUILTINS 1
#endif

/* A small function inlined at every call even where the compiler's size
   heuristics say no (the matcher's inner steps). Use as
   `static QC_ALWAYS_INLINE T f(...)`. */
#if defined(QC_GNU_BUILTINS)
#define QC_ALWAYS_INLINE inline __attribute__((always_inline))
#elif defined(QC_MSVC)
#define QC_ALWAYS_INLINE __forceinline
#else
#define QC_ALWAYS_INLINE inline
#endif

/* Per-thread state: the allocation-failure countdown and other test hooks.
   MSVC's C mode lacks the C11 keyword. */
#if defined(QC_MSVC)
#define QC_THREAD_LOCAL __declspec(thread)
#else
#define QC_THREAD_LOCAL _Thread_local
#endif

/* A hint to fetch memory a loop will read soon; nothing where unsupported. */
#if defined(QC_GNU_BUILTINS)
#define QC_PREFETCH(address) __builtin_prefetch(address)
#elif defined(QC_MSVC) && (defined(_M_X64) || defined(_M_IX86))
#define QC_PREFETCH(address) _mm_prefetch((const char *)(address), _MM_HINT_T0)
#elif defined(QC_MSVC) && defined(_M_ARM64)
#define QC_PREFETCH(address) __prefetch(address)
#else
#define QC_PREFETCH(address) ((void)(address))
#endif

/*
 * Bit scans: the number of trailing or leading zero bits of x, which must
 * not be 0 (as with the builtins, the result is undefined then).
 */
static inline unsigned qc_ctz64(uint64_t x)
{
#if defined(QC_GNU_BUILTINS)
    return (unsigned)__builtin_ctzll(x);
#elif defined(QC_MSVC) && (defined(_M_X64) || defined(_M_ARM64))
    unsigned long i;
    _BitScanForward64(&i, x);
    return (unsigned)i;
#else
    unsigned i = 0;
    for (; !(x & 1); x >>= 1)
        i++;
    return i;
#endif
}

static inline unsigned qc_clz64(uint64_t x)
{
#if defined(QC_GNU_BUILTINS)
    return (unsigned)__builtin_clzll(x);
#elif defined(QC_MSVC) && (defined(_M_X64) || defined(_M_ARM64))
    unsigned long i;
    _BitScanReverse64(&i, x);
    return 63 - (unsigned)i;
#else
    unsigned i = 0;
    for (; !(x >> 63); x <<= 1)
        i++;
    return i;
#endif
}

/*
 * One 64-bit word that threads update at once. Ordering is sequentially
 * consistent unless a name says relaxed; a relaxed compare-exchange still
 * reads the word's latest value, so two threads never both succeed from
 * the same one.
 */
#if defined(QC_MSVC)
typedef volatile __int64 qc_atomic_u64;

static inline void qc_atomic_init_u64(qc_atomic_u64 *a, uint64_t v)
{
    *a = (__int64)v; /* before any thread that shares it starts */
}

static inline uint64_t qc_atomic_load_relaxed_u64(qc_atomic_u64 *a)
{
#if defined(_M_IX86)
    /* a plain 64-bit read may tear on 32-bit x86 */
    return (uint64_t)_InterlockedCompareExchange64(a, 0, 0);
#else
    return (uint64_t)*a;
#endif
}

/* Stores desired when the word holds *expected and returns 1; else puts
   the word's value in *expected and returns 0. */
static inline int qc_atomic_cas_relaxed_u64(qc_atomic_u64 *a, uint64_t *expected,
                                            uint64_t desired)
{
    __int64 seen = _InterlockedCompareExchange64(a, (__int64)desired, (__int64)*expected);
    if ((uint64_t)seen == *expected)
        return 1;
    *expected = (uint64_t)seen;
    return 0;
}
#else
#include <stdatomic.h>

typedef _Atomic uint64_t qc_atomic_u64;

static inline void qc_atomic_init_u64(qc_atomic_u64 *a, uint64_t v)
{
    atomic_init(a, v);
}

static inline uint64_t qc_atomic_load_relaxed_u64(qc_atomic_u64 *a)
{
    return atomic_load_explicit(a, memory_order_relaxed);
}

/* Stores desired when the word holds *expected and returns 1; else puts
   the word's value in *expected and returns 0. May fail spuriously (a weak
   exchange: call it in a loop). */
static inline int qc_atomic_cas_relaxed_u64(qc_atomic_u64 *a, uint64_t *expected,
                                            uint64_t desired)
{
    return atomic_compare_exchange_weak_explicit(a, expected, desired, memory_order_relaxed,
                                                 memory_order_relaxed);
}
#endif

/*
 * AVX2 beside generic code: QC_AVX2_DISPATCH is defined where a function
 * marked QC_TARGET_AVX2 may use AVX2 intrinsics in a build for any x86 CPU
 * and qc_cpu_has_avx2() says whether this CPU runs them.
 */
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define QC_AVX2_DISPATCH 1
#define QC_TARGET_AVX2 __attribute__((target("avx2")))

static inline int qc_cpu_has_avx2(void)
{
    return __builtin_cpu_supports("avx2");
}
#endif

#endif /* QC_PORTABLE_H */
