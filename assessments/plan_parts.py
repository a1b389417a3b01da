"""The cached parts of the saved-plan pages and the version that keys them.

Shared by the plan views and the plan template tags (so neither imports the other).
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from django.conf import settings
from django.template.loader import get_template

# The parts of the plan page every viewer sees alike, by name.
PARTS = {
    "toc": "assessments/includes/plan_toc.html",
    "summary": "assessments/includes/plan_summary.html",
    "details": "assessments/includes/plan_details.html",
    "excluded": "assessments/includes/plan_excluded.html",
    "meta": "assessments/includes/plan_meta.html",
}
HEADER_TEMPLATE = "assessments/includes/plan_header.html"
PROGRAMS_TEMPLATE = "assessments/includes/plan_programs_table.html"
# The code that draws them (read as files: importing it here would make a cycle).
_APP = Path(__file__).resolve().parent
_CODE = (
    "plans/reader.py",
    "plans/table.py",
    "plans/view.py",
    "plans/words.py",
    "svg.py",
    "plan_forms.py",
    "templatetags/plan_tags.py",
)


@functools.cache
def _cached_parts_version() -> str:
    digest = hashlib.sha256()
    for name in (*PARTS.values(), HEADER_TEMPLATE, PROGRAMS_TEMPLATE):
        digest.update(get_template(name).template.source.encode())
    for path in _CODE:
        digest.update((_APP / path).read_bytes())
    return digest.hexdigest()[:16]


def parts_version() -> str:
    """A digest of the templates and code that draw the cached parts of the page, part of
    every key: a deploy that changes them never serves the previous version's HTML."""
    # In development templates are edited while the server runs; read them every time.
    return _cached_parts_version.__wrapped__() if settings.DEBUG else _cached_parts_version()
