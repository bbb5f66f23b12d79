"""Issue #11: property-based fuzzing of the real handlers, through the fake Bot API.

One bot, one database and one small world per test (two couples, someone who unpaired,
someone forgotten, someone with an open invitation); hypothesis then sends each example's
update to it, as a forged client or an odd person would, and checks after each:

- no exception reached the error handler, and Telegram accepted every request;
- the database, dumped table by table by reflecting the schema (so a future table is
  covered too), changed not at all where nothing is due, and otherwise only in rows of the
  person who acted;
- every reply is kind (never "something went wrong") or there is none, goes only to the
  person or their partner, escapes what was typed (the bot speaks HTML), and never holds a
  word of the other couple's names, notes or offers.

Each property runs :data:`EXAMPLES` examples on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import MetaData, delete, select

from bot import callback_data as cd
from bot.context import BotContext
from messages import texts
from storage.limits import RateBucket
from storage.models import ConnectionEvent, Couple, RelayOffer, User
from tests.e2e.conftest import Harness
from tests.e2e.support import invite, pair_up, say, start, start_with_zone, tap
from tests.fake_telegram import FakeUser

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "200"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    # One harness for all examples is the point (a bot per example would take minutes).
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,  # the same examples in every CI run; a failure is reproducible
)
#: What couple B shares only with each other: none of it may reach anyone else.
SECRETS = ("Zephyrine", "Quillon", "quokkasecret", "wombatsecret")
#: Stays inside HTML-looking input, so an unescaped echo shows (formatted, or refused).
CANARY = "Qx7"
HTML_BAITS = (
    f"<b>{CANARY}</b>",
    f"</code>{CANARY}",
    f"&amp;{CANARY}",
    f'<a href="tg://user?id=1">{CANARY}</a>',
    f"<tg-spoiler>{CANARY}",
    f"<{CANARY}>",
    f"&{CANARY};",
)
#: Tables whose change is always due: the inbox claims each update once, and each update
#: spends a token of its sender's own fair-limit bucket (tests/e2e/test_data_rights.py
#: covers the limits; here every example starts with full buckets, see ``act``).
ALWAYS_CHANGES = frozenset({"processed_updates", "alembic_version", "rate_buckets"})

Dump = dict[str, set[tuple[Any, ...]]]


@dataclass
class World:
    h: Harness
    alice: FakeUser  # paired with bob (couple A)
    bob: FakeUser
    carol: FakeUser  # paired with dave (couple B): their names and words are the secrets
    dave: FakeUser
    hank: FakeUser  # unpaired after /unpair
    gina: FakeUser  # forgotten after /forget_me
    #: Callback data only couple B or erin may use.
    foreign_data: list[str]
    errors: list[BaseException] = field(default_factory=list)
    strangers: itertools.count[int] = field(default_factory=lambda: itertools.count(7_000_000))
    schema: MetaData | None = None
    last_dump: Dump | None = None

    def stranger(self, name: str = "Newcomer") -> FakeUser:
        return self.h.user(next(self.strangers), name)


@pytest.fixture
async def world(harness: Harness) -> AsyncIterator[World]:
    h = harness
    alice, bob = h.user(1001, "Alice"), h.user(1002, "Bob")
    carol, dave = h.user(2001, "Zephyrine"), h.user(2002, "Quillon")
    hank, ivy = h.user(3001, "Hank"), h.user(3002, "Ivy")
    gina, erin = h.user(4001, "Gina"), h.user(5001, "Erin")
    for one, other in ((alice, bob), (carol, dave), (hank, ivy)):
        await pair_up(h, one, other)
    await say(alice, "/thinking see you tonight")
    await carol.send("/thinking quokkasecret")
    await carol.wait_for(lambda m: "Sent" in m.body)
    love = await dave.wait_for(lambda m: "thinking of you" in m.body)
    await say(carol, "wombatsecret")  # "Send this to Quillon?"
    menu = await say(carol, "/moment")
    await tap(carol, "✨ Something else", message_id=menu.message_id)
    ask = await say(hank, "/unpair")
    await tap(hank, texts.BUTTON_UNPAIR_KEEP, message_id=ask.message_id)
    await start(gina)
    ask = await say(gina, "/forget_me")
    await tap(gina, texts.BUTTON_FORGET_CONFIRM, message_id=ask.message_id)
    await start_with_zone(erin)
    await erin.send("/timezone Lisbon")  # builds the city index once, before any example
    await erin.wait_for(lambda m: "Lisbon" in m.body, timeout=60)
    erins = await invite(erin)
    await h.settled()
    async with h.db.transaction() as session:
        their_events = await session.scalars(
            select(ConnectionEvent.id).where(ConnectionEvent.actor_id.in_([carol.id, dave.id]))
        )
        their_offers = await session.scalars(
            select(RelayOffer.id).where(RelayOffer.user_id == carol.id)
        )
        ended = await session.scalars(select(Couple.id).where(Couple.ended_at.is_not(None)))
        events, offers = list(their_events), list(their_offers)
        couples = [*ended, await session.scalar(select(User.couple_id).where(User.id == carol.id))]
    couple_b = next(
        b.callback_data for row in love.buttons for b in row if b.callback_data
    )  # a real button of theirs
    foreign = [couple_b, f"v1:pair:{erins.code}"]
    for event_id in events:
        foreign += [f"v1:{p}:{event_id}" for p in ("love", "tell", "thx", "skip")]
    foreign += [f"v1:{p}:{offer_id}" for offer_id in offers for p in ("ofy", "ofn")]
    foreign += [f"v1:unpair:{couple_id}" for couple_id in couples]  # B's, and hank's old one
    world = World(h, alice, bob, carol, dave, hank, gina, foreign)

    async def record(update: object, context: BotContext) -> None:
        assert context.error is not None
        world.errors.append(context.error)

    h.app.add_error_handler(record)
    yield world


# -- looking at the bot from outside ---------------------------------------------------------


async def dump(w: World) -> Dump:
    """Every row of every table there is (reflected once per test, not from our models)."""
    async with w.h.db.engine.connect() as connection:
        if w.schema is None:
            w.schema = MetaData()
            await connection.run_sync(w.schema.reflect)
        tables = {}
        for table in w.schema.tables.values():
            if table.name in ALWAYS_CHANGES:
                continue
            rows = (await connection.execute(select(table))).all()
            tables[table.name] = {tuple(row) for row in rows}
    return tables


def changed_rows(before: Dump, after: Dump) -> list[tuple[str, tuple[Any, ...]]]:
    return [
        (name, row)
        for name in before.keys() | after.keys()
        for row in before.get(name, set()) ^ after.get(name, set())
    ]


@dataclass
class Seen:
    """What the bot did after one example's update: its requests, and their words."""

    requests: list[Any]

    @property
    def words(self) -> list[str]:
        return [json.dumps(r.params, ensure_ascii=False) for r in self.requests]

    def chats(self) -> set[int]:
        return {r.chat_id for r in self.requests if r.chat_id is not None}


