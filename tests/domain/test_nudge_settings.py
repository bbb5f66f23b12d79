"""Nudge settings (issue #3), checked without Telegram, on every backend.

Each change must store exactly what was asked, nothing for a bad value, and make the planner
start afresh for that person only: their future planned nudges go, everything else stays.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta
from html.parser import HTMLParser
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select

from bot import callback_data as cd
from bot.callback_data import SettingsAction
from bot.context import Services
from bot.handlers import settings as handlers
from bot.unit_of_work import in_unit_of_work
from domain import accounts, nudge_settings, pairing
from domain.pairing import NewInvite, Paired
from domain.values import preferences
from domain.values.clock import ManualClock
from domain.values.kinds import Ritual
from domain.values.planner import plan_day
from domain.values.policy import DEFAULT_QUIET, default_policy, quiet_blocked_rituals
from domain.values.preferences import NudgeSettings, policy_from_rows
from domain.values.timeparse import (
    TimeParseError,
    TimeParseReason,
    parse_clock,
    parse_pause_days,
    parse_window,
)
from domain.values.windows import LocalWindow
from messages import settings as words
from messages import texts
from storage.database import Database
from storage.models import Nudge, NudgeStatus, RitualSetting, User
from tests.work import act, register

ALICE, BOB, CAROL, STRANGER = 1001, 1002, 1003, 9999
BERLIN = "Europe/Berlin"


def w(text: str) -> LocalWindow:
    return parse_window(text, allow_midnight=True)


async def _person(db: Database, clock: ManualClock, user_id: int, zone: str | None) -> None:
    await register(db, user_id, f"Person{user_id}", clock())
    if zone is not None:
        await act(db, user_id, accounts.set_timezone, zone)


async def _pair(db: Database, clock: ManualClock) -> int:
    for user_id in (ALICE, BOB):
        await _person(db, clock, user_id, BERLIN)
    invite = await act(db, ALICE, pairing.create_invite, now=clock())
    assert isinstance(invite, NewInvite)
    paired = await act(db, BOB, pairing.accept, invite.code, now=clock())
    assert isinstance(paired, Paired)
    return paired.couple_id


async def _stored(db: Database, user_id: int) -> tuple[Any, ...]:
    """Everything a settings command may touch, to prove a bad value touches nothing."""
    async with db.transaction() as session:
        user = (await session.execute(select(User).where(User.id == user_id))).scalar_one()
        rows = (
            await session.execute(
                select(RitualSetting.ritual, RitualSetting.enabled, RitualSetting.window)
                .where(RitualSetting.user_id == user_id)
                .order_by(RitualSetting.ritual)
            )
        ).all()
        return (user.quiet_hours, user.paused_until, user.planned_through, tuple(rows))


async def _nudges(db: Database) -> dict[tuple[int, str, date], str]:
    async with db.transaction() as session:
        rows = (await session.execute(select(Nudge))).scalars().all()
        return {(n.user_id, n.ritual, n.local_date): n.status for n in rows}


async def _planned_through(db: Database, user_id: int) -> date | None:
    async with db.transaction() as session:
        return (
            await session.execute(select(User.planned_through).where(User.id == user_id))
        ).scalar_one()


async def _policy(db: Database, user_id: int) -> Any:
    policy = await act(db, user_id, nudge_settings.load_policy)
    assert policy is not None
    return policy


# --- Pure: rows to policy -----------------------------------------------------------------


def test_no_rows_give_the_default_policy() -> None:
    assert policy_from_rows(BERLIN, None, None, ()) == default_policy(BERLIN)


def test_rows_overlay_the_defaults() -> None:
    paused = datetime(2026, 11, 30, tzinfo=UTC)
    policy = policy_from_rows(
        BERLIN,
        "22:30-07:00",
        paused,
        [
            ("midday_thinking", None, "12:00-14:00"),
            ("six_second_kiss", True, None),
            ("morning_hug", False, None, 4),  # the planner's rows carry ignored_in_a_row
        ],
    )
    expected = (
        default_policy(BERLIN)
        .with_window(Ritual.MIDDAY_THINKING, w("12:00-14:00"))
        .with_enabled(Ritual.SIX_SECOND_KISS, True)
        .with_enabled(Ritual.MORNING_HUG, False)
    )
    assert policy.rituals == expected.rituals
    assert policy.quiet == w("22:30-07:00")
    assert policy.paused_until == paused


def test_quiet_off_and_a_late_bedtime_shift_the_default_quiet_hours() -> None:
    assert policy_from_rows(BERLIN, "off", None, ()).quiet is None
    assert policy_from_rows(BERLIN, "OFF", None, ()).quiet is None
    late = policy_from_rows(BERLIN, None, None, [("bedtime", None, "23:15-23:45")])
    assert late == default_policy(BERLIN, time(23, 30))
    assert late.quiet == w("23:45-06:30")
    # An explicit choice of quiet hours is the person's own and is not shifted.
    assert policy_from_rows(BERLIN, "23:00-06:30", None, [("bedtime", None, "23:15-23:45")]).quiet
    assert quiet_blocked_rituals(
        policy_from_rows(BERLIN, "23:00-06:30", None, [("bedtime", None, "23:15-23:45")])
    ) == {Ritual.BEDTIME}


def test_unknown_rituals_and_unreadable_values_fall_back_to_defaults() -> None:
    policy = policy_from_rows(
        BERLIN,
        "whenever",
        None,
        [("juggling", True, "10:00-11:00"), ("morning_hug", None, "25:00-26:00")],
    )
    assert policy == default_policy(BERLIN)


# --- Reading ------------------------------------------------------------------------------


async def test_no_policy_for_strangers_or_without_a_zone(db: Database, clock: ManualClock) -> None:
    with pytest.raises(LookupError):  # the bot registers everyone before anything else
        await act(db, STRANGER, nudge_settings.load_policy)
    await _person(db, clock, CAROL, None)
    assert await act(db, CAROL, nudge_settings.load_policy) is None
    await act(db, CAROL, accounts.set_timezone, BERLIN)
    assert await act(db, CAROL, nudge_settings.load_policy) == default_policy(BERLIN)


async def test_defaults_shown_to_an_unpaired_person(db: Database, clock: ManualClock) -> None:
    await _person(db, clock, CAROL, None)
    settings = await act(db, CAROL, nudge_settings.load_settings, now=clock())
    assert settings is not None
    assert (settings.timezone, settings.paired, settings.paused_until) == (None, False, None)
    assert settings.quiet == DEFAULT_QUIET and settings.bedtime == time(22, 0)
    assert [p.enabled for p in settings.rituals] == [True, True, True, True, False]
    assert settings.blocked == frozenset()


# --- Changes ------------------------------------------------------------------------------


async def test_set_window_changes_only_that_ritual(db: Database, clock: ManualClock) -> None:
    await _person(db, clock, CAROL, BERLIN)
    settings = await act(
        db,
        CAROL,
        nudge_settings.set_window,
        Ritual.MIDDAY_THINKING,
        parse_window("12:00-14:00"),
        now=clock(),
    )
    assert settings.preference(Ritual.MIDDAY_THINKING).window == w("12:00-14:00")
    assert await _policy(db, CAROL) == default_policy(BERLIN).with_window(
        Ritual.MIDDAY_THINKING, w("12:00-14:00")
    )
    assert (await _stored(db, CAROL))[3] == (("midday_thinking", None, "12:00-14:00"),)
    # Again, on the row that now exists (the update half of the upsert).
    await act(
        db,
        CAROL,
        nudge_settings.set_window,
        Ritual.MIDDAY_THINKING,
        parse_window("12:30 to 13:30"),
        now=clock(),
    )
    await act(
        db,
        CAROL,
        nudge_settings.set_window,
        Ritual.MORNING_HUG,
        parse_window("7am-8am"),
        now=clock(),
    )
    assert (await _stored(db, CAROL))[3] == (
        ("midday_thinking", None, "12:30-13:30"),
        ("morning_hug", None, "07:00-08:00"),
    )


async def test_a_ritual_window_may_not_cross_midnight(db: Database, clock: ManualClock) -> None:
    await _person(db, clock, CAROL, BERLIN)
    before = await _stored(db, CAROL)
    with pytest.raises(ValueError):
        await act(
            db,
            CAROL,
            nudge_settings.set_window,
            Ritual.DINNER_APPRECIATION,
            w("23:00-01:00"),
            now=clock(),
        )
    assert await _stored(db, CAROL) == before


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("25:00-26:00", TimeParseReason.OUT_OF_RANGE),
        ("12:60-13:00", TimeParseReason.OUT_OF_RANGE),
        ("14:00-12:00", TimeParseReason.ENDS_BEFORE_START),
        ("12:00-12:00", TimeParseReason.EMPTY_WINDOW),
        ("noon", TimeParseReason.BAD_FORMAT),
        ("12-14", TimeParseReason.BAD_FORMAT),
    ],
)
def test_bad_windows_are_refused_with_a_reason(typed: str, reason: TimeParseReason) -> None:
    with pytest.raises(TimeParseError) as caught:
        parse_window(typed)
    assert caught.value.reason is reason
    reply = words.window_invalid(Ritual.MIDDAY_THINKING, reason, typed)
    assert "/midday 12:00-14:00" in reply and words.NOTHING_CHANGED in reply


def test_quiet_hours_may_cross_midnight_and_bad_values_are_refused() -> None:
    assert parse_window("22:30-07:00", allow_midnight=True) == w("22:30-07:00")
    for typed in ("25:00-07:00", "22:60-07:00", "late", "22:00-22:00"):
        with pytest.raises(TimeParseError):
            parse_window(typed, allow_midnight=True)


@pytest.mark.parametrize("typed", ["0", "45", "-3", "three", "", "1000000"])
def test_bad_pause_lengths_are_refused(typed: str) -> None:
    with pytest.raises(TimeParseError):
        parse_pause_days(typed)


async def test_bedtime_is_a_window_of_plus_minus_15_minutes(
    db: Database, clock: ManualClock
) -> None:
    await _person(db, clock, CAROL, BERLIN)
    settings = await act(db, CAROL, nudge_settings.set_bedtime, parse_clock("22:30"), now=clock())
    assert settings.preference(Ritual.BEDTIME).window == w("22:15-22:45")
    assert settings.bedtime == time(22, 30)
    assert (await _stored(db, CAROL))[3] == (("bedtime", None, "22:15-22:45"),)
    assert await _policy(db, CAROL) == default_policy(BERLIN, time(22, 30))
    # Near midnight the window wraps, and the default quiet hours make room for it.
    settings = await act(db, CAROL, nudge_settings.set_bedtime, parse_clock("11:55pm"), now=clock())
    assert settings.preference(Ritual.BEDTIME).window == w("23:40-00:10")
    assert (settings.bedtime, settings.blocked) == (time(23, 55), frozenset())
    assert await _policy(db, CAROL) == default_policy(BERLIN, time(23, 55))
    for typed in ("25:00", "12:60", "noon", "7"):
        with pytest.raises(TimeParseError):
            parse_clock(typed)


async def test_quiet_hours_set_and_off(db: Database, clock: ManualClock) -> None:
    await _person(db, clock, CAROL, BERLIN)
    settings = await act(db, CAROL, nudge_settings.set_quiet, w("22:30-07:00"), now=clock())
    assert settings.quiet == w("22:30-07:00")
    assert (await _stored(db, CAROL))[0] == "22:30-07:00"
    assert (await _policy(db, CAROL)).quiet == w("22:30-07:00")
    settings = await act(db, CAROL, nudge_settings.set_quiet, None, now=clock())
    assert settings.quiet is None
    assert (await _stored(db, CAROL))[0] == "off"
    assert (await _policy(db, CAROL)).quiet is None


async def test_quiet_hours_that_swallow_a_ritual_are_applied_and_reported(
    db: Database, clock: ManualClock
) -> None:
    await _person(db, clock, CAROL, BERLIN)
    settings = await act(db, CAROL, nudge_settings.set_quiet, w("21:00-09:00"), now=clock())
    assert settings.quiet == w("21:00-09:00")  # applied all the same
    assert settings.blocked == {Ritual.BEDTIME, Ritual.MORNING_HUG}
    warning = words.blocked_warning(settings)
    assert warning is not None and "Bedtime" in warning and "Morning hug" in warning
    assert "Bedtime" in words.quiet_set(settings)
    # Turning a swallowed ritual off ends the warning for it.
    settings = await act(
        db, CAROL, nudge_settings.set_enabled, Ritual.MORNING_HUG, False, now=clock()
    )
    assert settings.blocked == {Ritual.BEDTIME}


async def test_toggles(db: Database, clock: ManualClock) -> None:
    await _person(db, clock, CAROL, BERLIN)
    assert not (await _policy(db, CAROL)).preference(Ritual.SIX_SECOND_KISS).enabled
    settings = await act(
        db, CAROL, nudge_settings.set_enabled, Ritual.SIX_SECOND_KISS, True, now=clock()
    )
    assert settings.preference(Ritual.SIX_SECOND_KISS).enabled
    assert (await _policy(db, CAROL)).preference(Ritual.SIX_SECOND_KISS).enabled
    settings = await act(
        db, CAROL, nudge_settings.set_enabled, Ritual.SIX_SECOND_KISS, False, now=clock()
    )
    assert not settings.preference(Ritual.SIX_SECOND_KISS).enabled
    await act(db, CAROL, nudge_settings.set_enabled, Ritual.MIDDAY_THINKING, False, now=clock())
    # set_enabled is idempotent: a double tap on "turn off" leaves it off.
    for _ in range(2):
        await act(db, CAROL, nudge_settings.set_enabled, Ritual.BEDTIME, False, now=clock())
    assert (await _stored(db, CAROL))[3] == (
        ("bedtime", False, None),
        ("midday_thinking", False, None),
        ("six_second_kiss", False, None),
    )
    assert await _policy(db, CAROL) == default_policy(BERLIN).with_enabled(
        Ritual.MIDDAY_THINKING, False
    ).with_enabled(Ritual.BEDTIME, False)


async def test_pause_for_whole_local_days_and_resume(db: Database, clock: ManualClock) -> None:
    await _person(db, clock, CAROL, BERLIN)  # Thursday 26 November, 10:00 in Berlin
    until = (await act(db, CAROL, nudge_settings.pause, 3, now=clock())).paused_until
    assert until == datetime(2026, 11, 29, 23, 0, tzinfo=UTC)  # Monday 00:00 in Berlin
    assert preferences.last_paused_day(until, BERLIN) == date(2026, 11, 29)
    policy = await _policy(db, CAROL)
    assert policy.is_paused_at(clock()) and policy.is_paused_at(until - timedelta(seconds=1))
    assert not policy.is_paused_at(until)
    settings = await act(db, CAROL, nudge_settings.load_settings, now=clock())
    assert settings is not None and settings.paused_through == date(2026, 11, 29)
    assert "Sunday 29 November" in words.summary(settings)

    before = await _stored(db, CAROL)
    for days in (0, 45, -1):
        with pytest.raises(ValueError):
            await act(db, CAROL, nudge_settings.pause, days, now=clock())
    assert await _stored(db, CAROL) == before

    assert await act(db, CAROL, nudge_settings.resume, now=clock()) is True
    assert (await _policy(db, CAROL)).paused_until is None
    assert await act(db, CAROL, nudge_settings.resume, now=clock()) is False


async def test_a_pause_is_over_when_its_time_has_come(db: Database, clock: ManualClock) -> None:
    await _person(db, clock, CAROL, "Pacific/Auckland")  # 22:00 on Thursday there
    until = (await act(db, CAROL, nudge_settings.pause, 1, now=clock())).paused_until
    assert until == datetime(2026, 11, 27, 11, 0, tzinfo=UTC)  # Saturday 00:00 in Auckland
    clock.set(until)
    settings = await act(db, CAROL, nudge_settings.load_settings, now=clock())
    assert settings is not None and settings.paused_until is None
    assert await act(db, CAROL, nudge_settings.resume, now=clock()) is False


async def test_changes_need_a_known_person(db: Database, clock: ManualClock) -> None:
    with pytest.raises(LookupError):
        await act(db, STRANGER, nudge_settings.set_quiet, None, now=clock())
    with pytest.raises(LookupError):
        await act(db, STRANGER, nudge_settings.pause, 3, now=clock())


async def test_settings_work_before_a_zone_is_known(db: Database, clock: ManualClock) -> None:
    await _person(db, clock, CAROL, None)
    settings = await act(
        db,
        CAROL,
        nudge_settings.set_window,
        Ritual.DINNER_APPRECIATION,
        w("19:00-20:00"),
        now=clock(),
    )
    assert settings.timezone is None
    assert words.NO_TIMEZONE_HINT in words.window_set(Ritual.DINNER_APPRECIATION, settings)
    paused = await act(db, CAROL, nudge_settings.pause, 2, now=clock())
    until = paused.paused_until  # days counted in UTC
    assert until == datetime(2026, 11, 29, tzinfo=UTC)
    await act(db, CAROL, accounts.set_timezone, BERLIN)
    policy = await _policy(db, CAROL)
    assert policy.preference(Ritual.DINNER_APPRECIATION).window == w("19:00-20:00")
    assert policy.paused_until == until


# --- A change replans that person from the next occurrence on ------------------------------

Change = Callable[[Database, datetime], Awaitable[object]]
CHANGES: dict[str, Change] = {
    "window": lambda db, now: act(
        db, ALICE, nudge_settings.set_window, Ritual.MIDDAY_THINKING, w("12:00-13:00"), now=now
    ),
    "bedtime": lambda db, now: act(db, ALICE, nudge_settings.set_bedtime, time(23, 0), now=now),
    "quiet": lambda db, now: act(db, ALICE, nudge_settings.set_quiet, w("22:00-07:00"), now=now),
    "quiet_off": lambda db, now: act(db, ALICE, nudge_settings.set_quiet, None, now=now),
    "enabled": lambda db, now: act(
        db, ALICE, nudge_settings.set_enabled, Ritual.MORNING_HUG, False, now=now
    ),
    "pause": lambda db, now: act(db, ALICE, nudge_settings.pause, 3, now=now),
    "resume": lambda db, now: act(db, ALICE, nudge_settings.resume, now=now),
}


@pytest.mark.parametrize("change", list(CHANGES))
async def test_a_change_forgets_future_plans_but_keeps_what_was_sent(
    db: Database, clock: ManualClock, change: str
) -> None:
    couple_id = await _pair(db, clock)
    now = clock()
    today, tomorrow = date(2026, 11, 26), date(2026, 11, 27)

    def nudge(user_id: int, ritual: Ritual, day: date, due: timedelta, status: str) -> Nudge:
        return Nudge(
            user_id=user_id,
            couple_id=couple_id,
            ritual=ritual.value,
            local_date=day,
            due_at=now + due,
            window_end_at=now + due + timedelta(hours=1),
            status=status,
        )

    async with db.transaction() as session:
        session.add_all(
            [
                nudge(ALICE, Ritual.MORNING_HUG, today, -timedelta(hours=2), NudgeStatus.SENT),
                nudge(ALICE, Ritual.BEDTIME, today, -timedelta(minutes=5), NudgeStatus.PLANNED),
                nudge(ALICE, Ritual.MIDDAY_THINKING, today, timedelta(hours=3), "planned"),
                nudge(ALICE, Ritual.MORNING_HUG, tomorrow, timedelta(hours=22), "planned"),
                nudge(ALICE, Ritual.DINNER_APPRECIATION, today, timedelta(hours=1), "sending"),
                nudge(BOB, Ritual.MIDDAY_THINKING, today, timedelta(hours=3), "planned"),
            ]
        )
        for user_id in (ALICE, BOB):
            user = await session.get(User, user_id)
            assert user is not None
            user.planned_through = tomorrow

    await CHANGES[change](db, now)

    kept = {
        (ALICE, "morning_hug", today): NudgeStatus.SENT,  # already sent today: kept
        (ALICE, "bedtime", today): NudgeStatus.PLANNED,  # overdue: the dispatcher's to settle
        (ALICE, "dinner_appreciation", today): NudgeStatus.SENDING,  # being sent right now
        (BOB, "midday_thinking", today): NudgeStatus.PLANNED,  # the partner is untouched
    }
    # The rest of today and tomorrow is planned again at once, by the new settings; what
    # is kept is not planned twice.
    policy = await _policy(db, ALICE)
    fresh = {
        (ALICE, n.ritual.value, n.local_date): NudgeStatus.PLANNED
        for day in (today, tomorrow)
        for n in plan_day(policy, day, random.Random(0), not_before=now, sunday_digest=True)
    }
    assert await _nudges(db) == {**fresh, **kept}
    if change == "pause":
        assert fresh == {}
    else:
        assert {k for k in fresh if k[2] == tomorrow}  # something is coming tomorrow
    async with db.transaction() as session:
        rows = (await session.execute(select(Nudge).where(Nudge.user_id == ALICE))).scalars()
        new = [n for n in rows if (ALICE, n.ritual, n.local_date) not in kept]
    assert (new and all(n.due_at > now for n in new)) or change == "pause"
    assert await _planned_through(db, ALICE) == tomorrow  # the periodic planner skips her
    assert await _planned_through(db, BOB) == tomorrow


async def test_a_refused_value_keeps_the_plans(db: Database, clock: ManualClock) -> None:
    couple_id = await _pair(db, clock)
    async with db.transaction() as session:
        session.add(
            Nudge(
                user_id=ALICE,
                couple_id=couple_id,
                ritual="midday_thinking",
                local_date=date(2026, 11, 26),
                due_at=clock() + timedelta(hours=3),
                window_end_at=clock() + timedelta(hours=4),
            )
        )
        user = await session.get(User, ALICE)
        assert user is not None
        user.planned_through = date(2026, 11, 27)
    before = (await _stored(db, ALICE), await _nudges(db))
    with pytest.raises(ValueError):
        await act(db, ALICE, nudge_settings.pause, 45, now=clock())
    with pytest.raises(ValueError):
        await act(
            db, ALICE, nudge_settings.set_window, Ritual.MORNING_HUG, w("09:00-07:00"), now=clock()
        )
    assert (await _stored(db, ALICE), await _nudges(db)) == before


# --- The bot's side, with a stand-in for Telegram -------------------------------------------
# Exercises the handlers' parsing, replies and button re-validation without a network.


class _Html(HTMLParser):
    """Fails on tags Telegram does not know and on unbalanced ones, as Telegram would."""

    ALLOWED = frozenset({"b", "i", "u", "s", "code", "pre", "a", "tg-spoiler", "blockquote"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in self.ALLOWED, tag
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open.pop() == tag, tag


def _valid_html(text: str) -> str:
    parser = _Html()
    parser.feed(text)
    parser.close()
    assert not parser.open, text
    return text


class _Chat:
    """Records what the bot says to one person and how it answers their taps.

    Handlers run through the real unit of work, as the bot runs them; only Telegram's side
    (the update, the message, the bot's send calls) is a stand-in.
    """

    _update_ids = iter(range(1, 10**9))

    def __init__(self, db: Database, clock: ManualClock, user_id: int, name: str) -> None:
        self.db, self.clock, self.user = (
            db,
            clock,
            SimpleNamespace(id=user_id, first_name=name, language_code=None),
        )
        self.replies: list[tuple[str, Any]] = []
        self.answers: list[str | None] = []
        self.edits: list[tuple[str, Any]] = []
        self.sent: list[tuple[int, str]] = []

    def _context(self, args: list[str]) -> Any:
        async def send_message(chat_id: int, text: str, **_: Any) -> None:
            self.sent.append((chat_id, _valid_html(text)))

        return SimpleNamespace(
            services=Services(db=self.db, clock=self.clock),
            args=args,
            bot=SimpleNamespace(send_message=send_message),
            work=None,
        )

    async def command(self, handler: Callable[..., Awaitable[Any]], typed: str = "") -> str:
        async def reply_text(text: str, reply_markup: Any = None, **_: Any) -> None:
            self.replies.append((_valid_html(text), reply_markup))

        update = SimpleNamespace(
            update_id=next(self._update_ids),
            effective_user=self.user,
            effective_message=SimpleNamespace(reply_text=reply_text),
            callback_query=None,
            my_chat_member=None,
        )
        await in_unit_of_work(handler)(update, self._context(typed.split()))  # type: ignore[arg-type]
        return self.replies[-1][0]

    async def tap(self, data: str) -> str | None:
        async def answer(text: str | None = None, **_: Any) -> None:
            self.answers.append(text)

        async def edit_message_text(text: str, reply_markup: Any = None, **_: Any) -> None:
            self.edits.append((_valid_html(text), reply_markup))

        query = SimpleNamespace(
            from_user=self.user,
            data=data,
            message=SimpleNamespace(),  # the menu it was pressed on
            answer=answer,
            edit_message_text=edit_message_text,
        )
        update = SimpleNamespace(
            update_id=next(self._update_ids),
            effective_user=self.user,
            callback_query=query,
            my_chat_member=None,
        )
        answered = len(self.answers)
        await in_unit_of_work(handlers.settings_button)(update, self._context([]))  # type: ignore[arg-type]
        assert len(self.answers) == answered + 1, "every tap must be answered exactly once"
        return self.answers[-1]


def _buttons(markup: Any) -> dict[str, str]:
    return {b.text: b.callback_data for row in markup.inline_keyboard for b in row}


async def test_typed_commands_change_only_good_values(db: Database, clock: ManualClock) -> None:
    await _person(db, clock, CAROL, BERLIN)
    chat = _Chat(db, clock, CAROL, "Carol")

    assert "/midday 12:00-14:00" in await chat.command(handlers.midday_command)
    reply = await chat.command(handlers.midday_command, "12:00 - 14:00")
    assert "12:00" in reply and "14:00" in reply
    stored = await _stored(db, CAROL)
    for typed in ("25:00-26:00", "12:60-13:00", "14:00-12:00", "noon", "<b>noon</b>"):
        reply = await chat.command(handlers.midday_command, typed)
        assert words.NOTHING_CHANGED in reply and "/midday 12:00-14:00" in reply
    assert "&lt;b&gt;noon" in reply  # what was typed is escaped
    for typed in ("25:00", "12:60", "noon"):
        assert words.NOTHING_CHANGED in await chat.command(handlers.bedtime_command, typed)
    for typed in ("0", "45", "soon"):
        assert words.NOTHING_CHANGED in await chat.command(handlers.pause_command, typed)
    assert words.NOTHING_CHANGED in await chat.command(handlers.quiet_command, "22:30-25:00")
    assert await _stored(db, CAROL) == stored

    assert "07:00" in await chat.command(handlers.morning_command, "07:00-08:00")
    assert "19:00" in await chat.command(handlers.dinner_command, "19:00-20:30")
    assert "22:30" in await chat.command(handlers.bedtime_command, "22:30")
    assert "22:30" in await chat.command(handlers.quiet_command, "22:30-07:00")
    policy = await _policy(db, CAROL)
    assert policy.preference(Ritual.MORNING_HUG).window == w("07:00-08:00")
    assert policy.preference(Ritual.DINNER_APPRECIATION).window == w("19:00-20:30")
    assert policy.preference(Ritual.BEDTIME).window == w("22:15-22:45")
    assert policy.quiet == w("22:30-07:00")
    # A bedtime the quiet hours swallow is applied, and said gently.
    assert "Just so you know" in await chat.command(handlers.bedtime_command, "23:30")
    assert "quiet hours are off" in await chat.command(handlers.quiet_command, "off")
    assert (await _policy(db, CAROL)).quiet is None
    assert "/quiet 22:30-07:00" in await chat.command(handlers.quiet_command)

    assert "/pause 3" in await chat.command(handlers.pause_command)
    assert "Sunday 29 November" in await chat.command(handlers.pause_command, "3")
    assert "Sunday 29 November" in await chat.command(handlers.pause_command)
    assert "back on" in await chat.command(handlers.resume_command)
    assert "aren't paused" in await chat.command(handlers.resume_command)


async def test_settings_menu_and_ritual_toggles(db: Database, clock: ManualClock) -> None:
    await _pair(db, clock)
    alice, bob = _Chat(db, clock, ALICE, "Alice"), _Chat(db, clock, BOB, "Bob")

    summary = await alice.command(handlers.settings_command)
    assert BERLIN in summary and "/midday 12:00-14:00" in summary and "💌" not in summary
    menu = _buttons(alice.replies[-1][1])
    assert set(menu) == {
        words.BUTTON_TIMEZONE,
        words.BUTTON_RITUALS,
        words.BUTTON_PAUSE,
        words.BUTTON_DIGEST_OFF,
        words.BUTTON_RELAYS_WAIT,
        "🌐 Language",
    }

    await alice.command(handlers.rituals_command)
    toggles = _buttons(alice.replies[-1][1])
    kiss_on = toggles[words.ritual_button(Ritual.SIX_SECOND_KISS, False)]
    assert kiss_on == cd.Settings(SettingsAction.TURN_ON, Ritual.SIX_SECOND_KISS).pack()
    assert "on" in (await alice.tap(kiss_on) or "")
    assert (await _policy(db, ALICE)).preference(Ritual.SIX_SECOND_KISS).enabled
    assert not (await _policy(db, BOB)).preference(Ritual.SIX_SECOND_KISS).enabled
    redrawn = _buttons(alice.edits[-1][1])
    assert redrawn[words.ritual_button(Ritual.SIX_SECOND_KISS, True)].endswith(
        "off:six_second_kiss"
    )
    # Bob pressing a copy of Alice's button changes Bob's settings, never Alice's.
    await bob.tap(cd.Settings(SettingsAction.TURN_OFF, Ritual.SIX_SECOND_KISS).pack())
    assert (await _policy(db, ALICE)).preference(Ritual.SIX_SECOND_KISS).enabled
    # Nonsense is answered and changes nothing.
    before = await _stored(db, ALICE)
    for data in ("v1:set:on:juggling", "v1:set:explode", "v1:set:on:"):
        assert await alice.tap(data) == texts.STALE_BUTTON
    assert await _stored(db, ALICE) == before

    assert await alice.tap(cd.Settings(SettingsAction.PAUSE).pack()) == (
        "Paused through Sun 29 Nov ⏸"
    )
    assert set(_buttons(alice.edits[-1][1])) >= {words.BUTTON_RESUME}
    assert (await _policy(db, ALICE)).is_paused_at(clock())
    await alice.tap(cd.Settings(SettingsAction.RESUME).pack())
    assert not (await _policy(db, ALICE)).is_paused_at(clock())
    await alice.tap(cd.Settings(SettingsAction.RITUALS).pack())
    await alice.tap(cd.Settings(SettingsAction.MENU).pack())
    assert "Your nudge settings" in alice.edits[-1][0]
    await alice.tap(cd.Settings(SettingsAction.TIMEZONE).pack())
    assert alice.sent and alice.sent[-1][0] == ALICE  # the existing time zone question


async def test_buttons_from_a_stranger_are_answered_kindly(
    db: Database, clock: ManualClock
) -> None:
    stranger = _Chat(db, clock, STRANGER, "Who")
    for action in SettingsAction:
        answer = await stranger.tap(cd.Settings(action, Ritual.SIX_SECOND_KISS).pack())
        assert answer == texts.SAY_START_FIRST
    with pytest.raises(LookupError):  # nothing was stored about them
        await act(db, STRANGER, nudge_settings.load_settings)


async def test_an_unpaired_person_without_a_zone_sees_kind_hints(
    db: Database, clock: ManualClock
) -> None:
    chat = _Chat(db, clock, CAROL, "Carol")
    summary = await chat.command(handlers.settings_command)
    assert "not set yet" in summary and "/invite" in summary
    assert "/timezone" in await chat.command(handlers.pause_command, "2")


def test_rendering_is_valid_html() -> None:
    settings = NudgeSettings(
        timezone="America/New_York",
        rituals=default_policy("UTC").rituals,
        quiet=w("21:00-09:00"),
        paused_until=datetime(2026, 11, 29, 23, tzinfo=UTC),
        blocked=frozenset({Ritual.BEDTIME}),
        paired=False,
    )
    for text in (
        words.summary(settings),
        words.rituals_view(settings),
        words.window_current(Ritual.SIX_SECOND_KISS, settings),
        words.bedtime_current(settings),
        words.quiet_current(settings),
        words.pause_current(settings),
    ):
        _valid_html(text)
    assert "Sunday 29 November" in words.summary(settings)
