/*
 * qc/utf8.h: text as the kernels see it. A qc_str is a read-only view of
 * code points stored 1, 2 or 4 bytes wide (the three layouts of a CPython
 * str, PEP 393), so Python text is read in place; UTF-8 bytes are validated
 * and decoded once into 4-byte code points. Offsets are code points.
 */
#ifndef QC_UTF8_H
#define QC_UTF8_H

#include "qc/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Borrowed view: kind is 1 (uint8_t), 2 (uint16_t) or 4 (uint32_t) per
   code point; data may be NULL when len is 0. */
typedef struct {
    int kind;
    const void *data;
    size_t len;
} qc_str;

/* Code point i of s (i < s->len). 2-byte data may hold lone surrogates;
   they are code points like any other. */
static inline uint32_t qc_str_at(const qc_str *s, size_t i)
{
    switch (s->kind) {
    case 1: return ((const uint8_t *)s->data)[i];
    case 2: return ((const uint16_t *)s->data)[i];
    default: return ((const uint32_t *)s->data)[i];
    }
}

/* QC_OK when kind is 1, 2 or 4 and data is present for len > 0. */
qc_status qc_str_check(const qc_str *s, const char *arg, size_t index,
                       qc_errinfo *err);

/*
 * Decodes UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above
 * U+10FFFF) into out, which must hold n code points (n bytes never decode to
 * more). *n_out receives the number of code points written and *consumed the
 * number of bytes decoded. With final = 0 a sequence cut short by the end of
 * the input is left unconsumed (streaming: prepend it to the next chunk);
 * with final != 0 it is an error.
 *
 * Errors: QC_EINVAL with err->arg = "data", err->index = byte offset of the
 * first bad byte, err->value = the number of bytes of the bad sequence (the
 * maximal valid prefix, at least 1; Python's UnicodeDecodeError end - start)
 * and err->reason one of "invalid start byte", "invalid continuation byte",
 * "unexpected end of data" (Python's wording). Nothing is allocated. O(n).
 */
qc_status qc_utf8_decode(const uint8_t *data, size_t n, int final,
                         uint32_t *out, size_t *n_out, size_t *consumed,
                         qc_errinfo *err);

/*
 * True when the cp is white space as Python's str.isspace() (and so the \s of
 * Python's re module on str) defines it.
 */
int qc_is_space(uint32_t cp);

/* True when err was filled by qc_utf8_decode (a decoding error). */
int qc_utf8_is_decode_error(const qc_errinfo *err);

/*
 * Simple lowercase of Latin letters that keeps the length: ASCII, Latin-1,
 * Latin Extended-A and fullwidth A-Z; every other code point is returned
 * unchanged. Equals Python's str.lower() on those blocks wherever that gives
 * one code point.
 */
uint32_t qc_fold_latin(uint32_t cp);

#ifdef __cplusplus
}
#endif

#endif /* QC_UTF8_H */
