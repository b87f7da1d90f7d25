/* Python entry points for qc/agree.h. A tally crosses the boundary as a dict
   of numpy arrays and floats, so that Python can add tallies of disjoint
   units (per code, per partition) before computing a coefficient; methods
   and metrics are named by string and checked against one table each. */
#include "convert.h"
#include "bindings.h"
#include "qc/agree.h"

#include <math.h>
#include <string.h>

static const qc_choice METHODS[] = {
    {"percent", QC_AGREE_PERCENT},
    {"fleiss", QC_AGREE_FLEISS},
    {"gwet", QC_AGREE_GWET},
    {"brennan_prediger", QC_AGREE_BRENNAN_PREDIGER},
    {"conger", QC_AGREE_CONGER},
    {"alpha", QC_AGREE_ALPHA},
    {NULL, 0}};

static const qc_choice METRICS[] = {
    {"nominal", QC_METRIC_NOMINAL},
    {"ordinal", QC_METRIC_ORDINAL},
    {"interval", QC_METRIC_INTERVAL},
    {"ratio", QC_METRIC_RATIO},
    {NULL, 0}};

/* Values (units x coders) and n_cats into a qc_ratings; *array is the new
   reference that backs it. */
static int ratings_arg(PyObject *values_obj, PyObject *n_cats_obj,
                       PyArrayObject **array, qc_ratings *ratings)
{
    Py_ssize_t n_cats;
    if (qc_ssize_arg(n_cats_obj, "n_cats", 1, &n_cats) < 0)
        return -1;
    /* the K x K coincidence matrix of the tally must be possible */
    if (n_cats > (Py_ssize_t)sqrt((double)(NPY_MAX_INTP / (npy_intp)sizeof(double)))) {
        PyErr_Format(PyExc_OverflowError,
                     "n_cats is too large for an n_cats x n_cats matrix, got %zd", n_cats);
        return -1;
    }
    *array = qc_int64_array(values_obj, "values", 2, -1);
    if (*array == NULL)
        return -1;
    ratings->n_units = (size_t)PyArray_DIM(*array, 0);
    ratings->n_coders = (size_t)PyArray_DIM(*array, 1);
    ratings->n_cats = (size_t)n_cats;
    ratings->value = (const int64_t *)PyArray_DATA(*array);
    return 0;
}

/* Optional n_cats x n_cats float matrix (weights). */
static int square_arg(PyObject *obj, const char *name, size_t n_cats,
                      PyArrayObject **out)
{
    *out = NULL;
    if (obj == NULL || obj == Py_None)
        return 0;
    *out = qc_float64_array(obj, name, 2, -1);
    if (*out == NULL)
        return -1;
    if ((size_t)PyArray_DIM(*out, 0) != n_cats ||
        (size_t)PyArray_DIM(*out, 1) != n_cats) {
        PyErr_Format(PyExc_ValueError, "%s must be %zu x %zu", name, n_cats,
                     n_cats);
        return -1;
    }
    return 0;
}

/* Optional n_cats category values. */
static int category_values_arg(PyObject *obj, size_t n_cats, PyArrayObject **out)
{
    *out = NULL;
    if (obj == NULL || obj == Py_None)
        return 0;
    *out = qc_float64_vector(obj, "category_values", (npy_intp)n_cats);
    return *out == NULL ? -1 : 0;
}

/* n_boot (>= 0, the replicates: one double each) and seed (uint64). */
static int boot_args(PyObject *n_boot_obj, PyObject *seed_obj, Py_ssize_t *n_boot,
                     unsigned long long *seed)
{
    if (qc_ssize_arg(n_boot_obj, "n_boot", 0, n_boot) < 0 ||
        qc_uint64_arg(seed_obj, "seed", seed) < 0)
        return -1;
    if (*n_boot > NPY_MAX_INTP / (npy_intp)sizeof(double)) {
        PyErr_Format(PyExc_OverflowError, "n_boot is too large for the replicates, got %zd",
                     *n_boot);
        return -1;
    }
    return 0;
}

