"""The HSDS 3.0 schemas the API answers with, and the portal's profile of them.

The schemas are Open Referral's, copied unchanged into ``directory/hsds/schema/`` (CC BY-SA
4.0, see the README there). The profile is a set of JSON Merge Patch files (RFC 7386) in
``profile/`` beside them, each named after the schema it changes, as the HSDS profiles
reference asks; merging one into its schema gives the profile's schema. The files ship with
the code and cannot change while it runs, so each is read once.
"""

import functools
import json
from pathlib import Path

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "hsds" / "schema"
PROFILE_DIR = SCHEMA_DIR / "profile"
OPENAPI = "openapi"
HSDS_VERSION = "3.0"
PROFILE_VERSION = "1.0.0"

# The object schemas (service, organization, ...), without the API's openapi.json.
OBJECT_SCHEMAS = tuple(
    sorted(path.stem for path in SCHEMA_DIR.glob("*.json") if path.stem != OPENAPI)
)
PROFILE_FILES = tuple(sorted(path.stem for path in PROFILE_DIR.glob("*.json")))


def merge_patch(target: object, patch: object) -> object:
    """``patch`` applied to ``target`` as RFC 7386 says: objects merge key by key, a null
    removes the key, anything else replaces the value. Neither argument is changed."""
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged


@functools.cache
def hsds_schema(name: str) -> dict:
    """Open Referral's schema ``name`` (``service``, ``openapi``, ...), as published."""
    return json.loads((SCHEMA_DIR / f"{name}.json").read_text(encoding="utf-8"))


@functools.cache
def profile_patch(name: str) -> dict:
    """The profile's change to schema ``name`` ({} when it changes nothing there)."""
    if name not in PROFILE_FILES:
        return {}
    return json.loads((PROFILE_DIR / f"{name}.json").read_text(encoding="utf-8"))


@functools.cache
def profile_schema(name: str) -> dict:
    """Schema ``name`` with the profile's change merged in: what the API's objects follow."""
    return merge_patch(hsds_schema(name), profile_patch(name))


@functools.cache
def properties(name: str) -> dict[str, dict]:
    return profile_schema(name).get("properties", {})


@functools.cache
def required(name: str) -> frozenset[str]:
    return frozenset(profile_schema(name).get("required", ()))