async def act(w: World, update: Any) -> tuple[Dump, Seen, Dump]:
    """Run one update through the bot; the database before and after, and what it did."""
    await w.h.settled()
    w.errors.clear()  # one example's failure is not the next one's
    # The last example's "after" is this one's "before": nothing runs in between (with the
    # clock held still), and if anything did, its change would show here: never hidden.
    before = w.last_dump if w.last_dump is not None else await dump(w)
    async with w.h.db.transaction() as session:  # full buckets: the clock is held still
        await session.execute(delete(RateBucket))
    start_at = len(w.h.fake.requests)
    await update()
    await w.h.settled(timeout=30)  # a safety net only: a loaded CI machine is slow
    w.last_dump = await dump(w)
    return before, Seen(w.h.fake.requests[start_at:]), w.last_dump


def assert_kind_and_private(w: World, seen: Seen, *, couple_b: bool = False) -> None:
    """No error anywhere, nothing of couple B (unless they acted), every echo escaped."""
    assert w.errors == [], w.errors
    for request in seen.requests:
        assert request.ok, request
    for words in seen.words:
        assert texts.SOMETHING_WENT_WRONG not in words
        if not couple_b:
            assert not any(secret in words for secret in SECRETS), words
    for request in seen.requests:
        for key in ("text", "caption"):
            shown = request.params.get(key)
            if isinstance(shown, str) and request.params.get("parse_mode") == "HTML":
                _assert_escaped(w, request.chat_id, shown)


