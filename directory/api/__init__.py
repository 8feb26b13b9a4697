"""The Open Referral HSDS 3.0 API, read-only, under /api/hsds/.

- ``schemas``: the HSDS schemas shipped in ``directory/hsds/schema/`` and the portal's
  profile (JSON Merge Patch files beside them in ``profile/``);
- ``tables``: rows read through the export's mapping (``hsds.exporter.EXPORT_TABLES``) and
  written as the schemas' types;
- ``objects``: services, organizations, service at locations and taxonomy terms, flat or
  nested, a bounded number of queries for any number of them;
- ``parameters``: the query parameters, each checked (a bad one is a 400, never a 500);
- ``views``: the endpoints, the paginated envelope, ndjson streaming, the rate limit, CORS.
"""
