"""“How are we doing this week?” end to end, over HTTP against the fake Bot API.

A couple in two zones (Anna in Berlin, Ben in New York) with a constructed fortnight; every
event sits in the afternoon UTC, so it falls on the same local day for both and the two of
them must read exactly the same figures. Time moves only through ``h.clock``; the digest
job is ticked by hand, as the JobQueue would every five minutes.
"""

from __future__ import annotations

import io
import random
import re
import struct
import zlib
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from PIL import Image

from bot import callback_data as cd
from bot.handlers import weekly as weekly_handlers
from bot.handlers.weekly import reflection_parts, visible_length
from domain.values.kinds import MomentKind
from domain.values.weekly_summary import Reflection
from messages import texts
from messages.weekly import DIGEST_INTRO, NOT_PAIRED_WEEKLY
from messages.weekly_chart import PARTNER_COLOURS
from scheduling.digest import run_digests
from storage.models import NudgeStatus, User
from tests.e2e.conftest import Harness, pair
from tests.e2e.support import button_data, pair_up, say, tap
from tests.fake_telegram import BotMessage, FakeUser
from tests.weekly.factories import ANNA, BEN, BERLIN, summary_for
from tests.weekly.factories import WEEK as FACTORY_WEEK
from tests.weekly.test_weekly_messages import spread
from tests.weekly.test_weekly_queries import add_event, add_nudge

K = MomentKind
NEW_YORK = ZoneInfo("America/New_York")
WEEK = date(2026, 11, 23)  # Monday; the harness clock starts on Thursday 26 Nov, 09:00 UTC
PAIRED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # when Anna and Ben paired
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
FIGURES = (
    re.compile(r"💛 (\d+) moments? together"),
    re.compile(r"📅 (\d+) of (\d+) days"),
    re.compile(r"💞 (\d+) moments? together since you paired"),
    re.compile(r"acted on (\d+) of (\d+) nudges?"),
)


