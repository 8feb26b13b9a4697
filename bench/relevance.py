"""`make relevance`: how well the portal's search answers the judged queries, beside BM25.

1. Drops and re-creates a Postgres database of its own (RELEVANCE_DATABASE_URL, default
   postgres://postgres@127.0.0.1:5432/portal_relevance; one on another host is not re-created
   but used as it is), migrates it and loads the demo directory (DEBUG on, as `make demo`).
2. Runs every query of tests/directory/relevance/queries.csv through the portal's search page
   (Django's test client, GET /directory/?q=..., the service links of the page in order) and
   through the textbook BM25 ranker of bench/bm25.py over the same public services.
3. Prints success@5 and MRR overall and per kind for both, beside the issue's goal, and the
   queries the portal fails with its top three; writes bench/results/relevance.json. Drops
   the database it created.

The metrics are computed by tests/directory/relevance/evaluate.py, which the relevance test
(tests/directory/relevance/test_relevance.py) uses too.
"""

import json
import os
import sys
import time
from urllib.parse import urlsplit

from _server import ROOT, fresh_database, manage, psql

DATABASE_URL = os.environ.get(
    "RELEVANCE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_relevance"
)
RESULTS = ROOT / "bench" / "results" / "relevance.json"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def say(message: str) -> None:
    print(f"[relevance] {message}", flush=True)


def main() -> int:
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    parts = urlsplit(DATABASE_URL)
    name, port = parts.path.lstrip("/"), parts.port or 5432
    owned = parts.hostname in LOCAL_HOSTS
    if owned:
        say(f"re-creating the database {name} on port {port}")
        fresh_database(name, port)
    env = {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "DEBUG": "1",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DJANGO_SETTINGS_MODULE": "compassion_portal.settings",
        "LOG_LEVEL": "WARNING",
    }
    try:
        manage(env, "migrate", "--noinput", "--verbosity", "0")
        manage(env, "load_demo")
        os.environ.update(env)
        return evaluate_and_report(name)
    finally:
        if owned:  # FORCE ends this process's own connection too
            psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", port)


def evaluate_and_report(database: str) -> int:
    import django

    django.setup()
    from django.test import Client

    from tests.directory.relevance import evaluate

    queries = evaluate.load_queries()
    say(f"{len(queries)} judged queries, {evaluate.QUERIES.relative_to(ROOT)}")
    started = time.monotonic()
    evaluation = evaluate.evaluate(
        queries, {"portal": evaluate.portal_ranker(Client()), "BM25": evaluate.bm25_ranker()}
    )
    say(f"ranked in {time.monotonic() - started:.1f} s\n")
    print(evaluate.report(evaluation, evaluate.service_names()))
    results = {
        "database": database,
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        **evaluate.as_json(evaluation),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
