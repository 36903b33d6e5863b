"""Checks every example in an OpenAPI 3.1 document against the schema it
illustrates, with Python's `jsonschema` (Draft 2020-12, which OpenAPI 3.1
schemas are). Objects are checked closed: a property the schema does not
declare is an error, so an example cannot name a field the type does not
serialize. Formats (date-time) are annotations here, as the draft makes them.

Usage: python3 openapi_examples.py DOCUMENT.json
Prints one line per example that does not fit, and exits 1 if there is any.
"""

import copy
import json
import sys

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

BASE = "urn:assay:openapi"


def absolute_refs(node):
    """Points every `#/...` reference at the document's URI, so any
    subschema can be checked on its own against the registry."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#"):
                node[key] = BASE + value
            else:
                absolute_refs(value)
    elif isinstance(node, list):
        for value in node:
            absolute_refs(value)


def subschemas(schema):
    """The schemas directly inside `schema`, with how to name each."""
    for name, prop in (schema.get("properties") or {}).items():
        yield "." + name, prop
    if isinstance(schema.get("items"), dict):
        yield "[]", schema["items"]
    if isinstance(schema.get("additionalProperties"), dict):
        yield "{}", schema["additionalProperties"]
    for key in ("oneOf", "anyOf", "allOf"):
        for index, member in enumerate(schema.get(key) or []):
            yield f"/{key}/{index}", member


def close_objects(schema, in_all_of=False):
    """Refuses undeclared properties in every object schema, except the
    members of an `allOf` (their wrapper refuses them instead, having seen
    every member's properties)."""
    if not isinstance(schema, dict):
        return
    if not in_all_of and ("properties" in schema or "allOf" in schema):
        if "additionalProperties" not in schema:
            schema.setdefault("unevaluatedProperties", False)
    for where, sub in subschemas(schema):
        close_objects(sub, where.startswith("/allOf/"))


def examples_in(schema, where):
    """(where, schema, example) for the schema's own examples and those of
    the schemas inside it."""
    if not isinstance(schema, dict):
        return
    if "example" in schema:
        yield where, schema, schema["example"]
    for index, example in enumerate(schema.get("examples") or []):
        yield f"{where} examples[{index}]", schema, example
    for step, sub in subschemas(schema):
        yield from examples_in(sub, where + step)


def main(path):
    doc = json.load(open(path))
    schemas = doc.get("components", {}).get("schemas", {})
    # Components that an `allOf` extends stay open: the wrapper closes them.
    open_names = set()
    for schema in schemas.values():
        for member in _all_of_members(schema):
            if "$ref" in member:
                open_names.add(member["$ref"].rsplit("/", 1)[-1])
    checked = copy.deepcopy(doc)
    for name, schema in checked.get("components", {}).get("schemas", {}).items():
        if name not in open_names:
            close_objects(schema)
        else:
            for _, sub in subschemas(schema):
                close_objects(sub)
    found = []
    for item in checked.get("paths", {}).values():
        for op in item.values():
            if not isinstance(op, dict):
                continue
            for response in (op.get("responses") or {}).values():
                for media in (response.get("content") or {}).values():
                    if isinstance(media.get("schema"), dict):
                        close_objects(media["schema"])
            for media in ((op.get("requestBody") or {}).get("content") or {}).values():
                if isinstance(media.get("schema"), dict):
                    close_objects(media["schema"])
    absolute_refs(checked)
    registry = Registry().with_resource(BASE, Resource.from_contents(checked, default_specification=DRAFT202012))

    def check(where, schema, example):
        validator = Draft202012Validator(schema, registry=registry)
        for error in validator.iter_errors(example):
            at = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
            found.append(f"{where}: example{at}: {error.message}")

    for name, schema in checked.get("components", {}).get("schemas", {}).items():
        for where, sub, example in examples_in(schema, f"#/components/schemas/{name}"):
            check(where, sub, example)
    for path, item in checked.get("paths", {}).items():
        for method, op in item.items():
            if not isinstance(op, dict):
                continue
            name = f"{method.upper()} {path}"
            for param in op.get("parameters") or []:
                schema = param.get("schema")
                if isinstance(schema, dict):
                    if "example" in param:
                        check(f"{name} ?{param.get('name')}", schema, param["example"])
                    for where, sub, example in examples_in(schema, f"{name} ?{param.get('name')}"):
                        check(where, sub, example)
            body = (op.get("requestBody") or {}).get("content") or {}
            responses = [("body", body)] + [
                (status, response.get("content") or {}) for status, response in (op.get("responses") or {}).items()
            ]
            for status, content in responses:
                for media_type, media in content.items():
                    schema = media.get("schema")
                    if not isinstance(schema, dict) or "json" not in media_type:
                        continue
                    where = f"{name} {status} {media_type}"
                    if "example" in media:
                        check(where, schema, media["example"])
                    for key, example in (media.get("examples") or {}).items():
                        if isinstance(example, dict) and "value" in example:
                            check(f"{where} examples.{key}", schema, example["value"])
                    if "$ref" not in schema:
                        for inner, sub, example in examples_in(schema, where):
                            check(inner, sub, example)
    for line in found:
        print(line)
    return 1 if found else 0


def _all_of_members(schema):
    """Every `allOf` member anywhere inside `schema`."""
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "allOf" and isinstance(value, list):
                yield from (m for m in value if isinstance(m, dict))
            yield from _all_of_members(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from _all_of_members(value)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
