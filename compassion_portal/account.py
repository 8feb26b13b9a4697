"""What each app shows a signed-in person on their account page."""

from compacts.account import account_section as compacts_section
from curriculum.account import account_section as curriculum_section


def account_sections(user) -> list[tuple[str, dict]]:
    """(template, context) pairs, rendered in order on /accounts/profile/."""
    return [section for section in (compacts_section(user), curriculum_section(user)) if section]
