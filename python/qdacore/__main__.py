"""``python -m qdacore``: the command line (see :mod:`qdacore.cli`)."""
import sys

from .cli import main

sys.exit(main())
