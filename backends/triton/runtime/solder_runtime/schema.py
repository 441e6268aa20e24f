"""Validates plan.json against plan.schema.json.

The runtime needs only torch and triton, so this interprets the subset of JSON
Schema 2020-12 that plan.schema.json uses. When the `jsonschema` package is
installed it also runs, so a gap in this subset cannot let a bad plan through.
"""
from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any

from .errors import PlanError

_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def load_schema() -> dict:
    """The plan schema shipped with the package (a copy of backends/triton/plan.schema.json)."""
    text = resources.files("solder_runtime").joinpath("plan.schema.json").read_text()
    return json.loads(text)


def _where(path: list) -> str:
    out = "plan.json"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


class _Validator:
    def __init__(self, root: dict):
        self.root = root

    def resolve(self, ref: str) -> dict:
        if not ref.startswith("#/"):
            raise PlanError(f"plan schema: unsupported $ref {ref}")
        node: Any = self.root
        for part in ref[2:].split("/"):
            node = node[part]
        return node

    def errors(self, value: Any, schema: dict, path: list) -> list[str]:
        """All violations of schema by value, as one-line messages (empty when valid)."""
        if "$ref" in schema:
            found = self.errors(value, self.resolve(schema["$ref"]), path)
            if found:
                return found
        where = _where(path)
        if "const" in schema and value != schema["const"]:
            return [f"{where}: must be {json.dumps(schema['const'])}"]
        if "enum" in schema and value not in schema["enum"]:
            return [f"{where}: {json.dumps(value)} is not one of {', '.join(map(json.dumps, schema['enum']))}"]
        if "type" in schema:
            kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            if not any(_TYPES[k](value) for k in kinds):
                return [f"{where}: must be of type {' or '.join(kinds)}"]
        for key in ("oneOf", "anyOf"):
            if key in schema:
                matching = [b for b in schema[key] if not self.errors(value, b, path)]
                if not matching or (key == "oneOf" and len(matching) > 1):
                    branch_errors = [self.errors(value, b, path) for b in schema[key]]
                    detail = "; ".join(e[0] for e in branch_errors if e)
                    return [f"{where}: matches none of the allowed forms ({detail})"]
        if isinstance(value, str) and "pattern" in schema and not re.search(schema["pattern"], value):
            return [f"{where}: {json.dumps(value)} has characters or a form that is not allowed"]
        if _TYPES["number"](value):
            if "minimum" in schema and value < schema["minimum"]:
                return [f"{where}: must be at least {schema['minimum']}"]
        if isinstance(value, list):
            return self.array_errors(value, schema, path)
        if isinstance(value, dict):
            return self.object_errors(value, schema, path)
        return []

    def array_errors(self, value: list, schema: dict, path: list) -> list[str]:
        if len(value) < schema.get("minItems", 0):
            return [f"{_where(path)}: needs at least {schema['minItems']} item(s)"]
        found: list[str] = []
        if "items" in schema:
            for i, item in enumerate(value):
                found += self.errors(item, schema["items"], path + [i])
        return found

    def object_errors(self, value: dict, schema: dict, path: list) -> list[str]:
        where = _where(path)
        found = [f"{where}: missing required property '{k}'" for k in schema.get("required", []) if k not in value]
        if len(value) < schema.get("minProperties", 0):
            found.append(f"{where}: needs at least {schema['minProperties']} propert(ies)")
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if "propertyNames" in schema:
                found += [e.replace(_where(path + [key]), f"{where}: key {json.dumps(key)}")
                          for e in self.errors(key, schema["propertyNames"], path + [key])]
            if key in props:
                found += self.errors(item, props[key], path + [key])
            elif extra is False:
                found.append(f"{where}: unknown property '{key}'")
            elif isinstance(extra, dict):
                found += self.errors(item, extra, path + [key])
        return found


def validate(plan: Any, schema: dict | None = None) -> None:
    """Raise PlanError naming the first place where plan breaks the schema."""
    schema = schema or load_schema()
    found = _Validator(schema).errors(plan, schema, [])
    if found:
        raise PlanError(found[0])
    try:
        import jsonschema  # optional: a second opinion, never required
    except ImportError:
        return
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(plan))
    if error is not None:
        raise PlanError(f"{_where(list(error.absolute_path))}: {error.message}")

