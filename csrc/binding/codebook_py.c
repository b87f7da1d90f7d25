/* Python entry points for qc/codebook.h: depths and the roll-up maps from
   codes to a codebook dimension. A map is built once per dimension and
   handed back as two int64 arrays, which every counting kernel then takes
   as (map_indptr, map_target), so a codebook is walked in C once. */
#include "convert.h"
#include "bindings.h"
#include "qc/codebook.h"

static const qc_choice INHERIT[] = {
    {"nearest", QC_INHERIT_NEAREST},
    {"all", QC_INHERIT_ALL},
    {NULL, 0}};

static PyObject *hierarchy_depth(PyObject *module, PyObject *parent_obj)
{
    (void)module;
    PyArrayObject *parent = NULL;
    PyArrayObject *depth = NULL;
    PyObject *result = NULL;
    qc_errinfo err = {0};
    qc_status status;

    parent = qc_int64_vector(parent_obj, "parent", -1);
    if (parent == NULL)
        goto finally;
    npy_intp n = PyArray_DIM(parent, 0);
    depth = (PyArrayObject *)PyArray_SimpleNew(1, &n, NPY_INT32);
    if (depth == NULL)
        goto finally;
    Py_BEGIN_ALLOW_THREADS
    status = qc_hierarchy_depth((const int64_t *)PyArray_DATA(parent),
                                (size_t)n, (int32_t *)PyArray_DATA(depth),
                                &err);
    Py_END_ALLOW_THREADS
    if (status != QC_OK) {
        qc_raise(status, &err, "hierarchy_depth");
        goto finally;
    }
    result = (PyObject *)depth;
    depth = NULL;
finally:
    Py_XDECREF(parent);
    Py_XDECREF(depth);
    return result;
}

static PyObject *dimension_map(PyObject *module, PyObject *args)
{
    (void)module;
    PyArrayObject *parent = NULL;
    PyArrayObject *direct_indptr = NULL;
    PyArrayObject *direct_target = NULL;
    PyObject *indptr_out = NULL;
    PyObject *result = NULL;
    qc_dimmap map = {0};
    qc_errinfo err = {0};
    qc_status status;

    PyObject *parent_obj, *direct_indptr_obj, *direct_target_obj;
    PyObject *n_targets_obj, *inherit_obj;
    if (!PyArg_ParseTuple(args, "OOOOO:dimension_map", &parent_obj,
                          &direct_indptr_obj, &direct_target_obj,
                          &n_targets_obj, &inherit_obj))
        return NULL;
    parent = qc_int64_vector(parent_obj, "parent", -1);
    if (parent == NULL)
        goto finally;
    npy_intp n_codes = PyArray_DIM(parent, 0);
    direct_indptr = qc_int64_vector(direct_indptr_obj, "direct_indptr", n_codes + 1);
    if (direct_indptr == NULL)
        goto finally;
    direct_target = qc_int64_vector(direct_target_obj, "direct_target", -1);
    if (direct_target == NULL)
        goto finally;
    Py_ssize_t n_targets = qc_size_arg(n_targets_obj, "n_targets");
    if (n_targets < 0)
        goto finally;
    int mode;
    if (qc_choice_arg(inherit_obj, "inherit", INHERIT, &mode) < 0)
        goto finally;

    Py_BEGIN_ALLOW_THREADS
    status = qc_dimmap_build((const int64_t *)PyArray_DATA(parent),
                             (size_t)n_codes,
                             (const int64_t *)PyArray_DATA(direct_indptr),
                             (const int64_t *)PyArray_DATA(direct_target),
                             (size_t)PyArray_DIM(direct_target, 0),
                             (size_t)n_targets, (qc_inherit)mode, &map, &err);
    Py_END_ALLOW_THREADS
    if (status != QC_OK) {
        qc_raise(status, &err, "dimension_map");
        goto finally;
    }
    npy_intp n_entries = (npy_intp)map.indptr[n_codes];
    /* The arrays now belong to numpy; the map must not free them. */
    indptr_out = qc_adopt_int64(map.indptr, n_codes + 1);
    map.indptr = NULL;
    if (indptr_out == NULL)
        goto finally;
    PyObject *target_out = qc_adopt_int64(map.target, n_entries);
    map.target = NULL;
    if (target_out == NULL)
        goto finally;
    result = PyTuple_Pack(2, indptr_out, target_out);
    Py_DECREF(target_out);
finally:
    qc_dimmap_free(&map);
    Py_XDECREF(parent);
    Py_XDECREF(direct_indptr);
    Py_XDECREF(direct_target);
    Py_XDECREF(indptr_out);
    return result;
}

PyMethodDef qc_codebook_methods[] = {
    {"hierarchy_depth", (PyCFunction)hierarchy_depth, METH_O,
     "hierarchy_depth(parent, /)\n--\n\n"
     "Depth of each code (roots are 0) from parent indices (-1 for a root).\n\n"
     "Raises IndexError for a parent outside [-1, n) and ValueError when a\n"
     "parent chain loops. Returns an int32 array."},
    {"dimension_map", (PyCFunction)dimension_map, METH_VARARGS,
     "dimension_map(parent, direct_indptr, direct_target, n_targets, inherit, /)\n"
     "--\n\n"
     "Roll-up map from codes to the targets of one codebook dimension.\n\n"
     "direct_target[direct_indptr[i]:direct_indptr[i+1]] are the targets code i\n"
     "is assigned directly. inherit='nearest' gives each code the direct\n"
     "targets of its nearest ancestor-or-self that has any (hierarchy levels);\n"
     "inherit='all' gives it the union over all its ancestors-or-self (group\n"
     "sets). Returns (indptr, target) as int64 arrays, targets ascending."},
    {NULL, NULL, 0, NULL}};
