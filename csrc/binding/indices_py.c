/* Python entry points for qc/indices.h. */
#include "convert.h"
#include "bindings.h"
#include "qc/indices.h"

#include <string.h>

static int nan_policy_arg(const char *name, qc_nan_policy *out)
{
    if (strcmp(name, "propagate") == 0)
        *out = QC_NAN_PROPAGATE;
    else if (strcmp(name, "omit") == 0)
        *out = QC_NAN_OMIT;
    else if (strcmp(name, "raise") == 0)
        *out = QC_NAN_RAISE;
    else {
        PyErr_Format(PyExc_ValueError,
                     "nan_policy must be 'propagate', 'omit' or 'raise', got '%s'",
                     name);
        return -1;
    }
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

/* Coerces x, group and n_groups into a->s; -1 with an exception on failure. */
static int sample_from(PyObject *x_obj, PyObject *group_obj,
                       Py_ssize_t n_groups, const char *nan_policy,
                       sample_args *a)
{
    memset(a, 0, sizeof *a);
    if (nan_policy_arg(nan_policy, &a->s.nan) < 0)
        return -1;
    if (n_groups < 0) {
        PyErr_SetString(PyExc_ValueError, "n_groups must be >= 0");
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

#define RUN_KERNEL(size, call)                                                 \
    do {                                                                       \
        if ((size) >= QC_GIL_RELEASE_MIN) {                                    \
            Py_BEGIN_ALLOW_THREADS status = (call);                            \
            Py_END_ALLOW_THREADS                                               \
        } else {                                                               \
            status = (call);                                                   \
        }                                                                      \
    } while (0)

static PyObject *gini(PyObject *module, PyObject *args, PyObject *kwargs)
{
    (void)module;
    static char *keywords[] = {"x", "group", "n_groups", "weight", "corrected",
                               "nan_policy", NULL};
    PyObject *x_obj, *group_obj = NULL, *weight_obj = NULL;
    Py_ssize_t n_groups = 1;
    int corrected = 0;
    const char *policy = "propagate";
    sample_args a = {0};
    PyArrayObject *weight = NULL, *out = NULL;
    PyObject *result = NULL;
    qc_errinfo err = {0};
    qc_status status;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|$OnOps:gini", keywords,
                                     &x_obj, &group_obj, &n_groups,
                                     &weight_obj, &corrected, &policy))
        return NULL;
    if (sample_from(x_obj, group_obj, n_groups, policy, &a) < 0)
        return NULL;
    if (weight_obj != NULL && weight_obj != Py_None) {
        weight = qc_float64_vector(weight_obj, "weight", (npy_intp)a.s.n);
        if (weight == NULL)
            goto finally;
    }
    out = new_vector(n_groups, NPY_FLOAT64);
    if (out == NULL)
        goto finally;
    const double *w = weight ? (const double *)PyArray_DATA(weight) : NULL;
    RUN_KERNEL(a.s.n, qc_gini(&a.s, w, corrected,
                              (double *)PyArray_DATA(out), &err));
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
    PyObject *x_obj, *group_obj = NULL;
    Py_ssize_t n_groups = 1;
    const char *kind_name = "T", *policy = "propagate";
    sample_args a = {0};
    PyArrayObject *per_group = NULL, *decomposition = NULL;
    PyObject *result = NULL;
    qc_errinfo err = {0};
    qc_status status;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|$sOns:theil", keywords,
                                     &x_obj, &kind_name, &group_obj, &n_groups,
                                     &policy))
        return NULL;
    qc_theil_kind kind;
    if (strcmp(kind_name, "T") == 0)
        kind = QC_THEIL_T;
    else if (strcmp(kind_name, "L") == 0)
        kind = QC_THEIL_L;
    else {
        PyErr_Format(PyExc_ValueError, "kind must be 'T' or 'L', got '%s'",
                     kind_name);
        return NULL;
    }
    if (sample_from(x_obj, group_obj, n_groups, policy, &a) < 0)
        return NULL;
    per_group = new_vector(n_groups, NPY_FLOAT64);
    decomposition = new_vector(3, NPY_FLOAT64);
    if (per_group == NULL || decomposition == NULL)
        goto finally;
    RUN_KERNEL(a.s.n, qc_theil(&a.s, kind, (double *)PyArray_DATA(per_group),
                               (double *)PyArray_DATA(decomposition), &err));
    if (status != QC_OK) {
        qc_raise(status, &err, "theil");
        goto finally;
    }
    result = PyTuple_Pack(2, per_group, decomposition);
