"""Every nudge is about the two of you: each phrasing names the partner."""

from __future__ import annotations

import pytest

from domain.values.kinds import Ritual
from messages.nudges import CATALOGUE, nudge_text


@pytest.mark.parametrize("ritual", list(Ritual))
def test_every_phrasing_names_the_partner(ritual: Ritual) -> None:
    phrasings = CATALOGUE[ritual].phrasings
    assert phrasings, ritual
    for index in range(len(phrasings)):
        text = nudge_text(ritual, index, "Zoë & Co")
        assert "Zoë &amp; Co" in text, (ritual, index, text)  # named, and escaped
        assert "{" not in text, text


def test_no_two_phrasings_of_a_ritual_are_the_same() -> None:
    for ritual, copy in CATALOGUE.items():
        assert len(set(copy.phrasings)) == len(copy.phrasings), ritual
