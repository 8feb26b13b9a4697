"""Fifty cities, sixteen staff clicking "sign" at the same moment for each.

Runs gunicorn (production settings, several workers) on a scratch Postgres database with the
demo content, makes 50 new cities with 16 approved staff each, and for every city sends the
16 sign requests for one compact at once (a barrier releases them together). Goal: exactly 50
active signatures and no response of 500 or above.

    python bench/concurrent_sign.py [--cities 50] [--per-city 16] [--workers 4]
"""

import argparse
import json
import os
import re
import sys
import threading
import urllib.parse
import urllib.request
from collections import Counter
from http.cookies import SimpleCookie

from _server import ROOT, fresh_database, gunicorn, prepare_site, production_env

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def make_staff(cities: int, per_city: int) -> tuple[str, list[tuple[int, list[str]]]]:
    """Create the cities and their approved staff; return the compact slug and session keys."""
    import django

    django.setup()
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.test import Client

    from compacts.models import City, CityStaff, Compact, StaffStatus

    compact = Compact.objects.open().order_by("pk").first()
    user_model = get_user_model()
    plan = []
    for n in range(cities):
        city = City.objects.create(
            name=f"Concurrency Test City {n}",
            state="OH",
            slug=f"concurrency-test-city-{n}",
            mayor_name=f"Test Mayor {n}",
        )
        sessions = []
        for m in range(per_city):
            user = user_model.objects.create_user(f"bench-{n}-{m}@example.org", password=None)
            EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
            CityStaff.objects.create(
                user=user,
                city=city,
                role="staff",
                job_title="Bench",
                work_phone="555-0100",
                status=StaffStatus.APPROVED,
            )
            client = Client()
            client.force_login(user)
            sessions.append(client.cookies[django.conf.settings.SESSION_COOKIE_NAME].value)
        plan.append((city.pk, sessions))
    return compact.slug, plan


def count_active(compact_slug: str) -> int:
    from compacts.models import Signature

    return (
        Signature.objects.active()
        .filter(compact__slug=compact_slug, city__slug__startswith="concurrency-test-city-")
        .count()
    )


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def sign_once(base, compact_slug, city_id, session_key, barrier, results, lock):
    opener = urllib.request.build_opener(NoRedirect())
    sign_url = f"{base}/compacts/{compact_slug}/sign/"
    try:
        page = urllib.request.Request(sign_url, headers={"Cookie": f"sessionid={session_key}"})
        with opener.open(page, timeout=30) as response:
            html = response.read().decode()
            cookies = SimpleCookie()
            for header in response.headers.get_all("Set-Cookie") or []:
                cookies.load(header)
        csrf_cookie = cookies["csrftoken"].value
        body = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": TOKEN.search(html).group(1),
                "city": city_id,
                "mayor_name": "Test Mayor",
                "mayor_authorised": "on",
            }
        ).encode()
        request = urllib.request.Request(sign_url, data=body, method="POST")
        request.add_header("Cookie", f"sessionid={session_key}; csrftoken={csrf_cookie}")
        request.add_header("Referer", sign_url)
        barrier.wait(timeout=60)
        try:
            with opener.open(request, timeout=30) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
    except Exception as error:  # every failure is counted and reported
        status = f"error: {error.__class__.__name__}"
    with lock:
        results.append(status)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cities", type=int, default=50)
    parser.add_argument("--per-city", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    (ROOT / "bench" / "results").mkdir(exist_ok=True)

    env = production_env(
        fresh_database("portal_concurrent_sign"),
        # Sixteen people of one city may each sign once in this test; keep limits out of the way.
        RATE_LIMIT_SIGN_PER_HOUR="1000",
    )
    prepare_site(env)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    compact_slug, plan = make_staff(args.cities, args.per_city)

    results: list = []
    lock = threading.Lock()
    with gunicorn(env, workers=args.workers, GUNICORN_THREADS="4") as (base, _pid):
        for city_id, sessions in plan:
            barrier = threading.Barrier(len(sessions))
            threads = [
                threading.Thread(
                    target=sign_once,
                    args=(base, compact_slug, city_id, key, barrier, results, lock),
                )
                for key in sessions
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()

    statuses = Counter(str(status) for status in results)
    active = count_active(compact_slug)
    server_errors = sum(n for s, n in statuses.items() if s.isdigit() and int(s) >= 500)
    report = {
        "cities": args.cities,
        "requests_per_city": args.per_city,
        "gunicorn_workers": args.workers,
        "responses": dict(sorted(statuses.items())),
        "active_signatures": active,
        "server_errors": server_errors,
    }
    (ROOT / "bench" / "results" / "concurrent_sign.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    ok = active == args.cities and server_errors == 0 and all(s.isdigit() for s in statuses)
    print("GOAL MET" if ok else "GOAL NOT MET")


if __name__ == "__main__":
    main()
