/*
 * Python entry point for qc/refi.h: refi_gather(data) parses a REFI-QDA
 * project XML with the expat that CPython's pyexpat module carries, through
 * the C API pyexpat publishes as the capsule "pyexpat.expat_CAPI" (the one
 * _elementtree uses), and forwards expat's callbacks to the core gatherer,
 * so that no Python code runs per element and the GIL is released during
 * the parse.
 *
 * The expat glue lives here, not in csrc/qc: the core gatherer takes plain
 * start/end/data calls and knows nothing of expat, and only this file needs
 * expat's calling conventions. It does not include expat.h or pyexpat.h
 * (neither is guaranteed on a build machine: expat.h is a system package,
 * and some Pythons' pyexpat.h include it): it declares the few expat types
 * it uses and the stable head of struct PyExpat_CAPI (the fields of version
 * "1.1", present since Python 3.3; later versions add fields at the end),
 * and uses the capsule only when its magic and size say it has them.
 *
 * Hostile input: the C route parses only documents whose prolog has no
 * DOCTYPE (qc_refi_plain_prolog checks the bytes before expat sees them), so
 * expat never reads an entity declaration here; a DOCTYPE expat finds anyway
 * stops the gathering. Anything the C route does not take (a DOCTYPE, an
 * encoding expat lacks, XML that is not well-formed) returns None and the
 * caller parses the document with the Python route, which refuses what it
 * always refused with the messages it always gave.
 */
#include "bindings.h"
#include "convert.h"
#include "qc/refi.h"

#include <string.h>

/* -- the few expat declarations used (expat.h, Python's pyexpat.h) -------- */
#if defined(_MSC_VER) && defined(_M_IX86)
#define QC_XMLCALL __cdecl
#else
#define QC_XMLCALL
#endif
typedef struct XML_ParserStruct *XML_Parser;
typedef char XML_Char; /* pyexpat is built with UTF-8 XML_Char */
typedef void(QC_XMLCALL *XML_StartElementHandler)(void *, const XML_Char *, const XML_Char **);
typedef void(QC_XMLCALL *XML_EndElementHandler)(void *, const XML_Char *);
typedef void(QC_XMLCALL *XML_CharacterDataHandler)(void *, const XML_Char *, int);
typedef void(QC_XMLCALL *XML_StartDoctypeDeclHandler)(void *, const XML_Char *, const XML_Char *,
                                                      const XML_Char *, int);
enum { QC_XML_STATUS_ERROR = 0 };

/* The head of CPython's struct PyExpat_CAPI (Include/pyexpat.h, magic
   "pyexpat.expat_CAPI 1.1"); pointers whose types are not needed are void
   pointers of the same size. Enums are int-sized in every ABI CPython
   supports. */
struct qc_expat_capi {
    char *magic;
    int size;
    int MAJOR_VERSION;
    int MINOR_VERSION;
    int MICRO_VERSION;
    void *ErrorString;
    int (*GetErrorCode)(XML_Parser);
    void *GetErrorColumnNumber;
    void *GetErrorLineNumber;
    int (*Parse)(XML_Parser, const char *, int, int);
    XML_Parser (*ParserCreate_MM)(const XML_Char *, const void *, const XML_Char *);
    void (*ParserFree)(XML_Parser);
    void (*SetCharacterDataHandler)(XML_Parser, XML_CharacterDataHandler);
    void *SetCommentHandler;
    void *SetDefaultHandlerExpand;
    void (*SetElementHandler)(XML_Parser, XML_StartElementHandler, XML_EndElementHandler);
    void *SetNamespaceDeclHandler;
    void *SetProcessingInstructionHandler;
    void *SetUnknownEncodingHandler;
    void (*SetUserData)(XML_Parser, void *);
    void (*SetStartDoctypeDeclHandler)(XML_Parser, XML_StartDoctypeDeclHandler);
};

#define CAPI_MAGIC "pyexpat.expat_CAPI 1.1"
#define CHUNK (1 << 20) /* bytes handed to expat per Parse call */

/* The capsule's API, or NULL (with no exception) when this Python has none
   that fits. Looked up on every call: the import is a dict look-up. */
