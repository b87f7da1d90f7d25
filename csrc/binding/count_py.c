/* Python entry points for qc/count.h. One function: the frequencies a
   Project's counting methods all rest on; grouping and units are decided
   in C so that Python never loops over codings. */
#include "convert.h"
#include "bindings.h"
#include "qc/count.h"

static PyObject *count_codes(PyObject *module, PyObject *args,
                             PyObject *kwargs)
{
    (void)module;
    static char *keywords[] = {"indptr", "code", "map_indptr", "map_target",
                               "n_targets", "item_group", "coding_group",
                               "n_groups", "unit", NULL};
    PyObject *indptr_obj, *code_obj, *map_indptr_obj, *map_target_obj;
    PyObject *item_group_obj = NULL, *coding_group_obj = NULL;
    PyObject *n_targets_obj, *n_groups_obj = NULL;
    Py_ssize_t n_targets = 0, n_groups = 1;
    PyObject *unit_obj = NULL;
    int unit = QC_UNIT_CODINGS;
    PyArrayObject *indptr = NULL, *code = NULL, *map_indptr = NULL;
    PyArrayObject *map_target = NULL, *item_group = NULL, *coding_group = NULL;
    PyArrayObject *counts = NULL;
    PyObject *result = NULL;
    qc_errinfo err = {0};
    qc_status status;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OOOOO|$OOOO:count_codes",
                                     keywords, &indptr_obj, &code_obj,
                                     &map_indptr_obj, &map_target_obj,
                                     &n_targets_obj, &item_group_obj,
                                     &coding_group_obj, &n_groups_obj, &unit_obj))
        return NULL;
    if (qc_ssize_arg(n_targets_obj, "n_targets", 0, &n_targets) < 0 ||
        qc_ssize_arg(n_groups_obj, "n_groups", 0, &n_groups) < 0 ||
        qc_choice_arg(unit_obj, "unit", qc_unit_choices, &unit) < 0)
        return NULL;
    qc_dimview map;

    if (qc_csr_args(indptr_obj, code_obj, "items", &indptr, &code) < 0)
        goto finally;
    if (qc_dimview_args(map_indptr_obj, map_target_obj, n_targets, "map",
                        &map_indptr, &map_target, &map) < 0)
        goto finally;
    npy_intp n_items = PyArray_DIM(indptr, 0) - 1;
    npy_intp n_codings = PyArray_DIM(code, 0);
    if (qc_optional_int64_vector(item_group_obj, "item_group", n_items, &item_group) < 0 ||
        qc_optional_int64_vector(coding_group_obj, "coding_group", n_codings,
                        &coding_group) < 0)
        goto finally;
    if (item_group == NULL && coding_group == NULL && n_groups != 1) {
        PyErr_SetString(PyExc_ValueError,
                        "n_groups must be 1 when neither item_group nor "
                        "coding_group is given");
        goto finally;
    }
    if (n_targets != 0 &&
        n_groups > NPY_MAX_INTP / (npy_intp)sizeof(int64_t) / n_targets) {
        PyErr_SetString(PyExc_OverflowError,
                        "n_groups x n_targets is too large for the counts");
        goto finally;
    }
    npy_intp shape[2] = {n_groups, n_targets};
    counts = (PyArrayObject *)PyArray_ZEROS(2, shape, NPY_INT64, 0);
    if (counts == NULL)
        goto finally;

    qc_codings codings = {(size_t)n_items,
                          (const int64_t *)PyArray_DATA(indptr),
                          (const int64_t *)PyArray_DATA(code),
                          (size_t)n_codings, map.n_codes};
    const int64_t *item_g =
        item_group ? (const int64_t *)PyArray_DATA(item_group) : NULL;
    const int64_t *coding_g =
        coding_group ? (const int64_t *)PyArray_DATA(coding_group) : NULL;
    int64_t *out = (int64_t *)PyArray_DATA(counts);

    QC_BEGIN_THREADS_THRESHOLDED(n_codings)
    status = qc_count_codes(&codings, &map, item_g, coding_g, (size_t)n_groups,
                            (qc_unit)unit, out, &err);
    QC_END_THREADS
    if (status != QC_OK) {
        qc_raise(status, &err, "count_codes");
        goto finally;
    }
    result = (PyObject *)counts;
    counts = NULL;
finally:
    Py_XDECREF(indptr);
    Py_XDECREF(code);
    Py_XDECREF(map_indptr);
    Py_XDECREF(map_target);
    Py_XDECREF(item_group);
    Py_XDECREF(coding_group);
    Py_XDECREF(counts);
    return result;
}

PyMethodDef qc_count_methods[] = {
    {"count_codes", (PyCFunction)(void (*)(void))count_codes,
     METH_VARARGS | METH_KEYWORDS,
     "count_codes(indptr, code, map_indptr, map_target, n_targets, *, "
     "item_group=None, coding_group=None, n_groups=1, unit='coding')\n--\n\n"
     "Frequencies of the targets of a dimension map over CSR codings.\n\n"
     "The codings of item i are code[indptr[i]:indptr[i+1]]. item_group (one\n"
     "per item) or coding_group (one per coding) splits the counts into\n"
     "n_groups rows; -1 leaves an item or coding out. unit='item' counts each\n"
     "item once per target and group. Returns an int64 array of shape\n"
     "(n_groups, n_targets). Runs without the GIL on large inputs."},
    {NULL, NULL, 0, NULL}};
