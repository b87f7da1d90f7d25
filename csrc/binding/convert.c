/*
 * The binding's conversions (convert.h), in one file so that every entry
 * point refuses bad input with the same words: an argument named, what it
 * must be, and what it was. Arrays are coerced once at the boundary (no
 * kernel sees a PyObject), integer inputs only when no value can change,
 * and kernel failures become exceptions in one function that never hides
 * an exception already set.
 */
#include "convert.h"

/* Replaces the exception set (numpy's, on a failed conversion) with a
   TypeError naming the argument, what it must be, and numpy's message. */
static void conversion_failed(const char *name, const char *must_be)
{
    PyObject *type, *value, *traceback;
    PyErr_Fetch(&type, &value, &traceback);
    PyErr_Format(PyExc_TypeError, "%s must be %s (%S)", name, must_be,
                 value != NULL ? value : Py_None);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(traceback);
}

/* qc_int64_array for any integer type: values are converted only when
   none can change (numpy's safe casting; Python ints when they fit). */
static PyArrayObject *integer_array(PyObject *obj, const char *name, int ndim,
                                    npy_intp expected_len, int npy_type)
{
    /* a list is first read as numpy reads it, so that [0.5] is refused as
       an array of floats is, rather than cast */
    PyArrayObject *found = PyArray_Check(obj)
                               ? (Py_INCREF(obj), (PyArrayObject *)obj)
                               : (PyArrayObject *)PyArray_FromAny(obj, NULL, 0, 0, 0, NULL);
    if (found == NULL) {
        conversion_failed(name, "an array of integers");
        return NULL;
    }
    /* Refuse floats, bools and objects outright rather than let numpy
       truncate 1.7 to 1 or read True as an index (an empty list reads as
       floats, with nothing to refuse) */
    int kind = PyArray_DESCR(found)->kind;
    int empty_list = found != (PyArrayObject *)obj && PyArray_SIZE(found) == 0;
    if (kind != 'i' && kind != 'u' && !empty_list) {
        PyErr_Format(PyExc_TypeError, "%s must be an integer array, got dtype %S", name,
                     (PyObject *)PyArray_DESCR(found));
        Py_DECREF(found);
        return NULL;
    }
    Py_DECREF(found);
    /* from obj again: Python ints convert to the type asked for when they
       fit it, where the int64 array numpy read them as would not cast */
    PyArrayObject *arr = (PyArrayObject *)PyArray_FROMANY(obj, npy_type, 0, 0,
                                                          NPY_ARRAY_IN_ARRAY);
    if (arr == NULL) {
        conversion_failed(name, "an array of integers");
        return NULL;
    }
    if (PyArray_NDIM(arr) != ndim) {
        PyErr_Format(PyExc_ValueError,
                     "%s must be %d-dimensional, got %d dimensions", name, ndim,
                     PyArray_NDIM(arr));
        Py_DECREF(arr);
        return NULL;
    }
    if (ndim == 1 && expected_len >= 0 && PyArray_DIM(arr, 0) != expected_len) {
        PyErr_Format(PyExc_ValueError,
                     "%s must have length %zd, got %zd", name,
                     (Py_ssize_t)expected_len, (Py_ssize_t)PyArray_DIM(arr, 0));
        Py_DECREF(arr);
        return NULL;
    }
    return arr;
}

PyArrayObject *qc_int64_array(PyObject *obj, const char *name, int ndim,
                              npy_intp expected_len)
{
    return integer_array(obj, name, ndim, expected_len, NPY_INT64);
}

PyArrayObject *qc_int64_vector(PyObject *obj, const char *name,
                               npy_intp expected_len)
{
    return qc_int64_array(obj, name, 1, expected_len);
}

PyArrayObject *qc_int32_vector(PyObject *obj, const char *name,
                               npy_intp expected_len)
{
    return integer_array(obj, name, 1, expected_len, NPY_INT32);
}

int qc_optional_int64_vector(PyObject *obj, const char *name,
                             npy_intp expected_len, PyArrayObject **out)
{
    *out = NULL;
    if (obj == NULL || obj == Py_None)
        return 0;
    *out = qc_int64_vector(obj, name, expected_len);
    return *out == NULL ? -1 : 0;
}

