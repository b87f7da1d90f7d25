/* Python entry points for qc/indices.h. Most indices share one shape,
   f(x, *, group, n_groups, nan_policy), so the sample and its policy are
   read by one helper and the variants differ only in their outputs; every
   kernel runs without the GIL once its input is large. */
#include "convert.h"
#include "bindings.h"
#include "qc/indices.h"

#include <string.h>

static const qc_choice NAN_POLICY[] = {
    {"propagate", QC_NAN_PROPAGATE},
    {"omit", QC_NAN_OMIT},
    {"raise", QC_NAN_RAISE},
    {NULL, 0}};

static const qc_choice THEIL_KIND[] = {
    {"T", QC_THEIL_T},
    {"L", QC_THEIL_L},
    {NULL, 0}};

static const qc_choice DEGREE[] = {
    {"in", QC_DEGREE_IN},
    {"out", QC_DEGREE_OUT},
    {"total", QC_DEGREE_TOTAL},
    {NULL, 0}};

/* nan_policy (NULL: not given, 'propagate') into *out. */
static int nan_policy_arg(PyObject *obj, qc_nan_policy *out)
{
    int policy = QC_NAN_PROPAGATE;
    if (qc_choice_arg(obj, "nan_policy", NAN_POLICY, &policy) < 0)
        return -1;
    *out = (qc_nan_policy)policy;
    return 0;
}

/* The arrays behind a qc_sample, held for the duration of a call. */
typedef struct {
    PyArrayObject *x;
    PyArrayObject *group;
    qc_sample s;
} sample_args;

static void sample_release(sample_args *a)
{
    Py_XDECREF(a->x);
    Py_XDECREF(a->group);
    a->x = a->group = NULL;
}

/* Coerces x, group and n_groups (NULL: 1) into a->s; -1 with an exception
   on failure. The results have a->s.n_groups entries. */
static int sample_from(PyObject *x_obj, PyObject *group_obj,
                       PyObject *n_groups_obj, PyObject *nan_policy,
                       sample_args *a)
{
    memset(a, 0, sizeof *a);
    Py_ssize_t n_groups = 1;
    if (nan_policy_arg(nan_policy, &a->s.nan) < 0 ||
        qc_ssize_arg(n_groups_obj, "n_groups", 0, &n_groups) < 0)
        return -1;
    if (n_groups > NPY_MAX_INTP / (npy_intp)sizeof(double)) {
        PyErr_Format(PyExc_OverflowError,
                     "n_groups is too large for the results, got %zd", n_groups);
        return -1;
    }
    a->x = qc_float64_vector(x_obj, "x", -1);
    if (a->x == NULL)
        return -1;
    npy_intp n = PyArray_DIM(a->x, 0);
    if (group_obj != NULL && group_obj != Py_None) {
        a->group = qc_int64_vector(group_obj, "group", n);
        if (a->group == NULL) {
            sample_release(a);
            return -1;
        }
    } else if (n_groups != 1) {
        PyErr_SetString(PyExc_ValueError,
                        "n_groups must be 1 when no group vector is given");
        sample_release(a);
        return -1;
    }
    a->s.n = (size_t)n;
    a->s.x = (const double *)PyArray_DATA(a->x);
    a->s.group = a->group ? (const int64_t *)PyArray_DATA(a->group) : NULL;
    a->s.n_groups = (size_t)n_groups;
    return 0;
}

static PyArrayObject *new_vector(npy_intp n, int type)
{
    return (PyArrayObject *)PyArray_SimpleNew(1, &n, type);
}

