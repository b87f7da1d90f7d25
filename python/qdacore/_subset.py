"""A part of a project: the documents, codes, coders and codings asked for
(:meth:`qdacore.Project.subset`), with items, codings and codebook kept
consistent."""
from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Optional, Union

import numpy as np
import pandas as pd

from . import _validate as check
from ._model import CodedProject, new_project
from .codebook import Codebook

if TYPE_CHECKING:  # pragma: no cover
    from .project import Project

#: What ``docs=`` and ``codes=`` take: ids, or a boolean mask over the table's rows.
Selection = Union[None, str, Sequence[Any], np.ndarray, pd.Series, pd.Index]


def _not_ids(selection: Any, argument: str) -> None:
    """Refuse what iterates into something other than ids: bytes (their byte
    values), a DataFrame (its column names), a mapping (its keys)."""
    if isinstance(selection, (bytes, bytearray, memoryview)):
        raise TypeError(f"{argument}= is {type(selection).__name__}; give ids as str (decode it first), "
                        "or a list of them")
    if isinstance(selection, pd.DataFrame):
        raise TypeError(f"{argument}= is a DataFrame; give one of its columns (a Series of ids, or "
                        "of True/False per row), not the whole table")
    if isinstance(selection, Mapping):
        raise TypeError(f"{argument}= is a {type(selection).__name__}; give a list of ids or "
                        "True/False per row, not a mapping")


def _aligned(series: pd.Series, index: pd.Index, argument: str, table: str) -> np.ndarray:
    """A boolean Series over the rows of a table, as a mask; missing values,
    a duplicated index and rows the index lacks are errors."""
    if series.isna().any():
        at = series.index[series.isna().to_numpy()].tolist()
        raise ValueError(f"{argument}= is a boolean Series with missing values (at {check.examples(at)}); "
                         "fill them with True or False, e.g. series.fillna(False)")
    if series.index.has_duplicates:
        dup = series.index[series.index.duplicated()].unique().tolist()
        raise ValueError(f"{argument}= is a boolean Series whose index repeats {check.examples(dup)}; "
                         f"build it from project.{table} so that it has one value per row")
    aligned = series.reindex(index)
    if aligned.isna().any():
        raise ValueError(f"{argument}= is a boolean Series whose index lacks rows of {table} "
                         f"({check.examples(index[aligned.isna().to_numpy()].tolist())}); "
                         f"build it from project.{table} so that it covers every row")
    return aligned.to_numpy(dtype=bool)


def _mask(selection: Selection, ids: pd.Series, argument: str, table: str) -> np.ndarray:
    """Rows of a table chosen by ids (one id, or several) or by a boolean mask
    (an array of its length, or a Series over its index)."""
    n = len(ids)
    _not_ids(selection, argument)
    if isinstance(selection, pd.Series) and pd.api.types.is_bool_dtype(selection.dtype):
        return _aligned(selection, ids.index, argument, table)
    if isinstance(selection, str) or not isinstance(selection, Iterable):
        selection = [selection]
    values = np.asarray(list(selection), dtype=object)
    if values.ndim != 1:
        raise ValueError(f"{argument}= must be ids or a boolean mask, got an array of shape {values.shape}")
    if len(values) and all(isinstance(v, (bool, np.bool_)) for v in values):
        if len(values) != n:
            raise ValueError(f"{argument}= is a boolean mask of {len(values)} values for {n} rows of "
                             f"{table}; give one value per row, or ids")
        return values.astype(bool)
    known = pd.Index(ids)
    unknown = pd.Index(values).difference(known)
    if len(unknown):
        raise ValueError(f"{argument}= names {check.examples(unknown.tolist())}, not in {table} "
                         f"(which has {check.examples(known.tolist())})")
    return ids.isin(values).to_numpy(dtype=bool)


def _within(selected: np.ndarray, parent: np.ndarray) -> np.ndarray:
    """Codes that are, or descend from, a selected code (one pass per level)."""
    out = selected.copy()
    up = parent.copy()
    while (up >= 0).any():
        has = up >= 0
        out[has] |= selected[up[has]]
        up[has] = parent[up[has]]
    return out


def _with_ancestors(keep: np.ndarray, parent: np.ndarray) -> np.ndarray:
    out = keep.copy()
    frontier = parent[keep]
    while len(frontier):
        frontier = frontier[(frontier >= 0) & ~out[np.maximum(frontier, 0)]]
        out[frontier] = True
        frontier = parent[frontier]
    return out