static PyObject *tally_to_dict(const qc_agree_tally *t, PyArrayObject *share,
                               PyArrayObject *coincidence,
                               PyArrayObject *coder_counts,
                               PyArrayObject *coder_units)
{
    return Py_BuildValue("{s:I,s:d,s:d,s:d,s:d,s:O,s:O,s:O,s:O}", "parts",
                         t->parts, "rated_units",
                         t->rated_units, "paired_units", t->paired_units,
                         "pairs", t->pairs, "agreement", t->agreement, "share",
                         share, "coincidence", coincidence, "coder_counts",
                         coder_counts, "coder_units", coder_units);
}

static PyObject *agree_tally(PyObject *module, PyObject *args, PyObject *kwargs)
{
    (void)module;
    static char *keywords[] = {"values", "n_cats", "weights", "multiplicity",
                               "parts", NULL};
    PyObject *values_obj, *n_cats_obj, *weights_obj = NULL, *mult_obj = NULL;
    PyObject *parts_obj = NULL;
    long long parts = QC_TALLY_ALL;
    PyArrayObject *values = NULL, *weights = NULL, *mult = NULL;
    PyArrayObject *arrays[4] = {NULL, NULL, NULL, NULL};
    PyObject *result = NULL;
    qc_ratings ratings;
    qc_errinfo err = {0};
    qc_status status;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OO|$OOO:agree_tally",
                                     keywords, &values_obj, &n_cats_obj,
                                     &weights_obj, &mult_obj, &parts_obj))
        return NULL;
    /* parts: a combination of 1 (coincidence) and 2 (coders) */
    if (qc_int_arg(parts_obj, "parts", 0, QC_TALLY_ALL, &parts) < 0)
        return NULL;
    if (ratings_arg(values_obj, n_cats_obj, &values, &ratings) < 0 ||
        square_arg(weights_obj, "weights", ratings.n_cats, &weights) < 0 ||
        qc_optional_int64_vector(mult_obj, "multiplicity",
                                 (npy_intp)ratings.n_units, &mult) < 0)
        goto finally;
    npy_intp k = (npy_intp)ratings.n_cats, g = (npy_intp)ratings.n_coders;
    npy_intp dims[4][2] = {{k, 0}, {k, k}, {g, k}, {g, 0}};
    int ndims[4] = {1, 2, 2, 1};
    for (int i = 0; i < 4; i++) {
        arrays[i] = (PyArrayObject *)PyArray_ZEROS(ndims[i], dims[i], NPY_FLOAT64, 0);
        if (arrays[i] == NULL)
            goto finally;
    }
    qc_agree_tally tally = {(unsigned)parts, 0, 0, 0, 0, PyArray_DATA(arrays[0]),
                            PyArray_DATA(arrays[1]), PyArray_DATA(arrays[2]),
                            PyArray_DATA(arrays[3])};
    const double *w = weights ? PyArray_DATA(weights) : NULL;
    const int64_t *m = mult ? PyArray_DATA(mult) : NULL;
    Py_BEGIN_ALLOW_THREADS
    status = qc_agree_tally_add(&ratings, w, m, &tally, &err);
    Py_END_ALLOW_THREADS
    if (status != QC_OK) {
        qc_raise(status, &err, "agree_tally");
        goto finally;
    }
    result = tally_to_dict(&tally, arrays[0], arrays[1], arrays[2], arrays[3]);
finally:
    Py_XDECREF(values);
    Py_XDECREF(weights);
    Py_XDECREF(mult);
    for (int i = 0; i < 4; i++)
        Py_XDECREF(arrays[i]);
    return result;
}

/* A tally dict (as agree_tally returns) into *tally; arrays[4] receive the
   new references backing it. */
