/* Python entry points for qc/segment.h: a segmenter behind a capsule.
   A change to the dictionary needs the segmenter to itself: the capsule
   counts the calls reading it and flags a change in progress, and a call
   that would overlap the other kind is refused with RuntimeError instead of
   racing it (reads may overlap each other). Tokens go up as spans interned
   into one str per distinct word, since a text repeats its words far more
   often than it has new ones. */
#include "bindings.h"
#include "textarg.h"
#include "qc/segment.h"

#include <string.h>

/* The capsule's payload. readers counts the calls reading the segmenter,
   writing is set while one changes it; both are touched only with the GIL
   held, and a call takes its side only after its arguments are converted,
   since conversion may run Python code and let another thread in. */
typedef struct {
    qc_segmenter *seg;
    Py_ssize_t readers;
    int writing;
} seg_handle;

static const char CAPSULE[] = "qdacore.segmenter";

static void free_handle(PyObject *capsule)
{
    seg_handle *h = PyCapsule_GetPointer(capsule, CAPSULE);
    if (h != NULL) {
        qc_segmenter_free(h->seg);
        qc_free(h);
    }
}

static seg_handle *handle_of(PyObject *obj)
{
    if (!PyCapsule_IsValid(obj, CAPSULE)) {
        PyErr_SetString(PyExc_TypeError,
                        "segmenter must be a capsule from segmenter_new()");
        return NULL;
    }
    return PyCapsule_GetPointer(obj, CAPSULE);
}

/* Takes h for reading (0) or refuses (-1 and RuntimeError) while another
   thread changes it; end_read gives it back. */
static int begin_read(seg_handle *h)
{
    if (h->writing) {
        PyErr_SetString(PyExc_RuntimeError,
                        "the Segmenter's dictionary is being changed in another "
                        "thread; segment after the change, not during it");
        return -1;
    }
    h->readers++;
    return 0;
}

static void end_read(seg_handle *h)
{
    h->readers--;
}

/* Takes h for a change (0) or refuses (-1 and RuntimeError) while another
   thread reads or changes it; end_write gives it back. */
static int begin_write(seg_handle *h)
{
    if (h->readers > 0 || h->writing) {
        PyErr_SetString(PyExc_RuntimeError,
                        h->writing ? "the Segmenter's dictionary is being changed in "
                                     "another thread; make one change at a time"
                                   : "the Segmenter is segmenting in another thread; "
                                     "change its dictionary before or after, not during");
        return -1;
    }
    h->writing = 1;
    return 0;
}

static void end_write(seg_handle *h)
{
    h->writing = 0;
}

static const qc_choice MODES[] = {
    {"dag", QC_CUT_DAG},
    {"hmm", QC_CUT_HMM},
    {"all", QC_CUT_ALL},
    {NULL, 0}};

/* segmenter_words' how: dictionary entries, or jieba's add_word */
enum { HOW_PUT, HOW_ADD };
static const qc_choice HOWS[] = {
    {"put", HOW_PUT},
    {"add", HOW_ADD},
    {NULL, 0}};

static PyObject *segmenter_new(PyObject *module, PyObject *noargs)
{
    (void)module;
    (void)noargs;
    seg_handle *h = qc_calloc(1, sizeof *h);
    if (h == NULL)
        return PyErr_NoMemory();
    if (qc_segmenter_new(&h->seg) != QC_OK) {
        qc_free(h);
        return PyErr_NoMemory();
    }
    PyObject *capsule = PyCapsule_New(h, CAPSULE, free_handle);
    if (capsule == NULL) {
        qc_segmenter_free(h->seg);
        qc_free(h);
    }
    return capsule;
}

