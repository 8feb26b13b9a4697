"""Content for the scratch site of test_behind_nginx.py, which runs this module with the
site's own environment (`python -m tests.deploy.scratch_site`) once `migrate` has made its
database: two people with verified email and the known test password, and a city. Prints
what it made as JSON."""

import json

import django


def main() -> None:
    django.setup()
    from tests.compacts.factories import CityFactory
    from tests.factories import UserFactory

    made = {
        "resident": UserFactory(email="resident@example.org").email,
        "applicant": UserFactory(email="applicant@example.org").email,
        "city": CityFactory().slug,
    }
    print(json.dumps(made))


if __name__ == "__main__":
    main()
