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

import itertools
import os
import re
from pathlib import Path
from typing import Any, Iterable, Mapping, NamedTuple, Optional, Sequence, Union

import numpy as np
import pandas as pd

from . import _core
from . import _validate as check

__all__ = ["Segmenter", "Matcher", "kwic", "TermMatrix", "term_matrix", "similarity",
           "cooccurrence", "split_items", "sentence_spans", "autocode", "read_chunks"]

TextLike = Union[str, bytes, None]
Texts = Union[TextLike, Sequence[TextLike], pd.Series]

#: jieba's finalseg.MIN_FLOAT: the log probability of what the HMM never saw.
MIN_FLOAT = -3.14e100
_STATES = "BEMS"  # the order the C core keeps HMM states in


def _texts(texts: Any, name: str = "texts") -> tuple[Any, pd.Index]:
    """The texts as the C layer takes them (one text, or a list) and labels for
    the ``text`` column: the index of a Series, else positions."""
    if texts is None or isinstance(texts, (str, bytes)):
        return texts, pd.RangeIndex(1, name="text")
    if isinstance(texts, pd.DataFrame):
        raise TypeError(f"{name} must be a sequence of texts or a Series, not a DataFrame; "
                        f"pass one column, e.g. items['text']")
    if isinstance(texts, pd.Series):
        labels = texts.index
        values = texts.astype(object).where(texts.notna(), None).tolist()
    else:
        if isinstance(texts, (Mapping, set)) or not isinstance(texts, Iterable):
            raise TypeError(f"{name} must be str, bytes or a sequence of them, got "
                            f"{type(texts).__name__}")
        values = list(texts)
        labels = pd.RangeIndex(len(values))
        missing = pd.isna(pd.Series(values, dtype=object)).to_numpy()
        if missing.any():
            values = np.where(missing, None, np.asarray(values + [None], dtype=object)[:-1]).tolist()
    return values, labels.rename("text") if labels.name is None else labels


def read_chunks(source: Union[str, os.PathLike, Any], chunk_size: int = 1 << 22
                ) -> Iterable[tuple[int, str]]:
    """Read a UTF-8 file (a path or a binary file object) in pieces that end
    after a line break, decoded in C: ``(offset, text)`` pairs, offset being
    the code point where the piece starts in the whole file.

    Memory stays bounded by ``chunk_size`` bytes plus the longest line: a
    piece is cut after the last line break of each chunk read. Invalid UTF-8
    raises :class:`UnicodeDecodeError` whose ``start`` is the byte offset in
    the file.
    """
    chunk_size = check.whole(chunk_size, "chunk_size", 1)
    own = isinstance(source, (str, os.PathLike))
    f = open(source, "rb") if own else source
    try:
        offset, byte_offset, tail = 0, 0, b""
        pending = ""
        while True:
            data = f.read(chunk_size)
            final = not data
            buf = tail + data
            try:
                text, used = _core.decode_utf8(buf, final)
            except UnicodeDecodeError as err:
                raise UnicodeDecodeError("utf-8", err.object, err.start, err.end,
                                         f"{err.reason} (file byte {byte_offset + err.start})") from None
            byte_offset += used
            tail = buf[used:]
            pending += text
            cut = len(pending) if final else pending.rfind("\n") + 1
            if cut > 0:
                yield offset, pending[:cut]
                offset += cut
                pending = pending[cut:]
            if final:
                return
    finally:
        if own:
            f.close()


def _distinct_categorical(codes: np.ndarray, strings: Union[list, np.ndarray],
                          ordered: bool = False) -> pd.Categorical:
    """A Categorical of ``strings[codes]`` where the C core made ``strings``
    distinct and the codes valid.

    pandas' public constructor checks both again by hashing every string with
    the GIL held: in ``tokenize`` from two threads that check was the largest
    part that could not run in parallel. The fast path builds the same object
    (tests compare it with ``Categorical.from_codes``) and falls back to the
    public constructor if pandas' internals change.
    """
    categories = pd.Index(strings, dtype=object, copy=False)
    try:
        from pandas.core.dtypes.dtypes import CategoricalDtype

        dtype = CategoricalDtype._from_fastpath(categories, ordered=ordered)
        width = next(t for t in (np.int8, np.int16, np.int32, np.int64)
                     if len(categories) < np.iinfo(t).max)
        return pd.Categorical._simple_new(codes.astype(width), dtype)
    except (AttributeError, TypeError, ImportError):  # pragma: no cover - other pandas
        return pd.Categorical.from_codes(codes, categories=categories, ordered=ordered)


def _frame(labels: pd.Index, indptr: np.ndarray, columns: dict) -> pd.DataFrame:
    """A long table whose rows belong to texts by CSR ``indptr``: a ``text``
    column with each row's text label, then ``columns`` (fresh arrays that
    the table takes over: no copy, no consolidation into one block)."""
    text = labels.take(np.repeat(np.arange(len(labels)), np.diff(indptr)))
    out = {"text": text}
    out.update(columns)
    return pd.DataFrame(out, copy=False)


def _hmm_arrays(hmm: Mapping[str, Any]) -> tuple:
    """jieba-style HMM dicts (start, trans, emit: state -> log probability
    tables) as the arrays the C core takes."""
    try:
        start, trans, emit = hmm["start"], hmm["trans"], hmm["emit"]
    except (KeyError, TypeError):
        raise ValueError("hmm must be a mapping with keys 'start', 'trans' and 'emit' "
                         "(jieba's finalseg prob_start.P, prob_trans.P, prob_emit.P)") from None
    start_arr = np.array([float(start.get(s, MIN_FLOAT)) for s in _STATES])
    trans_arr = np.array([[float(trans.get(a, {}).get(b, MIN_FLOAT)) for b in _STATES]
                          for a in _STATES])
    table = pd.DataFrame({s: pd.Series(emit.get(s, {}), dtype=float) for s in _STATES})
    table = table.fillna(MIN_FLOAT)
    chars = table.index.astype(str)
    if len(chars) and (chars.str.len() != 1).any():
        raise ValueError("hmm['emit'] keys must be single characters")
    cps = np.frombuffer("".join(chars).encode("utf-32-le", "surrogatepass"), dtype="<u4")
    return start_arr, trans_arr, cps.astype(np.uint32), table[list(_STATES)].to_numpy()