static PyObject *gini(PyObject *module, PyObject *args, PyObject *kwargs)
{
    (void)module;
    static char *keywords[] = {"x", "group", "n_groups", "weight", "corrected",
                               "nan_policy", NULL};
    PyObject *x_obj, *group_obj = NULL, *weight_obj = NULL;
    PyObject *n_groups_obj = NULL, *corrected_obj = NULL;
    int corrected = 0;
    PyObject *policy = NULL;
    sample_args a = {0};
    PyArrayObject *weight = NULL, *out = NULL;
    PyObject *result = NULL;
    qc_errinfo err = {0};
    qc_status status;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|$OOOOO:gini", keywords,
                                     &x_obj, &group_obj, &n_groups_obj,
                                     &weight_obj, &corrected_obj, &policy))
        return NULL;
    if (qc_flag_arg(corrected_obj, "corrected", &corrected) < 0 ||
        sample_from(x_obj, group_obj, n_groups_obj, policy, &a) < 0)
        return NULL;
    if (weight_obj != NULL && weight_obj != Py_None) {
        weight = qc_float64_vector(weight_obj, "weight", (npy_intp)a.s.n);
        if (weight == NULL)
            goto finally;
    }
    out = new_vector((npy_intp)a.s.n_groups, NPY_FLOAT64);
    if (out == NULL)
        goto finally;
    const double *w = weight ? (const double *)PyArray_DATA(weight) : NULL;
    QC_BEGIN_THREADS_THRESHOLDED(a.s.n)
    status = qc_gini(&a.s, w, corrected, (double *)PyArray_DATA(out), &err);
    QC_END_THREADS
    if (status != QC_OK) {
        qc_raise(status, &err, "gini");
        goto finally;
    }
    result = (PyObject *)out;
    out = NULL;
finally:
    sample_release(&a);
    Py_XDECREF(weight);
    Py_XDECREF(out);
    return result;
}

static PyObject *theil(PyObject *module, PyObject *args, PyObject *kwargs)
{
    (void)module;
    static char *keywords[] = {"x", "kind", "group", "n_groups", "nan_policy",
                               NULL};
    PyObject *x_obj, *group_obj = NULL, *n_groups_obj = NULL;
    PyObject *kind_obj = NULL, *policy = NULL;
    sample_args a = {0};
    PyArrayObject *per_group = NULL, *decomposition = NULL, *units = NULL, *totals = NULL;
    PyObject *result = NULL;
    qc_errinfo err = {0};
    qc_status status;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|$OOOO:theil", keywords,
                                     &x_obj, &kind_obj, &group_obj, &n_groups_obj,
                                     &policy))
        return NULL;
    int kind = QC_THEIL_T;
    if (qc_choice_arg(kind_obj, "kind", THEIL_KIND, &kind) < 0)
        return NULL;
    if (sample_from(x_obj, group_obj, n_groups_obj, policy, &a) < 0)
        return NULL;
    per_group = new_vector((npy_intp)a.s.n_groups, NPY_FLOAT64);
    decomposition = new_vector(3, NPY_FLOAT64);
    units = new_vector((npy_intp)a.s.n_groups, NPY_FLOAT64);
    totals = new_vector((npy_intp)a.s.n_groups, NPY_FLOAT64);
    if (per_group == NULL || decomposition == NULL || units == NULL || totals == NULL)
        goto finally;
    QC_BEGIN_THREADS_THRESHOLDED(a.s.n)
    status = qc_theil(&a.s, (qc_theil_kind)kind, (double *)PyArray_DATA(per_group),
                      (double *)PyArray_DATA(decomposition), (double *)PyArray_DATA(units),
                      (double *)PyArray_DATA(totals), &err);
    QC_END_THREADS
    if (status != QC_OK) {
        qc_raise(status, &err, "theil");
        goto finally;
    }
    result = PyTuple_Pack(4, per_group, decomposition, units, totals);
finally:
    sample_release(&a);
    Py_XDECREF(per_group);
    Py_XDECREF(decomposition);
    Py_XDECREF(units);
    Py_XDECREF(totals);
    return result;
}

/* Entry points of the form f(x, <one double>, *, group, n_groups, nan_policy). */
typedef qc_status (*scalar_kernel)(const qc_sample *, double, double *,
                                   qc_errinfo *);

static PyObject *grouped_with_double(PyObject *args, PyObject *kwargs,
                                     const char *format, char **keywords,
                                     double value, scalar_kernel kernel,
                                     const char *func)
{
    PyObject *x_obj, *value_obj = NULL, *group_obj = NULL, *n_groups_obj = NULL;
    PyObject *policy = NULL;
    sample_args a = {0};
    PyArrayObject *out = NULL;
    PyObject *result = NULL;
    qc_errinfo err = {0};
    qc_status status;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, format, keywords, &x_obj,
                                     &value_obj, &group_obj, &n_groups_obj, &policy))
        return NULL;
    /* keywords[1] names the double (epsilon, ddof) */
    if (qc_double_arg(value_obj, keywords[1], &value) < 0 ||
        sample_from(x_obj, group_obj, n_groups_obj, policy, &a) < 0)
        return NULL;
    out = new_vector((npy_intp)a.s.n_groups, NPY_FLOAT64);
    if (out == NULL)
        goto finally;
    QC_BEGIN_THREADS_THRESHOLDED(a.s.n)
    status = kernel(&a.s, value, (double *)PyArray_DATA(out), &err);
    QC_END_THREADS
    if (status != QC_OK) {
        qc_raise(status, &err, func);
        goto finally;
    }
    result = (PyObject *)out;
    out = NULL;
