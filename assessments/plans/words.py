"""The words the plan pages and exports use for the codes a stored plan holds."""

from __future__ import annotations

from assessments import engine
from assessments.models import Tier

# The tier names come from the model's choices: one source for every page and export.
TIER_WORDS: dict[str, str] = {str(value): str(label) for value, label in Tier.choices}
TIER_INDEX: dict[str, int] = {tier: i for i, tier in enumerate(engine.TIERS)}  # 0 is best
FIT_WORDS: dict[str, str] = {"likely": "Likely", "target": "Target", "reach": "Reach"}
FIT_INDEX: dict[str, int] = {fit: i for i, fit in enumerate(engine.FITS)}
SEVERITY_INDEX: dict[str, int] = {s: i for i, s in enumerate(engine.SEVERITIES)}
IMPACT_INDEX: dict[str, int] = {s: i for i, s in enumerate(engine.IMPACTS)}
STATUS_WORDS: dict[str, str] = {"done": "Done", "due": "Due", "overdue": "Overdue"}
EXCLUSION_LABELS: dict[str, str] = {
    "visa": "Does not sponsor the visa you need",
    "yog": "Graduated longer ago than the program accepts",
    "exam_failures": "Does not consider failed exam attempts",
    "score_below_minimum": "Step 2 CK under the program's minimum",
    "usce_required": "Requires US clinical experience you do not have yet",
    "military": "Military program (needs US citizenship)",
    "not_accepting": "Not accepting applications in your season",
    "platform": "Takes applications on a platform your plan does not use",
    "no_positions": "Offers no first-year position",
}
EXCLUDED_SHOWN = 50  # programs left out listed by name on the plan page
PROGRAM_TYPE_WORDS: dict[str, str] = {
    "university": "University-based",
    "community_university": "Community, university-affiliated",
    "community": "Community-based",
    "military": "Military",
    "unknown": "Type not stated",
}
YES_NO_WORDS: dict[str, str] = {"yes": "Yes", "no": "No", "unknown": "Unknown"}
BASIS_WORDS: dict[str, str] = {
    "article": "Source article",
    "derived": "Derived from the NRMP matched median",
    "assumption": "Stated assumption",
}


def tier_word(tier: str | None) -> str:
    return TIER_WORDS.get(tier or "", (tier or "unknown").replace("_", " ").capitalize())


def exclusion_label(code: str) -> str:
    return EXCLUSION_LABELS.get(code, code.replace("_", " ").capitalize())
