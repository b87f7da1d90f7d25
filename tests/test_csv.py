"""Project.to_csv / Project.from_csv: nothing lost on the way out and back."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import qdacore as qc

from conftest import project_from
from reference import assert_equal_projects, random_tables, with_every_dtype

TEXTS = ["规划, \"双城\" 经济圈", "line one\nline two", "tab\there", "emoji 🚄 and 𠀀", "  padded  ",
         "NA", "nan", "None", "0012", "True"]


def assert_round_trip(project, folder):
    back = qc.Project.from_csv(project.to_csv(folder))
    assert_equal_projects(back, project)
    return back


def test_megaregions_round_trip(megaregions, tmp_path):
    back = assert_round_trip(megaregions, tmp_path)
    assert back.frequencies("vision").equals(megaregions.frequencies("vision"))


@pytest.mark.parametrize("seed", range(12))
def test_random_projects_round_trip_with_every_dtype(seed, tmp_path):
    tables = random_tables(seed)
    with_every_dtype(tables, np.random.default_rng(seed), TEXTS)
    assert_round_trip(project_from(tables), tmp_path)


def test_empty_codings_and_groups_round_trip(tmp_path):
    tables = random_tables(3)
    tables["codings"] = tables["codings"].iloc[:0]
    tables["groups"] = tables["groups"].iloc[:0]
    tables["members"] = tables["members"].iloc[:0]
    assert_round_trip(project_from(tables), tmp_path)


def test_folder_without_schema_is_inferred(tmp_path):
    pd.DataFrame({"code": ["T", "a"], "parent": [None, "T"], "level": ["theme", "code"]}).to_csv(tmp_path / "codes.csv", index=False)
    pd.DataFrame({"doc": ["d"], "year": [2020]}).to_csv(tmp_path / "documents.csv", index=False)
    pd.DataFrame({"item": ["d:1", "d:2"], "doc": ["d", "d"]}).to_csv(tmp_path / "items.csv", index=False)
    pd.DataFrame({"item": ["d:1", "d:2"], "code": ["a", "a"]}).to_csv(tmp_path / "codings.csv", index=False)
    project = qc.Project.from_csv(tmp_path)
    assert project.frequencies("theme").tolist() == [2]
    assert project.documents["year"].dtype == np.int64
    assert project.name == tmp_path.name


def test_bad_folders(megaregions, tmp_path):
    with pytest.raises(FileNotFoundError, match="not a directory"):
        qc.Project.from_csv(tmp_path / "nowhere")
    folder = megaregions.to_csv(tmp_path / "p")
    schema = json.loads((folder / "project.json").read_text(encoding="utf-8"))

    schema["version"] = 99
    (folder / "project.json").write_text(json.dumps(schema), encoding="utf-8")
    with pytest.raises(ValueError, match="version 99 is newer"):
        qc.Project.from_csv(folder)

    schema["version"], schema["format"] = 1, "something-else"
    (folder / "project.json").write_text(json.dumps(schema), encoding="utf-8")
    with pytest.raises(ValueError, match="not a qdacore-csv schema"):
        qc.Project.from_csv(folder)

    schema["format"] = "qdacore-csv"
    (folder / "project.json").write_text(json.dumps(schema), encoding="utf-8")
    items = pd.read_csv(folder / "items.csv")
    items.rename(columns={"gist": "summary"}).to_csv(folder / "items.csv", index=False)
    with pytest.raises(ValueError, match="items.csv: columns"):
        qc.Project.from_csv(folder)

    items.to_csv(folder / "items.csv", index=False)
    (folder / "codings.csv").unlink()
    with pytest.raises(FileNotFoundError, match="codings.csv"):
        qc.Project.from_csv(folder)


def test_edited_values_are_still_validated(megaregions, tmp_path):
    folder = megaregions.to_csv(tmp_path)
    codings = pd.read_csv(folder / "codings.csv")
    codings.loc[3, "code"] = "NOT-A-CODE"
    codings.to_csv(folder / "codings.csv", index=False)
    with pytest.raises(ValueError, match="codings.code.*NOT-A-CODE"):
        qc.Project.from_csv(folder)


def small_with_numbers(tmp_path):
    """Synthetic: one document whose extra columns hold numbers of several dtypes."""
    docs = pd.DataFrame({"doc": ["d"], "pages": np.array([110], dtype=np.int64),
                         "rank": pd.array([2**60 + 1], dtype="Int64"), "flag": np.array([7], dtype=np.uint8)})
    project = qc.Project(pd.DataFrame({"code": ["c"]}), docs, pd.DataFrame({"item": ["i"], "doc": ["d"]}),
                         pd.DataFrame({"item": ["i"], "code": ["c"]}))
    return project, project.to_csv(tmp_path / "p")


def test_whole_numbers_read_back_exactly(tmp_path):
    project, folder = small_with_numbers(tmp_path)
    back = qc.Project.from_csv(folder)
    assert back.equals(project) and back.documents["rank"].iat[0] == 2**60 + 1  # beyond float's 2**53


@pytest.mark.parametrize("column, value, dtype, message", [
    ("pages", "110.7", None, r"documents.csv:pages: \['110.7'\] are not whole numbers"),
    ("flag", "300", None, r"documents.csv:flag: \[300\] lie outside the range of uint8"),
    ("pages", "12", "complex128", r"documents.csv:pages: dtype 'complex128' is not one qdacore writes"),
    ("pages", "12", "Sparse[int64]", r"is not one qdacore writes"),
])
def test_numbers_a_dtype_cannot_hold_are_refused(tmp_path, column, value, dtype, message):
    """Edited by hand: a fraction in an integer column, 300 in a uint8 one, an
    exotic dtype; each is an error naming file and column, never a silent cast."""
    _, folder = small_with_numbers(tmp_path)
    table = pd.read_csv(folder / "documents.csv", dtype=str)
    table.loc[0, column] = value
    table.to_csv(folder / "documents.csv", index=False)
    if dtype is not None:
        schema = json.loads((folder / "project.json").read_text())
        for c in schema["tables"]["documents"]["columns"]:
            if c["name"] == column:
                c["dtype"] = dtype
        (folder / "project.json").write_text(json.dumps(schema))
    with pytest.raises(ValueError, match=message):
        qc.Project.from_csv(folder)


@pytest.mark.parametrize("content", ["", "doc,pages,rank,flag\nd,1,2,3,4,5\n"])
def test_a_broken_csv_file_is_named(tmp_path, content):
    _, folder = small_with_numbers(tmp_path)
    (folder / "documents.csv").write_text(content)
    with pytest.raises(ValueError, match=r"documents.csv: not a CSV table this schema describes"):
        qc.Project.from_csv(folder)


def test_pipes_and_nested_json_are_refused_without_hanging(tmp_path):
    import os
    _, folder = small_with_numbers(tmp_path)
    (folder / "project.json").write_text("[" * 100_000)
    with pytest.raises(ValueError, match="is not a JSON schema"):
        qc.Project.from_csv(folder)
    (folder / "project.json").unlink()
    (folder / "codings.csv").unlink()
    os.mkfifo(folder / "codings.csv")  # reading it would block forever
    with pytest.raises(FileNotFoundError, match="codings.csv is missing"):
        qc.Project.from_csv(folder)
