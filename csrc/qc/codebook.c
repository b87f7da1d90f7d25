/*
 * The codebook's hierarchy (qc/codebook.h): depths, and the roll-up maps
 * from codes to a dimension. Depths come from one O(n) pass that remembers
 * each path it climbs, so a cycle is found rather than looped on; a code's
 * targets are gathered up its parent chain with stamps rather than sets.
 * Maps come out as CSR, the form every counting kernel takes.
 */
#include "qc/codebook.h"

#include <string.h>

/* Marks in the depth array while the walk is under way. */
enum { UNVISITED = -1, ON_PATH = -2 };

qc_status qc_hierarchy_depth(const int64_t *parent, size_t n_codes,
                             int32_t *depth, qc_errinfo *err)
{
    if (n_codes == 0)
        return QC_OK;
    if (parent == NULL || depth == NULL)
        return qc_fail(err, QC_EINVAL, parent == NULL ? "parent" : "depth", 0,
                       0, 0, "is missing");
    if (n_codes > INT32_MAX)
        return qc_fail(err, QC_EOVERFLOW, "parent", 0, (int64_t)n_codes,
                       INT32_MAX, "more codes than a depth can count");
    for (size_t i = 0; i < n_codes; i++) {
        if (parent[i] < -1 || parent[i] >= (int64_t)n_codes)
            return qc_fail(err, QC_EINDEX, "parent", i, parent[i],
                           (int64_t)n_codes,
                           "must be -1 (a root) or a code index below the bound");
        depth[i] = UNVISITED;
    }

    /* Each walk climbs from an unvisited code until it meets a root or a code
       whose depth is known, remembering the path; the path then gets its
       depths on the way back. Every code is on one path only: O(n). */
    size_t *path = qc_malloc(n_codes, sizeof *path);
    if (path == NULL)
        return QC_ENOMEM;
    qc_status status = QC_OK;
    for (size_t start = 0; start < n_codes; start++) {
        if (depth[start] != UNVISITED)
            continue;
        size_t len = 0;
        int64_t at = (int64_t)start;
        while (at != -1 && depth[at] == UNVISITED) {
            depth[at] = ON_PATH;
            path[len++] = (size_t)at;
            at = parent[at];
        }
        if (at != -1 && depth[at] == ON_PATH) {
            status = qc_fail(err, QC_ECYCLE, "parent", (size_t)at, parent[at],
                             0, "this code is its own ancestor");
            break;
        }
        int32_t d = at == -1 ? -1 : depth[at];
        while (len > 0)
            depth[path[--len]] = ++d;
    }
    qc_free(path);
    return status;
}

/*
 * Writes (or, when out is NULL, only counts) the targets code `code` inherits.
 * stamp[t] == code marks t as already taken for this code, so a target
 * reached through several ancestors is listed once.
 */
static size_t inherited_targets(int64_t code, const int64_t *parent,
                                const int64_t *direct_indptr,
                                const int64_t *direct_target, qc_inherit mode,
                                int64_t *stamp, int64_t *out)
{
    size_t n = 0;
    for (int64_t at = code; at != -1; at = parent[at]) {
        int64_t lo = direct_indptr[at], hi = direct_indptr[at + 1];
        for (int64_t k = lo; k < hi; k++) {
            int64_t t = direct_target[k];
            if (stamp[t] == code)
                continue;
            stamp[t] = code;
            if (out != NULL)
                out[n] = t;
            n++;
        }
        if (mode == QC_INHERIT_NEAREST && hi > lo)
            break;
    }
    return n;
}

