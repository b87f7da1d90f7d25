/* Python entry points for qc/cooc.h: co-occurrence (dense, or sparse
   cells when the targets are many) and cross-tabulation. Dense results
   are zeroed numpy arrays the kernel fills in place; sparse ones are core
   buffers that numpy adopts, so no result is copied on the way up. */
#include "convert.h"
#include "bindings.h"
#include "qc/cooc.h"

static const qc_choice NEAR[] = {
    {"self", QC_NEAR_SELF},
    {"span", QC_NEAR_SPAN},
    {"window", QC_NEAR_WINDOW},
    {NULL, 0}};

static PyObject *pairs_to_tuple(qc_pairs *pairs)
{
    /* Each array takes its buffer from pairs as soon as it exists, so that on
       failure qc_pairs_free releases exactly what no array owns. */
    PyObject *arrays[4] = {NULL, NULL, NULL, NULL};
    int64_t **buffers[4] = {&pairs->group, &pairs->a, &pairs->b, &pairs->count};
    PyObject *result = NULL;
    for (int i = 0; i < 4; i++) {
        arrays[i] = qc_adopt_int64(*buffers[i], (npy_intp)pairs->n);
        *buffers[i] = NULL; /* adopted, or freed by qc_adopt_int64 */
        if (arrays[i] == NULL)
            goto finally;
    }
    result = PyTuple_Pack(4, arrays[0], arrays[1], arrays[2], arrays[3]);
finally:
    for (int i = 0; i < 4; i++)
        Py_XDECREF(arrays[i]);
    qc_pairs_free(pairs);
    return result;
}

static PyObject *cooccurrence(PyObject *module, PyObject *args, PyObject *kwargs)
{
    (void)module;
    static char *keywords[] = {"indptr", "code", "map_indptr", "map_target",
                               "n_targets", "near", "window", "space", "start",
                               "end", "group", "n_groups", "sparse", NULL};
    PyObject *indptr_obj, *code_obj, *map_indptr_obj, *map_target_obj;
    PyObject *space_obj = NULL, *start_obj = NULL, *end_obj = NULL;
    PyObject *group_obj = NULL;
    PyObject *n_targets_obj, *n_groups_obj = NULL, *window_obj = NULL;
    PyObject *sparse_obj = NULL;
    Py_ssize_t n_targets = 0, n_groups = 1;
    long long window = 0;
    PyObject *near_obj = NULL;
    int near = QC_NEAR_SELF;
    int sparse = 0;
    PyArrayObject *indptr = NULL, *code = NULL, *map_indptr = NULL;
    PyArrayObject *map_target = NULL, *space = NULL, *start = NULL;
    PyArrayObject *end = NULL, *group = NULL, *counts = NULL;
    PyObject *result = NULL;
    qc_errinfo err = {0};
    qc_status status;
    qc_dimview map;

    if (!PyArg_ParseTupleAndKeywords(
            args, kwargs, "OOOOO|$OOOOOOOO:cooccurrence", keywords, &indptr_obj,
            &code_obj, &map_indptr_obj, &map_target_obj, &n_targets_obj,
            &near_obj, &window_obj, &space_obj, &start_obj, &end_obj, &group_obj,
            &n_groups_obj, &sparse_obj))
        return NULL;
    if (qc_ssize_arg(n_targets_obj, "n_targets", 0, &n_targets) < 0 ||
        qc_choice_arg(near_obj, "near", NEAR, &near) < 0 ||
        /* any int64: the kernel refuses a negative window where near='window' */
        qc_int_arg(window_obj, "window", INT64_MIN, INT64_MAX, &window) < 0 ||
        qc_ssize_arg(n_groups_obj, "n_groups", 0, &n_groups) < 0 ||
        qc_flag_arg(sparse_obj, "sparse", &sparse) < 0)
        return NULL;
    if (qc_csr_args(indptr_obj, code_obj, "segments", &indptr, &code) < 0)
        goto finally;
    npy_intp n_segments = PyArray_DIM(indptr, 0) - 1;
    if (qc_dimview_args(map_indptr_obj, map_target_obj, n_targets, "map",
                        &map_indptr, &map_target, &map) < 0)
        goto finally;
    if (qc_optional_int64_vector(space_obj, "space", n_segments, &space) < 0 ||
        qc_optional_int64_vector(start_obj, "start", n_segments, &start) < 0 ||
        qc_optional_int64_vector(end_obj, "end", n_segments, &end) < 0 ||
        qc_optional_int64_vector(group_obj, "group", n_segments, &group) < 0)
        goto finally;
    if (group == NULL && n_groups != 1) {
        PyErr_SetString(PyExc_ValueError,
                        "n_groups must be 1 when group is not given");
        goto finally;
    }

    qc_segments segments = {
        (size_t)n_segments,
        (const int64_t *)PyArray_DATA(indptr),
        (const int64_t *)PyArray_DATA(code),
        (size_t)PyArray_DIM(code, 0),
        space ? (const int64_t *)PyArray_DATA(space) : NULL,
        start ? (const int64_t *)PyArray_DATA(start) : NULL,
        end ? (const int64_t *)PyArray_DATA(end) : NULL,
        group ? (const int64_t *)PyArray_DATA(group) : NULL,
        (size_t)n_groups};

    if (sparse) {
        qc_pairs pairs;
        Py_BEGIN_ALLOW_THREADS
        status = qc_cooc_sparse(&segments, &map, (qc_near)near, (int64_t)window,
                                &pairs, &err);
        Py_END_ALLOW_THREADS
        if (status != QC_OK) {
            qc_raise(status, &err, "cooccurrence");
            goto finally;
        }
        result = pairs_to_tuple(&pairs);
        goto finally;
    }
    if (n_targets != 0 &&
        n_groups > NPY_MAX_INTP / (npy_intp)sizeof(int64_t) / n_targets / n_targets) {
        PyErr_SetString(PyExc_OverflowError,
                        "n_groups x n_targets^2 is too large for a dense "
                        "result; pass sparse=True");
        goto finally;
    }
    npy_intp shape[3] = {n_groups, n_targets, n_targets};
    counts = (PyArrayObject *)PyArray_ZEROS(3, shape, NPY_INT64, 0);
    if (counts == NULL)
        goto finally;
    Py_BEGIN_ALLOW_THREADS
    status = qc_cooc_dense(&segments, &map, (qc_near)near, (int64_t)window,
                           (int64_t *)PyArray_DATA(counts), &err);
    Py_END_ALLOW_THREADS
    if (status != QC_OK) {
        qc_raise(status, &err, "cooccurrence");
        goto finally;
    }
    result = (PyObject *)counts;
    counts = NULL;
finally:
    Py_XDECREF(indptr);
    Py_XDECREF(code);
    Py_XDECREF(map_indptr);
    Py_XDECREF(map_target);
    Py_XDECREF(space);
    Py_XDECREF(start);
    Py_XDECREF(end);
    Py_XDECREF(group);
    Py_XDECREF(counts);
    return result;
}

