"""The language a listing's own text is written in (Service.content_language, "en" for the
listings stored so far): a page in another language marks that text with lang="…". (The
refresh of every listing's search columns, here for a while, is 0015's now.)"""

import django.core.validators
from django.db import migrations, models


def refill_search_columns(apps, schema_editor):
    """Nothing now: 0015 refreshes the search columns (its refresh reads Service's position,
    which 0015 adds)."""


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0013_location_position"),
    ]

    operations = [
        migrations.AddField(
            model_name="service",
            name="content_language",
            field=models.CharField(
                default="en",
                help_text="The language the name and description are written in, as a code: en, es, vi...",
                max_length=35,
                validators=[
                    django.core.validators.RegexValidator(
                        "^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
                        "Enter a language code such as en, es or zh-Hant.",
                    )
                ],
                verbose_name="language of the text",
            ),
        ),
        migrations.RunPython(refill_search_columns, migrations.RunPython.noop),
    ]
