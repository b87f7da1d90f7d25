/*
 * Fuzzes qc_utf8_decode (qc/utf8.h) on arbitrary bytes.
 *
 * Feeds: the first two input bytes choose chunk sizes, the rest is the data,
 * decoded final and non-final, whole and as a stream of chunks.
 * Checks beyond "no crash":
 *  - consumed <= n, n_out <= consumed, and on success with final set
 *    consumed == n; non-final leaves at most 3 bytes, a cut sequence;
 *  - every code point is a Unicode scalar value (<= U+10FFFF, no
 *    surrogate), and the code points encode back to exactly the consumed
 *    bytes;
 *  - the outcome (code points, status, error byte, length and reason)
 *    equals that of an independent decoder written from RFC 3629 and
 *    Python's error rules;
 *  - non-final decoding differs from final only by leaving a cut sequence
 *    at the end unconsumed instead of failing on it;
 *  - decoding in chunks (each chunk starting where the last one stopped)
 *    gives the same code points and the same error as decoding at once;
 *  - qc_fold_latin is idempotent and moves code points only within Latin
 *    (below U+0180) or from fullwidth A-Z to a-z, and
 *    qc_utf8_is_decode_error recognises every decoding error.
 */
#include "fuzz_common.h"

/* -- an independent decoder --------------------------------------------------- */

typedef struct {
    qc_status status;
    size_t n_out, consumed, index;
    int64_t length;
    const char *reason;
} outcome;

/* The bytes a sequence starting with lead may continue with at position j
   (1-based), per the well-formed ranges of Unicode Table 3-7. */
static void allowed(uint8_t lead, size_t j, uint8_t *lo, uint8_t *hi)
{
    *lo = 0x80;
    *hi = 0xBF;
    if (j != 1)
        return;
    if (lead == 0xE0)
        *lo = 0xA0;
    else if (lead == 0xED)
        *hi = 0x9F;
    else if (lead == 0xF0)
        *lo = 0x90;
    else if (lead == 0xF4)
        *hi = 0x8F;
}

/* The length of a sequence that lead starts, 0 when it starts none. */
static size_t sequence_length(uint8_t lead)
{
    if (lead < 0x80)
        return 1;
    if (lead < 0xC2)
        return 0;
    if (lead < 0xE0)
        return 2;
    if (lead < 0xF0)
        return 3;
    if (lead < 0xF5)
        return 4;
    return 0;
}

static outcome reference_decode(const uint8_t *data, size_t n, int final, uint32_t *out)
{
    outcome o = {QC_OK, 0, 0, 0, 0, NULL};
    size_t i = 0;
    while (i < n) {
        size_t len = sequence_length(data[i]);
        if (len == 0) {
            o = (outcome){QC_EINVAL, o.n_out, i, i, 1, "invalid start byte"};
            return o;
        }
        uint32_t cp = len == 1 ? data[i] : data[i] & (0xFF >> (len + 1));
        size_t j = 1;
        for (; j < len; j++) {
            if (i + j == n) { /* cut short by the end of the input */
                if (!final) {
                    o.consumed = i;
                    return o;
                }
                return (outcome){QC_EINVAL, o.n_out, i, i, (int64_t)(n - i),
                                 "unexpected end of data"};
            }
            uint8_t lo, hi;
            allowed(data[i], j, &lo, &hi);
            if (data[i + j] < lo || data[i + j] > hi)
                return (outcome){QC_EINVAL, o.n_out, i, i, (int64_t)j,
                                 "invalid continuation byte"};
            cp = cp << 6 | (data[i + j] & 0x3F);
        }
        out[o.n_out++] = cp;
        i += len;
    }
    o.consumed = i;
    return o;
}

/* -- the decoder under test ----------------------------------------------------- */

static outcome decode(const uint8_t *data, size_t n, int final, uint32_t *out)
{
    qc_errinfo err = {0};
    outcome o = {0};
    /* guards so that a result left unset is seen as such */
    o.n_out = o.consumed = SIZE_MAX;
    o.status = qc_utf8_decode(data, n, final, out, &o.n_out, &o.consumed, &err);
    FZ_CHECK_STATUS(o.status, FZ_ST(QC_OK) | FZ_ST(QC_EINVAL));
    FZ_CHECK(o.consumed <= n);
    FZ_CHECK(o.n_out <= o.consumed);
    if (o.status == QC_OK) {
        FZ_CHECK(err.reason == NULL); /* err is filled only on error */
        if (final)
            FZ_CHECK(o.consumed == n);
        else
            FZ_CHECK(n - o.consumed <= 3);
    } else {
        FZ_CHECK(qc_utf8_is_decode_error(&err));
        FZ_CHECK(err.arg != NULL && strcmp(err.arg, "data") == 0);
        FZ_CHECK(err.index == o.consumed);
        FZ_CHECK(err.value >= 1 && err.value <= 3);
        FZ_CHECK(err.index + (size_t)err.value <= n);
        o.index = err.index;
        o.length = err.value;
        o.reason = err.reason;
    }
    return o;
}

