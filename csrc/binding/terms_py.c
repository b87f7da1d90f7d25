/* Python entry points for qc/terms.h: n-gram counts, term strings in
   order and co-word pairs. Results are built for scipy.sparse and pandas
   without a copy: CSR arrays adopted from the core (narrowed to int32 in
   place when they fit, as scipy would copy them down), terms as object
   arrays; threads are the caller's to choose, one by default. */
#include "bindings.h"
#include "textarg.h"
#include "qc/terms.h"

#include <string.h>

/* char_tokens(texts) -> (indptr, tokens): code points, white-space runs of
   two or more as one space (scikit-learn's analyzer="char"). */
static PyObject *char_tokens(PyObject *module, PyObject *texts)
{
    (void)module;
    qc_textset ts = {0};
    int64_t *indptr = NULL, *tokens = NULL;
    size_t n = 0, cap = 0;
    PyObject *a = NULL, *b = NULL, *result = NULL;
    if (qc_texts_from(texts, "texts", &ts) < 0)
        return NULL;
    indptr = qc_malloc((size_t)ts.n + 1, sizeof *indptr);
    if (indptr == NULL) {
        PyErr_NoMemory();
        goto finally;
    }
    qc_errinfo err = {0};
    qc_status status;
    Py_BEGIN_ALLOW_THREADS
    status = qc_char_tokens(ts.views, (size_t)ts.n, indptr, &tokens, &n, &cap, &err);
    Py_END_ALLOW_THREADS
    if (status != QC_OK) {
        qc_raise(status, &err, "char_tokens");
        goto finally;
    }
    a = qc_adopt_int64(indptr, ts.n + 1);
    indptr = NULL;
    b = qc_adopt_or_empty(tokens, (npy_intp)n);
    tokens = NULL;
    if (a != NULL && b != NULL)
        result = PyTuple_Pack(2, a, b);
finally:
    qc_free(indptr);
    qc_free(tokens);
    Py_XDECREF(a);
    Py_XDECREF(b);
    qc_texts_release(&ts);
    return result;
}

/* The keep mask: None, or a 1-d array of n_vocab bools (or integers 0
   and 1), as a uint8 array in *out. Floats, strings and objects are refused
   (TypeError), another integer or length too (ValueError). */
static int keep_mask(PyObject *obj, npy_intp n_vocab, PyArrayObject **out)
{
    *out = NULL;
    if (obj == Py_None)
        return 0;
    PyArrayObject *found = PyArray_Check(obj)
                               ? (Py_INCREF(obj), (PyArrayObject *)obj)
                               : (PyArrayObject *)PyArray_FromAny(obj, NULL, 0, 0, 0, NULL);
    if (found == NULL) {
        /* numpy's own error (a ragged list) names no argument */
        PyErr_Clear();
        PyErr_SetString(PyExc_TypeError, "keep must be None or an array of bools");
        return -1;
    }
    int kind = PyArray_DESCR(found)->kind;
    if (kind != 'b' && kind != 'i' && kind != 'u') {
        PyErr_Format(PyExc_TypeError, "keep must be None or an array of bools, got dtype %S",
                     (PyObject *)PyArray_DESCR(found));
        Py_DECREF(found);
        return -1;
    }
    Py_DECREF(found);
    if (kind == 'i' || kind == 'u') {
        PyArrayObject *ints = qc_int64_vector(obj, "keep", n_vocab);
        if (ints == NULL)
            return -1;
        const int64_t *v = PyArray_DATA(ints);
        for (npy_intp i = 0; i < n_vocab; i++) {
            if (v[i] != 0 && v[i] != 1) {
                PyErr_Format(PyExc_ValueError, "keep[%zd] = %lld: must be 0 or 1 (or a bool)",
                             (Py_ssize_t)i, (long long)v[i]);
                Py_DECREF(ints);
                return -1;
            }
        }
        Py_DECREF(ints);
    }
    *out = (PyArrayObject *)PyArray_FROMANY(obj, NPY_UINT8, 0, 0,
                                            NPY_ARRAY_IN_ARRAY | NPY_ARRAY_FORCECAST);
    if (*out == NULL)
        return -1;
    if (PyArray_NDIM(*out) != 1 || PyArray_DIM(*out, 0) != n_vocab) {
        PyErr_Format(PyExc_ValueError, "keep must be 1-dimensional with n_vocab = %zd entries",
                     (Py_ssize_t)n_vocab);
        Py_CLEAR(*out);
        return -1;
    }
    return 0;
}

