/*
 * Text arguments of the text area: Python str read in place (PEP 393 kind,
 * data, length), bytes validated and decoded to code points once in C, and
 * the way back to str objects.
 */
#ifndef QC_BINDING_TEXTARG_H
#define QC_BINDING_TEXTARG_H

#include "convert.h"
#include "qc/utf8.h"

typedef struct {
    PyObject *keep;     /* tuple of the text objects: keeps them alive while
                           kernels read them without the GIL */
    qc_str *views;      /* one per text */
    uint32_t **decoded; /* per text: the code points of a bytes text, or NULL */
    Py_ssize_t n;
    size_t total_len;   /* code points over all texts */
} qc_textset;

/*
 * Views of obj: a str, bytes or None (one text; None is empty), or a list or
 * tuple of those. Bad UTF-8 raises UnicodeDecodeError (start = byte offset
 * of the first bad byte) with a note naming name[i]; other objects raise
 * TypeError naming name[i]. Returns 0, or -1 with an exception set (out then
 * holds nothing). Release with qc_texts_release.
 */
int qc_texts_from(PyObject *obj, const char *name, qc_textset *out);
void qc_texts_release(qc_textset *ts);

/* True when obj is one text rather than a sequence of texts. */
int qc_is_single_text(PyObject *obj);

/* text t of ts [a:b) as a new str. */
PyObject *qc_text_slice(const qc_textset *ts, Py_ssize_t t, int64_t a,
                        int64_t b);

/* list of the n strings text[offsets[i]:offsets[i+1]]. */
PyObject *qc_str_list(const uint32_t *text, const int64_t *offsets, size_t n);

/* The same strings in a 1-d object array (pandas takes it as an Index
   without converting). */
PyObject *qc_str_array(const uint32_t *text, const int64_t *offsets, size_t n);

/* str from a code point array. */
PyObject *qc_str_from_cps(const uint32_t *cps, size_t n);

/* qc_adopt_int64 that also takes NULL data for an empty array. */
PyObject *qc_adopt_or_empty(int64_t *data, npy_intp n);

/* Sets UnicodeDecodeError for a qc_utf8_decode failure on data[0:n). */
void qc_raise_decode(const qc_errinfo *err, const char *data, Py_ssize_t n,
                     const char *name, Py_ssize_t index);

#endif /* QC_BINDING_TEXTARG_H */
