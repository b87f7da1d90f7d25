/*
 * Conversions at the boundary between Python and the qc core: argument
 * coercion with messages that name the argument, string choices, the GIL
 * released around kernels on large inputs, qc_status to exception, and
 * core-allocated buffers handed to numpy.
 */
#ifndef QC_BINDING_CONVERT_H
#define QC_BINDING_CONVERT_H

#include "qc_numpy.h"
#include "qc/codebook.h"
#include "qc/count.h"

/* Inputs at least this long run with the GIL released. */
#define QC_GIL_RELEASE_MIN 4096

/*
 * Runs the statements between them without the GIL when size (a count of
 * input elements, size_t or a non-negative npy_intp) is at least
 * QC_GIL_RELEASE_MIN, as numpy's NPY_BEGIN_THREADS_THRESHOLDED and
 * NPY_END_THREADS do: on a small input, handing the GIL over and taking it
 * back costs more than the kernel, and another thread gains nothing. Like
 * Py_BEGIN/END_ALLOW_THREADS, the pair opens and closes one block, and the
 * statements between them may not touch Python objects or the Python API,
 * since they may run without the GIL.
 */
#define QC_BEGIN_THREADS_THRESHOLDED(size)                                           \
    {                                                                                \
        PyThreadState *qc_thread_state_ =                                            \
            (size_t)(size) >= QC_GIL_RELEASE_MIN ? PyEval_SaveThread() : NULL;
#define QC_END_THREADS                                                               \
    if (qc_thread_state_ != NULL)                                                    \
        PyEval_RestoreThread(qc_thread_state_);                                      \
    }

/* One string a choice argument accepts and the value it stands for; a
   table of them ends with {NULL, 0}. */
typedef struct {
    const char *name;
    int value;
} qc_choice;

/*
 * The value of the entry of choices that obj (a str) names, into *out; obj
 * NULL (an optional argument not given) leaves *out as it is. Returns 0, or
 * -1 with ValueError "<arg> must be 'a', 'b' or 'c', got <repr(obj)>" when
 * obj is not one of the names (nor a str at all).
 */
int qc_choice_arg(PyObject *obj, const char *arg, const qc_choice *choices, int *out);

/* The units a count takes: unit='codings' (QC_UNIT_CODINGS) or 'items'. */
extern const qc_choice qc_unit_choices[];

/*
 * A new reference to a 1-d, C-contiguous, aligned int64 array with obj's
 * values (obj itself when it already is one), or NULL with an exception
 * naming `name`. An integer array of another dtype is converted when its
 * dtype converts without loss (numpy's safe casting: int8 to int64 and
 * uint32 do, uint64 does not: TypeError); arrays of floats (even whole
 * ones), bools, strings or objects are refused (TypeError). A list is read
 * as exact Python ints: an element that is no int is refused as its array
 * would be (TypeError), one that does not fit raises OverflowError naming
 * it ("name[3] = 2**64 does not fit in int64"). Not 1-d, or expected_len >= 0
 * and another length: ValueError. Non-contiguous, misaligned or byte-swapped
 * arrays are copied.
 */
PyArrayObject *qc_int64_vector(PyObject *obj, const char *name,
                               npy_intp expected_len);

/* The same for `ndim` dimensions (expected_len applies to 1-d only). */
PyArrayObject *qc_int64_array(PyObject *obj, const char *name, int ndim,
                              npy_intp expected_len);

/* As qc_int64_vector, int32: arrays of wider integers are refused
   (TypeError), as a value could change; a list's ints must fit int32
   (OverflowError naming the element). */
PyArrayObject *qc_int32_vector(PyObject *obj, const char *name,
                               npy_intp expected_len);

/*
 * As qc_int64_vector for an optional argument: None (or NULL) leaves *out
 * NULL and returns 0; otherwise *out is the new reference, or -1 on error.
 */
int qc_optional_int64_vector(PyObject *obj, const char *name,
                             npy_intp expected_len, PyArrayObject **out);

/*
 * Coerces a dimension map given as (indptr, target) with n_targets targets
 * into *view; *indptr and *target receive new references the caller releases.
 * `name` prefixes the argument names in messages ("map" gives "map_indptr").
 * Returns 0, or -1 with an exception set.
 */