class Segmenter:
    """Chinese word segmentation with jieba's model, in C.

    ``cut(text, hmm=...)`` returns exactly the tokens of jieba 0.42.1's
    ``Tokenizer.cut`` for the same dictionary and HMM tables: the route of
    highest probability through the dictionary's words, the HMM (Viterbi) for
    runs of characters the dictionary does not join, and jieba's handling of
    Latin letters, digits, punctuation and white space. ``add_word``,
    ``del_word`` and ``suggest_freq`` change the dictionary exactly as jieba's
    do.

    Parameters
    ----------
    dictionary : path, bytes or DataFrame, optional
        A jieba dictionary file (``word freq [tag]`` lines, UTF-8), its bytes,
        or a DataFrame with columns ``word``, ``freq`` and optionally ``tag``.
        As in jieba, a word listed twice keeps its last frequency and every
        listed frequency adds to the total. None gives an empty dictionary.
    hmm : mapping, optional
        HMM log probabilities as jieba keeps them: ``{"start": {state: p},
        "trans": {state: {state: p}}, "emit": {state: {char: p}}}`` with states
        ``B``, ``M``, ``E``, ``S``. Needed for ``hmm=True``.

    Examples
    --------
    >>> import pandas as pd
    >>> from qdacore.text import Segmenter
    >>> words = pd.DataFrame({"word": ["城市", "城市群", "发展", "规划"],
    ...                       "freq": [500, 40, 800, 300]})
    >>> seg = Segmenter(words)
    >>> seg.cut("城市群发展规划", hmm=False)
    ['城市群', '发展', '规划']
    >>> seg.tokenize(["规划2035", "城市 发展"], hmm=False)
       text token  start  end
    0     0    规划      0    2
    1     0  2035      2    6
    2     1    城市      0    2
    3     1             2    3
    4     1    发展      3    5

    With jieba's own dictionary and HMM (jieba must be installed):

    >>> seg = Segmenter.from_jieba()  # doctest: +SKIP
    >>> seg.cut("推动成渝地区双城经济圈建设")  # doctest: +SKIP
    ['推动', '成渝', '地区', '双城', '经济圈', '建设']
    """

    def __init__(self, dictionary: Union[str, os.PathLike, bytes, pd.DataFrame, None] = None,
                 *, hmm: Optional[Mapping[str, Any]] = None) -> None:
        self._seg = _core.segmenter_new()
        self._source = "empty"
        if dictionary is None:
            pass
        elif isinstance(dictionary, pd.DataFrame):
            self._put_frame(dictionary)
            self._source = f"DataFrame of {len(dictionary)} rows"
        elif isinstance(dictionary, (bytes, bytearray, memoryview)):
            _core.segmenter_load(self._seg, bytes(dictionary))
            self._source = "bytes"
        elif isinstance(dictionary, (str, os.PathLike)):
            path = Path(dictionary)
            if not path.is_file():
                raise FileNotFoundError(f"dictionary={str(dictionary)!r} is not a file")
            _core.segmenter_load(self._seg, path.read_bytes())
            self._source = str(path)
        else:
            raise TypeError("dictionary must be a path, bytes or a DataFrame (word, freq[, tag]), "
                            f"got {type(dictionary).__name__}")
        if hmm is not None:
            _core.segmenter_set_hmm(self._seg, *_hmm_arrays(hmm))

    @classmethod
    def from_jieba(cls) -> "Segmenter":
        """jieba's dictionary (``dict.txt``) and HMM tables, read from the
        installed ``jieba`` package; the same model ``jieba.cut`` uses."""
        try:
            from importlib import resources

            import jieba  # noqa: F401
            from jieba.finalseg import prob_emit, prob_start, prob_trans
        except ImportError as err:  # pragma: no cover - jieba is a test extra
            raise ImportError("Segmenter.from_jieba() needs jieba: pip install jieba") from err
        data = resources.files("jieba").joinpath("dict.txt").read_bytes()
        seg = cls(data, hmm={"start": prob_start.P, "trans": prob_trans.P, "emit": prob_emit.P})
        seg._source = "jieba"
        return seg

    def _put_frame(self, frame: pd.DataFrame) -> None:
        frame = check.frame(frame, "dictionary", ["word", "freq"])
        words = frame["word"]
        if words.isna().any() or not words.map(type).eq(str).all():
            raise TypeError("dictionary.word must hold str only")
        freq = pd.to_numeric(frame["freq"], errors="coerce")
        bad = freq.isna() | (freq < 0) | (freq != np.floor(freq))
        if bad.any():
            raise ValueError("dictionary.freq must hold whole numbers >= 0; rows "
                             f"{check.examples(np.flatnonzero(bad.to_numpy()).tolist())}")
        tags = None
        if "tag" in frame.columns:
            tags = frame["tag"].astype(object).where(frame["tag"].notna(), None).tolist()
        _core.segmenter_words(self._seg, words.tolist(), freq.to_numpy(np.int64), tags, "put")

    # -- the dictionary ---------------------------------------------------------
    @property
    def total(self) -> int:
        """jieba's ``total``: the sum of every frequency ever added."""
        return _core.segmenter_info(self._seg)[0]

    @property
    def has_hmm(self) -> bool:
        """True when HMM tables are loaded (``hmm=True`` works)."""
        return _core.segmenter_info(self._seg)[2]

    def __len__(self) -> int:
        """Number of words with a positive frequency."""
        return _core.segmenter_info(self._seg)[1]

    def __repr__(self) -> str:
        total, n, hmm, _ = _core.segmenter_info(self._seg)
        return f"<Segmenter {self._source}: {n:,} words, total {total:,}, HMM {'yes' if hmm else 'no'}>"

    def frequencies(self, words: Union[str, Sequence[str]]) -> pd.DataFrame:
        """``freq`` (jieba's ``FREQ.get(word)``; -1 when absent, 0 for a mere
        prefix or a deleted word) and ``tag`` of each word.

        >>> import pandas as pd
        >>> from qdacore.text import Segmenter
        >>> seg = Segmenter(pd.DataFrame({"word": ["城市群"], "freq": [40], "tag": ["n"]}))
        >>> seg.frequencies(["城市群", "城市", "乡村"])
              freq  tag
        word
        城市群     40    n
        城市       0  NaN
        乡村      -1  NaN
        """
        words = [words] if isinstance(words, str) else list(words)
        freq, tag = _core.segmenter_lookup(self._seg, words)
        names = np.array(_core.segmenter_info(self._seg)[3] + [np.nan], dtype=object)
        return pd.DataFrame({"freq": freq, "tag": names[tag]}, index=pd.Index(words, name="word"))

    def add_word(self, word: str, freq: Optional[int] = None, tag: Optional[str] = None) -> int:
        """Add (or re-weight) a word as jieba's ``add_word`` does; returns the
        frequency set. Without ``freq`` it is :meth:`suggest_freq` of the word, so
        the word is cut whole. A frequency of 0 removes the word and makes the HMM
        split it into characters (jieba's force-split list)."""
        if not isinstance(word, str) or not word:
            raise ValueError(f"word must be a non-empty str, got {word!r}")
        f = -1 if freq is None else check.whole(freq, "freq")
        if tag is not None and not isinstance(tag, str):
            raise TypeError(f"tag must be a str or None, got {type(tag).__name__}")
        return int(_core.segmenter_words(self._seg, [word], np.array([f]), [tag], "add")[0])

    def add_words(self, words: pd.DataFrame) -> np.ndarray:
        """:meth:`add_word` for every row of a DataFrame with ``word`` and
        optional ``freq`` (missing = suggested) and ``tag``, in order. Returns
        the frequencies set."""
        frame = check.frame(words, "words", ["word"])
        freq = frame["freq"] if "freq" in frame.columns else pd.Series(np.nan, index=frame.index)
        freq = pd.to_numeric(freq, errors="coerce")
        if ((freq < 0) | (freq != np.floor(freq)) & freq.notna()).any():
            raise ValueError("words.freq must hold whole numbers >= 0 or be missing")
        tags = None
        if "tag" in frame.columns:
            tags = frame["tag"].astype(object).where(frame["tag"].notna(), None).tolist()
        return _core.segmenter_words(self._seg, frame["word"].tolist(),
                                     freq.fillna(-1).to_numpy(np.int64), tags, "add")

    def load_userdict(self, path: Union[str, os.PathLike]) -> None:
        """jieba's ``load_userdict``: each line ``word [freq] [tag]`` (freq and tag
        optional; the word may contain spaces) is added with :meth:`add_word`."""
        lines = pd.Series(Path(path).read_text(encoding="utf-8").splitlines(), dtype=object)
        lines = lines.str.strip().str.lstrip("\ufeff")
        lines = lines[lines != ""]
        parts = lines.str.extract(r"^(.+?)( [0-9]+)?( [a-z]+)?$")
        self.add_words(pd.DataFrame({
            "word": parts[0].to_numpy(object),
            "freq": pd.to_numeric(parts[1].str.strip()).to_numpy(float),
            "tag": parts[2].str.strip().to_numpy(object),
        }))

    def del_word(self, word: str) -> None:
        """jieba's ``del_word``: ``add_word(word, 0)``."""
        self.add_word(word, 0)

    def suggest_freq(self, segment: Union[str, Sequence[str]], tune: bool = False) -> int:
        """jieba's ``suggest_freq``: for a str, the frequency that makes the word
        be cut whole; for a sequence of segments, the one that makes them be cut
        apart. With ``tune=True`` the word gets that frequency."""
        if isinstance(segment, str):
            word, ends = segment, None
        else:
            parts = list(segment)
            if not parts or not all(isinstance(p, str) for p in parts):
                raise TypeError("segment must be a str or a non-empty sequence of str")
            word = "".join(parts)
            ends = np.cumsum([len(p) for p in parts])
        freq = int(_core.segmenter_suggest(self._seg, word, ends))
        if tune:
            self.add_word(word, freq)
        return freq

    # -- segmenting ---------------------------------------------------------------
    def cut(self, text: Union[str, bytes], hmm: bool = True) -> list[str]:
        """The tokens of one text, as ``list(jieba.cut(text, HMM=hmm))``.

        ``text`` may be UTF-8 bytes; invalid bytes raise UnicodeDecodeError with
        the offset of the first bad byte.
        """
        return _core.cut(self._seg, text, "hmm" if hmm else "dag")

    def cut_all(self, text: Union[str, bytes]) -> list[str]:
        """jieba's full mode (``cut_all=True``): every dictionary word found, with
        the empty tokens jieba emits between white space left out."""
        return _core.cut(self._seg, text, "all")

    def tokenize_stream(self, source: Union[str, os.PathLike, Any], hmm: bool = True, *,
                        cut_all: bool = False, chunk_size: int = 1 << 22) -> Iterable[pd.DataFrame]:
        """The tokens of a UTF-8 file read piece by piece (see :func:`read_chunks`),
        in bounded memory: DataFrames with ``token``, ``start`` and ``end`` (code
        points in the whole file). Pieces end after line breaks, where jieba's
        segmentation restarts anyway, so the tokens are those of the whole text."""
        return _stream_frames((offset, self.tokenize(text, hmm, cut_all=cut_all))
                              for offset, text in read_chunks(source, chunk_size))

    def tokenize(self, texts: Texts, hmm: bool = True, *, cut_all: bool = False) -> pd.DataFrame:
        """Tokens of many texts at once, with their offsets.

        Parameters
        ----------
        texts : str, bytes, sequence of them, or Series
            A Series lends its index to the ``text`` column.
        hmm, cut_all : bool
            The mode, as in :meth:`cut` and :meth:`cut_all`.

        Returns
        -------
        DataFrame
            ``text`` (label), ``token`` (categorical), ``start`` and ``end``
            (code points, ``texts[i][start:end] == token``), in text order.
        """
        values, labels = _texts(texts)
        mode = "all" if cut_all else ("hmm" if hmm else "dag")
        indptr, token, start, end, vocab = _core.tokenize(self._seg, values, mode)
        return _frame(labels, indptr, {
            "token": _distinct_categorical(token, vocab),
            "start": start, "end": end})