finally:
    sample_release(&a);
    Py_XDECREF(out);
    return result;
}

static PyObject *atkinson(PyObject *module, PyObject *args, PyObject *kwargs)
{
    (void)module;
    static char *keywords[] = {"x", "epsilon", "group", "n_groups",
                               "nan_policy", NULL};
    return grouped_with_double(args, kwargs, "OO|$OOO:atkinson", keywords, 0.0,
                               qc_atkinson, "atkinson");
}

static PyObject *cv(PyObject *module, PyObject *args, PyObject *kwargs)
{
    (void)module;
    static char *keywords[] = {"x", "ddof", "group", "n_groups", "nan_policy",
                               NULL};
    return grouped_with_double(args, kwargs, "O|O$OOO:cv", keywords, 1.0,
                               qc_cv, "cv");
}

static PyObject *concentration(PyObject *module, PyObject *args,
                               PyObject *kwargs)
{
    (void)module;
    static char *keywords[] = {"x", "group", "n_groups", "nan_policy", NULL};
    PyObject *x_obj, *group_obj = NULL, *n_groups_obj = NULL;
    PyObject *policy = NULL;
    sample_args a = {0};
    PyArrayObject *hhi = NULL, *entropy = NULL, *count = NULL;
    PyObject *result = NULL;
    qc_errinfo err = {0};
    qc_status status;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|$OOO:concentration",
                                     keywords, &x_obj, &group_obj, &n_groups_obj,
                                     &policy))
        return NULL;
    if (sample_from(x_obj, group_obj, n_groups_obj, policy, &a) < 0)
        return NULL;
    npy_intp n_groups = (npy_intp)a.s.n_groups;
    hhi = new_vector(n_groups, NPY_FLOAT64);
    entropy = new_vector(n_groups, NPY_FLOAT64);
    count = new_vector(n_groups, NPY_INT64);
    if (hhi == NULL || entropy == NULL || count == NULL)
        goto finally;
    QC_BEGIN_THREADS_THRESHOLDED(a.s.n)
    status = qc_concentration(&a.s, (double *)PyArray_DATA(hhi),
                              (double *)PyArray_DATA(entropy),
                              (int64_t *)PyArray_DATA(count), &err);
    QC_END_THREADS
    if (status != QC_OK) {
        qc_raise(status, &err, "concentration");
        goto finally;
    }
    result = PyTuple_Pack(3, hhi, entropy, count);
finally:
    sample_release(&a);
    Py_XDECREF(hhi);
    Py_XDECREF(entropy);
    Py_XDECREF(count);
    return result;
}

static PyObject *primacy(PyObject *module, PyObject *args, PyObject *kwargs)
{
    (void)module;
    static char *keywords[] = {"x", "k", "group", "n_groups", "nan_policy",
                               NULL};
    PyObject *x_obj, *k_obj = NULL, *group_obj = NULL, *n_groups_obj = NULL;
    Py_ssize_t k = 2;
    PyObject *policy = NULL;
    sample_args a = {0};
    PyArrayObject *out = NULL;
    PyObject *result = NULL;
    qc_errinfo err = {0};
    qc_status status;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|O$OOO:primacy", keywords,
                                     &x_obj, &k_obj, &group_obj, &n_groups_obj,
                                     &policy))
        return NULL;
    if (qc_ssize_arg(k_obj, "k", 2, &k) < 0 ||
        sample_from(x_obj, group_obj, n_groups_obj, policy, &a) < 0)
        return NULL;
    out = new_vector((npy_intp)a.s.n_groups, NPY_FLOAT64);
    if (out == NULL)
        goto finally;
    QC_BEGIN_THREADS_THRESHOLDED(a.s.n)
    status = qc_primacy(&a.s, (size_t)k, (double *)PyArray_DATA(out), &err);
    QC_END_THREADS
    if (status != QC_OK) {
        qc_raise(status, &err, "primacy");
        goto finally;
    }
    result = (PyObject *)out;
    out = NULL;
finally:
    sample_release(&a);
    Py_XDECREF(out);
    return result;
}

