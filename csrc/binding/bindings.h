/*
 * The areas of qdacore._core. Each area's file (<area>_py.c) defines its entry
 * points, their docstrings and one method table; module.c adds every table
 * listed in QC_AREAS to the module. Adding an area: write <area>_py.c, declare
 * its table here and list it in module.c.
 *
 * Docstrings open with the signature line ("name(args)\n--\n\n") so that
 * inspect.signature works and the .pyi stub can be checked against it.
 */
#ifndef QC_BINDING_BINDINGS_H
#define QC_BINDING_BINDINGS_H

#include "qc_numpy.h"

extern PyMethodDef qc_codebook_methods[]; /* codebook_py.c */
extern PyMethodDef qc_count_methods[];    /* count_py.c */
extern PyMethodDef qc_cooc_methods[];     /* cooc_py.c */
extern PyMethodDef qc_indices_methods[];  /* indices_py.c */
extern PyMethodDef qc_agree_methods[];    /* agree_py.c */
extern PyMethodDef qc_segment_methods[];  /* segment_py.c */
extern PyMethodDef qc_match_methods[];    /* match_py.c */
extern PyMethodDef qc_terms_methods[];    /* terms_py.c */
extern PyMethodDef qc_merge_methods[];    /* merge_py.c */
extern PyMethodDef qc_refi_methods[];     /* refi_py.c */

#endif /* QC_BINDING_BINDINGS_H */
