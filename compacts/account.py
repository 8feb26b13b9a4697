"""This app's part of the signed-in person's account page."""


def account_section(user) -> tuple[str, dict] | None:
    """Return (template name, context) to show on /accounts/profile/, or None for nothing."""
    return None