def _stream_frames(frames: Iterable[tuple[int, pd.DataFrame]]) -> Iterable[pd.DataFrame]:
    """Shift the offsets of per-piece tables by the pieces' offsets."""
    for offset, frame in frames:
        frame = frame.drop(columns="text")
        frame["start"] += offset
        frame["end"] += offset
        yield frame


class Matcher:
    """Dictionary matching: every occurrence of many patterns in many texts, by
    an Aho-Corasick automaton over code points in C.

    Parameters
    ----------
    patterns : sequence of str
        The patterns (keywords). Any character may appear, NUL included; a
        pattern must not be empty. A pattern listed twice reports its first
        position.
    fold_case : bool
        Compare Latin letters case-insensitively (ASCII, Latin-1, Latin
        Extended-A and fullwidth letters; offsets are unchanged).

    Examples
    --------
    >>> from qdacore.text import Matcher
    >>> m = Matcher(["都市圈", "都市", "副中心", "GDP"], fold_case=True)
    >>> m.find(["建设都市圈副中心", "gdp 增长"])
       text  start  end pattern
    0     0      2    4      都市
    1     0      2    5     都市圈
    2     0      5    8     副中心
    3     1      0    3     GDP
    >>> m.find("建设都市圈", overlapping=False)
       text  start  end pattern
    0     0      2    5     都市圈
    """

    def __init__(self, patterns: Sequence[str], *, fold_case: bool = False) -> None:
        if isinstance(patterns, (str, bytes)):
            raise TypeError("patterns must be a sequence of str, not one string; wrap it in a list")
        if isinstance(patterns, pd.Series):
            patterns = patterns.tolist()
        self._patterns = list(patterns)
        self._fold = bool(fold_case)
        self._m = _core.matcher_new(self._patterns, self._fold)
        codes, self._categories = pd.factorize(pd.Index(self._patterns, dtype=object))
        self._code = codes.astype(np.int64)

    @property
    def patterns(self) -> list[str]:
        """The patterns as given."""
        return list(self._patterns)

    @property
    def nbytes(self) -> int:
        """Memory held by the automaton (every array it owns), in bytes."""
        return _core.matcher_info(self._m)[0]

    def __len__(self) -> int:
        return len(self._patterns)

    def __repr__(self) -> str:
        size, nodes = _core.matcher_info(self._m)
        return (f"<Matcher: {len(self._patterns):,} patterns, {nodes:,} states, "
                f"{size / 2**20:.1f} MiB{', case-folded' if self._fold else ''}>")

    def find_stream(self, source: Union[str, os.PathLike, Any], overlapping: bool = True, *,
                    chunk_size: int = 1 << 22) -> Iterable[pd.DataFrame]:
        """The matches in a UTF-8 file read piece by piece (see
        :func:`read_chunks`), in bounded memory: DataFrames with ``start``, ``end``
        (code points in the whole file) and ``pattern``. Patterns must not
        contain a line break (pieces end after one)."""
        if any("\n" in p for p in self._patterns):
            raise ValueError("patterns contain a line break; find_stream cuts the file after "
                             "line breaks, so read the file whole and use find()")
        return _stream_frames((offset, self.find(text, overlapping))
                              for offset, text in read_chunks(source, chunk_size))

    def find_arrays(self, texts: Texts, overlapping: bool = True) -> dict[str, np.ndarray]:
        """The matches as int64 arrays ``text`` (position of the text), ``start``,
        ``end`` and ``pattern`` (position in :attr:`patterns`)."""
        values, _ = _texts(texts)
        text, start, end, pattern = _core.find(self._m, values, bool(overlapping))
        return {"text": text, "start": start, "end": end, "pattern": pattern}

    def find(self, texts: Texts, overlapping: bool = True) -> pd.DataFrame:
        """The matches in texts as a DataFrame, with no Python object per match.

        Parameters
        ----------
        texts : str, bytes, sequence of them, or Series
            A Series lends its index to the ``text`` column.
        overlapping : bool
            True: every occurrence of every pattern (ordered by end, then start).
            False: leftmost-longest without overlaps (from the left, the longest
            pattern at the first position where one starts, then on after it).

        Returns
        -------
        DataFrame
            ``text`` (label), ``start``, ``end`` (code points) and ``pattern``
            (categorical of the patterns).
        """
        values, labels = _texts(texts)
        text, start, end, pattern = _core.find(self._m, values, bool(overlapping))
        return pd.DataFrame({
            "text": labels.take(text), "start": start, "end": end,
            "pattern": pd.Categorical.from_codes(self._code[pattern], categories=self._categories),
        })


