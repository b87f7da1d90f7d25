/*
 * What the libFuzzer harnesses of tests/fuzz/ share: reading parameters off
 * the input one field at a time, turning bytes into text views of each
 * kind, and the checks that make a broken invariant a crash libFuzzer
 * keeps. Fields past the end of the input read as zero, so every input is
 * a valid one and a mutation anywhere changes only what follows from it.
 */
#ifndef QC_FUZZ_COMMON_H
#define QC_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qc/common.h"
#include "qc/utf8.h"

/* Inputs above this are skipped: every harness must stay fast per input. */
enum { FZ_MAX_INPUT = 64 * 1024 };

/* A broken invariant: say where, then abort so libFuzzer saves the input. */
#define FZ_CHECK(cond)                                                          \
    do {                                                                        \
        if (!(cond)) {                                                          \
            fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, \
                    #cond);                                                     \
            abort();                                                            \
        }                                                                       \
    } while (0)

/* A set of statuses, for "the call returns one of these". */
#define FZ_ST(s) (1u << (unsigned)(s))

static inline int fz_status_in(qc_status status, unsigned set)
{
    return (unsigned)status < 32 && (set & FZ_ST(status)) != 0;
}

#define FZ_CHECK_STATUS(status, set)                                              \
    do {                                                                          \
        qc_status fz_s_ = (status);                                               \
        if (!fz_status_in(fz_s_, (set))) {                                        \
            fprintf(stderr, "%s:%d: status %d (%s) is not among those allowed\n", \
                    __FILE__, __LINE__, (int)fz_s_, qc_strerror(fz_s_));          \
            abort();                                                              \
        }                                                                         \
    } while (0)

/* An allocation that the harness itself needs; failing it is no finding. */
static inline void *fz_alloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (p == NULL) {
        fprintf(stderr, "harness out of memory\n");
        abort();
    }
    return p;
}

/* -- reading fields ----------------------------------------------------------- */

typedef struct {
    const uint8_t *data;
    size_t left;
} fz_input;

static inline uint8_t fz_u8(fz_input *in)
{
    if (in->left == 0)
        return 0;
    in->left--;
    return *in->data++;
}

static inline uint16_t fz_u16(fz_input *in)
{
    uint16_t lo = fz_u8(in);
    return (uint16_t)(lo | (uint16_t)fz_u8(in) << 8);
}

static inline uint32_t fz_u32(fz_input *in)
{
    uint32_t lo = fz_u16(in);
    return lo | (uint32_t)fz_u16(in) << 16;
}

static inline uint64_t fz_u64(fz_input *in)
{
    uint64_t lo = fz_u32(in);
    return lo | (uint64_t)fz_u32(in) << 32;
}

/* A number in [0, n), n > 0. The modulo bias does not matter here. */
static inline size_t fz_below(fz_input *in, size_t n)
{
    return n <= 256 ? fz_u8(in) % n : n <= 65536 ? fz_u16(in) % n : fz_u32(in) % n;
}

/* The next n bytes (fewer at the end of the input); *got says how many. */
/*
 * CSR offsets of n_docs documents into indptr (n_docs + 1 entries): with
 * `raw`, every offset as a signed byte's step from the last (any values,
 * decreasing too); else lengths below `step_mod`, so the offsets are valid.
 * Returns the tokens to read: the last offset, at least 0, at most max.
 */
static inline size_t fz_offsets(fz_input *in, size_t n_docs, int raw, unsigned step_mod,
                                size_t max, int64_t *indptr)
{
    indptr[0] = raw ? (int8_t)fz_u8(in) : 0;
    for (size_t d = 0; d < n_docs; d++)
        indptr[d + 1] = indptr[d] + (raw ? (int8_t)fz_u8(in) : fz_u8(in) % step_mod);
    size_t n = indptr[n_docs] > 0 ? (size_t)indptr[n_docs] : 0;
    return n < max ? n : max;
}

static inline const uint8_t *fz_bytes(fz_input *in, size_t n, size_t *got)
{
    const uint8_t *p = in->data;
    *got = n < in->left ? n : in->left;
    in->data += *got;
    in->left -= *got;
    return p;
}

/* -- injected allocation failures --------------------------------------------- */

/*
 * The harnesses are built with QC_ALLOC_TESTING, so an input may ask that
 * the k-th allocation of the calls under test fail: the error paths then
 * run too, and leaks on them show up in LeakSanitizer. Returns whether a
 * failure is armed (QC_ENOMEM is then an allowed outcome).
 */
static inline int fz_arm_alloc_failure(uint8_t spec)
{
    if ((spec & 0x80) == 0) {
        qc_alloc_fail_after(-1);
        return 0;
    }
    qc_alloc_fail_after((long)(spec & 0x7F));
    return 1;
}

static inline void fz_disarm_alloc_failure(void)
{
    qc_alloc_fail_after(-1);
}

/* -- text --------------------------------------------------------------------- */

/*
 * Bytes as code points: UTF-8 where it is valid (so that seeds and the
 * dictionaries can spell Chinese text), and each byte of what is not valid
 * as the code point of that byte, so no input is wasted. out holds n.
 * Returns the number of code points.
 */
static inline size_t fz_lenient_decode(const uint8_t *data, size_t n, uint32_t *out)
{
    size_t k = 0, i = 0;
    while (i < n) {
        size_t n_out, consumed;
        qc_status status = qc_utf8_decode(data + i, n - i, 1, out + k, &n_out, &consumed, NULL);
        k += n_out;
        i += consumed;
        if (status != QC_OK)
            out[k++] = data[i++];
    }
    return k;
}

/* The narrowest kind (1, 2 or 4 bytes) that holds every code point. */
static inline int fz_min_kind(const uint32_t *cps, size_t n)
{
    int kind = 1;
    for (size_t i = 0; i < n; i++) {
        if (cps[i] > 0xFFFF)
            return 4;
        if (cps[i] > 0xFF)
            kind = 2;
    }
    return kind;
}

/*
 * A view of cps[0..n) stored kind bytes wide in a fresh buffer (free it with
 * free()); kind must hold every code point. CPython always uses the
 * narrowest kind, but the core takes any, so harnesses try wider ones too.
 */
static inline qc_str fz_store(const uint32_t *cps, size_t n, int kind)
{
    void *buf = fz_alloc(n, (size_t)kind);
    for (size_t i = 0; i < n; i++) {
        if (kind == 1)
            ((uint8_t *)buf)[i] = (uint8_t)cps[i];
        else if (kind == 2)
            ((uint16_t *)buf)[i] = (uint16_t)cps[i];
        else
            ((uint32_t *)buf)[i] = cps[i];
    }
    return (qc_str){kind, buf, n};
}

/* The kind to store cps in: the narrowest, or wider when choice says so. */
static inline int fz_pick_kind(const uint32_t *cps, size_t n, unsigned choice)
{
    int kind = fz_min_kind(cps, n);
    if (choice % 3 == 1 && kind < 2)
        kind = 2;
    else if (choice % 3 == 2)
        kind = 4;
    return kind;
}

/* The view s[start:end) (same kind, borrowed). */
static inline qc_str fz_slice(const qc_str *s, size_t start, size_t end)
{
    const uint8_t *base = s->data;
    return (qc_str){s->kind, end > start ? base + start * (size_t)s->kind : s->data,
                    end - start};
}

#endif /* QC_FUZZ_COMMON_H */
