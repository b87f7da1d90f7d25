/*
 * qc/refi.c: the REFI-QDA gatherer of qc/refi.h. The state machine follows
 * python/qdacore/io/qdpx/_stream.py kind for kind, so both routes gather the
 * same rows; tests/test_qdpx_gather.py compares them on every sample.
 */
#include "qc/refi.h"

#include <string.h>

#define NS "urn:QDA-XML:project:1.0}"

/* What an open element is, by what encloses it (as in _stream.py). The
   kinds below BUILT are elements of the tree (events); the others are
   gathered or skipped. */
enum {
    K_NONE = -1, K_ROOT = 0, K_SOURCES, K_NOTES, K_TS, K_TREE,
    K_SEL, K_COD, K_WCOD, K_DESC, K_SKIP, K_TEXT
};
#define BUILT K_SEL

struct qc_refi {
    qc_status status;
    qc_strpool pool;
    /* events */
    int32_t *ev;
    size_t n_ev, cap_ev;
    size_t n_sources;
    /* open elements */
    int8_t *kinds;
    size_t depth, cap_kinds;
    int seen_sources;
    /* character data waiting for the tree (or a Description being read) */
    char *text;
    size_t n_text, cap_text;
    int text_for_tree; /* 1: text holds tree data not yet emitted */
    /* selections */
    size_t n_sel, cap_sel;
    int32_t *sel_src;
    int32_t *sel_str[QC_REFI_SEL_STRINGS];
    int64_t *pos_value[2];
    int8_t *pos_kind[2];
    int32_t *pos_raw[2];
    int desc_taken;
    /* codings */
    size_t n_cod, cap_cod;
    int64_t *cod_sel;
    int32_t *cod_src;
    int32_t *cod_str[QC_REFI_COD_STRINGS];
    int ref_taken;
    /* NoteRef targets of the open selection and coding, space-joined */
    char *notes[2];
    size_t n_notes[2], cap_notes[2];
    int has_notes[2];
};

static void fail(qc_refi *g, qc_status status)
{
    if (g->status == QC_OK)
        g->status = status;
}

/* -- the string pool ------------------------------------------------------ */
static uint64_t hash_bytes(const char *s, size_t len)
{
    uint64_t h = 0x9E3779B97F4A7C15ull ^ (uint64_t)len;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0xFF51AFD7ED558CCDull;
        h ^= h >> 32;
    }
    uint64_t w = 0;
    memcpy(&w, s + i, len - i);
    h = (h ^ w) * 0xC4CEB9FE1A85EC53ull;
    h ^= h >> 29;
    h *= 0x9E3779B97F4A7C15ull;
    return h ^ (h >> 32);
}

static qc_status pool_rehash(qc_strpool *p, size_t n_slots)
{
    uint32_t *slots = qc_calloc(n_slots, sizeof *slots);
    if (slots == NULL)
        return QC_ENOMEM;
    for (size_t i = 0; i < p->n; i++) {
        size_t len = (size_t)(p->off[i + 1] - p->off[i]);
        size_t k = (size_t)hash_bytes(p->bytes + p->off[i], len) & (n_slots - 1);
        while (slots[k] != 0)
            k = (k + 1) & (n_slots - 1);
        slots[k] = (uint32_t)(i + 1);
    }
    qc_free(p->slots);
    p->slots = slots;
    p->n_slots = n_slots;
    return QC_OK;
}

/* The number of string s[0..len) in the pool, added when new; -1 on error
   (recorded in g). */