/* threads (>= 1: more than the CPUs run as many parts as there are CPUs),
   or -1 with an exception naming it. */
static int threads_arg(PyObject *obj, Py_ssize_t *threads)
{
    return qc_ssize_arg(obj, "threads", 1, threads);
}

/* Code points of a list (or tuple) of str named `name`, as one buffer
   with offsets. A str itself is refused, not read as its characters. */
static int string_table(PyObject *list, const char *name, uint32_t **text,
                        int64_t **offsets, size_t *n)
{
    *text = NULL;
    *offsets = NULL;
    if (!PyList_Check(list) && !PyTuple_Check(list)) {
        PyErr_Format(PyExc_TypeError, "%s must be a list of str, got %.200s", name,
                     Py_TYPE(list)->tp_name);
        return -1;
    }
    PyObject *seq = PySequence_Fast(list, "a list of str");
    if (seq == NULL)
        return -1;
    Py_ssize_t count = PySequence_Fast_GET_SIZE(seq);
    size_t total = 0;
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *s = PySequence_Fast_GET_ITEM(seq, i);
        if (!PyUnicode_Check(s)) {
            PyErr_Format(PyExc_TypeError, "%s[%zd] must be str, got %.200s", name, i,
                         Py_TYPE(s)->tp_name);
            Py_DECREF(seq);
            return -1;
        }
        total += (size_t)PyUnicode_GET_LENGTH(s);
    }
    *text = qc_malloc(total, sizeof **text);
    *offsets = qc_malloc((size_t)count + 1, sizeof **offsets);
    if (*text == NULL || *offsets == NULL) {
        qc_free(*text);
        qc_free(*offsets);
        *text = NULL; /* the caller frees them too */
        *offsets = NULL;
        Py_DECREF(seq);
        PyErr_NoMemory();
        return -1;
    }
    size_t at = 0;
    (*offsets)[0] = 0;
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *s = PySequence_Fast_GET_ITEM(seq, i);
        qc_str view = {(int)PyUnicode_KIND(s), PyUnicode_DATA(s),
                       (size_t)PyUnicode_GET_LENGTH(s)};
        for (size_t k = 0; k < view.len; k++)
            (*text)[at++] = qc_str_at(&view, k);
        (*offsets)[i + 1] = (int64_t)at;
    }
    *n = (size_t)count;
    Py_DECREF(seq);
    return 0;
}

/* min_n and max_n: 1 <= min_n <= max_n (n-grams longer than a text give
   nothing), or -1 with ValueError naming the one out of range. */
static int ngram_range_args(PyObject *min_obj, PyObject *max_obj, Py_ssize_t *min_n,
                            Py_ssize_t *max_n)
{
    if (qc_ssize_arg(min_obj, "min_n", 1, min_n) < 0 ||
        qc_ssize_arg(max_obj, "max_n", 1, max_n) < 0)
        return -1;
    if (*max_n < *min_n) {
        PyErr_Format(PyExc_ValueError, "max_n must be >= min_n = %zd, got %zd", *min_n,
                     *max_n);
        return -1;
    }
    return 0;
}

/*
 * count_ngrams(indptr, tokens, n_vocab, keep, min_n, max_n, token_strings,
 * joiner) -> (indptr, indices, data, terms, rank)
 */
