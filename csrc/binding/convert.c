/*
 * The binding's conversions (convert.h), in one file so that every entry
 * point refuses bad input with the same words: an argument named, what it
 * must be, and what it was. Arrays are coerced once at the boundary (no
 * kernel sees a PyObject), integer inputs only when no value can change,
 * and kernel failures become exceptions in one function that never hides
 * an exception already set.
 */
#include "convert.h"

#include <math.h>

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

/* True when obj is an integer (an int or a numpy integer), not a bool. */
static int is_integer(PyObject *obj)
{
    return (PyLong_Check(obj) && !PyBool_Check(obj)) || PyArray_IsScalar(obj, Integer);
}

/* The values of a list or tuple (nested for 2-d) element by element, as
   exact integers: numpy would read ints past int64 as uint64, float64 or
   objects, and [True, 2] as int64. A new npy_type array of found's shape (found:
   obj as numpy reads it), or NULL with TypeError (an element is no integer,
   a bool included: found's dtype is named, as for an array) or
   OverflowError naming the element that does not fit. */
static PyArrayObject *exact_integers(PyObject *obj, PyArrayObject *found, const char *name,
                                     int npy_type)
{
    PyArrayObject *objects = (PyArrayObject *)PyArray_FROMANY(obj, NPY_OBJECT, 0, 0,
                                                              NPY_ARRAY_CARRAY);
    if (objects == NULL) {
        conversion_failed(name, "an array of integers");
        return NULL;
    }
    PyArrayObject *out = NULL;
    npy_intp n = PyArray_SIZE(objects);
    PyObject **items = (PyObject **)PyArray_DATA(objects);
    for (npy_intp i = 0; i < n; i++) {
        if (!is_integer(items[i])) {
            int kind = PyArray_DESCR(found)->kind;
            if (kind == 'i' || kind == 'u')  /* numpy read a bool among ints as an int */
                PyErr_Format(PyExc_TypeError, "%s[%zd] = %R: must be an int, got %.200s", name,
                             (Py_ssize_t)i, items[i], Py_TYPE(items[i])->tp_name);
            else
                PyErr_Format(PyExc_TypeError, "%s must be an integer array, got dtype %S", name,
                             (PyObject *)PyArray_DESCR(found));
            goto finally;
        }
    }
    out = (PyArrayObject *)PyArray_SimpleNew(PyArray_NDIM(objects), PyArray_DIMS(objects),
                                             npy_type);
    if (out == NULL)
        goto finally;
    long long lo = npy_type == NPY_INT32 ? INT32_MIN : INT64_MIN;
    long long hi = npy_type == NPY_INT32 ? INT32_MAX : INT64_MAX;
    for (npy_intp i = 0; i < n; i++) {
        int overflow;
        long long v = PyLong_AsLongLongAndOverflow(items[i], &overflow);
        if (v == -1 && PyErr_Occurred()) {
            Py_CLEAR(out);
            goto finally;
        }
        if (overflow || v < lo || v > hi) {
            PyErr_Format(PyExc_OverflowError, "%s[%zd] = %S does not fit in %s", name,
                         (Py_ssize_t)i, items[i], npy_type == NPY_INT32 ? "int32" : "int64");
            Py_CLEAR(out);
            goto finally;
        }
        if (npy_type == NPY_INT32)
            ((int32_t *)PyArray_DATA(out))[i] = (int32_t)v;
        else
            ((int64_t *)PyArray_DATA(out))[i] = (int64_t)v;
    }
finally:
    Py_DECREF(objects);
    return out;
}

/* qc_int64_array for any integer type: an array converts only when no value
   can change (numpy's safe casting), a list's ints are read exactly. */
