"""A rule note read "are our assumptions (MatchPlan assumption (explained on the methodology
page))" after 0008 reworded its inner part: one pair of parentheses, one pointer."""

from __future__ import annotations

from django.db import migrations

OLD = "are our assumptions (MatchPlan assumption (explained on the methodology page))"
NEW = "are our assumptions (explained on the methodology page)"


def _replace(apps, old: str, new: str) -> None:
    SpecialtyRule = apps.get_model("assessments", "SpecialtyRule")
    for rule in SpecialtyRule.objects.filter(source_note__contains=old):
        rule.source_note = rule.source_note.replace(old, new)
        rule.save(update_fields=["source_note"])


def forward(apps, schema_editor):
    _replace(apps, OLD, NEW)


def backward(apps, schema_editor):
    _replace(apps, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0014_plans_reference_catalog_snapshots")]

    operations = [migrations.RunPython(forward, backward)]