static int32_t intern(qc_refi *g, const char *s, size_t len)
{
    qc_strpool *p = &g->pool;
    if (2 * (p->n + 1) > p->n_slots) {
        qc_status st = pool_rehash(p, p->n_slots ? 2 * p->n_slots : 1024);
        if (st != QC_OK) {
            fail(g, st);
            return -1;
        }
    }
    size_t k = (size_t)hash_bytes(s, len) & (p->n_slots - 1);
    for (; p->slots[k] != 0; k = (k + 1) & (p->n_slots - 1)) {
        size_t i = p->slots[k] - 1;
        if ((size_t)(p->off[i + 1] - p->off[i]) == len && memcmp(p->bytes + p->off[i], s, len) == 0)
            return (int32_t)i;
    }
    if (p->n >= (size_t)INT32_MAX - 1) {
        fail(g, QC_ELIMIT);
        return -1;
    }
    qc_status st = qc_grow(&p->cap_bytes, p->n_bytes + len,
                           &(qc_growable){&p->bytes, 1}, 1);
    if (st == QC_OK)
        st = qc_grow(&p->cap_off, p->n + 2, &(qc_growable){&p->off, sizeof *p->off}, 1);
    if (st != QC_OK) {
        fail(g, st);
        return -1;
    }
    if (len)
        memcpy(p->bytes + p->n_bytes, s, len);
    p->off[p->n] = (int64_t)p->n_bytes;
    p->n_bytes += len;
    p->off[p->n + 1] = (int64_t)p->n_bytes;
    p->slots[k] = (uint32_t)(p->n + 1);
    return (int32_t)p->n++;
}

static int32_t intern_str(qc_refi *g, const char *s)
{
    return s == NULL ? -1 : intern(g, s, strlen(s));
}

/* -- small growing buffers ------------------------------------------------ */
static int append_bytes(qc_refi *g, char **buf, size_t *n, size_t *cap, const char *s, size_t len)
{
    qc_status st = qc_grow(cap, *n + len, &(qc_growable){buf, 1}, 1);
    if (st != QC_OK) {
        fail(g, st);
        return -1;
    }
    if (len)
        memcpy(*buf + *n, s, len);
    *n += len;
    return 0;
}

static int emit(qc_refi *g, int32_t word)
{
    if (g->n_ev == g->cap_ev) {
        qc_status st = qc_grow(&g->cap_ev, g->n_ev + 1, &(qc_growable){&g->ev, sizeof *g->ev}, 1);
        if (st != QC_OK) {
            fail(g, st);
            return -1;
        }
    }
    g->ev[g->n_ev++] = word;
    return 0;
}

static void push(qc_refi *g, int kind)
{
    if (g->depth == g->cap_kinds) {
        qc_status st = qc_grow(&g->cap_kinds, g->depth + 1,
                               &(qc_growable){&g->kinds, sizeof *g->kinds}, 1);
        if (st != QC_OK) {
            fail(g, st);
            return;
        }
    }
    g->kinds[g->depth++] = (int8_t)kind;
}

/* -- events ---------------------------------------------------------------- */
qc_status qc_refi_new(qc_refi **out)
{
    *out = qc_calloc(1, sizeof **out);
    return *out == NULL ? QC_ENOMEM : QC_OK;
}

void qc_refi_free(qc_refi *g)
{
    if (g == NULL)
        return;
    qc_free(g->pool.bytes);
    qc_free(g->pool.off);
    qc_free(g->pool.slots);
    qc_free(g->ev);
    qc_free(g->kinds);
    qc_free(g->text);
    qc_free(g->sel_src);
    for (int c = 0; c < QC_REFI_SEL_STRINGS; c++)
        qc_free(g->sel_str[c]);
    for (int s = 0; s < 2; s++) {
        qc_free(g->pos_value[s]);
        qc_free(g->pos_kind[s]);
        qc_free(g->pos_raw[s]);
        qc_free(g->notes[s]);
    }
    qc_free(g->cod_sel);
    qc_free(g->cod_src);
    for (int c = 0; c < QC_REFI_COD_STRINGS; c++)
        qc_free(g->cod_str[c]);
    qc_free(g);
}

qc_status qc_refi_status(const qc_refi *g)
{
    return g->status;
}

void qc_refi_refuse(qc_refi *g)
{
    fail(g, QC_EINVAL);
}

/* Tree data waiting in g->text becomes a DATA event. */
static void flush_text(qc_refi *g)
{
    if (!g->text_for_tree)
        return;
    g->text_for_tree = 0;
    if (g->n_text == 0)
        return;
    int32_t s = intern(g, g->text, g->n_text);
    g->n_text = 0;
    if (s >= 0 && emit(g, QC_REFI_DATA) == 0)
        emit(g, s);
}

