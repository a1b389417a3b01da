"""PostgreSQL-only indexes for the program browser (SQLite gets nothing here).

- ``img_share DESC NULLS LAST, name, id``: the "IMG share, highest first" sort. On
  PostgreSQL a DESC index column keeps NULLs first, so the portable index from 0003
  cannot serve that order; SQLite cannot declare NULLS LAST in an index at all.
- Trigram GIN indexes on ``UPPER(column::text)``, the exact expression Django's
  ``icontains`` compiles to, so the free-text search does not scan the whole table.
  pg_trgm is a trusted extension (PostgreSQL 13+); if the role may not create it, the
  trigram indexes are skipped and search falls back to a scan, which still works.
"""

from __future__ import annotations

from django.db import migrations, transaction

TRIGRAM_COLUMNS = ("name", "institution", "city")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS program_img_desc_nulls_last "
        "ON programs_program (img_share DESC NULLS LAST, name, id)"
    )
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception:  # no privilege: keep the migration working without trigram search
        return
    for column in TRIGRAM_COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS program_{column}_trgm ON programs_program "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS program_img_desc_nulls_last")
    for column in TRIGRAM_COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS program_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("programs", "0003_browser_indexes")]
    operations = [migrations.RunPython(create, drop)]
