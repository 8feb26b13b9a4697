"""Mend what earlier databases may hold.

- Counterpart links are symmetric through the ORM, but a row written around it (raw SQL, a
  bulk insert into the join table) could leave A -> B without B -> A: the adult lesson's page
  would list the youth lesson while the youth lesson's page said none was linked. Add every
  missing reverse row.
- A link to a bare domain (no path) opens the provider's home page, not a course or a lesson:
  mark it as the provider's catalogue so that the page says so plainly.
"""

from urllib.parse import urlsplit

from django.db import migrations


def is_home_page(url: str) -> bool:
    return urlsplit(url).path in ("", "/")


def make_counterparts_symmetric(apps, schema_editor):
    Lesson = apps.get_model("curriculum", "Lesson")
    Link = Lesson.counterparts.through
    existing = set(Link.objects.values_list("from_lesson_id", "to_lesson_id"))
    missing = {(to_id, from_id) for from_id, to_id in existing} - existing
    Link.objects.bulk_create(
        [Link(from_lesson_id=from_id, to_lesson_id=to_id) for from_id, to_id in sorted(missing)]
    )


def mark_home_pages_as_catalogues(apps, schema_editor):
    for name in ("Course", "Lesson"):
        model = apps.get_model("curriculum", name)
        home_pages = [
            pk
            for pk, link in model.objects.exclude(link="").values_list("pk", "link")
            if is_home_page(link)
        ]
        model.objects.filter(pk__in=home_pages).update(link_kind="catalogue")


class Migration(migrations.Migration):
    dependencies = [
        ("curriculum", "0003_lesson_link_kind_and_support"),
    ]

    operations = [
        migrations.RunPython(make_counterparts_symmetric, migrations.RunPython.noop),
        migrations.RunPython(mark_home_pages_as_catalogues, migrations.RunPython.noop),
    ]