static PyObject *count_ngrams(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *indptr_obj, *tokens_obj, *keep_obj, *strings_obj;
    PyObject *n_vocab_obj, *min_n_obj, *max_n_obj, *joiner_obj;
    Py_ssize_t n_vocab, min_n, max_n;
    long long joiner;
    PyArrayObject *indptr = NULL, *tokens = NULL, *keep = NULL;
    qc_ngrams *grams = NULL;
    qc_csr csr = {0};
    uint32_t *tok_text = NULL, *text = NULL;
    int64_t *tok_offsets = NULL, *offsets = NULL, *rank = NULL, *order = NULL;
    size_t n_tok = 0, n_distinct = 0;
    PyObject *result = NULL, *cols[3] = {NULL, NULL, NULL}, *terms = NULL, *ranks = NULL;
    if (!PyArg_ParseTuple(args, "OOOOOOOO:count_ngrams", &indptr_obj, &tokens_obj,
                          &n_vocab_obj, &keep_obj, &min_n_obj, &max_n_obj, &strings_obj,
                          &joiner_obj))
        return NULL;
    if (qc_ssize_arg(n_vocab_obj, "n_vocab", 0, &n_vocab) < 0 ||
        ngram_range_args(min_n_obj, max_n_obj, &min_n, &max_n) < 0 ||
        qc_int_arg(joiner_obj, "joiner", -1, QC_N_CODE_POINTS - 1, &joiner) < 0)
        return NULL;
    if (joiner >= 0xD800 && joiner <= 0xDFFF) {
        PyErr_Format(PyExc_ValueError,
                     "joiner must be -1 (none) or a code point that is no surrogate, got %lld",
                     joiner);
        return NULL;
    }
    if (strings_obj == Py_None && (size_t)n_vocab > QC_N_CODE_POINTS) {
        PyErr_Format(PyExc_ValueError,
                     "n_vocab must be <= 0x110000 when token_strings is None (the tokens "
                     "are code points), got %zd", n_vocab);
        return NULL;
    }
    indptr = qc_int64_vector(indptr_obj, "indptr", -1);
    tokens = indptr ? qc_int64_vector(tokens_obj, "tokens", -1) : NULL;
    if (tokens == NULL || keep_mask(keep_obj, n_vocab, &keep) < 0)
        goto finally;
    if (PyArray_DIM(indptr, 0) < 1) {
        PyErr_SetString(PyExc_ValueError, "indptr must have n_docs + 1 >= 1 entries");
        goto finally;
    }
    if (strings_obj != Py_None) {
        if (string_table(strings_obj, "token_strings", &tok_text, &tok_offsets, &n_tok) < 0)
            goto finally;
        if (n_tok != (size_t)n_vocab) {
            PyErr_Format(PyExc_ValueError,
                         "token_strings must have n_vocab = %zd entries (one per token id), "
                         "got %zu", n_vocab, n_tok);
            goto finally;
        }
    }
    if (qc_ngrams_new(&grams) != QC_OK) {
        PyErr_NoMemory();
        goto finally;
    }
    qc_errinfo err = {0};
    qc_status status;
    size_t n_docs = (size_t)PyArray_DIM(indptr, 0) - 1;
    Py_BEGIN_ALLOW_THREADS
    status = qc_count_ngrams(PyArray_DATA(indptr), n_docs, PyArray_DATA(tokens),
                             (size_t)PyArray_DIM(tokens, 0), (size_t)n_vocab,
                             keep ? PyArray_DATA(keep) : NULL, (size_t)min_n,
                             (size_t)max_n, grams, &csr, &err);
    if (status == QC_OK)
        status = qc_ngram_strings(grams, tok_text, tok_offsets, n_tok, joiner, &text,
                                  &offsets, &rank, &order, &n_distinct, &err);
    Py_END_ALLOW_THREADS
    if (status != QC_OK) {
        qc_raise(status, &err, "count_ngrams");
        goto finally;
    }
    terms = PyList_New((Py_ssize_t)n_distinct);
    if (terms == NULL)
        goto finally;
    for (size_t i = 0; i < n_distinct; i++) {
        int64_t g = order[i];
        PyObject *s = qc_str_from_cps(text + offsets[g], (size_t)(offsets[g + 1] - offsets[g]));
        if (s == NULL)
            goto finally;
        PyList_SET_ITEM(terms, (Py_ssize_t)i, s);
    }
    cols[0] = qc_adopt_int64(csr.indptr, (npy_intp)n_docs + 1);
    csr.indptr = NULL;
    cols[1] = qc_adopt_or_empty(csr.indices, (npy_intp)csr.nnz);
    csr.indices = NULL;
    cols[2] = qc_adopt_or_empty(csr.data, (npy_intp)csr.nnz);
    csr.data = NULL;
    ranks = qc_adopt_or_empty(rank, (npy_intp)qc_ngrams_count(grams));
    rank = NULL;
    if (cols[0] && cols[1] && cols[2] && ranks)
        result = PyTuple_Pack(5, cols[0], cols[1], cols[2], terms, ranks);
finally:
    Py_XDECREF(indptr);
    Py_XDECREF(tokens);
    Py_XDECREF(keep);
    qc_ngrams_free(grams);
    qc_csr_free(&csr);
    qc_free(tok_text);
    qc_free(tok_offsets);
    qc_free(text);
    qc_free(offsets);
    qc_free(rank);
    qc_free(order);
    for (int c = 0; c < 3; c++)
        Py_XDECREF(cols[c]);
    Py_XDECREF(terms);
    Py_XDECREF(ranks);
    return result;
}