def utc(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def figures(msg: BotMessage) -> list[tuple[str, ...] | None]:
    """The numbers a person reads, in order; what both partners must agree on."""
    found = [pattern.search(msg.body) for pattern in FIGURES]
    return [None if match is None else match.groups() for match in found]


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from a checked IHDR chunk."""
    assert png.startswith(PNG_SIGNATURE)
    length, kind = struct.unpack(">I4s", png[8:16])
    assert (length, kind) == (13, b"IHDR")
    (crc,) = struct.unpack(">I", png[29:33])
    assert crc == zlib.crc32(png[12:29])
    width, height = struct.unpack(">II", png[16:24])
    return width, height


async def couple_id_of(h: Harness, user_id: int) -> int:
    async with h.db.transaction() as session:
        user = await session.get(User, user_id)
        assert user is not None and user.couple_id is not None
        return user.couple_id


async def set_zone(person: FakeUser, zone: str) -> None:
    await person.send(f"/timezone {zone}")
    await person.wait_for(lambda m: zone in m.body)


async def anna_and_ben(h: Harness) -> tuple[FakeUser, FakeUser, int]:
    """Paired over HTTP, in two zones, with the constructed fortnight in the database.

    This week so far: Mon hug each, Tue Anna appreciation, Wed Ben thinking-of-you and Anna
    love-back, Thu Ben kiss = 6 (3 each), connected Mon and Wed. Last week: 3. All time: 9.
    Nudges this week: Anna acted on one after 5 minutes, Ben declined one.
    """
    anna, ben = h.user(41, "Anna"), h.user(42, "Ben")
    today = h.clock()
    h.clock.set(PAIRED)  # they have been together here for weeks
    await pair(h, anna, ben)
    await set_zone(anna, "Europe/Berlin")
    await set_zone(ben, "America/New_York")
    h.clock.set(today)
    couple = await couple_id_of(h, anna.id)
    rows = [
        (anna.id, K.HUG, utc(WEEK, 14)),
        (ben.id, K.HUG, utc(WEEK, 14, 5)),
        (anna.id, K.APPRECIATION, utc(WEEK + timedelta(days=1), 15)),
        (ben.id, K.THINKING_OF_YOU, utc(WEEK + timedelta(days=2), 14)),
        (anna.id, K.LOVE_BACK, utc(WEEK + timedelta(days=2), 14, 3)),
        (ben.id, K.KISS, utc(WEEK + timedelta(days=3), 8)),
        (anna.id, K.HUG, utc(WEEK - timedelta(days=6), 14)),
        (ben.id, K.HUG, utc(WEEK - timedelta(days=6), 14, 1)),
        (anna.id, K.GOODNIGHT, utc(WEEK - timedelta(days=3), 21)),
    ]
    for actor, kind, when in rows:
        await add_event(h.db, couple, actor, kind, when)
    await add_nudge(h.db, couple, anna.id, utc(WEEK, 13), NudgeStatus.ACTED, after_minutes=5)
    await add_nudge(h.db, couple, ben.id, utc(WEEK + timedelta(days=1), 16), NudgeStatus.DECLINED)
    return anna, ben, couple


def digests(person: FakeUser) -> list[BotMessage]:
    return [m for m in person.chat if m.body.startswith(DIGEST_INTRO)]


async def ask(person: FakeUser, text: str) -> BotMessage:
    """Ask in any words; the reflection arrives as a photo with the words as its caption."""
    await person.send(text)
    return await person.wait_for(lambda m: m.photo is not None, timeout=10)


async def test_both_partners_asking_in_their_own_words_read_the_same_week(
    harness: Harness,
) -> None:
    h = harness
    anna, ben, _ = await anna_and_ben(h)
    replies = [
        await ask(anna, "how are we doing this week"),
        await ask(ben, "/week"),
        await ask(anna, "How's our week?"),
        await ask(ben, "how r we doin this wk"),
    ]
    expected = [("6",), ("2", "4"), ("9",), ("1", "2")]
    for reply in replies:
        assert figures(reply) == expected, reply.describe()
        assert "up from 3 last week" in reply.body
        assert "💬 Your “thinking of you” got a reply this week 💞" in reply.body
        assert "💞 9 moments together since you paired on 2 Nov" in reply.body
        assert "23\u2009–\u200929 Nov" in reply.body and "(so far)" in reply.body
    # The chart key gives each the same colour on both phones.
    for reply in replies:
        assert "a bar for each of you, 🟦 Anna and 🟧 Ben." in reply.body
    for reply in replies:
        assert reply.photo is not None
        assert png_size(reply.photo) == (720, 640)
        assert 10_000 <= len(reply.photo) <= 300_000
        assert reply.photo.endswith(b"IEND\xaeB`\x82")
        assert reply.photo_sizes and reply.photo_sizes[0]["width"] == 720
    # One message per question: the words fit in the caption, nothing else was sent.
    await h.settled()
    assert anna.unread == [] and ben.unread == []


async def test_last_week_question_gets_last_week(harness: Harness) -> None:
    h = harness
    anna, _, _ = await anna_and_ben(h)
    reply = await ask(anna, "how did we do last week")
    assert "Last week (16\u2009–\u200922 Nov)" in reply.body
    assert figures(reply)[0] == ("3",)
    assert figures(reply)[1] == ("1", "7")  # Tuesday, from both
    # What they have shared since is told with its context: this week's 6 are in it.
    assert "💞 9 moments together since you paired on 2 Nov — 6 of them this week 💛" in reply.body
    command = await ask(anna, "/week last")
    assert figures(command) == figures(reply)


async def test_the_our_week_button_sends_the_reflection(harness: Harness) -> None:
    h = harness
    anna, _, _ = await anna_and_ben(h)
    last = anna.chat[-1]
    await anna.press_data(cd.Week().pack(), message_id=last.message_id)
    answer = await anna.next_callback_answer()
    assert answer.text is None and not answer.show_alert
    reply = await anna.wait_for(lambda m: m.photo is not None, timeout=10)
    assert figures(reply)[0] == ("6",)


async def test_someone_not_paired_gets_a_kind_explanation_and_the_invite(
    harness: Harness,
) -> None:
    h = harness
    carol = h.user(43, "Carol")
    for text in ("/week", "how are we doing?"):
        await carol.send(text)
        reply = await carol.wait_for(lambda m: m.text is not None and "made for two" in m.text)
        assert reply.raw_text == NOT_PAIRED_WEEKLY
        assert reply.button_texts == [texts.BUTTON_INVITE]
    assert all(m.photo is None for m in carol.chat)


async def test_a_brand_new_couple_gets_encouragement_without_a_chart(harness: Harness) -> None:
    h = harness
    dora, emil = h.user(44, "Dora"), h.user(45, "Emil")
    await pair(h, dora, emil)
    await dora.send("how are we doing this week?")
    reply = await dora.wait_for(lambda m: "first week" in m.body)
    assert reply.photo is None and "Emil" in reply.body


async def test_the_sunday_digest_arrives_once_per_partner_at_their_local_evening(
    harness: Harness,
) -> None:
    h = harness
    anna, ben, _ = await anna_and_ben(h)
    carl, dana = h.user(46, "Carl"), h.user(47, "Dana")
    await pair(h, carl, dana)
    for person in (carl, dana):
        await set_zone(person, "Europe/Berlin")
    friday = utc(WEEK + timedelta(days=4), 12)  # after they paired (Thursday)
    await add_event(h.db, await couple_id_of(h, carl.id), carl.id, K.HUG, friday)
    await dana.send("/digest off")
    await dana.wait_for(lambda m: "no more Sunday digest" in m.body)

    engine, rng = h.nudges.deliveries, random.Random(11)
    people = (anna, ben, carl, dana)
    arrived: dict[int, list[datetime]] = {person.id: [] for person in people}
    reported = 0
    h.clock.set(datetime(2026, 11, 29, 15, 0, tzinfo=UTC))  # Sunday 16:00 Berlin
    while h.clock() < datetime(2026, 11, 30, 6, 0, tzinfo=UTC):  # Monday 01:00 New York
        reported += (await run_digests(engine, rng)).sent
        for person in people:
            seen = len(digests(person))
            arrived[person.id] += [h.clock()] * (seen - len(arrived[person.id]))
        h.clock.advance(timedelta(minutes=5))

    assert {who: len(times) for who, times in arrived.items()} == {
        anna.id: 1,
        ben.id: 1,
        carl.id: 1,
        dana.id: 0,
    }
    for person, zone in ((anna, BERLIN), (ben, NEW_YORK), (carl, BERLIN)):
        local = arrived[person.id][0].astimezone(zone)
        assert local.date() == date(2026, 11, 29), local
        assert (18, 30) <= (local.hour, local.minute) <= (19, 35), local
    assert reported == 3
    digest = digests(anna)[0]
    assert digest.photo is not None and png_size(digest.photo) == (720, 640)
    assert figures(digest)[:3] == [("6",), ("2", "7"), ("9",)]
    assert "/digest off" in digest.body and "For next week" in digest.body
    # Another pass later that night: nothing more.
    assert (await run_digests(engine, rng)).sent == 0


async def test_a_blocked_digest_pauses_reminders_and_tells_the_partner_once(
    harness: Harness,
) -> None:
    """Ben blocked the bot: his digest fails, he gets nothing more, Anna hears it once."""
    h = harness
    anna, ben, _ = await anna_and_ben(h)
    h.fake.block(ben.id)
    rng = random.Random(11)
    h.clock.set(datetime(2026, 11, 29, 15, 0, tzinfo=UTC))
    while h.clock() < datetime(2026, 11, 30, 6, 0, tzinfo=UTC):
        await run_digests(h.nudges.deliveries, rng)
        h.clock.advance(timedelta(minutes=5))
    await h.nudges.deliver_outbox()  # the notice was sent by wake(); make sure it is done
    assert len(digests(anna)) == 1
    told = [m for m in anna.chat if "doesn't seem to be receiving" in m.body]
    assert len(told) == 1 and "Ben" in told[0].body
    async with h.db.transaction() as session:
        row = await session.get(User, ben.id)
    assert row is not None and not row.is_active


def test_words_too_long_for_a_caption_follow_the_chart(monkeypatch: pytest.MonkeyPatch) -> None:
    """Telegram caps captions at 1024: past that, the chart (with its key) and then the words."""
    summary = summary_for(spread((5, 3)), tz=BERLIN, week_start=FACTORY_WEEK)
    reflection = Reflection(summary, ANNA, BEN, 0, b"\x89PNG fake")
    (single,) = reflection_parts(reflection)
    assert single.photo is not None and "🟦 Anna and 🟧 Ben" in single.text
    monkeypatch.setattr(weekly_handlers, "CAPTION_LIMIT", 300)
    chart, words = reflection_parts(reflection, digest=True)
    assert chart.photo is not None and chart.text.startswith("📊 Your week day by day")
    assert words.photo is None and words.text.startswith(DIGEST_INTRO)
    assert visible_length("<b>a&amp;b</b> 💞") == 6  # tags dropped, entities decoded, UTF-16


async def test_the_sunday_digest_can_be_switched_off_and_on_in_settings(
    harness: Harness,
) -> None:
    from messages import settings as words

    h = harness
    anna, _ben, _ = await anna_and_ben(h)
    await anna.send("/settings")
    menu = await anna.wait_for(lambda m: words.SUMMARY_DIGEST_ON in m.body)
    await anna.press(words.BUTTON_DIGEST_OFF, message_id=menu.message_id)
    edited = await anna.wait_for_edit(menu.message_id)
    assert words.SUMMARY_DIGEST_OFF in edited.body
    async with h.db.transaction() as session:
        assert (await session.get(User, anna.id)).digest_opt_out  # type: ignore[union-attr]
    await anna.press(words.BUTTON_DIGEST_ON, message_id=menu.message_id)
    edited = await anna.wait_for_edit(menu.message_id)
    assert words.SUMMARY_DIGEST_ON in edited.body
    async with h.db.transaction() as session:
        assert not (await session.get(User, anna.id)).digest_opt_out  # type: ignore[union-attr]


# --- A new couple, as they would try it (issue 9, points 5 and 6) --------------------------

MIA, NOAH = 51, 52


async def thinking(sender: FakeUser, receiver: FakeUser, *, loved_back: bool) -> None:
    """``/thinking``; the partner gets it and, when ``loved_back``, taps "Send love back"."""
    await say(sender, "/thinking")
    relayed = await receiver.wait_for(lambda m: "is thinking of you" in m.body)
    if loved_back:
        await tap(receiver, "❤️ Send love back", message_id=relayed.message_id)
        await sender.wait_for(lambda m: "sends love back" in m.body)
    else:
        assert button_data(relayed, "❤️ Send love back")


async def mia_and_noah(h: Harness) -> tuple[FakeUser, FakeUser]:
    """Paired on Thursday 26 Nov at 09:00 UTC (10:00 in Berlin), then two days of bids.

    Thursday: Mia 09:05 (Noah loves it back), Noah 09:20 (Mia's next word is at 14:00:
    no reply), Mia 14:00 (Noah writes at 14:30: a reply), Noah 14:30 (no reply).
    Friday: Mia 10:00 (loved back). 5 "thinking of you"s, 3 answered, 2 love-backs: 7
    moments, Mia 3 and Noah 4. One nudge acted on after 3 minutes.
    """
    mia, noah = h.user(MIA, "Mia"), h.user(NOAH, "Noah")
    await pair_up(h, mia, noah)  # both pick Berlin, as newcomers do
    thursday = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    for at, sender, receiver, loved in (
        (thursday + timedelta(minutes=5), mia, noah, True),
        (thursday + timedelta(minutes=20), noah, mia, False),
        (thursday + timedelta(hours=5), mia, noah, False),
        (thursday + timedelta(hours=5, minutes=30), noah, mia, False),
        (thursday + timedelta(days=1, hours=1), mia, noah, True),
    ):
        h.clock.set(at)
        await thinking(sender, receiver, loved_back=loved)
    couple = await couple_id_of(h, mia.id)
    nudged = thursday + timedelta(days=1, hours=-2)
    await add_nudge(h.db, couple, mia.id, nudged, NudgeStatus.ACTED, after_minutes=3)
    h.clock.set(datetime(2026, 11, 27, 19, 0, tzinfo=UTC))  # Friday 20:00 in Berlin
    return mia, noah


async def test_a_new_couple_reads_a_week_that_counts_right_and_speaks_of_us(
    harness: Harness,
) -> None:
    h = harness
    mia, noah = await mia_and_noah(h)
    mine, theirs = await ask(mia, "/week"), await ask(noah, "how's our week?")
    # Both read exactly the same words: nothing in them is about who did more.
    assert mine.body == theirs.body
    text = mine.body
    assert "💭 5 “thinking of you” messages" in text
    assert "❤️ 2 replies with love" in text  # its own kind, not a "thinking of you"
    assert "💛 7 moments together — a lovely start 🌱" in text
    assert text.count("7 moments") == 1  # the total is said once
    assert "📅 2 of 2 days since you paired so far with a moment from each of you" in text
    assert "💬 3 of your 5 “thinking of you”s got a reply this week 💞" in text
    assert "⏰ Together you acted on 1 of 1 nudge." in text and "usually" not in text
    for comparison in ("reached out a lot", "thank you", "full week", "check-in could"):
        assert comparison not in text
    # Last week was before they paired: said as such, not as "a quiet one".
    await mia.send("/week last")
    before = await mia.wait_for(lambda m: "Last week (16\u2009–\u200922 Nov)" in m.body)
    assert before.photo is None
    assert "You paired here on 26 Nov, so your weeks together start from there 💞" in before.body
    assert "Since then: 7 moments together 💛" in before.body
    assert "quiet" not in before.body


def colour_pixels(png: bytes) -> tuple[int, int]:
    """Pixels of (blue, vermillion) in the picture: each partner's bars."""
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    counts = []
    for colour in PARTNER_COLOURS:
        wanted = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
        counts.append(int(np.all(pixels == wanted, axis=-1).sum()))
    return counts[0], counts[1]


async def test_the_chart_shows_each_person_in_one_colour_on_both_phones(
    harness: Harness,
) -> None:
    h = harness
    mia, noah = await mia_and_noah(h)
    mine, theirs = await ask(mia, "/week"), await ask(noah, "/week")
    assert mine.photo is not None and theirs.photo is not None
    for reply in (mine, theirs):
        assert png_size(reply.photo or b"") == (720, 640)
        assert "a bar for each of you, 🟦 Mia and 🟧 Noah." in reply.body
        assert "♥ marks a day with a moment from each of you." in reply.body
        assert "line" not in reply.body  # nothing but bars and hearts is drawn
    # The same picture on both phones; Mia (3 moments) blue, Noah (4) vermillion.
    assert mine.photo == theirs.photo
    blue, vermillion = colour_pixels(mine.photo)
    assert blue > 1000 and 0.6 < blue / vermillion < 0.9, (blue, vermillion)


async def test_no_sunday_digest_for_a_couple_paired_less_than_three_days_ago(
    harness: Harness,
) -> None:
    """Mia and Noah paired on Thursday get theirs; Ola and Per, paired on Saturday, none."""
    h = harness
    mia, noah = await mia_and_noah(h)
    ola, per = h.user(53, "Ola"), h.user(54, "Per")
    h.clock.set(datetime(2026, 11, 28, 10, 0, tzinfo=UTC))  # Saturday
    await pair_up(h, ola, per)
    await thinking(ola, per, loved_back=True)
    engine, rng = h.nudges.deliveries, random.Random(5)
    h.clock.set(datetime(2026, 11, 29, 17, 0, tzinfo=UTC))  # Sunday 18:00 Berlin
    while h.clock() < datetime(2026, 11, 29, 21, 30, tzinfo=UTC):
        await run_digests(engine, rng)
        h.clock.advance(timedelta(minutes=5))
    await h.settled()
    assert [len(digests(p)) for p in (mia, noah, ola, per)] == [1, 1, 0, 0]
    assert "💬 3 of your 5 “thinking of you”s got a reply this week 💞" in digests(mia)[0].body
