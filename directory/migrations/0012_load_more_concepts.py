"""Loads directory/data/concepts_more.csv as 0010 loads concepts.csv (only the terms that
are missing; reversing removes only rows still as the file has them). It waited until the
search found synonyms by looking up the words of a query instead of a pattern per synonym
(see CONCEPTS.md)."""

import functools
import importlib
from pathlib import Path

from django.db import migrations

MORE_CONCEPTS_CSV = Path(__file__).resolve().parent.parent / "data" / "concepts_more.csv"
loader = importlib.import_module("directory.migrations.0010_load_concepts")


class Migration(migrations.Migration):
    dependencies = [("directory", "0011_places_and_time_zones")]

    operations = [
        migrations.RunPython(
            functools.partial(loader.load_concepts, path=MORE_CONCEPTS_CSV),
            functools.partial(loader.unload_concepts, path=MORE_CONCEPTS_CSV),
        )
    ]
