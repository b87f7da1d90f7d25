"""The warnings a REFI-QDA import or export raises, and the report that
gathers them while a file is read or written and raises them once at the end."""
from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ... import _validate as check

SHOWN = 5  # examples quoted in a message
log = logging.getLogger(__package__)  # "qdacore.io.qdpx", as before the split


class QdpxWarning(UserWarning):
    """Something in a REFI-QDA file could not be imported or exported as it is.

    Examples
    --------
    Make them errors, to stop at the first thing that would not carry over:

    >>> import warnings, qdacore as qc
    >>> warnings.simplefilter("error", qc.io.QdpxWarning)  # doctest: +SKIP
    """


class PositionsWarning(QdpxWarning):
    """Reports which position convention ``positions="auto"`` chose, when it is
    not the standard's (code points).

    Examples
    --------
    Silence it once the choice is known, or pass ``positions=`` explicitly:

    >>> import warnings, qdacore as qc
    >>> warnings.simplefilter("ignore", qc.io.PositionsWarning)  # doctest: +SKIP
    """


def shown(values: Iterable[Any]) -> str:
    """A few of ``values`` quoted for a message."""
    return check.examples(list(values))


@dataclass
class Report:
    """Messages gathered while a file is read or written, raised as warnings (and logged) by :meth:`emit`."""

    messages: list = field(default_factory=list)

    def add(self, message: str, category: type = QdpxWarning) -> None:
        self.messages.append((message, category))

    def emit(self, stacklevel: int = 3) -> None:
        for message, category in self.messages:
            log.info("%s", message)
            warnings.warn(message, category, stacklevel=stacklevel)
