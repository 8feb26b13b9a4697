"""Write a deterministic, fictional HSDS 3.0 tabular package for the benchmark.

    python bench/make_synthetic_hsds.py OUT_DIR [--services 200000] [--seed 4]

Rows are streamed to disk as they are made, so memory stays flat whatever the size. The same
arguments always give byte-identical files. The words the benchmark searches for are planted
at known rates (see WORDS_PLANTED) so that its "selective" and "broad" queries mean something:

- ``zephyrine`` is in the description of one service in 4,000 (50 of 200,000);
- ``Juniper Hollow`` is the name of one service in 10,000 (20 of 200,000);
- ``community`` is in the description of every third service;
- the category words (food, housing, ...) each cover about one service in twelve.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import uuid
from contextlib import ExitStack
from pathlib import Path

WORDS_PLANTED = {
    "zephyrine": "1 service in 4,000 (description)",
    "Juniper Hollow": "1 service in 10,000 (name)",
    "community": "1 service in 3 (description)",
}

# Top-level categories and their children: (name, [children]).
CATEGORIES: list[tuple[str, list[str]]] = [
    ("Food", ["Food Pantry", "Community Meals", "SNAP Enrollment"]),
    ("Housing", ["Emergency Shelter", "Rental Assistance", "Home Repair"]),
    ("Health", ["Primary Care", "Dental Care", "Vision Care"]),
    ("Mental Health", ["Counseling", "Crisis Line", "Support Groups"]),
    ("Legal Aid", ["Tenant Law", "Immigration Law", "Expungement"]),
    ("Employment", ["Job Training", "Resume Help", "Job Placement"]),
    ("Education", ["Adult Education", "English Classes", "Tutoring"]),
    ("Children and Families", ["Child Care", "Parenting Classes", "Youth Programs"]),
    ("Seniors", ["Meals on Wheels", "Senior Centers", "Caregiver Support"]),
    ("Transportation", ["Bus Passes", "Medical Rides", "Car Repair"]),
    ("Money", ["Tax Preparation", "Financial Coaching", "Utility Assistance"]),
    ("Recovery", ["Addiction Treatment", "Recovery Meetings", "Harm Reduction"]),
]
KINDS = ["government", "faith", "nonprofit", "service", "education"]
LEGAL_STATUS = {
    "government": "Government agency",
    "faith": "Religious organization",
    "nonprofit": "Nonprofit 501(c)(3)",
    "service": "Service club",
    "education": "School district",
}
PLACES = [
    "Maple Street",
    "Riverside",
    "Eastgate",
    "Cedar Hill",
    "Northfield",
    "Harbor View",
    "Oak Park",
    "Westbrook",
    "Lakeshore",
    "Pine Ridge",
    "Sunnyvale",
    "Brookside",
    "Elm Grove",
    "Stonebridge",
    "Fairview",
    "Willow Creek",
    "Highland",
    "Mill Pond",
    "Granite Falls",
    "Union Square",
]
ORG_SUFFIX = {
    "government": "Department of Human Services",
    "faith": "Interfaith Fellowship",
    "nonprofit": "Neighbors Alliance",
    "service": "Lions Service Club",
    "education": "Unified School District",
}
CITIES = [
    ("Fairhaven", "OH", "43001"),
    ("Brookport", "PA", "15001"),
    ("Millbrook", "TX", "75001"),
    ("Lakemont", "MN", "55001"),
    ("Silverton", "AZ", "85001"),
    ("Greenford", "NC", "27001"),
]
STREETS = ["Main St", "Oak Ave", "Elm St", "Park Rd", "Lake Dr", "Hill St", "River Rd", "2nd Ave"]
FILLER = [
    "Staff help residents",
    "Walk in or call ahead",
    "Bring an ID if you have one",
    "Services are free of charge",
    "Volunteers answer questions",
    "Appointments are available",
    "Open to every resident",
    "Ask about other programs nearby",
]
SCHEDULES = [
    # (byday, opens_at, closes_at, share out of 20)
    ("MO,TU,WE,TH,FR", "09:00", "17:00", 14),
    ("SA,SU", "10:00", "14:00", 3),
    ("MO,TU,WE,TH,FR,SA,SU", "19:00", "07:00", 2),  # overnight, passes midnight
    ("MO,TU,WE,TH,FR,SA,SU", "00:00", "00:00", 1),  # around the clock (opens == closes)
]

HEADERS: dict[str, list[str]] = {
    "taxonomies.csv": ["id", "name", "description", "uri", "version"],
    "taxonomy_terms.csv": ["id", "code", "name", "description", "parent_id", "taxonomy_id"],
    "organizations.csv": [
        "id",
        "name",
        "alternate_name",
        "description",
        "email",
        "website",
        "legal_status",
        "year_incorporated",
    ],
    "services.csv": [
        "id",
        "organization_id",
        "name",
        "alternate_name",
        "description",
        "url",
        "email",
        "status",
        "interpretation_services",
        "application_process",
        "fees_description",
        "eligibility_description",
        "minimum_age",
        "maximum_age",
        "assured_date",
    ],
    "locations.csv": [
        "id",
        "location_type",
        "organization_id",
        "name",
        "description",
        "transportation",
        "latitude",
        "longitude",
    ],
    "addresses.csv": [
        "id",
        "location_id",
        "address_1",
        "address_2",
        "city",
        "state_province",
        "postal_code",
        "country",
        "address_type",
    ],
    "service_at_location.csv": ["id", "service_id", "location_id", "description"],
    "phones.csv": [
        "id",
        "service_id",
        "location_id",
        "organization_id",
        "number",
        "extension",
        "type",
        "description",
    ],
    "schedules.csv": [
        "id",
        "service_id",
        "location_id",
        "service_at_location_id",
        "freq",
        "wkst",
        "byday",
        "opens_at",
        "closes_at",
        "description",
    ],
    "languages.csv": ["id", "service_id", "location_id", "name", "code"],
    "attributes.csv": ["id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value"],
}


def hsds_id(table: int, number: int) -> str:
    """A stable, valid UUID per (table, row number): the same package every time."""
    return str(uuid.UUID(int=(table << 96) | (0x4000 << 64) | (0x8 << 60) | number))


T_TAXONOMY, T_TERM, T_ORG, T_SERVICE, T_LOCATION, T_ADDRESS = range(1, 7)
T_SAL, T_PHONE, T_SCHEDULE, T_LANGUAGE, T_ATTRIBUTE = range(7, 12)


def write_package(out: Path, services: int, seed: int) -> dict[str, int]:
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    counts: dict[str, int] = dict.fromkeys(HEADERS, 0)
    with ExitStack() as stack:
        writers = {}
        for name, header in HEADERS.items():
            handle = stack.enter_context((out / name).open("w", newline="", encoding="utf-8"))
            writers[name] = csv.writer(handle, lineterminator="\n")
            writers[name].writerow(header)

        def put(name: str, row: list[object]) -> None:
            writers[name].writerow(row)
            counts[name] += 1

        taxonomy = hsds_id(T_TAXONOMY, 1)
        put("taxonomies.csv", [taxonomy, "Synthetic categories", "Benchmark categories", "", "1"])
        leaf_terms: list[str] = []
        term_number = 0
        for top, children in CATEGORIES:
            term_number += 1
            parent = hsds_id(T_TERM, term_number)
            put("taxonomy_terms.csv", [parent, f"c{term_number}", top, top, "", taxonomy])
            for child in children:
                term_number += 1
                term = hsds_id(T_TERM, term_number)
                put("taxonomy_terms.csv", [term, f"c{term_number}", child, child, parent, taxonomy])
                leaf_terms.append(term)
        leaf_names = [child for _top, children in CATEGORIES for child in children]

        organizations = max(1, services // 4)
        attribute_number = 0
        for org in range(organizations):
            kind = KINDS[org % len(KINDS)]
            place = PLACES[org % len(PLACES)]
            org_id = hsds_id(T_ORG, org)
            city, state, zip_code = CITIES[org % len(CITIES)]
            put(
                "organizations.csv",
                [
                    org_id,
                    f"{place} {ORG_SUFFIX[kind]} {org}",
                    "",
                    f"{place} {ORG_SUFFIX[kind]} serves residents of {city}.",
                    f"info{org}@example.org",
                    f"https://example.org/org/{org}",
                    LEGAL_STATUS[kind],
                    1950 + org % 70,
                ],
            )
            attribute_number += 1
            put(
                "attributes.csv",
                [
                    hsds_id(T_ATTRIBUTE, attribute_number),
                    org_id,
                    "",
                    "organization_kind",
                    "organization",
                    kind,
                ],
            )
            for half in range(2):
                location = org * 2 + half
                location_id = hsds_id(T_LOCATION, location)
                put(
                    "locations.csv",
                    [
                        location_id,
                        "physical",
                        org_id,
                        f"{place} {'Center' if half else 'Office'}",
                        "",
                        "Near the bus stop.",
                        f"{39 + rng.random():.6f}",
                        f"{-84 + rng.random():.6f}",
                    ],
                )
                put(
                    "addresses.csv",
                    [
                        hsds_id(T_ADDRESS, location),
                        location_id,
                        f"{100 + location % 900} {STREETS[location % len(STREETS)]}",
                        "",
                        city,
                        state,
                        zip_code,
                        "US",
                        "physical",
                    ],
                )
        for service in range(services):
            org = service % organizations
            service_id = hsds_id(T_SERVICE, service)
            location_id = hsds_id(T_LOCATION, org * 2 + service % 2)
            category = service % len(leaf_terms)
            topic = leaf_names[category]
            place = PLACES[(service // 7) % len(PLACES)]
            name = f"{place} {topic} {service}"
            if service % 10_000 == 17:
                name = f"Juniper Hollow {topic}"
            words = [f"{topic} offered by neighbors in {place}."]
            words.extend(f"{sentence}." for sentence in rng.sample(FILLER, 2))
            if service % 3 == 0:
                words.append("A community program.")
            if service % 4000 == 7:
                words.append("Named for the zephyrine garden.")
            spanish = service % 4 == 0
            if spanish:
                words.append("Se habla español; ayuda con comida y vivienda.")
            status = "active"
            if service % 97 == 0:
                status = "inactive"
            elif service % 211 == 0:
                status = "defunct"
            put(
                "services.csv",
                [
                    service_id,
                    hsds_id(T_ORG, org),
                    name,
                    "",
                    " ".join(words),
                    "",
                    "",
                    status,
                    "Interpreters on request" if spanish else "",
                    "Call or walk in.",
                    "Free",
                    "Residents of the county",
                    "",
                    "",
                    f"2024-{1 + service % 12:02d}-{1 + service % 28:02d}",
                ],
            )
            sal_id = hsds_id(T_SAL, service)
            put("service_at_location.csv", [sal_id, service_id, location_id, ""])
            put(
                "phones.csv",
                [
                    hsds_id(T_PHONE, service),
                    service_id,
                    "",
                    "",
                    f"555-{service // 10_000 % 1000:03d}-{service % 10_000:04d}",
                    "",
                    "voice",
                    "",
                ],
            )
            byday, opens, closes = _pick_schedule(service)
            put(
                "schedules.csv",
                [
                    hsds_id(T_SCHEDULE, service),
                    service_id,
                    "",
                    sal_id,
                    "WEEKLY",
                    "MO",
                    byday,
                    opens,
                    closes,
                    "",
                ],
            )
            put(
                "languages.csv", [hsds_id(T_LANGUAGE, service * 2), service_id, "", "English", "en"]
            )
            if spanish:
                put(
                    "languages.csv",
                    [hsds_id(T_LANGUAGE, service * 2 + 1), service_id, "", "Spanish", "es"],
                )
            attribute_number += 1
            put(
                "attributes.csv",
                [
                    hsds_id(T_ATTRIBUTE, attribute_number),
                    service_id,
                    leaf_terms[category],
                    "service_category",
                    "service",
                    "",
                ],
            )
    (out / "datapackage.json").write_text(
        json.dumps(
            {
                "name": "synthetic-directory",
                "title": "Synthetic directory for the Compassion Portal benchmark (fictional)",
                "profile": "tabular-data-package",
                "resources": [
                    {"name": name.removesuffix(".csv"), "path": name, "format": "csv"}
                    for name in HEADERS
                ],
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    return counts


def _pick_schedule(service: int) -> tuple[str, str, str]:
    slot = service % 20
    for byday, opens, closes, share in SCHEDULES:
        if slot < share:
            return byday, opens, closes
        slot -= share
    raise AssertionError("the shares add up to 20")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--services", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args(argv)
    counts = write_package(args.out, args.services, args.seed)
    for name, count in counts.items():
        print(f"{name:28} {count:>10,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
