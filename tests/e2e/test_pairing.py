"""Issue #2, point 3: inviting a partner, saying yes — and every rule, each with a kind reply."""

from __future__ import annotations

from datetime import timedelta

from domain.values import invite_codes
from messages import texts
from tests.e2e.conftest import Harness, pair
from tests.e2e.support import (
    assert_no_error_shown,
    button_data,
    couples,
    invite,
    invites,
    pair_attempts,
    pair_up,
    press_together,
    read_invitation,
    say,
    snapshot,
    start_with_zone,
    tap,
    user_row,
)

ALICE, BOB, CAROL, DAVE = 1001, 1002, 1003, 1004


async def test_invite_button_gives_a_deep_link_and_a_short_code(harness: Harness) -> None:
    """The "Invite my partner" button gives a t.me deep link and the same code in groups."""
    h = harness
    alice = h.user(ALICE, "Alice")
    await alice.send("/start")
    welcome = await alice.next_message()
    answer = await tap(alice, "💌 Invite my partner", message_id=welcome.message_id)
    assert answer.text is None
    invitation = read_invitation(await alice.wait_for(lambda m: "t.me/" in m.body))
    assert invitation.display_code == invite_codes.display(invitation.code)
    assert "valid for 48 hours" in invitation.message.body
    # 80 random bits, and only a hash of the code is stored.
    assert len(invitation.code) * 5 >= 64
    stored = [row.code_hash for row in await invites(h)]
    assert stored == [invite_codes.hash_code(invitation.code)]
    assert h.fake.requests_for("getMe")  # the link's bot username comes from getMe


async def test_invite_command_gives_the_same_kind_of_invitation(harness: Harness) -> None:
    """/invite works too; a newer invitation retires the older one."""
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await start_with_zone(alice)
    first = await invite(alice)
    second = await invite(alice)
    assert first.code != second.code
    await start_with_zone(bob)
    stale = await say(bob, f"/pair {first.display_code}")
    assert stale.body.startswith("I couldn't find that invitation")
    assert "Pair with Alice?" in (await say(bob, f"/pair {second.display_code}")).body


async def test_partner_opens_the_link_and_says_yes(harness: Harness) -> None:
    """Bob opens Alice's link, sees "Pair with Alice?", taps yes: both get a warm note."""
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await start_with_zone(alice)
    invitation = await invite(alice)

    preview = await say(bob, f"/start {invitation.code}")
    # Bob may never have heard of the bot: two short lines say what it is, then the question.
    intro, question = preview.body.split("\n\n")
    assert intro.splitlines() == [
        "I'm microconnect, a little helper for couples: small daily moments — a hug, "
        "a “thinking of you”, a kind word — and gentle nudges at kind hours.",
        "Each of you talks to me privately; your partner only sees what you choose to share.",
    ]
    assert question == "Pair with Alice? You'll share your small moments with each other. 💞"
    assert preview.button_texts == ["💞 Yes, pair us", "Not now"]

    await tap(bob, "💞 Yes, pair us", message_id=preview.message_id)
    accepted = await bob.wait_for_edit(preview.message_id)
    assert accepted.body == "You said yes to Alice 💞" and accepted.buttons == []
    for person, partner in ((alice, "Bob"), (bob, "Alice")):
        note = await person.wait_for(lambda m: "now paired" in m.body)
        assert note.body.startswith(f"You and {partner} are now paired 💞")
        assert note.reply_keyboard == [["📝 Log a moment", "💭 Thinking of you"], ["❓ Help"]]
    # Bob came by link and has no time zone yet: he is asked next (after the line that
    # brings the location button).
    assert (await bob.next_message()).body == "🕰 Let's set your time zone."
    assert "where in the world" in (await bob.next_message()).body

    alice_row, bob_row = await user_row(h, ALICE), await user_row(h, BOB)
    assert alice_row and bob_row and alice_row.couple_id == bob_row.couple_id is not None
    [couple] = await couples(h)
    assert {couple.first_id, couple.second_id} == {ALICE, BOB} and couple.ended_at is None
    [used] = await invites(h)
    assert used.used_by_id == BOB and used.used_at == h.clock()