def kwic(texts: Texts, patterns: Union[Sequence[str], Matcher], width: int = 10, *,
         overlapping: bool = False, fold_case: bool = False) -> pd.DataFrame:
    """Keyword in context: each match with the text on either side.

    Parameters
    ----------
    texts : str, bytes, sequence of them, or Series
    patterns : sequence of str or Matcher
    width : int
        Characters of context on each side (fewer at the ends of a text).
    overlapping, fold_case
        As in :class:`Matcher` (leftmost-longest matches by default).

    Returns
    -------
    DataFrame
        ``text``, ``start``, ``end``, ``pattern``, then ``left``, ``keyword``
        (the text as it appears) and ``right``.

    Examples
    --------
    >>> from qdacore.text import kwic
    >>> kwic(["推进成渝地区双城经济圈建设，打造带动全国高质量发展的重要增长极"],
    ...      ["双城经济圈", "增长极"], width=4)[["left", "keyword", "right"]]
       left keyword right
    0  成渝地区   双城经济圈  建设，打
    1  展的重要     增长极
    """
    width = check.whole(width, "width")
    matcher = patterns if isinstance(patterns, Matcher) else Matcher(patterns, fold_case=fold_case)
    values, labels = _texts(texts)
    text, start, end, pattern = _core.find(matcher._m, values, bool(overlapping))
    out = pd.DataFrame({
        "text": labels.take(text), "start": start, "end": end,
        "pattern": pd.Categorical.from_codes(matcher._code[pattern], categories=matcher._categories),
    })
    out["left"] = _core.slices(values, text, start - width, start)
    out["keyword"] = _core.slices(values, text, start, end)
    out["right"] = _core.slices(values, text, end, end + width)
    return out


# -- term matrices and co-words --------------------------------------------------
N_CODE_POINTS = 0x110000
Tokenizer = Union[str, Segmenter]


class _Stream(NamedTuple):
    """Documents as token ids in CSR form, and how to spell the ids."""

    indptr: np.ndarray
    tokens: np.ndarray
    n_vocab: int
    strings: Optional[list]  # token strings by id; None: ids are code points
    labels: pd.Index
    joiner: int  # code point between tokens of an n-gram, -1 for none