/* Appends the UTF-8 encoding of cp to buf at *at. */
static void encode(uint32_t cp, uint8_t *buf, size_t *at)
{
    if (cp < 0x80) {
        buf[(*at)++] = (uint8_t)cp;
    } else if (cp < 0x800) {
        buf[(*at)++] = (uint8_t)(0xC0 | cp >> 6);
        buf[(*at)++] = (uint8_t)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        buf[(*at)++] = (uint8_t)(0xE0 | cp >> 12);
        buf[(*at)++] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
        buf[(*at)++] = (uint8_t)(0x80 | (cp & 0x3F));
    } else {
        buf[(*at)++] = (uint8_t)(0xF0 | cp >> 18);
        buf[(*at)++] = (uint8_t)(0x80 | (cp >> 12 & 0x3F));
        buf[(*at)++] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
        buf[(*at)++] = (uint8_t)(0x80 | (cp & 0x3F));
    }
}

static void same_outcome(const outcome *a, const outcome *b, const uint32_t *out_a,
                         const uint32_t *out_b)
{
    FZ_CHECK(a->status == b->status);
    FZ_CHECK(a->n_out == b->n_out);
    FZ_CHECK(a->consumed == b->consumed);
    FZ_CHECK(memcmp(out_a, out_b, a->n_out * sizeof *out_a) == 0);
    if (a->status != QC_OK) {
        FZ_CHECK(a->index == b->index);
        FZ_CHECK(a->length == b->length);
        FZ_CHECK(strcmp(a->reason, b->reason) == 0);
    }
}

static void check_fold(uint32_t cp)
{
    uint32_t f = qc_fold_latin(cp);
    FZ_CHECK(qc_fold_latin(f) == f);
    /* folding only moves letters within the blocks it names */
    if (f != cp)
        FZ_CHECK((cp < 0x180 && f < 0x180) || (cp >= 0xFF21 && cp <= 0xFF3A && f == cp + 32));
}

int LLVMFuzzerTestOneInput(const uint8_t *input, size_t size)
{
    if (size > FZ_MAX_INPUT)
        return 0;
    fz_input in = {input, size};
    uint8_t chunk_a = fz_u8(&in), chunk_b = fz_u8(&in);
    size_t n;
    const uint8_t *data = fz_bytes(&in, SIZE_MAX, &n);
    /* exactly n code points each: a decoder that wrote past what n bytes
       can give trips ASan */
    uint32_t *whole = fz_alloc(n, sizeof *whole), *ref = fz_alloc(n, sizeof *ref);
    uint32_t *streamed = fz_alloc(n, sizeof *streamed);

    outcome w = decode(data, n, 1, whole);
    outcome r = reference_decode(data, n, 1, ref);
    same_outcome(&w, &r, whole, ref);

    /* the code points are scalar values that encode back to the bytes */
    uint8_t *bytes = fz_alloc(4 * w.n_out + 1, 1);
    size_t at = 0;
    for (size_t i = 0; i < w.n_out; i++) {
        FZ_CHECK(whole[i] <= 0x10FFFF && (whole[i] < 0xD800 || whole[i] > 0xDFFF));
        encode(whole[i], bytes, &at);
        check_fold(whole[i]);
    }
    FZ_CHECK(at == w.consumed && memcmp(bytes, data, at) == 0);
    free(bytes);

    /* non-final: the same, except that a sequence cut by the end waits */
    outcome nf = decode(data, n, 0, streamed);
    outcome nr = reference_decode(data, n, 0, ref);
    same_outcome(&nf, &nr, streamed, ref);
    if (w.status != QC_OK && strcmp(w.reason, "unexpected end of data") == 0) {
        FZ_CHECK(nf.status == QC_OK && nf.consumed == w.index && nf.n_out == w.n_out);
        FZ_CHECK(memcmp(streamed, whole, w.n_out * sizeof *whole) == 0);
    } else {
        same_outcome(&nf, &w, streamed, whole);
    }

    /* streaming: chunks of sizes chunk_a, chunk_b, chunk_a, ... (0 read as
       the rest), each starting at the first byte the last one left */
    size_t pos = 0, k = 0, chunk_end = 0;
    outcome last = {QC_OK, 0, 0, 0, 0, NULL};
    for (int turn = 0;; turn++) {
        size_t step = turn % 2 ? chunk_b : chunk_a;
        chunk_end = step == 0 || n - chunk_end < step ? n : chunk_end + step;
        int final = chunk_end == n;
        last = decode(data + pos, chunk_end - pos, final, streamed + k);
        k += last.n_out;
        if (last.status != QC_OK) {
            last.index += pos;
            break;
        }
        pos += last.consumed;
        if (final)
            break;
    }
    FZ_CHECK(last.status == w.status && k == w.n_out);
    FZ_CHECK(memcmp(streamed, whole, k * sizeof *whole) == 0);
    if (w.status != QC_OK) {
        FZ_CHECK(last.index == w.index && last.length == w.length);
        FZ_CHECK(strcmp(last.reason, w.reason) == 0);
    } else {
        FZ_CHECK(pos == n);
    }

    free(whole);
    free(ref);
    free(streamed);
    return 0;
}
