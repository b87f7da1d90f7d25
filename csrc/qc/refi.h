/*
 * qc/refi.h: the selections and codings of a REFI-QDA project XML gathered
 * into columns from a stream of parser events, and the rest of the document
 * kept as events for a tree.
 *
 * Why here, and why events: the many elements of a large export
 * (PlainTextSelection, Coding, CodeRef, NoteRef, Description inside text
 * sources and notes) cost one Python call each when a Python callback sees
 * them. This gatherer is the state machine of
 * python/qdacore/io/qdpx/_stream.py (the Python route, kept for documents
 * with a DOCTYPE and for anything expat refuses) written in C over plain
 * event calls: qc_refi_start / qc_refi_end / qc_refi_data, with names and
 * attribute values as expat hands them over (UTF-8, namespace and local name
 * joined by '}'). It knows nothing of expat: the binding
 * (csrc/binding/refi_py.c) drives the expat that CPython's pyexpat exports
 * and forwards its callbacks here, so the core stays free of Python and of
 * expat's headers, and can be fed by a test directly.
 *
 * What comes out (all indices into one pool of distinct strings, -1 for
 * "missing"):
 * - events: the elements that are not gathered (root, codebook, users,
 *   sets, the text sources' own elements...) as a flat int32 stream:
 *     QC_REFI_START name n_attrs (key value)*n_attrs
 *     QC_REFI_SOURCE name n_attrs (key value)*n_attrs   (a gathered source)
 *     QC_REFI_END
 *     QC_REFI_DATA text
 * - per selection (PlainTextSelection child of a source): its source's
 *   number, guid, name, the four audit attributes, the text of its first
 *   Description child (before any child element of it), its NoteRef
 *   targets joined by spaces, and start/endPosition (see qc_refi_pos);
 * - per coding (Coding child of a selection, or of the source itself: a
 *   coding of the whole source, sel = -1): its selection's row, its
 *   source's number, guid, creatingUser, creationDateTime, the targetGUID
 *   of its first CodeRef and its NoteRef targets.
 *
 * Errors are sticky: an event after the first error does nothing, and
 * qc_refi_status reports it. Not thread-safe per gatherer; re-entrant.
 */
#ifndef QC_REFI_H
#define QC_REFI_H

#include "qc/common.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { QC_REFI_START = 0, QC_REFI_SOURCE = 1, QC_REFI_END = 2, QC_REFI_DATA = 3 };

/* Kinds of a position attribute (qc_refi_pos.kind). */
enum {
    QC_REFI_POS_DIGITS = 0,  /* canonical decimal: "0" or 1-15 digits, no leading 0 */
    QC_REFI_POS_MISSING = 1, /* no such attribute */
    QC_REFI_POS_OTHER = 2    /* anything else: raw holds the string */
};

/* Interned strings: string i is bytes[off[i] .. off[i + 1]). */
typedef struct {
    char *bytes;
    int64_t *off;     /* n + 1 offsets */
    size_t n;
    size_t n_bytes;
    size_t cap_bytes;
    size_t cap_off;
    uint32_t *slots;  /* open addressing: 1 + string number, 0 empty */
    size_t n_slots;   /* a power of two, at least twice n */
} qc_strpool;

typedef struct {
    int64_t *value; /* the number for QC_REFI_POS_DIGITS, else 0 */
    int8_t *kind;
    int32_t *raw;   /* pool index of the string for QC_REFI_POS_OTHER, else -1 */
} qc_refi_pos;

/* Columns of a selection, by row. */
enum {
    QC_REFI_SEL_GUID, QC_REFI_SEL_NAME, QC_REFI_SEL_CREATED_BY, QC_REFI_SEL_CREATED,
    QC_REFI_SEL_MODIFIED_BY, QC_REFI_SEL_MODIFIED, QC_REFI_SEL_DESCRIPTION,
    QC_REFI_SEL_NOTES, QC_REFI_SEL_STRINGS
};
/* Columns of a coding, by row. */
enum {
    QC_REFI_COD_GUID, QC_REFI_COD_CREATED_BY, QC_REFI_COD_CREATED, QC_REFI_COD_REF,
    QC_REFI_COD_NOTES, QC_REFI_COD_STRINGS
};

typedef struct qc_refi qc_refi;

/* A new, empty gatherer in *out. Errors: QC_ENOMEM (*out NULL). */
qc_status qc_refi_new(qc_refi **out);
/* Frees g and everything it holds; NULL is a no-op. */
void qc_refi_free(qc_refi *g);

/* Events, in document order. attrs: key, value, key, value, ..., NULL.
   len of data may be 0. */
void qc_refi_start(qc_refi *g, const char *name, const char **attrs);
void qc_refi_end(qc_refi *g);
void qc_refi_data(qc_refi *g, const char *s, size_t len);
/* Stops gathering for good with QC_EINVAL: the document declares a DOCTYPE,
   which this route does not parse (the Python route decides about it). */
void qc_refi_refuse(qc_refi *g);

/* QC_OK, or the first error: QC_ENOMEM, QC_EINVAL (refused),
   QC_ELIMIT (more than INT32_MAX strings, rows or events). */
qc_status qc_refi_status(const qc_refi *g);

/* The results, valid until qc_refi_free. Columns have n_sel / n_cod rows. */
typedef struct {
    const qc_strpool *pool;
    const int32_t *events;
    size_t n_events;       /* int32 words */
    size_t n_sources;      /* QC_REFI_SOURCE events */
    size_t n_sel;
    const int32_t *sel_src;
    const int32_t *sel_str[QC_REFI_SEL_STRINGS];
    qc_refi_pos sel_start;
    qc_refi_pos sel_end;
    size_t n_cod;
    const int64_t *cod_sel; /* -1: a coding of the whole source */
    const int32_t *cod_src;
    const int32_t *cod_str[QC_REFI_COD_STRINGS];
} qc_refi_result;

void qc_refi_results(const qc_refi *g, qc_refi_result *out);

/*
 * 1 when data[0..n) is a document in an ASCII-compatible encoding whose
 * prolog (an optional UTF-8 byte order mark, XML declaration, processing
 * instructions, comments, white space) reaches a root element start
 * without a DOCTYPE; 0 otherwise (a DOCTYPE, another encoding, no root, a
 * cut prolog). O(prolog length).
 */
int qc_refi_plain_prolog(const char *data, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* QC_REFI_H */
