/* Python entry points for qc/merge.h: partial results added in C. */
#include "convert.h"
#include "bindings.h"
#include "qc/merge.h"

/* merge_counts(key_a, count_a, key_b, count_b) -> (key, count) */
static PyObject *merge_counts(PyObject *module, PyObject *args, PyObject *kwargs)
{
    (void)module;
    static char *keywords[] = {"key_a", "count_a", "key_b", "count_b", NULL};
    PyObject *key_a_obj, *count_a_obj, *key_b_obj, *count_b_obj;
    PyArrayObject *key_a = NULL, *count_a = NULL, *key_b = NULL, *count_b = NULL;
    int64_t *key = NULL, *count = NULL;
    PyObject *key_out = NULL, *count_out = NULL, *result = NULL;
    qc_errinfo err = {0};
    qc_status status;
    size_t n = 0;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OOOO:merge_counts", keywords, &key_a_obj,
                                     &count_a_obj, &key_b_obj, &count_b_obj))
        return NULL;
    if ((key_a = qc_int64_vector(key_a_obj, "key_a", -1)) == NULL ||
        (count_a = qc_int64_vector(count_a_obj, "count_a", PyArray_DIM(key_a, 0))) == NULL ||
        (key_b = qc_int64_vector(key_b_obj, "key_b", -1)) == NULL ||
        (count_b = qc_int64_vector(count_b_obj, "count_b", PyArray_DIM(key_b, 0))) == NULL)
        goto finally;
    size_t n_a = (size_t)PyArray_DIM(key_a, 0), n_b = (size_t)PyArray_DIM(key_b, 0);
    /* one entry at least, so an empty result is still a block to adopt */
    key = qc_malloc(n_a + n_b + 1, sizeof *key);
    count = qc_malloc(n_a + n_b + 1, sizeof *count);
    if (key == NULL || count == NULL) {
        PyErr_NoMemory();
        goto finally;
    }
    QC_BEGIN_THREADS_THRESHOLDED(n_a + n_b)
    status = qc_merge_counts((const int64_t *)PyArray_DATA(key_a),
                             (const int64_t *)PyArray_DATA(count_a), n_a,
                             (const int64_t *)PyArray_DATA(key_b),
                             (const int64_t *)PyArray_DATA(count_b), n_b, key, count, &n, &err);
    QC_END_THREADS
    if (status != QC_OK) {
        qc_raise(status, &err, "merge_counts");
        goto finally;
    }
    key_out = qc_adopt_int64(key, (npy_intp)n);
    key = NULL;
    if (key_out == NULL)
        goto finally;
    count_out = qc_adopt_int64(count, (npy_intp)n);
    count = NULL;
    if (count_out == NULL)
        goto finally;
    result = PyTuple_Pack(2, key_out, count_out);
finally:
    qc_free(key);
    qc_free(count);
    Py_XDECREF(key_a);
    Py_XDECREF(count_a);
    Py_XDECREF(key_b);
    Py_XDECREF(count_b);
    Py_XDECREF(key_out);
    Py_XDECREF(count_out);
    return result;
}

PyMethodDef qc_merge_methods[] = {
    {"merge_counts", (PyCFunction)(void (*)(void))merge_counts, METH_VARARGS | METH_KEYWORDS,
     "merge_counts(key_a, count_a, key_b, count_b)\n--\n\n"
     "Adds two sorted key/count lists (int64; keys strictly increasing):\n"
     "returns (key, count), the union of the keys with summed counts."},
    {NULL, NULL, 0, NULL}};