static int tally_arg(PyObject *dict, qc_agree_tally *tally, size_t *n_coders,
                     size_t *n_cats, PyArrayObject *arrays[4])
{
    static const char *const keys[4] = {"share", "coincidence", "coder_counts",
                                        "coder_units"};
    static const int ndim[4] = {1, 2, 2, 1};
    static const char *const scalars[4] = {"rated_units", "paired_units",
                                           "pairs", "agreement"};
    double values[4];
    if (!PyDict_Check(dict)) {
        PyErr_SetString(PyExc_TypeError, "tally must be a dict from agree_tally");
        return -1;
    }
    char name[32];
    for (int i = 0; i < 4; i++) {
        PyObject *item = PyDict_GetItemString(dict, scalars[i]);
        if (item == NULL) {
            PyErr_Format(PyExc_ValueError, "tally lacks '%s'", scalars[i]);
            return -1;
        }
        /* read as the kernel reads every number of a tally: checked there */
        PyOS_snprintf(name, sizeof name, "tally['%s']", scalars[i]);
        if (qc_double_arg(item, name, &values[i]) < 0)
            return -1;
    }
    for (int i = 0; i < 4; i++) {
        PyObject *item = PyDict_GetItemString(dict, keys[i]);
        if (item == NULL) {
            PyErr_Format(PyExc_ValueError, "tally lacks '%s'", keys[i]);
            return -1;
        }
        PyOS_snprintf(name, sizeof name, "tally['%s']", keys[i]);
        arrays[i] = qc_float64_array(item, name, ndim[i], -1);
        if (arrays[i] == NULL)
            return -1;
    }
    long long parts = QC_TALLY_ALL;
    if (qc_int_arg(PyDict_GetItemString(dict, "parts"), "tally['parts']", 0, QC_TALLY_ALL,
                   &parts) < 0)
        return -1;
    tally->parts = (unsigned)parts;
    *n_cats = (size_t)PyArray_DIM(arrays[0], 0);
    *n_coders = (size_t)PyArray_DIM(arrays[3], 0);
    if ((size_t)PyArray_DIM(arrays[1], 0) != *n_cats ||
        (size_t)PyArray_DIM(arrays[1], 1) != *n_cats ||
        (size_t)PyArray_DIM(arrays[2], 0) != *n_coders ||
        (size_t)PyArray_DIM(arrays[2], 1) != *n_cats || *n_cats == 0) {
        PyErr_SetString(PyExc_ValueError,
                        "tally arrays disagree in shape (share K, coincidence "
                        "K x K, coder_counts G x K, coder_units G, K >= 1)");
        return -1;
    }
    tally->rated_units = values[0];
    tally->paired_units = values[1];
    tally->pairs = values[2];
    tally->agreement = values[3];
    tally->share = PyArray_DATA(arrays[0]);
    tally->coincidence = PyArray_DATA(arrays[1]);
    tally->coder_counts = PyArray_DATA(arrays[2]);
    tally->coder_units = PyArray_DATA(arrays[3]);
    return 0;
}

static PyObject *agree_coefficient(PyObject *module, PyObject *args,
                                   PyObject *kwargs)
{
    (void)module;
    static char *keywords[] = {"tally", "method", "weights", "metric",
                               "category_values", NULL};
    PyObject *tally_obj, *weights_obj = NULL, *cv_obj = NULL;
    PyObject *method_obj, *metric_obj = NULL;
    int method = QC_AGREE_PERCENT, metric = QC_METRIC_NOMINAL;
    PyArrayObject *arrays[4] = {NULL, NULL, NULL, NULL};
    PyArrayObject *weights = NULL, *category_values = NULL;
    PyObject *result = NULL;
    qc_agree_tally tally;
    size_t n_coders, n_cats;
    qc_errinfo err = {0};

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OO|$OOO:agree_coefficient",
                                     keywords, &tally_obj, &method_obj,
                                     &weights_obj, &metric_obj, &cv_obj))
        return NULL;
    if (qc_choice_arg(method_obj, "method", METHODS, &method) < 0 ||
        qc_choice_arg(metric_obj, "metric", METRICS, &metric) < 0 ||
        tally_arg(tally_obj, &tally, &n_coders, &n_cats, arrays) < 0 ||
        square_arg(weights_obj, "weights", n_cats, &weights) < 0 ||
        category_values_arg(cv_obj, n_cats, &category_values) < 0)
        goto finally;
    qc_agree_result res;
    qc_status status = qc_agree_coefficient(
        &tally, n_coders, n_cats, weights ? PyArray_DATA(weights) : NULL,
        (qc_agree_method)method, (qc_metric)metric,
        category_values ? PyArray_DATA(category_values) : NULL, &res, &err);
    if (status != QC_OK) {
        qc_raise(status, &err, "agree_coefficient");
        goto finally;
    }
    result = Py_BuildValue("(ddd)", res.observed, res.expected, res.value);
