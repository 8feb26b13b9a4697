"""A starter list of synonyms: the words residents type, mapped to the words agencies
write. Admins edit them afterwards; this only adds terms that are not there yet."""

from django.db import migrations

STARTER_SYNONYMS = [
    # food
    ("food stamps", "SNAP"),
    ("ebt", "SNAP"),
    ("free food", "food pantry"),
    ("food bank", "food pantry"),
    ("groceries", "food pantry"),
    ("soup kitchen", "free meals"),
    ("hot meal", "free meals"),
    ("baby formula", "WIC"),
    ("comida", "food"),
    # housing
    ("help paying rent", "rental assistance"),
    ("rent help", "rental assistance"),
    ("eviction", "tenant legal help"),
    ("homeless", "shelter"),
    ("place to sleep", "shelter"),
    ("bed tonight", "emergency shelter"),
    ("light bill", "utility assistance"),
    ("electric bill", "utility assistance"),
    ("heating bill", "energy assistance"),
    ("vivienda", "housing"),
    # health
    ("therapy", "counseling"),
    ("therapist", "counseling"),
    ("shrink", "mental health"),
    ("depression", "mental health"),
    ("doctor", "clinic"),
    ("free clinic", "community health center"),
    ("dentist", "dental care"),
    ("glasses", "vision care"),
    ("medicaid", "health insurance"),
    ("shots", "vaccinations"),
    ("pregnant", "prenatal care"),
    ("suicide", "crisis line"),
    ("hotline", "crisis line"),
    ("médico", "clinic"),
    # legal help
    ("lawyer", "legal aid"),
    ("attorney", "legal aid"),
    ("free lawyer", "legal aid"),
    ("court help", "legal aid"),
    ("domestic violence", "family violence"),
    ("abuse", "family violence"),
    ("abogado", "legal aid"),
    # jobs
    ("job", "employment"),
    ("jobs", "employment"),
    ("work", "employment"),
    ("resume", "job readiness"),
    ("ged", "adult education"),
    ("unemployment", "unemployment benefits"),
    ("trabajo", "employment"),
    # children and families
    ("daycare", "child care"),
    ("babysitting", "child care"),
    ("after school", "youth programs"),
    ("diapers", "baby supplies"),
    ("tutoring", "homework help"),
    ("school supplies", "back to school"),
    # seniors
    ("elderly", "seniors"),
    ("old age", "seniors"),
    ("meals on wheels", "home-delivered meals"),
    ("medicare", "senior health insurance"),
    ("caregiver", "respite care"),
    # addiction
    ("rehab", "substance use treatment"),
    ("drug addiction", "substance use treatment"),
    ("alcohol", "substance use"),
    ("aa", "recovery support"),
    ("overdose", "naloxone"),
    ("narcan", "naloxone"),
    # immigration
    ("green card", "immigration legal services"),
    ("papers", "immigration legal services"),
    ("citizenship", "naturalization"),
    ("daca", "immigration legal services"),
    ("english classes", "ESL"),
    ("clases de inglés", "ESL"),
    ("refugee", "refugee resettlement"),
    # money
    ("taxes", "tax preparation"),
    ("free tax help", "VITA"),
    ("cash assistance", "TANF"),
    ("welfare", "TANF"),
    ("debt", "financial counseling"),
    ("bank account", "financial coaching"),
    ("disability check", "SSI"),
    ("phone bill", "Lifeline"),
]


def add_synonyms(apps, schema_editor):
    synonym = apps.get_model("directory", "Synonym")
    existing = set(synonym.objects.values_list("term", flat=True))
    synonym.objects.bulk_create(
        synonym(term=term, expands_to=expands_to)
        for term, expands_to in STARTER_SYNONYMS
        if term not in existing
    )


def remove_synonyms(apps, schema_editor):
    synonym = apps.get_model("directory", "Synonym")
    for term, expands_to in STARTER_SYNONYMS:
        synonym.objects.filter(term=term, expands_to=expands_to).delete()


class Migration(migrations.Migration):
    dependencies = [("directory", "0002_search_setup")]

    operations = [migrations.RunPython(add_synonyms, remove_synonyms)]