async def test_pair_command_forgives_dashes_spaces_and_lowercase(harness: Harness) -> None:
    """/pair <code> works however the code was copied."""
    h = harness
    alice = h.user(ALICE, "Alice")
    await start_with_zone(alice)
    invitation = await invite(alice)
    typings = (
        invitation.display_code,
        invitation.display_code.lower(),
        invitation.code.lower(),
        invitation.display_code.replace("-", " "),
    )
    for number, typed in enumerate(typings):
        person = h.user(BOB + 10 * number, f"Person{number}")
        preview = await say(person, f"/pair {typed}")
        assert "Pair with Alice?" in preview.body, typed
    await tap(person, "💞 Yes, pair us", message_id=preview.message_id)
    await alice.wait_for(lambda m: "You and Person3 are now paired" in m.body)


async def test_not_now_changes_nothing_and_the_code_still_works(harness: Harness) -> None:
    """Tapping "Not now" leaves everyone unpaired; the same invitation works later."""
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await start_with_zone(alice)
    invitation = await invite(alice)
    preview = await say(bob, f"/start {invitation.code}")
    before = await snapshot(h)

    await tap(bob, "Not now", message_id=preview.message_id)
    declined = await bob.wait_for_edit(preview.message_id)
    assert declined.body.startswith("No problem — nothing has changed.")
    assert declined.buttons == []
    assert await snapshot(h) == before
    await h.settled()
    assert alice.unread == []

    again = await say(bob, f"/pair {invitation.display_code}")
    await tap(bob, "💞 Yes, pair us", message_id=again.message_id)
    await alice.wait_for(lambda m: "You and Bob are now paired" in m.body)


async def test_a_double_tap_on_yes_pairs_once_and_keeps_the_warm_confirmation(
    harness: Harness,
) -> None:
    """Two quick taps on "Yes, pair us": one couple, one confirmation each, no refusal shown."""
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await start_with_zone(alice)
    await start_with_zone(bob)
    invitation = await invite(alice)
    preview = await say(bob, f"/start {invitation.code}")
    yes = button_data(preview, "💞 Yes, pair us")

    answers = await press_together(
        h, (bob, yes, preview.message_id), (bob, yes, preview.message_id)
    )
    assert sorted(str(a.text) for a in answers) == ["None", texts.STALE_BUTTON]
    for person in (alice, bob):
        await person.wait_for(lambda m: "now paired" in m.body)
        await h.settled()
        assert person.unread == []
    assert preview.body == "You said yes to Alice 💞" and preview.edits == 1
    assert len(await couples(h)) == 1
    assert_no_error_shown(h)


# -- The rules: each a clear, kind reply that changes nothing ---------------------------------


async def test_own_code_is_refused_kindly(harness: Harness) -> None:
    """Opening your own link: "That's your own invitation" and nothing changes."""
    h = harness
    alice = h.user(ALICE, "Alice")
    await start_with_zone(alice)
    invitation = await invite(alice)
    before = await snapshot(h)
    for typed in (f"/start {invitation.code}", f"/pair {invitation.display_code}"):
        reply = await say(alice, typed)
        assert reply.body.startswith("That's your own invitation 😊")
        assert reply.buttons == []
    assert await snapshot(h) == before


async def test_expired_code_is_refused_kindly(harness: Harness) -> None:
    """48 hours later the invitation has expired: a kind reply, nobody paired."""
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await start_with_zone(alice)
    invitation = await invite(alice)
    h.clock.advance(timedelta(hours=47, minutes=59))
    assert "Pair with Alice?" in (await say(bob, f"/start {invitation.code}")).body
    h.clock.advance(timedelta(minutes=1))
    before = await snapshot(h)
    reply = await say(bob, f"/pair {invitation.display_code}")
    assert reply.body.startswith("That invitation has expired (they last 48 hours)")
    assert await snapshot(h) == before

    # Even the "Yes" on the preview shown before expiry is refused now.
    preview = next(m for m in bob.chat if m.button_texts == ["💞 Yes, pair us", "Not now"])
    await tap(bob, "💞 Yes, pair us", message_id=preview.message_id)
    assert (await bob.wait_for_edit(preview.message_id)).body.startswith(
        "That invitation has expired"
    )
    assert await snapshot(h) == before


async def test_used_code_is_refused_kindly(harness: Harness) -> None:
    """A code works once: Carol opening the link Bob already used is told so."""
    h = harness
    alice, bob, carol = h.user(ALICE, "Alice"), h.user(BOB, "Bob"), h.user(CAROL, "Carol")
    await start_with_zone(alice)
    invitation = await invite(alice)
    preview = await say(bob, f"/start {invitation.code}")
    await tap(bob, "💞 Yes, pair us", message_id=preview.message_id)
    await alice.wait_for(lambda m: "now paired" in m.body)
    await bob.wait_for(lambda m: "where in the world" in m.body)

    await start_with_zone(carol)
    before = await snapshot(h)
    reply = await say(carol, f"/start {invitation.code}")
    assert reply.body == texts.PAIR_USED
    assert reply.buttons == []
    assert await snapshot(h) == before


