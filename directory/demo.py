"""Demo content for this app, loaded by ``python manage.py load_demo``.

A fictional directory for the fictional city of Riverbend, TX: about 150 services in 20
categories from organizations of all five kinds, some in Spanish, with realistic hours
(an overnight shelter, a 24/7 crisis line), one confidential shelter and a few listings
nobody has checked for over a year. Everything is marked ``is_demo``. Rows are matched by
slug, and a row is saved only when something differs, so a second run changes nothing.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_noop

from compacts.models import City

from .models import (
    Category,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceCategory,
    ServiceLanguage,
)
from .search import refresh_search_vectors

WEEKDAYS = "MO,TU,WE,TH,FR"
EVERY_DAY = "MO,TU,WE,TH,FR,SA,SU"

# slug, name, parent slug (the names are in the catalogue: the shared taxonomy is read in Spanish)
CATEGORIES = [
    ("food", gettext_noop("Food"), None),
    ("food-pantry", gettext_noop("Food pantry"), "food"),
    ("free-meals", gettext_noop("Free meals"), "food"),
    ("benefits-enrollment", gettext_noop("Benefits enrollment (SNAP, WIC, Medicaid)"), None),
    ("housing", gettext_noop("Housing"), None),
    ("emergency-shelter", gettext_noop("Emergency shelter"), "housing"),
    ("rental-assistance", gettext_noop("Rental assistance"), "housing"),
    ("utility-assistance", gettext_noop("Utility assistance"), "housing"),
    ("health-care", gettext_noop("Health care"), None),
    ("counseling", gettext_noop("Mental health counseling"), "health-care"),
    ("dental-care", gettext_noop("Dental care"), "health-care"),
    ("substance-use", gettext_noop("Substance use treatment and recovery"), "health-care"),
    ("crisis-lines", gettext_noop("Crisis lines"), None),
    ("family-violence", gettext_noop("Family violence help"), None),
    ("legal-aid", gettext_noop("Legal aid"), None),
    ("immigration", gettext_noop("Immigration legal services"), "legal-aid"),
    ("employment", gettext_noop("Employment and job training"), None),
    ("adult-education", gettext_noop("Adult education and ESL"), None),
    ("child-care", gettext_noop("Child care and youth programs"), None),
    ("seniors", gettext_noop("Services for seniors"), None),
    ("money", gettext_noop("Tax preparation and financial coaching"), None),
]

# Their listings offer a quick exit.
SENSITIVE_CATEGORIES = {"crisis-lines", "family-violence"}

# slug, name, kind, street
ORGANIZATIONS = [
    ("riverbend-human-services", "Riverbend Department of Human Services", "government", "Main"),
    ("riverbend-public-health", "Riverbend Public Health District", "government", "Pecan"),
    ("bend-county-workforce", "Bend County Workforce Office", "government", "Commerce"),
    ("riverbend-housing-authority", "Riverbend Housing Authority", "government", "Cedar"),
    ("riverbend-senior-center", "Riverbend Senior Center", "government", "Willow"),
    ("st-brigid-parish", "St. Brigid Parish", "faith", "Mission"),
    ("first-baptist-riverbend", "First Baptist Church of Riverbend", "faith", "Church"),
    ("masjid-al-noor", "Masjid Al-Noor Community", "faith", "Orchard"),
    ("temple-beth-shalom", "Temple Beth Shalom", "faith", "Magnolia"),
    ("iglesia-nueva-esperanza", "Iglesia Nueva Esperanza", "faith", "Alamo"),
    ("riverbend-food-network", "Riverbend Food Network", "nonprofit", "Market"),
    ("safe-harbor-riverbend", "Safe Harbor of Riverbend", "nonprofit", "Harbor"),
    ("bend-legal-aid", "Bend Valley Legal Aid", "nonprofit", "Court"),
    ("casa-de-la-comunidad", "Casa de la Comunidad", "nonprofit", "Guadalupe"),
    ("riverbend-recovery", "Riverbend Recovery Alliance", "nonprofit", "River"),
    ("hope-clinic", "Hope Community Clinic", "nonprofit", "Elm"),
    ("riverbend-lions", "Riverbend Lions Club", "service", "Oak"),
    ("riverbend-rotary", "Rotary Club of Riverbend", "service", "Bluebonnet"),
    ("bend-valley-united-way", "Bend Valley United Way", "service", "Travis"),
    ("riverbend-ymca", "Riverbend Family YMCA", "service", "Bowie"),
    ("riverbend-isd", "Riverbend Independent School District", "education", "College"),
    ("bend-valley-college", "Bend Valley Community College", "education", "University"),
    ("riverbend-public-library", "Riverbend Public Library", "government", "Library"),
    ("riverbend-adult-learning", "Riverbend Adult Learning Center", "education", "Lamar"),
]

# Who may use a demo listing, its fees and how to apply, in the language the listing is written in.
ENGLISH_DETAILS = {
    "content_language": "en",
    "eligibility_description": "Residents of Riverbend and Bend County.",
    "fees_description": "Free.",
    "application_process": "Walk in or call first.",
}
SPANISH_DETAILS = {
    "content_language": "es",
    "eligibility_description": "Residentes de Riverbend y del condado de Bend.",
    "fees_description": "Gratis.",
    "application_process": "Venga sin cita o llame antes.",
}

# For each category: (English name, English description) and, for some, a Spanish listing.
SERVICE_TEMPLATES = {
    "food-pantry": (
        "Food Pantry",
        "Groceries once a week: canned food, bread, fresh vegetables when we have them.",
        ("Despensa de Alimentos", "Comida gratis cada semana para familias de Riverbend."),
    ),
    "free-meals": (
        "Community Meal",
        "A hot meal served at the tables, no questions asked. Everyone is welcome.",
        ("Comedor Comunitario", "Comida caliente gratis. Todos son bienvenidos."),
    ),
    "benefits-enrollment": (
        "Benefits Enrollment Help",
        "Staff help you apply for SNAP, WIC and Medicaid and renew your benefits.",
        ("Ayuda con Beneficios", "Le ayudamos a solicitar SNAP, WIC y Medicaid."),
    ),
    "emergency-shelter": (
        "Emergency Shelter",
        "Beds for adults and families with nowhere to stay tonight, with showers and lockers.",
        None,
    ),
    "rental-assistance": (
        "Rental Assistance",
        "One-time help with rent or a deposit for households facing eviction.",
        ("Ayuda para la Renta", "Ayuda única con la renta para familias en riesgo de desalojo."),
    ),
    "utility-assistance": (
        "Utility Bill Assistance",
        "Help paying electric, gas and water bills, and weatherization referrals.",
        None,
    ),
    "counseling": (
        "Counseling Services",
        "Individual and family counseling with licensed counselors; sliding-scale fees.",
        ("Consejería Familiar", "Consejería individual y familiar en español."),
    ),
    "dental-care": (
        "Dental Clinic",
        "Cleanings, fillings and extractions for adults and children without insurance.",
        None,
    ),
    "substance-use": (
        "Recovery Support",
        "Peer recovery coaching, support groups and referrals to treatment; naloxone kits.",
        None,
    ),
    "crisis-lines": (
        "Crisis Line",
        "Someone to talk to right now, day or night, about thoughts of suicide or any crisis.",
        None,
    ),
    "family-violence": (
        "Family Violence Advocacy",
        "Safety planning, protective-order help and support for survivors of family violence.",
        None,
    ),
    "legal-aid": (
        "Free Legal Clinic",
        "Free advice from volunteer lawyers on housing, family and consumer problems.",
        ("Clínica Legal Gratuita", "Consejos legales gratis con abogados voluntarios."),
    ),
    "immigration": (
        "Immigration Legal Services",
        "Help with citizenship applications, DACA renewals and family petitions.",
        ("Servicios de Inmigración", "Ayuda con ciudadanía, DACA y peticiones familiares."),
    ),
    "employment": (
        "Job Search Help",
        "Resume help, computer access, job listings and interview practice.",
        ("Ayuda para Buscar Trabajo", "Ayuda con su currículum y entrevistas de trabajo."),
    ),
    "adult-education": (
        "Adult Education Classes",
        "GED preparation and English (ESL) classes for adults, mornings and evenings.",
        ("Clases de Inglés", "Clases de inglés gratis para adultos, de día y de noche."),
    ),
    "child-care": (
        "After-School Program",
        "Homework help, sports and art for children 6 to 13 after school.",
        ("Programa Después de Clases", "Ayuda con la tarea y actividades para niños."),
    ),
    "seniors": (
        "Senior Services",
        "Lunch, activities and help with Medicare questions for people 60 and over.",
        None,
    ),
    "money": (
        "Free Tax Preparation",
        "IRS-certified volunteers prepare tax returns free for households under the limit.",
        ("Preparación de Impuestos Gratis", "Voluntarios preparan su declaración gratis."),
    ),
    "health-care": (
        "Community Health Clinic",
        "Check-ups, vaccinations and care for chronic conditions, whatever you can pay.",
        ("Clínica de Salud", "Consultas médicas y vacunas a bajo costo."),
    ),
    "housing": (
        "Housing Counseling",
        "Advice on finding affordable housing, tenant rights and first-time home buying.",
        None,
    ),
}
SERVICES_PER_CATEGORY = 7  # with the extra specific listings below: about 150

# Needs the category templates leave out (vaccines, WIC, unemployment, veterans, disability,
# diapers, glasses, rides, clothes), so that the judged search queries
# (tests/directory/relevance/) cover what a 211 line hears.
# slug, organization slug, name, description, category slugs
NEEDS_SERVICES = [
    (
        "public-health-immunizations",
        "riverbend-public-health",
        "Childhood Immunization Clinic",
        "Free immunizations for babies, children and teens, including the ones required for "
        "school. Bring the child's immunization record.",
        ["health-care"],
    ),
    (
        "public-health-wic",
        "riverbend-public-health",
        "WIC Nutrition Program",
        "Healthy food, infant formula, breastfeeding support and nutrition advice for "
        "pregnant women, new mothers and children under five.",
        ["benefits-enrollment", "food"],
    ),
    (
        "workforce-unemployment-claims",
        "bend-county-workforce",
        "Unemployment Claims Help",
        "Help filing or appealing an unemployment claim, and job leads while you wait for "
        "your benefits.",
        ["employment", "benefits-enrollment"],
    ),
    (
        "workforce-veterans",
        "bend-county-workforce",
        "Veterans Employment and Benefits",
        "A veterans representative helps former service members find work, use their GI Bill "
        "and apply for VA benefits.",
        ["employment", "benefits-enrollment"],
    ),
    (
        "human-services-disability",
        "riverbend-human-services",
        "Disability Services",
        "Help applying for SSI and SSDI, independent-living skills, and loans of wheelchairs "
        "and other equipment for people with disabilities.",
        ["benefits-enrollment"],
    ),
    (
        "united-way-diaper-bank",
        "bend-valley-united-way",
        "Diaper Bank",
        "Free diapers and wipes once a month for families with babies and toddlers.",
        ["child-care"],
    ),
    (
        "lions-vision-screening",
        "riverbend-lions",
        "Eyeglasses and Vision Screening",
        "Free eye exams, and free or low-cost eyeglasses for children and adults who cannot "
        "afford them.",
        ["health-care"],
    ),
    (
        "senior-center-rides",
        "riverbend-senior-center",
        "Rides to Medical Appointments",
        "Free rides to doctor, clinic and pharmacy visits for people 60 and over and people "
        "with disabilities. Book two days ahead.",
        ["seniors"],
    ),
    (
        "st-brigid-clothing-closet",
        "st-brigid-parish",
        "Clothing Closet",
        "Free clothes, shoes and winter coats for children and adults.",
        [],
    ),
]


def _save_if_changed(model, lookup: dict, values: dict) -> tuple[object, bool]:
    """Create the row, or update it only when a value differs; return (row, changed)."""
    row = model.objects.filter(**lookup).first()
    if row is None:
        return model.objects.create(**lookup, **values), True
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    for name in changed:
        setattr(row, name, values[name])
    if changed:
        row.save()
    return row, bool(changed)


def _city() -> City:
    city, _created = City.objects.get_or_create(
        slug="riverbend-tx",
        defaults={
            "name": "Riverbend",
            "state": "TX",
            "time_zone": "America/Chicago",
            "is_demo": True,
            "mayor_name": "(fictional) Mayor Dana Whitfield",
        },
    )
    return city


def _phone_number(n: int) -> str:
    return f"(512) 555-01{n % 100:02d}"


class _Loader:
    def __init__(self) -> None:
        self.city = _city()
        self.spanish, _ = Language.objects.get_or_create(code="es", defaults={"name": "Spanish"})
        self.english, _ = Language.objects.get_or_create(code="en", defaults={"name": "English"})
        self.changed_services: set[int] = set()
        self.created = 0
        self.categories: dict[str, Category] = {}
        self.organizations: list[Organization] = []
        self.locations: dict[int, Location] = {}
        self.stale_day = timezone.localdate() - datetime.timedelta(days=540)
        self.verified_day = timezone.localdate() - datetime.timedelta(days=45)

    def load_categories(self) -> None:
        for slug, name, parent in CATEGORIES:
            category, _ = _save_if_changed(
                Category,
                {"slug": slug},
                {
                    "name": name,
                    "parent": self.categories.get(parent) if parent else None,
                    "taxonomy": "Riverbend demo",
                    "is_sensitive": slug in SENSITIVE_CATEGORIES,
                },
            )
            self.categories[slug] = category

    def load_organizations(self) -> None:
        for number, (slug, name, kind, street) in enumerate(ORGANIZATIONS):
            organization, _ = _save_if_changed(
                Organization,
                {"slug": slug},
                {
                    "name": name,
                    "kind": kind,
                    "city": self.city,
                    "is_demo": True,
                    "description": f"{name} serves residents of Riverbend (fictional demo).",
                    "email": f"info@{slug}.example.org",
                },
            )
            self.organizations.append(organization)
            location, _ = _save_if_changed(
                Location,
                {"organization": organization, "name": f"{name} — {street} Street"},
                {
                    "address_1": f"{100 + number * 12} {street} Street",
                    "city": "Riverbend",
                    "state_province": "TX",
                    "postal_code": f"7899{number % 6}",
                    "latitude": None,
                    "longitude": None,
                    "accessibility": "Step-free entrance; accessible restroom.",
                    "transportation": f"Riverbend Transit bus {number % 9 + 1}.",
                },
            )
            self.locations[organization.pk] = location
            if not Phone.objects.filter(organization=organization).exists():
                Phone.objects.create(organization=organization, number=_phone_number(number))

    def service(
        self,
        organization: Organization,
        slug: str,
        name: str,
        description: str,
        category_slugs: list[str],
        *,
        spanish: bool = False,
        stale: bool = False,
        hours: list[tuple[str, str, str]] | None = None,
        location: Location | None = None,
        extra: dict | None = None,
    ) -> Service:
        values = {
            "organization": organization,
            "name": name,
            "description": description,
            "status": "active",
            "is_demo": True,
            "assured_date": self.stale_day if stale else self.verified_day,
            # A Spanish listing is written in Spanish throughout, and says so (content_language).
            **(SPANISH_DETAILS if spanish else ENGLISH_DETAILS),
            **(extra or {}),
        }
        service, changed = _save_if_changed(Service, {"slug": slug}, values)
        if changed:
            self.changed_services.add(service.pk)
        for category_slug in category_slugs:
            _, created = ServiceCategory.objects.get_or_create(
                service=service, category=self.categories[category_slug]
            )
            if created:
                self.changed_services.add(service.pk)
        language = self.spanish if spanish else self.english
        ServiceLanguage.objects.get_or_create(service=service, language=language)
        if spanish:
            ServiceLanguage.objects.get_or_create(service=service, language=self.english)
        link, _ = ServiceAtLocation.objects.get_or_create(
            service=service, location=location or self.locations[organization.pk]
        )
        for byday, opens, closes in hours or [(WEEKDAYS, "09:00", "17:00")]:
            Schedule.objects.get_or_create(
                service_at_location=link,
                byday=byday,
                opens_at=datetime.time.fromisoformat(opens),
                closes_at=datetime.time.fromisoformat(closes),
            )
        return service

    def load_services(self) -> None:
        count = 0
        for category_number, (category_slug, template) in enumerate(SERVICE_TEMPLATES.items()):
            label, description, spanish = template
            for n in range(SERVICES_PER_CATEGORY):
                organization = self.organizations[
                    (category_number * 5 + n * 7) % len(self.organizations)
                ]
                short = organization.name.removeprefix("Riverbend ").removeprefix("The ")
                in_spanish = spanish is not None and n == 3
                name, text = spanish if in_spanish else (label, description)
                hours = [(WEEKDAYS, "09:00", "17:00")]
                if n % 3 == 1:
                    hours = [(WEEKDAYS, "08:00", "12:00"), ("SA", "09:00", "13:00")]
                elif n % 3 == 2:
                    hours = [("TU,TH", "13:00", "19:00")]
                self.service(
                    organization,
                    f"{category_slug}-{organization.slug}",
                    f"{name} at {short}" if not in_spanish else f"{name} — {short}",
                    text,
                    [category_slug],
                    spanish=in_spanish,
                    stale=count % 23 == 5,
                    hours=hours,
                )
                count += 1

    def load_special_services(self) -> None:
        by_slug = {organization.slug: organization for organization in self.organizations}
        harbor = by_slug["safe-harbor-riverbend"]
        hidden, _ = _save_if_changed(
            Location,
            {"organization": harbor, "name": "Safe Harbor shelter"},
            {
                "address_1": "1 Confidential Way",
                "city": "Riverbend",
                "state_province": "TX",
                "postal_code": "78999",
                "is_confidential": True,
            },
        )
        self.service(
            harbor,
            "safe-harbor-emergency-shelter",
            "Safe Harbor Family Violence Shelter",
            "A safe place to stay for people leaving family violence, and their children. "
            "Call the hotline any time; staff will meet you at a safe place.",
            ["family-violence", "emergency-shelter"],
            hours=[(EVERY_DAY, "00:00", "00:00")],
            location=hidden,
        )
        self.service(
            by_slug["riverbend-human-services"],
            "riverbend-overnight-shelter",
            "Riverbend Overnight Shelter",
            "Beds, a shower and breakfast for adults. Check in from 7 p.m.; leave by 7 a.m.",
            ["emergency-shelter"],
            hours=[(EVERY_DAY, "19:00", "07:00")],
        )
        self.service(
            by_slug["bend-valley-united-way"],
            "bend-valley-crisis-line",
            "Bend Valley 24/7 Crisis Line",
            "Call or text any time of day or night to talk with a trained counselor. "
            "Suicide prevention, emotional support and referrals.",
            ["crisis-lines", "counseling"],
            hours=[(EVERY_DAY, "00:00", "00:00")],
        )
        self.service(
            by_slug["casa-de-la-comunidad"],
            "casa-clases-de-ingles",
            "Clases de inglés para adultos",
            "Clases de inglés gratis los lunes y miércoles por la noche. Cuidado de niños "
            "incluido.",
            ["adult-education"],
            spanish=True,
            hours=[("MO,WE", "18:00", "20:00")],
        )
        self.service(
            by_slug["iglesia-nueva-esperanza"],
            "nueva-esperanza-despensa",
            "Despensa de comida Nueva Esperanza",
            "Comida y ropa gratis para familias. Se habla español.",
            ["food-pantry"],
            spanish=True,
            hours=[("SA", "08:00", "11:00")],
        )
        self.service(
            by_slug["riverbend-human-services"],
            "riverbend-snap-office",
            "SNAP Enrollment Office",
            "Apply for SNAP food benefits and get help with your renewal interview.",
            ["benefits-enrollment", "food"],
        )
        for slug, organization_slug, name, description, category_slugs in NEEDS_SERVICES:
            self.service(by_slug[organization_slug], slug, name, description, category_slugs)
        for phone_owner, number in (
            (Service.objects.get(slug="safe-harbor-emergency-shelter"), "(512) 555-0100"),
            (Service.objects.get(slug="bend-valley-crisis-line"), "(512) 555-0111"),
        ):
            Phone.objects.get_or_create(
                service=phone_owner, number=number, defaults={"description": "24 hours"}
            )

    def run(self) -> str:
        self.load_categories()
        self.load_organizations()
        self.load_services()
        self.load_special_services()
        stale = Service.objects.filter(is_demo=True, assured_date__lt=self.verified_day).count()
        refresh_search_vectors(self.changed_services)
        total = Service.objects.filter(is_demo=True).count()
        return (
            f"{total} demo services from {len(self.organizations)} organizations in "
            f"{len(self.categories)} categories ({stale} stale); "
            f"{len(self.changed_services)} changed this run"
        )


def load() -> str:
    """Create or update the demo rows; return a one-line summary for the command."""
    return _Loader().run()
