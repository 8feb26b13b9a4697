"""Unmet needs: searches that find (almost) nothing are counted, scrubbed, by need, ZIP code
and week, in one write per search page; admins read a weekly report and act on it."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from directory.models import Suggestion, SuggestionKind, UnmetSearch
from directory.search import refresh_search_vectors
from directory.unmet import record, scrub
from tests.directory.factories import ServiceFactory
from tests.factories import AdminFactory

pytestmark = pytest.mark.django_db

SEARCH = reverse("directory:search")
MONDAY = datetime.date(2026, 3, 9)


@pytest.fixture
def today(monkeypatch):
    def set_today(day: datetime.date) -> None:
        monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: day)

    set_today(MONDAY + datetime.timedelta(days=3))
    return set_today


@pytest.mark.parametrize(
    ("typed", "counted"),
    [
        ("Diapers", "diapers"),
        ("  DIAPERS   for   twins ", "diapers for twins"),
        ("diapers 97483", "diapers"),
        ("call me 555-0100 about diapers", "call me about diapers"),
        ("ana@example.org diapers", "diapers"),
        ("4th street shelter", "street shelter"),
        ("12345 678", ""),
        ("x" * 300, "x" * 100),
    ],
)
def test_scrubbing_drops_numbers_and_emails(typed, counted):
    assert scrub(typed) == counted


def test_a_search_that_finds_nothing_is_counted_once_per_search(client, today):
    client.get(SEARCH, {"q": "diapers"})
    client.get(SEARCH, {"q": "Diapers"})
    client.get(SEARCH, {"q": "diapers", "page": "2"})  # paging does not count again
    (row,) = UnmetSearch.objects.all()
    assert (row.week, row.need, row.zip, row.searches, row.found_nothing) == (
        MONDAY,
        "diapers",
        "",
        2,
        2,
    )


def test_few_results_count_and_many_do_not(client, today):
    for index in range(2):
        ServiceFactory(name=f"Diaper bank {index}")
    refresh_search_vectors()
    client.get(SEARCH, {"q": "diaper bank"})
    row = UnmetSearch.objects.get(need="diaper bank")
    assert (row.searches, row.found_nothing) == (1, 0)
    ServiceFactory(name="Diaper bank 3")
    refresh_search_vectors()
    client.get(SEARCH, {"q": "diaper bank"})
    assert UnmetSearch.objects.get(need="diaper bank").searches == 1


def test_each_week_and_zip_code_has_its_own_row(client, today):
    client.get(SEARCH, {"q": "diapers", "zip": "78701"})
    client.get(SEARCH, {"q": "diapers"})
    today(MONDAY + datetime.timedelta(days=7))
    client.get(SEARCH, {"q": "diapers", "zip": "78701"})
    rows = UnmetSearch.objects.order_by("week", "zip").values_list("week", "zip", "searches")
    assert list(rows) == [
        (MONDAY, "", 1),
        (MONDAY, "78701", 1),
        (MONDAY + datetime.timedelta(days=7), "78701", 1),
    ]


def test_nothing_identifying_is_kept(client, today):
    client.get(SEARCH, {"q": "ana@example.org 555-0100"}, REMOTE_ADDR="203.0.113.9")
    assert not UnmetSearch.objects.exists()
    client.get(SEARCH, {"q": "ana@example.org diapers"}, REMOTE_ADDR="203.0.113.9")
    values = [str(value) for value in UnmetSearch.objects.values_list().get()]
    assert not any("203.0.113" in value or "example.org" in value for value in values)


def test_the_search_page_writes_once_and_only_for_an_unmet_need(
    client, today, django_assert_max_num_queries
):
    ServiceFactory.create_batch(3, name="Food pantry")
    refresh_search_vectors()
    client.get(SEARCH, {"q": "food"})  # the reference data is then in the cache for both
    with django_assert_max_num_queries(10) as met:
        client.get(SEARCH, {"q": "food pantry"})
    with django_assert_max_num_queries(10) as unmet:
        client.get(SEARCH, {"q": "diapers"})
    writes = [q["sql"] for q in unmet.captured_queries if q["sql"].startswith("INSERT")]
    assert len(writes) == 1
    assert "ON CONFLICT" in writes[0]
    assert not [q for q in met.captured_queries if q["sql"].startswith("INSERT")]
    # Apart from that write, a search that finds nothing reads no more than one that finds some.
    assert len(unmet.captured_queries) - 1 <= len(met.captured_queries)


def test_record_only_counts_the_first_page():
    assert record(words="diapers", zip_code="", page=2, found=0) is False
    assert record(words="diapers", zip_code="", page=1, found=3) is False
    assert record(words="diapers", zip_code="", page=1, found=2) is True


# The report ------------------------------------------------------------------------------


def _rows():
    older = MONDAY - datetime.timedelta(days=7)
    for week, need, zip_code, searches in [
        (MONDAY, "diapers", "97483", 9),
        (MONDAY, "diapers", "97401", 4),
        (MONDAY, "diapers", "", 2),
        (MONDAY, "legal aid", "97483", 7),
        (older, "diapers", "97483", 1),
        (older, "tax help", "", 30),
    ]:
        UnmetSearch.objects.create(
            week=week, need=need, zip=zip_code, searches=searches, found_nothing=searches
        )


def test_the_weekly_report_sums_needs_and_lists_need_and_zip(client):
    _rows()
    client.force_login(AdminFactory())
    response = client.get(reverse("admin:directory_unmetsearch_changelist"))
    assert response.status_code == 200
    assert response.context["week"] == MONDAY
    assert [(r["need"], r["searches"]) for r in response.context["by_need"]] == [
        ("diapers", 15),
        ("legal aid", 7),
    ]
    assert [(r.need, r.zip) for r in response.context["by_need_and_zip"]] == [
        ("diapers", "97483"),
        ("legal aid", "97483"),
        ("diapers", "97401"),
    ]
    html = response.content.decode()
    assert f"{reverse('admin:directory_synonym_add')}?term=legal%20aid" in html
    older = client.get(reverse("admin:directory_unmetsearch_changelist"), {"week": "2026-03-04"})
    assert [(r["need"], r["searches"]) for r in older.context["by_need"]] == [
        ("tax help", 30),
        ("diapers", 1),
    ]
    bad = client.get(reverse("admin:directory_unmetsearch_changelist"), {"week": "soon"})
    assert bad.status_code == 200
    assert bad.context["week"] == MONDAY


def test_a_miss_becomes_a_to_do(client):
    client.force_login(AdminFactory())
    response = client.post(
        reverse("admin:directory_unmetsearch_to_do"), {"need": "diapers", "zip": "97483"}
    )
    assert response.status_code == 302
    suggestion = Suggestion.objects.get()
    assert suggestion.kind == SuggestionKind.NEW_LISTING
    assert suggestion.message == "No listing for “diapers” in 97483: residents searched for it."
    to_do = client.get("/admin/").content.decode()
    assert "New suggestions and problem reports: <strong>1</strong>" in to_do


def test_a_viewer_reads_the_report_but_cannot_add_to_dos(client):
    _rows()
    viewer = AdminFactory(is_superuser=False)
    viewer.user_permissions.add(Permission.objects.get(codename="view_unmetsearch"))
    client.force_login(viewer)
    page = client.get(reverse("admin:directory_unmetsearch_changelist"))
    assert page.status_code == 200
    assert "Add to the to-do list" not in page.content.decode()
    response = client.post(reverse("admin:directory_unmetsearch_to_do"), {"need": "diapers"})
    assert response.status_code == 403
    assert not Suggestion.objects.exists()


def test_people_who_are_not_admins_are_sent_to_sign_in(client):
    response = client.get(reverse("admin:directory_unmetsearch_changelist"))
    assert response.status_code == 302
    assert "login" in response.url