static PyObject *segmenter_load(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *cap, *data_obj;
    Py_buffer data = {0};
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "OO:segmenter_load", &cap, &data_obj) ||
        qc_bytes_arg(data_obj, "data", &data) < 0)
        return NULL;
    seg_handle *h = handle_of(cap);
    if (h == NULL || begin_write(h) < 0)
        goto finally;
    qc_errinfo err = {0};
    qc_status status;
    Py_BEGIN_ALLOW_THREADS
    status = qc_segmenter_load(h->seg, data.buf, (size_t)data.len, &err);
    Py_END_ALLOW_THREADS
    end_write(h);
    if (status != QC_OK) {
        if (qc_utf8_is_decode_error(&err))
            qc_raise_decode(&err, data.buf, data.len, "dictionary", -1);
        else if (status == QC_EINVAL && strcmp(err.arg, "data") == 0)
            PyErr_Format(PyExc_ValueError,
                         "dictionary line %lld (byte %zu): %s",
                         (long long)err.value, err.index, err.reason);
        else
            qc_raise(status, &err, "segmenter_load");
        goto finally;
    }
    result = Py_NewRef(Py_None);
finally:
    PyBuffer_Release(&data);
    return result;
}

/* A new tuple of a list's or tuple's items, or NULL with a TypeError naming
   `name` (a str is not taken as its characters). */
static PyObject *tuple_of(PyObject *obj, const char *name)
{
    if (!PyList_Check(obj) && !PyTuple_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "%s must be a list or tuple of str, got %.200s", name,
                     Py_TYPE(obj)->tp_name);
        return NULL;
    }
    return PySequence_Tuple(obj);
}

/* Optional str: NULL view pointer when obj is None. */
static int optional_str(PyObject *obj, const char *name, Py_ssize_t i,
                        qc_str *view, const qc_str **out)
{
    *out = NULL;
    if (obj == Py_None)
        return 0;
    if (!PyUnicode_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "%s[%zd] must be str or None, got %.200s",
                     name, i, Py_TYPE(obj)->tp_name);
        return -1;
    }
    *view = (qc_str){(int)PyUnicode_KIND(obj), PyUnicode_DATA(obj),
                     (size_t)PyUnicode_GET_LENGTH(obj)};
    *out = view;
    return 0;
}

/*
 * segmenter_words(seg, words, freqs, tags, how): adds words one after the
 * other; how = "put" (dictionary entries) or "add" (jieba's add_word, where a
 * negative freq asks for the suggested one). Returns the frequencies set.
 */
static PyObject *segmenter_words(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *cap, *words_obj, *freqs_obj, *tags_obj, *how_obj;
    PyObject *words = NULL, *tags = NULL, *result = NULL;
    PyArrayObject *freqs = NULL, *out = NULL;
    if (!PyArg_ParseTuple(args, "OOOOO:segmenter_words", &cap, &words_obj,
                          &freqs_obj, &tags_obj, &how_obj))
        return NULL;
    int how;
    if (qc_choice_arg(how_obj, "how", HOWS, &how) < 0)
        return NULL;
    int add = how == HOW_ADD, writing = 0;
    seg_handle *h = handle_of(cap);
    if (h == NULL)
        return NULL;
    words = tuple_of(words_obj, "words");
    if (words == NULL)
        goto finally;
    Py_ssize_t n = PyTuple_GET_SIZE(words);
    freqs = qc_int64_vector(freqs_obj, "freqs", n);
    if (freqs == NULL)
        goto finally;
    if (tags_obj != Py_None) {
        tags = tuple_of(tags_obj, "tags");
        if (tags == NULL)
            goto finally;
        if (PyTuple_GET_SIZE(tags) != n) {
            PyErr_Format(PyExc_ValueError, "tags must have length %zd (one per word), got %zd",
                         n, PyTuple_GET_SIZE(tags));
            goto finally;
        }
    }
    npy_intp dims[1] = {n};
    out = (PyArrayObject *)PyArray_SimpleNew(1, dims, NPY_INT64);
    if (out == NULL)
        goto finally;
    const int64_t *f = PyArray_DATA(freqs);
    int64_t *set = PyArray_DATA(out);
    /* every word, tag and frequency is checked before the first is added, so
       that a refused batch adds none of its words */
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *w = PyTuple_GET_ITEM(words, i);
        qc_str tag_view;
        const qc_str *tag = NULL;
        if (!PyUnicode_Check(w)) {
            PyErr_Format(PyExc_TypeError, "words[%zd] must be str, got %.200s",
                         i, Py_TYPE(w)->tp_name);
            goto finally;
        }
        if (PyUnicode_GET_LENGTH(w) == 0) {
            PyErr_Format(PyExc_ValueError, "words[%zd] is empty; a word has at least one "
                         "character", i);
            goto finally;
        }
        if (f[i] < (add ? -1 : 0)) {
            PyErr_Format(PyExc_ValueError, add ? "freqs[%zd] = %lld: a frequency is >= 0, or -1 "
                                                 "for the one suggest_freq gives"
                                               : "freqs[%zd] = %lld: a frequency is >= 0",
                         i, (long long)f[i]);
            goto finally;
        }
        if (tags != NULL &&
            optional_str(PyTuple_GET_ITEM(tags, i), "tags", i, &tag_view, &tag) < 0)
            goto finally;
    }
    if (begin_write(h) < 0)
        goto finally;
    writing = 1;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *w = PyTuple_GET_ITEM(words, i);
        qc_str word = {(int)PyUnicode_KIND(w), PyUnicode_DATA(w),
                       (size_t)PyUnicode_GET_LENGTH(w)};
        qc_str tag_view;
        const qc_str *tag = NULL;
        if (tags != NULL)
            (void)optional_str(PyTuple_GET_ITEM(tags, i), "tags", i, &tag_view, &tag);
        qc_errinfo err = {0};
        qc_status status;
        if (add) {
            status = qc_segmenter_add_word(h->seg, &word, f[i], tag, &set[i], &err);
        } else {
            status = qc_segmenter_put(h->seg, &word, f[i], tag, &err);
            set[i] = f[i];
        }
        if (status != QC_OK) { /* out of memory or a total past int64: rare */
            err.index = (size_t)i;
            qc_raise(status, &err, add ? "add_word" : "segmenter_words");
            goto finally;
        }
    }
    result = (PyObject *)out;
    out = NULL;