# -- where="...": a small condition language, checked and evaluated here ------------------
#: What a ``where=`` string may hold; every refusal ends with it.
ALLOWED = ("a condition may hold column names (of the codings, their items and their documents; "
           "`back quotes` around a name with spaces), constants (strings, numbers, True, False, None), "
           "comparisons (==, !=, <, <=, >, >=, and in / not in a list of constants), and, or, not, "
           "&, |, ~, + - * / on numbers, and parentheses; nothing else (no @variables, attributes, "
           "calls, indexing)")
_COMPARE: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge}
_ARITHMETIC: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}
_REFUSED = {ast.Attribute: "an attribute", ast.Call: "a call", ast.Subscript: "indexing",
            ast.Lambda: "a lambda", ast.ListComp: "a comprehension", ast.SetComp: "a comprehension",
            ast.DictComp: "a comprehension", ast.GeneratorExp: "a comprehension",
            ast.JoinedStr: "an f-string", ast.FormattedValue: "an f-string", ast.IfExp: "an if-expression",
            ast.NamedExpr: "an assignment", ast.Starred: "unpacking", ast.Dict: "a dict", ast.Set: "a set",
            ast.Slice: "a slice"}
_PLACEHOLDER = "qdacore_column_{}_"
_TRIPLE = ("'" * 3, '"' * 3)


class _Refused(Exception):
    """A part of a ``where=`` string outside the language (the message says which)."""


def _prepare(text: str) -> tuple[str, dict[str, str]]:
    """``text`` as Python: ``&``/``|`` as ``and``/``or`` (pandas' precedence,
    below comparisons) and back-quoted names as placeholders; string literals
    untouched. ``@`` outside a string is refused here."""
    out: list[str] = []
    names: dict[str, str] = {}
    k, n = 0, len(text)
    while k < n:
        c = text[k]
        if c in "'\"":
            quote = text[k:k + 3] if text[k:k + 3] in _TRIPLE else c
            j = k + len(quote)
            while j < n and not text.startswith(quote, j):
                j += 2 if text[j] == "\\" else 1
            j = min(j + len(quote), n)
            out.append(text[k:j])
            k = j
        elif c == "`":
            j = text.find("`", k + 1)
            if j < 0:
                raise _Refused(f"the back quote at character {k} is not closed; close it after the "
                               "column name")
            placeholder = _PLACEHOLDER.format(len(names))
            names[placeholder] = text[k + 1:j]
            out.append(f" {placeholder} ")
            k = j + 1
        elif c == "@":
            raise _Refused("@ (a Python variable) is not allowed; write the value itself, e.g. "
                           "coder in ['A', 'B']")
        elif c in "&|":
            out.append(" and " if c == "&" else " or ")
            k += 1
        else:
            out.append(c)
            k += 1
    return "(" + "".join(out) + "\n)", names


def _number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


