"""The season in the personal-data export (accounts.services)."""

from __future__ import annotations

from typing import Any


def export_seasons(user: Any) -> dict[str, Any]:
    from tracker.models import SeasonComment
    from tracker.selectors import season_export

    return {
        "my_seasons": season_export(user),
        "comments_i_wrote": [
            {"season_year": c.season.match_year, "at": c.created_at.isoformat(), "body": c.body}
            for c in SeasonComment.objects.filter(author=user).select_related("season")
        ],
    }


def register() -> None:
    from accounts.services import register_user_data_exporter

    register_user_data_exporter(
        "seasons",
        export_seasons,
        models=["tracker.Season", "tracker.SeasonComment", "tracker.ReminderLog"],
    )
