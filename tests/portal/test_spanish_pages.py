"""No English left on a Spanish page.

Every page state below (anonymous, signed in, approved city staff, admin) is rendered in Spanish
on the demo content, and its visible text (text, title, labels a screen reader reads) is
searched for the English of every message of the portal's catalogue whose Spanish differs: a
hit is a message the page shows untranslated. Text in an element whose lang says it is another
language, and text that comes from the database (listings, cities, compacts, lessons, names),
is content, not the portal's voice, and is left out.
"""

import datetime
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import models
from django.utils import translation

from compacts.models import City, Compact, MayorTerm, Signature
from curriculum.models import Course, Lesson, Theme
from directory.languages import ENDONYMS
from directory.models import (
    Category,
    Organization,
    Service,
    ServiceStatus,
    Suggestion,
    UnmetSearch,
)
from tests.compacts.factories import CityStaffFactory, SignatureFactory
from tests.factories import AdminFactory, UserFactory

pytestmark = pytest.mark.django_db

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"
PLACEHOLDER_OR_TAG = re.compile(r"%\(\w+\)[sd]|%[sd]|<[^>]+>|&[a-z]+;")
# The apps whose rows are content (written by admins, importers or the demo), not the portal.
CONTENT_APPS = ("compacts", "directory", "curriculum", "compassion_portal")
# Names the Spanish pages rightly keep as they are.
PROPER_NAMES = ("Compassionate USA", "CompassionateUSA", "SEE Learning", "Kansas City")


def english_fragments() -> dict[str, str]:
    """Each literal run of words of every translated message, for searching a page: its text
    between placeholders and tags, 4 characters or more (fragment -> its message)."""
    with CATALOGUE.open("rb") as po:
        catalogue = read_po(po)
    fragments: dict[str, str] = {}
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if set(ids) <= set(strings):
            continue  # the same in Spanish (Texas, Fax, 2024)
        for text in ids:
            for fragment in PLACEHOLDER_OR_TAG.split(text):
                fragment = fragment.strip(" \n.,:;·()“”\"'")
                if (
                    len(fragment) >= 4
                    and re.search(r"[A-Za-z]{2}", fragment)
                    and fragment not in PROPER_NAMES
                    and fragment not in ENDONYMS.values()
                ):
                    fragments.setdefault(fragment, text)
    return fragments