class _Condition:
    """A ``where=`` string, checked against the language and then evaluated
    over the columns ``lookup`` gives (one value per coding)."""

    def __init__(self, text: str, lookup: Callable[[str], Optional[pd.Series]], columns: list,
                 n: int) -> None:
        self.lookup, self.columns, self.n = lookup, columns, n
        self.source, self.names = _prepare(text)
        try:  # in parentheses: white space and line breaks around and within are fine
            self.tree = ast.parse(self.source, mode="eval")
        except SyntaxError as err:
            raise _Refused(f"not a condition Python can read ({err.msg})") from None
        except (ValueError, MemoryError, RecursionError, OverflowError):
            raise _Refused("too long or too deeply nested to read; write a shorter condition") from None
        self._check(self.tree.body)

    def part(self, node: ast.AST) -> str:
        """The text of ``node`` for a message."""
        segment = ast.get_source_segment(self.source, node) or type(node).__name__
        for placeholder, name in self.names.items():
            segment = segment.replace(f" {placeholder} ", f"`{name}`").replace(placeholder, f"`{name}`")
        segment = " ".join(segment.split())
        return repr(segment if len(segment) <= 80 else segment[:77] + "...")

    def _column(self, node: ast.Name) -> str:
        name = self.names.get(node.id, node.id)
        if name.startswith("_"):
            raise _Refused(f"{self.part(node)}: names starting with _ are not allowed")
        if self.lookup(name) is None:
            raise _Refused(f"{self.part(node)} is not a column of the codings, their items or their "
                           f"documents (columns: {check.examples(self.columns)})")
        return name

    def _check(self, node: ast.AST) -> None:
        """Refuse anything outside the language, before anything is evaluated."""
        if isinstance(node, ast.BoolOp):
            for value in node.values:
                self._check(value)
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.Not, ast.Invert, ast.USub)):
                raise _Refused(f"{self.part(node)}: unary {type(node.op).__name__} is not allowed")
            self._check(node.operand)
        elif isinstance(node, ast.BinOp):
            if type(node.op) not in _ARITHMETIC:
                raise _Refused(f"{self.part(node)}: the operator is not allowed (only + - * / on numbers)")
            self._check(node.left)
            self._check(node.right)
        elif isinstance(node, ast.Compare):
            self._check(node.left)
            for k, (op, right) in enumerate(zip(node.ops, node.comparators)):
                if isinstance(op, (ast.In, ast.NotIn)):
                    if k < len(node.ops) - 1:
                        raise _Refused(f"{self.part(node)}: in / not in ends a comparison; put "
                                       "parentheses around it")
                    if not isinstance(right, (ast.List, ast.Tuple)):
                        raise _Refused(f"{self.part(node)}: in / not in need a list of constants on their "
                                       "right, e.g. coder in ['A', 'B']")
                    for element in right.elts:
                        self._constant(element)
                elif type(op) not in _COMPARE:
                    raise _Refused(f"{self.part(node)}: the comparison {type(op).__name__} is not allowed")
                else:
                    self._check(right)
        elif isinstance(node, ast.Name):
            self._column(node)
        elif isinstance(node, ast.Constant):
            self._constant(node)
        elif isinstance(node, (ast.List, ast.Tuple)):
            raise _Refused(f"{self.part(node)}: a list is allowed only after in / not in")
        else:
            what = _REFUSED.get(type(node), f"a {type(node).__name__}")
            raise _Refused(f"{self.part(node)} ({what}) is not allowed")

    def _constant(self, node: ast.AST) -> Any:
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) \
                and isinstance(node.operand, ast.Constant) and _number(node.operand.value):
            number: Any = node.operand.value
            return -number
        if isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, (str, int, float))):
            return node.value  # a bool is an int
        raise _Refused(f"{self.part(node)} is not allowed here: only strings, numbers, True, False "
                       "and None are constants")

    def evaluate(self) -> np.ndarray:
        """True/False per coding."""
        return self._truth(self._value(self.tree.body), self.tree.body)

    def _truth(self, value: Any, node: ast.AST) -> np.ndarray:
        """True/False per coding (a missing value is False)."""
        if isinstance(value, np.ndarray):
            return value
        if isinstance(value, (bool, np.bool_)):
            return np.full(self.n, bool(value))
        if isinstance(value, pd.Series):
            if pd.api.types.is_bool_dtype(value.dtype):
                return np.asarray(value.to_numpy(dtype=bool, na_value=False), dtype=bool)
            if value.dtype == object and all(isinstance(v, (bool, np.bool_)) for v in value.dropna()):
                return np.fromiter((v is True or v is np.True_ for v in value), dtype=bool, count=len(value))
            raise _Refused(f"{self.part(node)} is a column of {value.dtype}, not of True/False; compare "
                           "it, e.g. coder == 'A'")
        raise _Refused(f"{self.part(node)} is {value!r}, not True or False; write a condition, "
                       "e.g. coder == 'A'")

    def _value(self, node: ast.AST) -> Any:
        if isinstance(node, ast.BoolOp):
            values = [self._truth(self._value(v), v) for v in node.values]
            combine = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
            return combine.reduce(values)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                operand = self._value(node.operand)
                self._numeric(operand, node.operand)
                return self._apply(operator.neg, node, operand)
            return ~self._truth(self._value(node.operand), node.operand)
        if isinstance(node, ast.BinOp):
            left, right = self._value(node.left), self._value(node.right)
            self._numeric(left, node.left)
            self._numeric(right, node.right)
            return self._apply(_ARITHMETIC[type(node.op)], node, left, right)
        if isinstance(node, ast.Compare):
            return self._comparison(node)
        if isinstance(node, ast.Name):
            return self.lookup(self._column(node))
        return self._constant(node)

    def _comparison(self, node: ast.Compare) -> np.ndarray:
        """A chain ``a < b < c`` as ``a < b and b < c``."""
        result = np.ones(self.n, dtype=bool)
        left = self._value(node.left)
        for op, comparator in zip(node.ops, node.comparators):
            if isinstance(op, (ast.In, ast.NotIn)):
                values = [self._constant(e) for e in comparator.elts]  # type: ignore[attr-defined]
                if isinstance(left, pd.Series):
                    found = np.asarray(left.isin(values).to_numpy(dtype=bool, na_value=False), dtype=bool)
                else:
                    found = np.full(self.n, left in values)
                result &= ~found if isinstance(op, ast.NotIn) else found
                break  # the last comparison of its chain (checked)
            right = self._value(comparator)
            if (left is None or right is None) and type(op) in (ast.Eq, ast.NotEq):
                other = right if left is None else left
                missing = np.asarray(other.isna().to_numpy(), dtype=bool) if isinstance(other, pd.Series) \
                    else np.full(self.n, other is None)
                result &= missing if isinstance(op, ast.Eq) else ~missing
            else:
                result &= self._truth(self._apply(_COMPARE[type(op)], node, left, right), node)
            left = right
        return result

    def _numeric(self, value: Any, node: ast.AST) -> None:
        ok = pd.api.types.is_numeric_dtype(value.dtype) and not pd.api.types.is_bool_dtype(value.dtype) \
            if isinstance(value, pd.Series) else _number(value)
        if not ok:
            raise _Refused(f"{self.part(node)} is not a number; + - * / and unary minus take numbers")

    def _apply(self, function: Callable[..., Any], node: ast.AST, *values: Any) -> Any:
        try:
            return function(*values)
        except Exception as err:  # pandas' and Python's own refusals (types, zero division ...)
            raise _Refused(f"{self.part(node)} cannot be computed ({type(err).__name__}: "
                           f"{' '.join(str(err).split())[:200]})") from None


