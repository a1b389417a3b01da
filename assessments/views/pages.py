from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from assessments import engine, explorer, rules, selectors
from assessments.models import StartLevel
from assessments.plans.words import BASIS_WORDS, FIT_WORDS, TIER_WORDS, exclusion_label, tier_word


@require_safe
def methodology(request: HttpRequest) -> HttpResponse:
    """How the advice is made, built from the rule data and the engine's own constants."""
    data = selectors.methodology_data()
    # The page is long and costly to render, and only changes with the rule data: the
    # rendered body is cached under a digest of that data, so any edit shows at once.
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
    return render(
        request,
        "assessments/methodology.html",
        {
            **data,
            "data_digest": digest,
            "t": data["thresholds"],
            "tier_words": TIER_WORDS,
            "basis_words": BASIS_WORDS,
            "exclusions": [(code, exclusion_label(code)) for code in engine.EXCLUSION_REASONS],
            "step1_cap_word": tier_word(engine.STEP1_FAILURE_CAP),
            "fit_words": FIT_WORDS,
            "start_words": dict(StartLevel.choices),
            # A preliminary or transitional specialty is a one-year position whatever its
            # start level says: the explorer's words for it.
            "one_year_words": explorer.start_facts(StartLevel.PGY1, "preliminary").text,
            "date_rules": engine.season_date_rules(),
            "offsets": {
                "strong": rules.STRONG_OFFSET,
                "viable": rules.VIABLE_OFFSET,
                "risk": rules.RISK_OFFSET,
                "floor": rules.PASSING_FLOOR,
            },
            # Any year will do: only the day and month are shown.
            "step2ck_target": dt.date(2000, *engine.STEP2CK_TARGET_MONTH_DAY),
            "step2ck_late_after": dt.date(2000, *engine.STEP2CK_LATE_AFTER_MONTH_DAY),
        },
    )