async def test_unknown_code_is_refused_kindly(harness: Harness) -> None:
    """A code nobody made (or not a code at all): check it, or ask for a fresh one."""
    h = harness
    bob = h.user(BOB, "Bob")
    await start_with_zone(bob)
    before = await snapshot(h)
    for typed in ("/pair ZZZZ-ZZZZ-ZZZZ-ZZZZ", "/pair hello", "/start ABCD-EFGH"):
        reply = await say(bob, typed)
        assert reply.body.startswith("I couldn't find that invitation 🤔"), typed
        assert "ABCD-EFGH-IJKL-MNOP" in reply.body
    # No code at all: how a code looks.
    reply = await say(bob, "/pair")
    assert reply.body == "Send the code your partner gave you, like /pair ABCD-EFGH-IJKL-MNOP."
    assert await snapshot(h) == before


async def test_someone_already_paired_can_neither_accept_nor_invite(harness: Harness) -> None:
    """Bob, paired with Alice, opens Carol's link; Alice asks for an invitation: each is told
    kindly that they are already paired, and nothing changes."""
    h = harness
    alice, bob, carol = h.user(ALICE, "Alice"), h.user(BOB, "Bob"), h.user(CAROL, "Carol")
    await pair_up(h, alice, bob)
    await start_with_zone(carol)
    invitation = await invite(carol)
    before = await snapshot(h)

    for typed in (f"/start {invitation.code}", f"/pair {invitation.display_code}"):
        reply = await say(bob, typed)
        assert reply.body == (
            "You're already paired with Alice 💞 If you want to pair with someone else, "
            "/unpair first."
        )
        assert reply.buttons == []
    reply = await say(alice, "/invite")
    assert reply.body.startswith("You're already paired with Bob 💞")
    assert "t.me/" not in reply.body
    assert await snapshot(h) == before
    await h.settled()
    assert carol.unread == []


async def test_invitation_from_someone_who_paired_meanwhile(harness: Harness) -> None:
    """Bob sees "Pair with Alice?", but Alice pairs with Carol first: Bob's yes changes nothing."""
    h = harness
    alice, bob, carol = h.user(ALICE, "Alice"), h.user(BOB, "Bob"), h.user(CAROL, "Carol")
    await start_with_zone(alice)
    invitation = await invite(alice)
    preview = await say(bob, f"/start {invitation.code}")
    assert "Pair with Alice?" in preview.body

    await start_with_zone(carol)
    await pair(h, carol, alice)
    before = await snapshot(h)

    await tap(bob, "💞 Yes, pair us", message_id=preview.message_id)
    refused = await bob.wait_for_edit(preview.message_id)
    assert refused.body == texts.PAIR_INVITER_IS_PAIRED
    assert (await say(bob, f"/pair {invitation.display_code}")).body == (
        texts.PAIR_INVITER_IS_PAIRED
    )
    assert await snapshot(h) == before
    assert not any("paired" in m.body for m in carol.unread)


async def test_guessing_codes_is_rate_limited(harness: Harness) -> None:
    """Five wrong codes, then even the right one waits; after 15 minutes it works again."""
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await start_with_zone(alice)
    invitation = await invite(alice)
    await start_with_zone(bob)
    for guess in range(5):
        wrong = f"/pair AAAA-AAAA-AAAA-AAA{'BCDEF'[guess]}"
        assert (await say(bob, wrong)).body.startswith("I couldn't find that invitation")
    assert await pair_attempts(h, BOB) == 5

    before = await snapshot(h)
    for typed in (f"/pair {invitation.display_code}", f"/start {invitation.code}"):
        reply = await say(bob, typed)
        assert reply.body.startswith("That's a few codes that didn't work in a row")
        assert reply.buttons == []
    assert await snapshot(h) == before

    h.clock.advance(timedelta(minutes=14))
    assert (await say(bob, f"/pair {invitation.display_code}")).body.startswith("That's a few")
    h.clock.advance(timedelta(minutes=1))
    preview = await say(bob, f"/pair {invitation.display_code}")
    assert "Pair with Alice?" in preview.body
    await tap(bob, "💞 Yes, pair us", message_id=preview.message_id)
    await alice.wait_for(lambda m: "You and Bob are now paired" in m.body)