def _stream(texts: Any, tokenizer: Tokenizer, hmm: bool) -> _Stream:
    """Token ids of texts: characters, a Segmenter's words, or a tokens table
    from :meth:`Segmenter.tokenize` (columns ``text`` and ``token``)."""
    if isinstance(texts, pd.DataFrame):
        if not {"text", "token"} <= set(texts.columns):
            raise ValueError("a tokens table needs the columns 'text' and 'token' "
                             "(as Segmenter.tokenize returns)")
        token = texts["token"]
        if not isinstance(token.dtype, pd.CategoricalDtype):
            token = token.astype("category")
        codes, labels = pd.factorize(texts["text"])
        if len(codes) > 1 and (np.diff(codes) < 0).any():
            raise ValueError("the tokens table must keep each text's rows together, in order")
        indptr = np.zeros(len(labels) + 1, dtype=np.int64)
        np.cumsum(np.bincount(codes, minlength=len(labels)), out=indptr[1:])
        categories = token.cat.categories.astype(str).tolist()
        return _Stream(indptr, token.cat.codes.to_numpy(np.int64), len(categories), categories,
                       pd.Index(labels, name="text"), ord(" "))
    values, labels = _texts(texts)
    if isinstance(tokenizer, Segmenter):
        indptr, ids, _, _, vocab = _core.tokenize(tokenizer._seg, values, "hmm" if hmm else "dag")
        return _Stream(indptr, ids, len(vocab), vocab.tolist(), labels, ord(" "))
    if isinstance(tokenizer, str) and tokenizer == "char":
        indptr, cps = _core.char_tokens(values)
        return _Stream(indptr, cps, N_CODE_POINTS, None, labels, -1)
    raise ValueError(f"tokenizer must be 'char' or a Segmenter, got {tokenizer!r}")


def _keep(strings: Optional[list], stop_words: Optional[Iterable[str]]) -> Optional[np.ndarray]:
    """A keep mask over token ids (code points when strings is None) without
    the stop words, or None."""
    if stop_words is None:
        return None
    if isinstance(stop_words, str):
        raise TypeError("stop_words must be a collection of str, not one str")
    stop = pd.Index(list(stop_words), dtype=object)
    if strings is not None:
        return ~pd.Index(strings, dtype=object).isin(stop)
    lengths = stop.str.len()
    if len(stop) and (lengths != 1).any():
        raise ValueError("with tokenizer='char', stop_words must be single characters")
    keep = np.ones(N_CODE_POINTS, dtype=bool)
    joined = "".join(stop.tolist()).encode("utf-32-le", "surrogatepass")
    keep[np.frombuffer(joined, dtype="<u4")] = False
    return keep


class TermMatrix(NamedTuple):
    """A document-term matrix: ``matrix`` (scipy.sparse CSR, documents x terms),
    ``terms`` (Index named ``term``, sorted as scikit-learn sorts its
    vocabulary) and ``documents`` (Index named ``text``)."""

    matrix: Any
    terms: pd.Index
    documents: pd.Index

    def to_frame(self) -> pd.DataFrame:
        """The matrix as a dense DataFrame (documents x terms); for small corpora."""
        return pd.DataFrame(self.matrix.toarray(), index=self.documents, columns=self.terms)


