"""The ResidencyCAS release date now lives in SeasonDate (event ``rcas_programs``), copied
there by the previous migration: one place for each date."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0012_default_season_dates"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="historicalplatformfeeschedule", name="release_to_programs"
        ),
        migrations.RemoveField(model_name="platformfeeschedule", name="release_to_programs"),
    ]