int qc_dimview_args(PyObject *indptr_obj, PyObject *target_obj,
                    Py_ssize_t n_targets, const char *name,
                    PyArrayObject **indptr, PyArrayObject **target,
                    qc_dimview *view)
{
    char indptr_name[64], target_name[64];
    PyOS_snprintf(indptr_name, sizeof indptr_name, "%s_indptr", name);
    PyOS_snprintf(target_name, sizeof target_name, "%s_target", name);
    *target = NULL;
    if (n_targets < 0) {
        PyErr_Format(PyExc_ValueError, "n_targets of %s must be >= 0", name);
        return -1;
    }
    *indptr = qc_int64_vector(indptr_obj, indptr_name, -1);
    if (*indptr == NULL)
        return -1;
    if (PyArray_DIM(*indptr, 0) < 1) {
        PyErr_Format(PyExc_ValueError, "%s must have n_codes + 1 >= 1 entries",
                     indptr_name);
        return -1;
    }
    *target = qc_int64_vector(target_obj, target_name, -1);
    if (*target == NULL)
        return -1;
    view->n_codes = (size_t)PyArray_DIM(*indptr, 0) - 1;
    view->n_targets = (size_t)n_targets;
    view->indptr = (const int64_t *)PyArray_DATA(*indptr);
    view->target = (const int64_t *)PyArray_DATA(*target);
    view->n_entries = (size_t)PyArray_DIM(*target, 0);
    return 0;
}

int qc_csr_args(PyObject *indptr_obj, PyObject *code_obj, const char *rows,
                PyArrayObject **indptr, PyArrayObject **code)
{
    *code = NULL;
    *indptr = qc_int64_vector(indptr_obj, "indptr", -1);
    if (*indptr == NULL)
        return -1;
    if (PyArray_DIM(*indptr, 0) < 1) {
        PyErr_Format(PyExc_ValueError, "indptr must have n_%s + 1 >= 1 entries",
                     rows);
        return -1;
    }
    *code = qc_int64_vector(code_obj, "code", -1);
    return *code == NULL ? -1 : 0;
}

const qc_choice qc_unit_choices[] = {
    {"coding", QC_UNIT_CODINGS},
    {"item", QC_UNIT_ITEMS},
    {NULL, 0}};

int qc_choice_arg(PyObject *obj, const char *arg, const qc_choice *choices, int *out)
{
    if (obj == NULL)
        return 0;
    if (PyUnicode_Check(obj)) {
        for (const qc_choice *c = choices; c->name != NULL; c++) {
            /* an ASCII compare that raises nothing, whatever obj holds */
            if (PyUnicode_CompareWithASCIIString(obj, c->name) == 0) {
                *out = c->value;
                return 0;
            }
        }
    }
    /* "'a', 'b' or 'c'": names are short, a longer list is only cut short */
    char allowed[256] = "";
    size_t used = 0;
    for (const qc_choice *c = choices; c->name != NULL && used < sizeof allowed; c++) {
        const char *separator = c == choices ? "" : c[1].name == NULL ? " or " : ", ";
        int n = PyOS_snprintf(allowed + used, sizeof allowed - used, "%s'%s'", separator,
                              c->name);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    PyErr_Format(PyExc_ValueError, "%s must be %s, got %R", arg, allowed, obj);
    return -1;
}

PyArrayObject *qc_float64_array(PyObject *obj, const char *name, int ndim,
                                npy_intp expected_len)
{
    PyArrayObject *arr = NULL;
    if (PyArray_Check(obj)) {
        int kind = PyArray_DESCR((PyArrayObject *)obj)->kind;
        if (kind != 'f' && kind != 'i' && kind != 'u') {
            PyErr_Format(PyExc_TypeError,
                         "%s must be an array of real numbers, got dtype %S",
                         name, (PyObject *)PyArray_DESCR((PyArrayObject *)obj));
            return NULL;
        }
        arr = (PyArrayObject *)PyArray_FROMANY(obj, NPY_FLOAT64, 0, 0,
                                               NPY_ARRAY_IN_ARRAY);
    } else {
        /* Lists and scalars: let numpy infer, then apply the same rule. */
        PyArrayObject *raw = (PyArrayObject *)PyArray_FROMANY(
            obj, NPY_NOTYPE, 0, 0, NPY_ARRAY_DEFAULT);
        if (raw != NULL) {
            int kind = PyArray_DESCR(raw)->kind;
            if (kind == 'f' || kind == 'i' || kind == 'u')
                arr = (PyArrayObject *)PyArray_FROMANY(
                    (PyObject *)raw, NPY_FLOAT64, 0, 0, NPY_ARRAY_IN_ARRAY);
            else
                PyErr_Format(PyExc_TypeError,
                             "%s must hold real numbers, got dtype %S", name,
                             (PyObject *)PyArray_DESCR(raw));
            Py_DECREF(raw);
            if (arr == NULL)
                return NULL;
        }
    }
    if (arr == NULL) {
        conversion_failed(name, "an array of numbers");
        return NULL;
    }
    if (PyArray_NDIM(arr) != ndim) {
        PyErr_Format(PyExc_ValueError,
                     "%s must be %d-dimensional, got %d dimensions", name, ndim,
                     PyArray_NDIM(arr));
        Py_DECREF(arr);
        return NULL;
    }
    if (ndim == 1 && expected_len >= 0 && PyArray_DIM(arr, 0) != expected_len) {
        PyErr_Format(PyExc_ValueError, "%s must have length %zd, got %zd",
                     name, (Py_ssize_t)expected_len,
                     (Py_ssize_t)PyArray_DIM(arr, 0));
        Py_DECREF(arr);
        return NULL;
    }
    return arr;
}

PyArrayObject *qc_float64_vector(PyObject *obj, const char *name,
                                 npy_intp expected_len)
{
    return qc_float64_array(obj, name, 1, expected_len);
}

Py_ssize_t qc_size_arg(PyObject *obj, const char *name)
{
    if (!PyLong_Check(obj) && !PyIndex_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "%s must be an int, got %.200s", name,
                     Py_TYPE(obj)->tp_name);
        return -1;
    }
    Py_ssize_t n = PyNumber_AsSsize_t(obj, PyExc_OverflowError);
    if (n == -1 && PyErr_Occurred())
        return -1;
    if (n < 0) {
        PyErr_Format(PyExc_ValueError, "%s must be >= 0, got %zd", name, n);
        return -1;
    }
    return n;
}

