"""Text engine: segmentation, dictionary matching, keyword in context, term
matrices and co-word counts, all in C with exact code-point offsets.

Every offset is a Unicode code point, so ``text[start:end]`` is the token or
match. Texts may be ``str`` (read in place, no copy), UTF-8 ``bytes``
(validated and decoded in C; bad bytes raise :class:`UnicodeDecodeError` with
the byte offset) or ``None``/NaN (empty). Long kernels run without the GIL, so
threads segment or match in parallel.

:class:`Segmenter` gives exactly the tokens of jieba 0.42.1 for the same
dictionary, with and without its HMM; see :doc:`/guide/text` for the model.
"""
from __future__ import annotations

# The parts, each in its own private module: _input (the texts argument, files
# in pieces), _segment (Segmenter), _match (Matcher, kwic), _terms (term
# matrices, similarity, co-words), _items (planning documents into items),
# _autocode (dictionary coding). Users import from qdacore.text only.
from ._autocode import SCOPES, keyword_codings
from ._input import read_chunks
from ._items import sentence_spans, split_items
from ._match import MAX_MATCHES, Matcher, kwic
from ._segment import MIN_FLOAT, Segmenter
from ._terms import CowordCounts, TermCounts, TermMatrix, cooccurrence, similarity, term_matrix

__all__ = ["Segmenter", "Matcher", "kwic", "TermMatrix", "term_matrix", "similarity",
           "cooccurrence", "split_items", "sentence_spans", "keyword_codings", "read_chunks",
           "MIN_FLOAT", "MAX_MATCHES", "SCOPES", "CowordCounts", "TermCounts"]

for _public in (Segmenter, Matcher, kwic, TermMatrix, term_matrix, similarity, cooccurrence,
                split_items, sentence_spans, keyword_codings, read_chunks, CowordCounts, TermCounts):
    _public.__module__ = __name__  # shown, documented and pickled as qdacore.text.<name>
del _public
