"""Words of django-allauth's pages and emails that the portal says its own way in Spanish.

allauth's Spanish catalogue is used for everything else on the account pages; these few
messages mix "tú" with "usted", capitalise like English titles, or call two-factor
authentication by another name than the rest of the portal. Marked here so that makemessages
keeps them in the portal's catalogue (locale/es), which wins over allauth's.
"""

from django.utils.translation import gettext_noop

ALLAUTH_MESSAGES_IN_THE_PORTALS_VOICE = (
    gettext_noop("Two-Factor Authentication"),
    gettext_noop("Password Reset"),
    gettext_noop("Password (again)"),
    gettext_noop("Re-send Verification"),
    gettext_noop("Make Primary"),
    gettext_noop("Add Email"),
    gettext_noop("Add Email Address"),
    gettext_noop("Verified"),
    gettext_noop(
        "You cannot generate recovery codes without having two-factor authentication enabled."
    ),
    gettext_noop("Your email has been changed from %(from_email)s to %(to_email)s."),
    gettext_noop("Email address %(deleted_email)s has been removed from your account."),
    gettext_noop(
        "You currently do not have any email address set up. You should really add an email "
        "address so you can receive notifications, reset your password, etc."
    ),
    gettext_noop(
        '<strong>Note:</strong> you can still <a href="%(email_url)s">change your email '
        "address</a>."
    ),
)
