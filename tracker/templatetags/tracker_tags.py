from __future__ import annotations

from typing import Any

from django import template

from tracker import selectors

register = template.Library()


@register.inclusion_tag("tracker/includes/shared_outcomes.html")
def shared_outcomes_for(program: Any) -> dict[str, Any]:
    """The program's shared season statistics (k-anonymous: see selectors.shared_outcomes)."""
    return {"figures": selectors.shared_outcomes(program), "k": selectors.SHARED_MIN_CONTRIBUTORS}


@register.simple_tag
def season_states(rows: Any) -> dict[int, selectors.SeasonState]:
    """The newest season of each applicant on a dashboard page, read once for the page."""
    return selectors.season_states([row.pk for row in rows])


@register.filter
def season_of(states: dict[int, Any], applicant_id: int) -> Any:
    return states.get(applicant_id)


@register.inclusion_tag("tracker/includes/advisor_season_links.html")
def advisor_season_links(advisor: Any, plan: Any) -> dict[str, Any]:
    """Links from an advisor's plan review to the seasons of its applicant they may see."""
    seasons = selectors.advisable_seasons(advisor).filter(owner_id=plan.owner_id)
    return {"seasons": list(seasons.order_by("-match_year")), "plan": plan}


@register.inclusion_tag("tracker/includes/plan_history_seasons.html")
def season_history(user: Any) -> dict[str, Any]:
    """What each season produced, under the applicant's plan history."""
    seasons = selectors.season_summaries(user) if user.is_authenticated else []
    return {"seasons": seasons}
