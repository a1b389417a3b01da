"""Plan.specialty_name: the primary specialty's name, copied like the code, tier and count,
so the plan page's title needs no lookup. Saved plans get it from their output
(``primary.name``); a plan whose output has none gets the catalog's name for its code,
which is what its page's title showed until now."""

from django.db import migrations, models
from django.db.models import Value
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce


def fill(apps, schema_editor):
    Plan = apps.get_model("assessments", "Plan")
    Specialty = apps.get_model("programs", "Specialty")
    Plan.objects.update(specialty_name=Coalesce(KT("output__primary__name"), Value("")))
    names = dict(Specialty.objects.values_list("code", "name"))
    blank = Plan.objects.filter(specialty_name="")
    for code in set(blank.values_list("specialty_code", flat=True)):
        if code in names:
            blank.filter(specialty_code=code).update(specialty_name=names[code])


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0015_assumption_note_wording"),
        ("programs", "0005_program_facts_tracks"),
    ]

    operations = [
        migrations.AddField(
            model_name="plan",
            name="specialty_name",
            field=models.CharField(blank=True, default="", max_length=100),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