/* The str of n code points (none above U+10FFFF: the caller checked). */
static PyObject *str_of_code_points(const int64_t *cps, size_t n)
{
    Py_UCS4 top = 0;
    for (size_t i = 0; i < n; i++)
        top = (Py_UCS4)cps[i] > top ? (Py_UCS4)cps[i] : top;
    PyObject *s = PyUnicode_New((Py_ssize_t)n, top);
    if (s == NULL)
        return NULL;
    int kind = PyUnicode_KIND(s);
    void *data = PyUnicode_DATA(s);
    for (size_t i = 0; i < n; i++)
        PyUnicode_WRITE(kind, data, (Py_ssize_t)i, (Py_UCS4)cps[i]);
    return s;
}

/*
 * count_char_ngrams(texts, keep, min_n, max_n, threads=1) -> (indptr,
 * indices, data, terms, df) or None when the packed keys do not fit (then use char_tokens
 * and count_ngrams).
 */
static PyObject *count_char_ngrams(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *texts, *keep_obj, *min_n_obj, *max_n_obj, *threads_obj = NULL;
    Py_ssize_t min_n, max_n, threads = 1;
    PyArrayObject *keep = NULL;
    qc_textset ts = {0};
    qc_csr csr = {0};
    qc_packed_terms terms = {0};
    PyObject *result = NULL, *cols[4] = {NULL, NULL, NULL, NULL}, *strings = NULL;
    int narrow = 0;
    if (!PyArg_ParseTuple(args, "OOOO|O:count_char_ngrams", &texts, &keep_obj, &min_n_obj,
                          &max_n_obj, &threads_obj))
        return NULL;
    if (ngram_range_args(min_n_obj, max_n_obj, &min_n, &max_n) < 0 ||
        threads_arg(threads_obj, &threads) < 0)
        return NULL;
    if (keep_mask(keep_obj, QC_N_CODE_POINTS, &keep) < 0 ||
        qc_texts_from(texts, "texts", &ts) < 0)
        goto finally;
    qc_errinfo err = {0};
    qc_status status;
    Py_BEGIN_ALLOW_THREADS
    status = qc_count_char_ngrams(ts.views, (size_t)ts.n, keep ? PyArray_DATA(keep) : NULL,
                                  (size_t)min_n, (size_t)max_n, (size_t)threads, &csr, &terms,
                                  &err);
    /* scipy keeps 32-bit indices when they fit and would copy ours down */
    narrow = status == QC_OK && csr.nnz <= INT32_MAX && terms.n <= INT32_MAX;
    if (narrow) {
        qc_narrow_to_int32(csr.indptr, (size_t)ts.n + 1);
        qc_narrow_to_int32(csr.indices, csr.nnz);
    }
    Py_END_ALLOW_THREADS
    if (status == QC_EOVERFLOW && err.arg != NULL && strcmp(err.arg, "ngram_range") == 0) {
        result = Py_NewRef(Py_None);
        goto finally;
    }
    if (status != QC_OK) {
        qc_raise(status, &err, "count_char_ngrams");
        goto finally;
    }
    /* an object array, not a list: pandas takes it as an Index without
       converting */
    npy_intp n_terms = (npy_intp)terms.n;
    strings = PyArray_SimpleNew(1, &n_terms, NPY_OBJECT);
    if (strings == NULL)
        goto finally;
    PyObject **slot = PyArray_DATA((PyArrayObject *)strings);
    int64_t cps[64];
    for (size_t t = 0; t < terms.n; t++) {
        PyObject *s = str_of_code_points(cps, qc_packed_term(&terms, t, cps));
        if (s == NULL)
            goto finally;
        Py_XSETREF(slot[t], s);
    }
    if (narrow) {
        cols[0] = qc_adopt_int32((int32_t *)(void *)csr.indptr, (npy_intp)ts.n + 1);
        cols[1] = csr.indices == NULL ? qc_adopt_or_empty(NULL, 0)
                                      : qc_adopt_int32((int32_t *)(void *)csr.indices,
                                                       (npy_intp)csr.nnz);
    } else {
        cols[0] = qc_adopt_int64(csr.indptr, (npy_intp)ts.n + 1);
        cols[1] = qc_adopt_or_empty(csr.indices, (npy_intp)csr.nnz);
    }
    csr.indptr = NULL;
    csr.indices = NULL;
    cols[2] = qc_adopt_or_empty(csr.data, (npy_intp)csr.nnz);
    csr.data = NULL;
    cols[3] = qc_adopt_or_empty(terms.df, (npy_intp)terms.n);
    terms.df = NULL;
    if (cols[0] && cols[1] && cols[2] && cols[3])
        result = PyTuple_Pack(5, cols[0], cols[1], cols[2], strings, cols[3]);
finally:
    Py_XDECREF(keep);
    qc_texts_release(&ts);
    qc_csr_free(&csr);
    qc_packed_terms_free(&terms);
    for (int c = 0; c < 4; c++)
        Py_XDECREF(cols[c]);
    Py_XDECREF(strings);
    return result;
}

