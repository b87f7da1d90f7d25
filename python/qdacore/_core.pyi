# Stubs for the C extension qdacore._core (csrc/binding). Checked against the
# built module by mypy.stubtest in tests/test_core.py.
from typing import Any, Literal, Optional, Sequence, Union

import numpy as np
import numpy.typing as npt

ALLOC_TESTING: int

def hierarchy_depth(parent: npt.ArrayLike, /) -> npt.NDArray[np.int32]: ...
def dimension_map(
    parent: npt.ArrayLike,
    direct_indptr: npt.ArrayLike,
    direct_target: npt.ArrayLike,
    n_targets: int,
    inherit: Literal["nearest", "all"],
    /,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]: ...
def count_codes(
    indptr: npt.ArrayLike,
    code: npt.ArrayLike,
    map_indptr: npt.ArrayLike,
    map_target: npt.ArrayLike,
    n_targets: int,
    *,
    item_group: Optional[npt.ArrayLike] = None,
    coding_group: Optional[npt.ArrayLike] = None,
    n_groups: int = 1,
    unit: Literal["codings", "items"] = "codings",
) -> npt.NDArray[np.int64]: ...

# -- text: segmentation (segment_py.c) -----------------------------------------
_Text = Union[str, bytes, None]
_Texts = Union[_Text, Sequence[_Text]]

def segmenter_new() -> Any: ...
def segmenter_load(segmenter: Any, data: bytes, /) -> None: ...
def segmenter_words(
    segmenter: Any,
    words: Sequence[str],
    freqs: npt.ArrayLike,
    tags: Optional[Sequence[Optional[str]]],
    how: Literal["put", "add"],
    /,
) -> npt.NDArray[np.int64]: ...
def segmenter_suggest(segmenter: Any, word: str, part_end: Optional[npt.ArrayLike], /) -> int: ...
def segmenter_lookup(
    segmenter: Any, words: Sequence[str], /
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]: ...
def segmenter_info(segmenter: Any, /) -> tuple[int, int, bool, list[str]]: ...
def segmenter_set_hmm(
    segmenter: Any,
    start: npt.ArrayLike,
    trans: npt.ArrayLike,
    emit_cp: npt.ArrayLike,
    emit: npt.ArrayLike,
    /,
) -> None: ...
def cut(segmenter: Any, text: Union[str, bytes], mode: Literal["dag", "hmm", "all"], /) -> list[str]: ...
def tokenize(
    segmenter: Any, texts: _Texts, mode: Literal["dag", "hmm", "all"], /
) -> tuple[
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    list[str],
]: ...

# -- text: matching (match_py.c) ------------------------------------------------
def decode_utf8(data: bytes, final: bool, /) -> tuple[str, int]: ...
def matcher_new(patterns: Sequence[str], fold: bool, /) -> Any: ...
def matcher_info(matcher: Any, /) -> tuple[int, int]: ...
def find(
    matcher: Any, texts: _Texts, overlapping: bool, /
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]: ...
def slices(
    texts: _Texts, text: npt.ArrayLike, start: npt.ArrayLike, end: npt.ArrayLike, /
) -> list[str]: ...

# -- text: terms (terms_py.c) ---------------------------------------------------
def char_tokens(texts: _Texts, /) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]: ...
def count_ngrams(
    indptr: npt.ArrayLike,
    tokens: npt.ArrayLike,
    n_vocab: int,
    keep: Optional[npt.ArrayLike],
    min_n: int,
    max_n: int,
    token_strings: Optional[Sequence[str]],
    joiner: int,
    /,
) -> tuple[
    npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64], list[str], npt.NDArray[np.int64]
]: ...
def count_pairs(
    indptr: npt.ArrayLike, tokens: npt.ArrayLike, n_vocab: int, keep: Optional[npt.ArrayLike], window: int, /
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]: ...
