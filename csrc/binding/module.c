/*
 * qdacore._core: the CPython extension over the qc core. Argument checks,
 * GIL release and error mapping live in the per-area files; this file only
 * assembles the module from their method tables.
 */
#define QC_BINDING_MODULE
#include "bindings.h"
#include "convert.h"
#include "qc/wordpairs.h" /* qc_limit_pair_counts, in test builds */

#ifdef QC_ALLOC_TESTING
static PyObject *fail_allocation_after(PyObject *module, PyObject *arg)
{
    (void)module;
    long k = PyLong_AsLong(arg);
    if (k == -1 && PyErr_Occurred())
        return NULL;
    qc_alloc_fail_after(k);
    Py_RETURN_NONE;
}

static PyObject *limit_pair_counts(PyObject *module, PyObject *arg)
{
    (void)module;
    long bits = PyLong_AsLong(arg);
    if (bits == -1 && PyErr_Occurred())
        return NULL;
    qc_limit_pair_counts(bits > 0 ? (unsigned)bits : 0);
    Py_RETURN_NONE;
}

static PyMethodDef testing_methods[] = {
    {"_fail_allocation_after", fail_allocation_after, METH_O,
     "_fail_allocation_after(k, /)\n--\n\n"
     "Test builds only: make the (k+1)-th core allocation from now fail;\n"
     "a negative k disarms."},
    {"_limit_pair_counts", limit_pair_counts, METH_O,
     "_limit_pair_counts(bits, /)\n--\n\n"
     "Test builds only: this thread's co-word counts may be at most\n"
     "2**bits - 1 (0: 2**31 - 1, as in production)."},
    {NULL, NULL, 0, NULL}};
#endif

/* Every area's method table; one line per area. */
static PyMethodDef *const areas[] = {
    qc_codebook_methods,
    qc_count_methods,
    qc_cooc_methods,
    qc_indices_methods,
    qc_agree_methods,
    qc_segment_methods,
    qc_match_methods,
    qc_terms_methods,
    qc_merge_methods,
    qc_refi_methods,
#ifdef QC_ALLOC_TESTING
    testing_methods,
#endif
};

static int core_exec(PyObject *module)
{
    /* import_array() hides a `return NULL`; _import_array reports instead. */
    if (_import_array() < 0)
        return -1;
    for (size_t i = 0; i < sizeof areas / sizeof areas[0]; i++) {
        if (PyModule_AddFunctions(module, areas[i]) < 0)
            return -1;
    }
#ifdef QC_ALLOC_TESTING
    const int alloc_testing = 1;
#else
    const int alloc_testing = 0;
#endif
    return PyModule_AddIntConstant(module, "ALLOC_TESTING", alloc_testing);
}

static PyModuleDef_Slot core_slots[] = {
    {Py_mod_exec, core_exec},
    {0, NULL}};

static struct PyModuleDef core_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "qdacore._core",
    .m_doc = "C kernels of qdacore; use the qdacore package, not this module.",
    .m_size = 0,
    .m_slots = core_slots,
};

PyMODINIT_FUNC PyInit__core(void)
{
    return PyModuleDef_Init(&core_module);
}
