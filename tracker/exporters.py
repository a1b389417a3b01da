"""The season in the personal-data export (accounts.services)."""

from __future__ import annotations

from typing import Any


def export_seasons(user: Any) -> list[dict[str, Any]]:
    from tracker.selectors import season_export

    return season_export(user)


def register() -> None:
    from accounts.services import register_user_data_exporter

    register_user_data_exporter(
        "seasons",
        export_seasons,
        models=["tracker.Season", "tracker.SeasonComment", "tracker.ReminderLog"],
    )