static const struct qc_expat_capi *expat_api(void)
{
    const struct qc_expat_capi *api = PyCapsule_Import("pyexpat.expat_CAPI", 0);
    if (api == NULL) {
        PyErr_Clear();
        return NULL;
    }
    if (api->magic == NULL || strcmp(api->magic, CAPI_MAGIC) != 0 ||
        api->size < 0 || (size_t)api->size < sizeof *api || api->ParserCreate_MM == NULL ||
        api->SetStartDoctypeDeclHandler == NULL)
        return NULL;
    return api;
}

/* -- callbacks: no Python API, they run without the GIL --------------------- */
typedef struct {
    qc_refi *g;
    const struct qc_expat_capi *api;
    XML_Parser parser;
} session;

static void QC_XMLCALL on_start(void *user, const XML_Char *name, const XML_Char **attrs)
{
    qc_refi_start(((session *)user)->g, name, attrs);
}

static void QC_XMLCALL on_end(void *user, const XML_Char *name)
{
    (void)name;
    qc_refi_end(((session *)user)->g);
}

static void QC_XMLCALL on_data(void *user, const XML_Char *s, int len)
{
    qc_refi_data(((session *)user)->g, s, len > 0 ? (size_t)len : 0);
}

static void QC_XMLCALL on_doctype(void *user, const XML_Char *name, const XML_Char *sysid,
                                  const XML_Char *pubid, int has_internal_subset)
{
    (void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
    session *s = user;
    qc_refi_refuse(s->g);
    /* no more callbacks: the rest of this chunk passes through expat alone */
    s->api->SetElementHandler(s->parser, NULL, NULL);
    s->api->SetCharacterDataHandler(s->parser, NULL);
}

/* Runs the parse; QC_OK, a gatherer error, or QC_EINVAL when expat refused
   the document. */
static qc_status parse(session *s, const char *data, size_t n)
{
    const struct qc_expat_capi *api = s->api;
    api->SetUserData(s->parser, s);
    api->SetElementHandler(s->parser, on_start, on_end);
    api->SetCharacterDataHandler(s->parser, on_data);
    api->SetStartDoctypeDeclHandler(s->parser, on_doctype);
    size_t at = 0;
    do {
        size_t len = n - at < CHUNK ? n - at : CHUNK;
        int final = at + len == n;
        if (api->Parse(s->parser, data + at, (int)len, final) == QC_XML_STATUS_ERROR)
            return qc_refi_status(s->g) != QC_OK ? qc_refi_status(s->g) : QC_EINVAL;
        if (qc_refi_status(s->g) != QC_OK)
            return qc_refi_status(s->g);
        at += len;
    } while (at < n);
    return QC_OK;
}

/* -- results to Python ----------------------------------------------------- */
static PyObject *int_array(const void *data, size_t n, int typenum, size_t itemsize)
{
    npy_intp dims[1] = {(npy_intp)n};
    PyObject *arr = PyArray_SimpleNew(1, dims, typenum);
    if (arr != NULL && n)
        memcpy(PyArray_DATA((PyArrayObject *)arr), data, n * itemsize);
    return arr;
}

#define INT32S(p, n) int_array((p), (n), NPY_INT32, sizeof(int32_t))

static PyObject *pool_list(const qc_strpool *pool)
{
    PyObject *list = PyList_New((Py_ssize_t)pool->n);
    if (list == NULL)
        return NULL;
    for (size_t i = 0; i < pool->n; i++) {
        PyObject *s = PyUnicode_DecodeUTF8(pool->bytes + pool->off[i],
                                           (Py_ssize_t)(pool->off[i + 1] - pool->off[i]), "strict");
        if (s == NULL) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, s);
    }
    return list;
}

static int put(PyObject *dict, const char *key, PyObject *value)
{
    if (value == NULL)
        return -1;
    int rc = PyDict_SetItemString(dict, key, value);
    Py_DECREF(value);
    return rc;
}