class VisibleText(HTMLParser):
    """The text a person sees or hears: the page's text and title, and the labels and hints
    of its controls; not scripts, styles, the rest of the head, nor anything inside an
    element that says it is in another language than ``page_language``."""

    VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
    HIDDEN = {"script", "style", "template"}
    SPOKEN_ATTRIBUTES = ("aria-label", "placeholder", "title", "alt")

    def __init__(self, page_language: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_language = page_language
        self.stack: list[tuple[str, bool]] = []  # (tag, whether its text is left out)
        self.parts: list[str] = []
        self.in_head = False

    def _left_out(self) -> bool:
        return any(skip for _tag, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "head":
            self.in_head = True
        lang = attributes.get("lang")
        other_language = bool(lang) and lang.split("-")[0] != self.page_language
        skip = tag in self.HIDDEN or other_language or (self.in_head and tag != "title")
        # Django's own admin icons say "Search" in English whatever the language (its template).
        admin_icon = tag == "img" and attributes.get("src", "").startswith("/static/admin/")
        if not (self._left_out() or skip or admin_icon):
            for name in self.SPOKEN_ATTRIBUTES:
                if attributes.get(name):
                    self.parts.append(attributes[name])
            if tag == "input" and attributes.get("type") in ("submit", "button"):
                self.parts.append(attributes.get("value") or "")
        if tag not in self.VOID:
            self.stack.append((tag, skip))

    def handle_endtag(self, tag):
        if tag == "head":
            self.in_head = False
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        if not self._left_out() and data.strip():
            self.parts.append(data)

    @classmethod
    def of(cls, html: str, page_language: str = "es") -> str:
        parser = cls(page_language)
        parser.feed(html)
        return " | ".join(" ".join(part.split()) for part in parser.parts)


def database_content(*, admin: bool = False) -> list[str]:
    """Every text of every row of the content apps, and each of its lines (longest first),
    except the category names of the shared taxonomy, which the catalogue translates on the
    public pages (the admin shows them as stored)."""
    texts: set[str] = set()
    for app in CONTENT_APPS:
        for model in apps.get_app_config(app).get_models():
            fields = [
                field.name
                for field in model._meta.concrete_fields
                if isinstance(field, models.CharField | models.TextField)
                and (admin or not (model is Category and field.name == "name"))
            ]
            if not fields:  # (values_list() of no fields would give every field)
                continue
            for row in model.objects.values_list(*fields):
                for value in row:
                    for line in [value, *str(value or "").splitlines()]:
                        if line and len(line.strip()) >= 3:
                            texts.add(" ".join(str(line).split()))
            if admin:  # the admin's lists and choices name rows by str(), often shortened
                texts.update(" ".join(str(row).split()) for row in model.objects.all())
    return sorted(texts, key=len, reverse=True)


def untranslated(html: str, fragments: dict[str, str], content: list[str]) -> list[str]:
    text = VisibleText.of(html)
    for value in (*content, *PROPER_NAMES):
        if value in text:
            text = text.replace(value, " ")
    found = []
    for fragment, message in fragments.items():
        # A whole word or phrase: not part of a longer word, a file name or an address.
        match = re.search(rf"(?<![\w.-]){re.escape(fragment)}(?![\w-]|\.\w)", text)
        if match:
            around = text[max(0, match.start() - 30) : match.end() + 30]
            found.append(f"{fragment!r} (from {message!r}) in …{around}…")
    return sorted(found)


def test_the_checker_finds_english_and_leaves_marked_content_alone():
    fragments = {"Search the directory": "Search the directory", "closes": "closes %(time)s"}
    page = (
        "<html lang='es'><head><title>Directorio</title></head><body>"
        "<p>Cerrado · closes 5 p. m.</p><h2 lang='en'>Search the directory</h2>"
        "<input type='search' placeholder='Search the directory'></body></html>"
    )

    def hits(html, content=()):
        return [hit.split(" (from")[0] for hit in untranslated(html, fragments, list(content))]

    assert hits(page) == ["'Search the directory'", "'closes'"]
    assert hits(page.replace("closes", "cierra")) == ["'Search the directory'"]
    # Content from the database, text marked as English, a file name: none is the portal's.
    assert hits("<p lang='en'>closes</p><p>Catalog closes</p>", ["Catalog closes"]) == []
    assert hits("<p>Suba closes.csv</p>") == []


def _spanish(path: str) -> str:
    return path if path.startswith("/es/") else f"/es{path}"


def _url(item) -> str:
    with translation.override("en"):
        return _spanish(item.get_absolute_url())


def test_no_english_is_left_on_any_spanish_page(client):
    call_command("load_demo", verbosity=0)
    fragments = english_fragments()
    assert len(fragments) > 900

    english = Service.objects.public().filter(content_language="en").order_by("pk").first()
    spanish = Service.objects.public().filter(content_language="es").order_by("pk").first()
    sensitive = Service.objects.public().filter(categories__slug="crisis-lines").first()
    stale = Service.objects.public().filter(assured_date__lt="2025-01-01").first() or english
    closed = Service.objects.public().order_by("-pk").first()
    Service.objects.filter(pk=closed.pk).update(status=ServiceStatus.TEMPORARILY_CLOSED)
    organization = Organization.objects.order_by("pk").first()
    compact = Compact.objects.order_by("pk").first()
    city = City.objects.order_by("pk").first()
    lesson = Lesson.objects.order_by("pk").first()
    course = Course.objects.order_by("pk").first()
    theme = Theme.objects.order_by("pk").first()
    report = Suggestion.objects.create(kind="problem", message="Closed Mondays.", service=english)
    UnmetSearch.objects.create(week="2026-03-09", need="pañales", zip="78701", searches=3)

    anonymous = [
        "/es/",
        "/es/about/",
        "/es/directory/",
        "/es/directory/?q=comida",
        "/es/directory/?q=food&open_now=on",
        "/es/directory/?q=pantry&zip=78993&distance=5&order=nearest",
        "/es/directory/?q=zzyzx+qwxv",
        "/es/directory/?q=fod+pantyr",
        "/es/directory/?q=pantry+xylophone",
        "/es/directory/?q=food&page=abc",
        "/es/directory/?q=food&page=99",
        "/es/directory/?category=food-pantry&kind=nonprofit&language=es",
        "/es/directory/?category=no-such-category&zip=12",
        _url(english),
        _url(spanish),
        _url(sensitive),
        _url(stale),
        _url(closed),
        _url(organization),
        "/es/directory/list/",
        "/es/directory/list/print/",
        "/es/directory/suggest/",
        f"/es/directory/suggest/?service={english.slug}",
        "/es/directory/suggest/thanks/",
        "/es/curriculum/",
        "/es/curriculum/?audience=youth",
        "/es/curriculum/?audience=nobody",
        _url(theme),
        _url(lesson),
        _url(course),
        "/es/curriculum/community-models/",
        "/es/compacts/",
        _url(compact),
        f"{_url(compact)}?state=TX",
        f"{_url(compact)}?state=ZZ&city=nowhere",
        "/es/cities/",
        "/es/cities/?partner=yes&state=TX",
        "/es/cities/?q=no+such+city",
        "/es/cities/map/",
        f"/es/directory/reports/{report.reference}/",
        _url(city),
        f"{_url(city)}plan/step-study/",
        "/es/no-such-page/",
        "/es/accounts/login/",
        "/es/accounts/signup/",
        "/es/accounts/password/reset/",
        "/es/accounts/password/reset/done/",
        "/es/accounts/confirm-email/",
    ]
    with_list = [
        "/es/directory/list/",
        "/es/directory/list/print/",
        "/es/directory/list/clear/",
        f"/es/directory/list/shared/?ids={english.pk}.{spanish.pk}.999999",
    ]

    failures: dict[str, list[str]] = {}
    states = 0

    def check(label: str, response) -> None:
        nonlocal states
        assert response.status_code in (200, 400, 404), (label, response.status_code)
        assert '<html lang="es"' in response.content.decode(), label
        states += 1
        found = untranslated(response.content.decode(), fragments, content)
        if found:
            failures[label] = found

    content = database_content()
    for path in anonymous:
        check(path, client.get(path))

    # Forms sent with mistakes answer with their errors.
    wrong_password = {"login": "x@example.org", "password": "wrong password 123"}
    check("sign-in, wrong password", client.post("/es/accounts/login/", wrong_password))
    mistakes = {"email": "not an email", "password1": "short", "password2": "other"}
    check("sign-up, mistakes", client.post("/es/accounts/signup/", mistakes))
    too_short = {"kind": "new", "message": "hi"}
    check("suggest, mistakes", client.post("/es/directory/suggest/", too_short))

    # A resident's list with two listings.
    for service in (english, spanish):
        client.post("/es/directory/list/add/", {"service": service.pk, "next": "/es/"})
    for path in with_list:
        check(f"{path} (with listings)", client.get(path))

    # Signed in.
    person = UserFactory(email="persona@example.org")
    client.force_login(person)
    content = database_content()
    client.post(f"{_url(lesson)}done/", {"note": "Me sirvió."})
    for path in (
        "/es/accounts/profile/",
        "/es/curriculum/progress/",
        _url(lesson),
        _url(course),
        "/es/accounts/email/",
        "/es/accounts/password/change/",
        "/es/accounts/2fa/",
        _url(city),
        f"{_url(city)}request-access/",
        "/es/cities/ask-to-join/",
    ):
        check(f"{path} (signed in)", client.get(path))
    client.logout()

    # Approved staff of a city that signed the compact, and of one that has not.
    staff = CityStaffFactory(city=city, user=UserFactory(email="personal@example.org"))
    other = City.objects.exclude(pk=city.pk).exclude(signatures__compact=compact).first()
    CityStaffFactory(city=other, user=staff.user)
    if not Signature.objects.active().filter(city=city, compact=compact).exists():
        SignatureFactory(city=city, compact=compact)
    # Riverbend's current mayor took office after it signed: re-affirming is offered.
    MayorTerm.objects.get_or_create(
        city=city, starts_on=datetime.date(2023, 1, 2), defaults={"mayor_name": "Ana Reyes"}
    )
    peer = City.objects.exclude(pk=city.pk).filter(signatures__withdrawn_on__isnull=True).first()
    client.force_login(staff.user)
    content = database_content()
    for path in (
        _url(city),
        _url(other),
        _url(compact),
        f"{_url(compact)}sign/",
        f"{_url(compact)}renew/?city={city.pk}",
        f"{_url(compact)}withdraw/?city={city.pk}",
        f"{_url(compact)}reaffirm/?city={city.pk}",
        "/es/accounts/profile/",
        f"{_url(city)}request-access/",
        f"{_url(city)}handover/",
        f"{_url(city)}plan/step-study/",
        f"{_url(city)}call-a-mayor/{peer.slug}/",
    ):
        check(f"{path} (approved staff)", client.get(path))
    check(
        "plan item, mistakes (approved staff)",
        client.post(f"{_url(city)}plan/step-study/", {"status": "done", "target_on": "x"}),
    )
    check(
        "write to a fellow city, no message (approved staff)",
        client.post(f"{_url(city)}call-a-mayor/{peer.slug}/", {"message": ""}),
    )
    check(
        "sign, without the confirmation (approved staff)",
        client.post(f"{_url(compact)}sign/", {"city": other.pk, "mayor_name": ""}),
    )
    client.logout()

    # The admin-facing pages of the portal's own apps.
    client.force_login(AdminFactory(email="admin@example.org"))
    content = database_content(admin=True)
    for path in (
        "/es/admin/",
        "/es/admin/directory/service/",
        "/es/admin/compacts/city/",
        "/es/admin/directory/organization/import-hsds/",
        "/es/admin/curriculum/lesson/add/",
        "/es/admin/compacts/mayorterm/",
        "/es/admin/directory/unmetsearch/",
        "/es/admin/compacts/mayorterm/add/",
    ):
        check(f"{path} (admin)", client.get(path))

    assert failures == {}, "English on Spanish pages:\n" + "\n".join(
        f"{label}: {', '.join(found)}" for label, found in failures.items()
    )
    assert states >= 40
    print(f"{states} Spanish page states checked")
