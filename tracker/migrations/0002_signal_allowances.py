"""Program signals per specialty, AAMC ERAS 2025 season (the last season confirmed here).
Admins edit them (and add later seasons) in Django admin."""

from __future__ import annotations

from django.db import migrations

SOURCE = "AAMC, ERAS 2025 season program signaling (confirmed figures)"
# (specialty code, kind, allowed)
SIGNALS = [
    ("ANES", "gold", 5),
    ("ANES", "silver", 10),
    ("RAD", "gold", 6),
    ("RAD", "silver", 6),
    ("EM", "signal", 5),
    ("FM", "signal", 5),
    ("GS", "signal", 15),
    ("IM", "gold", 3),
    ("IM", "silver", 12),
    ("NEURO", "signal", 8),
    ("PATH", "signal", 5),
    ("PEDS", "signal", 5),
    ("PSYCH", "signal", 10),
    ("TY", "signal", 12),
]
MATCH_YEAR = 2025


def install(apps, schema_editor):
    Specialty = apps.get_model("programs", "Specialty")
    SignalAllowance = apps.get_model("tracker", "SignalAllowance")
    by_code = {s.code: s for s in Specialty.objects.filter(code__in={c for c, _, _ in SIGNALS})}
    for code, kind, allowed in SIGNALS:
        if code in by_code:
            SignalAllowance.objects.update_or_create(
                specialty=by_code[code],
                match_year=MATCH_YEAR,
                kind=kind,
                defaults={"allowed": allowed, "source": SOURCE},
            )


def uninstall(apps, schema_editor):
    apps.get_model("tracker", "SignalAllowance").objects.filter(match_year=MATCH_YEAR).delete()


class Migration(migrations.Migration):
    dependencies = [("tracker", "0001_initial"), ("programs", "0002_specialties")]
    operations = [migrations.RunPython(install, uninstall)]
