/*
 * qc/acmatch.h: dictionary matching over code points with an Aho-Corasick
 * automaton in a compact layout. A hash trie builds the goto function and is
 * then dropped; the automaton numbers its nodes breadth-first with the
 * children of a node consecutive and in code point order, so a node is 12
 * bytes (first child, failure link, output link) plus its 4-byte label, and
 * finding a child is a scan of the parent's labels. The root's children sit
 * in a small hash table of 4-slot buckets read without branches, the
 * children of other wide nodes (over 16 children) in one open-addressing
 * table of 8-byte slots. The patterns ending at a node and its suffixes
 * form one chain in a pool of 12-byte entries (pattern, length, next), one
 * per distinct pattern. A prefilter (bit tables of the patterns' first two
 * code points, see acmatch.c) lets scans skip text where no pattern can
 * start. qc_matcher_bytes counts all of it.
 *
 * Read-only once built: any number of threads may match with one matcher.
 */
#ifndef QC_ACMATCH_H
#define QC_ACMATCH_H

#include "qc/trie.h" /* building only */

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
 * O(L log L) time (L = total pattern length; nodes are sorted level by
 * level) and O(L) memory.
 */
qc_status qc_matcher_new(const qc_str *patterns, size_t n_patterns, int fold,
                         qc_matcher **out, qc_errinfo *err);
void qc_matcher_free(qc_matcher *m);

/* Bytes held by the matcher (every array it owns and the struct). */
size_t qc_matcher_bytes(const qc_matcher *m);
size_t qc_matcher_nodes(const qc_matcher *m);

/* The matcher's prefilter (qc/acmatch.c says when it is built): 0 none,
   1 skipping in plain C, 2 skipping with AVX2 (the CPU has it). */
int qc_matcher_prefiltered(const qc_matcher *m);

/*
 * The prefilter's skip: the first position >= from in text (a valid view;
 * text->len if none, and from itself without a prefilter) where a pattern
 * may start. No pattern starts at a position it skips; it may stop where
 * none starts (a hash collision, or a pair that only begins a pattern).
 * simd = 0 takes the plain C loop even where AVX2 is used (the two give
 * the same answer; tests compare them).
 */
size_t qc_matcher_skip(const qc_matcher *m, const qc_str *text, size_t from, int simd);

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
 * start/end = code point offsets, pattern = pattern index); out grows once,
 * to its exact size. Memory beyond the output: 12 bytes a match while the
 * texts are scanned (out is unchanged on error). A few overlapping patterns
 * over a run of one character match len x patterns times, so the caller
 * bounds the rows: past max_matches (SIZE_MAX for no bound) the scan stops
 * with QC_ELIMIT (arg "max_matches", value = the bound, index = the text
 * where it was passed). Errors: QC_EINVAL (bad view or mode), QC_ENOMEM,
 * QC_ELIMIT.
 * Overlapping: O(characters + matches) expected; longest: O(characters x
 * longest pattern) in the worst case.
 */
qc_status qc_match(const qc_matcher *m, const qc_str *texts, size_t n_texts,
                   qc_matchmode mode, size_t max_matches, qc_matches *out,
                   qc_errinfo *err);

#ifdef __cplusplus
}
#endif

#endif /* QC_ACMATCH_H */
