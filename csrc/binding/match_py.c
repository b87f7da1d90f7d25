/* Python entry points for qc/acmatch.h, and text slices for keyword in
   context. A matcher lives in a capsule and is only read once built, so
   any number of threads may match with it at once; texts are read in
   place (no copy of a str), and matches go up as four int64 columns that
   numpy adopts. */
#include "bindings.h"
#include "textarg.h"
#include "qc/acmatch.h"

static const char CAPSULE[] = "qdacore.matcher";

static void free_matcher(PyObject *capsule)
{
    qc_matcher_free(PyCapsule_GetPointer(capsule, CAPSULE));
}

static const qc_matcher *matcher_of(PyObject *obj)
{
    if (!PyCapsule_IsValid(obj, CAPSULE)) {
        PyErr_SetString(PyExc_TypeError, "matcher must be a capsule from matcher_new()");
        return NULL;
    }
    return PyCapsule_GetPointer(obj, CAPSULE);
}

/* matcher_new(patterns, fold) -> capsule */
static PyObject *matcher_new(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *patterns_obj, *fold_obj;
    int fold = 0;
    qc_textset ts = {0};
    qc_matcher *m = NULL;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "OO:matcher_new", &patterns_obj, &fold_obj) ||
        qc_flag_arg(fold_obj, "fold", &fold) < 0)
        return NULL;
    if (!PyList_Check(patterns_obj) && !PyTuple_Check(patterns_obj)) {
        PyErr_Format(PyExc_TypeError, "patterns must be a list of str, got %.200s",
                     Py_TYPE(patterns_obj)->tp_name);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(patterns_obj); i++) {
        PyObject *p = PySequence_Fast_GET_ITEM(patterns_obj, i);
        if (!PyUnicode_Check(p)) {
            PyErr_Format(PyExc_TypeError, "patterns[%zd] must be str, got %.200s", i,
                         Py_TYPE(p)->tp_name);
            return NULL;
        }
    }
    if (qc_texts_from(patterns_obj, "patterns", &ts) < 0)
        return NULL;
    qc_errinfo err = {0};
    qc_status status;
    Py_BEGIN_ALLOW_THREADS
    status = qc_matcher_new(ts.views, (size_t)ts.n, fold, &m, &err);
    Py_END_ALLOW_THREADS
    if (status != QC_OK) {
        if (status == QC_EINVAL && ts.n == 0)
            PyErr_SetString(PyExc_ValueError, "patterns is empty; give at least one pattern");
        else if (status == QC_EINVAL)
            PyErr_Format(PyExc_ValueError, "patterns[%zu] is empty; every pattern needs "
                         "at least one character", err.index);
        else
            qc_raise(status, &err, "matcher_new");
        goto finally;
    }
    result = PyCapsule_New(m, CAPSULE, free_matcher);
    if (result == NULL)
        qc_matcher_free(m);
finally:
    qc_texts_release(&ts);
    return result;
}

/* matcher_info(matcher) -> (bytes, nodes, prefilter: 0 none, 1 plain C, 2 AVX2) */
static PyObject *matcher_info(PyObject *module, PyObject *cap)
{
    (void)module;
    const qc_matcher *m = matcher_of(cap);
    if (m == NULL)
        return NULL;
    return Py_BuildValue("nni", (Py_ssize_t)qc_matcher_bytes(m), (Py_ssize_t)qc_matcher_nodes(m),
                         qc_matcher_prefiltered(m));
}

/* find(matcher, texts, overlapping, max_matches) -> (text, start, end, pattern) */
static PyObject *find(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *cap, *texts, *overlapping_obj, *max_obj;
    int overlapping = 1;
    qc_textset ts = {0};
    qc_matches out = {0};
    PyObject *result = NULL, *cols[4] = {NULL, NULL, NULL, NULL};
    if (!PyArg_ParseTuple(args, "OOOO:find", &cap, &texts, &overlapping_obj, &max_obj))
        return NULL;
    const qc_matcher *m = matcher_of(cap);
    if (m == NULL || qc_flag_arg(overlapping_obj, "overlapping", &overlapping) < 0)
        return NULL;
    size_t max_matches = SIZE_MAX;
    if (max_obj != Py_None) {
        Py_ssize_t bound;
        if (qc_ssize_arg(max_obj, "max_matches", 0, &bound) < 0)
            return NULL;
        max_matches = (size_t)bound;
    }
    if (qc_texts_from(texts, "texts", &ts) < 0)
        return NULL;
    qc_errinfo err = {0};
    qc_status status;
    qc_matchmode mode = overlapping ? QC_MATCH_OVERLAPPING : QC_MATCH_LONGEST;
    QC_BEGIN_THREADS_THRESHOLDED(ts.total_len)
    status = qc_match(m, ts.views, (size_t)ts.n, mode, max_matches, &out, &err);
    QC_END_THREADS
    if (status == QC_ELIMIT) {
        PyErr_Format(PyExc_ValueError,
                     "find: the texts hold more than max_matches=%zu matches (passed "
                     "in texts[%zu]); pass a larger max_matches, or max_matches=None "
                     "to take them all (32 bytes a match)", max_matches, err.index);
        goto finally;
    }
    if (status != QC_OK) {
        qc_raise(status, &err, "find");
        goto finally;
    }
    int64_t **data[4] = {&out.text, &out.start, &out.end, &out.pattern};
    for (int c = 0; c < 4; c++) {
        cols[c] = qc_adopt_or_empty(*data[c], (npy_intp)out.n);
        *data[c] = NULL;
        if (cols[c] == NULL)
            goto finally;
    }
    result = PyTuple_Pack(4, cols[0], cols[1], cols[2], cols[3]);
finally:
    for (int c = 0; c < 4; c++)
        Py_XDECREF(cols[c]);
    qc_matches_free(&out);
    qc_texts_release(&ts);
    return result;
}

