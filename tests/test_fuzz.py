"""Generated input against every public form and query string: never a 500.

Each target receives FORM_FUZZ_EXAMPLES generated inputs (else FUZZ_EXAMPLES; else 2,000 with
CI=true and 150 on a laptop). CI sends 600 to each form here, on Postgres, to keep its run
under half an hour; the HSDS reader's fuzz keeps its 2,000 (tests/directory). Parameter names
come from the FilterSets and forms themselves, so a new filter or field is fuzzed without
touching this file.
"""

import os
from urllib.parse import quote

import pytest
from allauth.account.forms import SignupForm
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compacts.filters import CityFilter, SignatoryFilter
from compacts.forms import PeerContactForm, PlanItemForm, SignatureForm
from curriculum.filters import LessonFilter
from directory.forms import SearchForm, SuggestionForm
from tests.compacts.factories import (
    CityFactory,
    CityStaffFactory,
    CompactFactory,
    SignatureFactory,
)
from tests.curriculum.factories import LessonFactory, ThemeFactory
from tests.directory.factories import CategoryFactory, ServiceFactory
from tests.factories import UserFactory

FUZZ_EXAMPLES = int(
    os.environ.get("FORM_FUZZ_EXAMPLES")
    or os.environ.get("FUZZ_EXAMPLES", "2000" if os.environ.get("CI") else "150")
)

pytestmark = pytest.mark.django_db

fuzz = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize=True,  # the same inputs on every run: a failure in CI repeats on a laptop
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # the client and rows are shared on purpose
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

nasty_text = st.one_of(
    st.text(max_size=200),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "0",
            "-1",
            "99999999999999999999",
            "abc",
            "1e9",
            "NaN",
            "' OR 1=1 --",
            "<script>alert(1)</script>",
            "%00",
            "../../etc/passwd",
            '"food pantry" -church',
            "on",
            "true",
            "None",
            "[]",
            "{}",
        ]
    ),
    st.builds(lambda char, count: char * count, st.characters(), st.integers(0, 6000)),
)


def query_params(names: list[str]):
    """Dicts whose keys are mostly real parameter names, sometimes junk or repeated."""
    key = st.one_of(st.sampled_from(names), st.text(max_size=12))
    return st.dictionaries(key, st.one_of(nasty_text, st.lists(nasty_text, max_size=3)), max_size=6)


class Counter:
    def __init__(self) -> None:
        self.requests = 0

    def check(self, response) -> None:
        self.requests += 1
        assert response.status_code < 500, response.status_code


@pytest.fixture
def site(db, settings):
    """A little of everything, so that filters and forms have rows to work on."""
    settings.PORTAL_RATE_LIMITS = dict.fromkeys(settings.PORTAL_RATE_LIMITS, (10**9, 3600))
    settings.ACCOUNT_RATE_LIMITS = False
    compact = CompactFactory()
    city = CityFactory()
    CityFactory.create_batch(3)
    category = CategoryFactory()
    service = ServiceFactory()
    service.categories.add(category)
    LessonFactory(themes=[ThemeFactory()])
    return {"compact": compact, "city": city, "service": service}


def _raw_query(text: str) -> str:
    return quote(text, safe="=&+%")


def _fuzz_get(client, path: str, names: list[str]) -> int:
    counter = Counter()

    @fuzz
    @given(params=query_params(names), raw=st.text(max_size=80))
    def run(params, raw):
        counter.check(client.get(path, params))
        counter.check(client.get(f"{path}?{_raw_query(raw)}"))

    run()
    return counter.requests


def _fuzz_post(client, path: str, names: list[str], fixed: dict | None = None) -> int:
    counter = Counter()

    @fuzz
    @given(data=st.dictionaries(st.sampled_from(names), nasty_text, max_size=len(names)))
    def run(data):
        counter.check(client.post(path, {**(fixed or {}), **data}))

    run()
    return counter.requests


def _names(filterset) -> list[str]:
    return [*filterset.base_filters, "page", "format", "sort"]


def test_directory_search_query_string(client, site):
    names = [*SearchForm.base_fields, "page", "format", "sort"]
    assert _fuzz_get(client, reverse("directory:search"), names) >= FUZZ_EXAMPLES


def test_city_registry_filters(client, site):
    assert _fuzz_get(client, reverse("compacts:city_list"), _names(CityFilter)) >= FUZZ_EXAMPLES


def test_signatory_filters_page_and_csv(client, site):
    slug = site["compact"].slug
    names = _names(SignatoryFilter)
    assert (
        _fuzz_get(client, reverse("compacts:compact_detail", args=[slug]), names) >= FUZZ_EXAMPLES
    )
    assert _fuzz_get(client, reverse("compacts:compact_csv", args=[slug]), names) >= FUZZ_EXAMPLES


def test_curriculum_filters(client, site):
    assert _fuzz_get(client, reverse("curriculum:index"), _names(LessonFilter)) >= FUZZ_EXAMPLES


def test_suggestion_form(client, site):
    names = [*SuggestionForm.base_fields, "service"]
    assert _fuzz_post(client, reverse("directory:suggest"), names) >= FUZZ_EXAMPLES


def test_sign_form_as_approved_staff(client, site):
    staff = CityStaffFactory(city=site["city"])
    client.force_login(staff.user)
    path = reverse("compacts:sign", args=[site["compact"].slug])
    names = list(SignatureForm.base_fields)
    assert _fuzz_post(client, path, names, fixed={"city": site["city"].pk}) >= FUZZ_EXAMPLES


def test_plan_item_form_as_approved_staff(client, site):
    client.force_login(CityStaffFactory(city=site["city"]).user)
    path = reverse("compacts:plan_item", args=[site["city"].slug, "step-directory"])
    assert _fuzz_post(client, path, list(PlanItemForm.base_fields)) >= FUZZ_EXAMPLES


def test_fellow_mayor_form_as_approved_staff(client, site):
    peer = CityFactory()
    SignatureFactory(city=peer)
    CityStaffFactory(city=peer)
    client.force_login(CityStaffFactory(city=site["city"]).user)
    path = reverse("compacts:peer_contact", args=[site["city"].slug, peer.slug])
    assert _fuzz_post(client, path, list(PeerContactForm.base_fields)) >= FUZZ_EXAMPLES


def test_sign_up_form(client, site):
    names = [*SignupForm.base_fields, "password1", "password2", "email"]
    assert _fuzz_post(client, reverse("account_signup"), names) >= FUZZ_EXAMPLES
    UserFactory()  # the database still takes writes after all that