finally:
    if (writing)
        end_write(h);
    Py_XDECREF(words);
    Py_XDECREF(tags);
    Py_XDECREF(freqs);
    Py_XDECREF(out);
    return result;
}

static PyObject *segmenter_suggest(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *cap, *word, *parts_obj;
    PyArrayObject *parts = NULL;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "OOO:segmenter_suggest", &cap, &word, &parts_obj))
        return NULL;
    seg_handle *h = handle_of(cap);
    if (h == NULL)
        return NULL;
    if (!PyUnicode_Check(word)) {
        PyErr_Format(PyExc_TypeError, "word must be str, got %.200s", Py_TYPE(word)->tp_name);
        return NULL;
    }
    if (parts_obj != Py_None) {
        parts = qc_int64_vector(parts_obj, "part_end", -1);
        if (parts == NULL)
            return NULL;
    }
    qc_str view = {(int)PyUnicode_KIND(word), PyUnicode_DATA(word),
                   (size_t)PyUnicode_GET_LENGTH(word)};
    int64_t freq = 0;
    qc_errinfo err = {0};
    if (begin_read(h) < 0) {
        Py_XDECREF(parts);
        return NULL;
    }
    qc_status status = qc_segmenter_suggest(
        h->seg, &view, parts ? PyArray_DATA(parts) : NULL,
        parts ? (size_t)PyArray_DIM(parts, 0) : 0, &freq, &err);
    end_read(h);
    if (status != QC_OK)
        qc_raise(status, &err, "suggest_freq");
    else
        result = PyLong_FromLongLong(freq);
    Py_XDECREF(parts);
    return result;
}