def _columns(project: CodedProject, codings: pd.DataFrame) -> tuple[Callable[[str], Optional[pd.Series]], list]:
    """A column by name, one value per coding: the codings' own, else their
    items', else their documents' (as ``by=`` looks them up); and every name."""
    items, documents = project.items, project.documents
    positions: dict[str, np.ndarray] = {}

    def item_pos() -> np.ndarray:
        if "item" not in positions:
            positions["item"] = pd.Index(items["item"]).get_indexer(codings["item"])
        return positions["item"]

    def lookup(name: str) -> Optional[pd.Series]:
        if name in codings.columns:
            return codings[name]
        if name in items.columns:
            return items[name].iloc[item_pos()].set_axis(codings.index)
        if name in documents.columns:
            doc_pos = project.arrays.item_doc[item_pos()]
            return documents[name].iloc[doc_pos].set_axis(codings.index)
        return None

    names = list(codings.columns)
    names += [c for c in items.columns if c not in names]
    names += [c for c in documents.columns if c not in names]
    return lookup, names


def _where(project: CodedProject, where: Any, codings: pd.DataFrame) -> np.ndarray:
    """The codings ``where=`` keeps: a boolean Series over the codings (or an
    array of their length), or a condition on codings, items and documents
    columns (the language is in :func:`subset`)."""
    if isinstance(where, str):
        shown = where if len(where) <= 200 else where[:197] + "..."
        if not where.strip():
            raise ValueError(f"where={shown!r} is empty; write a condition, e.g. \"coder == 'A'\", or "
                             "leave where= out")
        lookup, columns = _columns(project, codings)
        try:
            return _Condition(where, lookup, columns, len(codings)).evaluate()
        except _Refused as err:
            raise ValueError(f"where={shown!r}: {err}; {ALLOWED}") from None
        except RecursionError:
            raise ValueError(f"where={shown!r} is too long or too deeply nested to read; write a shorter condition") from None
    _not_ids(where, "where")
    if isinstance(where, pd.Series):
        if not pd.api.types.is_bool_dtype(where.dtype):
            raise ValueError(f"where= is a Series of {where.dtype}; give a boolean Series over the codings "
                             "(e.g. project.codings['coder'] == 'A') or a condition string")
        return _aligned(where, codings.index, "where", "codings")
    values = np.asarray(where)
    if values.dtype != bool or values.shape != (len(codings),):
        raise ValueError(f"where= must be a condition string, or True/False per coding ({len(codings)} "
                         f"values); got {type(where).__name__} of {values.dtype} and shape {values.shape}")
    return values


