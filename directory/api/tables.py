"""Rows of the directory as HSDS 3.0 objects, read through the export's own mapping.

``hsds.exporter.EXPORT_TABLES`` says, for each table of a package, which ORM lookup each
HSDS column is read from. The API reads the same lookups, so that a field cannot mean one
thing in an export and another in the API; a column whose lookup is not a field (one the
export works out, such as a term's ``taxonomy_id``) is left to the caller. Values are then
written as the schema's types say: numbers as numbers, dates as ISO 8601, and an empty
value left out unless the schema requires the property (then it is "").
"""

import datetime
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, QuerySet

from directory import models
from directory.hsds.exporter import EXPORT_TABLES, published_id

from . import schemas

# The model each exported table is read from, and the schema of its objects.
SOURCES: dict[str, tuple[type[Model], str]] = {
    "organizations": (models.Organization, "organization"),
    "services": (models.Service, "service"),
    "locations": (models.Location, "location"),
    "addresses": (models.Location, "address"),
    "accessibility": (models.Location, "accessibility"),
    "service_at_location": (models.ServiceAtLocation, "service_at_location"),
    "phones": (models.Phone, "phone"),
    "schedules": (models.Schedule, "schedule"),
    "taxonomy_terms": (models.Category, "taxonomy_term"),
    "metadata": (models.Metadata, "metadata"),
}


@dataclass(frozen=True)
class IdColumn:
    """A column holding an HSDS id: the one stored in ``field`` of ``model``, else the one
    the export would store (``published_id``), made from the primary key at ``pk_lookup``."""

    model: type[Model]
    field: str
    pk_lookup: str


@dataclass(frozen=True)
class Table:
    name: str
    schema: str
    columns: tuple[tuple[str, str], ...]  # (HSDS column, ORM lookup): those that are fields
    ids: dict[str, IdColumn]

    def lookups(self, prefix: str = "") -> list[str]:
        own = [lookup for _, lookup in self.columns]
        own += [column.pk_lookup for column in self.ids.values()]
        return [f"{prefix}{lookup}" for lookup in own]

    def hsds_object(self, value_of: Callable[[str], object]) -> dict:
        """The row whose lookups ``value_of`` reads, as this table's HSDS object."""
        values = {}
        for column, lookup in self.columns:
            value = value_of(lookup)
            if column in self.ids and not value:
                id_column = self.ids[column]
                pk = value_of(id_column.pk_lookup)
                value = None if pk is None else published_id(id_column.model, pk, id_column.field)
            values[column] = value
        return hsds_object(self.schema, values)


def _field_of(model: type[Model], lookup: str) -> tuple[type[Model], str] | None:
    """The model that holds the lookup's last field, and the path to it; None when the
    lookup is not a field."""
    *relations, name = lookup.split("__")
    try:
        for relation in relations:
            field = model._meta.get_field(relation)
            if not field.is_relation:
                return None
            model = field.related_model
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return model, "__".join(relations)


def table(name: str) -> Table:
    """Table ``name`` of the export (``"services"``, ``"phones"``, ...) as the API reads it."""
    model, schema = SOURCES[name]
    columns, ids = [], {}
    for column, lookup in EXPORT_TABLES[name]:
        found = _field_of(model, lookup)
        if found is None:
            continue
        columns.append((column, lookup))
        holder, path = found
        field = lookup.rpartition("__")[2]
        if field.endswith("hsds_id"):
            ids[column] = IdColumn(holder, field, path or "pk")
    return Table(name, schema, tuple(columns), ids)


def read(
    queryset: QuerySet, tables: Sequence[Table], extra: Sequence[str] = (), prefix: str = ""
) -> Iterator[tuple[list[dict], tuple]]:
    """For each row of ``queryset`` (in its order), its HSDS object in each of ``tables``,
    and the values of the ``extra`` lookups; one query. ``prefix`` leads from the
    queryset's model to the tables' model ("category__" from a service's category link)."""
    lookups = list(dict.fromkeys([*extra, *(x for table in tables for x in table.lookups(prefix))]))
    position = {lookup: index for index, lookup in enumerate(lookups)}
    for row in queryset.values_list(*lookups):

        def value_of(lookup: str, row: tuple = row) -> object:
            return row[position[f"{prefix}{lookup}"]]

        objects = [table.hsds_object(value_of) for table in tables]
        yield objects, tuple(row[position[lookup]] for lookup in extra)


def hsds_object(schema: str, values: dict) -> dict:
    """``values`` as an object of schema ``schema``: each value as its property's type,
    empty ones left out unless the schema requires them."""
    known, needed = schemas.properties(schema), schemas.required(schema)
    found = {}
    for key, value in values.items():
        value = hsds_value(value, known.get(key, {}))
        if value is not None:
            found[key] = value
        elif key in needed:
            found[key] = ""
    return found


def hsds_value(value: object, schema: dict) -> object:
    """A stored value as JSON of the property ``schema``: a number where it says number (an
    extension such as "12" included; None when the text is not one), ISO 8601 for dates
    and times, else text. None for an empty value."""
    if value is None or value == "":
        return None
    if schema.get("type") == "number":
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            return None
        if not number.is_finite():
            return None
        return int(number) if number == number.to_integral_value() else float(number)
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)