static void sort_ascending(int64_t *v, size_t n)
{
    /* Rows are short (the groups one code belongs to): insertion sort. */
    for (size_t i = 1; i < n; i++) {
        int64_t x = v[i];
        size_t j = i;
        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

qc_status qc_dimmap_build(const int64_t *parent, size_t n_codes,
                          const int64_t *direct_indptr,
                          const int64_t *direct_target, size_t n_direct,
                          size_t n_targets, qc_inherit mode, qc_dimmap *out,
                          qc_errinfo *err)
{
    if (out == NULL)
        return qc_fail(err, QC_EINVAL, "out", 0, 0, 0, "is missing");
    memset(out, 0, sizeof *out);
    if (mode != QC_INHERIT_NEAREST && mode != QC_INHERIT_ALL)
        return qc_fail(err, QC_EINVAL, "mode", 0, (int64_t)mode, 0,
                       "must be QC_INHERIT_NEAREST or QC_INHERIT_ALL");
    if (n_direct > 0 && direct_target == NULL)
        return qc_fail(err, QC_EINVAL, "direct_target", 0, 0, 0, "is missing");

    qc_status status = QC_OK;
    int32_t *depth = NULL;
    int64_t *stamp = NULL;
    int64_t *indptr = NULL;
    int64_t *target = NULL;

    /* The depth walk rejects out-of-range parents and cycles, so the climbs
       below always end at a root. */
    depth = qc_malloc(n_codes, sizeof *depth);
    if (depth == NULL) {
        status = QC_ENOMEM;
        goto cleanup;
    }
    status = qc_hierarchy_depth(parent, n_codes, depth, err);
    if (status != QC_OK)
        goto cleanup;
    status = qc_check_indptr(direct_indptr, n_codes, n_direct,
                             "direct_indptr", err);
    if (status != QC_OK)
        goto cleanup;
    /* the stamps cover the targets in use, not n_targets: a dimension may
       have targets no code reaches, and n_targets is the caller's to size */
    size_t n_used = 0;
    for (size_t k = 0; k < n_direct; k++) {
        if (direct_target[k] < 0 || (uint64_t)direct_target[k] >= n_targets) {
            status = qc_fail(err, QC_EINDEX, "direct_target", k,
                             direct_target[k], (int64_t)n_targets,
                             "must be a target index below the bound");
            goto cleanup;
        }
        if ((size_t)direct_target[k] >= n_used)
            n_used = (size_t)direct_target[k] + 1;
    }

    stamp = qc_malloc(n_used + 1, sizeof *stamp);
    indptr = qc_malloc(n_codes + 1, sizeof *indptr);
    if (stamp == NULL || indptr == NULL) {
        status = QC_ENOMEM;
        goto cleanup;
    }
    for (size_t t = 0; t < n_used; t++)
        stamp[t] = -1;
    indptr[0] = 0;
    for (size_t i = 0; i < n_codes; i++)
        indptr[i + 1] = indptr[i] +
            (int64_t)inherited_targets((int64_t)i, parent, direct_indptr,
                                       direct_target, mode, stamp, NULL);

    target = qc_malloc((size_t)indptr[n_codes], sizeof *target);
    if (target == NULL) {
        status = QC_ENOMEM;
        goto cleanup;
    }
    for (size_t t = 0; t < n_used; t++)
        stamp[t] = -1;
    for (size_t i = 0; i < n_codes; i++) {
        int64_t *row = target + indptr[i];
        size_t n = inherited_targets((int64_t)i, parent, direct_indptr,
                                     direct_target, mode, stamp, row);
        sort_ascending(row, n);
    }

    out->n_codes = n_codes;
    out->n_targets = n_targets;
    out->indptr = indptr;
    out->target = target;
    indptr = NULL;
    target = NULL;

cleanup:
    qc_free(depth);
    qc_free(stamp);
    qc_free(indptr);
    qc_free(target);
    return status;
}

void qc_dimmap_free(qc_dimmap *map)
{
    if (map == NULL)
        return;
    qc_free(map->indptr);
    qc_free(map->target);
    map->indptr = NULL;
    map->target = NULL;
    map->n_codes = 0;
    map->n_targets = 0;
}

qc_dimview qc_dimmap_view(const qc_dimmap *map)
{
    qc_dimview view = {map->n_codes, map->n_targets, map->indptr, map->target,
                       map->indptr != NULL ? (size_t)map->indptr[map->n_codes]
                                           : 0};
    return view;
}

qc_status qc_dimview_check(const qc_dimview *view, qc_errinfo *err)
{
    if (view == NULL)
        return qc_fail(err, QC_EINVAL, "map", 0, 0, 0, "is missing");
    qc_status status = qc_check_indptr(view->indptr, view->n_codes,
                                       view->n_entries, "map_indptr", err);
    if (status != QC_OK)
        return status;
    for (size_t k = 0; k < view->n_entries; k++) {
        if (view->target[k] < 0 || (uint64_t)view->target[k] >= view->n_targets)
            return qc_fail(err, QC_EINDEX, "map_target", k, view->target[k],
                           (int64_t)view->n_targets,
                           "must be a target index below the bound");
    }
    return QC_OK;
}
