/*
 * qc/vlog.h: the natural logarithm of many values at once. Internal to the
 * core (the indices take a log per unit); not part of the binding's API.
 *
 * libm's log costs about 10 ns a value, which made it the whole cost of a
 * grouped Theil index over a million units, where numpy's vectorised log
 * takes 2 ns. This is the classic fdlibm reduction and polynomial (error
 * below 1 ulp, as Sun's e_log.c documents), written without branches so
 * that four values go through each AVX2 instruction (x86-64 CPUs that have
 * it); others run the same steps one value at a time, with the same
 * results bit for bit.
 */
#ifndef QC_VLOG_H
#define QC_VLOG_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * out[i] = ln(x[i]) for i < n, within 1 ulp of the exact value. Values that
 * are not positive normal numbers (zero, subnormals, negatives, infinities,
 * NaN) are handed to libm's log, so they give what it gives. out may be x.
 */
void qc_log_array(const double *x, double *out, size_t n);

/* The same steps for one value (the scalar path, and the reference the
   tests compare the vector path with). */
double qc_log_one(double x);

#ifdef __cplusplus
}
#endif

#endif /* QC_VLOG_H */
