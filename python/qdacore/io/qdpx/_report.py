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
    """Something in a REFI-QDA file could not be imported or exported as it is."""


class PositionsWarning(QdpxWarning):
    """Reports which position convention ``positions="auto"`` chose, when it is
    not the standard's (code points)."""


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