/* segmenter_lookup(seg, words) -> (freq, tag) int64 arrays; -1 = absent. */
static PyObject *segmenter_lookup(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *cap, *words_obj, *words = NULL, *result = NULL;
    PyArrayObject *freq = NULL, *tag = NULL;
    if (!PyArg_ParseTuple(args, "OO:segmenter_lookup", &cap, &words_obj))
        return NULL;
    seg_handle *h = handle_of(cap);
    if (h == NULL)
        return NULL;
    words = tuple_of(words_obj, "words");
    if (words == NULL)
        return NULL;
    npy_intp n = PyTuple_GET_SIZE(words);
    freq = (PyArrayObject *)PyArray_SimpleNew(1, &n, NPY_INT64);
    tag = (PyArrayObject *)PyArray_SimpleNew(1, &n, NPY_INT64);
    if (freq == NULL || tag == NULL)
        goto finally;
    for (npy_intp i = 0; i < n; i++) {
        PyObject *w = PyTuple_GET_ITEM(words, i);
        if (!PyUnicode_Check(w)) {
            PyErr_Format(PyExc_TypeError, "words[%zd] must be str, got %.200s",
                         (Py_ssize_t)i, Py_TYPE(w)->tp_name);
            goto finally;
        }
    }
    if (begin_read(h) < 0)
        goto finally;
    for (npy_intp i = 0; i < n; i++) {
        PyObject *w = PyTuple_GET_ITEM(words, i);
        qc_str view = {(int)PyUnicode_KIND(w), PyUnicode_DATA(w),
                       (size_t)PyUnicode_GET_LENGTH(w)};
        int32_t t;
        qc_segmenter_lookup(h->seg, &view, (int64_t *)PyArray_GETPTR1(freq, i), &t);
        *(int64_t *)PyArray_GETPTR1(tag, i) = t;
    }
    end_read(h);
    result = PyTuple_Pack(2, (PyObject *)freq, (PyObject *)tag);
finally:
    Py_XDECREF(words);
    Py_XDECREF(freq);
    Py_XDECREF(tag);
    return result;
}

/* segmenter_info(seg) -> (total, n_words, has_hmm, tags) */
static PyObject *segmenter_info(PyObject *module, PyObject *cap)
{
    (void)module;
    seg_handle *h = handle_of(cap);
    if (h == NULL || begin_read(h) < 0)
        return NULL;
    uint32_t *text = NULL;
    int64_t *offsets = NULL;
    size_t n = 0;
    qc_status status = qc_segmenter_tags(h->seg, &text, &offsets, &n);
    int64_t total = qc_segmenter_total(h->seg);
    size_t n_words = qc_segmenter_words(h->seg);
    int has_hmm = qc_segmenter_has_hmm(h->seg);
    end_read(h);
    if (status != QC_OK)
        return PyErr_NoMemory();
    PyObject *tags = qc_str_list(text, offsets, n);
    qc_free(text);
    qc_free(offsets);
    if (tags == NULL)
        return NULL;
    return Py_BuildValue("LnON", (long long)total, (Py_ssize_t)n_words,
                         has_hmm ? Py_True : Py_False, tags);
}

/* 0, or -1 with ValueError naming `name` and the element: log probabilities
   are <= 0 (-inf for what never happens); NaN is none. */
static int check_log_probabilities(PyArrayObject *a, const char *name)
{
    const double *v = PyArray_DATA(a);
    npy_intp columns = PyArray_NDIM(a) == 2 ? PyArray_DIM(a, 1) : 1;
    for (npy_intp k = 0; k < PyArray_SIZE(a); k++) {
        if (!(v[k] <= 0.0)) {
            PyObject *value = PyFloat_FromDouble(v[k]);
            if (value == NULL)
                return -1;
            if (PyArray_NDIM(a) == 2)
                PyErr_Format(PyExc_ValueError, "%s[%zd, %zd] = %R: a log probability is <= 0 "
                             "(-inf, or %g as jieba writes it, for impossible)", name,
                             (Py_ssize_t)(k / columns), (Py_ssize_t)(k % columns), value, -3.14e100);
            else
                PyErr_Format(PyExc_ValueError, "%s[%zd] = %R: a log probability is <= 0 "
                             "(-inf, or %g as jieba writes it, for impossible)", name,
                             (Py_ssize_t)k, value, -3.14e100);
            Py_DECREF(value);
            return -1;
        }
    }
    return 0;
}

