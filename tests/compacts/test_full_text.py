"""Compacts that can be read: the published text, or a link with its date and source, or a
plain statement that neither is available; the commitments labelled as a summary."""

import datetime

import pytest

from compacts import demo
from compacts.models import Compact

from .factories import CommitmentFactory, CompactFactory

pytestmark = pytest.mark.django_db


def _main(client, compact) -> str:
    response = client.get(compact.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode().split("<main", 1)[1]


def test_the_published_text_is_shown_with_its_source_and_date(client):
    compact = CompactFactory(
        full_text="We, the undersigned mayors, commit our cities to these steps.",
        source_name="The U.S. Conference of Mayors",
        source_url="https://example.org/compact",
        published_on=datetime.date(2017, 8, 14),
    )
    html = _main(client, compact)
    assert "We, the undersigned mayors" in html
    assert "As published by The U.S. Conference of Mayors on Aug. 14, 2017." in html
    assert 'href="https://example.org/compact"' in html
    assert "not yet available" not in html


def test_a_link_is_shown_with_its_date_and_source_when_there_is_no_copy(client):
    compact = CompactFactory(
        title="Linked Compact",
        source_name="The U.S. Conference of Mayors",
        source_url="https://example.org/compact",
        published_on=datetime.date(2020, 6, 1),
    )
    html = _main(client, compact)
    assert '<a href="https://example.org/compact" rel="noopener">Read the Linked Compact' in html
    assert "(The U.S. Conference of Mayors, June 1, 2020)." in html


def test_a_link_without_a_date_says_the_date_is_not_on_record(client):
    compact = CompactFactory(source_url="https://example.org/compact")
    html = _main(client, compact)
    assert "publisher not on record, date not on record" in html


def test_without_text_or_link_the_page_says_so_plainly(client):
    compact = CompactFactory(source_name="The U.S. Conference of Mayors")
    html = _main(client, compact)
    assert "The full text of this compact is not yet available on this portal" in html
    assert "It was published by The U.S. Conference of Mayors." in html
    assert "Its publication date is not on record." in html


def test_commitments_are_labelled_as_the_portals_summary(client):
    compact = CompactFactory()
    CommitmentFactory(compact=compact, text="Reject bigotry.")
    html = _main(client, compact)
    assert "The commitments, in summary" in html
    assert "the portal's own summary of the commitments" in html
    compact.commitments_are_summary = False
    compact.save()
    html = _main(client, compact)
    assert "The commitments, in summary" not in html
    assert "own summary" not in html


def test_the_demo_compacts_say_what_the_guide_says_and_invent_nothing(client, settings):
    settings.DEBUG = True
    demo.load()
    for compact in Compact.objects.all():
        assert compact.background
        assert compact.commitments_are_summary
        # The guide gives no text, date or address of either compact.
        assert (compact.full_text, compact.source_url, compact.published_on) == ("", "", None)
        assert "not yet available on this portal" in _main(client, compact)
    hate = Compact.objects.get(slug="combat-hate-extremism-bigotry")
    assert "325 mayors signed it" in hate.background
    equity = Compact.objects.get(slug="racial-equity")
    assert "U.S. Conference of Mayors introduced it" in equity.background
