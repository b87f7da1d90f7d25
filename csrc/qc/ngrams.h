/*
 * qc/ngrams.h: document-term counts of token n-grams (CSR), by a table of
 * the n-grams seen (any tokens) or by sorting packed keys (characters).
 *
 * Documents are token streams in CSR form: the tokens of document d are
 * tokens[indptr[d] .. indptr[d+1]-1], each an id below n_vocab (a vocabulary
 * index, or a code point for characters). Counts accumulate, so two halves
 * of a corpus counted into the same table add up to the whole.
 */
#ifndef QC_NGRAMS_H
#define QC_NGRAMS_H

#include "qc/utf8.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Character tokens for character n-grams as scikit-learn's analyzer="char"
 * makes them: every code point of every text, except that a run of two or
 * more white-space characters becomes one space (U+0020). Appends to *tokens
 * (grown with qc_grow, *n_tokens in use, *capacity allocated) and writes
 * indptr (n_texts + 1 entries). Errors: QC_EINVAL, QC_ENOMEM.
 */
qc_status qc_char_tokens(const qc_str *texts, size_t n_texts, int64_t *indptr,
                         int64_t **tokens, size_t *n_tokens, size_t *capacity,
                         qc_errinfo *err);

/* The n-grams seen so far (ids 0, 1, ... in order of first appearance) and
   their tokens: gram g is tokens[gram_indptr[g] .. gram_indptr[g+1]-1]. */
typedef struct qc_ngrams qc_ngrams;

qc_status qc_ngrams_new(qc_ngrams **out);
void qc_ngrams_free(qc_ngrams *grams);
size_t qc_ngrams_count(const qc_ngrams *grams);
/* Borrowed views valid until the next call that adds grams. */
const int64_t *qc_ngrams_indptr(const qc_ngrams *grams);
const int64_t *qc_ngrams_tokens(const qc_ngrams *grams);

/* A sparse document-term matrix in CSR form, rows = documents; column
   indices within a row are in order of first appearance. Owned arrays. */
typedef struct {
    size_t n_rows;
    int64_t *indptr;  /* n_rows + 1 */
    int64_t *indices; /* nnz gram ids */
    int64_t *data;    /* nnz counts */
    size_t nnz, capacity;
} qc_csr;

void qc_csr_free(qc_csr *m);

/*
 * Counts the n-grams of min_n..max_n consecutive tokens in every document
 * (scikit-learn's word n-grams: tokens with keep[id] == 0 are removed
 * first, so n-grams close over them; keep may be NULL). New n-grams are
 * added to grams; out receives one row per document.
 *
 * Errors: QC_EINVAL (min_n < 1, max_n < min_n), QC_EINDEX (a token id at or
 * above n_vocab or negative; err names "tokens" and the position),
 * QC_EORDER (indptr), QC_ENOMEM, QC_EOVERFLOW. O(tokens x (max_n - min_n +
 * 1) x max_n) time; memory O(distinct n-grams + nnz).
 */
qc_status qc_count_ngrams(const int64_t *indptr, size_t n_docs,
                          const int64_t *tokens, size_t n_tokens,
                          size_t n_vocab, const uint8_t *keep, size_t min_n,
                          size_t max_n, qc_ngrams *grams, qc_csr *out,
                          qc_errinfo *err);

/* Code points run below this. */
#define QC_N_CODE_POINTS 0x110000u

/* The terms of qc_count_char_ngrams: term t is the n-gram packed in
   keys[t] (see qc_packed_term), found in df[t] documents. Owned arrays. */
typedef struct {
    uint64_t *keys;
    int64_t *df;
    size_t n;
    int64_t *ids;   /* the characters present, ascending; keys hold rank + 1 */
    unsigned bits;  /* per token */
    size_t max_n;
} qc_packed_terms;

/*
 * Character n-gram counts of texts, as qc_count_ngrams counts the tokens of
 * qc_char_tokens (keep, when not NULL, has QC_N_CODE_POINTS entries; a
 * character with keep[c] == 0 is dropped first), by another route: every
 * n-gram packed with its document into one 64-bit word and the words
 * radix-sorted, so memory is streamed rather than probed at random.
 * Columns (terms) come in the code point order of their strings, a prefix
 * before its extensions: scikit-learn's vocabulary order. Within a row,
 * columns ascend. terms receives the columns' n-grams and document
 * frequencies (terms->ids are code points).
 *
 * Errors: QC_EINVAL (ngram_range, a bad text), QC_ENOMEM, and QC_EOVERFLOW
 * (err->arg "ngram_range") when max_n characters (bits for the number of
 * distinct characters each) and a document number do not fit in 64 bits:
 * use qc_char_tokens and qc_count_ngrams then. Memory: two words per n-gram
 * occurrence while counting, 4 bytes per character and per code point.
 * O(occurrences x key bits / 11). Generating, sorting and counting run in
 * up to n_threads parts at once (0 counts as 1; parts of at least 2^16
 * n-grams); the result is the same for any n_threads.
 */
qc_status qc_count_char_ngrams(const qc_str *texts, size_t n_texts,
                               const uint8_t *keep, size_t min_n, size_t max_n,
                               size_t n_threads, qc_csr *out, qc_packed_terms *terms,
                               qc_errinfo *err);

/* Writes the code points of term t to out (max_n entries) and returns how many. */
size_t qc_packed_term(const qc_packed_terms *terms, size_t t, int64_t *out);

void qc_packed_terms_free(qc_packed_terms *terms);

#ifdef __cplusplus
}
#endif

#endif /* QC_NGRAMS_H */
