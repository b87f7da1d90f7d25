/*
 * qc/terms.h: document-term counts of token n-grams (CSR) and co-word counts
 * in a sliding window or per document (sparse pairs).
 *
 * Documents are token streams in CSR form: the tokens of document d are
 * tokens[indptr[d] .. indptr[d+1]-1], each an id below n_vocab (a vocabulary
 * index, or a code point for characters). Counts accumulate, so two halves
 * of a corpus counted into the same table add up to the whole.
 */
#ifndef QC_TERMS_H
#define QC_TERMS_H

#include "qc/utf8.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Character tokens for character n-grams as scikit-learn's analyzer="char"
 * makes them: every code point of every text, except that a run of two or
 * more white-space characters becomes one space (U+0020). Appends to *tokens
 * (grown with qc_malloc, *n_tokens in use, *capacity allocated) and writes
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

/* Co-word counts: unordered pairs of distinct token ids (a < b), ids below
   2^31. */
typedef struct qc_wordpairs qc_wordpairs;

qc_status qc_wordpairs_new(qc_wordpairs **out);
void qc_wordpairs_free(qc_wordpairs *pairs);
size_t qc_wordpairs_count(const qc_wordpairs *pairs);

/*
 * Adds the co-occurrences of every document to pairs. window >= 2: every
 * two token positions i < j with j - i < window (nltk's window_size: a token
 * pairs with the next window - 1 tokens) whose ids differ count once.
 * window == 0: per document, every two distinct ids present count once.
 * Tokens with keep[id] == 0 are removed first (keep may be NULL). pairs
 * stay sorted by (a, b).
 *
 * Windows are counted by the lower id of each pair, from a list of every
 * id's positions, with no list of pair occurrences: O(tokens x window +
 * n_vocab + distinct pairs) time, memory O(tokens + n_vocab x threads +
 * distinct pairs; the first two ranges of ids reserve address space for
 * all the pairs they could find, at most twice what growing columns would
 * reserve). The texts are laid out in ranges, and the ids walked in ranges,
 * on up to n_threads threads at once (0 counts as 1; ranges hold at least
 * 2^16 positions); the pairs are the same for any n_threads. Whole
 * documents, windows whose texts are so many that the gaps
 * between them would outweigh the tokens, and an n_vocab far above the
 * number of tokens radix-sort the pair occurrences in batches of
 * max(2^22, pairs so far) and merge them: O(occurrences x bits of n_vocab /
 * 5 + merges x distinct pairs), memory O(distinct pairs + 2^22 words). On
 * error, pairs holds what was merged before it.
 *
 * Counts are int32: a third less memory written than int64 (the pairs are
 * most of what a window count writes, into pages fresh from the system).
 * A count passes 2^31 - 1 only in the likes of a window of thousands over
 * a token of a million places, and then the call fails with QC_EOVERFLOW
 * rather than wrap. Errors: QC_EINVAL (window 1), QC_EINDEX, QC_EORDER,
 * QC_ENOMEM, QC_EOVERFLOW (n_vocab above 2^31, a count above 2^31 - 1).
 */
qc_status qc_count_pairs(const int64_t *indptr, size_t n_docs,
                         const int64_t *tokens, size_t n_tokens,
                         size_t n_vocab, const uint8_t *keep, size_t window,
                         size_t n_threads, qc_wordpairs *pairs, qc_errinfo *err);

#ifdef QC_ALLOC_TESTING
/*
 * Test builds only: this thread's later qc_count_pairs calls hold counts to
 * 2^bits - 1 (0 or 31 and more: 2^31 - 1, as always in production), so
 * that the QC_EOVERFLOW paths run on small inputs. Parts of a window walk
 * that run on other threads keep 2^31 - 1; pass threads 1 (or run the
 * parts in turn).
 */
void qc_limit_pair_counts(unsigned bits);
#endif

/* Writes the pairs, by a then b, to a, b, count (qc_wordpairs_count each). */
void qc_wordpairs_export(const qc_wordpairs *pairs, int32_t *a, int32_t *b,
                         int32_t *count);

/* Hands the pairs to the caller as the rows of a sparse matrix: row_start
   (n_rows + 1 entries; the pairs of a are [row_start[a], row_start[a + 1]))
   and the columns b and count (qc_wordpairs_count entries each, by a then
   b), which start *skip entries into their blocks (the blocks may have room
   for more). The caller frees each block with qc_free; pairs is left empty.
   Errors: QC_EINVAL (an a is n_rows or more), QC_ENOMEM. */
qc_status qc_wordpairs_take(qc_wordpairs *pairs, size_t n_rows, int64_t **row_start,
                            int32_t **b, int32_t **count, size_t *skip);

/* How many of count[0..n) are at least min_count. */
size_t qc_pairs_at_least(const int32_t *count, size_t n, int64_t min_count);

/*
 * The pairs of a sparse matrix's rows whose count is at least min_count,
 * highest count first; pairs of one count keep their order (by row, then
 * as given). The rows are row_start (n_rows + 1 entries, from 0 to n,
 * non-decreasing) over the columns b and count (n entries). Writes each
 * kept pair's row, b and count to a, b_out and count_out, which have room
 * for qc_pairs_at_least(count, n, min_count) pairs.
 *
 * A stable radix sort on the count: one pass of O(n + span) while the
 * counts kept span less than 2^16 (word counts do), else two passes of 16
 * bits through a scratch copy of the pairs. The order in which co-word
 * tables are read, most frequent first, at a fraction of a comparison
 * sort's cost. Errors: those of qc_check_indptr for row_start (QC_EINVAL,
 * QC_EORDER), QC_EOVERFLOW (a row past 2^31 - 1), QC_ENOMEM.
 */
qc_status qc_pairs_by_count(const int64_t *row_start, size_t n_rows, const int32_t *b,
                            const int32_t *count, size_t n, int64_t min_count, int32_t *a,
                            int32_t *b_out, int32_t *count_out, qc_errinfo *err);

#ifdef __cplusplus
}
#endif

#endif /* QC_TERMS_H */
