/*
 * qc/acmatch.h: dictionary matching over code points with an Aho-Corasick
 * automaton. It is built on a qc_trie, then laid out compactly and the trie
 * freed: one 20-byte record per node (the code point into it, where its
 * children start, its failure link, its output link and its pattern), the
 * nodes numbered breadth-first with each node's children together and
 * sorted; nodes with many children (the root above all) also reach them
 * through a hash table of 12-byte slots, and a bit set of first characters
 * lets most text characters pass the root untouched. About 25 bytes a node.
 *
 * Read-only once built: any number of threads may match with one matcher.
 */
#ifndef QC_ACMATCH_H
#define QC_ACMATCH_H

#include "qc/trie.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct qc_matcher qc_matcher;

/*
 * Builds the automaton of n_patterns patterns (code points, any value,
 * NUL included). With fold != 0, Latin letters are compared by
 * qc_fold_latin (case-insensitive; offsets are unchanged). A pattern listed
 * twice (after folding) reports its first position.
 *
 * Errors: QC_EINVAL (no patterns: arg "patterns"; an empty pattern or a bad
 * view: arg "patterns" and its index), QC_ENOMEM, QC_EOVERFLOW.
 * O(total pattern length) time and memory.
 */
qc_status qc_matcher_new(const qc_str *patterns, size_t n_patterns, int fold,
                         qc_matcher **out, qc_errinfo *err);
void qc_matcher_free(qc_matcher *m);

/* Bytes held by the matcher. */
size_t qc_matcher_bytes(const qc_matcher *m);
size_t qc_matcher_nodes(const qc_matcher *m);

/* Matches appended by qc_match, one row per match. Zero-initialise; release
   with qc_matches_free. */
typedef struct {
    int64_t *text, *start, *end, *pattern;
    size_t n, capacity;
} qc_matches;

void qc_matches_free(qc_matches *matches);

typedef enum {
    QC_MATCH_OVERLAPPING = 0, /* every occurrence of every pattern, ordered by
                                 end, then start */
    QC_MATCH_LONGEST = 1      /* leftmost-longest, non-overlapping: from the
                                 left, the longest pattern starting at the
                                 first position where one starts, then on
                                 after its end */
} qc_matchmode;

/*
 * Appends the matches in n_texts texts to out (text = index of the text,
 * start/end = code point offsets, pattern = pattern index). Memory beyond
 * the output: none. Errors: QC_EINVAL (bad view or mode), QC_ENOMEM.
 * Overlapping: O(characters + matches); longest: O(characters x longest
 * pattern) in the worst case.
 */
qc_status qc_match(const qc_matcher *m, const qc_str *texts, size_t n_texts,
                   qc_matchmode mode, qc_matches *out, qc_errinfo *err);

#ifdef __cplusplus
}
#endif

#endif /* QC_ACMATCH_H */
