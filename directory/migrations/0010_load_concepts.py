"""Loads the concept list, directory/data/concepts.csv (see CONCEPTS.md there): everyday
words and Spanish for needs, mapped to the words listings use. It only adds terms that are
not there yet, so a term an admin added or edited (or a starter synonym of 0003) is kept
as it is. Reversing removes only the rows that still read exactly as the list has them.

The code is kept here on purpose: a migration must not import app code that may change.
"""

import csv
import unicodedata
from pathlib import Path

from django.db import migrations

CONCEPTS_CSV = Path(__file__).resolve().parent.parent / "data" / "concepts.csv"


def _normalized(text):
    """Lower-case, accents removed, whitespace collapsed (how the search compares terms)."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())


def _concepts(path=CONCEPTS_CSV):
    with path.open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            yield {
                "term": _normalized(row["term"]),
                "expands_to": row["expands_to"].strip(),
                "language": row["language"].strip(),
                "topic": row["topic"].strip(),
            }


def load_concepts(apps, schema_editor, path=CONCEPTS_CSV):
    synonym = apps.get_model("directory", "Synonym")
    existing = {_normalized(term) for term in synonym.objects.values_list("term", flat=True)}
    new = []
    for concept in _concepts(path):
        if concept["term"] not in existing:
            existing.add(concept["term"])
            new.append(synonym(**concept))
    synonym.objects.bulk_create(new)


def unload_concepts(apps, schema_editor, path=CONCEPTS_CSV):
    synonym = apps.get_model("directory", "Synonym")
    for concept in _concepts(path):
        synonym.objects.filter(**concept).delete()


class Migration(migrations.Migration):
    dependencies = [("directory", "0009_synonym_language_topic")]

    operations = [migrations.RunPython(load_concepts, unload_concepts)]
