/*
 * Entry points of qdacore._core, one group per core area, with the
 * docstrings module.c puts on them. Docstrings open with the signature line
 * so that inspect.signature and the .pyi stub agree.
 */
#ifndef QC_BINDING_BINDINGS_H
#define QC_BINDING_BINDINGS_H

#include "qc_numpy.h"

/* codebook_py.c */
PyObject *qc_py_hierarchy_depth(PyObject *module, PyObject *parent);
PyObject *qc_py_dimension_map(PyObject *module, PyObject *args);

#define QC_HIERARCHY_DEPTH_DOC \
    "hierarchy_depth(parent, /)\n--\n\n" \
    "Depth of each code (roots are 0) from parent indices (-1 for a root).\n\n" \
    "Raises IndexError for a parent outside [-1, n) and ValueError when a\n" \
    "parent chain loops. Returns an int32 array."

#define QC_DIMENSION_MAP_DOC \
    "dimension_map(parent, direct_indptr, direct_target, n_targets, inherit, /)\n" \
    "--\n\n" \
    "Roll-up map from codes to the targets of one codebook dimension.\n\n" \
    "direct_target[direct_indptr[i]:direct_indptr[i+1]] are the targets code i\n" \
    "is assigned directly. inherit='nearest' gives each code the direct\n" \
    "targets of its nearest ancestor-or-self that has any (hierarchy levels);\n" \
    "inherit='all' gives it the union over all its ancestors-or-self (group\n" \
    "sets). Returns (indptr, target) as int64 arrays, targets ascending."

/* count_py.c */
PyObject *qc_py_count_codes(PyObject *module, PyObject *args,
                            PyObject *kwargs);

#define QC_COUNT_CODES_DOC \
    "count_codes(indptr, code, map_indptr, map_target, n_targets, *, " \
    "item_group=None, coding_group=None, n_groups=1, unit='codings')\n--\n\n" \
    "Frequencies of the targets of a dimension map over CSR codings.\n\n" \
    "The codings of item i are code[indptr[i]:indptr[i+1]]. item_group (one\n" \
    "per item) or coding_group (one per coding) splits the counts into\n" \
    "n_groups rows; -1 leaves an item or coding out. unit='items' counts each\n" \
    "item once per target and group. Returns an int64 array of shape\n" \
    "(n_groups, n_targets). Runs without the GIL on large inputs."

#endif /* QC_BINDING_BINDINGS_H */
