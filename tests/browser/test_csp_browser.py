"""The strict Content-Security-Policy breaks nothing: no violation on account or admin pages."""

import pytest

from tests.factories import DEFAULT_PASSWORD, AdminFactory, current_totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


@pytest.fixture
def watched_page(page):
    page.add_init_script(RECORD_VIOLATIONS)
    return page


def _violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations || []")


@pytest.mark.parametrize(
    "path", ["/", "/about/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]
)
def test_public_and_account_pages_have_no_csp_violation(watched_page, path):
    watched_page.goto(path)
    watched_page.wait_for_load_state("networkidle")
    assert _violations(watched_page) == []


def test_admin_pages_work_under_the_policy(watched_page):
    admin_user = AdminFactory()
    page = watched_page
    page.goto("/admin/")
    page.get_by_label("Email").fill(admin_user.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_label("Code").fill(current_totp_code(admin_user.totp_secret))
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/admin/")
    assert page.locator("#site-name").count() == 1
    for path in (
        "/admin/",
        "/admin/compassion_portal/user/",
        "/admin/compassion_portal/user/add/",
        f"/admin/compassion_portal/user/{admin_user.pk}/change/",
    ):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        assert _violations(page) == [], path
