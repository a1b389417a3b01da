"""The season in the personal-data export (accounts.services)."""

from __future__ import annotations

from typing import Any


def export_seasons(user: Any) -> dict[str, Any]:
    from tracker.models import ReminderLog, ReminderOptOut, SeasonComment
    from tracker.selectors import season_export

    opt_out = ReminderOptOut.objects.filter(user=user).first()
    return {
        "my_seasons": season_export(user),
        "comments_i_wrote": [
            {"season_year": c.season.match_year, "at": c.created_at.isoformat(), "body": c.body}
            for c in SeasonComment.objects.filter(author=user).select_related("season")
        ],
        # Which reminder emails went out (the key names the reminder and its season), and
        # since when none goes out after a one-click unsubscribe.
        "reminders_sent": [
            {"reminder": r.key, "sent_at": r.sent_at.isoformat()}
            for r in ReminderLog.objects.filter(user=user).order_by("sent_at", "id")
        ],
        "reminders_unsubscribed_at": opt_out.created_at.isoformat() if opt_out else None,
    }


def register() -> None:
    from accounts.services import register_user_data_exporter

    register_user_data_exporter(
        "seasons",
        export_seasons,
        models=[
            "tracker.Season",
            "tracker.SeasonComment",
            "tracker.ReminderLog",
            "tracker.ReminderOptOut",
        ],
    )
