/*
 * qc/segment.h: Chinese word segmentation that gives exactly the tokens of
 * jieba 0.42.1 (Tokenizer.cut) for the same dictionary and HMM tables.
 *
 * The model is jieba's: a dictionary of words with frequencies (FREQ, whose
 * keys also include every prefix of every word with frequency 0) and their
 * sum (total); a text is split into blocks of "han" characters (U+4E00 to
 * U+9FD5, ASCII letters and digits, + # & . _ % -) and the rest. In a block,
 * the words of the dictionary found at each position form a DAG and the route
 * of highest log probability log(freq) - log(total) is taken, summed from
 * the end of the block as jieba sums it so that ties and rounding come out
 * the same. With the HMM, runs of single characters that do not form a
 * dictionary word are re-cut by a 4-state (B, M, E, S) Viterbi over the CJK
 * characters among them, and runs of ASCII letters/digits (with a decimal
 * part and a percent sign) are kept whole. Outside blocks every character is
 * a token, except that "\r\n" stays together (and in full mode non-space
 * runs stay whole).
 *
 * A segmenter is built once and then read by any number of threads; changing
 * it (load, add_word, set_hmm) while another thread segments is not allowed.
 */
#ifndef QC_SEGMENT_H
#define QC_SEGMENT_H

#include "qc/trie.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    QC_CUT_DAG = 0, /* jieba cut(HMM=False) */
    QC_CUT_HMM = 1, /* jieba cut(HMM=True) */
    QC_CUT_ALL = 2  /* jieba cut(cut_all=True), empty tokens left out */
} qc_cutmode;

/* Token offsets (code points) appended by kernels; owned, grown with
   qc_malloc. Zero-initialise, release with qc_spans_free. */
typedef struct {
    int64_t *start, *end;
    size_t n, capacity;
} qc_spans;

void qc_spans_free(qc_spans *spans);
qc_status qc_spans_push(qc_spans *spans, int64_t start, int64_t end);

typedef struct qc_segmenter qc_segmenter;

/* An empty segmenter (no words, no HMM). Errors: QC_ENOMEM. */
qc_status qc_segmenter_new(qc_segmenter **out);
void qc_segmenter_free(qc_segmenter *seg);

/*
 * Adds the lines of a jieba dictionary file ("word freq [tag]" separated by
 * single spaces, UTF-8, one entry a line; blank lines and a leading byte
 * order mark are skipped) as jieba's gen_pfdict does: FREQ[word] = freq (a
 * later line wins), total += freq, prefixes enter FREQ with 0.
 *
 * Errors: QC_EINVAL with err->arg "data" and err->index the byte offset:
 * invalid UTF-8 (see qc_utf8_decode; qc_utf8_is_decode_error tells it
 * apart), or a malformed line (err->value = line number, from 1). Lines
 * before the bad one stay added. QC_ENOMEM, QC_EOVERFLOW (total).
 */
qc_status qc_segmenter_load(qc_segmenter *seg, const uint8_t *data, size_t n,
                            qc_errinfo *err);

/*
 * Adds one entry as gen_pfdict does (freq >= 0, no force-split), with an
 * optional tag (NULL keeps the word's tag). Errors: QC_EINVAL (empty word,
 * negative freq), QC_ENOMEM, QC_EOVERFLOW.
 */
qc_status qc_segmenter_put(qc_segmenter *seg, const qc_str *word,
                           int64_t freq, const qc_str *tag, qc_errinfo *err);

/*
 * jieba's add_word: freq < 0 means "suggest" (suggest_freq(word, False));
 * then FREQ[word] = freq, total += freq, the tag is set when tag != NULL,
 * and a word added with frequency 0 is split into characters whenever the
 * HMM proposes it (jieba's force-split list; it is never cleared).
 * *freq_out (may be NULL) receives the frequency set. del_word is
 * add_word(word, 0). Errors: QC_EINVAL (empty word), QC_ENOMEM,
 * QC_EOVERFLOW.
 */
qc_status qc_segmenter_add_word(qc_segmenter *seg, const qc_str *word,
                                int64_t freq, const qc_str *tag,
                                int64_t *freq_out, qc_errinfo *err);

/*
 * jieba's suggest_freq without tuning. With n_parts == 0 the word is one
 * string (the frequency that makes it win over its cut with HMM=False);
 * with n_parts > 0, word is the concatenation of n_parts segments whose end
 * offsets are part_end[0..n_parts) (the frequency that makes the segments
 * win). Errors: QC_EINVAL (total is 0, bad part_end), QC_ENOMEM.
 */
qc_status qc_segmenter_suggest(const qc_segmenter *seg, const qc_str *word,
                               const int64_t *part_end, size_t n_parts,
                               int64_t *freq, qc_errinfo *err);

/* FREQ.get(word): *freq = -1 when absent; *tag = tag id or -1. */
void qc_segmenter_lookup(const qc_segmenter *seg, const qc_str *word,
                         int64_t *freq, int32_t *tag);

/* The *n tag strings by id (see qc_vocab_export). */
qc_status qc_segmenter_tags(const qc_segmenter *seg, uint32_t **text,
                            int64_t **offsets, size_t *n);

int64_t qc_segmenter_total(const qc_segmenter *seg);
/* Number of words with a positive frequency. */
size_t qc_segmenter_words(const qc_segmenter *seg);

/*
 * Installs HMM tables as log probabilities in state order B, E, M, S:
 * start[4], trans[4 * 4] (row = from, column = to) and, for n_emit
 * characters emit_cp[i], emit[4 * i + state]; missing entries must be given
 * as jieba's MIN_FLOAT (-3.14e100). Only U+4E00..U+9FD5 are ever observed,
 * other characters are ignored. Errors: QC_EINVAL, QC_ENOMEM.
 */
qc_status qc_segmenter_set_hmm(qc_segmenter *seg, const double *start,
                               const double *trans, const uint32_t *emit_cp,
                               const double *emit, size_t n_emit,
                               qc_errinfo *err);
int qc_segmenter_has_hmm(const qc_segmenter *seg);

/*
 * Segments n_texts texts and appends their tokens to out, text after text;
 * indptr (n_texts + 1 entries, caller-allocated) receives where each text's
 * tokens begin in out (indptr[0] = out->n on entry). Offsets are code points
 * within each text. In the DAG modes out is first given room for as many
 * tokens as code points (a bound: growing would copy; untouched pages cost
 * nothing). Memory beyond the output: O(longest block + 4096).
 *
 * Errors: QC_EINVAL (bad mode or text; QC_CUT_HMM without HMM tables;
 * total 0 in the DAG modes), QC_ENOMEM. O(characters x longest word).
 */
qc_status qc_segment(const qc_segmenter *seg, const qc_str *texts,
                     size_t n_texts, qc_cutmode mode, int64_t *indptr,
                     qc_spans *out, qc_errinfo *err);

/*
 * The length of the longest prefix of text[0:len) that can be segmented on
 * its own with the same tokens as within the whole: it ends after the last
 * '\n' (0 when there is none). Streaming cuts there.
 */
size_t qc_segment_safe_prefix(const qc_str *text);

#ifdef __cplusplus
}
#endif

#endif /* QC_SEGMENT_H */
