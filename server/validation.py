"""Requests checked against the contract (`openapi.py`), failures in our words.

Every failure becomes a `Problem`: a status, one of the error codes clients rely on,
and a message that names the field, never its content (page text is never echoed).
Pure functions and the jsonschema validator: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import fastjsonschema
from jsonschema import Draft202012Validator as Validator
from jsonschema import ValidationError

from .schemas import READABLE

_KINDS = {"string": "a string", "array": "a list", "object": "an object", "integer": "a number"}


@dataclass(frozen=True)
class Problem:
    status: int
    code: str
    message: str
    path: tuple = ()


def field_name(path: Iterable) -> str:
    """segments[2].text, as a client would write it."""
    name = ""
    for part in path:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else part)
    return name


def _rule_message(schema: dict, error: ValidationError) -> str | None:
    """The `x-error` of the innermost rule the error came from, if any."""
    found, node = None, schema
    for part in error.absolute_schema_path:
        if not isinstance(node, dict | list):
            break
        node = node[part]
        if isinstance(node, dict) and "x-error" in node:
            found = node["x-error"]
    return found


def _message(error: ValidationError, name: str) -> str:
    keyword, value = error.validator, error.validator_value
    if keyword == "type":
        kinds = [value] if isinstance(value, str) else value
        return f"{name} must be {_KINDS.get(kinds[0], kinds[0])}."
    if keyword == "required":
        missing = next(k for k in value if k not in error.instance)
        return f"{field_name([*error.absolute_path, missing])} is required."
    if keyword == "enum":
        return f"{name} must be one of {', '.join(map(str, value))}."
    if keyword in ("minimum", "maximum"):
        low, high = error.schema.get("minimum"), error.schema.get("maximum")
        return f"{name} must be between {low} and {high}."
    return f"{name} does not fit the API description."


def problem(schema: dict, error: ValidationError, *, query: bool = False) -> Problem:
    path = tuple(error.absolute_path)
    name = field_name(path)
    keyword = error.validator
    if keyword == "maxLength":
        return Problem(
            422,
            "field_too_long",
            f"{name} is longer than {error.validator_value} characters.",
            path,
        )
    if keyword == "maxItems":
        n = error.validator_value
        return Problem(413, f"too_many_{name}", f"Send at most {n} {name} per request.", path)
    if keyword == "pattern" and error.validator_value == READABLE:
        return Problem(422, "invalid_text", f"{name} holds an unpaired surrogate.", path)
    if query:
        return Problem(400, "invalid_parameter", _message(error, name), path)
    if not path and keyword == "type":
        return Problem(422, "invalid_body", "The body must be a JSON object.", path)
    message = _rule_message(schema, error) or _message(error, name)
    return Problem(422, "invalid_field", message, path)


class Checker:
    """One schema, compiled twice: fastjsonschema (Python code generated from the
    schema, ~25x faster) answers whether a request is valid, which nearly all are;
    only a failing one is walked by jsonschema for every problem and its path."""

    def __init__(self, schema: dict):
        self.schema = schema
        self._valid = fastjsonschema.compile(schema)

    def problems(self, instance: Any) -> list[Problem]:
        try:
            self._valid(instance)
        except fastjsonschema.JsonSchemaException:
            return check(self.schema, instance)
        return []


def check(schema: dict, instance: Any) -> list[Problem]:
    """Every way `instance` breaks `schema`, the most serious first: a request too
    large (413) before any field's fault; otherwise in the order of the schema."""
    found = [problem(schema, e) for e in Validator(schema).iter_errors(instance)]
    return sorted(found, key=lambda p: p.status != 413)


def check_query(parameters: list[dict], args: Mapping[str, str]) -> dict[str, Any]:
    """The query parameters' values (typed, defaults filled in), or the first
    `Problem` raised as an exception. An empty value is a value, except where the
    parameter allows it empty (then it means not sent)."""
    values: dict[str, Any] = {}
    for param in parameters:
        name, schema = param["name"], param["schema"]
        raw = args.get(name)
        if raw is None or (raw == "" and param.get("allowEmptyValue")):
            values[name] = schema.get("default")
            continue
        value: Any = raw
        if schema.get("type") == "integer":
            try:
                value = int(raw)
            except ValueError:
                raise ProblemError(
                    Problem(400, "invalid_parameter", f"{name} must be a whole number.", (name,))
                ) from None
        error = next(Validator(schema).iter_errors(value), None)
        if error is not None:
            error.path.appendleft(name)
            raise ProblemError(problem(schema, error, query=True))
        values[name] = value
    return values


class ProblemError(Exception):
    def __init__(self, found: Problem):
        super().__init__(found.message)
        self.problem = found
