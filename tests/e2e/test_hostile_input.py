"""Issue #11: input found from outside to crash, double or leak — each kept as a test.

A note with NUL or a lone surrogate, an edited command, a group that chats, a photo or a
sticker, blocking and unblocking the bot, a button on an inline message, zone names that
are not places, and old buttons after ``/forget_me``. Every test tries it as a person
would, through the fake Bot API, and checks what they see and what the bot kept.
"""

from __future__ import annotations

from sqlalchemy import select

from messages import texts
from storage.models import ConnectionEvent, User
from tests.e2e.conftest import Harness
from tests.e2e.support import (
    assert_no_error_shown,
    button_data,
    pair_up,
    say,
    snapshot,
    start,
    start_with_zone,
    tap,
    tap_data,
    user_row,
)

ALICE, BOB, CAROL = 1001, 1002, 1003


async def test_nul_and_lone_surrogates_are_dropped_before_anything_is_stored(
    harness: Harness,
) -> None:
    """A note with NUL and a lone surrogate (valid JSON, not valid text) is relayed without
    them on both databases; a name with them works too."""
    h = harness
    alice, bob = h.user(ALICE, "Al\x00ice\ud800"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    await alice.send("/thinking miss\x00 you \udc00!")
    await alice.wait_for(lambda m: "Sent" in m.body)
    relayed = await bob.wait_for(lambda m: "thinking of you" in m.body)
    assert relayed.body == "💭 Alice\ufffd is thinking of you:\n\n“miss you \ufffd!”"
    async with h.db.transaction() as session:
        note = await session.scalar(select(ConnectionEvent.note))
        name = await session.scalar(select(User.first_name).where(User.id == ALICE))
    assert note == "miss you \ufffd!" and name == "Alice\ufffd"
    assert_no_error_shown(h)
