"""The codebook: a hierarchy of codes and named sets of code groups.

A codebook dimension is what a count is taken over. It is either

* a **hierarchy level** (``level`` column of the codes table, e.g. ``theme``,
  ``subtheme``, ``code``): each code rolls up to its nearest ancestor-or-self at
  that level, so a coding counts once per level, or nowhere when its code sits
  above the level; or
* a **group set** (``set`` column of the groups table, e.g. ``vision``): each
  code counts toward every group that lists the code or any of its ancestors as
  a member, once per group however many of those are members. This is how
  ATLAS.ti code groups and REFI-QDA sets behave, and a code may be in several
  groups of one set.

The roll-ups are computed in C (:func:`qdacore._core.dimension_map`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Union

import numpy as np
import pandas as pd

from . import _core
from . import _validate as check

__all__ = ["Codebook", "Dimension"]


@dataclass(frozen=True)
class Dimension:
    """One codebook dimension resolved to arrays the C kernels take.

    ``targets`` are the ids of the level's codes or of the set's groups, in
    codebook order; ``indptr``/``target`` map every code (by position in the
    codebook) to the target positions it counts toward.

    Examples
    --------
    >>> import qdacore as qc
    >>> dim = qc.datasets.megaregion_codebook().dimension("vision")
    >>> dim.kind, dim.targets.tolist()
    ('set', ['V-MP', 'V-FM', 'V-FC'])
    """

    name: Optional[str]
    kind: str  # "level", "set" or "code"
    targets: pd.Index
    indptr: np.ndarray
    target: np.ndarray


def _level_names(levels: pd.Series, depth: np.ndarray) -> pd.Series:
    """Missing level names become ``depth1``, ``depth2``... (roots are depth1)."""
    fill = pd.Series([f"depth{d + 1}" for d in range(int(depth.max(initial=-1)) + 1)], dtype=object)
    return levels.where(levels.notna(), fill.to_numpy()[depth])


class Codebook:
    """A hierarchical codebook with named group sets.

    Parameters
    ----------
    codes : DataFrame
        One row per code. Column ``code`` (unique id) is required; ``parent``
        (id of the parent code, missing for roots), ``level`` (name of the
        hierarchy level; missing names become ``depth1``, ``depth2``, ... by
        depth) and ``label`` are recognised; any other column (``label_zh``,
        ``description``, ``keywords_zh``, colours...) is kept as it is.
    groups : DataFrame, optional
        One row per code group: ``group`` (unique id) and ``set`` (name of the
        group set it belongs to) are required; ``label`` and others are kept.
        A group with no members is allowed and counts zero.
    members : DataFrame, optional
        One row per membership: ``group`` and ``code``. A code may belong to
        several groups, of the same set or of different sets.
    allow_empty : bool
        Accept a codebook without codes (a QDA export made before coding);
        off by default so that an empty table is caught as a mistake.

    Raises
    ------
    ValueError
        Duplicate or missing ids, a parent or member that names an unknown
        code, a cycle in the hierarchy, a group set named like a level, or an
        empty codes table (unless ``allow_empty``).

    Examples
    --------
    >>> import pandas as pd
    >>> from qdacore import Codebook
    >>> codes = pd.DataFrame({
    ...     "code": ["CON", "CON-1", "CON-1.hsr", "CON-1.port"],
    ...     "parent": [None, "CON", "CON-1", "CON-1"],
    ...     "level": ["theme", "subtheme", "code", "code"]})
    >>> groups = pd.DataFrame({"group": ["V-FM"], "set": ["vision"]})
    >>> members = pd.DataFrame({"group": ["V-FM"], "code": ["CON"]})
    >>> cb = Codebook(codes, groups, members)
    >>> cb.levels, cb.sets
    (['theme', 'subtheme', 'code'], ['vision'])
    >>> cb.membership("vision")
             code vision
    0         CON   V-FM
    1       CON-1   V-FM
    2   CON-1.hsr   V-FM
    3  CON-1.port   V-FM
    """

    def __init__(
        self,
        codes: pd.DataFrame,
        groups: Optional[pd.DataFrame] = None,
        members: Optional[pd.DataFrame] = None,
        *,
        allow_empty: bool = False,
    ) -> None:
        codes = check.frame(codes, "codebook.codes", ["code"])
        if not allow_empty:
            check.nonempty(codes, "codebook.codes", "a codebook needs at least one code "
                           "(allow_empty=True accepts a blank codebook)")
        self._code_index = check.ids(codes["code"], "codebook.code")
        if "parent" not in codes.columns:
            codes["parent"] = pd.Series([None] * len(codes), dtype=object)
        has_parent = codes["parent"].notna()
        parent = np.full(len(codes), -1, dtype=np.int64)
        parent[has_parent.to_numpy()] = check.positions(
            codes["parent"][has_parent], self._code_index, "codebook.parent", "codebook.code"
        )
        try:
            depth = _core.hierarchy_depth(parent)
        except ValueError as err:
            # the kernel names the code by position; name it by id
            cycle = self._code_index[err.index]  # type: ignore[attr-defined]
            raise ValueError(
                f"codebook.parent has a cycle: code {cycle!r} is its own ancestor; "
                "break the loop by giving one code of it another parent"
            ) from None
        if "level" not in codes.columns:
            codes["level"] = pd.Series([None] * len(codes), dtype=object)
        if codes["level"].isna().any():
            codes["level"] = _level_names(codes["level"], depth)

        if groups is None:
            groups = pd.DataFrame({"group": pd.Series([], dtype=object),
                                   "set": pd.Series([], dtype=object)})
        groups = check.frame(groups, "codebook.groups", ["group", "set"])
        self._group_index = check.ids(groups["group"], "codebook.groups.group")
        if groups["set"].isna().any():
            rows = np.flatnonzero(groups["set"].isna().to_numpy())
            raise ValueError(f"codebook.groups.set is missing at rows {check.examples(rows.tolist())}")
        if members is None:
            members = pd.DataFrame({"group": pd.Series([], dtype=object),
                                    "code": pd.Series([], dtype=object)})
        members = check.frame(members, "codebook.members", ["group", "code"])
        member_group = check.positions(
            members["group"], self._group_index, "codebook.members.group", "codebook.groups.group"
        )
        member_code = check.positions(
            members["code"], self._code_index, "codebook.members.code", "codebook.code"
        )
        pairs = pd.MultiIndex.from_arrays([member_group, member_code])
        if pairs.duplicated().any():
            dup = members[pairs.duplicated()]
            raise ValueError(
                "codebook.members lists a membership twice: "
                f"{check.examples(list(zip(dup['group'], dup['code'])))}"
            )

        levels = pd.Series(depth).groupby(codes["level"].to_numpy(), sort=False).min()
        self._levels = levels.sort_values(kind="stable").index.tolist()
        self._sets = pd.unique(groups["set"]).tolist()
        clash = set(self._levels) & set(self._sets)
        if clash:
            raise ValueError(
                f"{check.examples(sorted(clash))} is both a hierarchy level and a group set; "
                "rename one so that level= is unambiguous"
            )
        self._codes = codes
        self._groups = groups
        self._members = members
        self._parent = parent
        self._depth = depth
        self._member_group = member_group
        self._member_code = member_code
        self._dimensions: dict[Any, Dimension] = {}

    # -- tables -----------------------------------------------------------------
    @property
    def codes(self) -> pd.DataFrame:
        """The codes table (a shallow copy: with pandas' copy-on-write editing it
        leaves the codebook as it is; build a new Codebook to change it)."""
        return self._codes.copy(deep=False)

    @property
    def groups(self) -> pd.DataFrame:
        """The code groups table (a shallow copy, as :attr:`codes`)."""
        return self._groups.copy(deep=False)

    @property
    def members(self) -> pd.DataFrame:
        """Group memberships, one row per (group, code) (a shallow copy, as :attr:`codes`)."""
        return self._members.copy(deep=False)

    @property
    def levels(self) -> list:
        """Hierarchy level names, from the root down."""
        return list(self._levels)

    @property
    def sets(self) -> list:
        """Group set names, in order of first appearance."""
        return list(self._sets)

    @property
    def code_index(self) -> pd.Index:
        """Code ids in codebook order; positions in it are the C code indices."""
        return self._code_index

    @property
    def parent_positions(self) -> np.ndarray:
        """Position of each code's parent, -1 for roots (int64)."""
        return self._parent

    @property
    def depth(self) -> pd.Series:
        """Depth of each code (roots are 0), indexed by code."""
        return pd.Series(self._depth, index=self._code_index, name="depth")

    def __len__(self) -> int:
        return len(self._codes)

    def __repr__(self) -> str:
        return (
            f"<Codebook: {len(self._codes)} codes on levels {self._levels}, "
            f"{len(self._groups)} groups in sets {self._sets}>"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Codebook):
            return NotImplemented
        return (
            self._codes.equals(other._codes)
            and self._groups.equals(other._groups)
            and self._members.equals(other._members)
        )

    __hash__ = None  # type: ignore[assignment]

    # -- dimensions -----------------------------------------------------------
    def dimension(self, level: Optional[str]) -> Dimension:
        """Resolve ``level=`` (a hierarchy level, a group set, or None for the codes
        themselves) to its targets and roll-up map. Results are cached."""
        try:
            return self._dimensions[level]
        except (KeyError, TypeError):
            pass
        dim = self._resolve(level)
        self._dimensions[level] = dim
        return dim

    def _resolve(self, level: Optional[str]) -> Dimension:
        n_codes = len(self._codes)
        if level is None:
            identity = np.arange(n_codes, dtype=np.int64)
            indptr = np.arange(n_codes + 1, dtype=np.int64)
            return Dimension(None, "code", self._code_index.rename("code"), indptr, identity)
        if isinstance(level, str) and level in self._levels:
            at_level = (self._codes["level"] == level).to_numpy()
            direct_indptr = np.zeros(n_codes + 1, dtype=np.int64)
            np.cumsum(at_level, out=direct_indptr[1:])
            n_targets = int(direct_indptr[-1])
            indptr, target = _core.dimension_map(
                self._parent, direct_indptr, np.arange(n_targets, dtype=np.int64),
                n_targets, "nearest",
            )
            targets = pd.Index(self._code_index[at_level], name=level)
            return Dimension(level, "level", targets, indptr, target)
        if isinstance(level, str) and level in self._sets:
            in_set = (self._groups["set"] == level).to_numpy()
            targets = pd.Index(self._group_index[in_set], name=level)
            target_of_group = np.full(len(self._groups), -1, dtype=np.int64)
            target_of_group[in_set] = np.arange(int(in_set.sum()))
            rows = target_of_group[self._member_group] >= 0
            member_code = self._member_code[rows]
            order = np.argsort(member_code, kind="stable")
            direct_target = target_of_group[self._member_group[rows]][order]
            direct_indptr = np.zeros(n_codes + 1, dtype=np.int64)
            np.cumsum(np.bincount(member_code, minlength=n_codes), out=direct_indptr[1:])
            indptr, target = _core.dimension_map(
                self._parent, direct_indptr, direct_target, len(targets), "all"
            )
            return Dimension(level, "set", targets, indptr, target)
        raise ValueError(
            f"level={level!r} is neither a hierarchy level ({check.examples(self._levels)}) "
            f"nor a group set ({check.examples(self._sets) or 'none'}); "
            "pass one of those, or None for the codes themselves"
        )

    def membership(self, level: Optional[str]) -> pd.DataFrame:
        """The roll-up of ``level=`` as a long table: one row per (code, target).

        Codes that reach no target (e.g. a theme when counting sub-themes) are
        absent. Column names are ``code`` and the dimension's name.
        """
        dim = self.dimension(level)
        counts = np.diff(dim.indptr)
        name = dim.name if dim.name is not None else "target"
        return pd.DataFrame({
            "code": self._code_index[np.repeat(np.arange(len(self._codes)), counts)],
            name: dim.targets[dim.target],
        })

    def labels(self, level: Optional[str], column: str = "label") -> pd.Series:
        """Labels of the targets of ``level=`` from ``column`` of the codes or groups
        table, indexed by target id; ids stand in where a label is missing."""
        dim = self.dimension(level)
        table, key = (self._groups, "group") if dim.kind == "set" else (self._codes, "code")
        if column not in table.columns:
            raise ValueError(
                f"labels={column!r}: the {'groups' if dim.kind == 'set' else 'codes'} table has "
                f"no such column; it has {check.examples(table.columns)}"
            )
        lookup = pd.Series(table[column].to_numpy(), index=table[key].to_numpy())
        found = lookup.reindex(dim.targets)
        return pd.Series(
            np.where(found.isna(), dim.targets.to_numpy(dtype=object), found.to_numpy(dtype=object)),
            index=dim.targets, name=column,
        )

    def targets(self, level: Optional[str], *, labels: Union[bool, str] = False) -> pd.Index:
        """The targets of ``level=`` as an Index named after the dimension: their
        ids, or with ``labels`` their labels (True: the ``label`` column; a str:
        that column, e.g. ``"label_zh"``). Results of the Project index their
        rows and columns with it.

        Examples
        --------
        >>> import qdacore as qc
        >>> cb = qc.datasets.megaregion_codebook()
        >>> cb.targets("theme").tolist(), cb.targets("theme", labels="label_zh").tolist()
        (['COE', 'CON', 'COO'], ['共存', '连通', '合作'])
        """
        index = self.dimension(level).targets
        if labels is False:
            return index
        column = "label" if labels is True else labels
        return pd.Index(self.labels(level, column).to_numpy(), name=index.name)

