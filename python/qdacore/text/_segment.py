"""Chinese word segmentation: :class:`Segmenter`, jieba's dictionary and HMM
in C, and :func:`token_ids`, a segmenter's tokens as the ids the term
matrices and co-word counts take."""
from __future__ import annotations

import hashlib
import os
import pickle
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, Optional, Union

import numpy as np
import pandas as pd

from .. import _core
from .. import _validate as check
from ._input import Texts, distinct_categorical, read_chunks, stream_frames, texts_and_labels

#: jieba's finalseg.MIN_FLOAT: the log probability of what the HMM never saw.
MIN_FLOAT = -3.14e100
_STATES = "BEMS"  # the order the C core keeps HMM states in


def _hmm_arrays(hmm_model: Mapping[str, Any]) -> tuple:
    """jieba-style HMM dicts (start, trans, emit: state -> log probability
    tables) as the arrays the C core takes."""
    try:
        start, trans, emit = hmm_model["start"], hmm_model["trans"], hmm_model["emit"]
    except (KeyError, TypeError):
        raise ValueError("hmm_model must be a mapping with keys 'start', 'trans' and 'emit' "
                         "(jieba's finalseg prob_start.P, prob_trans.P, prob_emit.P)") from None
    start_arr = np.array([float(start.get(s, MIN_FLOAT)) for s in _STATES])
    trans_arr = np.array([[float(trans.get(a, {}).get(b, MIN_FLOAT)) for b in _STATES]
                          for a in _STATES])
    table = pd.DataFrame({s: pd.Series(emit.get(s, {}), dtype=float) for s in _STATES})
    table = table.fillna(MIN_FLOAT)
    chars = table.index.astype(str)
    if len(chars) and (chars.str.len() != 1).any():
        raise ValueError("hmm_model['emit'] keys must be single characters")
    cps = np.frombuffer("".join(chars).encode("utf-32-le", "surrogatepass"), dtype="<u4")
    return start_arr, trans_arr, cps.astype(np.uint32), table[list(_STATES)].to_numpy()


def _frame(labels: pd.Index, indptr: np.ndarray, columns: dict) -> pd.DataFrame:
    """A long table whose rows belong to texts by CSR ``indptr``: a ``text``
    column with each row's text label, then ``columns`` (fresh arrays that
    the table takes over: no copy, no consolidation into one block)."""
    text = labels.take(np.repeat(np.arange(len(labels)), np.diff(indptr)))
    out = {"text": text}
    out.update(columns)
    return pd.DataFrame(out, copy=False)


