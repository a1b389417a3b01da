from __future__ import annotations

from typing import Any

from django import template

from tracker import selectors

register = template.Library()


@register.inclusion_tag("tracker/includes/shared_outcomes.html")
def shared_outcomes_for(program: Any) -> dict[str, Any]:
    """The program's shared season statistics (k-anonymous: see selectors.shared_outcomes)."""
    return {"figures": selectors.shared_outcomes(program), "k": selectors.SHARED_MIN_CONTRIBUTORS}
