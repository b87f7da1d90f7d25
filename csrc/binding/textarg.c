/*
 * Text arguments (textarg.h). A str is handed to the kernels as a view of
 * its own PEP 393 buffer, so no text is copied or re-encoded on the way
 * in; only bytes are decoded (once, in C, with the error naming the byte
 * and the argument). The tuple of the given objects is kept for as long
 * as the views, so a kernel running without the GIL reads memory that
 * stays alive.
 */
#include "textarg.h"

#include <string.h>

void qc_raise_decode(const qc_errinfo *err, const char *data, Py_ssize_t n,
                     const char *name, Py_ssize_t index)
{
    Py_ssize_t start = (Py_ssize_t)err->index;
    Py_ssize_t end = start + (Py_ssize_t)(err->value > 0 ? err->value : 1);
    PyObject *exc = PyUnicodeDecodeError_Create("utf-8", data, n, start, end,
                                                err->reason);
    if (exc == NULL)
        return;
    /* Name the argument on Pythons that show notes (3.11+). */
    if (PyObject_HasAttrString(exc, "add_note")) {
        PyObject *note = index >= 0
                             ? PyUnicode_FromFormat("in %s[%zd], at byte %zd", name, index, start)
                             : PyUnicode_FromFormat("in %s, at byte %zd", name, start);
        PyObject *res = note ? PyObject_CallMethod(exc, "add_note", "O", note) : NULL;
        Py_XDECREF(res);
        Py_XDECREF(note);
        if (res == NULL) {
            Py_DECREF(exc);
            return;
        }
    }
    PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
    Py_DECREF(exc);
}

int qc_is_single_text(PyObject *obj)
{
    return obj == Py_None || PyUnicode_Check(obj) || PyBytes_Check(obj);
}

/* One text: its view, decoding bytes into *decoded. */
static int view_of(PyObject *item, const char *name, Py_ssize_t index,
                   qc_str *view, uint32_t **decoded)
{
    *decoded = NULL;
    if (item == Py_None) {
        *view = (qc_str){1, NULL, 0};
        return 0;
    }
    if (PyUnicode_Check(item)) {
#if PY_VERSION_HEX < 0x030C0000
        if (PyUnicode_READY(item) < 0)
            return -1;
#endif
        *view = (qc_str){(int)PyUnicode_KIND(item), PyUnicode_DATA(item),
                         (size_t)PyUnicode_GET_LENGTH(item)};
        return 0;
    }
    if (PyBytes_Check(item)) {
        const uint8_t *data = (const uint8_t *)PyBytes_AS_STRING(item);
        size_t n = (size_t)PyBytes_GET_SIZE(item), n_out = 0, consumed = 0;
        uint32_t *out = qc_malloc(n, sizeof *out);
        if (out == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        qc_errinfo err = {0};
        qc_status status;
        QC_BEGIN_THREADS_THRESHOLDED(n)
        status = qc_utf8_decode(data, n, 1, out, &n_out, &consumed, &err);
        QC_END_THREADS
        if (status != QC_OK) {
            qc_free(out);
            if (qc_utf8_is_decode_error(&err))
                qc_raise_decode(&err, (const char *)data, (Py_ssize_t)n, name, index);
            else
                qc_raise(status, &err, name);
            return -1;
        }
        *decoded = out;
        *view = (qc_str){4, out, n_out};
        return 0;
    }
    if (index >= 0)
        PyErr_Format(PyExc_TypeError,
                     "%s[%zd] must be str, bytes (UTF-8) or None, got %.200s",
                     name, index, Py_TYPE(item)->tp_name);
    else
        PyErr_Format(PyExc_TypeError,
                     "%s must be str, bytes (UTF-8), None or a list of them, got %.200s",
                     name, Py_TYPE(item)->tp_name);
    return -1;
}

int qc_texts_from(PyObject *obj, const char *name, qc_textset *out)
{
    memset(out, 0, sizeof *out);
    int single = qc_is_single_text(obj);
    if (!single && !PyList_Check(obj) && !PyTuple_Check(obj)) {
        PyErr_Format(PyExc_TypeError,
                     "%s must be str, bytes (UTF-8), None or a list of them, got %.200s",
                     name, Py_TYPE(obj)->tp_name);
        return -1;
    }
    out->keep = single ? PyTuple_Pack(1, obj) : PySequence_Tuple(obj);
    if (out->keep == NULL)
        return -1;
    out->n = PyTuple_GET_SIZE(out->keep);
    out->views = qc_calloc((size_t)out->n, sizeof *out->views);
    out->decoded = qc_calloc((size_t)out->n, sizeof *out->decoded);
    if (out->views == NULL || out->decoded == NULL) {
        qc_texts_release(out);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < out->n; i++) {
        if (view_of(PyTuple_GET_ITEM(out->keep, i), name, single ? -1 : i,
                    &out->views[i], &out->decoded[i]) < 0) {
            qc_texts_release(out);
            return -1;
        }
        out->total_len += out->views[i].len;
    }
    return 0;
}

void qc_texts_release(qc_textset *ts)
{
    if (ts->decoded != NULL) {
        for (Py_ssize_t i = 0; i < ts->n; i++)
            qc_free(ts->decoded[i]);
    }
    qc_free(ts->decoded);
    qc_free(ts->views);
    Py_XDECREF(ts->keep);
    memset(ts, 0, sizeof *ts);
}

PyObject *qc_str_from_cps(const uint32_t *cps, size_t n)
{
    if (n == 0)
        return PyUnicode_New(0, 0);
    return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, cps, (Py_ssize_t)n);
}

PyObject *qc_text_slice(const qc_textset *ts, Py_ssize_t t, int64_t a,
                        int64_t b)
{
    PyObject *item = PyTuple_GET_ITEM(ts->keep, t);
    if (PyUnicode_Check(item))
        return PyUnicode_Substring(item, (Py_ssize_t)a, (Py_ssize_t)b);
    if (ts->decoded[t] == NULL)
        return PyUnicode_New(0, 0);
    return qc_str_from_cps(ts->decoded[t] + a, (size_t)(b - a));
}

PyObject *qc_str_list(const uint32_t *text, const int64_t *offsets, size_t n)
{
    PyObject *list = PyList_New((Py_ssize_t)n);
    if (list == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        PyObject *s = qc_str_from_cps(text + offsets[i],
                                      (size_t)(offsets[i + 1] - offsets[i]));
        if (s == NULL) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, s);
    }
    return list;
}

PyObject *qc_str_array(const uint32_t *text, const int64_t *offsets, size_t n)
{
    npy_intp len = (npy_intp)n;
    PyObject *array = PyArray_SimpleNew(1, &len, NPY_OBJECT);
    if (array == NULL)
        return NULL;
    PyObject **slot = PyArray_DATA((PyArrayObject *)array);
    for (size_t i = 0; i < n; i++) {
        PyObject *s = qc_str_from_cps(text + offsets[i], (size_t)(offsets[i + 1] - offsets[i]));
        if (s == NULL) {
            Py_DECREF(array);
            return NULL;
        }
        Py_XSETREF(slot[i], s);
    }
    return array;
}

PyObject *qc_adopt_or_empty(int64_t *data, npy_intp n)
{
    if (data == NULL) {
        npy_intp zero = 0;
        return PyArray_SimpleNew(1, &zero, NPY_INT64);
    }
    return qc_adopt_int64(data, n);
}
