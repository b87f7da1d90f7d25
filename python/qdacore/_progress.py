"""Progress bars for long work: shown when a person is watching (a terminal or
a notebook), silent in scripts, tests and CI, and always silenceable.

``progress=None`` (the default everywhere) decides from the environment:
``QDACORE_PROGRESS=0`` silences every bar, ``=1`` forces them; otherwise a bar
is shown when stderr is a terminal or the code runs in a Jupyter kernel.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import Optional, TypeVar

T = TypeVar("T")


def wanted(progress: Optional[bool]) -> bool:
    if progress is not None:
        return bool(progress)
    setting = os.environ.get("QDACORE_PROGRESS", "")
    if setting in ("0", "1"):
        return setting == "1"
    if "ipykernel" in sys.modules:
        return True
    return hasattr(sys.stderr, "isatty") and sys.stderr.isatty()


def track(iterable: Iterable[T], *, total: Optional[int] = None, desc: str = "",
          progress: Optional[bool] = None) -> Iterable[T]:
    """``iterable`` wrapped in a tqdm bar when :func:`wanted`, else unchanged."""
    if not wanted(progress):
        return iterable
    try:  # notebook widgets need ipywidgets; without them a text bar, no warning
        import ipywidgets  # type: ignore[import-not-found]  # noqa: F401
        from tqdm.auto import tqdm
    except ImportError:
        from tqdm import tqdm
    return tqdm(iterable, total=total, desc=desc, leave=False)