finally:
    for (int i = 0; i < 4; i++)
        Py_XDECREF(arrays[i]);
    Py_XDECREF(weights);
    Py_XDECREF(category_values);
    return result;
}

static PyObject *agree_bootstrap(PyObject *module, PyObject *args,
                                 PyObject *kwargs)
{
    (void)module;
    static char *keywords[] = {"values", "n_cats", "method", "weights",
                               "metric", "category_values", "n_boot", "seed",
                               NULL};
    PyObject *values_obj, *n_cats_obj, *weights_obj = NULL, *cv_obj = NULL;
    PyObject *n_boot_obj = NULL, *seed_obj = NULL;
    Py_ssize_t n_boot = 1000;
    unsigned long long seed = 0;
    PyObject *method_obj, *metric_obj = NULL;
    int method = QC_AGREE_PERCENT, metric = QC_METRIC_NOMINAL;
    PyArrayObject *values = NULL, *weights = NULL, *category_values = NULL;
    PyArrayObject *out = NULL;
    PyObject *result = NULL;
    qc_ratings ratings;
    qc_errinfo err = {0};
    qc_status status;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OOO|$OOOOO:agree_bootstrap",
                                     keywords, &values_obj, &n_cats_obj,
                                     &method_obj, &weights_obj, &metric_obj,
                                     &cv_obj, &n_boot_obj, &seed_obj))
        return NULL;
    if (qc_choice_arg(method_obj, "method", METHODS, &method) < 0 ||
        qc_choice_arg(metric_obj, "metric", METRICS, &metric) < 0 ||
        boot_args(n_boot_obj, seed_obj, &n_boot, &seed) < 0)
        return NULL;
    if (ratings_arg(values_obj, n_cats_obj, &values, &ratings) < 0 ||
        square_arg(weights_obj, "weights", ratings.n_cats, &weights) < 0 ||
        category_values_arg(cv_obj, ratings.n_cats, &category_values) < 0)
        goto finally;
    npy_intp dim = n_boot;
    out = (PyArrayObject *)PyArray_SimpleNew(1, &dim, NPY_FLOAT64);
    if (out == NULL)
        goto finally;
    const double *w = weights ? PyArray_DATA(weights) : NULL;
    const double *cv = category_values ? PyArray_DATA(category_values) : NULL;
    double *o = PyArray_DATA(out);
    Py_BEGIN_ALLOW_THREADS
    status = qc_agree_bootstrap_units(&ratings, w, (qc_agree_method)method,
                                      (qc_metric)metric, cv, (size_t)n_boot,
                                      (uint64_t)seed, o, &err);
    Py_END_ALLOW_THREADS
    if (status != QC_OK) {
        qc_raise(status, &err, "agree_bootstrap");
        goto finally;
    }
    result = (PyObject *)out;
    out = NULL;
finally:
    Py_XDECREF(values);
    Py_XDECREF(weights);
    Py_XDECREF(category_values);
    Py_XDECREF(out);
    return result;
}

