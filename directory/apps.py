from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = _("Directory")

    def ready(self) -> None:
        from compacts.models import City

        from .models import Category, Language, Organization, Schedule, Synonym
        from .search import forget_reference
        from .search.index import refresh_schedule_hours

        # The search page's cached reference data (choices, synonyms, cities with
        # listings) is built from these tables.
        for model in (Category, Language, Synonym, City, Organization):
            for signal in (post_save, post_delete):
                signal.connect(forget_reference, sender=model, dispatch_uid=f"ref-{model}")
        # A partner city's time zone is its listings' (Service.time_zone).
        post_save.connect(refresh_city_listings, sender=City, dispatch_uid="city-listings")
        # The "open now" search reads each schedule row's open periods (OpenPeriod) and, on
        # Postgres, the hours of the week they touch (facets of Service.name_vector).
        post_save.connect(refresh_schedule_hours, sender=Schedule, dispatch_uid="periods")


def refresh_city_listings(sender, instance, **_signal_arguments) -> None:
    from .models import Service
    from .search import refresh_search_vectors

    refresh_search_vectors(
        Service.objects.filter(organization__city=instance).values_list("pk", flat=True)
    )
