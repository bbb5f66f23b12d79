"""How much a nudge changes what people do: the causal excursion effect of a micro-randomized trial.

Each available decision point was nudged with a known probability ``p``; the outcome is whether
the person did that ritual's act in the hours after it. The weighted and centred least-squares
estimator (WCLS, Boruvka et al. 2018, JASA 113:1112) regresses the outcome on a baseline
``g = (1, week)`` and the centred treatment ``(A - p̃)·f``, weighting each point by
``p̃/p`` when nudged and ``(1-p̃)/(1-p)`` when not. The weights make the data look as if every
point had been nudged with the fixed probability ``p̃``, so the effect stays unbiased while
``p`` adapts, and the centring keeps it unbiased when the baseline model is wrong.

* :func:`pooled_effect`: everyone together, with standard errors robust to a person's points
  being correlated (the sandwich summed by person, times ``G/(G-1)``, a t quantile on
  ``G-1`` degrees of freedom) — the effect, its ratio ("1.7× as often"), and a per-week
  slope of the effect to see habituation.
* :func:`person_effects`: each person's own WCLS estimate, shrunk toward the population by
  empirical Bayes (normal-normal, DerSimonian–Laird between-person variance, Morris's
  intervals), so a person
  with few points borrows strength from everyone and one with many speaks for themself.

Pure numpy; the effect is on the probability scale (0.2 = 20 points more likely).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

Z95: Final = 1.959963984540054
#: Exact 97.5% t quantiles where the expansion is poor (a handful of people).
_FEW_DF: Final = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776}
_Floats = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class DecisionPoints:
    """Available decision points of one ritual, one entry per point (equal-length arrays).

    ``week``: weeks since that person's first decision point (0, 1, 2, …).
    """

    person: npt.NDArray[np.int64]
    treated: npt.NDArray[np.bool_]
    probability: _Floats
    outcome: _Floats
    week: _Floats

    @classmethod
    def of(
        cls,
        person: npt.ArrayLike,
        treated: npt.ArrayLike,
        probability: npt.ArrayLike,
        outcome: npt.ArrayLike,
        week: npt.ArrayLike,
    ) -> DecisionPoints:
        points = cls(
            np.asarray(person, dtype=np.int64),
            np.asarray(treated, dtype=np.bool_),
            np.asarray(probability, dtype=np.float64),
            np.asarray(outcome, dtype=np.float64),
            np.asarray(week, dtype=np.float64),
        )
        arrays = (points.person, points.treated, points.probability, points.outcome, points.week)
        sizes = {len(a) for a in arrays}
        if len(sizes) != 1:
            raise ValueError("decision point arrays must have equal lengths")
        if np.any((points.probability <= 0) | (points.probability >= 1)):
            raise ValueError("a randomization probability must lie strictly between 0 and 1")
        return points

    def __len__(self) -> int:
        return len(self.person)

    def only(self, mask: npt.NDArray[np.bool_]) -> DecisionPoints:
        return DecisionPoints(
            self.person[mask],
            self.treated[mask],
            self.probability[mask],
            self.outcome[mask],
            self.week[mask],
        )


@dataclass(frozen=True, slots=True)
class Interval:
    estimate: float
    low: float
    high: float

    def covers(self, value: float) -> bool:
        return self.low <= value <= self.high


@dataclass(frozen=True, slots=True)
class Effect:
    """An effect on the probability of acting, and what it means as "× as often".

    ``base``: how often the act happens without a nudge; ``ratio``: with a nudge relative
    to without (None when the base is too near zero for a ratio to mean anything).
    """

    effect: Interval
    base: float
    ratio: Interval | None
    points: int


@dataclass(frozen=True, slots=True)
class PooledEffect(Effect):
    """Everyone's effect, and how it changes per week (negative: nudges wear off)."""

    per_week: Interval | None = None
    people: int = 0


@dataclass(frozen=True, slots=True)
class _Fit:
    theta: _Floats  # (α0, α1, β0[, β1])
    cov: _Floats
    reference: float  # p̃
    mean_week: float
    df: int


