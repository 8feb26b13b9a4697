"""directory.search: matching, ranking, synonyms, spelling, filters, open now, counts."""

import datetime
import importlib
import re
import zoneinfo
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from directory import search
from directory.forms import SearchForm
from directory.models import Schedule, Service, ServiceCategory, ServiceStatus, Synonym
from directory.search import Criteria, index, results, words
from tests.compacts.factories import CityFactory
from tests.directory.conftest import postgres_only, starter_synonyms_migration
from tests.directory.factories import (
    CategoryFactory,
    LanguageFactory,
    LocationFactory,
    OrganizationFactory,
    ScheduleFactory,
    ServiceAtLocationFactory,
    ServiceFactory,
    SynonymFactory,
)
from tests.directory.searching import candidate_ids, found, names_of, page_of, plan_of

pytestmark = pytest.mark.django_db
CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


def criteria(params: dict, now: datetime.datetime | None = None) -> Criteria:
    form = SearchForm(params, reference=search.load_reference())
    assert form.is_valid(), form.errors
    return form.criteria(page=1, now=now or datetime.datetime.now(tz=datetime.UTC))


def first_page(params: dict) -> search.ResultPage:
    services = search.services_matching(criteria(params), search.load_reference())
    return search.result_page(services, 1)


def _search(params: dict[str, str], now: datetime.datetime | None = None) -> list[str]:
    return names_of(criteria(params, now))


@pytest.fixture
def corpus():
    food = CategoryFactory(name="Food pantry", slug="food-pantry")
    housing = CategoryFactory(name="Housing", slug="housing")
    shelters = CategoryFactory(name="Shelters", slug="shelters", parent=housing)
    spanish = LanguageFactory(code="es", name="Spanish")
    church = OrganizationFactory(name="Grace Church", kind="faith")
    services = {
        "pantry": ServiceFactory(name="Eastside Food Pantry", categories=[food]),
        "church_pantry": ServiceFactory(
            name="Grace Food Pantries", organization=church, categories=[food]
        ),
        "mention": ServiceFactory(
            name="Neighborhood Center", description="Ask about the food pantry schedule."
        ),
        "shelter": ServiceFactory(
            name="Overnight Shelter", description="Beds every night.", categories=[shelters]
        ),
        "esl": ServiceFactory(
            name="Clases de inglés gratis",
            description="Aprenda inglés; comida incluida los viernes.",
            languages=[spanish],
        ),
        "snap": ServiceFactory(
            name="SNAP enrollment", description="Apply for grocery benefits with our staff."
        ),
        "counseling": ServiceFactory(name="Family Counseling", description="Talk to someone."),
        "rent": ServiceFactory(name="Rental assistance fund", description="One month of rent."),
        "inactive": ServiceFactory(name="Old Food Pantry", status=ServiceStatus.INACTIVE),
        "defunct": ServiceFactory(name="Gone Food Pantry", status=ServiceStatus.DEFUNCT),
        "closed": ServiceFactory(
            name="Westside Food Pantry", status=ServiceStatus.TEMPORARILY_CLOSED
        ),
    }
    search.refresh_search_vectors()
    return services


def test_every_word_must_match_when_some_listing_has_them_all(corpus):
    assert "Eastside Food Pantry" in found("food pantry")
    assert "Overnight Shelter" not in found("food pantry")
    assert not page_of("food pantry").partial


def test_without_a_listing_with_every_word_the_closest_partial_matches_show(corpus):
    """No listing is a pantry and a shelter: listings with either word show, marked
    partial, and one with both of the other words of a query before one with one."""
    page = page_of("pantry shelter")
    assert page.partial
    names = [card.name for card in page.services]
    assert {"Eastside Food Pantry", "Overnight Shelter"} <= set(names)
    assert "Family Counseling" not in names
    ranked = [card.name for card in page_of("food pantry beds").services]
    assert ranked.index("Eastside Food Pantry") < ranked.index("Overnight Shelter")
    # Filters still apply to partial matches.
    assert found("pantry shelter", language="es") == []


def test_filler_words_are_not_required(corpus):
    assert found("where can i get help with food near me")[:1] == ["Eastside Food Pantry"]
    assert not page_of("food pantry near me").partial
    assert "Clases de inglés gratis" in found("clases de ingles cerca de mi")


def test_inactive_and_defunct_services_are_never_found(corpus):
    names = found("food pantry")
    assert "Old Food Pantry" not in names
    assert "Gone Food Pantry" not in names
    assert "Westside Food Pantry" in names  # temporarily closed: shown with a badge


def test_a_name_match_ranks_above_a_description_match(corpus):
    names = found("food pantry")
    assert names.index("Eastside Food Pantry") < names.index("Neighborhood Center")


def test_categories_are_searched(corpus):
    assert "Overnight Shelter" in found("housing")  # the parent category's name counts too