static const char *attr(const char **attrs, const char *key)
{
    for (; attrs[0] != NULL; attrs += 2) {
        if (strcmp(attrs[0], key) == 0)
            return attrs[1];
    }
    return NULL;
}

static void emit_start(qc_refi *g, int what, const char *name, const char **attrs)
{
    size_t n = 0;
    while (attrs[2 * n] != NULL)
        n++;
    if (emit(g, what) < 0 || emit(g, intern_str(g, name)) < 0 || emit(g, (int32_t)n) < 0)
        return;
    for (size_t i = 0; i < 2 * n; i++) {
        if (emit(g, intern_str(g, attrs[i])) < 0)
            return;
    }
}

/* A position as _read._WHOLE reads plain digits: canonical decimals only;
   everything else keeps its string for the Python side to judge. */
static void position(qc_refi *g, int side, size_t row, const char *s)
{
    g->pos_value[side][row] = 0;
    g->pos_raw[side][row] = -1;
    if (s == NULL) {
        g->pos_kind[side][row] = QC_REFI_POS_MISSING;
        return;
    }
    size_t len = strlen(s);
    int ok = len >= 1 && len <= 15 && (s[0] != '0' || len == 1);
    int64_t v = 0;
    for (size_t i = 0; ok && i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            ok = 0;
        else
            v = 10 * v + (s[i] - '0');
    }
    if (ok) {
        g->pos_kind[side][row] = QC_REFI_POS_DIGITS;
        g->pos_value[side][row] = v;
    } else {
        g->pos_kind[side][row] = QC_REFI_POS_OTHER;
        g->pos_raw[side][row] = intern(g, s, len);
    }
}

static void new_selection(qc_refi *g, const char **attrs)
{
    if (g->n_sel >= (size_t)INT32_MAX) {
        fail(g, QC_ELIMIT);
        return;
    }
    if (g->n_sel == g->cap_sel) {
        qc_growable cols[1 + QC_REFI_SEL_STRINGS + 6];
        size_t k = 0;
        cols[k++] = (qc_growable){&g->sel_src, sizeof *g->sel_src};
        for (int c = 0; c < QC_REFI_SEL_STRINGS; c++)
            cols[k++] = (qc_growable){&g->sel_str[c], sizeof *g->sel_str[c]};
        for (int s = 0; s < 2; s++) {
            cols[k++] = (qc_growable){&g->pos_value[s], sizeof *g->pos_value[s]};
            cols[k++] = (qc_growable){&g->pos_kind[s], sizeof *g->pos_kind[s]};
            cols[k++] = (qc_growable){&g->pos_raw[s], sizeof *g->pos_raw[s]};
        }
        qc_status st = qc_grow(&g->cap_sel, g->n_sel + 1, cols, k);
        if (st != QC_OK) {
            fail(g, st);
            return;
        }
    }
    size_t r = g->n_sel++;
    g->sel_src[r] = (int32_t)(g->n_sources - 1);
    static const char *const keys[] = {"guid", "name", "creatingUser", "creationDateTime",
                                       "modifyingUser", "modifiedDateTime"};
    for (int c = 0; c < 6; c++)
        g->sel_str[c][r] = intern_str(g, attr(attrs, keys[c]));
    g->sel_str[QC_REFI_SEL_DESCRIPTION][r] = -1;
    g->sel_str[QC_REFI_SEL_NOTES][r] = -1;
    position(g, 0, r, attr(attrs, "startPosition"));
    position(g, 1, r, attr(attrs, "endPosition"));
    g->desc_taken = 0;
    g->has_notes[0] = 0;
    g->n_notes[0] = 0;
}

