"""Indices of spatial structure: inequality, concentration, polycentricity,
flows, specialisation and complementarity, computed in C.

Conventions shared by every function here:

* Inputs are array-likes or pandas objects of real numbers (sizes such as
  population must be >= 0 where the index says so). A pandas Series keeps its
  index labels in outputs that run over units.
* ``by=`` (where offered) is one label per unit; the index is computed for
  every group in one pass and returned as a Series indexed by the group labels
  (in order of first appearance; category order for categoricals). A missing
  group label leaves the unit out.
* ``nan_policy`` follows scipy: ``"propagate"`` (a NaN makes the result it
  touches NaN), ``"omit"`` (the unit is left out; in a matrix, a NaN cell counts
  as no flow / is left out of its row) or ``"raise"`` (ValueError).
* A result that is mathematically undefined (0/0, an empty group, fewer units
  than the index needs) is NaN, never an exception; bad input (a negative size,
  a non-square OD matrix, an unknown option) is an exception naming the argument.

Formulas, conventions and sources: each docstring and ``docs/conventions.md``.
"""
# One concern a module; each imports only from those above it in this list:
#   _arguments       vectors, matrices and groups from the arguments, the grouped-kernel runner
#   _inequality      inequality, concentration and morphological polycentricity
#   _flows           origin-destination flows and functional polycentricity
#   _specialisation  specialisation and complementarity
from ._flows import FlowSummary, flow_summary, green_polycentricity
from ._inequality import (
    TheilDecomposition,
    atkinson,
    cv,
    entropy,
    equivalent_number,
    gini,
    hhi,
    primacy,
    rank_size_slope,
    theil,
)
from ._specialisation import complementarity, duranton_puga, hoover, krugman, location_quotient

__all__ = [
    "gini", "theil", "TheilDecomposition", "atkinson", "hhi", "equivalent_number", "cv",
    "entropy", "primacy", "rank_size_slope", "flow_summary", "FlowSummary",
    "green_polycentricity", "location_quotient", "krugman", "hoover", "duranton_puga",
    "complementarity",
]

for _public in (gini, theil, TheilDecomposition, atkinson, hhi, equivalent_number, cv, entropy,
                primacy, rank_size_slope, flow_summary, FlowSummary, green_polycentricity,
                location_quotient, krugman, hoover, duranton_puga, complementarity):
    _public.__module__ = __name__  # shown, documented and pickled as qdacore.indices.<name>, as before the split
del _public
