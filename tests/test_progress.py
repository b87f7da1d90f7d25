"""Progress bars appear when asked for or when a person watches, never in CI."""
from __future__ import annotations

import pytest

from qdacore import _progress


def test_explicit_choice_wins(monkeypatch):
    monkeypatch.setenv("QDACORE_PROGRESS", "1")
    assert _progress.wanted(False) is False
    monkeypatch.setenv("QDACORE_PROGRESS", "0")
    assert _progress.wanted(True) is True


def test_environment_switch(monkeypatch):
    monkeypatch.setenv("QDACORE_PROGRESS", "0")
    assert _progress.wanted(None) is False
    monkeypatch.setenv("QDACORE_PROGRESS", "1")
    assert _progress.wanted(None) is True


def test_bar_wraps_and_yields_everything(monkeypatch, capsys):
    pytest.importorskip("tqdm")
    items = list(_progress.track(range(5), total=5, desc="x", progress=True))
    assert items == [0, 1, 2, 3, 4]
    assert list(_progress.track([1, 2], progress=False)) == [1, 2]
