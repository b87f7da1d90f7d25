/*
 * qc/wordpairs.h: co-word counts (sparse pairs of token ids) in a sliding
 * window or per document, and their order by count.
 *
 * Documents are token streams in CSR form as in qc/ngrams.h. Counts
 * accumulate, so two halves of a corpus counted into the same pairs add up
 * to the whole.
 */
#ifndef QC_WORDPAIRS_H
#define QC_WORDPAIRS_H

#include "qc/common.h"

#ifdef __cplusplus
extern "C" {
#endif

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

#endif /* QC_WORDPAIRS_H */
