"""A standards-compliant iCalendar (RFC 5545) file of interviews, written by hand: the format
is small and a dependency for a dozen lines is not worth it. The care it needs: CRLF line
endings, lines folded at 75 octets (never inside a UTF-8 sequence), TEXT values escaped,
a UID and DTSTAMP on every event, times in UTC."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

PRODID = "-//MatchPlan//Interview calendar//EN"


@dataclass(frozen=True)
class Event:
    uid: str
    start: dt.datetime  # aware
    duration_minutes: int
    summary: str
    description: str = ""
    location: str = ""


def escape_text(value: str) -> str:
    """RFC 5545 3.3.11: backslash, semicolon, comma and newlines are escaped."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """RFC 5545 3.1: lines longer than 75 octets are split, continuation lines start with
    one space; a multi-byte character is never split."""
    out: list[str] = []
    current = ""
    size = 0
    limit = 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            out.append(current)
            current, size, limit = " ", 1, 75
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out)


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(events: list[Event], *, now: dt.datetime, name: str = "Interviews") -> bytes:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for event in events:
        end = event.start + dt.timedelta(minutes=event.duration_minutes)
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{_utc(now)}",
            f"DTSTART:{_utc(event.start)}",
            f"DTEND:{_utc(end)}",
            f"SUMMARY:{escape_text(event.summary)}",
        ]
        if event.description:
            lines.append(f"DESCRIPTION:{escape_text(event.description)}")
        if event.location:
            lines.append(f"LOCATION:{escape_text(event.location)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode("utf-8")