/* slices(texts, text, start, end) -> list of texts[text[k]][start[k]:end[k]],
   offsets clipped to the text. */
static PyObject *slices(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *texts, *t_obj, *s_obj, *e_obj;
    qc_textset ts = {0};
    PyArrayObject *t = NULL, *s = NULL, *e = NULL;
    PyObject *list = NULL;
    if (!PyArg_ParseTuple(args, "OOOO:slices", &texts, &t_obj, &s_obj, &e_obj))
        return NULL;
    if (qc_texts_from(texts, "texts", &ts) < 0)
        return NULL;
    t = qc_int64_vector(t_obj, "text", -1);
    if (t == NULL)
        goto finally;
    npy_intp n = PyArray_DIM(t, 0);
    s = qc_int64_vector(s_obj, "start", n);
    e = s ? qc_int64_vector(e_obj, "end", n) : NULL;
    if (e == NULL)
        goto finally;
    const int64_t *tv = PyArray_DATA(t), *sv = PyArray_DATA(s), *ev = PyArray_DATA(e);
    for (npy_intp k = 0; k < n; k++) {
        if (tv[k] < 0 || tv[k] >= ts.n) {
            PyErr_Format(PyExc_IndexError, "text[%zd] = %lld: no such text (%zd texts)",
                         (Py_ssize_t)k, (long long)tv[k], ts.n);
            goto finally;
        }
    }
    list = PyList_New(n);
    if (list == NULL)
        goto finally;
    for (npy_intp k = 0; k < n; k++) {
        int64_t len = (int64_t)ts.views[tv[k]].len;
        int64_t a = sv[k] < 0 ? 0 : sv[k] > len ? len : sv[k];
        int64_t b = ev[k] < a ? a : ev[k] > len ? len : ev[k];
        PyObject *piece = qc_text_slice(&ts, (Py_ssize_t)tv[k], a, b);
        if (piece == NULL) {
            Py_CLEAR(list);
            goto finally;
        }
        PyList_SET_ITEM(list, k, piece);
    }
finally:
    Py_XDECREF(t);
    Py_XDECREF(s);
    Py_XDECREF(e);
    qc_texts_release(&ts);
    return list;
}

/* decode_utf8(data, final) -> (str, consumed) */
static PyObject *decode_utf8(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *data_obj, *final_obj;
    Py_buffer data = {0};
    int final = 1;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "OO:decode_utf8", &data_obj, &final_obj) ||
        qc_flag_arg(final_obj, "final", &final) < 0 || qc_bytes_arg(data_obj, "data", &data) < 0)
        return NULL;
    uint32_t *out = qc_malloc((size_t)data.len, sizeof *out);
    if (out == NULL) {
        PyBuffer_Release(&data);
        return PyErr_NoMemory();
    }
    size_t n_out = 0, consumed = 0;
    qc_errinfo err = {0};
    qc_status status;
    Py_BEGIN_ALLOW_THREADS
    status = qc_utf8_decode(data.buf, (size_t)data.len, final, out, &n_out, &consumed, &err);
    Py_END_ALLOW_THREADS
    if (status != QC_OK) {
        if (qc_utf8_is_decode_error(&err))
            qc_raise_decode(&err, data.buf, data.len, "data", -1);
        else
            qc_raise(status, &err, "decode_utf8");
    } else {
        PyObject *text = qc_str_from_cps(out, n_out);
        if (text != NULL)
            result = Py_BuildValue("Nn", text, (Py_ssize_t)consumed);
    }
    qc_free(out);
    PyBuffer_Release(&data);
    return result;
}

PyMethodDef qc_match_methods[] = {
    {"decode_utf8", decode_utf8, METH_VARARGS,
     "decode_utf8(data, final, /)\n--\n\n"
     "(text, consumed): UTF-8 bytes decoded in C; with final=False a sequence\n"
     "cut by the end is left for the next chunk. Bad bytes raise\n"
     "UnicodeDecodeError (start = byte offset)."},
    {"matcher_new", matcher_new, METH_VARARGS,
     "matcher_new(patterns, fold, /)\n--\n\n"
     "An Aho-Corasick automaton over the patterns (list of str); fold=True\n"
     "compares Latin letters case-insensitively."},
    {"matcher_info", matcher_info, METH_O,
     "matcher_info(matcher, /)\n--\n\n(bytes held, number of trie nodes, prefilter: 0 none, 1 plain C, 2 AVX2)."},
    {"find", find, METH_VARARGS,
     "find(matcher, texts, overlapping, max_matches, /)\n--\n\n"
     "Matches in texts (str, UTF-8 bytes, or a list of them) as int64 arrays\n"
     "(text, start, end, pattern): every occurrence ordered by end then start,\n"
     "or leftmost-longest without overlaps. More than max_matches (an int >= 0,\n"
     "or None for no bound) raises ValueError. Runs without the GIL."},
    {"slices", slices, METH_VARARGS,
     "slices(texts, text, start, end, /)\n--\n\n"
     "texts[text[k]][start[k]:end[k]] for every k as a list of str (offsets\n"
     "clipped to the text)."},
    {NULL, NULL, 0, NULL}};