static PyObject *crosstab(PyObject *module, PyObject *args, PyObject *kwargs)
{
    (void)module;
    static char *keywords[] = {"indptr", "code", "a_indptr", "a_target",
                               "n_a", "b_indptr", "b_target", "n_b",
                               "item_group", "coding_group", "n_groups",
                               "unit", NULL};
    PyObject *indptr_obj, *code_obj, *a_indptr_obj, *a_target_obj;
    PyObject *b_indptr_obj, *b_target_obj;
    PyObject *item_group_obj = NULL, *coding_group_obj = NULL;
    PyObject *n_a_obj, *n_b_obj, *n_groups_obj = NULL;
    Py_ssize_t n_a = 0, n_b = 0, n_groups = 1;
    PyObject *unit_obj = NULL;
    int unit = QC_UNIT_CODINGS;
    PyArrayObject *indptr = NULL, *code = NULL, *a_indptr = NULL;
    PyArrayObject *a_target = NULL, *b_indptr = NULL, *b_target = NULL;
    PyArrayObject *item_group = NULL, *coding_group = NULL, *counts = NULL;
    PyObject *result = NULL;
    qc_errinfo err = {0};
    qc_status status;
    qc_dimview map_a, map_b;

    if (!PyArg_ParseTupleAndKeywords(
            args, kwargs, "OOOOOOOO|$OOOO:crosstab", keywords, &indptr_obj,
            &code_obj, &a_indptr_obj, &a_target_obj, &n_a_obj, &b_indptr_obj,
            &b_target_obj, &n_b_obj, &item_group_obj, &coding_group_obj,
            &n_groups_obj, &unit_obj))
        return NULL;
    if (qc_ssize_arg(n_a_obj, "n_a", 0, &n_a) < 0 ||
        qc_ssize_arg(n_b_obj, "n_b", 0, &n_b) < 0 ||
        qc_ssize_arg(n_groups_obj, "n_groups", 0, &n_groups) < 0 ||
        qc_choice_arg(unit_obj, "unit", qc_unit_choices, &unit) < 0)
        return NULL;
    if (qc_csr_args(indptr_obj, code_obj, "items", &indptr, &code) < 0)
        goto finally;
    if (qc_dimview_args(a_indptr_obj, a_target_obj, n_a, "a", &a_indptr,
                        &a_target, &map_a) < 0 ||
        qc_dimview_args(b_indptr_obj, b_target_obj, n_b, "b", &b_indptr,
                        &b_target, &map_b) < 0)
        goto finally;
    npy_intp n_items = PyArray_DIM(indptr, 0) - 1;
    if (qc_optional_int64_vector(item_group_obj, "item_group", n_items,
                                 &item_group) < 0 ||
        qc_optional_int64_vector(coding_group_obj, "coding_group",
                                 PyArray_DIM(code, 0), &coding_group) < 0)
        goto finally;
    if (item_group == NULL && coding_group == NULL && n_groups != 1) {
        PyErr_SetString(PyExc_ValueError,
                        "n_groups must be 1 when neither item_group nor "
                        "coding_group is given");
        goto finally;
    }
    const npy_intp cells_max = NPY_MAX_INTP / (npy_intp)sizeof(int64_t);
    if ((n_a != 0 && n_b > cells_max / n_a) ||
        (n_a * n_b != 0 && n_groups > cells_max / (n_a * n_b))) {
        PyErr_SetString(PyExc_OverflowError, "n_groups x n_a x n_b is too large");
        goto finally;
    }
    npy_intp shape[3] = {n_groups, n_a, n_b};
    counts = (PyArrayObject *)PyArray_ZEROS(3, shape, NPY_INT64, 0);
    if (counts == NULL)
        goto finally;
    qc_codings codings = {(size_t)n_items, (const int64_t *)PyArray_DATA(indptr),
                          (const int64_t *)PyArray_DATA(code),
                          (size_t)PyArray_DIM(code, 0), map_a.n_codes};
    const int64_t *item_g =
        item_group ? (const int64_t *)PyArray_DATA(item_group) : NULL;
    const int64_t *coding_g =
        coding_group ? (const int64_t *)PyArray_DATA(coding_group) : NULL;
    Py_BEGIN_ALLOW_THREADS
    status = qc_crosstab(&codings, &map_a, &map_b, item_g, coding_g,
                         (size_t)n_groups, (qc_unit)unit,
                         (int64_t *)PyArray_DATA(counts), &err);
    Py_END_ALLOW_THREADS
    if (status != QC_OK) {
        qc_raise(status, &err, "crosstab");
        goto finally;
    }
    result = (PyObject *)counts;
    counts = NULL;
finally:
    Py_XDECREF(indptr);
    Py_XDECREF(code);
    Py_XDECREF(a_indptr);
    Py_XDECREF(a_target);
    Py_XDECREF(b_indptr);
    Py_XDECREF(b_target);
    Py_XDECREF(item_group);
    Py_XDECREF(coding_group);
    Py_XDECREF(counts);
    return result;
}