def subset(
    project: Project,
    *,
    docs: Selection = None,
    codes: Selection = None,
    coders: Optional[Sequence[Any]] = None,
    where: Any = None,
) -> Project:
    """The function behind :meth:`qdacore.Project.subset`, which documents
    its arguments.

    A ``where=`` string is a condition in a small language of its own, read
    with :func:`ast.parse` and evaluated here over the columns (never handed
    to :func:`eval`, :meth:`pandas.DataFrame.eval` or ``query``):

    * column names of the codings, their items and their documents (looked
      up in that order, as ``by=`` does); a name with spaces or other
      characters in back quotes (`` `set:urban` ``);
    * constants: strings, numbers, ``True``, ``False``, ``None``;
    * comparisons ``==``, ``!=``, ``<``, ``<=``, ``>``, ``>=`` (chains such as
      ``10 < start < 20`` too), and ``in`` / ``not in`` a list or tuple of
      constants (``coder in ['A', 'B']``); ``x == None`` is true where ``x`` is
      missing, ``x != None`` where it is not; any other comparison with a
      missing value is false;
    * ``and``, ``or``, ``not``, and ``&``, ``|``, ``~`` (with pandas'
      precedence: ``&`` and ``|`` bind as ``and`` and ``or``, below
      comparisons), on True/False values and columns;
    * ``+``, ``-``, ``*``, ``/`` and unary minus on numbers
      (``end - start > 10``); parentheses.

    Everything else is refused with a ``ValueError`` naming ``where=`` and the
    part: ``@variables``, attributes (``coder.str``), calls, indexing,
    lambdas, comprehensions, f-strings, other operators, and names that start
    with ``_`` or are not columns.

    >>> import qdacore as qc
    >>> two = qc.datasets.megaregions(n_coders=2)
    >>> two.subset(where="coder in ['coder2'] and `region` == 'Central-Yunnan'").sizes["codings"]
    np.int64(202)
    >>> two.subset(where="coder.to_csv('x') == 0")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: where="coder.to_csv('x') == 0": "coder.to_csv('x')" (a call) is not allowed; a condition ...
    """
    if not isinstance(project, CodedProject):
        raise TypeError(f"project must be a qdacore.Project, got {type(project).__name__}")
    documents, items, codings = project.documents, project.items, project.codings
    cb = project.codebook
    keep_doc = np.ones(len(documents), dtype=bool) if docs is None else \
        _mask(docs, documents["doc"], "docs", "documents")
    keep_item = np.asarray(items["doc"].isin(documents["doc"][keep_doc]).to_numpy(dtype=bool))
    keep_coding = codings["item"].isin(items["item"][keep_item]).to_numpy(dtype=bool)
    codebook = cb
    if codes is not None:
        codes_table = cb.codes
        chosen = _mask(codes, codes_table["code"], "codes", "the codebook's codes")
        parent = cb.parent_positions
        coded = _within(chosen, parent)
        keep_code = _with_ancestors(coded, parent)
        keep_coding = keep_coding & codings["code"].isin(codes_table["code"][coded]).to_numpy(dtype=bool)
        members = cb.members
        codebook = Codebook(codes_table[keep_code], cb.groups,
                            members[members["code"].isin(codes_table["code"][keep_code])],
                            allow_empty=True)
    if coders is not None:
        if "coder" not in codings.columns:
            raise ValueError("coders= needs a coder column in the codings table; this project has none")
        _not_ids(coders, "coders")
        if not isinstance(coders, (str, Iterable)):
            raise TypeError(f"coders= is {type(coders).__name__}; give a coder's name or a list of names "
                            "(values of codings.coder)")
        names = [coders] if isinstance(coders, str) else list(coders)
        nested = [n for n in names if not isinstance(n, str) and (isinstance(n, Iterable) or isinstance(n, Mapping))]
        if nested:
            raise TypeError(f"coders= holds {type(nested[0]).__name__} values; give coders' names, "
                            "e.g. coders=['A', 'B']")
        present = pd.Index(pd.unique(codings["coder"].dropna()))
        unknown = pd.Index(names).difference(present)
        if len(unknown):
            raise ValueError(f"coders= names {check.examples(unknown.tolist())}, who made no codings; "
                             f"coders are {check.examples(present.tolist())}")
        keep_coding = keep_coding & codings["coder"].isin(names).to_numpy(dtype=bool)
    if where is not None:
        keep_coding = keep_coding & _where(project, where, codings)
    return new_project(codebook, documents[keep_doc], items[keep_item], codings[keep_coding],
                       name=project.name, allow_empty=True)
