/*
 * The one place that configures the numpy C API for the binding. Every
 * binding file includes this header instead of numpy's; only module.c
 * defines QC_BINDING_MODULE and so owns the API table that import_array()
 * fills.
 */
#ifndef QC_BINDING_NUMPY_H
#define QC_BINDING_NUMPY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#define PY_ARRAY_UNIQUE_SYMBOL qdacore_core_ARRAY_API
#ifndef QC_BINDING_MODULE
#define NO_IMPORT_ARRAY
#endif
#include <numpy/arrayobject.h>

#endif /* QC_BINDING_NUMPY_H */