static PyObject *rank_size(PyObject *module, PyObject *args, PyObject *kwargs)
{
    (void)module;
    static char *keywords[] = {"x", "top", "group", "n_groups", "nan_policy",
                               NULL};
    PyObject *x_obj, *top_obj = NULL, *group_obj = NULL, *n_groups_obj = NULL;
    Py_ssize_t top = 0;
    PyObject *policy = NULL;
    sample_args a = {0};
    PyArrayObject *slope = NULL, *r2 = NULL;
    PyObject *result = NULL;
    qc_errinfo err = {0};
    qc_status status;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|$OOOO:rank_size",
                                     keywords, &x_obj, &top_obj, &group_obj,
                                     &n_groups_obj, &policy))
        return NULL;
    if (qc_ssize_arg(top_obj, "top", 0, &top) < 0 ||
        sample_from(x_obj, group_obj, n_groups_obj, policy, &a) < 0)
        return NULL;
    slope = new_vector((npy_intp)a.s.n_groups, NPY_FLOAT64);
    r2 = new_vector((npy_intp)a.s.n_groups, NPY_FLOAT64);
    if (slope == NULL || r2 == NULL)
        goto finally;
    QC_BEGIN_THREADS_THRESHOLDED(a.s.n)
    status = qc_rank_size(&a.s, (size_t)top, (double *)PyArray_DATA(slope),
                          (double *)PyArray_DATA(r2), &err);
    QC_END_THREADS
    if (status != QC_OK) {
        qc_raise(status, &err, "rank_size");
        goto finally;
    }
    result = PyTuple_Pack(2, slope, r2);
finally:
    sample_release(&a);
    Py_XDECREF(slope);
    Py_XDECREF(r2);
    return result;
}

/* A square float64 matrix as a qc_od. */
static PyArrayObject *od_from(PyObject *obj, PyObject *policy, qc_od *od)
{
    if (nan_policy_arg(policy, &od->nan) < 0)
        return NULL;
    PyArrayObject *w = qc_float64_array(obj, "od", 2, -1);
    if (w == NULL)
        return NULL;
    if (PyArray_DIM(w, 0) != PyArray_DIM(w, 1)) {
        PyErr_Format(PyExc_ValueError,
                     "od must be a square matrix (origins x destinations), "
                     "got shape (%zd, %zd)",
                     (Py_ssize_t)PyArray_DIM(w, 0),
                     (Py_ssize_t)PyArray_DIM(w, 1));
        Py_DECREF(w);
        return NULL;
    }
    od->n = (size_t)PyArray_DIM(w, 0);
    od->w = (const double *)PyArray_DATA(w);
    return w;
}

static PyObject *flow_summary(PyObject *module, PyObject *args,
                              PyObject *kwargs)
{
    (void)module;
    static char *keywords[] = {"od", "core", "nan_policy", NULL};
    PyObject *od_obj, *core_obj = NULL;
    PyObject *policy = NULL;
    qc_od od = {0};
    PyArrayObject *w = NULL, *core = NULL, *inflow = NULL, *outflow = NULL;
    PyArrayObject *entropy = NULL, *network = NULL;
    PyObject *result = NULL;
    qc_errinfo err = {0};
    qc_status status;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|$OO:flow_summary",
                                     keywords, &od_obj, &core_obj, &policy))
        return NULL;
    w = od_from(od_obj, policy, &od);
    if (w == NULL)
        goto finally;
    npy_intp n = (npy_intp)od.n;
    if (core_obj != NULL && core_obj != Py_None) {
        core = qc_int64_vector(core_obj, "core", n);
        if (core == NULL)
            goto finally;
    }
    inflow = new_vector(n, NPY_FLOAT64);
    outflow = new_vector(n, NPY_FLOAT64);
    entropy = new_vector(n, NPY_FLOAT64);
    network = new_vector(QC_FLOW_NETWORK_N, NPY_FLOAT64);
    if (inflow == NULL || outflow == NULL || entropy == NULL || network == NULL)
        goto finally;
    const int64_t *core_flags = core ? (const int64_t *)PyArray_DATA(core) : NULL;
    QC_BEGIN_THREADS_THRESHOLDED(od.n * od.n)
    status = qc_flow_summary(&od, core_flags, (double *)PyArray_DATA(inflow),
                             (double *)PyArray_DATA(outflow),
                             (double *)PyArray_DATA(entropy),
                             (double *)PyArray_DATA(network), &err);
    QC_END_THREADS
    if (status != QC_OK) {
        qc_raise(status, &err, "flow_summary");
        goto finally;
    }
    result = PyTuple_Pack(4, inflow, outflow, entropy, network);