class Segmenter:
    """Chinese word segmentation with jieba's model, in C.

    ``cut(text, hmm=...)`` returns exactly the tokens of jieba 0.42.1's
    ``Tokenizer.cut`` for the same dictionary and HMM tables: the route of
    highest probability through the dictionary's words, the HMM (Viterbi) for
    runs of characters the dictionary does not join, and jieba's handling of
    Latin letters, digits, punctuation and white space. ``add_word``,
    ``del_word`` and ``suggest_freq`` change the dictionary exactly as jieba's
    do.

    Threads may read with one Segmenter at once (``cut``, ``tokenize``,
    ``frequencies``); a change to its dictionary needs it to itself, and a
    change and a read that would overlap raise ``RuntimeError`` instead
    (see "Sharing a Segmenter or a Matcher between threads" in the text guide).

    Parameters
    ----------
    dictionary : path, bytes or DataFrame, optional
        A jieba dictionary file (``word freq [tag]`` lines, UTF-8), its bytes,
        or a DataFrame with columns ``word``, ``freq`` and optionally ``tag``.
        As in jieba, a word listed twice keeps its last frequency and every
        listed frequency adds to the total. None gives an empty dictionary.
    hmm_model : mapping, optional
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

    With jieba's own dictionary and HMM (jieba must be installed), see
    :meth:`from_jieba`.
    """

    def __init__(self, dictionary: Union[str, os.PathLike, bytes, pd.DataFrame, None] = None,
                 *, hmm_model: Optional[Mapping[str, Any]] = None) -> None:
        self._seg = _core.segmenter_new()
        self._source = "empty"
        self._journal: list[tuple[str, tuple]] = []  # the changes, replayed when unpickled
        self._digest: Optional[tuple[int, str]] = None  # (changes digested, digest)
        if dictionary is None:
            pass
        elif isinstance(dictionary, pd.DataFrame):
            self._put_frame(dictionary)
            self._source = f"DataFrame of {len(dictionary)} rows"
        elif isinstance(dictionary, (bytes, bytearray, memoryview)):
            self._change("segmenter_load", bytes(dictionary))
            self._source = "bytes"
        elif isinstance(dictionary, (str, os.PathLike)):
            path = Path(dictionary)
            if not path.is_file():
                raise FileNotFoundError(f"dictionary={str(dictionary)!r} is not a file")
            self._change("segmenter_load", path.read_bytes())
            self._source = str(path)
        else:
            raise TypeError("dictionary must be a path, bytes or a DataFrame (word, freq[, tag]), "
                            f"got {type(dictionary).__name__}")
        if hmm_model is not None:
            self._change("segmenter_set_hmm", *_hmm_arrays(hmm_model))

    @classmethod
    def from_jieba(cls) -> Segmenter:
        """jieba's dictionary (``dict.txt``) and HMM tables, read from the
        installed ``jieba`` package; the same model ``jieba.cut`` uses.

        Examples
        --------
        >>> from qdacore.text import Segmenter
        >>> Segmenter.from_jieba().cut("推动成渝地区双城经济圈建设")
        ['推动', '成渝', '地区', '双城', '经济圈', '建设']
        """
        try:
            from importlib import resources

            import jieba  # noqa: F401
            from jieba.finalseg import prob_emit, prob_start, prob_trans
        except ImportError as err:  # pragma: no cover - jieba comes with the zh extra
            raise ImportError("Segmenter.from_jieba() needs jieba's dictionary: pip install 'qdacore[zh]'") from err
        data = resources.files("jieba").joinpath("dict.txt").read_bytes()
        seg = cls(data, hmm_model={"start": prob_start.P, "trans": prob_trans.P,
                                   "emit": prob_emit.P})
        seg._source = "jieba"
        return seg

    def _put_frame(self, frame: pd.DataFrame) -> None:
        frame = check.frame(frame, "dictionary", ["word", "freq"])
        words = frame["word"]
        if not words.map(lambda w: isinstance(w, str)).all():
            raise TypeError("dictionary.word must hold str only")
        freq = pd.to_numeric(frame["freq"], errors="coerce")
        bad = freq.isna() | (freq < 0) | (freq != np.floor(freq))
        if bad.any():
            raise ValueError("dictionary.freq must hold whole numbers >= 0; rows "
                             f"{check.examples(np.flatnonzero(bad.to_numpy()).tolist())}")
        tags = None
        if "tag" in frame.columns:
            tags = frame["tag"].astype(object).where(frame["tag"].notna(), None).tolist()
        self._change("segmenter_words", words.tolist(), freq.to_numpy(np.int64), tags, "put")

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

        Examples
        --------
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

    def add_word(self, word: str, freq: Optional[int] = None, *, tag: Optional[str] = None) -> int:
        """Add (or re-weight) a word as jieba's ``add_word`` does; returns the
        frequency set. Without ``freq`` it is :meth:`suggest_freq` of the word, so
        the word is cut whole. A frequency of 0 removes the word and makes the HMM
        split it into characters (jieba's force-split list).

        Examples
        --------
        >>> import pandas as pd
        >>> from qdacore.text import Segmenter
        >>> seg = Segmenter(pd.DataFrame({"word": ["城市", "群"], "freq": [50, 10]}))
        >>> seg.cut("城市群", hmm=False)
        ['城市', '群']
        >>> seg.add_word("城市群")
        9
        >>> seg.cut("城市群", hmm=False)
        ['城市群']
        """
        if not isinstance(word, str) or not word:
            raise ValueError(f"word must be a non-empty str, got {word!r}")
        f = -1 if freq is None else check.whole(freq, "freq")
        if tag is not None and not isinstance(tag, str):
            raise TypeError(f"tag must be a str or None, got {type(tag).__name__}")
        return int(self._change("segmenter_words", [word], np.array([f]), [tag], "add")[0])

    def add_words(self, words: pd.DataFrame) -> np.ndarray:
        """:meth:`add_word` for every row of a DataFrame with ``word`` and
        optional ``freq`` (missing = suggested) and ``tag``, in order. Returns
        the frequencies set.

        Examples
        --------
        >>> import pandas as pd
        >>> from qdacore.text import Segmenter
        >>> seg = Segmenter(pd.DataFrame({"word": ["城市"], "freq": [50]}))
        >>> seg.add_words(pd.DataFrame({"word": ["都市圈", "副中心"], "freq": [20, 30]})).tolist()
        [20, 30]
        """
        frame = check.frame(words, "words", ["word"])
        freq = frame["freq"] if "freq" in frame.columns else pd.Series(np.nan, index=frame.index)
        freq = pd.to_numeric(freq, errors="coerce")
        if ((freq < 0) | (freq != np.floor(freq)) & freq.notna()).any():
            raise ValueError("words.freq must hold whole numbers >= 0 or be missing")
        tags = None
        if "tag" in frame.columns:
            tags = frame["tag"].astype(object).where(frame["tag"].notna(), None).tolist()
        return self._change("segmenter_words", frame["word"].tolist(),
                            freq.fillna(-1).to_numpy(np.int64), tags, "add")

    def load_userdict(self, path: Union[str, os.PathLike]) -> None:
        r"""jieba's ``load_userdict``: each line ``word [freq] [tag]`` (freq and tag
        optional; the word may contain spaces) is added with :meth:`add_word`.

        Examples
        --------
        >>> import pathlib, tempfile
        >>> from qdacore.text import Segmenter
        >>> seg = Segmenter()
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     path = pathlib.Path(tmp, "user.txt")
        ...     _ = path.write_text("双城经济圈 30 n\n增长极 20\n", encoding="utf-8")
        ...     seg.load_userdict(path)
        >>> seg.frequencies(["双城经济圈", "增长极"])["freq"].tolist()
        [30, 20]
        """
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
        """jieba's ``del_word``: ``add_word(word, 0)``.

        Examples
        --------
        >>> import pandas as pd
        >>> from qdacore.text import Segmenter
        >>> seg = Segmenter(pd.DataFrame({"word": ["城市群"], "freq": [40]}))
        >>> seg.del_word("城市群")
        >>> seg.frequencies("城市群")["freq"].tolist()
        [0]
        """
        self.add_word(word, 0)

    def suggest_freq(self, segment: Union[str, Sequence[str]], *, tune: bool = False) -> int:
        """jieba's ``suggest_freq``: for a str, the frequency that makes the word
        be cut whole; for a sequence of segments, the one that makes them be cut
        apart. With ``tune=True`` the word gets that frequency.

        Examples
        --------
        >>> import pandas as pd
        >>> from qdacore.text import Segmenter
        >>> seg = Segmenter(pd.DataFrame({"word": ["城市", "群"], "freq": [50, 10]}))
        >>> seg.suggest_freq("城市群", tune=True)
        9
        >>> seg.cut("城市群", hmm=False)
        ['城市群']
        """
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

    # -- pickling -------------------------------------------------------------------

    def _change(self, kernel: str, *args: Any) -> Any:
        """Apply a change of the dictionary or model, and note it so that a
        copy in another process (pickle: Dask workers) is built alike."""
        result = getattr(_core, kernel)(self._seg, *args)
        self._journal.append((kernel, args))
        return result

    def _fingerprint(self) -> str:
        """A digest of the changes that built this Segmenter: equal for two
        built alike, in any process."""
        if self._digest is None or self._digest[0] != len(self._journal):
            journal = pickle.dumps(tuple(self._journal), protocol=4)
            self._digest = (len(self._journal), hashlib.sha256(journal).hexdigest())
        return self._digest[1]

    def __reduce__(self) -> tuple:
        # rebuilt from its changes, once per process: a worker that receives
        # the same Segmenter with every task builds it once (see _rebuild)
        return (_rebuild, (self._fingerprint(), self._source, tuple(self._journal)))

    # -- segmenting ---------------------------------------------------------------
    def cut(self, text: Union[str, bytes], *, hmm: bool = True) -> list[str]:
        """The tokens of one text, as ``list(jieba.cut(text, HMM=hmm))``.

        ``text`` may be UTF-8 bytes; invalid bytes raise UnicodeDecodeError with
        the offset of the first bad byte.

        Examples
        --------
        >>> import pandas as pd
        >>> from qdacore.text import Segmenter
        >>> seg = Segmenter(pd.DataFrame({"word": ["城市群", "发展"], "freq": [40, 80]}))
        >>> seg.cut("城市群发展".encode(), hmm=False)
        ['城市群', '发展']
        """
        return _core.cut(self._seg, text, "hmm" if hmm else "dag")

    def cut_all(self, text: Union[str, bytes]) -> list[str]:
        """jieba's full mode (``cut_all=True``): every dictionary word found, with
        the empty tokens jieba emits between white space left out.

        Examples
        --------
        >>> import pandas as pd
        >>> from qdacore.text import Segmenter
        >>> seg = Segmenter(pd.DataFrame({"word": ["城市", "城市群", "市群"], "freq": [50, 40, 5]}))
        >>> seg.cut_all("城市群")
        ['城市', '城市群', '市群']
        """
        return _core.cut(self._seg, text, "all")

    def tokenize_stream(self, source: Union[str, os.PathLike, Any], *, hmm: bool = True,
                        cut_all: bool = False, chunk_size: int = 1 << 22) -> Iterable[pd.DataFrame]:
        r"""The tokens of a UTF-8 file read piece by piece (see :func:`read_chunks`),
        in bounded memory: DataFrames with ``token``, ``start`` and ``end`` (code
        points in the whole file). Pieces end after line breaks, where jieba's
        segmentation restarts anyway, so the tokens are those of the whole text.

        Examples
        --------
        >>> import io, pandas as pd
        >>> from qdacore.text import Segmenter
        >>> seg = Segmenter(pd.DataFrame({"word": ["城市群", "发展"], "freq": [40, 80]}))
        >>> source = io.BytesIO("城市群\n发展\n".encode())
        >>> pd.concat(seg.tokenize_stream(source, hmm=False, chunk_size=8))["start"].tolist()
        [0, 3, 4, 6]
        """
        return stream_frames((offset, self.tokenize(text, hmm=hmm, cut_all=cut_all))
                              for offset, text in read_chunks(source, chunk_size=chunk_size))

    def tokenize(self, texts: Texts, *, hmm: bool = True, cut_all: bool = False) -> pd.DataFrame:
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

        Examples
        --------
        See the class example.
        """
        values, labels = texts_and_labels(texts)
        mode: Literal["all", "hmm", "dag"] = "all" if cut_all else ("hmm" if hmm else "dag")
        indptr, token, start, end, vocab = _core.tokenize(self._seg, values, mode)
        return _frame(labels, indptr, {
            "token": distinct_categorical(token, vocab),
            "start": start, "end": end})


_REBUILT: OrderedDict[str, Segmenter] = OrderedDict()  # the last few unpickled, by content
_REBUILT_KEPT = 4
_REBUILT_LOCK = threading.Lock()


def _rebuild(digest: str, source: str, journal: tuple) -> Segmenter:
    """A Segmenter from its pickle: the one built from the same changes
    before in this process, or a new one."""
    with _REBUILT_LOCK:
        seg = _REBUILT.get(digest)
        if seg is not None:
            _REBUILT.move_to_end(digest)
            return seg
    seg = Segmenter()
    for kernel, args in journal:
        seg._change(kernel, *args)
    seg._source = source
    with _REBUILT_LOCK:
        _REBUILT[digest] = seg
        while len(_REBUILT) > _REBUILT_KEPT:
            _REBUILT.popitem(last=False)
    return seg


def token_ids(segmenter: Segmenter, values: Any, hmm: bool) -> tuple[np.ndarray, np.ndarray, list]:
    """The words of texts (``values`` as :func:`texts_and_labels` gives them)
    in CSR form: ``indptr``, the token ids, and the token strings by id."""
    indptr, ids, _, _, vocab = _core.tokenize(segmenter._seg, values, "hmm" if hmm else "dag")
    return indptr, ids, vocab.tolist()
