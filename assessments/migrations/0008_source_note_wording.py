"""Rule notes shown to users no longer point to a repository file (issue 11)."""

from __future__ import annotations

from django.db import migrations

OLD = "MatchPlan assumption, see docs/rules.md"
NEW = "MatchPlan assumption (explained on the methodology page)"


def forward(apps, schema_editor):
    SpecialtyRule = apps.get_model("assessments", "SpecialtyRule")
    for rule in SpecialtyRule.objects.filter(source_note__contains=OLD):
        rule.source_note = rule.source_note.replace(OLD, NEW)
        rule.save(update_fields=["source_note"])


def backward(apps, schema_editor):
    SpecialtyRule = apps.get_model("assessments", "SpecialtyRule")
    for rule in SpecialtyRule.objects.filter(source_note__contains=NEW):
        rule.source_note = rule.source_note.replace(NEW, OLD)
        rule.save(update_fields=["source_note"])


class Migration(migrations.Migration):
    dependencies = [("assessments", "0007_default_season_facts")]

    operations = [migrations.RunPython(forward, backward)]
