"""Demo content for this app, loaded by ``python manage.py load_demo``.

The two compacts are real (see DESIGN.md) and described in the portal's own words; every city,
mayor and signature here is fictional and marked ``is_demo``. Running it twice changes nothing.
"""

import datetime

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model

from .models import (
    CharterStatus,
    City,
    CityStaff,
    Commitment,
    Compact,
    MayorTerm,
    PlanItem,
    PlanItemChange,
    Signature,
    StaffRole,
    StaffStatus,
)
from .plan import PlanStatus, PlanStep

DEMO_STAFF_EMAIL = "staff@demo.example.org"
# Known on purpose (the README gives it), so the account is created only when DEBUG is on.
DEMO_STAFF_PASSWORD = "riverbend-demo-2024"  # noqa: S105

# What the Mayors' Starter Guide says about each compact, as short facts in the portal's own
# words. The guide gives neither compact's text, publication date or address, so those stay
# empty and the compact's page says that the full text is not yet available.
HATE_COMPACT = {
    "slug": "combat-hate-extremism-bigotry",
    "title": "Mayors' Compact to Combat Hate, Extremism and Bigotry",
    "introduced_by": "The U.S. Conference of Mayors with the Anti-Defamation League (ADL)",
    "introduced_label": "2017",
    "summary": (
        "Mayors promise to reject hate in all its forms, keep every resident safe and "
        "stand with the communities that hate targets. Over 325 mayors signed it, and about "
        "150 renewed their signature in 2022."
    ),
    "background": (
        "The Mayors' Starter Guide counts this compact among the first steps of the work "
        "that became Compassionate USA: in 2017–2018, 325 mayors signed it, and the U.S. "
        "Conference of Mayors launched its Mayors and Business Leaders Center for "
        "Inclusive and Compassionate Cities.\n\n"
        "Cities renew their signature; about 150 mayors did so in 2022."
    ),
    "full_text": "",
    "source_name": "The U.S. Conference of Mayors with the Anti-Defamation League (ADL)",
    "source_url": "",
    "published_on": None,
    "commitments_are_summary": True,
    "commitments": [
        "Reject extremism, white supremacy and every form of bigotry.",
        "Speak out against every act of hate.",
        "Keep the public safe while protecting the right to free speech.",
        "Make sure investigations of domestic terrorism and hate crimes have the resources "
        "they need.",
        "Bring anti-bias and anti-hate programs into schools.",
        "Support the communities hate targets and build trust with them.",
        "Celebrate the city's diversity and challenge bias wherever it appears.",
        "Train police to recognise and respond to hate incidents, hate crimes and domestic "
        "terrorism.",
        "Encourage residents to report hate, with hotlines and online tools.",
        "Keep enforcing civil rights and push for stronger hate-crime laws.",
    ],
}

EQUITY_COMPACT = {
    "slug": "racial-equity",
    "title": "Mayors' Compact on Racial Equity",
    "introduced_by": ("The U.S. Conference of Mayors with the African American Mayors Association"),
    "introduced_label": "2020–21",
    "summary": (
        "Mayors commit their cities to work for racial equity in how they govern, police and "
        "spend. 143 mayors had signed it by January 2022."
    ),
    "background": (
        "The Mayors' Starter Guide places this compact in the years 2019–2021, when the "
        "COVID-19 pandemic raged and the public protested for greater police "
        "accountability: the U.S. Conference of Mayors introduced it then, and 143 mayors "
        "had signed it by January 2022."
    ),
    "full_text": "",
    "source_name": "The U.S. Conference of Mayors",
    "source_url": "",
    "published_on": None,
    "commitments_are_summary": True,
    "commitments": [
        "Look hard at the city's policies, practices and budgets for what they actually do "
        "to residents of every race.",
        "Work with residents and community leaders on reforms to public safety and policing.",
        "Direct investment toward the neighbourhoods that past policy left behind.",
        "Measure progress openly and report it to the public.",
    ],
}