PyMethodDef qc_cooc_methods[] = {
    {"cooccurrence", (PyCFunction)(void (*)(void))cooccurrence,
     METH_VARARGS | METH_KEYWORDS,
     "cooccurrence(indptr, code, map_indptr, map_target, n_targets, *, "
     "near='self', window=0, space=None, start=None, end=None, group=None, "
     "n_groups=1, sparse=False)\n--\n\n"
     "Co-occurrence of the targets of a dimension map within and across\n"
     "segments (the codes of segment s are code[indptr[s]:indptr[s+1]]).\n\n"
     "near='self' pairs targets within a segment only; 'span' also across\n"
     "[start, end) spans of one space that overlap or enclose; 'window' also\n"
     "across segments whose start lies at most `window` apart. Spans and\n"
     "windows need segments sorted by (space, start). Returns an int64 array\n"
     "(n_groups, T, T) with the upper triangle filled, or with sparse=True the\n"
     "tuple (group, a, b, count) of the cells that occur, a <= b."},
    {"crosstab", (PyCFunction)(void (*)(void))crosstab,
     METH_VARARGS | METH_KEYWORDS,
     "crosstab(indptr, code, a_indptr, a_target, n_a, b_indptr, b_target, "
     "n_b, *, item_group=None, coding_group=None, n_groups=1, "
     "unit='coding')\n--\n\n"
     "Cross-tabulation of two dimension maps over CSR codings: unit='coding'\n"
     "counts codings reaching (a, b), unit='item' items that reach a and b.\n"
     "Returns an int64 array (n_groups, n_a, n_b)."},
    {NULL, NULL, 0, NULL}};