/* segmenter_set_hmm(seg, start[4], trans[4, 4], emit_cp[n], emit[n, 4]) */
static PyObject *segmenter_set_hmm(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *cap, *start_obj, *trans_obj, *cp_obj, *emit_obj;
    PyArrayObject *start = NULL, *trans = NULL, *cp = NULL, *emit = NULL;
    uint32_t *cp32 = NULL;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "OOOOO:segmenter_set_hmm", &cap, &start_obj,
                          &trans_obj, &cp_obj, &emit_obj))
        return NULL;
    seg_handle *h = handle_of(cap);
    if (h == NULL)
        return NULL;
    start = qc_float64_vector(start_obj, "start", 4);
    trans = start ? qc_float64_array(trans_obj, "trans", 2, -1) : NULL;
    cp = trans ? qc_int64_vector(cp_obj, "emit_cp", -1) : NULL;
    emit = cp ? qc_float64_array(emit_obj, "emit", 2, -1) : NULL;
    if (emit == NULL)
        goto finally;
    npy_intp n = PyArray_DIM(cp, 0);
    if (PyArray_DIM(trans, 0) != 4 || PyArray_DIM(trans, 1) != 4 ||
        PyArray_DIM(emit, 1) != 4 || PyArray_DIM(emit, 0) != n) {
        PyErr_SetString(PyExc_ValueError,
                        "HMM tables must be start (4,), trans (4, 4), "
                        "emit_cp (n,) and emit (n, 4), states in order B, E, M, S");
        goto finally;
    }
    if (check_log_probabilities(start, "start") < 0 || check_log_probabilities(trans, "trans") < 0 ||
        check_log_probabilities(emit, "emit") < 0)
        goto finally;
    cp32 = qc_malloc((size_t)n, sizeof *cp32);
    if (cp32 == NULL && n > 0) {
        PyErr_NoMemory();
        goto finally;
    }
    const int64_t *cpv = PyArray_DATA(cp);
    for (npy_intp k = 0; k < n; k++) {
        if (cpv[k] < 0 || cpv[k] > 0x10FFFF) {
            PyErr_Format(PyExc_ValueError, "emit_cp[%zd] = %lld is not a code point "
                         "(0 to 0x10FFFF)", (Py_ssize_t)k, (long long)cpv[k]);
            goto finally;
        }
        cp32[k] = (uint32_t)cpv[k];
    }
    if (begin_write(h) < 0)
        goto finally;
    qc_errinfo err = {0};
    qc_status status = qc_segmenter_set_hmm(
        h->seg, PyArray_DATA(start), PyArray_DATA(trans), cp32,
        PyArray_DATA(emit), (size_t)n, &err);
    end_write(h);
    if (status != QC_OK) {
        qc_raise(status, &err, "segmenter_set_hmm");
        goto finally;
    }
    result = Py_NewRef(Py_None);
finally:
    qc_free(cp32);
    Py_XDECREF(start);
    Py_XDECREF(trans);
    Py_XDECREF(cp);
    Py_XDECREF(emit);
    return result;
}

/* Segments ts into spans (indptr must hold ts->n + 1), GIL released on
   large input. Returns 0 or -1 with an exception. */
static int run_segment(seg_handle *h, const qc_textset *ts, qc_cutmode mode,
                       int64_t *indptr, qc_spans *spans, const char *func)
{
    qc_errinfo err = {0};
    qc_status status;
    if (begin_read(h) < 0)
        return -1;
    QC_BEGIN_THREADS_THRESHOLDED(ts->total_len)
    status = qc_segment(h->seg, ts->views, (size_t)ts->n, mode, indptr, spans, &err);
    QC_END_THREADS
    end_read(h);
    if (status != QC_OK) {
        if (status == QC_EINVAL && strcmp(err.arg, "hmm") == 0)
            PyErr_SetString(PyExc_ValueError,
                            "hmm=True needs HMM tables: build the Segmenter with "
                            "Segmenter.from_jieba() or hmm=..., or pass hmm=False");
        else if (status == QC_EINVAL && strcmp(err.arg, "total") == 0)
            PyErr_SetString(PyExc_ValueError,
                            "the dictionary has no word with a positive frequency; "
                            "load one before cutting");
        else
            qc_raise(status, &err, func);
        return -1;
    }
    return 0;
}

