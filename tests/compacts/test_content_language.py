"""A compact's own text is marked with its language on a page in another language, so that a
screen reader reads the English compact with an English voice on a Spanish page."""

import pytest
from django.urls import reverse
from django.utils import translation

from .factories import CommitmentFactory, SignatureFactory

pytestmark = pytest.mark.django_db


def _url(item) -> str:
    with translation.override("en"):
        return item.get_absolute_url()


def test_an_english_compact_is_marked_on_spanish_pages_and_not_on_english_ones(client, compact):
    commitment = CommitmentFactory(compact=compact, text="Speak out against every act of hate.")
    signature = SignatureFactory(compact=compact)
    spanish = client.get(f"/es{_url(compact)}").content.decode()
    assert f'<h1 lang="en">{compact.title.replace(chr(39), "&#x27;")}</h1>' in spanish
    assert f'<li lang="en">{commitment.text}</li>' in spanish
    listing = client.get("/es/compacts/").content.decode()
    assert '<h2 lang="en">' in listing
    city_page = client.get(f"/es{_url(signature.city)}").content.decode()
    assert 'lang="en">Commitment' not in city_page  # the portal's own words are Spanish
    assert (
        f'lang="en">{commitment.text}</a>' in city_page
        or 'class="plan-item__title" lang="en"' in city_page
    )
    english = client.get(_url(compact)).content.decode()
    assert 'lang="en"' not in english.split("<body", 1)[1]


def test_a_spanish_compact_is_marked_on_english_pages(client, compact):
    compact.content_language = "es"
    compact.save()
    html = client.get(_url(compact)).content.decode()
    assert '<h1 lang="es">' in html
    assert (
        'lang="es"' not in client.get(f"/es{_url(compact)}").content.decode().split("<body", 1)[1]
    )


def test_the_plan_item_of_a_commitment_is_marked(client, compact):
    commitment = CommitmentFactory(compact=compact)
    signature = SignatureFactory(compact=compact)
    path = reverse("compacts:plan_item", args=[signature.city.slug, f"commitment-{commitment.pk}"])
    assert '<h1 lang="en">' in client.get(f"/es{path}").content.decode()