finally:
    sample_release(&a);
    Py_XDECREF(per_group);
    Py_XDECREF(decomposition);
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
    PyObject *x_obj, *group_obj = NULL;
    Py_ssize_t n_groups = 1;
    const char *policy = "propagate";
    sample_args a = {0};
    PyArrayObject *out = NULL;
    PyObject *result = NULL;
    qc_errinfo err = {0};
    qc_status status;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, format, keywords, &x_obj,
                                     &value, &group_obj, &n_groups, &policy))
        return NULL;
    if (sample_from(x_obj, group_obj, n_groups, policy, &a) < 0)
        return NULL;
    out = new_vector(n_groups, NPY_FLOAT64);
    if (out == NULL)
        goto finally;
    RUN_KERNEL(a.s.n, kernel(&a.s, value, (double *)PyArray_DATA(out), &err));
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
    return grouped_with_double(args, kwargs, "Od|$Ons:atkinson", keywords, 0.0,
                               qc_atkinson, "atkinson");
}

static PyObject *cv(PyObject *module, PyObject *args, PyObject *kwargs)
{
    (void)module;
    static char *keywords[] = {"x", "ddof", "group", "n_groups", "nan_policy",
                               NULL};
    return grouped_with_double(args, kwargs, "O|d$Ons:cv", keywords, 1.0,
                               qc_cv, "cv");
}