/*
 * Interns the spans of ts (GIL released) and returns the distinct strings as a
 * list (as_array 0) or an object array (1), with (*ids)[k] (qc_malloc'd for
 * the caller) the position of span k in it: a text repeats its words, so one
 * str per distinct word is built instead of one per token.
 */
static PyObject *intern_spans(const qc_textset *ts, const int64_t *indptr,
                              const qc_spans *spans, int as_array, int64_t **ids,
                              const char *func)
{
    qc_vocab vocab;
    uint32_t *vtext = NULL;
    int64_t *voffsets = NULL;
    PyObject *words = NULL;
    *ids = qc_malloc(spans->n, sizeof **ids);
    if (*ids == NULL || qc_vocab_init(&vocab) != QC_OK)
        return PyErr_NoMemory();
    qc_errinfo err = {0};
    qc_status status;
    Py_BEGIN_ALLOW_THREADS
    status = qc_vocab_intern_spans(&vocab, ts->views, (size_t)ts->n, indptr,
                                   spans->start, spans->end, spans->n, *ids, &err);
    if (status == QC_OK)
        status = qc_vocab_export(&vocab, &vtext, &voffsets);
    Py_END_ALLOW_THREADS
    if (status != QC_OK)
        qc_raise(status, &err, func);
    else
        words = as_array ? qc_str_array(vtext, voffsets, vocab.n_ids)
                         : qc_str_list(vtext, voffsets, vocab.n_ids);
    qc_free(vtext);
    qc_free(voffsets);
    qc_vocab_free(&vocab);
    return words;
}

/* cut(seg, text, mode) -> list of str */
static PyObject *segment_cut(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *cap, *text, *mode_obj;
    qc_textset ts = {0};
    qc_spans spans = {0};
    int64_t *ids = NULL;
    PyObject *list = NULL, *words = NULL;
    if (!PyArg_ParseTuple(args, "OOO:cut", &cap, &text, &mode_obj))
        return NULL;
    int mode;
    seg_handle *h = handle_of(cap);
    if (h == NULL || qc_choice_arg(mode_obj, "mode", MODES, &mode) < 0)
        return NULL;
    if (!qc_is_single_text(text)) {
        PyErr_Format(PyExc_TypeError, "text must be str or bytes (UTF-8), got %.200s",
                     Py_TYPE(text)->tp_name);
        return NULL;
    }
    if (qc_texts_from(text, "text", &ts) < 0)
        return NULL;
    int64_t indptr[2];
    if (run_segment(h, &ts, (qc_cutmode)mode, indptr, &spans, "cut") < 0)
        goto finally;
    words = intern_spans(&ts, indptr, &spans, 0, &ids, "cut");
    if (words == NULL)
        goto finally;
    list = PyList_New((Py_ssize_t)spans.n);
    if (list == NULL)
        goto finally;
    for (size_t k = 0; k < spans.n; k++)
        PyList_SET_ITEM(list, (Py_ssize_t)k, Py_NewRef(PyList_GET_ITEM(words, ids[k])));
finally:
    qc_free(ids);
    Py_XDECREF(words);
    qc_spans_free(&spans);
    qc_texts_release(&ts);
    return list;
}