static PyArrayObject *integer_array(PyObject *obj, const char *name, int ndim,
                                    npy_intp expected_len, int npy_type)
{
    /* obj is first read as numpy reads it, so that [0.5] is refused as an
       array of floats is (and named by that dtype), rather than cast */
    int is_array = PyArray_Check(obj);
    int is_list = PyList_Check(obj) || PyTuple_Check(obj);
    PyArrayObject *found = is_array
                               ? (Py_INCREF(obj), (PyArrayObject *)obj)
                               : (PyArrayObject *)PyArray_FromAny(obj, NULL, 0, 0, 0, NULL);
    if (found == NULL) {
        conversion_failed(name, "an array of integers");
        return NULL;
    }
    PyArrayObject *arr = NULL;
    PyArray_Descr *want = PyArray_DescrFromType(npy_type);
    int kind = PyArray_DESCR(found)->kind;
    int safe = PyArray_CanCastTypeTo(PyArray_DESCR(found), want, NPY_SAFE_CASTING);
    Py_DECREF(want);
    if (!is_array && PyArray_SIZE(found) == 0) {
        /* an empty list reads as floats, with nothing to refuse */
        arr = (PyArrayObject *)PyArray_FROMANY(obj, npy_type, 0, 0, NPY_ARRAY_IN_ARRAY);
    } else if (is_list || (!is_array && !safe)) {
        /* Python ints are exact, and a bool is no int: a list is read one
           element at a time (other objects too when numpy made no integers
           of them) */
        arr = exact_integers(obj, found, name, npy_type);
    } else if (kind != 'i' && kind != 'u') {
        /* floats, bools and objects are refused outright rather than let
           numpy truncate 1.7 to 1 or read True as an index */
        PyErr_Format(PyExc_TypeError, "%s must be an integer array, got dtype %S", name,
                     (PyObject *)PyArray_DESCR(found));
    } else if (!safe) {
        PyErr_Format(PyExc_TypeError,
                     "%s must be an integer array whose dtype converts to %s without "
                     "loss, got dtype %S",
                     name, npy_type == NPY_INT32 ? "int32" : "int64",
                     (PyObject *)PyArray_DESCR(found));
    } else {
        arr = (PyArrayObject *)PyArray_FROMANY((PyObject *)found, npy_type, 0, 0,
                                               NPY_ARRAY_IN_ARRAY);
        if (arr == NULL)
            conversion_failed(name, "an array of integers");
    }
    Py_DECREF(found);
    if (arr == NULL)
        return NULL;
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

/* obj as a new reference to an int, or NULL with TypeError naming `name`:
   an int or a numpy integer, not a bool, a float or a string. */
static PyObject *int_object(PyObject *obj, const char *name)
{
    if (!is_integer(obj)) {
        PyErr_Format(PyExc_TypeError, "%s must be an int, got %.200s", name,
                     Py_TYPE(obj)->tp_name);
        return NULL;
    }
    return PyNumber_Index(obj);
}

int qc_int_arg(PyObject *obj, const char *name, long long lo, long long hi, long long *out)
{
    if (obj == NULL)
        return 0;
    PyObject *n = int_object(obj, name);
    if (n == NULL)
        return -1;
    int overflow;
    long long v = PyLong_AsLongLongAndOverflow(n, &overflow);
    if (v == -1 && PyErr_Occurred()) {
        Py_DECREF(n);
        return -1;
    }
    if (overflow < 0 || (overflow == 0 && v < lo))
        PyErr_Format(PyExc_ValueError, "%s must be >= %lld, got %S", name, lo, n);
    else if (overflow > 0 || v > hi)
        PyErr_Format(PyExc_ValueError, "%s must be <= %lld, got %S", name, hi, n);
    else
        *out = v;
    Py_DECREF(n);
    return PyErr_Occurred() ? -1 : 0;
}

int qc_ssize_arg(PyObject *obj, const char *name, Py_ssize_t lo, Py_ssize_t *out)
{
    long long v;
    if (obj == NULL)
        return 0;
    if (qc_int_arg(obj, name, lo, PY_SSIZE_T_MAX, &v) < 0)
        return -1;
    *out = (Py_ssize_t)v;
    return 0;
}

Py_ssize_t qc_size_arg(PyObject *obj, const char *name)
{
    Py_ssize_t n = 0;
    return qc_ssize_arg(obj, name, 0, &n) < 0 ? -1 : n;
}

int qc_uint64_arg(PyObject *obj, const char *name, unsigned long long *out)
{
    if (obj == NULL)
        return 0;
    PyObject *n = int_object(obj, name);
    if (n == NULL)
        return -1;
    unsigned long long u = PyLong_AsUnsignedLongLong(n); /* OverflowError below 0 too */
    if (u == (unsigned long long)-1 && PyErr_Occurred()) {
        if (PyErr_ExceptionMatches(PyExc_OverflowError)) {
            PyErr_Clear();
            PyErr_Format(PyExc_ValueError, "%s must be >= 0 and <= %llu, got %S", name,
                         (unsigned long long)UINT64_MAX, n);
        }
    } else {
        *out = u;
    }
    Py_DECREF(n);
    return PyErr_Occurred() ? -1 : 0;
}

int qc_double_arg(PyObject *obj, const char *name, double *out)
{
    if (obj == NULL)
        return 0;
    if (!PyFloat_Check(obj) && !PyArray_IsScalar(obj, Floating) && !is_integer(obj)) {
        PyErr_Format(PyExc_TypeError, "%s must be a real number, got %.200s", name,
                     Py_TYPE(obj)->tp_name);
        return -1;
    }
    PyObject *n = is_integer(obj) ? PyNumber_Index(obj) : NULL;
    double v = n != NULL ? PyLong_AsDouble(n) : PyFloat_AsDouble(obj);
    if (v == -1.0 && PyErr_Occurred()) {
        if (n == NULL || !PyErr_ExceptionMatches(PyExc_OverflowError)) {
            Py_XDECREF(n);
            return -1;
        }
        /* an int past the doubles is as infinite as they get: the kernel
           refuses it with the others that are not finite */
        PyErr_Clear();
        PyObject *zero = PyLong_FromLong(0);
        int negative = zero != NULL ? PyObject_RichCompareBool(n, zero, Py_LT) : -1;
        Py_XDECREF(zero);
        if (negative < 0) {
            Py_DECREF(n);
            return -1;
        }
        v = negative ? -HUGE_VAL : HUGE_VAL;
    }
    Py_XDECREF(n);
    *out = v;
    return 0;
}

int qc_flag_arg(PyObject *obj, const char *name, int *out)
{
    if (obj == NULL)
        return 0;
    if (obj == Py_True || obj == Py_False || PyArray_IsScalar(obj, Bool)) {
        *out = PyObject_IsTrue(obj);
        return *out < 0 ? -1 : 0;
    }
    PyErr_Format(PyExc_TypeError, "%s must be True or False, got %.200s", name,
                 Py_TYPE(obj)->tp_name);
    return -1;
}

int qc_bytes_arg(PyObject *obj, const char *name, Py_buffer *view)
{
    if (PyUnicode_Check(obj) || !PyObject_CheckBuffer(obj)) {
        PyErr_Format(PyExc_TypeError, "%s must be bytes (or another bytes-like object), got %.200s",
                     name, Py_TYPE(obj)->tp_name);
        return -1;
    }
    return PyObject_GetBuffer(obj, view, PyBUF_SIMPLE);
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
    /* value and limit as Python numbers: floats for a double argument, so
       that the message shows nan, inf or -1.5 as the caller wrote them */
    PyObject *arg = NULL, *index = NULL, *value = NULL, *limit = NULL;
    PyObject *message = NULL, *exc = NULL;
    int has_limit = err->is_float ? err->flimit != 0 : err->limit != 0;
    arg = PyUnicode_FromString(err->arg);
    index = PyLong_FromSize_t(err->index);
    value = err->is_float ? PyFloat_FromDouble(err->fvalue) : PyLong_FromLongLong(err->value);
    limit = err->is_float ? PyFloat_FromDouble(err->flimit) : PyLong_FromLongLong(err->limit);
    if (arg == NULL || index == NULL || value == NULL || limit == NULL)
        goto finally;
    message = status == QC_EINDEX || has_limit
                  ? PyUnicode_FromFormat("%s: %s[%zu] = %R: %s (bound %R)", func, err->arg,
                                         err->index, value, reason, limit)
                  : PyUnicode_FromFormat("%s: %s[%zu] = %R: %s", func, err->arg, err->index,
                                         value, reason);
    if (message == NULL)
        goto finally;
    /* The exception carries the details as attributes (arg, index, value,
       limit) so the Python layer can name the offending row by its id. */
    exc = PyObject_CallOneArg(type, message);
    if (exc == NULL)
        goto finally;
    if (PyObject_SetAttrString(exc, "arg", arg) == 0 &&
        PyObject_SetAttrString(exc, "index", index) == 0 &&
        PyObject_SetAttrString(exc, "value", value) == 0 &&
        PyObject_SetAttrString(exc, "limit", limit) == 0)
        PyErr_SetObject(type, exc);
finally:
    Py_XDECREF(arg);
    Py_XDECREF(index);
    Py_XDECREF(value);
    Py_XDECREF(limit);
    Py_XDECREF(message);
    Py_XDECREF(exc);
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