# (name, state, IANA time zone): fictional places, spread across the country.
CITIES = [
    ("Riverbend", "TX", "America/Chicago"),
    ("Brightwater", "FL", "America/New_York"),
    ("Fernvale", "OR", "America/Los_Angeles"),
    ("Kestrel Bay", "WA", "America/Los_Angeles"),
    ("Amberfield", "KS", "America/Chicago"),
    ("Larkspur Crossing", "CO", "America/Denver"),
    ("Stonemeadow", "PA", "America/New_York"),
    ("Thistledown", "VT", "America/New_York"),
    ("Quillmont", "NY", "America/New_York"),
    ("Juniper Flats", "AZ", "America/Phoenix"),
    ("Sablewood", "GA", "America/New_York"),
    ("Marigold Heights", "CA", "America/Los_Angeles"),
    ("Tidewater Landing", "VA", "America/New_York"),
    ("Wrenfield", "OH", "America/New_York"),
    ("Coralport", "HI", "Pacific/Honolulu"),
    ("Bluestem", "NE", "America/Chicago"),
    ("Emberly", "MI", "America/Detroit"),
    ("Hollowbrook", "KY", "America/New_York"),
    ("Ironvale", "MN", "America/Chicago"),
    ("Lanternfield", "IL", "America/Chicago"),
    ("Mistral Cove", "ME", "America/New_York"),
    ("Northwind", "AK", "America/Anchorage"),
    ("Orchard Bend", "WI", "America/Chicago"),
    ("Saguaro Vista", "NM", "America/Denver"),
    ("Cottonwood Gap", "OK", "America/Chicago"),
    ("Dovecrest", "NC", "America/New_York"),
    ("Elmharbor", "MA", "America/New_York"),
    ("Foxglove", "TN", "America/Chicago"),
    ("Gullwing", "SC", "America/New_York"),
    ("Heronsgate", "MD", "America/New_York"),
    ("Indigo Springs", "NV", "America/Los_Angeles"),
    ("Kettle Rock", "ID", "America/Boise"),
    ("Lindenport", "NJ", "America/New_York"),
    ("Moonwater", "LA", "America/Chicago"),
    ("Nettlefield", "IA", "America/Chicago"),
    ("Oxbow Prairie", "ND", "America/Chicago"),
    ("Palmetto Reach", "PR", "America/Puerto_Rico"),
    ("Quarry Hill", "CT", "America/New_York"),
    ("Rushwater", "MT", "America/Denver"),
    ("Saltmarsh", "DE", "America/New_York"),
    ("Tamarack", "UT", "America/Denver"),
    ("Willowmere", "DC", "America/New_York"),
]

FIRST_NAMES = ["Ana", "Ben", "Carla", "Dev", "Elena", "Farid", "Grace", "Hiro", "Imani", "Jonah"]
LAST_NAMES = ["Okafor", "Lindqvist", "Moreno", "Tran", "Whitfield", "Haddad", "Castillo"]


def _city_defaults(index: int, time_zone: str) -> dict:
    charter = [CharterStatus.NONE, CharterStatus.INITIATIVE, CharterStatus.AFFIRMED][index % 3]
    return {
        "mayor_name": f"{FIRST_NAMES[index % 10]} {LAST_NAMES[index % 7]}",
        "population": 12_000 + (index * 7919) % 480_000,
        "time_zone": time_zone,
        "partner_since": (
            datetime.date(2022, 1 + index % 12, 1 + index % 27) if index % 5 < 3 else None
        ),
        "charter_status": charter,
        "charter_affirmed_on": (
            datetime.date(2019 + index % 5, 1 + index % 12, 15)
            if charter == CharterStatus.AFFIRMED
            else None
        ),
        "is_demo": True,
    }


def _load_compact(data: dict) -> Compact:
    fields = {key: value for key, value in data.items() if key not in ("slug", "commitments")}
    compact, _created = Compact.objects.update_or_create(
        slug=data["slug"], defaults={**fields, "is_open": True}
    )
    for position, text in enumerate(data["commitments"], start=1):
        Commitment.objects.update_or_create(
            compact=compact, position=position, defaults={"text": text}
        )
    return compact


def _load_signatures(index: int, city: City, hate: Compact, equity: Compact) -> int:
    """A realistic spread: most cities signed the 2017 compact, fewer the 2020-21 one,
    some renewed in 2022 and a few withdrew."""
    created = 0
    plans = []
    if index % 4 != 3:
        signed = datetime.date(2017, 8 + index % 5, 1 + index % 28)
        withdrawn = datetime.date(2021, 5, 10) if index % 13 == 7 else None
        renewed = datetime.date(2022, 3, 1 + index % 28) if index % 3 == 0 else None
        renewed = None if withdrawn else renewed
        plans.append((hate, signed, renewed, withdrawn))
    if index % 2 == 1:  # Riverbend (index 0), the demo staff's city has this one left to sign
        plans.append((equity, datetime.date(2021, 1 + index % 12, 2 + index % 26), None, None))
    for compact, signed_on, renewed_on, withdrawn_on in plans:
        # Never add a second signature where someone already signed through the site.
        if Signature.objects.filter(compact=compact, city=city).exists():
            continue
        Signature.objects.create(
            compact=compact,
            city=city,
            mayor_name=city.mayor_name,
            signed_on=signed_on,
            renewed_on=renewed_on,
            withdrawn_on=withdrawn_on,
            withdrawal_reason="Demo: the city council voted to withdraw." if withdrawn_on else "",
        )
        created += 1
    return created