finally:
    Py_XDECREF(w);
    Py_XDECREF(core);
    Py_XDECREF(inflow);
    Py_XDECREF(outflow);
    Py_XDECREF(entropy);
    Py_XDECREF(network);
    return result;
}

static PyObject *green_polycentricity(PyObject *module, PyObject *args,
                                      PyObject *kwargs)
{
    (void)module;
    static char *keywords[] = {"od", "degree", "nan_policy", NULL};
    PyObject *od_obj;
    PyObject *degree_obj = NULL, *policy = NULL;
    qc_od od = {0};
    PyArrayObject *w = NULL, *out = NULL;
    PyObject *result = NULL;
    qc_errinfo err = {0};
    qc_status status;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs,
                                     "O|$OO:green_polycentricity", keywords,
                                     &od_obj, &degree_obj, &policy))
        return NULL;
    int degree = QC_DEGREE_IN;
    if (qc_choice_arg(degree_obj, "degree", DEGREE, &degree) < 0)
        return NULL;
    w = od_from(od_obj, policy, &od);
    if (w == NULL)
        goto finally;
    out = new_vector(QC_GREEN_N, NPY_FLOAT64);
    if (out == NULL)
        goto finally;
    QC_BEGIN_THREADS_THRESHOLDED(od.n * od.n)
    status = qc_green_polycentricity(&od, (qc_degree)degree,
                                     (double *)PyArray_DATA(out), &err);
    QC_END_THREADS
    if (status != QC_OK) {
        qc_raise(status, &err, "green_polycentricity");
        goto finally;
    }
    result = (PyObject *)out;
    out = NULL;
finally:
    Py_XDECREF(w);
    Py_XDECREF(out);
    return result;
}

static PyObject *share_distance(PyObject *module, PyObject *args,
                                PyObject *kwargs)
{
    (void)module;
    static char *keywords[] = {"a", "b", "nan_policy", NULL};
    PyObject *a_obj, *b_obj;
    PyObject *policy = NULL;
    PyArrayObject *a = NULL, *b = NULL, *out = NULL;
    PyObject *result = NULL;
    qc_errinfo err = {0};
    qc_status status;
    qc_nan_policy nan;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OO|$O:share_distance",
                                     keywords, &a_obj, &b_obj, &policy))
        return NULL;
    if (nan_policy_arg(policy, &nan) < 0)
        return NULL;
    a = qc_float64_array(a_obj, "a", 2, -1);
    if (a == NULL)
        goto finally;
    b = qc_float64_array(b_obj, "b", 2, -1);
    if (b == NULL)
        goto finally;
    if (PyArray_DIM(a, 0) != PyArray_DIM(b, 0) ||
        PyArray_DIM(a, 1) != PyArray_DIM(b, 1)) {
        PyErr_Format(PyExc_ValueError,
                     "a and b must have the same shape, got (%zd, %zd) and "
                     "(%zd, %zd)",
                     (Py_ssize_t)PyArray_DIM(a, 0), (Py_ssize_t)PyArray_DIM(a, 1),
                     (Py_ssize_t)PyArray_DIM(b, 0), (Py_ssize_t)PyArray_DIM(b, 1));
        goto finally;
    }
    npy_intp rows = PyArray_DIM(a, 0), cols = PyArray_DIM(a, 1);
    out = new_vector(rows, NPY_FLOAT64);
    if (out == NULL)
        goto finally;
    QC_BEGIN_THREADS_THRESHOLDED((size_t)(rows * cols))
    status = qc_share_distance((const double *)PyArray_DATA(a),
                               (const double *)PyArray_DATA(b), (size_t)rows,
                               (size_t)cols, nan, (double *)PyArray_DATA(out), &err);
    QC_END_THREADS
    if (status != QC_OK) {
        qc_raise(status, &err, "share_distance");
        goto finally;
    }
    result = (PyObject *)out;
    out = NULL;
finally:
    Py_XDECREF(a);
    Py_XDECREF(b);
    Py_XDECREF(out);
    return result;
}

