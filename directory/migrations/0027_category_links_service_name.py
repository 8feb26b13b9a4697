"""A category link carries its service's name, with an index of (category, service name,
service): a category's listings are then read in name order from the links, instead of every
listing of the category being read to sort them (see search.results.in_category_name_order).

The names of existing links are copied here; from now on search.refresh_search_vectors()
keeps them. The index replaces the one of the category alone. Going back drops the column
and its index, and builds the category's index again."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_service_names(apps, schema_editor):
    ServiceCategory = apps.get_model("directory", "ServiceCategory")
    Service = apps.get_model("directory", "Service")
    name = Service.objects.filter(pk=OuterRef("service_id")).values("name")[:1]
    ServiceCategory.objects.using(schema_editor.connection.alias).update(
        service_name=Subquery(name)
    )


def analyze(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ANALYZE directory_servicecategory")


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0026_whole_day_hours_facets"),
    ]

    operations = [
        migrations.AddField(
            model_name="servicecategory",
            name="service_name",
            field=models.CharField(default="", editable=False, max_length=250),
        ),
        migrations.RunPython(copy_service_names, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="servicecategory",
            index=models.Index(
                fields=["category", "service_name", "service"],
                name="service_category_name_order",
            ),
        ),
        # That index begins with the category: the category's own index is not needed.
        migrations.AlterField(
            model_name="servicecategory",
            name="category",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                to="directory.category",
            ),
        ),
        migrations.RunPython(analyze, migrations.RunPython.noop),
    ]
