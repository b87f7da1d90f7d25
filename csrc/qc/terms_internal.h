/*
 * qc/terms_internal.h: what the sources of the terms area share and no
 * caller of the core may use: how characters are read as tokens, the
 * checked copy of a token stream, the layout of qc_wordpairs and the
 * operations on it that the window walk (window_walk.c) and the batches
 * (wordpairs.c) both need. Functions here carry the qc_ prefix only to
 * keep the library's symbols in one namespace.
 */
#ifndef QC_TERMS_INTERNAL_H
#define QC_TERMS_INTERNAL_H

#include "qc/terms.h"

/* The character token at s[*i] as scikit-learn's analyzer="char" reads it:
   a run of two or more white-space characters is one space, and *i moves to
   the run's last character. */
static inline uint32_t qc_char_token(const qc_str *s, size_t *i)
{
    uint32_t c = qc_str_at(s, *i);
    if (qc_is_space(c) && *i + 1 < s->len && qc_is_space(qc_str_at(s, *i + 1))) {
        while (*i + 1 < s->len && qc_is_space(qc_str_at(s, *i + 1)))
            (*i)++;
        c = ' ';
    }
    return c;
}

/* Checks the token stream (indptr, then every id below n_vocab) and copies
   the kept tokens of each document into fresh arrays *kept_indptr and
   *kept (qc_free both; NULL on error). Errors: those of qc_check_indptr,
   QC_EINVAL, QC_EINDEX (err names "tokens"), QC_ENOMEM. */
qc_status qc_filter_tokens(const int64_t *indptr, size_t n_docs, const int64_t *tokens,
                           size_t n_tokens, size_t n_vocab, const uint8_t *keep,
                           int64_t **kept_indptr, int64_t **kept, qc_errinfo *err);

/* The pairs counted so far, sorted by (a, b), a < b: columns b and count,
   and the a of each pair either as a column or as rows (the window walk
   gives rows, as a caller takes them). The columns b and count may start
   skip entries into their blocks (the window walk's first two ranges fill
   one block from its middle outwards). */
struct qc_wordpairs {
    int32_t *a;          /* or NULL, and then: */
    int64_t *row_start;  /* the pairs of a are [row_start[a], row_start[a + 1]) */
    size_t n_rows;       /* for a < n_rows */
    int32_t *b;
    int32_t *count;      /* int32: 8 bytes a pair rather than 12 (see qc_count_pairs) */
    size_t n, skip;
};

/* The most a pair's count may be on the calling thread: INT32_MAX, or in
   test builds what qc_limit_pair_counts set there. */
uint32_t qc_pair_count_max(void);

/* Frees the blocks of p and leaves it empty (p itself stays). */
void qc_wordpairs_clear(qc_wordpairs *p);

/* Adds the sorted pairs *add to p, which stays sorted; *add is consumed
   (moved when p is empty, freed otherwise, also on error). Errors:
   QC_ENOMEM, QC_EOVERFLOW (a count past qc_pair_count_max). */
qc_status qc_wordpairs_merge(qc_wordpairs *p, qc_wordpairs *add);

/* Whether qc_count_window_pairs can take this input: positions in 32 bits,
   and its gaps and arrays over ids no larger than a few times the tokens. */
int qc_window_walk_fits(size_t n_docs, size_t n_tokens, size_t n_vocab, size_t window);

/* qc_count_pairs for window >= 2 by the window walk (see qc/wordpairs.h),
   once the caller checked indptr and tokens; n_threads >= 1. */
qc_status qc_count_window_pairs(const int64_t *indptr, size_t n_docs, const int64_t *tokens,
                                size_t n_vocab, const uint8_t *keep, size_t window,
                                size_t n_threads, qc_wordpairs *pairs, qc_errinfo *err);

#endif /* QC_TERMS_INTERNAL_H */