/* string_order(strings) -> int64 array: the positions of the strings in
   code point order (Python's sorted order), ties in their given order. */
static PyObject *string_order(PyObject *module, PyObject *strings)
{
    (void)module;
    uint32_t *text = NULL;
    int64_t *offsets = NULL;
    size_t n = 0;
    if (string_table(strings, "strings", &text, &offsets, &n) < 0)
        return NULL;
    npy_intp dim = (npy_intp)n;
    PyArrayObject *order = (PyArrayObject *)PyArray_SimpleNew(1, &dim, NPY_INT64);
    if (order != NULL) {
        qc_status status;
        Py_BEGIN_ALLOW_THREADS
        status = qc_string_order(text, offsets, n, PyArray_DATA(order));
        Py_END_ALLOW_THREADS
        if (status != QC_OK) {
            qc_raise(status, NULL, "string_order");
            Py_CLEAR(order);
        }
    }
    qc_free(text);
    qc_free(offsets);
    return (PyObject *)order;
}

/* count_pairs(indptr, tokens, n_vocab, keep, window, threads=1) ->
   (row_start, b, count): the pairs a < b as the rows of a sparse matrix */
static PyObject *count_pairs(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *indptr_obj, *tokens_obj, *keep_obj;
    PyObject *n_vocab_obj, *window_obj, *threads_obj = NULL;
    Py_ssize_t n_vocab, window, threads = 1;
    PyArrayObject *indptr = NULL, *tokens = NULL, *keep = NULL;
    PyArrayObject *rows = NULL, *b = NULL, *count = NULL;
    qc_wordpairs *pairs = NULL;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "OOOOO|O:count_pairs", &indptr_obj, &tokens_obj,
                          &n_vocab_obj, &keep_obj, &window_obj, &threads_obj))
        return NULL;
    if (qc_ssize_arg(n_vocab_obj, "n_vocab", 0, &n_vocab) < 0 ||
        qc_ssize_arg(window_obj, "window", 0, &window) < 0 ||
        threads_arg(threads_obj, &threads) < 0)
        return NULL;
    if (window == 1) {
        PyErr_SetString(PyExc_ValueError,
                        "window must be >= 2 (or 0 for whole texts), got 1");
        return NULL;
    }
    indptr = qc_int64_vector(indptr_obj, "indptr", -1);
    tokens = indptr ? qc_int64_vector(tokens_obj, "tokens", -1) : NULL;
    if (tokens == NULL || keep_mask(keep_obj, n_vocab, &keep) < 0)
        goto finally;
    if (PyArray_DIM(indptr, 0) < 1) {
        PyErr_SetString(PyExc_ValueError, "indptr must have n_docs + 1 >= 1 entries");
        goto finally;
    }
    if (qc_wordpairs_new(&pairs) != QC_OK) {
        PyErr_NoMemory();
        goto finally;
    }
    qc_errinfo err = {0};
    qc_status status;
    Py_BEGIN_ALLOW_THREADS
    status = qc_count_pairs(PyArray_DATA(indptr), (size_t)PyArray_DIM(indptr, 0) - 1,
                            PyArray_DATA(tokens), (size_t)PyArray_DIM(tokens, 0),
                            (size_t)n_vocab, keep ? PyArray_DATA(keep) : NULL,
                            (size_t)window, (size_t)threads, pairs, &err);
    Py_END_ALLOW_THREADS
    if (status != QC_OK) {
        qc_raise(status, &err, "count_pairs");
        goto finally;
    }
    npy_intp n = (npy_intp)qc_wordpairs_count(pairs);
    int64_t *rows_data;
    int32_t *b_data, *count_data;
    size_t skip;
    status = qc_wordpairs_take(pairs, (size_t)n_vocab, &rows_data, &b_data, &count_data, &skip);
    if (status != QC_OK) {
        qc_raise(status, NULL, "count_pairs");
        goto finally;
    }
    /* an array adopts its block or frees it; the blocks not reached yet are
       freed here */
    rows = (PyArrayObject *)qc_adopt_int64(rows_data, (npy_intp)n_vocab + 1);
    b = rows ? (PyArrayObject *)qc_adopt_int32_at(b_data, skip, n) : (qc_free(b_data), NULL);
    count = b ? (PyArrayObject *)qc_adopt_int32_at(count_data, skip, n)
              : (qc_free(count_data), NULL);
    if (count == NULL)
        goto finally;
    result = PyTuple_Pack(3, rows, b, count);
