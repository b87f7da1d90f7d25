/*
 * qc/strorder.h: strings in code point order (Python's sorted order), and
 * the strings of n-grams with their ranks in that order: the vocabulary
 * order of scikit-learn's vectorizers, in C.
 */
#ifndef QC_STRORDER_H
#define QC_STRORDER_H

#include "qc/ngrams.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The strings of grams: the token strings (token id t is
 * tok_text[tok_offsets[t] .. tok_offsets[t+1]-1], or the code point t when
 * tok_offsets is NULL) joined by joiner (a code point, or -1 for none).
 * *text and *offsets (qc_malloc'd) hold string g at
 * text[offsets[g]:offsets[g+1]]. Then *rank (qc_malloc'd, one per gram)
 * receives the position of each string in code point order, equal strings
 * sharing a rank, and *n_distinct the number of distinct strings; *order
 * (qc_malloc'd, n_distinct entries) a gram with each rank.
 * Errors: QC_ENOMEM, QC_EINDEX. O(total length x log grams).
 */
qc_status qc_ngram_strings(const qc_ngrams *grams, const uint32_t *tok_text,
                           const int64_t *tok_offsets, size_t n_tok,
                           int64_t joiner, uint32_t **text, int64_t **offsets,
                           int64_t **rank, int64_t **order,
                           size_t *n_distinct, qc_errinfo *err);

/* The order of n strings (string i is text[offsets[i]:offsets[i+1]]) by code
   point, equal strings in their given order: order[k] is the k-th string.
   Errors: QC_ENOMEM. O(total length x log n). */
qc_status qc_string_order(const uint32_t *text, const int64_t *offsets, size_t n,
                          int64_t *order);

#ifdef __cplusplus
}
#endif

#endif /* QC_STRORDER_H */