def t_quantile(df: int, z: float = Z95) -> float:
    """Student's t quantile from the normal one (Cornish–Fisher, 3 terms): numpy has none.

    Within 0.3% of the exact value for 5 or more degrees of freedom; below that, the table.
    """
    if df <= 0:
        return math.inf
    if df in _FEW_DF and z == Z95:
        return _FEW_DF[df]
    z3, z5 = z**3, z**5
    return z + (z3 + z) / (4 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96 * df**2)


def _design(points: DecisionPoints, reference: float, by_week: bool) -> _Floats:
    centred = points.treated.astype(np.float64) - reference
    columns = [np.ones(len(points)), points.week, centred]
    if by_week:
        columns.append(centred * points.week)
    return np.column_stack(columns)


def _weights(points: DecisionPoints, reference: float) -> _Floats:
    p = points.probability
    return np.where(points.treated, reference / p, (1 - reference) / (1 - p))


def _wcls(points: DecisionPoints, *, by_week: bool, clusters: bool) -> _Fit | None:
    """The WCLS fit and its sandwich covariance: by person (``clusters``) or by point.

    None when the treatment (or the week, for ``by_week``) does not vary.
    """
    reference = float(points.probability.mean())
    x = _design(points, reference, by_week)
    w = _weights(points, reference)
    k = x.shape[1]
    bread = x.T @ (x * w[:, None])
    if np.linalg.matrix_rank(bread) < k:
        # No variation in the week (one week of data): drop the week terms.
        if points.week.min() == points.week.max():
            x, k = x[:, [0, 2]], 2
            bread = x.T @ (x * w[:, None])
            if np.linalg.matrix_rank(bread) < k:
                return None
        else:
            return None
    inverse = np.linalg.inv(bread)
    theta = inverse @ (x.T @ (w * points.outcome))
    scores = x * (w * (points.outcome - x @ theta))[:, None]
    if clusters:
        labels, index = np.unique(points.person, return_inverse=True)
        groups = len(labels)
        if groups < 2:  # one person's points say nothing about everyone
            return None
        summed = np.zeros((groups, k))
        np.add.at(summed, index, scores)
        factor = groups / (groups - 1)
        df = groups - 1
    else:
        summed, n = scores, len(points)
        if n <= k:
            return None
        factor = n / (n - k)
        df = n - k
    cov = factor * (inverse @ (summed.T @ summed) @ inverse)
    if k == 2:  # put the week terms back as exact zeros, so indexes stay the same
        theta = np.array([theta[0], 0.0, theta[1]])
        full = np.zeros((3, 3))
        full[np.ix_([0, 2], [0, 2])] = cov
        cov = full
    return _Fit(theta, cov, reference, float(points.week.mean()), df)


def _interval(estimate: float, variance: float, quantile: float) -> Interval:
    half = quantile * math.sqrt(max(variance, 0.0))
    return Interval(estimate, estimate - half, estimate + half)


#: Below this rate of acting un-nudged a ratio ("× as often") would be noise.
MIN_BASE_FOR_RATIO: Final = 0.05


def _base_and_treated(fit: _Fit, beta: float) -> tuple[float, float, _Floats]:
    """Acting un-nudged (μ0) and nudged (μ1) at the average week, and d(log μ1/μ0)/dθ."""
    alpha0, alpha1 = fit.theta[0], fit.theta[1]
    mean = alpha0 + alpha1 * fit.mean_week  # under the reference probability p̃
    mu0, mu1 = mean - fit.reference * beta, mean + (1 - fit.reference) * beta
    gradient = np.zeros(len(fit.theta))
    if mu0 > 0 and mu1 > 0:
        gradient[0] = 1 / mu1 - 1 / mu0
        gradient[1] = fit.mean_week * gradient[0]
        gradient[2] = (1 - fit.reference) / mu1 + fit.reference / mu0
    return float(mu0), float(mu1), gradient


def _ratio(mu0: float, mu1: float, variance: float, quantile: float) -> Interval | None:
    if mu0 < MIN_BASE_FOR_RATIO or mu1 <= 0:
        return None
    log = _interval(math.log(mu1 / mu0), variance, quantile)
    return Interval(math.exp(log.estimate), math.exp(log.low), math.exp(log.high))