static PyObject *location_quotient(PyObject *module, PyObject *args,
                                   PyObject *kwargs)
{
    (void)module;
    static char *keywords[] = {"e_ij", "e_j", "e_i", "e", "nested",
                               "nan_policy", NULL};
    static const char *const names[4] = {"e_ij", "e_j", "e_i", "e"};
    PyObject *objs[4];
    int nested = 1;
    PyObject *nested_obj = NULL, *policy = NULL;
    PyArrayObject *parts[4] = {NULL, NULL, NULL, NULL}, *out = NULL;
    PyObject *result = NULL;
    qc_errinfo err = {0};
    qc_status status;
    qc_nan_policy nan;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OOOO|$OO:location_quotient",
                                     keywords, &objs[0], &objs[1], &objs[2],
                                     &objs[3], &nested_obj, &policy))
        return NULL;
    if (qc_flag_arg(nested_obj, "nested", &nested) < 0 ||
        nan_policy_arg(policy, &nan) < 0)
        return NULL;
    for (int p = 0; p < 4; p++) {
        parts[p] = qc_float64_vector(
            objs[p], names[p], p == 0 ? -1 : PyArray_DIM(parts[0], 0));
        if (parts[p] == NULL)
            goto finally;
    }
    npy_intp n = PyArray_DIM(parts[0], 0);
    out = new_vector(n, NPY_FLOAT64);
    if (out == NULL)
        goto finally;
    QC_BEGIN_THREADS_THRESHOLDED((size_t)n)
    status = qc_location_quotient((const double *)PyArray_DATA(parts[0]),
                                  (const double *)PyArray_DATA(parts[1]),
                                  (const double *)PyArray_DATA(parts[2]),
                                  (const double *)PyArray_DATA(parts[3]), (size_t)n,
                                  nested, nan, (double *)PyArray_DATA(out), &err);
    QC_END_THREADS
    if (status != QC_OK) {
        qc_raise(status, &err, "location_quotient");
        goto finally;
    }
    result = (PyObject *)out;
    out = NULL;
finally:
    for (int p = 0; p < 4; p++)
        Py_XDECREF(parts[p]);
    Py_XDECREF(out);
    return result;
}

/* label_codes(label, max_span) -> (codes, first) int64 arrays, or None when
   the labels span max_span values or more. */
static PyObject *label_codes(PyObject *module, PyObject *args, PyObject *kwargs)
{
    (void)module;
    static char *keywords[] = {"label", "max_span", NULL};
    PyObject *label_obj, *max_span_obj;
    PyArrayObject *label = NULL, *codes = NULL, *first = NULL, *found = NULL;
    PyObject *result = NULL;
    Py_ssize_t max_span;
    size_t n_groups = 0;
    qc_errinfo err = {0};
    qc_status status;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OO:label_codes", keywords, &label_obj,
                                     &max_span_obj) ||
        qc_ssize_arg(max_span_obj, "max_span", 1, &max_span) < 0)
        return NULL;
    label = qc_int64_vector(label_obj, "label", -1);
    if (label == NULL)
        return NULL;
    npy_intp n = PyArray_DIM(label, 0);
    codes = new_vector(n, NPY_INT64);
    first = new_vector(n, NPY_INT64);
    if (codes == NULL || first == NULL)
        goto finally;
    QC_BEGIN_THREADS_THRESHOLDED((size_t)n)
    status = qc_label_codes((const int64_t *)PyArray_DATA(label), (size_t)n, (size_t)max_span,
                            (int64_t *)PyArray_DATA(codes), (int64_t *)PyArray_DATA(first),
                            &n_groups, &err);
    QC_END_THREADS
    if (status == QC_ELIMIT) {
        result = Py_NewRef(Py_None);
        goto finally;
    }
    if (status != QC_OK) {
        qc_raise(status, &err, "label_codes");
        goto finally;
    }
    found = new_vector((npy_intp)n_groups, NPY_INT64);
    if (found == NULL)
        goto finally;
    if (n_groups > 0)
        memcpy(PyArray_DATA(found), PyArray_DATA(first), n_groups * sizeof(int64_t));
    result = PyTuple_Pack(2, codes, found);
finally:
    Py_XDECREF(label);
    Py_XDECREF(codes);
    Py_XDECREF(first);
    Py_XDECREF(found);
    return result;
}

#define GROUPED "group=None, n_groups=1, nan_policy='propagate'"

