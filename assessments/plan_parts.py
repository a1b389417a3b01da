"""The version that keys the cached fragments of the saved-plan pages.

Shared by the plan views and the plan template tags (so neither imports the other).
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from django.conf import settings
from django.template.loader import get_template

# The templates of the parts of the plan pages every viewer sees alike, cached as fragments
# ({% cache %} in plan_detail.html, plan_print.html and includes/plan_body.html).
TEMPLATES = (
    "assessments/includes/plan_header.html",
    "assessments/includes/plan_toc.html",
    "assessments/includes/plan_summary.html",
    "assessments/includes/plan_details.html",
    "assessments/includes/plan_program_notes.html",
    "assessments/includes/plan_programs.html",
    "assessments/includes/plan_programs_table.html",
    "assessments/includes/plan_excluded.html",
    "assessments/includes/plan_meta.html",
)
# The code that draws them (read as files: importing it here would make a cycle).
_APP = Path(__file__).resolve().parent
_CODE = (
    "plans/reader.py",
    "plans/table.py",
    "plans/view.py",
    "plans/words.py",
    "svg.py",
    "plan_forms.py",
    "views/plans.py",
    "templatetags/plan_tags.py",
)


@functools.cache
def _cached_parts_version() -> str:
    digest = hashlib.sha256()
    for name in TEMPLATES:
        digest.update(get_template(name).template.source.encode())
    for path in _CODE:
        digest.update((_APP / path).read_bytes())
    return digest.hexdigest()[:16]


def parts_version() -> str:
    """A digest of the templates and code that draw the cached parts of the page, part of
    every key: a deploy that changes them never serves the previous version's HTML."""
    # In development templates are edited while the server runs; read them every time.
    return _cached_parts_version.__wrapped__() if settings.DEBUG else _cached_parts_version()