def pooled_effect(points: DecisionPoints) -> PooledEffect | None:
    """Everyone's effect of a nudge on acting, robust by person. None: not estimable yet."""
    fit = _wcls(points, by_week=False, clusters=True)
    if fit is None or fit.df < 1:
        return None
    quantile = t_quantile(fit.df)
    beta = float(fit.theta[2])
    mu0, mu1, gradient = _base_and_treated(fit, beta)
    by_week = _wcls(points, by_week=True, clusters=True)
    per_week = None
    if by_week is not None and len(by_week.theta) == 4:
        per_week = _interval(float(by_week.theta[3]), by_week.cov[3, 3], quantile)
    return PooledEffect(
        _interval(beta, fit.cov[2, 2], quantile),
        max(mu0, 0.0),
        _ratio(mu0, mu1, float(gradient @ fit.cov @ gradient), quantile),
        len(points),
        per_week,
        len(np.unique(points.person)),
    )


def _raw_person(points: DecisionPoints) -> tuple[float, float, float] | None:
    """A person's own (β̂, its variance, base rate), the variance floored so that a person
    who always (or never) acts is not taken as certain."""
    fit = _wcls(points, by_week=False, clusters=False)
    if fit is None or fit.df < 1:
        return None
    n = len(points)
    rate = (points.outcome.sum() + 1) / (n + 2)
    centred = points.treated - fit.reference
    spread = float(np.mean(_weights(points, fit.reference) * centred**2))
    floor = rate * (1 - rate) / (n * spread)
    beta = float(fit.theta[2])
    mu0, _, _ = _base_and_treated(fit, beta)
    return beta, max(float(fit.cov[2, 2]), floor), mu0


def person_effects(points: DecisionPoints) -> Mapping[int, Effect]:
    """Each person's effect, shrunk toward everyone's by empirical Bayes.

    People whose own effect cannot be estimated (never nudged, or always) get the
    population's, with the population's spread as their uncertainty.
    """
    people = np.unique(points.person)
    raw: dict[int, tuple[float, float, float]] = {}
    bases: dict[int, float] = {}
    for person in people:
        own = points.only(points.person == person)
        fitted = _raw_person(own)
        if fitted is None:
            untreated = own.outcome[~own.treated]
            bases[int(person)] = float((untreated if len(untreated) else own.outcome).mean())
        else:
            raw[int(person)] = fitted
    if not raw:
        return {}
    estimates = np.array([b for b, _, _ in raw.values()])
    variances = np.array([v for _, v, _ in raw.values()])
    fixed_w = 1 / variances
    fixed_mean = float(fixed_w @ estimates / fixed_w.sum())
    q = float(fixed_w @ (estimates - fixed_mean) ** 2)
    denominator = float(fixed_w.sum() - (fixed_w**2).sum() / fixed_w.sum())
    tau2 = max(0.0, (q - (len(raw) - 1)) / denominator) if denominator > 0 else 0.0
    random_w = 1 / (variances + tau2)
    mean = float(random_w @ estimates / random_w.sum())
    k = len(raw)
    effects: dict[int, Effect] = {}
    counts = dict(zip(*np.unique(points.person, return_counts=True), strict=True))
    for person, (beta, variance, base) in raw.items():
        # Morris (1983): the shrinkage factor is itself estimated, so a person far from
        # everyone keeps some of their own spread even when the between-person variance
        # comes out as zero (which it often does with few people).
        pull = (k - 3) / (k - 1) * variance / (variance + tau2) if k > 3 else 0.0
        posterior = mean + (1 - pull) * (beta - mean)
        posterior_var = variance * (1 - (k - 1) / k * pull)
        if k > 3:
            posterior_var += 2 / (k - 3) * pull**2 * (beta - mean) ** 2
        effects[person] = _person_effect(posterior, posterior_var, base, int(counts[person]))
    mean_var = float(1 / random_w.sum())
    for person, base in bases.items():
        effects[person] = _person_effect(mean, tau2 + mean_var, base, int(counts[person]))
    return effects


def _person_effect(beta: float, variance: float, base: float, points: int) -> Effect:
    effect = _interval(beta, variance, Z95)
    ratio = None
    if base >= MIN_BASE_FOR_RATIO:
        low, high = max(base + effect.low, 0.0) / base, max(base + effect.high, 0.0) / base
        ratio = Interval(max(base + beta, 0.0) / base, low, high)
    return Effect(effect, max(base, 0.0), ratio, points)
