"""Installs the specialty codes the product is built around, so a fresh migrate has them."""

from __future__ import annotations

from django.db import migrations

SPECIALTIES = [
    ("EM", "Emergency Medicine", "categorical"),
    ("IM", "Internal Medicine", "categorical"),
    ("FM", "Family Medicine", "categorical"),
    ("PEDS", "Pediatrics", "categorical"),
    ("PSYCH", "Psychiatry", "categorical"),
    ("NEURO", "Neurology", "categorical"),
    ("ANES", "Anesthesiology", "categorical"),
    ("PATH", "Pathology", "categorical"),
    ("RAD", "Diagnostic Radiology", "categorical"),
    ("GS", "General Surgery", "categorical"),
    ("GS-PRELIM", "General Surgery (preliminary)", "preliminary"),
    ("IM-PRELIM", "Internal Medicine (preliminary)", "preliminary"),
    ("TY", "Transitional Year", "transitional"),
]


def install(apps, schema_editor):
    Specialty = apps.get_model("programs", "Specialty")
    for code, name, track in SPECIALTIES:
        Specialty.objects.update_or_create(code=code, defaults={"name": name, "track": track})


def uninstall(apps, schema_editor):
    Specialty = apps.get_model("programs", "Specialty")
    Specialty.objects.filter(code__in=[c for c, _, _ in SPECIALTIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("programs", "0001_initial")]
    operations = [migrations.RunPython(install, uninstall)]
