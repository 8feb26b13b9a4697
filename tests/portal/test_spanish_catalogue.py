"""The Spanish catalogue: complete, current with the source, and compiled as committed.

locale/es/LC_MESSAGES/django.po is the team's translation; django.mo beside it is committed so
that `make run` and `make test` need no GNU gettext. These tests read both with Babel (pure
Python, a dev dependency) and fail when the .mo says something the .po does not, when an entry
is untranslated or fuzzy, or when the source has a message the catalogue lacks.
"""

import gettext
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils import translation

from directory.languages import own_name
from tests.factories import UserFactory

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\{ ?\w+ ?\}\}")


def read_catalogue(path: Path = CATALOGUE / "django.po"):
    with path.open("rb") as po:
        return read_po(po)


def problems_of(catalogue) -> list[str]:
    """Every entry that is untranslated, fuzzy, or whose placeholders differ from its msgid's."""
    problems = []
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        if message.fuzzy:
            problems.append(f"fuzzy: {ids[0]!r}")
        if not all(strings):
            problems.append(f"untranslated: {ids[0]!r}")
            continue
        wanted = {p for text in ids for p in PLACEHOLDER.findall(text)}
        given = {p for text in strings for p in PLACEHOLDER.findall(text)}
        # A plural's singular may leave its number out ("una lección"), never add one.
        if not given <= wanted or (len(ids) == 1 and given != wanted):
            problems.append(f"placeholders differ: {ids[0]!r} -> {strings[0]!r}")
    return problems


def test_every_message_is_translated_and_none_is_fuzzy():
    catalogue = read_catalogue()
    assert len(catalogue) > 1000
    assert problems_of(catalogue) == []


def test_the_check_finds_an_untranslated_or_fuzzy_entry(tmp_path):
    broken = tmp_path / "django.po"
    broken.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Sign in"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Search"\nmsgstr "Buscar"\n\n'
        'msgid "Page %(number)s"\nmsgstr "Página"\n',
        encoding="utf-8",
    )
    assert problems_of(read_catalogue(broken)) == [
        "untranslated: 'Sign in'",
        "fuzzy: 'Search'",
        "placeholders differ: 'Page %(number)s' -> 'Página'",
    ]


def _messages_of_mo(data: bytes) -> dict:
    translations = gettext.GNUTranslations(io.BytesIO(data))
    return {key: value for key, value in translations._catalog.items() if key != ""}


def test_the_committed_mo_is_the_po_compiled():
    """Compile the .po with Babel and compare what each message becomes (not the bytes: GNU
    msgfmt and Babel lay a .mo out differently)."""
    compiled = io.BytesIO()
    write_mo(compiled, read_catalogue())
    expected = _messages_of_mo(compiled.getvalue())
    committed = _messages_of_mo((CATALOGUE / "django.mo").read_bytes())
    stale = sorted(str(k) for k in expected.keys() ^ committed.keys())
    both = expected.keys() & committed.keys()
    stale += sorted(str(k) for k in both if expected[k] != committed[k])
    assert stale == [], (
        "locale/es/LC_MESSAGES/django.mo differs from django.po: run "
        "`DEBUG=1 .venv/bin/python manage.py compilemessages -l es --ignore=.venv` and commit "
        f"the .mo ({len(stale)} messages differ, first: {stale[:3]})"
    )


@pytest.mark.django_db
def test_the_account_pages_speak_in_the_portals_voice(client):
    client.force_login(UserFactory())
    html = client.get("/es/accounts/2fa/").content.decode()
    assert "Verificación en dos pasos" in html
    assert "doble factor" not in html


def test_django_reads_the_catalogue():
    with translation.override("es"):
        assert translation.gettext("Sign in") == "Iniciar sesión"
        assert translation.ngettext("%(counter)s result.", "%(counter)s results.", 2) == (
            "%(counter)s resultados."
        )
        # The portal's spelling of Django's own clock and weekday words wins over Django's.
        assert translation.gettext("p.m.") == "p. m."
        assert translation.gettext("Thu") == "jue."
        # And its voice over allauth's on the account pages (usted, one name for two-factor).
        assert translation.gettext("Two-Factor Authentication") == "Verificación en dos pasos"


@pytest.mark.parametrize(
    ("code", "stored", "expected"),
    [
        ("en", "English", "English"),
        ("es", "Spanish", "Español"),
        ("vi", "Vietnamese", "Tiếng Việt"),
        ("zh-Hant", "Chinese (Traditional)", "繁體中文"),
        ("ca", "Catalan", "Català"),  # not in the portal's map: Django's name, capitalised
        ("ase", "American Sign Language", "American Sign Language"),  # unknown: as stored
    ],
)
def test_languages_are_named_in_their_own_language_in_every_ui_language(code, stored, expected):
    for ui in ("en", "es"):
        with translation.override(ui):
            assert own_name(code, stored) == expected


def test_makemessages_finds_no_message_missing_from_the_catalogue(tmp_path):
    """Run makemessages on a copy of the source and its catalogue: every message of the
    templates and the code must be in the .po, translated, and none fuzzy. Needs GNU gettext
    (CI installs it); a laptop without it skips, saying so."""
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have GNU gettext (xgettext, msgmerge): see .ci/run")
        pytest.skip("GNU gettext is not installed: makemessages cannot run here")
    base = Path(settings.BASE_DIR)
    copy = tmp_path / "portal"
    ignored = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo")
    for name in ("compacts", "directory", "curriculum", "compassion_portal", "templates"):
        shutil.copytree(base / name, copy / name, ignore=ignored)
    shutil.copytree(base / "locale", copy / "locale", ignore=ignored)
    shutil.copy(base / "manage.py", copy / "manage.py")
    environment = {**os.environ, "DEBUG": "1", "DATABASE_URL": "sqlite:///:memory:"}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "es", "--no-obsolete", "-v", "0"],
        cwd=copy,
        env=environment,
        check=True,
        timeout=300,
    )
    assert problems_of(read_catalogue(copy / "locale" / "es" / "LC_MESSAGES" / "django.po")) == []