/* tokenize(seg, texts, mode) -> (indptr, token, start, end, vocabulary) */
static PyObject *segment_tokenize(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *cap, *texts, *mode_obj;
    qc_textset ts = {0};
    qc_spans spans = {0};
    int64_t *indptr = NULL, *ids = NULL;
    PyObject *result = NULL, *a_indptr = NULL, *a_ids = NULL, *a_start = NULL;
    PyObject *a_end = NULL, *words = NULL;
    if (!PyArg_ParseTuple(args, "OOO:tokenize", &cap, &texts, &mode_obj))
        return NULL;
    int mode;
    seg_handle *h = handle_of(cap);
    if (h == NULL || qc_choice_arg(mode_obj, "mode", MODES, &mode) < 0)
        return NULL;
    if (qc_texts_from(texts, "texts", &ts) < 0)
        return NULL;
    indptr = qc_malloc((size_t)ts.n + 1, sizeof *indptr);
    if (indptr == NULL) {
        PyErr_NoMemory();
        goto finally;
    }
    if (run_segment(h, &ts, (qc_cutmode)mode, indptr, &spans, "tokenize") < 0)
        goto finally;
    words = intern_spans(&ts, indptr, &spans, 1, &ids, "tokenize");
    if (words == NULL)
        goto finally;
    npy_intp n = (npy_intp)spans.n;
    a_indptr = qc_adopt_int64(indptr, ts.n + 1);
    indptr = NULL;
    a_ids = qc_adopt_or_empty(ids, n);
    ids = NULL;
    a_start = qc_adopt_or_empty(spans.start, n);
    spans.start = NULL;
    a_end = qc_adopt_or_empty(spans.end, n);
    spans.end = NULL;
    if (a_indptr == NULL || a_ids == NULL || a_start == NULL || a_end == NULL)
        goto finally;
    result = PyTuple_Pack(5, a_indptr, a_ids, a_start, a_end, words);
finally:
    qc_free(indptr);
    qc_free(ids);
    qc_spans_free(&spans);
    qc_texts_release(&ts);
    Py_XDECREF(a_indptr);
    Py_XDECREF(a_ids);
    Py_XDECREF(a_start);
    Py_XDECREF(a_end);
    Py_XDECREF(words);
    return result;
}

PyMethodDef qc_segment_methods[] = {
    {"segmenter_new", segmenter_new, METH_NOARGS,
     "segmenter_new()\n--\n\n"
     "A new, empty segmenter (a capsule for the other segmenter_* calls)."},
    {"segmenter_load", segmenter_load, METH_VARARGS,
     "segmenter_load(segmenter, data, /)\n--\n\n"
     "Adds the entries of a jieba dictionary file's bytes ('word freq [tag]'\n"
     "lines, UTF-8). Bad UTF-8 raises UnicodeDecodeError, a bad line ValueError."},
    {"segmenter_words", segmenter_words, METH_VARARGS,
     "segmenter_words(segmenter, words, freqs, tags, how, /)\n--\n\n"
     "Adds words in order: how='put' as dictionary entries, how='add' as\n"
     "jieba's add_word (freq -1: suggested). Returns the frequencies set."},
    {"segmenter_suggest", segmenter_suggest, METH_VARARGS,
     "segmenter_suggest(segmenter, word, part_end, /)\n--\n\n"
     "jieba's suggest_freq(word) (part_end None) or suggest_freq(segments),\n"
     "the segments given by their end offsets within word."},
    {"segmenter_lookup", segmenter_lookup, METH_VARARGS,
     "segmenter_lookup(segmenter, words, /)\n--\n\n"
     "(freq, tag) int64 arrays for words; -1 where a word is not in FREQ or\n"
     "has no tag."},
    {"segmenter_info", segmenter_info, METH_O,
     "segmenter_info(segmenter, /)\n--\n\n"
     "(total frequency, number of words, has HMM tables, tag names by id)."},
    {"segmenter_set_hmm", segmenter_set_hmm, METH_VARARGS,
     "segmenter_set_hmm(segmenter, start, trans, emit_cp, emit, /)\n--\n\n"
     "Installs HMM log probabilities, states in order B, E, M, S."},
    {"cut", segment_cut, METH_VARARGS,
     "cut(segmenter, text, mode, /)\n--\n\n"
     "The tokens of one text (str or UTF-8 bytes) as a list of str; mode is\n"
     "'dag' (jieba HMM=False), 'hmm' (HMM=True) or 'all' (cut_all)."},
    {"tokenize", segment_tokenize, METH_VARARGS,
     "tokenize(segmenter, texts, mode, /)\n--\n\n"
     "Tokens of many texts: (indptr, token, start, end, vocabulary); the\n"
     "tokens of text i are token[indptr[i]:indptr[i+1]], ids into vocabulary\n"
     "(an object array, first appearance order), offsets in code points.\n"
     "Runs without the GIL."},
    {NULL, NULL, 0, NULL}};