static PyObject *concentration(PyObject *module, PyObject *args,
                               PyObject *kwargs)
{
    (void)module;
    static char *keywords[] = {"x", "group", "n_groups", "nan_policy", NULL};
    PyObject *x_obj, *group_obj = NULL;
    Py_ssize_t n_groups = 1;
    const char *policy = "propagate";
    sample_args a = {0};
    PyArrayObject *hhi = NULL, *entropy = NULL, *count = NULL;
    PyObject *result = NULL;
    qc_errinfo err = {0};
    qc_status status;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|$Ons:concentration",
                                     keywords, &x_obj, &group_obj, &n_groups,
                                     &policy))
        return NULL;
    if (sample_from(x_obj, group_obj, n_groups, policy, &a) < 0)
        return NULL;
    hhi = new_vector(n_groups, NPY_FLOAT64);
    entropy = new_vector(n_groups, NPY_FLOAT64);
    count = new_vector(n_groups, NPY_INT64);
    if (hhi == NULL || entropy == NULL || count == NULL)
        goto finally;
    RUN_KERNEL(a.s.n, qc_concentration(&a.s, (double *)PyArray_DATA(hhi),
                                       (double *)PyArray_DATA(entropy),
                                       (int64_t *)PyArray_DATA(count), &err));
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
    PyObject *x_obj, *group_obj = NULL;
    Py_ssize_t k = 2, n_groups = 1;
    const char *policy = "propagate";
    sample_args a = {0};
    PyArrayObject *out = NULL;
    PyObject *result = NULL;
    qc_errinfo err = {0};
    qc_status status;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|n$Ons:primacy", keywords,
                                     &x_obj, &k, &group_obj, &n_groups,
                                     &policy))
        return NULL;
    if (k < 2) {
        PyErr_Format(PyExc_ValueError, "k must be >= 2, got %zd", k);
        return NULL;
    }
    if (sample_from(x_obj, group_obj, n_groups, policy, &a) < 0)
        return NULL;
    out = new_vector(n_groups, NPY_FLOAT64);
    if (out == NULL)
        goto finally;
    RUN_KERNEL(a.s.n, qc_primacy(&a.s, (size_t)k, (double *)PyArray_DATA(out),
                                 &err));
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
    PyObject *x_obj, *group_obj = NULL;
    Py_ssize_t top = 0, n_groups = 1;
    const char *policy = "propagate";
    sample_args a = {0};
    PyArrayObject *slope = NULL, *r2 = NULL;
    PyObject *result = NULL;
    qc_errinfo err = {0};
    qc_status status;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|$nOns:rank_size",
                                     keywords, &x_obj, &top, &group_obj,
                                     &n_groups, &policy))
        return NULL;
    if (top < 0) {
        PyErr_Format(PyExc_ValueError, "top must be >= 0 (0: all), got %zd",
                     top);
        return NULL;
    }
    if (sample_from(x_obj, group_obj, n_groups, policy, &a) < 0)
        return NULL;
    slope = new_vector(n_groups, NPY_FLOAT64);
    r2 = new_vector(n_groups, NPY_FLOAT64);
    if (slope == NULL || r2 == NULL)
        goto finally;
    RUN_KERNEL(a.s.n, qc_rank_size(&a.s, (size_t)top,
                                   (double *)PyArray_DATA(slope),
                                   (double *)PyArray_DATA(r2), &err));
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
static PyArrayObject *od_from(PyObject *obj, const char *policy, qc_od *od)
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
    const char *policy = "propagate";
    qc_od od = {0};
    PyArrayObject *w = NULL, *core = NULL, *inflow = NULL, *outflow = NULL;
    PyArrayObject *entropy = NULL, *network = NULL;
    PyObject *result = NULL;
    qc_errinfo err = {0};
    qc_status status;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|$Os:flow_summary",
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
    RUN_KERNEL(od.n * od.n,
               qc_flow_summary(&od, core_flags, (double *)PyArray_DATA(inflow),
                               (double *)PyArray_DATA(outflow),
                               (double *)PyArray_DATA(entropy),
                               (double *)PyArray_DATA(network), &err));
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
    const char *degree_name = "in", *policy = "propagate";
    qc_od od = {0};
    PyArrayObject *w = NULL, *out = NULL;
    PyObject *result = NULL;
    qc_errinfo err = {0};
    qc_status status;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs,
                                     "O|$ss:green_polycentricity", keywords,
                                     &od_obj, &degree_name, &policy))
        return NULL;
    qc_degree degree;
    if (strcmp(degree_name, "in") == 0)
        degree = QC_DEGREE_IN;
    else if (strcmp(degree_name, "out") == 0)
        degree = QC_DEGREE_OUT;
    else if (strcmp(degree_name, "total") == 0)
        degree = QC_DEGREE_TOTAL;
    else {
        PyErr_Format(PyExc_ValueError,
                     "degree must be 'in', 'out' or 'total', got '%s'",
                     degree_name);
        return NULL;
    }
    w = od_from(od_obj, policy, &od);
    if (w == NULL)
        goto finally;
    out = new_vector(QC_GREEN_N, NPY_FLOAT64);
    if (out == NULL)
        goto finally;
    RUN_KERNEL(od.n * od.n, qc_green_polycentricity(
                                &od, degree, (double *)PyArray_DATA(out), &err));
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
    const char *policy = "propagate";
    PyArrayObject *a = NULL, *b = NULL, *out = NULL;
    PyObject *result = NULL;
    qc_errinfo err = {0};
    qc_status status;
    qc_nan_policy nan;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OO|$s:share_distance",
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
    RUN_KERNEL((size_t)(rows * cols),
               qc_share_distance((const double *)PyArray_DATA(a),
                                 (const double *)PyArray_DATA(b), (size_t)rows,
                                 (size_t)cols, nan, (double *)PyArray_DATA(out),
                                 &err));
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
    const char *policy = "propagate";
    PyArrayObject *parts[4] = {NULL, NULL, NULL, NULL}, *out = NULL;
    PyObject *result = NULL;
    qc_errinfo err = {0};
    qc_status status;
    qc_nan_policy nan;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OOOO|$ps:location_quotient",
                                     keywords, &objs[0], &objs[1], &objs[2],
                                     &objs[3], &nested, &policy))
        return NULL;
    if (nan_policy_arg(policy, &nan) < 0)
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
    RUN_KERNEL((size_t)n, qc_location_quotient(
                              (const double *)PyArray_DATA(parts[0]),
                              (const double *)PyArray_DATA(parts[1]),
                              (const double *)PyArray_DATA(parts[2]),
                              (const double *)PyArray_DATA(parts[3]),
                              (size_t)n, nested, nan,
                              (double *)PyArray_DATA(out), &err));
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

#define GROUPED "group=None, n_groups=1, nan_policy='propagate'"

PyMethodDef qc_indices_methods[] = {
    {"gini", (PyCFunction)(void (*)(void))gini, METH_VARARGS | METH_KEYWORDS,
     "gini(x, *, group=None, n_groups=1, weight=None, corrected=False, "
     "nan_policy='propagate')\n--\n\n"
     "Gini coefficient of x (>= 0) per group, optionally weighted or\n"
     "n/(n-1) corrected. group (int64, -1 leaves a unit out) splits x into\n"
     "n_groups. Returns a float64 array of n_groups values (NaN: undefined)."},
    {"theil", (PyCFunction)(void (*)(void))theil, METH_VARARGS | METH_KEYWORDS,
     "theil(x, *, kind='T', " GROUPED ")\n--\n\n"
     "Theil T or L per group and the decomposition (total, between, within)\n"
     "over the groups. Returns (per_group, decomposition) float64 arrays."},
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
