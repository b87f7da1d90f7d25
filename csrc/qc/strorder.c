/*
 * Strings in code point order (qc/strorder.h): the order Python's sorted()
 * gives str, which is the vocabulary order of scikit-learn's vectorizers.
 * A stable merge sort whose keys carry the first three code points packed
 * in one word, so most comparisons are one integer compare and only ties
 * on those read the strings; stable so that equal strings keep the order
 * of their first appearance, which ranks and merges them.
 */
#include "qc/strorder.h"

#include <string.h>

typedef struct {
    const uint32_t *text;
    const int64_t *offsets;
} strtab;

static int compare_strings(const strtab *t, int64_t a, int64_t b)
{
    const uint32_t *x = t->text + t->offsets[a], *y = t->text + t->offsets[b];
    int64_t nx = t->offsets[a + 1] - t->offsets[a], ny = t->offsets[b + 1] - t->offsets[b];
    int64_t n = nx < ny ? nx : ny;
    for (int64_t i = 0; i < n; i++) {
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    }
    return nx < ny ? -1 : nx > ny;
}

/* The first three code points of string a packed for comparison: each as
   cp + 1 in 21 bits, 0 past the end, so comparing keys compares prefixes in
   code point order with a shorter string first. Ties need the full compare. */
static uint64_t prefix_key(const strtab *t, int64_t a)
{
    const uint32_t *x = t->text + t->offsets[a];
    int64_t n = t->offsets[a + 1] - t->offsets[a];
    uint64_t key = 0;
    for (int64_t i = 0; i < 3; i++)
        key = key << 21 | (i < n ? (uint64_t)x[i] + 1 : 0);
    return key;
}

typedef struct {
    uint64_t key;
    int64_t id;
} keyed;

static int keyed_less(const strtab *t, const keyed *a, const keyed *b)
{
    if (a->key != b->key)
        return a->key < b->key;
    return compare_strings(t, a->id, b->id) < 0;
}

/* Stable merge sort of ids by their strings (code point order). */
static void merge_sort(const strtab *t, keyed *ids, keyed *tmp, size_t n)
{
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                tmp[k++] = keyed_less(t, &ids[j], &ids[i]) ? ids[j++] : ids[i++];
            while (i < mid)
                tmp[k++] = ids[i++];
            while (j < hi)
                tmp[k++] = ids[j++];
        }
        memcpy(ids, tmp, n * sizeof *ids);
    }
}

qc_status qc_string_order(const uint32_t *text, const int64_t *offsets, size_t n,
                          int64_t *order)
{
    keyed *ids = qc_malloc(n, sizeof *ids), *tmp = qc_malloc(n, sizeof *tmp);
    if (ids == NULL || tmp == NULL) {
        qc_free(ids);
        qc_free(tmp);
        return QC_ENOMEM;
    }
    strtab tab = {text, offsets};
    for (size_t i = 0; i < n; i++)
        ids[i] = (keyed){prefix_key(&tab, (int64_t)i), (int64_t)i};
    merge_sort(&tab, ids, tmp, n);
    for (size_t i = 0; i < n; i++)
        order[i] = ids[i].id;
    qc_free(ids);
    qc_free(tmp);
    return QC_OK;
}

qc_status qc_ngram_strings(const qc_ngrams *grams, const uint32_t *tok_text,
                           const int64_t *tok_offsets, size_t n_tok,
                           int64_t joiner, uint32_t **text, int64_t **offsets,
                           int64_t **rank, int64_t **order,
                           size_t *n_distinct, qc_errinfo *err)
{
    size_t n = qc_ngrams_count(grams);
    const int64_t *gram_indptr = qc_ngrams_indptr(grams), *gram_tokens = qc_ngrams_tokens(grams);
    *text = NULL;
    *rank = *order = NULL;
    *offsets = qc_malloc(n + 1, sizeof **offsets);
    keyed *ids = qc_malloc(n, sizeof *ids), *tmp = qc_malloc(n, sizeof *tmp);
    qc_status status = QC_OK;
    if (*offsets == NULL || ids == NULL || tmp == NULL) {
        status = QC_ENOMEM;
        goto cleanup;
    }
    int64_t total = 0;
    (*offsets)[0] = 0;
    for (size_t g = 0; g < n; g++) {
        for (int64_t k = gram_indptr[g]; k < gram_indptr[g + 1]; k++) {
            int64_t t = gram_tokens[k];
            if (tok_offsets != NULL && (t < 0 || (uint64_t)t >= n_tok)) {
                status = qc_fail(err, QC_EINDEX, "tokens", (size_t)k, t, (int64_t)n_tok,
                                 "no string for this token id");
                goto cleanup;
            }
            total += tok_offsets ? tok_offsets[t + 1] - tok_offsets[t] : 1;
            if (joiner >= 0 && k > gram_indptr[g])
                total++;
        }
        (*offsets)[g + 1] = total;
    }
    *text = qc_malloc((size_t)total, sizeof **text);
    if (*text == NULL) {
        status = QC_ENOMEM;
        goto cleanup;
    }
    for (size_t g = 0; g < n; g++) {
        uint32_t *at = *text + (*offsets)[g];
        for (int64_t k = gram_indptr[g]; k < gram_indptr[g + 1]; k++) {
            int64_t t = gram_tokens[k];
            if (joiner >= 0 && k > gram_indptr[g])
                *at++ = (uint32_t)joiner;
            if (tok_offsets == NULL) {
                *at++ = (uint32_t)t;
            } else {
                size_t len = (size_t)(tok_offsets[t + 1] - tok_offsets[t]);
                memcpy(at, tok_text + tok_offsets[t], len * sizeof *at);
                at += len;
            }
        }
    }
    strtab tab = {*text, *offsets};
    for (size_t g = 0; g < n; g++)
        ids[g] = (keyed){prefix_key(&tab, (int64_t)g), (int64_t)g};
    merge_sort(&tab, ids, tmp, n);
    *rank = qc_malloc(n, sizeof **rank);
    *order = qc_malloc(n, sizeof **order);
    if (*rank == NULL || *order == NULL) {
        status = QC_ENOMEM;
        goto cleanup;
    }
    size_t distinct = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || ids[i - 1].key != ids[i].key ||
            compare_strings(&tab, ids[i - 1].id, ids[i].id) != 0)
            (*order)[distinct++] = ids[i].id;
        (*rank)[ids[i].id] = (int64_t)distinct - 1;
    }
    *n_distinct = distinct;
cleanup:
    qc_free(ids);
    qc_free(tmp);
    if (status != QC_OK) {
        qc_free(*text);
        qc_free(*offsets);
        qc_free(*rank);
        qc_free(*order);
        *text = NULL;
        *offsets = *rank = *order = NULL;
    }
    return status;
}