PyMethodDef qc_indices_methods[] = {
    {"gini", (PyCFunction)(void (*)(void))gini, METH_VARARGS | METH_KEYWORDS,
     "gini(x, *, group=None, n_groups=1, weight=None, corrected=False, "
     "nan_policy='propagate')\n--\n\n"
     "Gini coefficient of x (>= 0) per group, optionally weighted or\n"
     "n/(n-1) corrected. group (int64, -1 leaves a unit out) splits x into\n"
     "n_groups. Returns a float64 array of n_groups values (NaN: undefined)."},
    {"label_codes", (PyCFunction)(void (*)(void))label_codes, METH_VARARGS | METH_KEYWORDS,
     "label_codes(label, max_span)\n--\n\n"
     "Integer labels to group codes in order of first appearance, through a\n"
     "table over the labels' range. Returns (codes, first): each label's group\n"
     "and the index where each group first appears; None when the labels span\n"
     "max_span values or more (then hash them: pandas.factorize)."},
    {"theil", (PyCFunction)(void (*)(void))theil, METH_VARARGS | METH_KEYWORDS,
     "theil(x, *, kind='T', " GROUPED ")\n--\n\n"
     "Theil T or L per group and the decomposition (total, between, within)\n"
     "over the groups. Returns (per_group, decomposition, units, totals)\n"
     "float64 arrays: units and totals are each group's unit count and sum."},
    {"atkinson", (PyCFunction)(void (*)(void))atkinson,
     METH_VARARGS | METH_KEYWORDS,
     "atkinson(x, epsilon, *, " GROUPED ")\n--\n\n"
     "Atkinson index with inequality aversion epsilon per group."},
    {"cv", (PyCFunction)(void (*)(void))cv, METH_VARARGS | METH_KEYWORDS,
     "cv(x, ddof=1.0, *, " GROUPED ")\n--\n\n"
     "Coefficient of variation (sd with n - ddof in the denominator over the\n"
     "mean) per group."},
    {"concentration", (PyCFunction)(void (*)(void))concentration,
     METH_VARARGS | METH_KEYWORDS,
     "concentration(x, *, " GROUPED ")\n--\n\n"
     "Herfindahl-Hirschman index and Shannon entropy of the shares of x per\n"
     "group. Returns (hhi, entropy, count) arrays."},
    {"primacy", (PyCFunction)(void (*)(void))primacy,
     METH_VARARGS | METH_KEYWORDS,
     "primacy(x, k=2, *, " GROUPED ")\n--\n\n"
     "P1 / (P2 + ... + Pk) of the sizes x per group."},
    {"rank_size", (PyCFunction)(void (*)(void))rank_size,
     METH_VARARGS | METH_KEYWORDS,
     "rank_size(x, *, top=0, " GROUPED ")\n--\n\n"
     "OLS slope and R^2 of ln(size) on ln(rank) over the top sizes of each\n"
     "group (top=0: all). Returns (slope, r2) arrays."},
    {"flow_summary", (PyCFunction)(void (*)(void))flow_summary,
     METH_VARARGS | METH_KEYWORDS,
     "flow_summary(od, *, core=None, nan_policy='propagate')\n--\n\n"
     "Node inflow, outflow and outflow entropy, and network values (total,\n"
     "symmetry, core inflow share, core outflow share, share between\n"
     "non-core nodes) of a square OD matrix; the diagonal is ignored."},
    {"green_polycentricity", (PyCFunction)(void (*)(void))green_polycentricity,
     METH_VARARGS | METH_KEYWORDS,
     "green_polycentricity(od, *, degree='in', nan_policy='propagate')\n--\n\n"
     "Green's (2007) functional polycentricity: (sd, sd_max, evenness,\n"
     "density, valued density, polycentricity) as a float64 array."},
    {"share_distance", (PyCFunction)(void (*)(void))share_distance,
     METH_VARARGS | METH_KEYWORDS,
     "share_distance(a, b, *, nan_policy='propagate')\n--\n\n"
     "Per row, the sum of absolute differences between the row shares of a\n"
     "and of b (two matrices of one shape)."},
    {"location_quotient", (PyCFunction)(void (*)(void))location_quotient,
     METH_VARARGS | METH_KEYWORDS,
     "location_quotient(e_ij, e_j, e_i, e, *, nested=True, "
     "nan_policy='propagate')\n--\n\n"
     "(e_ij / e_j) / (e_i / e) element by element over four vectors of one\n"
     "length; nested checks that parts do not exceed their totals."},
    {NULL, NULL, 0, NULL}};
