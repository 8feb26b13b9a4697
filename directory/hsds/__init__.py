"""Open Referral HSDS 3.0 tabular packages: the one place that knows the format.

A package is a folder of CSV files (``organizations.csv``, ``services.csv``, ...) or a .zip of
one. :func:`package_import` reads one into the directory and returns an :class:`ImportReport`
of what changed and of every row it skipped, with file, line and reason;
:func:`package_export` writes the directory back out in the same format.

- ``reader``: the package's files and columns, and reading them row by row;
- ``validate``: each row checked against its table's JSON schema (types, values, formats);
- ``cells``: what a cell may hold for the portal, checked value by value;
- ``rows``: a row of each table checked and turned into its model's fields;
- ``kept``: the cells of a modelled row that its model does not hold as given, kept beside it;
- ``records``: the rows no model holds, kept as given (HsdsRecord);
- ``importer``: the import, table by table, in batches (``bulk`` writes them);
- ``exporter``: the export, and the datapackage.json that describes it.

Every valid row of every table of HSDS 3.0 is kept, and exported again as it came: importing
a package into an empty directory and exporting it gives the same package back.
"""

from .exporter import package_export
from .importer import Progress, package_import
from .reader import TABLE_FILES, ImportReport, PackageError

__all__ = [
    "TABLE_FILES",
    "ImportReport",
    "PackageError",
    "Progress",
    "package_export",
    "package_import",
]