static PyObject *results(const qc_refi *g)
{
    qc_refi_result r;
    qc_refi_results(g, &r);
    static const char *const sel_names[QC_REFI_SEL_STRINGS] = {
        "guid", "name", "created_by", "created", "modified_by", "modified", "description",
        "note_refs"};
    static const char *const cod_names[QC_REFI_COD_STRINGS] = {
        "guid", "coder_guid", "created", "ref", "note_refs"};
    PyObject *out = NULL, *sel = NULL, *cod = NULL;
    if ((out = PyDict_New()) == NULL || (sel = PyDict_New()) == NULL || (cod = PyDict_New()) == NULL)
        goto fail;
    if (put(out, "strings", pool_list(r.pool)) < 0 ||
        put(out, "events", INT32S(r.events, r.n_events)) < 0 ||
        put(out, "n_sources", PyLong_FromSize_t(r.n_sources)) < 0 ||
        put(sel, "src", INT32S(r.sel_src, r.n_sel)) < 0)
        goto fail;
    for (int c = 0; c < QC_REFI_SEL_STRINGS; c++) {
        if (put(sel, sel_names[c], INT32S(r.sel_str[c], r.n_sel)) < 0)
            goto fail;
    }
    const qc_refi_pos *pos[2] = {&r.sel_start, &r.sel_end};
    static const char *const pos_names[2][3] = {{"start", "start_kind", "start_raw"},
                                                {"end", "end_kind", "end_raw"}};
    for (int s = 0; s < 2; s++) {
        if (put(sel, pos_names[s][0], int_array(pos[s]->value, r.n_sel, NPY_INT64, 8)) < 0 ||
            put(sel, pos_names[s][1], int_array(pos[s]->kind, r.n_sel, NPY_INT8, 1)) < 0 ||
            put(sel, pos_names[s][2], INT32S(pos[s]->raw, r.n_sel)) < 0)
            goto fail;
    }
    if (put(cod, "sel", int_array(r.cod_sel, r.n_cod, NPY_INT64, 8)) < 0 ||
        put(cod, "src", INT32S(r.cod_src, r.n_cod)) < 0)
        goto fail;
    for (int c = 0; c < QC_REFI_COD_STRINGS; c++) {
        if (put(cod, cod_names[c], INT32S(r.cod_str[c], r.n_cod)) < 0)
            goto fail;
    }
    if (PyDict_SetItemString(out, "selections", sel) < 0 ||
        PyDict_SetItemString(out, "codings", cod) < 0)
        goto fail;
    Py_DECREF(sel);
    Py_DECREF(cod);
    return out;
fail:
    Py_XDECREF(out);
    Py_XDECREF(sel);
    Py_XDECREF(cod);
    return NULL;
}

static PyObject *refi_gather(PyObject *module, PyObject *arg)
{
    (void)module;
    Py_buffer view = {0};
    PyObject *out = NULL;
    qc_refi *g = NULL;
    session s = {0};
    if (qc_bytes_arg(arg, "data", &view) < 0)
        return NULL;
    const char *data = view.buf;
    size_t n = (size_t)view.len;
    s.api = expat_api();
    if (s.api == NULL || !qc_refi_plain_prolog(data, n)) {
        out = Py_NewRef(Py_None);
        goto done;
    }
    qc_status st = qc_refi_new(&g);
    if (st == QC_OK) {
        s.g = g;
        s.parser = s.api->ParserCreate_MM(NULL, NULL, "}");
        if (s.parser == NULL)
            st = QC_ENOMEM;
    }
    if (st == QC_OK) {
        Py_BEGIN_ALLOW_THREADS
        st = parse(&s, data, n);
        Py_END_ALLOW_THREADS
    }
    if (st == QC_EINVAL) { /* refused: the Python route decides */
        out = Py_NewRef(Py_None);
    } else if (st != QC_OK) {
        qc_raise(st, NULL, "refi_gather");
    } else {
        out = results(g);
        if (out == NULL && PyErr_ExceptionMatches(PyExc_UnicodeDecodeError)) {
            PyErr_Clear(); /* expat handed over what is not UTF-8: not this route's */
            out = Py_NewRef(Py_None);
        }
    }
done:
    if (s.parser != NULL)
        s.api->ParserFree(s.parser);
    qc_refi_free(g);
    PyBuffer_Release(&view);
    return out;
}

PyMethodDef qc_refi_methods[] = {
    {"refi_gather", refi_gather, METH_O,
     "refi_gather(data, /)\n--\n\n"
     "The selections and codings of a REFI-QDA project XML (bytes) as\n"
     "columns, the rest of the document as tree events: a dict, or None\n"
     "when the document is not for this route (a DOCTYPE, an encoding expat\n"
     "lacks, XML expat refuses); see qc/refi.h."},
    {NULL, NULL, 0, NULL}};
