import csv
import io

import pytest
from django.urls import reverse

from .factories import CityFactory, CommitmentFactory, CompactFactory, SignatureFactory

pytestmark = pytest.mark.django_db


def _csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


# /compacts/ ------------------------------------------------------------------------------


def test_compact_list_shows_live_counts(client, compact):
    SignatureFactory.create_batch(3, compact=compact)
    SignatureFactory(compact=compact, withdrawn_on="2024-06-01", withdrawal_reason="Left")
    response = client.get(reverse("compacts:compact_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert compact.title.replace("'", "&#x27;") in html
    assert response.context["compacts"][0].active_signature_count == 3
    assert html.count("<h1") == 1


def test_compact_list_wrong_method(client):
    assert client.post(reverse("compacts:compact_list")).status_code == 405


def test_compact_list_queries(client, django_assert_max_num_queries):
    for compact in CompactFactory.create_batch(25):
        SignatureFactory(compact=compact)
    with django_assert_max_num_queries(1):
        response = client.get(reverse("compacts:compact_list"))
    assert len(response.context["compacts"]) == 25


# /compacts/<slug>/ -----------------------------------------------------------------------


def test_compact_detail_shows_text_commitments_and_signatories(client, compact, city):
    CommitmentFactory(compact=compact, position=1, text="Reject extremism in every form.")
    SignatureFactory(compact=compact, city=city, mayor_name="Ana Ortiz")
    response = client.get(compact.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Reject extremism in every form." in html
    assert "Mayor Ana Ortiz, Riverbend, TX" in html
    assert html.count("<h1") == 1


def test_compact_detail_unknown_slug_is_404(client):
    assert client.get(reverse("compacts:compact_detail", args=["nope"])).status_code == 404
    assert client.get(reverse("compacts:compact_csv", args=["nope"])).status_code == 404


def test_compact_detail_wrong_method(client, compact):
    assert client.post(compact.get_absolute_url()).status_code == 405


def test_signatories_filter_by_state_and_city_name(client, compact):
    SignatureFactory(compact=compact, city=CityFactory(name="Austin Falls", state="TX"))
    SignatureFactory(compact=compact, city=CityFactory(name="Dayton Ridge", state="OH"))
    SignatureFactory(compact=compact, city=CityFactory(name="Austin Park", state="OH"))
    url = compact.get_absolute_url()
    names = lambda response: [s.city.name for s in response.context["page_obj"]]  # noqa: E731
    assert names(client.get(url, {"state": "OH"})) == ["Austin Park", "Dayton Ridge"]
    # ordered by state, then city
    assert names(client.get(url, {"city": "austin"})) == ["Austin Park", "Austin Falls"]
    assert names(client.get(url, {"state": "OH", "city": "austin"})) == ["Austin Park"]


def test_withdrawn_signatures_are_not_listed(client, compact, city):
    SignatureFactory(compact=compact, city=city, withdrawn_on="2024-06-01", withdrawal_reason="x")
    response = client.get(compact.get_absolute_url())
    assert list(response.context["page_obj"]) == []
    assert "Riverbend" not in response.content.decode().split('id="signatories"')[1]


@pytest.mark.parametrize(
    "query", [{"state": "ZZ"}, {"page": "abc"}, {"page": "99999"}, {"city": "x" * 500}]
)
def test_bad_signatory_query_never_fails(client, compact, query):
    SignatureFactory.create_batch(3, compact=compact)
    response = client.get(compact.get_absolute_url(), query)
    assert response.status_code == 200
    assert len(response.context["page_obj"]) == 3


def test_unknown_filter_value_gets_a_message(client, compact):
    response = client.get(compact.get_absolute_url(), {"state": "ZZ"})
    assert "were not understood" in response.content.decode()


def test_signatories_are_paginated_by_50(client, compact):
    SignatureFactory.create_batch(51, compact=compact)
    first = client.get(compact.get_absolute_url())
    second = client.get(compact.get_absolute_url(), {"page": 2})
    assert len(first.context["page_obj"]) == 50
    assert len(second.context["page_obj"]) == 1


def test_compact_page_with_400_signatories_runs_a_fixed_number_of_queries(
    client, compact, django_assert_num_queries
):
    CommitmentFactory.create_batch(10, compact=compact)
    SignatureFactory.create_batch(400, compact=compact)
    # compact with its count, count of the filtered list, one page of signatures with
    # their cities, the commitments.
    with django_assert_num_queries(4):
        response = client.get(compact.get_absolute_url())
    assert len(response.context["page_obj"]) == 50
    assert response.context["page_obj"].paginator.count == 400


def test_compact_page_for_signed_in_staff_adds_two_queries(
    staff_client, compact, django_assert_max_num_queries
):
    SignatureFactory.create_batch(400, compact=compact)
    # + session, user, the staff's cities and their signatures.
    with django_assert_max_num_queries(8):
        response = staff_client.get(compact.get_absolute_url())
    assert response.context["my_cities"][0]["city"].slug == "riverbend-tx"


# CSV -------------------------------------------------------------------------------------


def test_csv_lists_the_filtered_signatories(client, compact):
    SignatureFactory(compact=compact, city=CityFactory(name="Austin Falls", state="TX"))
    SignatureFactory(compact=compact, city=CityFactory(name="Dayton Ridge", state="OH"))
    response = client.get(reverse("compacts:compact_csv", args=[compact.slug]), {"state": "OH"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv_rows(response)
    assert rows[0] == ["signatory", "mayor", "city", "state", "signed_on", "renewed_on"]
    assert [row[2] for row in rows[1:]] == ["Dayton Ridge"]


def test_csv_through_the_format_parameter(client, compact):
    SignatureFactory.create_batch(2, compact=compact)
    response = client.get(compact.get_absolute_url(), {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert len(_csv_rows(response)) == 3


def test_csv_guards_against_formula_injection(client, compact):
    city = CityFactory(name="=HYPERLINK(1)", state="TX", slug="evil")
    SignatureFactory(compact=compact, city=city, mayor_name="@SUM(A1)")
    rows = _csv_rows(client.get(reverse("compacts:compact_csv", args=[compact.slug])))
    assert rows[1][1] == "'@SUM(A1)"
    assert rows[1][2] == "'=HYPERLINK(1)"
    assert rows[1][0].startswith("Mayor ")  # the composed line starts safely already


def test_csv_queries(client, compact, django_assert_num_queries):
    SignatureFactory.create_batch(100, compact=compact)
    with django_assert_num_queries(2):
        response = client.get(reverse("compacts:compact_csv", args=[compact.slug]))
    assert len(_csv_rows(response)) == 101
