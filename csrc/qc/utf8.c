/*
 * Text views and UTF-8 (qc/utf8.h): checking a qc_str, and decoding bytes
 * into code points. The decoder rejects exactly what Python's does, at the
 * same byte and with the same reason, so that the binding can raise a
 * UnicodeDecodeError that reads like Python's own.
 */
#include "qc/utf8.h"

qc_status qc_str_check(const qc_str *s, const char *arg, size_t index,
                       qc_errinfo *err)
{
    if (s == NULL)
        return qc_fail(err, QC_EINVAL, arg, index, 0, 0, "is missing");
    if (s->kind != 1 && s->kind != 2 && s->kind != 4)
        return qc_fail(err, QC_EINVAL, arg, index, s->kind, 0,
                       "kind must be 1, 2 or 4 bytes per code point");
    if (s->len > 0 && s->data == NULL)
        return qc_fail(err, QC_EINVAL, arg, index, (int64_t)s->len, 0,
                       "has a length but no data");
    return QC_OK;
}

static const char INVALID_START[] = "invalid start byte";
static const char INVALID_CONTINUATION[] = "invalid continuation byte";
static const char UNEXPECTED_END[] = "unexpected end of data";

int qc_utf8_is_decode_error(const qc_errinfo *err)
{
    return err != NULL && (err->reason == INVALID_START ||
                           err->reason == INVALID_CONTINUATION ||
                           err->reason == UNEXPECTED_END);
}

/* Bounds of the second byte after a lead byte (Unicode Table 3-7): they
   exclude overlong forms, surrogates and code points above U+10FFFF at the
   earliest byte, which is where Python reports the error too. */
static int second_byte_ok(uint8_t lead, uint8_t b)
{
    switch (lead) {
    case 0xE0: return b >= 0xA0 && b <= 0xBF;
    case 0xED: return b >= 0x80 && b <= 0x9F;
    case 0xF0: return b >= 0x90 && b <= 0xBF;
    case 0xF4: return b >= 0x80 && b <= 0x8F;
    default: return b >= 0x80 && b <= 0xBF;
    }
}

qc_status qc_utf8_decode(const uint8_t *data, size_t n, int final,
                         uint32_t *out, size_t *n_out, size_t *consumed,
                         qc_errinfo *err)
{
    if (n_out == NULL || consumed == NULL || (n > 0 && (data == NULL || out == NULL)))
        return qc_fail(err, QC_EINVAL, "data", 0, 0, 0, "is missing");
    size_t i = 0, k = 0;
    while (i < n) {
        uint8_t b = data[i];
        if (b < 0x80) {
            out[k++] = b;
            i++;
            continue;
        }
        size_t need;
        uint32_t cp;
        if (b >= 0xC2 && b <= 0xDF) {
            need = 1;
            cp = b & 0x1F;
        } else if (b >= 0xE0 && b <= 0xEF) {
            need = 2;
            cp = b & 0x0F;
        } else if (b >= 0xF0 && b <= 0xF4) {
            need = 3;
            cp = b & 0x07;
        } else {
            *n_out = k;
            *consumed = i;
            return qc_fail(err, QC_EINVAL, "data", i, 1, 0, INVALID_START);
        }
        size_t j = 1;
        for (; j <= need && i + j < n; j++) {
            uint8_t c = data[i + j];
            int ok = j == 1 ? second_byte_ok(b, c) : (c >= 0x80 && c <= 0xBF);
            if (!ok) {
                *n_out = k;
                *consumed = i;
                return qc_fail(err, QC_EINVAL, "data", i, (int64_t)j, 0,
                               INVALID_CONTINUATION);
            }
            cp = (cp << 6) | (c & 0x3F);
        }
        if (j <= need) { /* ran out of input inside a valid prefix */
            *n_out = k;
            *consumed = i;
            if (!final)
                return QC_OK;
            return qc_fail(err, QC_EINVAL, "data", i, (int64_t)(n - i), 0,
                           UNEXPECTED_END);
        }
        out[k++] = cp;
        i += need + 1;
    }
    *n_out = k;
    *consumed = i;
    return QC_OK;
}

int qc_is_space(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20);
    switch (cp) {
    case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029:
    case 0x202F: case 0x205F: case 0x3000:
        return 1;
    default:
        return cp >= 0x2000 && cp <= 0x200A;
    }
}

uint32_t qc_fold_latin(uint32_t cp)
{
    if (cp < 0x80)
        return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
    if (cp < 0x100)
        return cp >= 0xC0 && cp <= 0xDE && cp != 0xD7 ? cp + 32 : cp;
    if (cp < 0x180) {
        /* Latin Extended-A pairs upper/lower case as even/odd, with the
           parity flipping after U+0138 and again after U+0148. */
        if (cp == 0x130) /* dotted I lowercases to two code points */
            return cp;
        if (cp == 0x178)
            return 0xFF;
        if ((cp >= 0x100 && cp <= 0x137) || (cp >= 0x14A && cp <= 0x177))
            return (cp & 1) ? cp : cp + 1;
        if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E))
            return (cp & 1) ? cp + 1 : cp;
        return cp;
    }
    if (cp >= 0xFF21 && cp <= 0xFF3A)
        return cp + 32;
    return cp;
}
