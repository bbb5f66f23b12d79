"""The nudge-effect estimator against simulated trials whose true effect is known.

Each trial is 40 people over 6 weeks with a person-level baseline and effect; ``p`` adapts
over the weeks and more for people who act often anyway (as the adaptation does), so an
estimator that ignored the probabilities would be biased. All trials are drawn at once.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from domain.values.excursion import DecisionPoints, person_effects, pooled_effect, t_quantile

TRIALS = 200
PEOPLE = 40
DAYS = 42


def simulate(
    effect: float, *, per_week: float = 0.0, seed: int = 7, spread: float = 0.05
) -> tuple[list[DecisionPoints], npt.NDArray[np.float64]]:
    """``TRIALS`` trials; returns each trial's decision points and its people's true effects."""
    rng = np.random.default_rng(seed)
    shape = (TRIALS, PEOPLE, DAYS)
    base = rng.uniform(0.15, 0.55, (TRIALS, PEOPLE, 1))
    own = effect + rng.normal(0, spread, (TRIALS, PEOPLE, 1))
    week = np.broadcast_to(np.arange(DAYS) // 7, shape).astype(np.float64)
    # People who act often anyway are nudged less and less, as the adaptation does.
    fading = np.where(base > 0.4, 0.1, 0.03)
    probability = np.clip(0.6 - fading * np.maximum(week - 1, 0), 0.2, 0.8)
    treated = rng.random(shape) < probability
    true_effect = own + per_week * (week - week.mean())
    chance = np.clip(base + 0.01 * week + treated * true_effect, 0, 1)
    outcome = (rng.random(shape) < chance).astype(np.float64)
    available = rng.random(shape) < 0.8
    person = np.broadcast_to(np.arange(PEOPLE)[None, :, None], shape)
    trials = [
        DecisionPoints.of(
            person[t][available[t]],
            treated[t][available[t]],
            probability[t][available[t]],
            outcome[t][available[t]],
            week[t][available[t]],
        )
        for t in range(TRIALS)
    ]
    return trials, own[:, :, 0]


def coverage(trials: list[DecisionPoints], truth: float) -> float:
    hits = 0
    for points in trials:
        pooled = pooled_effect(points)
        assert pooled is not None
        hits += pooled.effect.covers(truth)
    return hits / len(trials)


def test_recovers_a_known_effect_within_its_interval() -> None:
    trials, _ = simulate(0.15)
    assert coverage(trials, 0.15) >= 0.90
    estimates = [pooled_effect(points) for points in trials[:50]]
    mean = np.mean([e.effect.estimate for e in estimates if e is not None])
    assert mean == pytest.approx(0.15, abs=0.01)


def test_no_effect_gives_intervals_that_cover_zero() -> None:
    trials, _ = simulate(0.0)
    assert coverage(trials, 0.0) >= 0.90
    one = pooled_effect(trials[0])
    assert one is not None and one.effect.covers(0.0)
    assert one.ratio is not None and one.ratio.covers(1.0)


def test_ignoring_the_probabilities_would_be_biased() -> None:
    """The weights earn their place: with p equal to 0.5 everywhere the same data mislead."""
    trials, _ = simulate(0.15)
    naive = [
        pooled_effect(
            DecisionPoints.of(p.person, p.treated, np.full(len(p), 0.5), p.outcome, p.week)
        )
        for p in trials[:100]
    ]
    honest = [pooled_effect(p) for p in trials[:100]]
    bias = np.mean([n.effect.estimate for n in naive if n is not None]) - 0.15
    honest_bias = np.mean([h.effect.estimate for h in honest if h is not None]) - 0.15
    assert abs(honest_bias) < 0.01 < abs(bias)


def test_a_fading_effect_shows_in_the_per_week_term() -> None:
    trials, _ = simulate(0.15, per_week=-0.03)
    slopes = []
    for points in trials:
        pooled = pooled_effect(points)
        assert pooled is not None and pooled.per_week is not None
        slopes.append(pooled.per_week)
    assert sum(s.covers(-0.03) for s in slopes) / TRIALS >= 0.90
    assert np.mean([s.estimate for s in slopes]) == pytest.approx(-0.03, abs=0.005)


def test_ratio_says_how_many_times_as_often() -> None:
    """Base about 0.35 + 0.025 drift and effect 0.25: about 1.7× as often."""
    trials, _ = simulate(0.25, spread=0.0)
    pooled = pooled_effect(trials[0])
    assert pooled is not None and pooled.ratio is not None
    truth = 1 + 0.25 / pooled.base
    assert pooled.ratio.covers(truth)
    assert 1.4 < pooled.ratio.estimate < 2.1
    assert pooled.ratio.low > 1


def test_each_person_is_pulled_toward_everyone() -> None:
    """Shrinkage beats each person's own estimate, and its intervals mostly cover the truth."""
    trials, truth = simulate(0.15, spread=0.08)
    shrunk_error, covered, total = 0.0, 0, 0
    for t in range(20):
        effects = person_effects(trials[t])
        assert len(effects) == PEOPLE
        for person, effect in effects.items():
            shrunk_error += (effect.effect.estimate - truth[t, person]) ** 2
            covered += effect.effect.covers(truth[t, person])
            total += 1
    raw_error = 0.0
    for t in range(20):
        points = trials[t]
        for person in range(PEOPLE):
            own = points.only(points.person == person)
            single = person_effects(
                DecisionPoints.of(
                    np.zeros(len(own)), own.treated, own.probability, own.outcome, own.week
                )
            )
            raw_error += (single[0].effect.estimate - truth[t, person]) ** 2
    assert shrunk_error < 0.8 * raw_error
    assert covered / total >= 0.85


def test_one_person_who_always_acts_is_not_taken_as_certain() -> None:
    points = DecisionPoints.of(
        np.zeros(30), np.arange(30) % 2 == 0, np.full(30, 0.5), np.ones(30), np.arange(30) // 7
    )
    effect = person_effects(points)[0]
    assert effect.effect.low < 0 < effect.effect.high
    assert effect.base == pytest.approx(1.0)


def test_too_little_to_say_is_none() -> None:
    all_nudged = DecisionPoints.of([0, 1, 2], [True] * 3, [0.6] * 3, [1, 0, 1], [0, 0, 0])
    assert pooled_effect(all_nudged) is None
    with pytest.raises(ValueError, match="between 0 and 1"):
        DecisionPoints.of([0], [True], [1.0], [1], [0])


def test_t_quantile_is_close_to_the_table() -> None:
    assert t_quantile(10) == pytest.approx(2.228, abs=0.005)
    assert t_quantile(39) == pytest.approx(2.023, abs=0.002)
    assert t_quantile(1) == pytest.approx(12.706)  # two people: a very wide interval