static PyObject *alpha_bootstrap(PyObject *module, PyObject *args,
                                 PyObject *kwargs)
{
    (void)module;
    static char *keywords[] = {"tally", "metric", "category_values", "draws",
                               "n_boot", "seed", NULL};
    PyObject *tally_obj, *cv_obj = NULL, *metric_obj = NULL;
    PyObject *draws_obj = NULL, *n_boot_obj = NULL, *seed_obj = NULL;
    int metric = QC_METRIC_NOMINAL;
    Py_ssize_t draws = -1, n_boot = 1000;
    unsigned long long seed = 0;
    PyArrayObject *arrays[4] = {NULL, NULL, NULL, NULL};
    PyArrayObject *category_values = NULL, *out = NULL;
    PyObject *result = NULL;
    qc_agree_tally tally;
    size_t n_coders, n_cats;
    qc_errinfo err = {0};
    qc_status status;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|$OOOOO:alpha_bootstrap",
                                     keywords, &tally_obj, &metric_obj, &cv_obj,
                                     &draws_obj, &n_boot_obj, &seed_obj))
        return NULL;
    if (qc_choice_arg(metric_obj, "metric", METRICS, &metric) < 0 ||
        qc_ssize_arg(draws_obj, "draws", -1, &draws) < 0 ||
        boot_args(n_boot_obj, seed_obj, &n_boot, &seed) < 0)
        return NULL;
    if (tally_arg(tally_obj, &tally, &n_coders, &n_cats, arrays) < 0 ||
        category_values_arg(cv_obj, n_cats, &category_values) < 0)
        goto finally;
    /* -1: the tally's pairs, which the kernel checks against the
       coincidences before it draws (a whole number, or refused there) */
    double pairs = tally.pairs;
    if (draws < 0 && !(pairs <= 0x1p53)) {
        /* past 2^53 a count of pairs is no longer exact as a double, and
           drawing that many per replicate would never end anyway */
        PyObject *shown = PyFloat_FromDouble(pairs);
        if (shown != NULL) {
            PyErr_Format(PyExc_ValueError, "alpha_bootstrap: tally.pairs[0] = %R: more than "
                         "2**53 pairs to draw per replicate; pass draws= to draw fewer", shown);
            Py_DECREF(shown);
        }
        goto finally;
    }
    size_t n_draws = draws >= 0 ? (size_t)draws : pairs >= 0 ? (size_t)pairs : 0;
    npy_intp dim = n_boot;
    out = (PyArrayObject *)PyArray_SimpleNew(1, &dim, NPY_FLOAT64);
    if (out == NULL)
        goto finally;
    const double *cv = category_values ? PyArray_DATA(category_values) : NULL;
    double *o = PyArray_DATA(out);
    Py_BEGIN_ALLOW_THREADS
    status = qc_alpha_bootstrap(&tally, n_cats, (qc_metric)metric, cv,
                                n_draws, (size_t)n_boot, (uint64_t)seed,
                                o, &err);
    Py_END_ALLOW_THREADS
    if (status != QC_OK) {
        qc_raise(status, &err, "alpha_bootstrap");
        goto finally;
    }
    result = (PyObject *)out;
    out = NULL;
finally:
    for (int i = 0; i < 4; i++)
        Py_XDECREF(arrays[i]);
    Py_XDECREF(category_values);
    Py_XDECREF(out);
    return result;
}

