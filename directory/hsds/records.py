"""Rows the portal keeps as given without modelling them (``HsdsRecord``): written by the
import in batches, by table and HSDS id, and read back by the export.

Which rows: every row of the tables the portal has no model for (:data:`RECORD_TABLES`,
and taxonomies and metadata, which the export writes beside its own), and the valid rows of
modelled tables that the portal cannot use: a second address or accessibility row of a
location, an attribute it does not read, a schedule that is not weekly, a link to a row not
in the package. A row is stored as its cells by column (the schema's columns, those that are
not empty), with links to the organization, service and location it belongs to.
"""

from __future__ import annotations

from directory import models

from .bulk import BATCH_SIZE, bulk_insert
from .reader import ImportReport, Row
from .validate import schema_columns

# Tables that only ever go in HsdsRecord, in the order they are imported.
RECORD_TABLES = (
    "programs",
    "organization_identifiers",
    "funding",
    "contacts",
    "service_areas",
    "required_documents",
    "cost_options",
    "meta_table_descriptions",
)

Owners = dict[str, int | None]  # organization_id, service_id, location_id -> primary key


def row_data(table: str, row: Row) -> dict[str, str]:
    """The row's cells that the schema names, as read, leaving out the empty ones."""
    return {
        column: row.values[column]
        for column in schema_columns(table)
        if row.values.get(column, "") != ""
    }


class RecordWriter:
    """Batches of rows for HsdsRecord: created, or updated when their cells or links changed,
    counted in the report under their table."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        self.ids: dict[str, dict[str, int]] = {}
        self.pending: dict[str, list[tuple[str, dict, Owners]]] = {}
        self.changed_anything = False
        self.tables_held = set(
            models.HsdsRecord.objects.order_by().values_list("table", flat=True).distinct()
        )

    def known(self, table: str) -> dict[str, int]:
        """HSDS id -> primary key of the table's kept rows (loaded once)."""
        if table not in self.ids:
            rows = models.HsdsRecord.objects.filter(table=table).values_list("hsds_id", "pk")
            self.ids[table] = dict(rows.iterator(chunk_size=BATCH_SIZE))
        return self.ids[table]

    def add(self, table: str, row: Row, owners: Owners) -> None:
        batch = self.pending.setdefault(table, [])
        batch.append((row.get("id"), row_data(table, row), owners))
        if len(batch) >= BATCH_SIZE:
            self.flush(table)

    def flush(self, table: str | None = None) -> None:
        for name in [table] if table else list(self.pending):
            batch = self.pending.pop(name, [])
            if batch:
                self._write(name, batch)

    def forget(self, table: str, hsds_ids: list[str]) -> None:
        """Rows of ``table`` now held by a model are no longer kept here (a query only when
        some of them were)."""
        if table not in self.tables_held:
            return
        known = self.known(table)
        held = [hsds_id for hsds_id in hsds_ids if hsds_id in known]
        if held:
            models.HsdsRecord.objects.filter(table=table, hsds_id__in=held).delete()
            for hsds_id in held:
                del known[hsds_id]

    def _write(self, table: str, batch: list[tuple[str, dict, Owners]]) -> None:
        known = self.known(table)
        existing = {
            record.hsds_id: record
            for record in models.HsdsRecord.objects.filter(
                table=table,
                pk__in=[known[hsds_id] for hsds_id, _d, _o in batch if hsds_id in known],
            )
        }
        to_create, to_update, unchanged = [], [], 0
        for hsds_id, data, owners in batch:
            record = existing.get(hsds_id)
            if record is None:
                to_create.append({"table": table, "hsds_id": hsds_id, "data": data, **owners})
                continue
            if record.data == data and all(
                getattr(record, name) == value for name, value in owners.items()
            ):
                unchanged += 1
                continue
            record.data = data
            for name, value in owners.items():
                setattr(record, name, value)
            to_update.append(record)
        created = bulk_insert(models.HsdsRecord, to_create, None, scope={"table": table})
        known.update(created)
        if to_update:
            models.HsdsRecord.objects.bulk_update(
                to_update, ["data", "organization", "service", "location"], batch_size=BATCH_SIZE
            )
        self.tables_held.add(table)
        self.report.created[table] += len(created)
        self.report.updated[table] += len(to_update)
        self.report.unchanged[table] += unchanged
        if created or to_update:
            self.changed_anything = True
