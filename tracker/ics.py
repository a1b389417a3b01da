"""The interview calendar file (RFC 5545), written by the `icalendar` package: it escapes TEXT
values, folds lines at 75 octets without splitting a UTF-8 sequence and ends them with CRLF.
Every event has a UID that stays the same from one download to the next (so a calendar app
updates the event instead of adding a copy), a DTSTAMP in UTC, and each event's start in UTC
when it is aware, or as a floating local time (no zone: the calendar app shows it at that
clock time wherever it runs) when it is naive."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import icalendar

PRODID = "-//MatchPlan//Interview calendar//EN"


@dataclass(frozen=True)
class Event:
    uid: str
    start: dt.datetime  # aware: written in UTC; naive: a floating local time
    duration_minutes: int
    summary: str
    description: str = ""
    location: str = ""


def calendar(events: list[Event], *, now: dt.datetime, name: str = "Interviews") -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    for event in events:
        start = event.start.astimezone(dt.UTC) if event.start.tzinfo else event.start
        item = icalendar.Event()
        item.add("uid", event.uid)
        item.add("dtstamp", now.astimezone(dt.UTC))
        item.add("dtstart", start)
        item.add("dtend", start + dt.timedelta(minutes=event.duration_minutes))
        item.add("summary", event.summary)
        if event.description:
            item.add("description", event.description)
        if event.location:
            item.add("location", event.location)
        cal.add_component(item)
    return cal.to_ical()