static void new_coding(qc_refi *g, const char **attrs, int64_t sel)
{
    if (g->n_cod == g->cap_cod) {
        qc_growable cols[2 + QC_REFI_COD_STRINGS];
        size_t k = 0;
        cols[k++] = (qc_growable){&g->cod_sel, sizeof *g->cod_sel};
        cols[k++] = (qc_growable){&g->cod_src, sizeof *g->cod_src};
        for (int c = 0; c < QC_REFI_COD_STRINGS; c++)
            cols[k++] = (qc_growable){&g->cod_str[c], sizeof *g->cod_str[c]};
        qc_status st = qc_grow(&g->cap_cod, g->n_cod + 1, cols, k);
        if (st != QC_OK) {
            fail(g, st);
            return;
        }
    }
    size_t r = g->n_cod++;
    g->cod_sel[r] = sel;
    g->cod_src[r] = (int32_t)(g->n_sources - 1);
    g->cod_str[QC_REFI_COD_GUID][r] = intern_str(g, attr(attrs, "guid"));
    g->cod_str[QC_REFI_COD_CREATED_BY][r] = intern_str(g, attr(attrs, "creatingUser"));
    g->cod_str[QC_REFI_COD_CREATED][r] = intern_str(g, attr(attrs, "creationDateTime"));
    g->cod_str[QC_REFI_COD_REF][r] = -1;
    g->cod_str[QC_REFI_COD_NOTES][r] = -1;
    g->ref_taken = 0;
    g->has_notes[1] = 0;
    g->n_notes[1] = 0;
}

/* A NoteRef's target added to the open selection's (which 0) or coding's
   (1) list: attrs.get("targetGUID") or "". */
static void note_ref(qc_refi *g, int which, const char **attrs)
{
    const char *target = attr(attrs, "targetGUID");
    if (g->has_notes[which] &&
        append_bytes(g, &g->notes[which], &g->n_notes[which], &g->cap_notes[which], " ", 1) < 0)
        return;
    g->has_notes[which] = 1;
    if (target != NULL)
        append_bytes(g, &g->notes[which], &g->n_notes[which], &g->cap_notes[which], target,
                     strlen(target));
}

static int is_local(const char *name, const char *local)
{
    const char *sep = strrchr(name, '}');
    return strcmp(sep == NULL ? name : sep + 1, local) == 0;
}

void qc_refi_start(qc_refi *g, const char *name, const char **attrs)
{
    if (g->status != QC_OK)
        return;
    flush_text(g);
    int parent = g->depth ? g->kinds[g->depth - 1] : K_NONE;
    switch (parent) {
    case K_COD:
    case K_WCOD:
        if (strcmp(name, NS "CodeRef") == 0) {
            if (!g->ref_taken) {
                g->ref_taken = 1;
                g->cod_str[QC_REFI_COD_REF][g->n_cod - 1] = intern_str(g, attr(attrs, "targetGUID"));
            }
        } else if (strcmp(name, NS "NoteRef") == 0) {
            note_ref(g, 1, attrs);
        }
        push(g, K_SKIP);
        return;
    case K_SEL:
        if (strcmp(name, NS "Coding") == 0) {
            new_coding(g, attrs, (int64_t)g->n_sel - 1);
            push(g, K_COD);
        } else if (strcmp(name, NS "NoteRef") == 0) {
            note_ref(g, 0, attrs);
            push(g, K_SKIP);
        } else if (strcmp(name, NS "Description") == 0 && !g->desc_taken) {
            g->desc_taken = 1;
            g->n_text = 0;
            push(g, K_TEXT);
        } else {
            push(g, K_SKIP);
        }
        return;
    case K_TS:
        if (strcmp(name, NS "PlainTextSelection") == 0) {
            new_selection(g, attrs);
            push(g, K_SEL);
        } else if (strcmp(name, NS "Coding") == 0) {
            new_coding(g, attrs, -1);
            push(g, K_WCOD);
        } else {
            emit_start(g, QC_REFI_START, name, attrs);
            push(g, K_TREE);
        }
        return;
    case K_DESC:
    case K_SKIP:
    case K_TEXT:
        if (parent == K_TEXT)
            g->kinds[g->depth - 1] = K_DESC; /* the Description's text stops here */
        push(g, K_SKIP);
        return;
    case K_TREE:
        emit_start(g, QC_REFI_START, name, attrs);
        push(g, K_TREE);
        return;
    default:
        break;
    }
    if ((parent == K_SOURCES && is_local(name, "TextSource")) ||
        (parent == K_NOTES && strcmp(name, NS "Note") == 0)) {
        if (g->n_sources >= (size_t)INT32_MAX) {
            fail(g, QC_ELIMIT);
            return;
        }
        g->n_sources++;
        emit_start(g, QC_REFI_SOURCE, name, attrs);
        push(g, K_TS);
    } else if (parent == K_ROOT && strcmp(name, NS "Sources") == 0 && !g->seen_sources) {
        g->seen_sources = 1; /* the first Sources only, as root.find("Sources") */
        emit_start(g, QC_REFI_START, name, attrs);
        push(g, K_SOURCES);
    } else if (parent == K_ROOT && strcmp(name, NS "Notes") == 0) {
        emit_start(g, QC_REFI_START, name, attrs);
        push(g, K_NOTES);
    } else {
        emit_start(g, QC_REFI_START, name, attrs);
        push(g, parent == K_NONE ? K_ROOT : K_TREE);
    }
}

