"""Cases and variables, both directions: REFI-QDA ``Case``, ``Variable`` and
``VariableValue`` elements to and from documents columns (``case``,
``case_guid``, ``case_description`` and one column per variable, typed)."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any, Optional

import numpy as np
import pandas as pd

from ._codebook import SET_COLUMN
from ._guids import GUID_RE, gkey, stable_guid
from ._report import Report, shown
from ._xml import AUDIT, child_text, column, description, iso, local, plain_tag, qname, xml_text

_VALUE_TYPES = {"TextValue": "Text", "BooleanValue": "Boolean", "IntegerValue": "Integer",
                "FloatValue": "Float", "DateValue": "Date", "DateTimeValue": "DateTime"}
_RESERVED = {"doc", "name", "guid", "kind", "text", "description", "note_refs", "case", "case_guid",
             "case_description", *AUDIT}


# -- reading --------------------------------------------------------------------------
def variable_value(vv: ET.Element) -> tuple[Optional[str], Any]:
    """(variable GUID key, (value tag, text)) of a ``VariableValue``; the value is None without one."""
    ref = vv.find(qname("VariableRef"))
    target = gkey(ref.get("targetGUID")) if ref is not None else None
    for child in vv:
        tag = local(child.tag)
        if tag.endswith("Value"):
            return target, (tag, child.text or "")
    return target, None


def _typed(values: pd.Series, kind: str) -> pd.Series:
    """A variable's column in the dtype its REFI type maps to (plain when nothing is missing)."""
    full = values.notna().all()
    if kind == "Boolean":
        b = values.astype(object).where(values.notna(), None).astype(str).str.strip().str.lower().isin(["true", "1"])
        return b if full else b.astype("boolean").where(values.notna().to_numpy(), pd.NA)
    if kind == "Integer":
        n = pd.to_numeric(values, errors="coerce")
        return n.astype(np.int64) if full and n.notna().all() else n.astype("Int64")
    if kind == "Float":
        return pd.to_numeric(values, errors="coerce").astype(float)
    if kind == "Date":
        return pd.to_datetime(values, errors="coerce", format="ISO8601").astype("datetime64[ns]")
    if kind == "DateTime":
        return pd.to_datetime(values, errors="coerce", utc=True, format="ISO8601").astype("datetime64[ns, UTC]")
    return values.astype(object)


def add_variables(root: ET.Element, docs: pd.DataFrame, report: Report) -> None:
    """Cases and variable values as documents columns (in place)."""
    variables = {}
    for v in root.iterfind(f"{qname('Variables')}/{qname('Variable')}"):
        variables[gkey(v.get("guid"))] = (str(v.get("name") or v.get("guid")),
                                          v.get("typeOfVariable") or "Text")
    doc_of = dict(zip(docs["guid"].map(gkey), range(len(docs))))
    values: dict[str, dict[int, Any]] = {}
    kinds: dict[str, str] = {}

    def put(d: int, target: Optional[str], value: Any, override: bool) -> None:
        if value is None:
            return
        tag, text = value
        name, kind = variables.get(target, (target or "variable", _VALUE_TYPES.get(tag, "Text")))
        col_name = name if name not in _RESERVED and not str(name).startswith(SET_COLUMN) else f"variable:{name}"
        kinds.setdefault(col_name, kind)
        if override or d not in values.setdefault(col_name, {}):
            values.setdefault(col_name, {})[d] = text

    case_rows: dict[int, list] = {}
    ignored = 0
    for case in root.iterfind(f"{qname('Cases')}/{qname('Case')}"):
        keys = [gkey(r.get("targetGUID")) for r in case.findall(qname("SourceRef"))]
        refs = [doc_of[k] for k in keys if k in doc_of]
        ignored += len(case.findall(qname("CodeRef"))) + len(case.findall(qname("SelectionRef")))
        if not refs:
            report.add(f"case {case.get('name')!r} lists no imported source and was not kept")
            continue
        case_values = [variable_value(vv) for vv in case.findall(qname("VariableValue"))]
        for d in refs:
            case_rows.setdefault(d, []).append((case.get("name"), case.get("guid"),
                                                child_text(case, "Description")))
            if len(case_rows[d]) == 1:
                for target, value in case_values:
                    put(d, target, value, override=False)
    if ignored:
        report.add(f"{ignored} code or selection reference(s) of cases were not imported")
    several = [docs["doc"].iat[d] for d, rows in case_rows.items() if len(rows) > 1]
    if several:
        report.add(f"{len(several)} document(s) belong to several cases; the first case is kept: {shown(several)}")
    for d, target, value in _source_values(root, doc_of):
        put(d, target, value, override=True)  # a source's own value wins over its case's
    if case_rows:
        first = {d: rows[0] for d, rows in case_rows.items()}
        for k, col in enumerate(("case", "case_guid", "case_description")):
            series = pd.Series([first[d][k] if d in first else None for d in range(len(docs))], dtype=object)
            if col != "case_description" or series.notna().any():
                docs[col] = series
    for col_name, by_doc in values.items():
        raw = pd.Series([by_doc.get(d) for d in range(len(docs))], dtype=object)
        docs[col_name] = _typed(raw, kinds[col_name])


