"""Signatures as CSV, for the public signatory download and the admin's export action."""

import csv
from collections.abc import Iterable

from django.http import HttpResponse

from .models import Signature

# Spreadsheets run cells that start with these as formulas.
CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
SIGNATURE_CSV_HEADER = ["signatory", "mayor", "city", "state", "signed_on", "renewed_on"]


def _csv_safe(value: object) -> str:
    """Quote a cell that a spreadsheet would run as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(CSV_FORMULA_PREFIXES) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable]) -> HttpResponse:
    writer = csv.writer(_Echo())
    lines = [writer.writerow(header)]
    lines.extend(writer.writerow([_csv_safe(cell) for cell in row]) for row in rows)
    response = HttpResponse("".join(lines), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def signature_csv_rows(signatures: Iterable[Signature]) -> Iterable[list]:
    for signature in signatures:
        yield [
            signature.signatory_line,
            signature.mayor_name,
            signature.city.name,
            signature.city.state,
            signature.signed_on.isoformat(),
            signature.renewed_on.isoformat() if signature.renewed_on else "",
        ]
