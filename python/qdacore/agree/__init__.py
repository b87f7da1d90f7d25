"""Inter-coder agreement, exact and fast, computed in C.

Reliability data
----------------
Every function takes reliability data in one of two shapes:

* a coders x units array (list of lists, numpy array, or a DataFrame with coders
  as rows and units as columns), ``NaN``/``None`` for a missing rating, as the
  ``krippendorff`` package takes it; or
* a long DataFrame with columns ``unit``, ``coder`` and ``value`` (other names
  through ``unit_column=``, ``coder_column=``, ``value_column=``).

Values may be numbers or labels. ``categories=`` fixes the list of categories
and their order (categories nobody used still count for ``q``, the number of
categories, as in Gwet 2014); otherwise it is the sorted set of values used.

Conventions that change a number
--------------------------------
* **Missing ratings** (Gwet 2014, ch. 2-4): percent agreement ``pa`` averages
  over units rated by at least two coders; the category shares ``pi_k`` average
  ``r_uk / r_u`` over units rated by at least one coder; Conger's chance
  agreement uses each coder's marginals over the units that coder rated.
  Units nobody rated are dropped. ``cohen_kappa``, ``scott_pi`` and ``holsti``
  compare two coders on the units both rated.
* **Weights** are agreement weights ``w_kl`` in [0, 1] (1 on the diagonal):
  ``"linear"`` ``1 - |x_k - x_l| / (x_max - x_min)``, ``"quadratic"``
  ``1 - (x_k - x_l)^2 / (x_max - x_min)^2``, ``"ordinal"``, ``"radical"`` and
  ``"ratio"`` as Gwet (2014) defines them, or a q x q matrix. ``x`` are the
  category **values** when the categories are numbers and their positions
  1..q otherwise (Gwet, irrCAC); ``cohen_kappa`` uses **positions** by default,
  as scikit-learn and Cohen (1968) do (``weight_by="value"`` to change it).
* **A weight matrix is in a/b order**: its rows are the categories of coder a,
  its columns those of coder b, in the order of the categories, so ``w[k, l]``
  weighs a unit that coder a put in ``k`` and coder b in ``l`` (Cohen 1968;
  irrCAC's two-rater tables). Coder a is ``cohen_kappa``'s first argument, or
  the first coder of two-coder data (the first row, or the first coder name in
  sorted order for long data). An asymmetric matrix thus makes the order of the
  coders matter. With more than two coders the pairs of ratings of a unit have
  no order, and the coefficients use ``(W + W^T) / 2``, with a ``UserWarning``
  that says so.
* **Krippendorff's alpha** is built from the coincidence matrix with the
  nominal, ordinal (ranks by category order, Krippendorff 2011), interval or
  ratio difference function (``metric=``, the ``krippendorff`` package's
  ``level_of_measurement``); ordinal data must have ordered categories
  (numbers, an ordered pandas Categorical, or ``categories=``).
* **Undefined values**: a coefficient whose denominator is 0 (a single
  category, all ratings identical so that chance agreement is 1, no unit rated
  twice) is ``NaN`` with a ``RuntimeWarning`` saying why, never a finite number.
  Fewer than two coders raises ``ValueError``.
* **Confidence intervals** are percentile intervals of seeded bootstraps:
  Krippendorff's algorithm for alpha (alpha-boot, 2006 rev. 2011: each replicate
  draws the data's number of pairable value pairs from the coincidence matrix
  and keeps D_e), and resampling of units (Efron) for every other coefficient,
  or for alpha with ``bootstrap="units"``.
"""
# One concern a module; each imports only from those above it in this list:
#   _ratings       reliability data encoded for the kernels (Ratings), agreement weights
#   _coefficients  the coefficients, agreement() and its bootstrap interval
#   _project       agreement per code of a project, NVivo's coding comparison
from . import _coefficients, _ratings
from ._coefficients import (
    agreement,
    brennan_prediger,
    cohen_kappa,
    conger_kappa,
    fleiss_kappa,
    gwet_ac1,
    holsti,
    krippendorff_alpha,
    percent_agreement,
    scott_pi,
)
from ._project import AgreementTallies, coding_comparison, project_agreement
from ._ratings import Ratings, reliability_data, weight_matrix

__all__ = [
    "Ratings", "reliability_data", "percent_agreement", "holsti", "cohen_kappa",
    "scott_pi", "fleiss_kappa", "brennan_prediger", "gwet_ac1", "conger_kappa",
    "krippendorff_alpha", "agreement", "weight_matrix", "project_agreement", "AgreementTallies",
    "coding_comparison", "METHODS", "METRICS", "WEIGHTS", "MAX_CATEGORIES",
]

# Bound here as well: Sphinx reads a constant's "#:" comment from the source of the
# module it documents the constant under.
#: Coefficients of :func:`agreement`, by name (C method underneath).
METHODS: dict[str, _coefficients.Kernel] = _coefficients.METHODS
#: Difference functions of Krippendorff's alpha (``metric=``).
METRICS = _coefficients.METRICS
#: Named agreement weights (``weights=``).
WEIGHTS = _ratings.WEIGHTS
#: Most distinct values the coincidence matrix (K x K) may hold.
MAX_CATEGORIES = _ratings.MAX_CATEGORIES

for _public in (Ratings, reliability_data, percent_agreement, holsti, cohen_kappa, scott_pi,
                fleiss_kappa, brennan_prediger, gwet_ac1, conger_kappa, krippendorff_alpha,
                agreement, weight_matrix, project_agreement, coding_comparison, AgreementTallies):
    _public.__module__ = __name__  # shown, documented and pickled as qdacore.agree.<name>, as before the split
del _public