def test_accents_do_not_matter(corpus):
    assert found("clases de inglés") == ["Clases de inglés gratis"]
    assert found("clases de ingles") == ["Clases de inglés gratis"]
    assert found("CLASES DE INGLES") == ["Clases de inglés gratis"]


def test_spanish_words_find_spanish_listings(corpus):
    assert "Clases de inglés gratis" in found("comida")
    # The listing that uses the word comes before those found through the synonym "food".
    assert found("comida")[0] == "Clases de inglés gratis"


def test_synonyms_expand_the_query(corpus):
    assert found("food stamps") == ["SNAP enrollment"]
    assert found("therapy") == ["Family Counseling"]
    assert found("help paying rent") == ["Rental assistance fund"]


def test_an_admin_added_synonym_takes_effect(corpus):
    assert found("cupboard") == []
    SynonymFactory(term="Cupboard", expands_to="pantry")
    assert "Eastside Food Pantry" in found("cupboard")


def test_synonym_variants_replace_whole_words_only():
    synonyms = [("rent", "rental assistance"), ("job", "employment")]
    assert words.synonym_variants("rent help", synonyms) == ["rental assistance help"]
    assert words.synonym_variants("parenting", synonyms) == []
    assert words.synonym_variants("job and rent", synonyms)[-1] == (
        "employment and rental assistance"
    )


def test_nothing_matches_a_query_of_symbols(corpus):
    assert found("!!! ???") == []


@postgres_only
def test_english_stems_match(corpus):
    assert set(found("pantries")) >= {"Eastside Food Pantry", "Grace Food Pantries"}


@postgres_only
@pytest.mark.parametrize(
    ("typo", "expected"),
    [("fod pantry", "Eastside Food Pantry"), ("shleter", "Overnight Shelter")],
)
def test_misspellings_still_find_the_listing(corpus, typo, expected):
    assert expected in found(typo)


@postgres_only
def test_the_spelling_look_up_searches_by_similarity_only_for_unknown_words(
    corpus, django_assert_num_queries
):
    # One query for all the words, known or not.
    with django_assert_num_queries(1):
        assert words.corrections(["shelter", "pantry"]) == {}
    with django_assert_num_queries(1):
        fixes = words.corrections(["shelter", "shleter", "pantyr", "zzzzqqq"])
    assert fixes == {"shleter": "shelter", "pantyr": "pantry"}
    # A known word's similarity search is never run: the vocabulary's index answers first.
    sql, params = words._nearest_known_word("shelter").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert re.search(r"One-Time Filter: \(NOT \S+\)\n\s*->[^\n]*\(never executed\)", plan), plan


@postgres_only
def test_websearch_syntax_phrases_and_exclusions(corpus):
    names = found('"food pantry" -church')
    assert "Eastside Food Pantry" in names
    assert "Grace Food Pantries" not in names  # its organization is a church
    assert "Neighborhood Center" in names
    assert "Family Counseling" in found("counseling or shelter")
    assert "Overnight Shelter" in found("counseling or shelter")


@postgres_only
def test_search_uses_the_gin_index():
    organization = OrganizationFactory()
    Service.objects.bulk_create(
        Service(
            organization=organization,
            name=f"Listing {n} {'pantry' if n % 100 == 0 else 'counseling'}",
            slug=f"listing-{n}",
        )
        for n in range(400)
    )
    search.refresh_search_vectors()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE directory_service")
        cursor.execute("SET LOCAL enable_seqscan = off")
    candidates = search.services_matching(Criteria(words="pantry"), search.load_reference())
    plan = plan_of(candidates)
    assert "directory_service_vectors_gin" in plan


@postgres_only
def test_the_words_and_a_facet_are_one_condition_of_one_index_scan():
    """Words matched only in descriptions (``search_vector``) and a category (a facet of
    ``name_vector``): one scan of the index over both columns intersects them as it reads,
    no BitmapAnd of two whole bitmaps (17 ms at 200,000 services for "food, open now")."""
    organization = OrganizationFactory()
    shelters = CategoryFactory(slug="shelters")
    for n in range(400):
        ServiceFactory(
            organization=organization,
            name=f"Listing {n}",
            description="Beds and a hot meal" if n % 40 == 0 else "Counseling",
            categories=[shelters] if n % 2 == 0 else [],
        )
    search.refresh_search_vectors()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE directory_service")
        cursor.execute("SET LOCAL enable_seqscan = off")
    candidates = search.services_matching(
        Criteria(words="meal", category="shelters"), search.load_reference()
    )
    found = Service.objects.filter(pk__in=candidate_ids(candidates))
    assert sorted(found.values_list("name", flat=True)) == sorted(
        f"Listing {n}" for n in range(0, 400, 40)
    )
    plan = plan_of(candidates)
    assert "BitmapAnd" not in plan, plan
    conditions = re.findall(r"Index Cond: (.*search_vector @@.*)", plan)
    assert any("name_vector @@" in condition for condition in conditions), plan


