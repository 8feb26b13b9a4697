"""Writing many rows at once: the importer's inserts and updates, fast on Postgres."""

from __future__ import annotations

import json

from django.db import connection

# Rows read, checked and written at once (the import's batches, and chunks of every query).
BATCH_SIZE = 2000


def bulk_insert(model: type, rows: list[dict], now, scope: dict | None = None) -> dict[str, int]:
    """Insert new rows (field attname -> value, with ``hsds_id``); return HSDS id -> pk.
    ``scope`` (column -> value) narrows the read-back where ``hsds_id`` is unique only with
    it (HsdsRecord: within its table).

    On Postgres the rows go in with COPY, straight from the parsed values (several times
    faster than building model instances for INSERT ... VALUES on a big package), and the
    keys are read back by HSDS id; elsewhere bulk_create does it.
    """
    if not rows:
        return {}
    if connection.vendor != "postgresql":
        objs = model.objects.bulk_create([model(**row) for row in rows], batch_size=BATCH_SIZE)
        # bulk_create stamps auto_now fields with the time; a value the row gives (a
        # service's last_modified from its package) is put back.
        given = [
            field.attname
            for field in model._meta.concrete_fields
            if getattr(field, "auto_now", False) and any(field.attname in row for row in rows)
        ]
        if given:
            for obj, row in zip(objs, rows, strict=True):
                for name in given:
                    setattr(obj, name, row.get(name, getattr(obj, name)))
            model.objects.bulk_update(objs, given, batch_size=BATCH_SIZE)
        return {obj.hsds_id: obj.pk for obj in objs}
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    defaults = {
        field.attname: now
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        else field.get_default()
        for field in fields
    }
    attnames = [field.attname for field in fields]
    json_fields = {field.attname for field in fields if field.get_internal_type() == "JSONField"}
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(field.column) for field in fields)
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                values = [row.get(name, defaults[name]) for name in attnames]
                if json_fields:
                    # COPY reads JSON from its text: dumped here, much faster than an adapter.
                    values = [
                        json.dumps(value) if name in json_fields else value
                        for name, value in zip(attnames, values, strict=True)
                    ]
                copy.write_row(values)
        narrow = "".join(f" AND {quote(column)} = %s" for column in scope or {})
        cursor.execute(
            f"SELECT hsds_id, {quote(model._meta.pk.column)} FROM {table} "  # noqa: S608
            f"WHERE hsds_id = ANY(%s){narrow}",
            [[row["hsds_id"] for row in rows], *(scope or {}).values()],
        )
        return dict(cursor.fetchall())


def bulk_update(model: type, objs: list, field_names: list[str]) -> None:
    """Save ``field_names`` of ``objs`` in one statement per batch.

    Django's bulk_update builds a CASE WHEN per field and row, which costs seconds per
    thousand rows; on Postgres one UPDATE ... FROM (VALUES ...) does the same in milliseconds.
    """
    if not objs:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_update(objs, field_names, batch_size=BATCH_SIZE)
        return
    fields = [model._meta.get_field(name) for name in field_names]
    pk = model._meta.pk
    quote = connection.ops.quote_name
    assignments = ", ".join(
        f"{quote(field.column)} = v.{quote(field.column)}::{field.db_type(connection)}"
        for field in fields
    )
    columns = ", ".join(quote(column) for column in [pk.column, *(f.column for f in fields)])
    placeholder = "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"
    table = quote(model._meta.db_table)
    for start in range(0, len(objs), BATCH_SIZE):
        chunk = objs[start : start + BATCH_SIZE]
        params: list[object] = []
        for obj in chunk:
            params.append(obj.pk)
            params.extend(
                field.get_db_prep_save(getattr(obj, field.attname), connection) for field in fields
            )
        sql = (
            f"UPDATE {table} SET {assignments} "  # noqa: S608 (names are quoted model metadata)
            f"FROM (VALUES {', '.join([placeholder] * len(chunk))}) AS v({columns}) "
            f"WHERE {table}.{quote(pk.column)} = v.{quote(pk.column)}::{pk.db_type(connection)}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
