/*
 * The logarithm of qc/vlog.h. Write x = 2^k (1 + f) with 1 + f in
 * [sqrt(2)/2, sqrt(2)), then ln(1 + f) = 2 atanh(s), s = f / (2 + f),
 * whose series in s^2 a degree-14 polynomial (fdlibm's Lg1..Lg7) matches
 * to double precision on that interval; k ln 2 is added in two parts so
 * its rounding does not swamp the small terms.
 *
 * The reduction works on the 64-bit pattern: adding 0x3ff00000 -
 * 0x3fe6a09e to the high word moves the boundary from 1 to sqrt(2)/2, so
 * the exponent field then gives k and the remaining mantissa bits, under
 * the exponent of sqrt(2)/2, give 1 + f in range. No branch and no table:
 * the same steps run on the four lanes of an AVX2 register.
 */
#include "qc/vlog.h"

#include "qc/portable.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

/* GCC and clang on x86-64 build an AVX2 path beside the scalar one and
   take it when the CPU has AVX2 (qc/portable.h); elsewhere (MSVC, aarch64)
   the scalar path runs. */
#if defined(QC_AVX2_DISPATCH) && defined(__x86_64__)
#include <immintrin.h>
#define QC_VLOG_AVX2 1
#endif

static const double ln2_hi = 6.93147180369123816490e-01; /* high bits of ln 2 */
static const double ln2_lo = 1.90821492927058770002e-10; /* ln 2 - ln2_hi */
static const double Lg1 = 6.666666666666735130e-01, Lg2 = 3.999999999940941908e-01,
                    Lg3 = 2.857142874366239149e-01, Lg4 = 2.222219843214978396e-01,
                    Lg5 = 1.818357216161805012e-01, Lg6 = 1.531383769920937332e-01,
                    Lg7 = 1.479819860511658591e-01;

/* 0x3ff00000 - 0x3fe6a09e in the high word, and sqrt(2)/2's high word. */
static const uint64_t SHIFT_TO_SQRT_HALF = (uint64_t)0x00095f62 << 32;
static const uint64_t SQRT_HALF_HIGH = (uint64_t)0x3fe6a09e << 32;
static const uint64_t MANTISSA = 0x000fffffffffffffu;
/* 2^52 as a pattern: or-ing a small integer into its mantissa and
   subtracting 2^52 converts the integer to a double without an int64
   conversion (SSE2 has none). */
static const uint64_t TWO_52_BITS = 0x4330000000000000u;
static const double TWO_52 = 4503599627370496.0;

/* k ln 2 + ln(1 + f), from f and k. */
static double finish(double f, double k)
{
    double hfsq = 0.5 * f * f;
    double s = f / (2.0 + f);
    double z = s * s;
    double w = z * z;
    double t1 = w * (Lg2 + w * (Lg4 + w * Lg6));
    double t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
    double r = t2 + t1;
    return s * (hfsq + r) + k * ln2_lo - hfsq + f + k * ln2_hi;
}

double qc_log_one(double x)
{
    if (!(x >= DBL_MIN && x <= DBL_MAX))
        return log(x);
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    uint64_t ix = bits + SHIFT_TO_SQRT_HALF;
    uint64_t k_bits = (ix >> 52) | TWO_52_BITS, m_bits = (ix & MANTISSA) + SQRT_HALF_HIGH;
    double k, m;
    memcpy(&k, &k_bits, sizeof k);
    memcpy(&m, &m_bits, sizeof m);
    return finish(m - 1.0, (k - TWO_52) - 1023.0);
}

