from django.db import migrations

ADVISORS_GROUP = "Advisors"  # accounts.models.ADVISORS_GROUP; migrations must not import app code


def create_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.get_or_create(name=ADVISORS_GROUP)


class Migration(migrations.Migration):
    dependencies = [
        ("advising", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        # The group is left in place on reverse: members may have been added to it by hand.
        migrations.RunPython(create_group, migrations.RunPython.noop),
    ]