void qc_refi_end(qc_refi *g)
{
    if (g->status != QC_OK || g->depth == 0)
        return;
    int kind = g->kinds[--g->depth];
    if (kind >= BUILT) {
        if (kind == K_TEXT || kind == K_DESC) {
            g->sel_str[QC_REFI_SEL_DESCRIPTION][g->n_sel - 1] = intern(g, g->text, g->n_text);
            g->n_text = 0;
        } else if (kind == K_SEL && g->has_notes[0]) {
            g->sel_str[QC_REFI_SEL_NOTES][g->n_sel - 1] = intern(g, g->notes[0], g->n_notes[0]);
        } else if ((kind == K_COD || kind == K_WCOD) && g->has_notes[1]) {
            g->cod_str[QC_REFI_COD_NOTES][g->n_cod - 1] = intern(g, g->notes[1], g->n_notes[1]);
        }
        return;
    }
    flush_text(g);
    emit(g, QC_REFI_END);
}

void qc_refi_data(qc_refi *g, const char *s, size_t len)
{
    if (g->status != QC_OK || g->depth == 0)
        return;
    int kind = g->kinds[g->depth - 1];
    if (kind == K_TEXT) {
        append_bytes(g, &g->text, &g->n_text, &g->cap_text, s, len);
    } else if (kind <= K_NOTES || kind == K_TREE) {
        g->text_for_tree = 1;
        append_bytes(g, &g->text, &g->n_text, &g->cap_text, s, len);
    }
}

void qc_refi_results(const qc_refi *g, qc_refi_result *out)
{
    memset(out, 0, sizeof *out);
    out->pool = &g->pool;
    out->events = g->ev;
    out->n_events = g->n_ev;
    out->n_sources = g->n_sources;
    out->n_sel = g->n_sel;
    out->sel_src = g->sel_src;
    for (int c = 0; c < QC_REFI_SEL_STRINGS; c++)
        out->sel_str[c] = g->sel_str[c];
    out->sel_start = (qc_refi_pos){g->pos_value[0], g->pos_kind[0], g->pos_raw[0]};
    out->sel_end = (qc_refi_pos){g->pos_value[1], g->pos_kind[1], g->pos_raw[1]};
    out->n_cod = g->n_cod;
    out->cod_sel = g->cod_sel;
    out->cod_src = g->cod_src;
    for (int c = 0; c < QC_REFI_COD_STRINGS; c++)
        out->cod_str[c] = g->cod_str[c];
}

/* -- the prolog ------------------------------------------------------------ */
static const char *find(const char *p, const char *end, const char *what, size_t len)
{
    for (; p + len <= end; p++) {
        if (memcmp(p, what, len) == 0)
            return p;
    }
    return NULL;
}

int qc_refi_plain_prolog(const char *data, size_t n)
{
    const char *p = data, *end = data + n;
    if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    for (;;) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
            p++;
        if (end - p < 2 || p[0] != '<')
            return 0;
        if (p[1] == '?') {
            const char *q = find(p + 2, end, "?>", 2);
            if (q == NULL)
                return 0;
            p = q + 2;
        } else if (end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
            const char *q = find(p + 4, end, "-->", 3);
            if (q == NULL)
                return 0;
            p = q + 3;
        } else {
            unsigned char c = (unsigned char)p[1];
            /* a name starts the root element; '!' is a DOCTYPE (or worse) */
            return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == ':' ||
                   c >= 0x80;
        }
    }
}
