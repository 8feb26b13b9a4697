"""Demo content for this app, loaded by ``python manage.py load_demo``.

Demo content is fictional and must be idempotent: running it twice changes nothing.
"""


def load() -> str:
    """Create or update the demo rows; return a one-line summary for the command."""
    return "nothing yet"