#ifdef QC_VLOG_AVX2
QC_TARGET_AVX2 static __m256d finish4(__m256d f, __m256d k)
{
    const __m256d half = _mm256_set1_pd(0.5), two = _mm256_set1_pd(2.0);
    __m256d hfsq = _mm256_mul_pd(_mm256_mul_pd(half, f), f);
    __m256d s = _mm256_div_pd(f, _mm256_add_pd(two, f));
    __m256d z = _mm256_mul_pd(s, s);
    __m256d w = _mm256_mul_pd(z, z);
    /* t1 = w (Lg2 + w (Lg4 + w Lg6)), t2 = z (Lg1 + w (Lg3 + w (Lg5 + w Lg7))) */
    __m256d t1 = _mm256_add_pd(_mm256_set1_pd(Lg4), _mm256_mul_pd(w, _mm256_set1_pd(Lg6)));
    t1 = _mm256_mul_pd(w, _mm256_add_pd(_mm256_set1_pd(Lg2), _mm256_mul_pd(w, t1)));
    __m256d t2 = _mm256_add_pd(_mm256_set1_pd(Lg5), _mm256_mul_pd(w, _mm256_set1_pd(Lg7)));
    t2 = _mm256_add_pd(_mm256_set1_pd(Lg3), _mm256_mul_pd(w, t2));
    t2 = _mm256_mul_pd(z, _mm256_add_pd(_mm256_set1_pd(Lg1), _mm256_mul_pd(w, t2)));
    __m256d r = _mm256_add_pd(t2, t1);
    /* s (hfsq + r) + k ln2_lo - hfsq + f + k ln2_hi, left to right */
    __m256d y = _mm256_mul_pd(s, _mm256_add_pd(hfsq, r));
    y = _mm256_add_pd(y, _mm256_mul_pd(k, _mm256_set1_pd(ln2_lo)));
    y = _mm256_sub_pd(y, hfsq);
    y = _mm256_add_pd(y, f);
    return _mm256_add_pd(y, _mm256_mul_pd(k, _mm256_set1_pd(ln2_hi)));
}

QC_TARGET_AVX2 static __m256d log4_lanes(__m256d x)
{
    __m256i ix = _mm256_add_epi64(_mm256_castpd_si256(x),
                                  _mm256_set1_epi64x((long long)SHIFT_TO_SQRT_HALF));
    __m256i k_bits = _mm256_or_si256(_mm256_srli_epi64(ix, 52),
                                     _mm256_set1_epi64x((long long)TWO_52_BITS));
    __m256i m_bits = _mm256_add_epi64(_mm256_and_si256(ix, _mm256_set1_epi64x((long long)MANTISSA)),
                                      _mm256_set1_epi64x((long long)SQRT_HALF_HIGH));
    __m256d k = _mm256_sub_pd(_mm256_castsi256_pd(k_bits), _mm256_set1_pd(TWO_52));
    k = _mm256_sub_pd(k, _mm256_set1_pd(1023.0));
    __m256d f = _mm256_sub_pd(_mm256_castsi256_pd(m_bits), _mm256_set1_pd(1.0));
    return finish4(f, k);
}

QC_TARGET_AVX2 static size_t log_avx2(const double *x, double *out, size_t n)
{
    const __m256d lo = _mm256_set1_pd(DBL_MIN), hi = _mm256_set1_pd(DBL_MAX);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        __m256d v = _mm256_loadu_pd(x + i);
        /* all four lanes positive normal (false for NaN), else libm's turn */
        __m256d normal = _mm256_and_pd(_mm256_cmp_pd(v, lo, _CMP_GE_OQ),
                                       _mm256_cmp_pd(v, hi, _CMP_LE_OQ));
        if (_mm256_movemask_pd(normal) == 15)
            _mm256_storeu_pd(out + i, log4_lanes(v));
        else
            for (size_t j = i; j < i + 4; j++)
                out[j] = qc_log_one(x[j]);
    }
    return i;
}
#endif

void qc_log_array(const double *x, double *out, size_t n)
{
    size_t i = 0;
#ifdef QC_VLOG_AVX2
    if (qc_cpu_has_avx2())
        i = log_avx2(x, out, n);
#endif
    for (; i < n; i++)
        out[i] = qc_log_one(x[i]);
}