def _assert_escaped(w: World, chat_id: int | None, sent: str) -> None:
    """Where the canary shows, the bait around it shows as typed (escaped, not obeyed)."""
    user = w.h.fake._users.get(chat_id) if chat_id is not None else None
    if user is None or CANARY not in sent:
        return
    plain = [m.text or m.caption or "" for m in user.history]
    shown = next((p for p in reversed(plain) if CANARY in p), "")
    assert any(bait in shown for bait in HTML_BAITS), (sent, shown)


# -- strategies -----------------------------------------------------------------------------

ODDITIES = st.sampled_from(
    [
        "\u200f",  # right-to-left mark
        "\u202e",  # right-to-left override
        "\u200b",  # zero-width space
        "\u200d",  # zero-width joiner
        "\ufeff",  # byte-order mark
        "e\u0301\u0301\u0301",  # combining sequence
        "👩\u200d❤️\u200d💋\u200d👨",  # emoji ZWJ sequence
        "🏳️\u200d🌈",
        "\x00",  # NUL
        "\ud800",  # lone surrogates (JSON allows them as escapes)
        "\udfff",
        "\U0010ffff",
        "ﷺ",
        "\n\t\r",
        "𝕳𝖊𝖑𝖑𝖔",
    ]
)
ODD_TEXT = st.lists(st.one_of(ODDITIES, st.text(max_size=8)), max_size=12).map("".join)
HTML_TEXT = st.tuples(st.sampled_from(HTML_BAITS), ODD_TEXT).map("".join)
HUGE_TEXT = st.integers(4_000, 5_000).map(lambda n: ("wörd " * n)[:n])
ANY_TEXT = st.one_of(st.text(max_size=300), ODD_TEXT, HTML_TEXT, HUGE_TEXT)
COMMANDS = (
    "/pair",
    "/timezone",
    "/midday",
    "/bedtime",
    "/quiet",
    "/pause",
    "/week",
    "/digest",
    "/rituals",
    "/thinking",
    "/start",
    "/history",
    "/settings",
    "/resume",
    "/nonsense",
)
GARBAGE_COMMAND = st.tuples(st.sampled_from(COMMANDS), ANY_TEXT).map(lambda c: f"{c[0]} {c[1]}")
#: Where the bot echoes what was typed: a refused zone or code, a note to the partner.
ECHOED = st.tuples(
    st.sampled_from(["/timezone ", "/thinking ", "/pair ", "/start "]), HTML_TEXT
).map("".join)
NAMES = st.one_of(st.just("Alice"), HTML_TEXT, ODD_TEXT.filter(str.strip))
PREFIXES = [c.prefix for c in cd.CallbackData.__subclasses__()]


def forged_data(w: World) -> st.SearchStrategy[str]:
    """Button data no honest client of this person sends (anything a button of theirs
    could carry is left out: pressing "Invite" or "Forget me" is due to change things)."""
    field_junk = st.one_of(
        st.text(max_size=20),
        st.sampled_from(["²", "٣", "-1", "99999999999999999999999", "9223372036854775808"]),
        st.integers(10**6, 2**63 - 1).map(str),
    )
    fields = st.lists(field_junk, min_size=1, max_size=3).map(":".join)
    known = st.tuples(st.sampled_from(PREFIXES), fields).map(lambda p: f"v1:{p[0]}:{p[1]}")
    versions = st.tuples(st.sampled_from(["v0", "v2", "V1", "", "v1 "]), fields).map(":".join)
    theirs = st.sampled_from(w.foreign_data)
    truncated = theirs.flatmap(lambda d: st.integers(0, len(d) - 1).map(lambda n: d[:n]))
    honest = cd.CallbackData.__subclasses__()
    return st.one_of(
        st.text(max_size=64),
        st.binary(min_size=64, max_size=64).map(lambda b: b.decode("latin-1")),
        known,
        versions,
        theirs,
        truncated,
        st.text(min_size=65, max_size=200),
    ).filter(lambda d: d in w.foreign_data or not any(c.parse(d) for c in honest))