# Where a demo city stands on the guide's steps: (step, status, responsible role, note).
DEMO_PLAN = [
    (
        PlanStep.BRIDGE_BUILDER,
        PlanStatus.DONE,
        "Office of the Mayor",
        "A chief bridge-builder was named in the mayor's office.",
    ),
    (PlanStep.COMMUNITY_CONVERSATION, PlanStatus.UNDER_WAY, "Chief bridge-builder", ""),
    (PlanStep.DIRECTORY, PlanStatus.UNDER_WAY, "Human services department", ""),
    (PlanStep.STUDY_COMPASSION, PlanStatus.NOT_STARTED, "City manager's office", ""),
]


def _load_plan_and_terms(index: int, city: City) -> None:
    """Every third city has no plan yet; the others have started on the first steps, and each
    city has its current mayor's term (Riverbend's began after it signed, so the demo staff
    can re-affirm). Existing rows are left as they are."""
    if index == 0:
        MayorTerm.objects.get_or_create(
            city=city,
            starts_on=datetime.date(2014, 1, 6),
            defaults={"mayor_name": "Jordan Reyes", "ends_on": datetime.date(2023, 1, 1)},
        )
    MayorTerm.objects.get_or_create(
        city=city,
        starts_on=datetime.date(2023, 1, 2) if index == 0 else datetime.date(2014, 1, 6),
        defaults={"mayor_name": city.mayor_name},
    )
    if index % 3 == 2:
        return
    for position, (step, status, role, note) in enumerate(DEMO_PLAN[: 2 + index % 3]):
        item, created = PlanItem.objects.get_or_create(
            city=city,
            step=step,
            defaults={
                "status": status,
                "responsible_role": role,
                "public_note": note,
                "starts_on": datetime.date(2024, 2 + position, 1),
                "target_on": datetime.date(2026 + position % 2, 6, 30),
            },
        )
        if created:
            PlanItemChange.objects.create(
                item=item, status=item.status, target_on=item.target_on, public_note=note
            )


def _load_staff_account(riverbend: City) -> str:
    if not settings.DEBUG:
        message = (
            f"not creating the demo staff account {DEMO_STAFF_EMAIL}: its password is public "
            "and DEBUG is off"
        )
        print(f"Notice: {message}.")  # the person running load_demo must see this
        return message
    user_model = get_user_model()
    user = user_model.objects.filter(email=DEMO_STAFF_EMAIL).first()
    if user is None:
        user = user_model.objects.create_user(
            DEMO_STAFF_EMAIL, DEMO_STAFF_PASSWORD, name="Demo City Staff"
        )
    EmailAddress.objects.get_or_create(
        user=user, email=DEMO_STAFF_EMAIL, defaults={"verified": True, "primary": True}
    )
    CityStaff.objects.get_or_create(
        user=user,
        city=riverbend,
        defaults={
            "role": StaffRole.CHIEF_OF_STAFF,
            "job_title": "Chief of staff (demo)",
            "work_phone": "(512) 555-0100",
            "status": StaffStatus.APPROVED,
        },
    )
    return f"demo staff account {DEMO_STAFF_EMAIL} for Riverbend, TX"


def load() -> str:
    """Create or update the demo rows; return a one-line summary for the command."""
    hate = _load_compact(HATE_COMPACT)
    equity = _load_compact(EQUITY_COMPACT)
    signatures = 0
    riverbend = None
    for index, (name, state, time_zone) in enumerate(CITIES):
        slug = f"{name.lower().replace(' ', '-')}-{state.lower()}"
        if slug == "riverbend-tx":
            # The directory's demo listings point at this city: look it up by slug only.
            city, _created = City.objects.get_or_create(
                slug=slug, defaults={"name": name, "state": state, **_city_defaults(0, time_zone)}
            )
            riverbend = city
        else:
            city, _created = City.objects.update_or_create(
                slug=slug,
                defaults={"name": name, "state": state, **_city_defaults(index, time_zone)},
            )
        signatures += _load_signatures(index, city, hate, equity)
        _load_plan_and_terms(index, city)
    account = _load_staff_account(riverbend)
    return f"2 compacts, {len(CITIES)} demo cities, {signatures} new demo signatures; {account}"