int qc_dimview_args(PyObject *indptr_obj, PyObject *target_obj,
                    Py_ssize_t n_targets, const char *name,
                    PyArrayObject **indptr, PyArrayObject **target,
                    qc_dimview *view);

/*
 * Coerces CSR input: indptr (at least one entry: rows + 1) and code, into new
 * references *indptr and *code the caller releases. `rows` names what the
 * rows are in the message ("items", "segments"). Returns 0, or -1 with an
 * exception set.
 */
int qc_csr_args(PyObject *indptr_obj, PyObject *code_obj, const char *rows,
                PyArrayObject **indptr, PyArrayObject **code);

/*
 * A new reference to a C-contiguous, aligned float64 array with obj's values
 * and `ndim` dimensions (1 or 2), or NULL with TypeError or ValueError naming
 * `name`. Floats and integers are converted; bools, complex numbers,
 * strings and objects are refused. NaN passes through (kernels apply their
 * nan_policy). For 1-d, expected_len >= 0 fixes the length.
 */
PyArrayObject *qc_float64_array(PyObject *obj, const char *name, int ndim,
                                npy_intp expected_len);

/* The 1-d case of qc_float64_array. */
PyArrayObject *qc_float64_vector(PyObject *obj, const char *name,
                                 npy_intp expected_len);

/*
 * Scalar arguments, parsed as "O" and read here so that every error names
 * the argument (PyArg's "n", "L", "d" and "p" name none, and "p" takes any
 * object). Each leaves *out as it is when obj is NULL (an optional argument
 * not given) and returns 0, or -1 with an exception.
 *
 * qc_int_arg: an int or numpy integer (not a bool, float or str: TypeError)
 * in [lo, hi]; any other int, however large, is a ValueError that gives the
 * bound. qc_ssize_arg: the same in [lo, PY_SSIZE_T_MAX]. qc_uint64_arg: in
 * [0, 2**64 - 1] (seeds). qc_double_arg: a float, numpy floating or int (not a
 * bool or str: TypeError); an int past the doubles reads as an infinity, for
 * the kernel to refuse as it refuses inf. qc_flag_arg: True or False (or a
 * numpy bool); anything else is a TypeError, not read for its truth.
 */
int qc_int_arg(PyObject *obj, const char *name, long long lo, long long hi, long long *out);
int qc_ssize_arg(PyObject *obj, const char *name, Py_ssize_t lo, Py_ssize_t *out);
int qc_uint64_arg(PyObject *obj, const char *name, unsigned long long *out);
int qc_double_arg(PyObject *obj, const char *name, double *out);
int qc_flag_arg(PyObject *obj, const char *name, int *out);

/* A bytes-like argument (bytes, bytearray, memoryview; not a str) into
   *view, which the caller releases with PyBuffer_Release; 0, or -1 with a
   TypeError naming the argument. */
int qc_bytes_arg(PyObject *obj, const char *name, Py_buffer *view);

/* Reads a non-negative Py_ssize_t, or -1 with an exception naming `name`
   (qc_ssize_arg with lo 0). */
Py_ssize_t qc_size_arg(PyObject *obj, const char *name);

/*
 * Sets the Python exception for a failed kernel call, naming the function
 * and, from err, the argument and element: MemoryError for QC_ENOMEM,
 * IndexError for QC_EINDEX, OverflowError for QC_EOVERFLOW and ValueError
 * otherwise. The exception has attributes arg, index, value and limit from
 * err (value and limit are floats when err->is_float: a double argument's
 * NaN or -1.5 is shown as such). Never replaces an exception that is
 * already set. Returns NULL.
 */
PyObject *qc_raise(qc_status status, const qc_errinfo *err, const char *func);

/*
 * A 1-d int64 (int32) array of length n that takes ownership of data
 * (allocated by qc_malloc, possibly longer than n) and releases it with
 * qc_free when the array dies. On failure data is freed and NULL returned
 * with an exception set.
 */
PyObject *qc_adopt_int64(int64_t *data, npy_intp n);
PyObject *qc_adopt_int32(int32_t *data, npy_intp n);

/* The same for the n entries that start skip entries into block. */
PyObject *qc_adopt_int64_at(int64_t *block, size_t skip, npy_intp n);
PyObject *qc_adopt_int32_at(int32_t *block, size_t skip, npy_intp n);

#endif /* QC_BINDING_CONVERT_H */