# -- the properties -------------------------------------------------------------------------


@given(st.data())
@FUZZ
async def test_forged_and_stale_presses_change_nothing(world: World, data: st.DataObject) -> None:
    """Forged, foreign, truncated or junk button data, from a paired person, someone who
    unpaired, someone forgotten or a stranger, on a real message, a gone one or none: an
    answer ("no longer active", "/start first", or a refusal), and nothing changes."""
    w = world
    who = data.draw(st.sampled_from(["alice", "hank", "gina", "stranger"]), label="who")
    person = w.stranger() if who == "stranger" else getattr(w, who)
    pressed = data.draw(forged_data(w), label="data")
    where = data.draw(st.sampled_from(["last", "gone", "inline"]), label="where")

    async def press() -> None:
        if where == "inline":
            await person.press_inline(pressed)
        elif where == "gone" or not person.chat:
            await person.press_data(pressed, message_id=10**6)
        else:
            await person.press_data(pressed, message_id=person.chat[-1].message_id)
        await person.next_callback_answer()

    before, seen, after = await act(w, press)
    assert changed_rows(before, after) == []
    assert_kind_and_private(w, seen)
    assert seen.chats() <= {person.id}
    assert not any(r.method == "sendMessage" for r in seen.requests), seen.requests


@given(st.data())
@FUZZ
async def test_what_the_bot_should_not_act_on_changes_nothing(
    world: World, data: st.DataObject
) -> None:
    """Edits, photos and stickers, group chatter, channel posts, and a stranger blocking
    the bot: a kind word or silence, and nothing stored."""
    w = world
    kind = data.draw(
        st.sampled_from(["edit", "media", "group", "channel", "stranger_blocks"]), label="kind"
    )
    text = data.draw(st.one_of(ANY_TEXT, GARBAGE_COMMAND), label="text")
    person = data.draw(st.sampled_from([w.alice, w.hank]), label="who")
    family = w.h.fake.group(-1_000_000_777, "Family")
    news = w.h.fake.group(-1_001_000_000_888, "News", kind="channel")

    async def update() -> None:
        if kind == "edit":
            mine = [m for m, sent in person._incoming.items() if "text" in sent]
            await person.edit(mine[data.draw(st.integers(0, len(mine) - 1))], text or ".")
        elif kind == "media":
            await person.send_media(
                data.draw(st.sampled_from(["photo", "sticker", "voice", "video_note", "dice"]))
            )
        elif kind == "group":
            await family.post(text or ".", sender=person)
        elif kind == "channel":
            await news.post(text or ".")
        else:
            stranger = w.stranger()
            await stranger.block_bot(data.draw(st.booleans()))

    before, seen, after = await act(w, update)
    assert changed_rows(before, after) == []
    assert_kind_and_private(w, seen)
    assert seen.chats() <= {person.id, family.id}
    shown = {r.params.get("text") for r in seen.requests}
    assert shown <= {None, texts.EDIT_NOT_FOLLOWED, texts.NOT_TEXT, texts.PRIVATE_ONLY}


@given(st.data())
@FUZZ
async def test_odd_texts_names_and_commands_touch_only_the_senders_own_things(
    world: World, data: st.DataObject
) -> None:
    """Any text, huge or odd or HTML-looking, and commands with garbage arguments, under any
    name: whatever changes is the sender's own, every reply is kind and escaped, and none
    holds a word of another couple's."""
    w = world
    who = data.draw(st.sampled_from(["alice", "hank", "gina", "stranger"]), label="who")
    name = data.draw(NAMES, label="name")
    person = w.stranger(name) if who == "stranger" else getattr(w, who)
    person.first_name = name
    text = data.draw(st.one_of(ANY_TEXT, GARBAGE_COMMAND, ECHOED).filter(str.strip), label="text")
    partner = {w.alice.id: w.bob.id}.get(person.id)

    async def update() -> None:
        await person.send(text)

    before, seen, after = await act(w, update)
    for table, row in changed_rows(before, after):
        assert person.id in row, (table, row)
    assert_kind_and_private(w, seen)
    assert seen.chats() <= {person.id, partner}
    assert any(r.chat_id == person.id for r in seen.requests), "no reply at all"