finally:
    Py_XDECREF(indptr);
    Py_XDECREF(tokens);
    Py_XDECREF(keep);
    Py_XDECREF(rows);
    Py_XDECREF(b);
    Py_XDECREF(count);
    qc_wordpairs_free(pairs);
    return result;
}

/* pairs_by_count(row_start, b, count, min_count) -> (a, b, count): the
   pairs of the rows with count >= min_count, highest count first */
static PyObject *pairs_by_count(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *rows_obj, *b_obj, *count_obj, *min_count_obj;
    long long min_count;
    PyArrayObject *rows = NULL, *b = NULL, *count = NULL;
    PyArrayObject *a_out = NULL, *b_out = NULL, *count_out = NULL;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "OOOO:pairs_by_count", &rows_obj, &b_obj, &count_obj,
                          &min_count_obj))
        return NULL;
    if (qc_int_arg(min_count_obj, "min_count", INT64_MIN, INT64_MAX, &min_count) < 0)
        return NULL;
    rows = qc_int64_vector(rows_obj, "row_start", -1);
    b = rows ? qc_int32_vector(b_obj, "b", -1) : NULL;
    count = b ? qc_int32_vector(count_obj, "count", PyArray_DIM(b, 0)) : NULL;
    if (count == NULL)
        goto finally;
    if (PyArray_DIM(rows, 0) < 1) {
        PyErr_SetString(PyExc_ValueError, "row_start must have n_rows + 1 >= 1 entries");
        goto finally;
    }
    size_t n = (size_t)PyArray_DIM(count, 0), n_kept;
    Py_BEGIN_ALLOW_THREADS
    n_kept = qc_pairs_at_least(PyArray_DATA(count), n, min_count);
    Py_END_ALLOW_THREADS
    npy_intp kept = (npy_intp)n_kept;
    a_out = (PyArrayObject *)PyArray_SimpleNew(1, &kept, NPY_INT32);
    b_out = a_out ? (PyArrayObject *)PyArray_SimpleNew(1, &kept, NPY_INT32) : NULL;
    count_out = b_out ? (PyArrayObject *)PyArray_SimpleNew(1, &kept, NPY_INT32) : NULL;
    if (count_out == NULL)
        goto finally;
    qc_errinfo err = {0};
    qc_status status;
    Py_BEGIN_ALLOW_THREADS
    status = qc_pairs_by_count(PyArray_DATA(rows), (size_t)PyArray_DIM(rows, 0) - 1,
                               PyArray_DATA(b), PyArray_DATA(count), n, min_count,
                               PyArray_DATA(a_out), PyArray_DATA(b_out),
                               PyArray_DATA(count_out), &err);
    Py_END_ALLOW_THREADS
    if (status != QC_OK) {
        qc_raise(status, &err, "pairs_by_count");
        goto finally;
    }
    result = PyTuple_Pack(3, a_out, b_out, count_out);