def test_a_category_is_browsed_in_the_order_of_its_listings_names_as_they_are_now():
    """A category without sub-categories is read in name order from its links, which carry
    each listing's name: a new link and a renamed listing take their place at the refresh.
    With a count cap of one (two candidates), the candidates are the first two names."""
    pantries = CategoryFactory(slug="food-pantry")
    meals = CategoryFactory(slug="free-meals")
    cedar, apple, _birch = (
        ServiceFactory(name=f"{tree} pantry", categories=[pantries])
        for tree in ("Cedar", "Apple", "Birch")
    )
    ServiceFactory(name="Aspen kitchen", categories=[meals])
    search.refresh_search_vectors()
    assert found(category="food-pantry") == ["Apple pantry", "Birch pantry", "Cedar pantry"]

    cedar.name = "Acorn pantry"
    cedar.save()
    apple.categories.add(meals)  # a new link
    search.refresh_search_vectors([cedar.pk, apple.pk])
    links = ServiceCategory.objects.filter(service__in=[cedar, apple])
    assert sorted(links.values_list("service_name", flat=True)) == [
        "Acorn pantry",
        "Apple pantry",
        "Apple pantry",
    ]
    assert found(category="food-pantry") == ["Acorn pantry", "Apple pantry", "Birch pantry"]
    assert found(category="free-meals") == ["Apple pantry", "Aspen kitchen"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(results, "COUNT_CAP", 1)
        assert found(category="food-pantry") == ["Acorn pantry", "Apple pantry"]


def test_the_migration_gives_existing_category_links_their_service_names():
    migration = importlib.import_module("directory.migrations.0027_category_links_service_name")
    pantries, meals = CategoryFactory(), CategoryFactory()
    ServiceFactory(name="Eastside pantry", categories=[pantries, meals])
    ServiceFactory(name="Grace kitchen", categories=[meals])
    ServiceCategory.objects.update(service_name="")  # as the column is added
    migration.copy_service_names(apps, SimpleNamespace(connection=connection))
    links = ServiceCategory.objects.order_by("service__name", "category")
    assert list(links.values_list("service_name", flat=True)) == [
        "Eastside pantry",
        "Eastside pantry",
        "Grace kitchen",
    ]


@postgres_only
def test_a_category_is_read_in_name_order_from_its_links_index(monkeypatch):
    """Browsing a category without sub-categories reads its links through the index of
    (category, service name, service), in that order, and stops at the cap; a category with
    sub-categories still filters by the names' facets. (A table this small is cheaper to
    read whole, so sequential scans are turned off, and the cap lowered, to see the scans
    chosen.)"""
    monkeypatch.setattr(results, "COUNT_CAP", 5)
    shelters = CategoryFactory(slug="shelters")
    housing = CategoryFactory(slug="housing")
    CategoryFactory(slug="rent-help", parent=housing)
    for n in range(300):
        ServiceFactory(name=f"Listing {n}", categories=[shelters if n % 2 else housing])
    search.refresh_search_vectors()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE directory_servicecategory")
        cursor.execute("ANALYZE directory_service")
        cursor.execute("SET LOCAL enable_seqscan = off")
    reference = search.load_reference()
    plan = plan_of(search.services_matching(Criteria(category="shelters"), reference))
    assert "service_category_name_order on directory_servicecategory" in plan, plan
    assert "Sort Key" not in plan.split("Limit")[1], plan  # no sort below the cap
    plan = plan_of(search.services_matching(Criteria(category="housing"), reference))
    assert "name_vector @@" in plan, plan
    assert "servicecategory" not in plan, plan


def test_filters_each_narrow_the_results(corpus):
    city = CityFactory(slug="riverbend-tx", name="Riverbend")
    in_city = OrganizationFactory(name="City Hall", kind="government", city=city)
    registry = ServiceFactory(name="Voter registry", organization=in_city)
    ServiceAtLocationFactory(service=registry, location__postal_code="78201")
    search.refresh_search_vectors()

    def names(**params) -> set[str]:
        return set(_search(params))

    assert names(category="food-pantry") == {"Eastside Food Pantry", "Grace Food Pantries"}
    assert names(category="housing") == {"Overnight Shelter"}  # includes sub-categories
    assert names(kind="faith") == {"Grace Food Pantries"}
    assert names(language="es") == {"Clases de inglés gratis"}
    assert names(city="riverbend-tx") == {"Voter registry"}
    assert names(zip="78201") == {"Voter registry"}
    assert names(q="pantry", kind="faith") == {"Grace Food Pantries"}


def test_unknown_filter_values_are_reported_not_applied(corpus):
    form = SearchForm(
        {"category": "no-such", "kind": "alien", "zip": "abc", "q": "pantry"},
        reference=search.load_reference(),
    )
    assert set(form.errors) == {"category", "kind", "zip"}
    now = datetime.datetime.now(tz=datetime.UTC)
    assert form.criteria(page=3, now=now) == Criteria(words="pantry", page=3)


def test_zip_filter_ignores_confidential_locations():
    service = ServiceFactory(name="Safe house")
    ServiceAtLocationFactory(
        service=service, location__postal_code="78202", location__is_confidential=True
    )
    search.refresh_search_vectors()
    assert _search({"zip": "78202"}) == []
    assert found("safe house") == ["Safe house"]  # without the ZIP it is listed


class TestOpenNow:
    @pytest.fixture
    def shelter(self):
        city = CityFactory(time_zone="America/Chicago")
        service = ServiceFactory(name="Night shelter", organization__city=city)
        ScheduleFactory(
            service=service,
            byday="MO,TU,WE,TH,FR,SA,SU",
            opens_at=datetime.time(19),
            closes_at=datetime.time(7),
        )
        return service

    @pytest.fixture
    def crisis_line(self):
        service = ServiceFactory(name="Crisis line")
        ScheduleFactory(
            service=service,
            byday="MO,TU,WE,TH,FR,SA,SU",
            opens_at=datetime.time(0),
            closes_at=datetime.time(0),
        )
        return service

    @pytest.fixture
    def office(self):
        service = ServiceFactory(name="Office", organization__city=CityFactory())
        link = ServiceAtLocationFactory(service=service)
        ScheduleFactory(service_at_location=link)  # MO-FR 9-17 via the location link
        return service

    @pytest.mark.parametrize(
        ("local", "expected"),
        [
            # Wednesday 2025-01-08 in Chicago.
            (datetime.datetime(2025, 1, 8, 23, 30), {"Night shelter", "Crisis line"}),
            (datetime.datetime(2025, 1, 9, 2, 0), {"Night shelter", "Crisis line"}),
            (datetime.datetime(2025, 1, 9, 7, 0), {"Crisis line"}),
            (datetime.datetime(2025, 1, 9, 10, 0), {"Crisis line", "Office"}),
            (datetime.datetime(2025, 1, 11, 10, 0), {"Crisis line"}),  # Saturday
            (datetime.datetime(2025, 1, 9, 19, 0), {"Night shelter", "Crisis line"}),
        ],
    )
    def test_in_the_database(self, shelter, crisis_line, office, local, expected, settings):
        settings.DIRECTORY_TIME_ZONE = "America/Chicago"
        at = local.replace(tzinfo=CHICAGO)
        names = {s.name for s in Service.objects.open_now(at)}
        assert names == expected
        names_in_python = {
            service.name
            for service in (shelter, crisis_line, office)
            if any(
                schedule.is_open_at(at)
                for schedule in Schedule.objects.filter(service=service)
                | Schedule.objects.filter(service_at_location__service=service)
            )
        }
        assert names_in_python == expected

    def test_is_read_in_the_city_time_zone(self, shelter):
        # 01:00 UTC on a Thursday is 19:00 Wednesday in Chicago: the shelter just opened.
        at = datetime.datetime(2025, 1, 9, 1, 0, tzinfo=datetime.UTC)
        assert list(Service.objects.open_now(at)) == [shelter]
        # 13:00 UTC is 07:00 in Chicago: closed. (Read in UTC, it would be open.)
        at_noon_utc = datetime.datetime(2025, 1, 9, 13, 0, tzinfo=datetime.UTC)
        assert list(Service.objects.open_now(at_noon_utc)) == []
        # The same instant is 22:00 in Tokyo: open for a city there.
        shelter.organization.city.time_zone = "Asia/Tokyo"
        shelter.organization.city.save()
        assert list(Service.objects.open_now(at_noon_utc)) == [shelter]

    def test_the_search_filter_uses_the_given_time(self, shelter, crisis_line):
        noon = datetime.datetime(2025, 1, 8, 12, 0, tzinfo=CHICAGO)
        assert set(_search({"open_now": "on"}, noon)) == {"Crisis line"}
        evening = datetime.datetime(2025, 1, 8, 20, 0, tzinfo=CHICAGO)
        assert set(_search({"open_now": "on"}, evening)) == {
            "Crisis line",
            "Night shelter",
        }

    @pytest.mark.parametrize(
        ("zone", "expected"), [("America/Chicago", {"Office"}), ("Asia/Tokyo", set())]
    )
    def test_a_listing_without_a_city_is_read_in_the_directory_time_zone(
        self, settings, zone, expected
    ):
        """21:36 UTC is 3:36 p.m. in Chicago, inside 9-17 hours, and never UTC's 9:36 p.m."""
        settings.DIRECTORY_TIME_ZONE = zone
        office = ServiceFactory(name="Office")
        ScheduleFactory(service=office)  # MO-FR 9-17
        at = datetime.datetime(2025, 1, 8, 21, 36, tzinfo=datetime.UTC)  # a Wednesday
        assert {s.name for s in Service.objects.open_now(at)} == expected
        assert office.tzinfo == zoneinfo.ZoneInfo(zone)

    def test_temporarily_closed_is_never_open(self, crisis_line):
        crisis_line.status = ServiceStatus.TEMPORARILY_CLOSED
        crisis_line.save()
        at = datetime.datetime(2025, 1, 8, 12, 0, tzinfo=CHICAGO)
        assert list(Service.objects.open_now(at)) == []

    def test_hours_outside_their_validity_do_not_count(self, crisis_line):
        schedule = Schedule.objects.get(service=crisis_line)
        schedule.valid_to = datetime.date(2024, 12, 31)
        schedule.save()
        at = datetime.datetime(2025, 1, 8, 12, 0, tzinfo=CHICAGO)
        assert list(Service.objects.open_now(at)) == []


def test_capped_count_and_pages():
    organization = OrganizationFactory()
    Service.objects.bulk_create(
        Service(organization=organization, name=f"Pantry {n:04}", slug=f"pantry-{n}")
        for n in range(search.COUNT_CAP + 5)
    )
    in_name_order = search.services_matching(Criteria(kind="nonprofit"), search.load_reference())
    page = search.result_page(in_name_order, 1)
    assert page.count_is_capped
    assert page.shown_count == search.COUNT_CAP
    assert len(page.services) == search.PAGE_SIZE
    last = search.result_page(in_name_order, 99999)
    assert last.number == search.COUNT_CAP // search.PAGE_SIZE
    assert last.services[0].name == f"Pantry {search.COUNT_CAP - search.PAGE_SIZE:04}"


def test_refresh_picks_up_renamed_organizations(corpus):
    service = corpus["counseling"]
    assert found("harbor") == []
    service.organization.name = "Harbor Family Services"
    service.organization.save()
    search.refresh_search_vectors([service.pk])
    assert found("harbor") == ["Family Counseling"]


def test_reference_lists_only_cities_with_listings(corpus):
    CityFactory(name="Empty town", slug="empty-town-tx")
    city = CityFactory(name="Busy town", slug="busy-town-tx")
    OrganizationFactory(city=city)
    reference = search.load_reference()
    assert [c.slug for c in reference.cities] == ["busy-town-tx"]
    assert {code for code, _name in reference.languages} == {"es"}
    assert ("food stamps", "SNAP") in reference.synonyms
    assert set(reference.category_ids_under("housing")) == {
        c.pk for c in reference.categories if c.slug in ("housing", "shelters")
    }
    assert reference.category_ids_under("no-such") == []


def test_starter_synonyms_cover_the_common_needs():
    pairs = starter_synonyms_migration.STARTER_SYNONYMS
    assert len(pairs) >= 50
    assert len({term for term, _ in pairs}) == len(pairs)
    assert Synonym.objects.count() >= len(pairs)
    for term, expands_to in [
        ("food stamps", "SNAP"),
        ("therapy", "counseling"),
        ("help paying rent", "rental assistance"),
    ]:
        assert Synonym.objects.filter(term=term, expands_to=expands_to).exists()
    starter_synonyms_migration.add_synonyms(apps, None)
    assert Synonym.objects.count() >= len(pairs)  # adding again duplicates nothing


def test_location_factory_is_usable():
    assert LocationFactory().address_lines[-1] == "Riverbend, TX 78999"


def _broad_directory(spanish):
    """More than COUNT_CAP listings mentioning "garden" in their descriptions, then (last
    in table order, so never among the first rows scanned) the listings named after it."""
    organization = OrganizationFactory(name="Parks Department")
    Service.objects.bulk_create(
        Service(
            organization=organization,
            name=f"Program {n:04}",
            slug=f"program-{n}",
            description="Volunteers tend the community garden on Saturdays.",
        )
        for n in range(search.COUNT_CAP + 50)
    )
    ServiceFactory(name="Garden", description="Plots to rent.", organization=organization)
    ServiceFactory(
        name="Garden Tools Library", description="Borrow a rake.", organization=organization
    )
    ServiceFactory(name="Jardín Garden Club", description="Clases en español.", languages=[spanish])
    search.refresh_search_vectors()


def test_a_broad_query_still_puts_the_named_listings_first():
    _broad_directory(LanguageFactory(code="es", name="Spanish"))
    page = first_page({"q": "garden"})
    assert page.count_is_capped
    assert len(page.services) == search.PAGE_SIZE
    assert {s.name for s in page.services[:3]} == {
        "Garden",
        "Garden Tools Library",
        "Jardín Garden Club",
    }
    assert all(s.name.startswith("Program") for s in page.services[3:])


def test_a_broad_query_filters_before_bounding_the_ranking():
    spanish = LanguageFactory(code="es", name="Spanish")
    _broad_directory(spanish)
    page = first_page({"q": "garden", "language": "es"})
    assert [s.name for s in page.services] == ["Jardín Garden Club"]
    assert page.count == 1


@postgres_only
def test_a_refresh_of_many_rows_renews_the_planner_statistics(monkeypatch):
    def name_vector_words() -> str:
        """The most common words of name_vector as the planner's statistics know them
        (statistics left by other tests are about other words)."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT most_common_elems::text FROM pg_stats "
                "WHERE tablename = 'directory_service' AND attname = 'name_vector'"
            )
            row = cursor.fetchone()
        return (row and row[0]) or ""

    ServiceFactory(name="Zebrafish Food Pantry")
    assert search.refresh_search_vectors() == 1
    assert "zebrafish" not in name_vector_words()  # one row is not a bulk load
    Service.objects.update(search_vector=None, name_vector=None)
    monkeypatch.setattr(index, "BULK_REFRESH_ROWS", 1)
    assert search.refresh_search_vectors() == 1
    assert "zebrafish" in name_vector_words()
    assert Service.objects.get().name_vector is not None


@pytest.mark.parametrize(
    "query",
    ["pantry", "food", "comida", pytest.param("fod pantry", marks=postgres_only), "therapy"],
)
def test_a_result_page_keeps_the_ranking_order(corpus, query):
    page = first_page({"q": query})
    assert [s.name for s in page.services] == found(query)
    assert page.count == len(found(query)) > 0


@postgres_only
def test_a_full_refresh_of_a_large_directory_rebuilds_the_indexes(monkeypatch):
    monkeypatch.setattr(index, "BULK_REFRESH_ROWS", 1)
    # Rows written earlier in the transaction (as in an import) leave foreign-key checks
    # pending; the index rebuild must still work.
    ServiceFactory(name="Harbor Food Pantry")
    assert search.refresh_search_vectors() == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [index.SEARCH_INDEX])
        (definition,) = cursor.fetchone()
    assert definition.endswith("USING gin (search_vector, name_vector)")
    assert search.refresh_search_vectors() == 0


def test_a_text_search_filtered_by_category_keeps_the_listings_below_it(corpus):
    # "Overnight Shelter" is in Shelters, below Housing; "Eastside Food Pantry" is not.
    assert _search({"q": "night", "category": "housing"}) == ["Overnight Shelter"]
    assert _search({"q": "night", "category": "food-pantry"}) == []
    # "Westside Food Pantry" has no category.
    assert _search({"q": "pantry", "category": "food-pantry"}) == [
        "Eastside Food Pantry",
        "Grace Food Pantries",
    ]


def test_a_text_search_filtered_by_language_follows_a_change_of_languages(corpus):
    assert _search({"q": "clases", "language": "es"}) == ["Clases de inglés gratis"]
    corpus["esl"].languages.clear()
    search.refresh_search_vectors([corpus["esl"].pk])
    assert _search({"q": "clases", "language": "es"}) == []
    corpus["pantry"].languages.add(LanguageFactory(code="fr", name="French"))
    search.refresh_search_vectors([corpus["pantry"].pk])
    assert _search({"q": "pantry", "language": "fr"}) == ["Eastside Food Pantry"]


@postgres_only
def test_no_typed_words_can_match_the_filter_facets(corpus):
    spanish_id = search.load_reference().language_ids["es"]
    food_id = next(c.pk for c in search.load_reference().categories if c.slug == "food-pantry")
    facets = [f"language:{spanish_id}", f"category:{food_id}"]
    typed = [*facets, *(f"'{facet}'" for facet in facets), *(f'"{facet}"' for facet in facets)]
    for query in typed:
        assert found(query) == [], query
    # Not even a listing holding nothing but the facets matches what a resident types.
    with connection.cursor() as cursor:
        for query in typed:
            for config in words.CONFIGS:
                cursor.execute(
                    "SELECT array_to_tsvector(%s::text[]) @@ websearch_to_tsquery(%s, %s)",
                    [facets, config, query],
                )
                assert cursor.fetchone()[0] is False, (config, query)


@pytest.fixture
def many_listings(corpus):
    """Corpus plus ninety listings across kinds, two cities, both languages and the
    corpus's categories: enough to fill pages and pass a lowered count cap."""
    food = apps.get_model("directory", "Category").objects.get(slug="food-pantry")
    shelters = apps.get_model("directory", "Category").objects.get(slug="shelters")
    spanish = apps.get_model("directory", "Language").objects.get(code="es")
    english = LanguageFactory(code="en", name="English")
    cities = [CityFactory(slug="riverbend-tx"), CityFactory(slug="lakeside-oh")]
    kinds = ["government", "faith", "nonprofit", "service", "education"]
    for n in range(90):
        organization = OrganizationFactory(
            kind=kinds[n % 5], city=cities[n % 3] if n % 3 < 2 else None
        )
        service = ServiceFactory(
            organization=organization,
            name=f"Community {'pantry' if n % 4 == 0 else 'center'} {n}"
            if n % 3 == 0
            else f"Listing {n}",
            description=f"Community help and food, comida {n}" if n % 2 else "Rides.",
            status=ServiceStatus.INACTIVE if n % 17 == 0 else ServiceStatus.ACTIVE,
            categories=[food] if n % 2 else [shelters],
            languages=[spanish] if n % 4 == 1 else [english],
        )
        if n % 5 == 0:
            ServiceAtLocationFactory(service=service, location__postal_code=f"7820{n % 10}")
    search.refresh_search_vectors()


def test_pages_follow_one_order_up_to_the_count_cap(many_listings, monkeypatch):
    """Every page is the next slice of one order, and the count stops at the cap, over
    words, synonyms, misspellings, exclusions and every kind of filter."""
    monkeypatch.setattr(results, "COUNT_CAP", 45)  # so that some searches pass the cap
    queries = ["community", "food pantry", "comida", "food stamps", "comunity", "xyzzy"]
    filters = [
        {},
        {"category": "food-pantry"},
        {"category": "housing", "language": "es"},
        {"kind": "faith"},
        {"city": "riverbend-tx"},
        {"zip": "78200"},
    ]
    compared = 0
    for query in queries:
        for extra in filters:
            wanted = criteria({"q": query, **extra})
            candidates = search.services_matching(wanted, search.load_reference())
            every = search.result_page(candidates, 1, page_size=10_000).services
            pages = [search.result_page(candidates, number, page_size=10) for number in (1, 2, 3)]
            # (A page past the end shows the last page again.)
            shown = [
                service.pk
                for number, page in enumerate(pages, 1)
                if page.number == number
                for service in page.services
            ]
            assert shown == [card.pk for card in every][: len(shown)], wanted
            assert pages[0].count == min(len(every), 46), wanted
            assert pages[0].count_is_capped == (len(every) > 45)
            compared += bool(shown)
    assert compared > 10  # most combinations found something to compare


@postgres_only
def test_words_near_each_other_rank_higher():
    """Cover density (ts_rank_cd) for queries of several words: the listing that names
    the phrase comes first, ahead of one that uses the words more often but apart (which
    ts_rank, counting the words, would put first)."""
    health = CategoryFactory(name="Health", slug="health")
    district = OrganizationFactory(name="Public Health District")
    ServiceFactory(
        name="Dental Clinic",
        organization=district,
        categories=[health],
        description="Health checkups. The clinic cares for your health. Clinic hours vary.",
    )
    ServiceFactory(
        name="Community Health Clinic",
        organization=OrganizationFactory(name="Library"),
        description="Walk in.",
    )
    search.refresh_search_vectors()
    assert found("health clinic")[0] == "Community Health Clinic"


def test_only_queries_of_several_words_use_cover_density():
    assert not words.has_several_words(["shelter"])
    assert not words.has_several_words(["comida", "food"])
    assert words.has_several_words(["health clinic"])
    assert words.has_several_words(["rent", "rental assistance"])


@postgres_only
def test_other_matches_are_not_read_when_the_names_fill_the_candidates(monkeypatch):
    monkeypatch.setattr(results, "COUNT_CAP", 2)
    for number in range(3):
        ServiceFactory(name=f"Garden plot {number}")
    ServiceFactory(name="Tool library", description="Rakes for the community garden.")
    search.refresh_search_vectors()

    def others_scan(query: str) -> str:
        """The plan line of the scan for the listings that match other than by name."""
        candidates = search.services_matching(Criteria(words=query), search.load_reference())
        lines = plan_of(candidates, analyze=True, timing=False, costs=False).splitlines()
        # The first line with the condition is the scan's own (a bitmap index scan below it
        # has it too).
        found_at = next(n for n, line in enumerate(lines) if "(search_vector @@" in line)
        return lines[found_at - 1]  # the scan whose condition that is

    assert "never executed" in others_scan("garden")  # three names match: the cap is full
    assert "never executed" not in others_scan("rakes")  # no name matches
    assert found("garden") == ["Garden plot 0", "Garden plot 1", "Garden plot 2"]
    assert found("rakes") == ["Tool library"]


@postgres_only
def test_the_names_matches_are_read_once_for_every_part(monkeypatch):
    """Whether the names fill the candidates, and whether any listing has all the words, is
    answered from the names' matches already read, not by reading them again. (A table this
    small is cheaper to read whole, so sequential scans are turned off to see each scan's
    condition.)"""
    monkeypatch.setattr(results, "COUNT_CAP", 2)
    for number in range(3):
        ServiceFactory(name=f"Garden plot {number}", description="Beds and a shed")
    search.refresh_search_vectors()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE directory_service")
        cursor.execute("SET LOCAL enable_seqscan = off")
    # "garden tractor": no listing has both words, so a third part reads those with some.
    for query, scans_of_words in (("garden", 1), ("garden tractor", 2)):
        candidates = search.services_matching(Criteria(words=query), search.load_reference())
        plan = plan_of(candidates)
        assert len(re.findall(r"Index Cond: \(name_vector @@", plan)) == 1, plan
        assert len(re.findall(r"Index Cond: \(search_vector @@", plan)) == scans_of_words, plan
        assert found(query) == ["Garden plot 0", "Garden plot 1", "Garden plot 2"]


def test_a_listing_is_ranked_by_what_it_is_not_by_who_runs_it(db):
    """An organization named for a need runs other services: "food" lists the pantry and the
    meal site first; its name still finds its services when a query names it."""
    network = OrganizationFactory(name="Riverbend Food Network")
    meals = CategoryFactory(name="Free meals", slug="free-meals")
    ServiceFactory(name="After-School Program", organization=network)
    ServiceFactory(name="Benefits Enrollment", organization=network)
    ServiceFactory(name="Westside Food Pantry")
    ServiceFactory(name="Community Kitchen", categories=[meals], description="Hot food daily.")
    search.refresh_search_vectors()
    names = found("food")
    assert set(names[:2]) == {"Westside Food Pantry", "Community Kitchen"}
    assert set(names[2:]) == {"After-School Program", "Benefits Enrollment"}
    assert set(found("food network")) == {"After-School Program", "Benefits Enrollment"}
    assert found("riverbend after school") == ["After-School Program"]


@postgres_only
def test_a_letter_swapped_or_left_out_is_corrected_but_short_words_are_not_stretched(db):
    ServiceFactory(name="Child care center")
    ServiceFactory(name="Senior lunches")
    ServiceFactory(name="Sewing kits")
    search.refresh_search_vectors()
    assert words.corrections(["chlid", "senoir", "lunchs"]) == {
        "chlid": "child",
        "senoir": "senior",
        "lunchs": "lunches",
    }
    assert words.corrections(["hits"]) == {}  # four letters: not taken for "kits"
    assert found("chlid care") == ["Child care center"]


def test_synonyms_are_found_with_and_without_filler_words(db):
    ServiceFactory(name="Little Steps child care")
    ServiceFactory(name="Rent relief fund", description="Rental assistance for tenants.")
    SynonymFactory(term="cuidado ninos", expands_to="child care")
    SynonymFactory(term="cant pay my rent", expands_to="rental assistance")
    search.refresh_search_vectors()
    assert found("cuidado de niños") == ["Little Steps child care"]
    assert found("i cant pay my rent") == ["Rent relief fund"]


def test_partial_matches_use_what_a_synonym_means(db):
    """ "feeling depressed": no listing says "feeling"; the synonym's meaning, as a phrase,
    finds the counseling before a clinic that only shares a word with it."""
    counseling = CategoryFactory(name="Mental health counseling", slug="counseling")
    ServiceFactory(name="Talk therapy", categories=[counseling])
    ServiceFactory(name="Community health clinic")
    SynonymFactory(term="depressed", expands_to="mental health")
    search.refresh_search_vectors()
    page = page_of("feeling depressed")
    assert [card.name for card in page.services] == ["Talk therapy"]
    assert page.partial


@postgres_only
def test_as_typed_means_the_services_own_words_not_its_organizations(db):
    """With a synonym, matches of the words as typed come first, but a service that only
    its organization's name matches ("Workforce Office" runs a shelter) is not one."""
    office = OrganizationFactory(name="Bend County Workforce Office")
    ServiceFactory(name="Emergency shelter", organization=office)
    ServiceFactory(name="Job search help", description="Employment and job training.")
    SynonymFactory(term="workforce", expands_to="employment")
    search.refresh_search_vectors()
    assert found("workforce") == ["Job search help", "Emergency shelter"]


@postgres_only
def test_a_name_that_ends_with_who_runs_it_is_ranked_by_what_it_is(db):
    """ "Rent Help at Adult Learning Center" (its organization's name, shortened, after "at")
    is rent help: "adult learning" finds the classes first. A name whose end is not only the
    organization's words keeps them ("Help at Home" is about home)."""
    center = OrganizationFactory(name="Riverbend Adult Learning Center")
    ServiceFactory(name="Rent Help at Adult Learning Center", organization=center)
    ServiceFactory(
        name="Comedor Comunitario — Riverbend Adult Learning Center", organization=center
    )
    ServiceFactory(name="GED classes", description="Adult learning and English classes.")
    seniors = OrganizationFactory(name="Riverbend Seniors")
    ServiceFactory(name="Help at Home", organization=seniors)
    search.refresh_search_vectors()
    assert found("adult learning")[0] == "GED classes"
    assert set(found("adult learning")[1:]) == {
        "Rent Help at Adult Learning Center",
        "Comedor Comunitario — Riverbend Adult Learning Center",
    }, "the organization's names still find its services"
    names = dict(Service.objects.values_list("name", "name_vector"))
    assert "learn" not in names["Rent Help at Adult Learning Center"]
    assert "rent" in names["Rent Help at Adult Learning Center"]
    assert "home" in names["Help at Home"]
