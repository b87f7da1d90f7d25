/*
 * qc/keyset.h: distinct 64-bit keys numbered in the order first seen, found
 * by open addressing. Callers keep their own per-key data in arrays indexed
 * by that number (the segmenter's log frequencies, the agreement module's
 * category values).
 */
#ifndef QC_KEYSET_H
#define QC_KEYSET_H

#include "qc/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    uint64_t *keys;   /* keys[i] is key number i; room for capacity / 2 */
    uint32_t *slots;  /* capacity slots: 1 + a key's number, 0 when empty */
    size_t n;         /* keys held */
    size_t capacity;  /* a power of two, at least twice n */
} qc_keyset;

/* An empty set with room for about capacity / 2 keys (rounded up to a power
   of two, at least 16 slots). Errors: QC_ENOMEM (s is left empty). */
qc_status qc_keyset_init(qc_keyset *s, size_t capacity);
void qc_keyset_free(qc_keyset *s);

/* The number of key in *index, the key appended when new. On error s is
   unchanged. Errors: QC_ENOMEM, QC_EOVERFLOW (UINT32_MAX - 1 keys held).
   O(1) expected. */
qc_status qc_keyset_add(qc_keyset *s, uint64_t key, size_t *index);

#ifdef __cplusplus
}
#endif

#endif /* QC_KEYSET_H */