finally:
    Py_XDECREF(rows);
    Py_XDECREF(b);
    Py_XDECREF(count);
    Py_XDECREF(a_out);
    Py_XDECREF(b_out);
    Py_XDECREF(count_out);
    return result;
}

PyMethodDef qc_terms_methods[] = {
    {"char_tokens", char_tokens, METH_O,
     "char_tokens(texts, /)\n--\n\n"
     "(indptr, tokens): the code points of each text, runs of two or more\n"
     "white-space characters as one space (scikit-learn's analyzer='char')."},
    {"count_ngrams", count_ngrams, METH_VARARGS,
     "count_ngrams(indptr, tokens, n_vocab, keep, min_n, max_n, token_strings, joiner, /)\n--\n\n"
     "Document-term counts of token n-grams: (indptr, indices, data, terms,\n"
     "rank). indices are n-gram ids; rank[id] is the column of the n-gram in\n"
     "terms (its string: token strings, one per token id, or code points when\n"
     "token_strings is None and n_vocab <= 0x110000, joined by the code point\n"
     "joiner, no surrogate, or nothing when -1; sorted, equal strings merged).\n"
     "Runs without the GIL."},
    {"count_char_ngrams", count_char_ngrams, METH_VARARGS,
     "count_char_ngrams(texts, keep, min_n, max_n, threads=1, /)\n--\n\n"
     "Document-term counts of the character n-grams of texts (read as\n"
     "char_tokens reads them; keep: None or a mask over code points):\n"
     "(indptr, indices, data, terms, df): indptr and indices int32 when\n"
     "they fit, else int64; terms an object array sorted as\n"
     "Python sorts str and each row's columns ascending; None when an n-gram\n"
     "and its document do not fit in 64 bits (use char_tokens and\n"
     "count_ngrams). Runs without the GIL, in up to `threads` parts at once."},
    {"string_order", string_order, METH_O,
     "string_order(strings, /)\n--\n\n"
     "The positions of a list of str in sorted (code point) order, ties in\n"
     "their given order: numpy.argsort(strings, kind='stable'), in C."},
    {"pairs_by_count", pairs_by_count, METH_VARARGS,
     "pairs_by_count(row_start, b, count, min_count, /)\n--\n\n"
     "The pairs (a, b, count) of a sparse matrix's rows (row_start over the\n"
     "int32 columns b and count) with count >= min_count, highest count first\n"
     "and otherwise in their order: a stable radix sort on the count, in C.\n"
     "Runs without the GIL."},
    {"count_pairs", count_pairs, METH_VARARGS,
     "count_pairs(indptr, tokens, n_vocab, keep, window, threads=1, /)\n--\n\n"
     "Co-word counts of token ids a < b as the rows of a sparse matrix\n"
     "(row_start, b, count): the pairs of a are row_start[a]:row_start[a + 1]\n"
     "(int64, n_vocab + 1 entries), b int32 ascending in a row (n_vocab at\n"
     "most 2**31), count int32; positions less than window apart, or\n"
     "(window=0) distinct ids sharing a text. Runs without the GIL; a window\n"
     "is walked in up to `threads` ranges of ids at once."},
    {NULL, NULL, 0, NULL}};