def _source_values(root: ET.Element, doc_of: dict) -> list:
    out = []
    containers = list(root.iterfind(f"{qname('Sources')}/{qname('TextSource')}")) + \
        list(root.iterfind(f"{qname('Notes')}/{qname('Note')}"))
    for el in containers:
        d = doc_of.get(gkey(el.get("guid")))
        for vv in el.findall(qname("VariableValue")):
            target, value = variable_value(vv)
            out.append((d, target, value))
    return [o for o in out if o[0] is not None]


# -- writing --------------------------------------------------------------------------
def _variable_type(values: pd.Series) -> str:
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "Boolean"
    if pd.api.types.is_integer_dtype(dtype):
        return "Integer"
    if pd.api.types.is_float_dtype(dtype):
        return "Float"
    if isinstance(dtype, pd.DatetimeTZDtype):
        return "DateTime"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        t = values.dropna()
        return "Date" if (t == t.dt.normalize()).all() else "DateTime"
    return "Text"


def _variable_strings(values: pd.Series, kind: str) -> np.ndarray:
    out = np.full(len(values), None, dtype=object)
    ok = values.notna().to_numpy(copy=True)  # changed below (pandas may hand out a read-only view)
    if not ok.any():
        return out
    v = values[ok]
    if kind == "Boolean":
        out[ok] = np.where(v.astype(bool).to_numpy(), "true", "false")
    elif kind == "Integer":
        out[ok] = v.astype(np.int64).astype(str).to_numpy(dtype=object)
    elif kind == "Float":
        finite = np.isfinite(v.to_numpy(dtype=float))
        ok[np.flatnonzero(ok)[~finite]] = False
        out[ok] = [np.format_float_positional(x, unique=True, trim="-") for x in v.to_numpy(dtype=float)[finite]]
    elif kind == "Date":
        out[ok] = v.dt.strftime("%Y-%m-%d").to_numpy(dtype=object)
    elif kind == "DateTime":
        out[ok] = iso(v)
    else:
        out[ok] = v.astype(str).to_numpy(dtype=object)
    return out


def _value_element(parent: ET.Element, guid: str, kind: str, text: str) -> None:
    vv = ET.SubElement(parent, plain_tag("VariableValue"))
    ET.SubElement(vv, plain_tag("VariableRef"), targetGUID=guid)
    ET.SubElement(vv, plain_tag(f"{kind}Value")).text = xml_text(text, "documents")


class Variables:
    """The documents columns an export writes as REFI-QDA variables: every
    column that is not one of the Project's own nor a document set's.

    Write :meth:`declarations`, then :meth:`cases`, then each source's
    :meth:`values` (the schema's order).
    """

    def __init__(self, docs: pd.DataFrame, sets: frozenset = frozenset()) -> None:
        """``sets``: the columns written as document sets instead (``variable: value`` sets)."""
        self.columns = [c for c in docs.columns if c not in _RESERVED and c not in sets
                        and not str(c).startswith(SET_COLUMN)]
        self.guid = {c: stable_guid("variable", c) for c in self.columns}
        self.kind = {c: _variable_type(docs[c]) for c in self.columns}
        self.text = {c: _variable_strings(docs[c], self.kind[c]) for c in self.columns}
        self.on_case: dict = {}  # {(doc row, column): True} for values written on a case

    def declarations(self, root: ET.Element) -> None:
        """A ``Variables`` element under ``root`` (none without variables)."""
        if self.columns:
            el = ET.SubElement(root, plain_tag("Variables"))
            for c in self.columns:
                name = c[len("variable:"):] if str(c).startswith("variable:") else c
                ET.SubElement(el, plain_tag("Variable"), guid=self.guid[c], name=xml_text(name, "documents column"),
                              typeOfVariable=self.kind[c])

    def cases(self, root: ET.Element, docs: pd.DataFrame, doc_guids: np.ndarray) -> None:
        """Cases from the ``case`` column; a variable goes on the case when all its
        documents agree, else on each source."""
        if "case" not in docs.columns or not docs["case"].notna().any():
            return
        cases_el = ET.SubElement(root, plain_tag("Cases"))
        case = docs["case"]
        guid = column(docs, "case_guid")
        desc = column(docs, "case_description")
        for name in pd.unique(case.dropna()):
            rows = np.flatnonzero((case == name).to_numpy())
            g = guid.iloc[rows].dropna()
            case_guid = str(g.iat[0]) if len(g) and GUID_RE.fullmatch(str(g.iat[0])) else stable_guid("case", name)
            el = ET.SubElement(cases_el, plain_tag("Case"), guid=case_guid, name=xml_text(name, "documents.case"))
            d = desc.iloc[rows].dropna()
            description(el, d.iat[0] if len(d) else None, "documents.case_description")
            for c in self.columns:
                values = self.text[c][rows]
                if len(set(values.tolist())) == 1 and values[0] is not None:
                    _value_element(el, self.guid[c], self.kind[c], values[0])
                    self.on_case.update({(r, c): True for r in rows})
            for r in rows:
                ET.SubElement(el, plain_tag("SourceRef"), targetGUID=doc_guids[r])

    def values(self, el: ET.Element, d: int) -> None:
        """The ``VariableValue`` elements of document row ``d`` not written on its case."""
        for c in self.columns:
            if not self.on_case.get((d, c)) and self.text[c][d] is not None:
                _value_element(el, self.guid[c], self.kind[c], self.text[c][d])