def _doc_count(value: Any, name: str, n_docs: int) -> float:
    """scikit-learn's reading of min_df/max_df: an int is a number of
    documents, a float in [0, 1] a share of them."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be an int or a float in [0, 1], got a bool")
    if isinstance(value, (int, np.integer)):
        if value < 0:
            raise ValueError(f"{name} must be >= 0, got {value}")
        return float(value)
    if isinstance(value, (float, np.floating)) and 0.0 <= value <= 1.0:
        return float(value) * n_docs
    raise ValueError(f"{name} must be an int >= 0 or a float in [0, 1], got {value!r}")


def term_matrix(texts: Any, tokenizer: Tokenizer = "char", *, ngram_range: tuple[int, int] = (1, 1),
                min_df: Union[int, float] = 1, max_df: Union[int, float] = 1.0,
                stop_words: Optional[Iterable[str]] = None, tfidf: bool = False,
                hmm: bool = True, threads: Optional[int] = None) -> TermMatrix:
    """Document-term counts of characters or words and their n-grams, in C.

    Equal to scikit-learn's ``CountVectorizer`` (``lowercase=False``) with
    ``analyzer="char"`` for ``tokenizer="char"``, and with the Segmenter's
    tokens as ``tokenizer`` otherwise: the same vocabulary in the same order
    and the same counts.

    Parameters
    ----------
    texts : str, bytes, sequence of them, Series, or tokens table
        A tokens table is the DataFrame of :meth:`Segmenter.tokenize`.
    tokenizer : "char" or Segmenter
        Characters (runs of two or more white-space characters count as one
        space, as in scikit-learn), or the words of a :class:`Segmenter`.
    ngram_range : (min_n, max_n)
        n-grams of min_n to max_n consecutive tokens; word n-grams are spelled
        with spaces between the words, as scikit-learn spells them.
    min_df, max_df : int or float
        Keep terms found in at least ``min_df`` and at most ``max_df`` texts
        (an int counts texts, a float in [0, 1] is a share of them).
    stop_words : collection of str, optional
        Tokens removed before n-grams are formed (so n-grams close over them).
    tfidf : bool
        Weight by TF-IDF as scikit-learn's ``TfidfTransformer`` does by default
        (smooth idf = ln((1 + n) / (1 + df)) + 1, rows scaled to unit length).
    hmm : bool
        Passed to the Segmenter.
    threads : int, optional
        Character n-grams are counted on up to this many threads (parts of
        at least 65,536 n-grams); None uses every CPU the process may run on.
        The matrix is the same for any value; pass 1 when the caller runs
        its own threads or processes.

    Returns
    -------
    TermMatrix

    Examples
    --------
    >>> from qdacore.text import term_matrix
    >>> tm = term_matrix(["城市群城市", "城市"], ngram_range=(1, 2))
    >>> tm.terms.tolist()
    ['城', '城市', '市', '市群', '群', '群城']
    >>> tm.matrix.toarray()
    array([[2, 2, 2, 1, 1, 1],
           [1, 1, 1, 0, 0, 0]])
    """
    import scipy.sparse as sp

    try:
        min_n, max_n = (check.whole(v, "ngram_range", 1) for v in ngram_range)
    except TypeError:
        raise TypeError(f"ngram_range must be a pair of ints, got {ngram_range!r}") from None
    if max_n < min_n:
        raise ValueError(f"ngram_range=({min_n}, {max_n}): min_n must not exceed max_n")
    n_threads = check.threads(threads)
    chars = isinstance(tokenizer, str) and tokenizer == "char" and not isinstance(texts, pd.DataFrame)
    if chars:
        values, labels = _texts(texts)
    else:
        stream = _stream(texts, tokenizer, hmm)
        labels = stream.labels
    n_docs = len(labels)
    if n_docs == 0:
        raise ValueError("texts is empty: a term matrix needs at least one text")
    low, high = _doc_count(min_df, "min_df", n_docs), _doc_count(max_df, "max_df", n_docs)
    if high < low:
        raise ValueError("max_df corresponds to fewer documents than min_df")
    packed = None
    if chars:  # straight from the texts, counted by sorting, columns in order
        packed = _core.count_char_ngrams(values, _keep(None, stop_words), min_n, max_n,
                                         n_threads)
        if packed is None:  # n-grams too long to pack: the hashed route
            stream = _stream(texts, tokenizer, hmm)
    if packed is not None:
        indptr, columns, data, terms, df = packed
        matrix = sp.csr_matrix((data, columns, indptr), shape=(n_docs, len(terms)))
    else:
        kept_tokens = _keep(stream.strings, stop_words)
        indptr, grams, data, terms, rank = _core.count_ngrams(
            stream.indptr, stream.tokens, stream.n_vocab, kept_tokens, min_n, max_n,
            stream.strings, stream.joiner)
        matrix = sp.csr_matrix((data, rank[grams], indptr), shape=(n_docs, len(terms)))
        if len(terms) < len(rank):
            matrix.sum_duplicates()  # n-grams whose strings coincide share a column
        df = np.bincount(matrix.indices, minlength=len(terms))
    keep = (df >= low) & (df <= high)
    if not keep.any():
        raise ValueError("no terms remain: the texts are empty, only stop words, or "
                         "min_df/max_df leave nothing; lower min_df or raise max_df")
    terms_index = pd.Index(terms, dtype=object, name="term", copy=False)
    if not keep.all():
        matrix = matrix[:, np.flatnonzero(keep)]
        terms_index = terms_index[keep]
    if tfidf:
        df_kept = df[keep]
        idf = np.log((1.0 + n_docs) / (1.0 + df_kept)) + 1.0
        matrix = matrix.astype(np.float64) @ sp.diags(idf)
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        matrix = sp.csr_matrix(sp.diags(1.0 / norms) @ matrix)
    return TermMatrix(sp.csr_matrix(matrix), terms_index, labels)


def similarity(matrix: Union[TermMatrix, Any], metric: str = "cosine", *,
               documents: Optional[Sequence[Any]] = None) -> pd.DataFrame:
    """Document-by-document similarity of a term matrix.

    Parameters
    ----------
    matrix : TermMatrix or scipy.sparse matrix
    metric : {"cosine", "jaccard"}
        ``"cosine"``: cosine of the term vectors (0 for an empty document), as
        scikit-learn's ``cosine_similarity``. ``"jaccard"``: shared terms over
        terms of either document (term presence only).
    documents : sequence, optional
        Labels for a bare sparse matrix.

    Returns
    -------
    DataFrame
        Square, both axes the documents.

    Examples
    --------
    >>> from qdacore.text import similarity, term_matrix
    >>> similarity(term_matrix(["城市群", "城市", "乡村"]), "jaccard").round(3)
    text      0      1    2
    text
    0     1.000  0.667  0.0
    1     0.667  1.000  0.0
    2     0.000  0.000  1.0
    """
    import scipy.sparse as sp

    check.choice(metric, "metric", ("cosine", "jaccard"))
    if isinstance(matrix, TermMatrix):
        labels = matrix.documents
        x = sp.csr_matrix(matrix.matrix, dtype=np.float64)
    else:
        x = sp.csr_matrix(matrix, dtype=np.float64)
        labels = pd.RangeIndex(x.shape[0], name="text") if documents is None else pd.Index(documents)
    if len(labels) != x.shape[0]:
        raise ValueError(f"documents has {len(labels)} labels for {x.shape[0]} rows")
    if metric == "cosine":
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        scale = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
        y = sp.diags(scale) @ x
        values = (y @ y.T).toarray()
    else:
        b = (x != 0).astype(np.float64)
        inter = (b @ b.T).toarray()
        sizes = np.asarray(b.sum(axis=1)).ravel()
        union = sizes[:, None] + sizes[None, :] - inter
        values = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
        np.fill_diagonal(values, 1.0)
    return pd.DataFrame(values, index=labels, columns=labels)


def cooccurrence(texts: Any, window: Optional[int] = 5, tokenizer: Tokenizer = "char", *,
                 stop_words: Optional[Iterable[str]] = None, min_count: int = 1,
                 hmm: bool = True, threads: Optional[int] = None) -> pd.DataFrame:
    """Co-word counts, as the edges of a co-word network.

    Parameters
    ----------
    texts : str, bytes, sequence of them, Series, or tokens table
        As in :func:`term_matrix`.
    window : int or None
        ``window=w`` counts two tokens as co-occurring when they are fewer
        than ``w`` positions apart in a text (each token pairs with the next
        ``w - 1``, nltk's ``window_size``); every such pair of positions counts.
        None counts each text once for every two distinct tokens in it.
    tokenizer : "char" or Segmenter
    stop_words : collection of str, optional
        Tokens removed first (the window closes over them).
    min_count : int
        Leave out pairs counted fewer times.
    threads : int, optional
        Windows are counted on up to this many threads (ranges of tokens of
        at least 65,536 positions each); None uses every CPU the process may
        run on. The counts are the same for any value; pass 1 when the
        caller runs its own threads or processes.

    Returns
    -------
    DataFrame
        ``source``, ``target`` (source < target; ordered categorical columns
        whose categories are the tokens, sorted), ``count`` (int32); the
        highest counts first, then by source and target. Pairs of a token
        with itself are not counted. Memory is proportional to the number of
        distinct pairs.

    Raises
    ------
    OverflowError
        When a pair would count more than 2,147,483,647 times (it takes a
        window of thousands over a token of a million places).

    Examples
    --------
    >>> import pandas as pd
    >>> from qdacore.text import Segmenter, cooccurrence
    >>> seg = Segmenter(pd.DataFrame({"word": ["城市", "乡村", "融合", "发展"],
    ...                               "freq": [9, 9, 9, 9]}))
    >>> cooccurrence(["城市乡村融合发展"], window=2, tokenizer=seg, hmm=False)
      source target  count
    0     乡村     城市      1
    1     乡村     融合      1
    2     发展     融合      1
    """
    if window is None:
        w = 0
    else:
        w = check.whole(window, "window", 2)
    min_count = check.whole(min_count, "min_count", 1)
    n_threads = check.threads(threads)
    stream = _stream(texts, tokenizer, hmm)
    keep = _keep(stream.strings, stop_words)
    # Tokens renumbered by the code point order of their strings (as str
    # comparison orders them): the C core then returns the pairs with
    # source < target, sorted by (source, target), and strings are made once
    # at the end.
    if stream.strings is None:  # code points: their value is their rank
        ranked, names = stream.tokens, None
    else:
        by_name = _core.string_order(stream.strings)
        rank = np.empty(len(by_name), dtype=np.int64)
        rank[by_name] = np.arange(len(by_name))
        ranked = rank[stream.tokens]
        keep = None if keep is None else keep[by_name]
        names = np.asarray(stream.strings, dtype=object)[by_name]
    row_start, target, count = _core.count_pairs(stream.indptr, ranked, stream.n_vocab, keep, w,
                                                 n_threads)
    # highest counts first, (source, target) order within a count (counts
    # are int32: a min_count past them keeps nothing, as 2^31 does)
    source, target, count = _core.pairs_by_count(row_start, target, count,
                                                 min(min_count, 2**31))
    if names is None:  # the code points in use, as the categories
        used = np.zeros(N_CODE_POINTS, dtype=bool)
        used[source] = used[target] = True
        cps = np.flatnonzero(used)
        lookup = np.zeros(N_CODE_POINTS, dtype=np.int64)
        lookup[cps] = np.arange(len(cps))
        source, target = lookup[source], lookup[target]
        names = np.frombuffer(cps.astype("<u4").tobytes(), dtype="<U1").tolist()
    # categorical columns, one str per distinct token rather than per row,
    # ordered as the strings are (so source < target compares as str)
    edges = pd.DataFrame({"source": _distinct_categorical(source, names, ordered=True),
                          "target": _distinct_categorical(target, names, ordered=True),
                          "count": count}, copy=False)
    return edges.reset_index(drop=True)


# -- planning documents into items -------------------------------------------------
_NUM = "一二三四五六七八九十百零〇两0-9０-９"
_CHAPTER = rf"^第[{_NUM}]+[章篇部]"
_SECTION = rf"^第[{_NUM}]+节"
_SUBHEAD = rf"^[（(][{_NUM}]+[）)]"
_ITEM_MARK = rf"^(?:[0-9０-９]+[.．、)）]|[{_NUM}]+、|[•●○■□◆◇▪·\-*])"
_TERMINATORS = "。！？；!?;"
_SPACES = " \t\r\f\v\u3000\xa0"


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")


def _strip(cps: np.ndarray, start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Spans without leading and trailing white space (empty spans collapse to
    start == end)."""
    n = len(cps)
    solid = ~np.isin(cps, _code_points(_SPACES + "\n"))
    idx = np.arange(n)
    next_solid = np.minimum.accumulate(np.where(solid, idx, n)[::-1])[::-1]
    prev_solid = np.maximum.accumulate(np.where(solid, idx, -1))
    next_solid = np.append(next_solid, n)
    a = next_solid[np.minimum(start, n)]
    b = np.where(end > 0, prev_solid[np.maximum(end - 1, 0)] + 1, 0)
    empty = a >= end
    return np.where(empty, start, a), np.where(empty, start, np.maximum(b, a))


def sentence_spans(text: str, start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each span [start, end) of ``text``, the sentence around it: from after
    the previous sentence end (。！？；!?; or a line break) to the next one,
    inclusive."""
    cps = _code_points(text)
    stops = np.flatnonzero(np.isin(cps, _code_points(_TERMINATORS + "\n")))
    i = np.searchsorted(stops, np.asarray(start), side="left")
    left = np.where(i > 0, stops[np.maximum(i - 1, 0)] + 1, 0)
    j = np.searchsorted(stops, np.maximum(np.asarray(end) - 1, np.asarray(start)), side="left")
    right = np.where(j < len(stops), stops[np.minimum(j, len(stops) - 1)] + 1, len(cps))
    return _strip(cps, left, right)


def split_items(text: str, doc: str, rule: Union[str, "re.Pattern[str]"] = "paragraph") -> pd.DataFrame:
    r"""Split a Chinese planning document into items ``DOC:1``, ``DOC:2``, ...
    with their offsets.

    The usual structure is recognised: chapter headings (``第三章 ...``, also
    ``第X篇``/``第X部分``), section headings (``第二节 ...``) and short
    sub-headings without a full stop (``（一）优化空间格局``) are not items but
    name the items under them (columns ``chapter``, ``section``, ``heading``);
    numbered (``1.``, ``一、``, ``（二）...。``) and bulleted lines are items.

    Parameters
    ----------
    text : str
        The document.
    doc : str
        The document id, the prefix of the item ids.
    rule : "paragraph", "clause" or a regular expression
        ``"paragraph"``: each non-heading line is an item. ``"clause"``: each
        sentence or clause of those lines, ended by 。！？； (kept with it). A
        regular expression (str or compiled) splits the text where it matches
        (the separators are left out); headings are not looked for then.

    Returns
    -------
    DataFrame
        ``item``, ``doc``, ``number`` (from 1), ``start``, ``end`` (code points:
        ``text[start:end]`` is the item, stripped of white space), ``text``,
        ``chapter``, ``section``, ``heading``.

    Examples
    --------
    >>> from qdacore.text import split_items
    >>> plan = "第三章 空间布局\n第一节 优化格局\n（一）构建都市圈\n1. 培育副中心。\n2. 建设发展轴；完善网络。\n"
    >>> items = split_items(plan, "YN")
    >>> items[["item", "start", "end", "text"]]
       item  start  end            text
    0  YN:1     27   36       1. 培育副中心。
    1  YN:2     37   51  2. 建设发展轴；完善网络。
    >>> items.loc[0, ["chapter", "section", "heading"]].tolist()
    ['第三章 空间布局', '第一节 优化格局', '（一）构建都市圈']
    >>> split_items(plan, "YN", rule="clause")["text"].tolist()
    ['1. 培育副中心。', '2. 建设发展轴；', '完善网络。']
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    if not isinstance(doc, str) or not doc:
        raise ValueError(f"doc must be a non-empty str (the document id), got {doc!r}")
    cps = _code_points(text)
    n = len(cps)
    if isinstance(rule, str) and rule in ("paragraph", "clause"):
        breaks = np.flatnonzero(cps == 10)
        start, end = _strip(cps, np.r_[0, breaks + 1], np.r_[breaks, n])
        keep = end > start
        start, end = start[keep], end[keep]
        lines = pd.Series(_core.slices(text, np.zeros(len(start), np.int64), start, end), dtype=object)
        chapter = lines.str.match(_CHAPTER)
        section = lines.str.match(_SECTION) & ~chapter
        short = ~lines.str.contains(f"[{_TERMINATORS}]") & (lines.str.len() <= 40)
        heading = lines.str.match(_SUBHEAD) & short & ~chapter & ~section
        context = {}
        for name, flag, resets in (("chapter", chapter, []), ("section", section, [chapter]),
                                   ("heading", heading, [chapter, section])):
            col = lines.where(flag)
            for reset in resets:
                col = col.mask(reset, "")
            context[name] = col.ffill().replace("", np.nan)
        is_item = ~(chapter | section | heading)
        start, end = start[is_item.to_numpy()], end[is_item.to_numpy()]
        ctx = {k: v[is_item].to_numpy(object) for k, v in context.items()}
        if rule == "clause" and len(start):
            stops = np.flatnonzero(np.isin(cps, _code_points(_TERMINATORS))) + 1
            line_of = np.searchsorted(start, stops, side="right") - 1
            inside = (line_of >= 0) & (stops < end[np.maximum(line_of, 0)])
            cut_at, cut_line = stops[inside], line_of[inside]
            lines_idx = np.arange(len(start))
            cuts = pd.DataFrame({"line": np.r_[lines_idx, cut_line], "at": np.r_[start, cut_at]})
            cuts = cuts.sort_values(["line", "at"], kind="stable")
            line = cuts["line"].to_numpy()
            a = cuts["at"].to_numpy()
            nxt = np.r_[a[1:], 0]
            last = np.r_[line[1:] != line[:-1], True]
            b = np.where(last, end[line], nxt)
            a, b = _strip(cps, a, b)
            keep = b > a
            start, end = a[keep], b[keep]
            ctx = {k: v[line[keep]] for k, v in ctx.items()}
    else:
        pattern = re.compile(rule) if isinstance(rule, str) else rule
        if not isinstance(pattern, re.Pattern):
            raise ValueError("rule must be 'paragraph', 'clause' or a regular expression, "
                             f"got {rule!r}")
        spans = np.fromiter(itertools.chain.from_iterable(map(re.Match.span, pattern.finditer(text))),
                            dtype=np.int64).reshape(-1, 2)
        start, end = _strip(cps, np.r_[0, spans[:, 1]], np.r_[spans[:, 0], n])
        keep = end > start
        start, end = start[keep], end[keep]
        ctx = {k: np.full(len(start), np.nan, dtype=object) for k in ("chapter", "section", "heading")}
    number = np.arange(1, len(start) + 1, dtype=np.int64)
    return pd.DataFrame({
        "item": pd.Series(number).astype(str).radd(f"{doc}:").to_numpy(object),
        "doc": np.full(len(start), doc, dtype=object),
        "number": number, "start": start.astype(np.int64), "end": end.astype(np.int64),
        "text": np.asarray(_core.slices(text, np.zeros(len(start), np.int64), start, end), dtype=object),
        **ctx,
    })


# -- dictionary coding ---------------------------------------------------------------
SCOPES = ("match", "sentence", "item")


def _keyword_table(codebook: Any, keywords: Any, level: Optional[str], language: str) -> pd.DataFrame:
    """(code, keyword) rows from the codebook's keyword lists or from keywords."""
    codes = codebook.codes
    if keywords is None:
        column = next((c for c in (f"keywords_{language}", "keywords") if c in codes.columns), None)
        if column is None:
            raise ValueError(f"the codebook has no keywords_{language} or keywords column; "
                             "pass keywords= (a DataFrame with code and keyword, or a dict)")
        rows = codes
        if level is not None:
            if level not in codebook.levels:
                raise ValueError(f"level={level!r} is not a hierarchy level "
                                 f"({check.examples(codebook.levels)})")
            rows = codes[codes["level"] == level]
        rows = rows.loc[rows[column].notna(), ["code", column]]
        table = rows.assign(keyword=rows[column].str.split("|")).explode("keyword")
    elif isinstance(keywords, Mapping):
        table = pd.DataFrame({"code": list(keywords), "keyword": [
            [v] if isinstance(v, str) else list(v) for v in keywords.values()]}).explode("keyword")
    else:
        table = check.frame(keywords, "keywords", ["code", "keyword"])
    table = table[["code", "keyword"]].dropna()
    table = table[table["keyword"].astype(str).str.strip() != ""].drop_duplicates()
    if table.empty:
        raise ValueError("no keywords to code with; the keyword lists are empty")
    check.positions(table["code"], codebook.code_index, "keywords.code", "codebook.code")
    return table.reset_index(drop=True)


def autocode(project: Any, keywords: Any = None, level: Optional[str] = "subtheme",
             scope: str = "match", coder: str = "dictionary", *, language: str = "zh",
             fold_case: bool = False) -> Any:
    """Dictionary coding: code the project's items where their text holds a
    code's keywords; see :meth:`qdacore.Project.autocode`."""
    from .project import Project

    check.choice(scope, "scope", SCOPES)
    if not isinstance(coder, str) or not coder:
        raise ValueError(f"coder must be a non-empty str, got {coder!r}")
    items, codings = project.items, project.codings
    if "text" not in items.columns:
        raise ValueError("items has no 'text' column to code; add the item texts first")
    if "coder" in codings.columns and (codings["coder"] == coder).any():
        raise ValueError(f"coder={coder!r} already has codings in this project; pick another name")
    table = _keyword_table(project.codebook, keywords, level, language)
    words = pd.Index(table["keyword"].unique(), dtype=object)
    values, _ = _texts(items["text"])
    found = Matcher(words.tolist(), fold_case=fold_case).find_arrays(values, overlapping=False)
    hits = pd.DataFrame({"row": found["text"], "start": found["start"], "end": found["end"],
                         "keyword": words[found["pattern"]]}).merge(table, on="keyword")
    if scope == "sentence" and len(hits):
        joined = "\n".join("" if v is None else v for v in values)
        lengths = items["text"].fillna("").str.len().to_numpy(np.int64)
        base = np.r_[0, np.cumsum(lengths + 1)[:-1]]
        offset = base[hits["row"].to_numpy()]
        a, b = sentence_spans(joined, hits["start"].to_numpy() + offset, hits["end"].to_numpy() + offset)
        hits["start"], hits["end"] = a - offset, b - offset
    elif scope == "item":
        hits["start"] = 0
        hits["end"] = items["text"].str.len().to_numpy()[hits["row"].to_numpy()]
    new = pd.DataFrame({
        "item": items["item"].to_numpy()[hits["row"].to_numpy()],
        "code": hits["code"].to_numpy(), "coder": coder,
        "start": hits["start"].to_numpy(np.int64), "end": hits["end"].to_numpy(np.int64),
    }).drop_duplicates().sort_values(["item", "start", "code"], kind="stable")
    combined = pd.concat([codings, new], ignore_index=True)
    return Project(project.codebook, project.documents, items, combined,
                   name=f"{project.name} + {coder}")