PyObject *qc_raise(qc_status status, const qc_errinfo *err, const char *func)
{
    if (PyErr_Occurred())
        return NULL;
    PyObject *type;
    switch (status) {
    case QC_ENOMEM:
        return PyErr_NoMemory();
    case QC_EINDEX: type = PyExc_IndexError; break;
    case QC_EOVERFLOW: type = PyExc_OverflowError; break;
    default: type = PyExc_ValueError; break;
    }
    if (err == NULL || err->arg == NULL) {
        PyErr_Format(type, "%s: %s", func, qc_strerror(status));
        return NULL;
    }
    const char *reason = err->reason != NULL ? err->reason : qc_strerror(status);
    PyObject *message =
        status == QC_EINDEX || err->limit != 0
            ? PyUnicode_FromFormat("%s: %s[%zu] = %lld: %s (bound %lld)", func,
                                   err->arg, err->index, (long long)err->value,
                                   reason, (long long)err->limit)
            : PyUnicode_FromFormat("%s: %s[%zu] = %lld: %s", func, err->arg,
                                   err->index, (long long)err->value, reason);
    if (message == NULL)
        return NULL;
    /* The exception carries the details as attributes (arg, index, value,
       limit) so the Python layer can name the offending row by its id. */
    PyObject *exc = PyObject_CallOneArg(type, message);
    Py_DECREF(message);
    if (exc == NULL)
        return NULL;
    PyObject *arg = PyUnicode_FromString(err->arg);
    PyObject *index = PyLong_FromSize_t(err->index);
    PyObject *value = PyLong_FromLongLong(err->value);
    PyObject *limit = PyLong_FromLongLong(err->limit);
    if (arg != NULL && index != NULL && value != NULL && limit != NULL &&
        PyObject_SetAttrString(exc, "arg", arg) == 0 &&
        PyObject_SetAttrString(exc, "index", index) == 0 &&
        PyObject_SetAttrString(exc, "value", value) == 0 &&
        PyObject_SetAttrString(exc, "limit", limit) == 0)
        PyErr_SetObject(type, exc);
    Py_XDECREF(arg);
    Py_XDECREF(index);
    Py_XDECREF(value);
    Py_XDECREF(limit);
    Py_DECREF(exc);
    return NULL;
}

static void free_capsule_buffer(PyObject *capsule)
{
    qc_free(PyCapsule_GetPointer(capsule, "qdacore.buffer"));
}

/* An array of n entries at data, inside the block it keeps alive. */
static PyObject *adopt(void *block, void *data, npy_intp n, int type)
{
    PyObject *array = NULL;
    PyObject *owner = PyCapsule_New(block, "qdacore.buffer", free_capsule_buffer);
    if (owner == NULL) {
        qc_free(block);
        return NULL;
    }
    array = PyArray_SimpleNewFromData(1, &n, type, data);
    if (array == NULL)
        goto fail;
    /* SetBaseObject steals the reference to owner, even when it fails. */
    if (PyArray_SetBaseObject((PyArrayObject *)array, owner) < 0) {
        Py_DECREF(array);
        return NULL;
    }
    return array;
fail:
    Py_DECREF(owner);
    return NULL;
}

PyObject *qc_adopt_int64(int64_t *data, npy_intp n) { return adopt(data, data, n, NPY_INT64); }

PyObject *qc_adopt_int64_at(int64_t *block, size_t skip, npy_intp n)
{
    return adopt(block, block + skip, n, NPY_INT64);
}

PyObject *qc_adopt_int32_at(int32_t *block, size_t skip, npy_intp n)
{
    return adopt(block, block + skip, n, NPY_INT32);
}

PyObject *qc_adopt_int32(int32_t *data, npy_intp n) { return adopt(data, data, n, NPY_INT32); }