static PyObject *agree_encode(PyObject *module, PyObject *values_obj)
{
    (void)module;
    PyArrayObject *values = NULL, *codes = NULL;
    PyObject *cats_array = NULL, *result = NULL;
    double *cats = NULL;
    size_t n_cats = 0;
    qc_errinfo err = {0};
    qc_status status;

    values = qc_float64_array(values_obj, "values", 2, -1);
    if (values == NULL)
        goto finally;
    npy_intp n_coders = PyArray_DIM(values, 0), n_units = PyArray_DIM(values, 1);
    npy_intp shape[2] = {n_units, n_coders};
    codes = (PyArrayObject *)PyArray_SimpleNew(2, shape, NPY_INT64);
    if (codes == NULL)
        goto finally;
    const double *v = PyArray_DATA(values);
    int64_t *c = PyArray_DATA(codes);
    Py_BEGIN_ALLOW_THREADS
    status = qc_agree_encode(v, (size_t)n_coders, (size_t)n_units, c, &cats,
                             &n_cats, &err);
    Py_END_ALLOW_THREADS
    if (status != QC_OK) {
        qc_raise(status, &err, "agree_encode");
        goto finally;
    }
    npy_intp n = (npy_intp)n_cats;
    cats_array = PyArray_SimpleNew(1, &n, NPY_FLOAT64);
    if (cats_array == NULL)
        goto finally;
    if (n_cats > 0)
        memcpy(PyArray_DATA((PyArrayObject *)cats_array), cats, n_cats * sizeof *cats);
    result = PyTuple_Pack(2, (PyObject *)codes, cats_array);
finally:
    qc_free(cats);
    Py_XDECREF(values);
    Py_XDECREF(codes);
    Py_XDECREF(cats_array);
    return result;
}

PyMethodDef qc_agree_methods[] = {
    {"agree_encode", (PyCFunction)agree_encode, METH_O,
     "agree_encode(values, /)\n--\n\n"
     "Numeric ratings (coders x units, NaN missing) to (codes, categories):\n"
     "units x coders category indices (-1 missing) and the distinct values\n"
     "ascending."},
    {"agree_tally", (PyCFunction)(void (*)(void))agree_tally,
     METH_VARARGS | METH_KEYWORDS,
     "agree_tally(values, n_cats, *, weights=None, multiplicity=None, parts=3)\n"
     "--\n\n"
     "Tally of reliability data (units x coders category indices, -1 for\n"
     "missing) as a dict: parts, rated_units, paired_units, pairs, agreement,\n"
     "share, coincidence, coder_counts, coder_units. parts: 1 keeps the\n"
     "coincidence matrix, 2 the coders' marginals, 3 both, 0 neither. Tallies of\n"
     "disjoint units add. weights[k][l] weighs coder 0 saying k and coder 1\n"
     "saying l when there are two coders (a/b order); with more, only its\n"
     "symmetric part counts."},
    {"agree_coefficient", (PyCFunction)(void (*)(void))agree_coefficient,
     METH_VARARGS | METH_KEYWORDS,
     "agree_coefficient(tally, method, *, weights=None, metric='nominal', "
     "category_values=None)\n--\n\n"
     "(observed, expected, value) of 'percent', 'fleiss', 'gwet',\n"
     "'brennan_prediger', 'conger' or 'alpha' from a tally; NaN when undefined."},
    {"agree_bootstrap", (PyCFunction)(void (*)(void))agree_bootstrap,
     METH_VARARGS | METH_KEYWORDS,
     "agree_bootstrap(values, n_cats, method, *, weights=None, "
     "metric='nominal', category_values=None, n_boot=1000, seed=0)\n--\n\n"
     "Coefficients of n_boot resamples of the rated units (seeded)."},
    {"alpha_bootstrap", (PyCFunction)(void (*)(void))alpha_bootstrap,
     METH_VARARGS | METH_KEYWORDS,
     "alpha_bootstrap(tally, *, metric='nominal', category_values=None, "
     "draws=-1, n_boot=1000, seed=0)\n--\n\n"
     "Krippendorff's bootstrap of alpha: n_boot replicates of `draws` pairs\n"
     "drawn from the coincidence matrix (draws=-1: the tally's pairs; more is\n"
     "refused). The tally is checked first: counts whole and >= 0, arrays\n"
     "finite and >= 0, pairs consistent with the coincidences."},
    {NULL, NULL, 0, NULL}};
