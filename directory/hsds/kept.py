"""The cells of a modelled row that its model does not hold as given: kept beside the row (its
``hsds_extra``) so that an export writes the row back as it came.

Two kinds of cell are kept, per table (a location keeps its ``locations``, ``addresses`` and
``accessibility`` rows' cells under those names):

- a column the model has no field for (an organization's ``tax_id``, a schedule's
  ``bymonthday``): ``{"tax_id": "12-345"}``, always written back;
- a column the model has a field for but holds differently from the cell (a reference to a
  row not in the package, held as no link; a latitude of 100, held as no position; "35"
  stored as the decimal 35.000000; a phone number whose quotes were taken off): the cell and
  what the export would have written for the row as imported, ``{"latitude": ["100", ""]}``.
  The export writes the kept cell only while the portal would still write that same value:
  once someone changes the field here, the portal's value is the newer word and is written.

Only what differs is kept, so a package the portal models fully costs nothing here.
"""

from __future__ import annotations

from collections.abc import Iterable, Set

Kept = dict[str, str | list[str]]


def keep(
    given: dict[str, str], portal: dict[str, str], columns: Iterable[str], modelled: Set[str]
) -> Kept:
    """What to keep of a row: ``given`` is the row's cells as read, ``portal`` the cells the
    export would write for the row as imported (the columns whose value is known),
    ``columns`` the table's schema columns, ``modelled`` those the export writes itself."""
    kept: Kept = {}
    for column in columns:
        if column not in given or column == "id":
            continue
        cell = given[column]
        if column in portal:
            if portal[column] != cell:
                kept[column] = [cell, portal[column]]
        elif column not in modelled and cell != "":
            kept[column] = cell
    return kept


def apply(cells: dict[str, str], kept: Kept | None) -> dict[str, str]:
    """``cells`` (the portal's values for a row, as the export writes them) with the kept
    cells written back where they still apply."""
    for column, value in (kept or {}).items():
        if isinstance(value, list):
            given, at_import = value
            if cells.get(column, "") == at_import:
                cells[column] = given
        else:
            cells[column] = value
    return cells
