from __future__ import annotations

import datetime as dt

import icalendar

from tracker import ics, rules


def test_statuses_only_move_forward() -> None:
    assert rules.can_move("considering", "applied")
    assert rules.can_move("applied", "interview_offered")
    assert rules.can_move("waitlisted", "interview_offered")
    assert not rules.can_move("interview_offered", "applied")
    assert not rules.can_move("interviewed", "interview_scheduled")
    assert rules.can_move("interview_scheduled", "interview_scheduled")  # rescheduled
    assert not rules.can_move("interview_offered", "interview_offered")
    assert rules.can_move("interviewed", "withdrawn")
    assert rules.next_statuses("rejected") == []
    assert rules.next_statuses("withdrawn") == []


def test_nrmp_charges_only_ranks_beyond_those_included() -> None:
    assert rules.nrmp_extra_rank_cost(ranks=20, included=20, fee_per_rank=30) == 0
    assert rules.nrmp_extra_rank_cost(ranks=23, included=20, fee_per_rank=30) == 90


def test_em_target_follows_cord_and_others_are_labelled_assumptions() -> None:
    em = rules.interview_target(specialty="EM", tier="viable", ranks=4)
    assert (em.low, em.high, em.sourced) == (10, 12, True)
    assert "CORD" in em.basis
    risk = rules.interview_target(specialty="EM", tier="risk", ranks=4)
    assert risk.low > em.low
    im = rules.interview_target(specialty="IM", tier="viable", ranks=5)
    assert not im.sourced and im.basis.startswith("Assumption")
    assert (im.low, im.high) == (6, 8)  # never under 6, even when the plan asks 5 ranks
    im_risk = rules.interview_target(specialty="IM", tier="risk", ranks=12)
    assert (im_risk.low, im_risk.high) == (14, 16)


def test_checkpoints_say_behind_and_ahead_with_advice() -> None:
    target = rules.interview_target(specialty="EM", tier="viable", ranks=4)
    behind = rules.checkpoints(
        match_year=2027, offers=3, target=target, today=dt.date(2026, 11, 20)
    )
    assert [c.state for c in behind] == ["on_track", "behind", "upcoming", "upcoming"]
    assert "add programs" in behind[1].advice
    ahead = rules.checkpoints(
        match_year=2027, offers=12, target=target, today=dt.date(2026, 11, 20)
    )
    assert ahead[1].state == "ahead"
    assert "withdraw politely" in ahead[1].advice
    late = rules.checkpoints(match_year=2027, offers=2, target=target, today=dt.date(2027, 1, 20))
    assert "SOAP" in late[-1].advice


def test_ics_escapes_text_and_folds_long_lines_at_75_octets() -> None:
    start = dt.datetime(2026, 11, 12, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    summary = "a,b;c\\d\ne " + "é" * 100
    raw = ics.calendar(
        [ics.Event(uid="interview-1@x", start=start, duration_minutes=45, summary=summary)],
        now=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
    )
    lines = raw.split(b"\r\n")
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in lines)
    unfolded = raw.decode().replace("\r\n ", "")  # each continuation line starts with a space
    assert "SUMMARY:a\\,b\\;c\\\\d\\ne " + "é" * 100 + "\r\n" in unfolded
    assert "DTSTART:20261112T143000Z" in unfolded and "DTEND:20261112T151500Z" in unfolded
    event = next(iter(icalendar.Calendar.from_ical(raw).walk("VEVENT")))
    assert str(event["SUMMARY"]) == summary


def test_a_season_is_behind_only_while_its_interview_season_runs() -> None:
    target = rules.interview_target(specialty="EM", tier="viable", ranks=4)
    assert rules.behind_target(match_year=2027, offers=1, target=target, today=dt.date(2027, 1, 20))
    # from the Match year's March on, and in later years, no more warnings
    for today in (dt.date(2027, 3, 1), dt.date(2027, 6, 1), dt.date(2029, 1, 20)):
        assert not rules.behind_target(match_year=2027, offers=1, target=target, today=today)
