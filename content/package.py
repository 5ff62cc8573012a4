"""Course packages: reading and checking the `tutor-course/1` format.

A package is one whole course written as YAML or JSON (see
``content/schema/course-package.schema.json``). ``parse_package`` turns the text into a
dict and checks everything that can be checked without the database: encoding, size,
syntax, the JSON Schema, then the rules the schema cannot express (unique slugs, known
concept references, an acyclic prerequisite graph, what each exercise kind needs).
Every problem is a ``CoursePackageError`` whose message names the file, the item (its
slug and list position) and the field, so an author can find it without a debugger.
"""

from __future__ import annotations

import json
import math
import posixpath
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, relevance

from content.course_settings import course_settings_check
from content.graph import find_cycle
from content.models import ExerciseKind

FORMAT_TAG = "tutor-course/1"
# Far more values than a course of any size holds (a 5 MB package has a few hundred
# thousand), far fewer than an alias bomb expands to.
MAX_VALUES = 1_000_000
SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "course-package.schema.json"

# The list sections of a package and the word for one of their items.
_SECTIONS = {"concepts": "concept", "exercises": "exercise"}
_KIND_WORDS = {
    ExerciseKind.MULTIPLE_CHOICE: "multiple-choice",
    ExerciseKind.NUMERIC: "numeric",
    ExerciseKind.FREE_TEXT: "free-text",
}
# Fields that belong to one exercise kind only.
_KIND_FIELDS = {
    "options": ExerciseKind.MULTIPLE_CHOICE,
    "value": ExerciseKind.NUMERIC,
    "tolerance": ExerciseKind.NUMERIC,
    "unit": ExerciseKind.NUMERIC,
    "reference_answers": ExerciseKind.FREE_TEXT,
}

_Steps = Sequence[str | int]
_Fail = Callable[[str, int, str, str], "CoursePackageError"]


class CoursePackageError(Exception):
    """A course package that cannot be imported.

    ``str(error)`` is the whole message for the author, e.g.
    ``basic.yaml: exercise 'ohm-1' (exercises[3]), field 'options': a multiple-choice
    exercise needs at least one correct option``; ``file``, ``item``, ``field`` and
    ``reason`` hold its parts.
    """

    def __init__(self, file: str, reason: str, *, item: str | None = None, field: str | None = None):
        self.file = file
        self.item = item
        self.field = field
        self.reason = reason
        where = ", ".join(
            part for part in (item, f"field '{field}'" if field is not None else None) if part is not None
        )
        super().__init__(f"{file}: {where}: {reason}" if where else f"{file}: {reason}")


@cache
def package_schema() -> dict[str, Any]:
    """The JSON Schema of the package format (read once per process)."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@cache
def _validator() -> Draft202012Validator:
    schema = package_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def parse_package(text: str | bytes, *, filename: str) -> dict[str, Any]:
    """Read a YAML or JSON course package and check it; return the package as a dict.

    JSON is read when ``filename`` ends in ``.json`` (or, for another ending, when the
    text starts with ``{``), YAML otherwise. Raises ``CoursePackageError`` for the first
    problem found; the returned dict is exactly what the file says (defaults are applied
    by the importer, not here).
    """
    text = _decode(text, filename)
    data = _load(text, filename)
    if data is None:
        raise CoursePackageError(filename, "the file is empty (it holds no data, at most comments)")
    if not isinstance(data, dict):
        raise CoursePackageError(
            filename,
            f"the top level must be a mapping (format, course, concepts, exercises), not {_type_word(data)}",
        )
    _check_values(data, filename)
    _check_schema(data, filename)
    _check_rules(data, filename)
    return data


# --- text and syntax -------------------------------------------------------------------
def _decode(text: str | bytes, filename: str) -> str:
    limit = settings.COURSE_PACKAGE_MAX_BYTES
    size = len(text) if isinstance(text, bytes) else len(text.encode("utf-8", "surrogatepass"))
    if size > limit:
        raise CoursePackageError(
            filename, f"the file is too big for a course package: more than the limit of {limit} bytes"
        )
    if isinstance(text, str):
        return text.removeprefix("\ufeff")
    try:
        return text.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = text[: error.start].count(b"\n") + 1
        raise CoursePackageError(
            filename,
            f"not UTF-8 text: byte 0x{text[error.start]:02x} at line {line} (offset {error.start}) "
            "cannot be decoded; save the file as UTF-8",
        ) from None


def _is_json(text: str, filename: str) -> bool:
    extension = posixpath.splitext(filename.lower())[1]
    if extension == ".json":
        return True
    if extension in {".yaml", ".yml"}:
        return False
    return text.lstrip().startswith("{")


def _load(text: str, filename: str) -> Any:
    try:
        if _is_json(text, filename):
            return _load_json(text, filename)
        return _load_yaml(text, filename)
    except RecursionError:
        raise CoursePackageError(filename, "the file is nested too deeply to be a course package") from None


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number a course package may hold")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r} in one object")
        result[key] = value
    return result


def _load_json(text: str, filename: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        raise CoursePackageError(
            filename, f"not valid JSON: line {error.lineno}, column {error.colno}: {error.msg}"
        ) from None
    except ValueError as error:
        raise CoursePackageError(filename, f"not valid JSON: {error}") from None


class _PackageLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe YAML loader, refusing duplicate keys (YAML would keep the last silently)."""

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            self.flatten_mapping(node)
            seen: set[Any] = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)
                try:
                    duplicate = key in seen
                except TypeError:
                    duplicate = False
                if duplicate:
                    raise yaml.constructor.ConstructorError(
                        "while reading a mapping",
                        node.start_mark,
                        f"found duplicate key {key!r}",
                        key_node.start_mark,
                    )
                try:
                    seen.add(key)
                except TypeError:
                    pass
        return super().construct_mapping(node, deep=deep)


def _load_yaml(text: str, filename: str) -> Any:
    try:
        return yaml.load(text, Loader=_PackageLoader)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "cannot be read"
        if error.problem and error.context:
            problem = f"{error.problem} ({error.context})"
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        raise CoursePackageError(filename, f"not valid YAML: {where}{problem}") from None
    except yaml.YAMLError as error:
        raise CoursePackageError(filename, f"not valid YAML: {error}") from None


def _check_values(data: dict[str, Any], filename: str) -> None:
    """Refuse what both parsers let through but no course needs: YAML aliases that expand
    to a huge (or endless) tree, and non-finite numbers.

    Aliases themselves are fine (an author may reuse a list of concepts); the walk counts
    every value as the checks after it will see it, so "a billion laughs" stops here.
    """
    budget = MAX_VALUES
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        budget -= 1
        if budget < 0:
            raise _error_at(
                data,
                filename,
                path,
                f"the package expands to more than {MAX_VALUES} values; "
                "YAML aliases (*name) may repeat a part, but not explode it",
            )
        if isinstance(value, dict | list):
            children = value.items() if isinstance(value, dict) else enumerate(value)
            stack.extend((child, (*path, key)) for key, child in reversed(list(children)))
        elif isinstance(value, float) and not math.isfinite(value):
            raise _error_at(data, filename, path, f"must be a finite number, not {value}")
        elif isinstance(value, str) and "\x00" in value:
            # PostgreSQL refuses a NUL in text: say so here, not with a database error.
            raise _error_at(
                data, filename, path, "contains a NUL character, which no text of a course may hold"
            )


# --- the JSON Schema ---------------------------------------------------------------------
def _check_schema(data: dict[str, Any], filename: str) -> None:
    errors = list(_validator().iter_errors(data))
    if not errors:
        return
    # The first problem in the file's own order is the one an author fixes first; among
    # problems at one place, jsonschema's relevance picks the most telling.
    error = min(errors, key=lambda e: (_document_position(data, e.absolute_path), _neg_relevance(e)))
    extra, reason = _explain(error)
    raise _error_at(data, filename, (*error.absolute_path, *extra), reason)


def _neg_relevance(error: ValidationError) -> tuple:
    key = relevance(error)
    return tuple(-k if isinstance(k, int | bool) else 0 for k in key)


def _document_position(data: Any, path: _Steps) -> tuple[int, ...]:
    position: list[int] = []
    node = data
    for step in path:
        if isinstance(node, dict):
            keys = list(node)
            position.append(keys.index(step) if step in node else len(keys))
        elif isinstance(node, list) and isinstance(step, int):
            position.append(step)
        else:
            break
        node = node[step]
    return tuple(position)


def _explain(error: ValidationError) -> tuple[tuple[str, ...], str]:
    """(path below the error's own, a sentence) for one schema error."""
    kind, expected, found = error.validator, error.validator_value, error.instance
    if kind == "required":
        missing = next((name for name in expected if name not in found), expected[0])
        return (missing,), "is required but missing"
    if kind == "additionalProperties":
        allowed = list(error.schema.get("properties", {}))
        unknown = next(key for key in found if key not in allowed)
        return (unknown,), f"is not a field of the format; allowed here: {', '.join(allowed)}"
    if kind == "type":
        wanted = expected if isinstance(expected, str) else " or ".join(expected)
        return (), f"must be {_SCHEMA_TYPE_WORDS.get(wanted, wanted)}, not {_type_word(found)}"
    if kind == "const":
        return (), f"must be {expected!r}, not {found!r}"
    if kind == "enum":
        return (), f"must be one of {', '.join(map(str, expected))}, not {found!r}"
    if kind == "pattern" and expected == package_schema()["$defs"]["slug"]["pattern"]:
        return (), (
            f"{found!r} is not a valid slug: use lowercase letters and digits, "
            "with single '-' or '_' between them"
        )
    if kind == "minLength":
        return (), "must not be empty" if expected == 1 else f"must be at least {expected} characters long"
    if kind == "maxLength":
        return (), f"is too long: {len(found)} characters, at most {expected} allowed"
    if kind == "minItems":
        return (), f"needs at least {expected} item{'s' if expected != 1 else ''}"
    if kind == "uniqueItems":
        repeated = next((x for i, x in enumerate(found) if x in found[:i]), None)
        return (), f"lists {repeated!r} more than once"
    if kind == "minimum":
        return (), f"must be at least {expected}, not {found}"
    if kind == "maximum":
        return (), f"must be at most {expected}, not {found}"
    return (), error.message


_SCHEMA_TYPE_WORDS = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
}


def _type_word(value: Any) -> str:
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"a string ({value!r})" if len(value) <= 40 else "a string"
    if isinstance(value, int | float):
        return f"a number ({value})"
    return f"a {type(value).__name__} ({value})"


# --- locating a problem --------------------------------------------------------------------
def _error_at(data: dict[str, Any], filename: str, path: _Steps, reason: str) -> CoursePackageError:
    item, field = _locate(data, path)
    return CoursePackageError(filename, reason, item=item, field=field)


def _item_name(data: dict[str, Any], section: str, index: int) -> str:
    noun = _SECTIONS[section]
    entries = data.get(section)
    entry = entries[index] if isinstance(entries, list) and index < len(entries) else None
    slug = entry.get("slug") if isinstance(entry, dict) else None
    if isinstance(slug, str) and slug:
        return f"{noun} '{slug}' ({section}[{index}])"
    return f"{noun} {section}[{index}]"


def _field_words(path: _Steps) -> str | None:
    words = ""
    for step in path:
        words += f"[{step}]" if isinstance(step, int) else (f".{step}" if words else str(step))
    return words or None


def _locate(data: dict[str, Any], path: _Steps) -> tuple[str | None, str | None]:
    """(item, field) words for a path into the package: the item is the course or one
    concept or exercise (slug and position), the field the rest of the path."""
    path = list(path)
    if path and path[0] == "course" and len(path) > 1:
        course = data.get("course")
        slug = course.get("slug") if isinstance(course, dict) else None
        item = f"course '{slug}'" if isinstance(slug, str) and slug else "course"
        return item, _field_words(path[1:])
    if len(path) > 1 and path[0] in _SECTIONS and isinstance(path[1], int):
        return _item_name(data, path[0], path[1]), _field_words(path[2:])
    return None, _field_words(path)


# --- rules the schema cannot express -----------------------------------------------------
def _check_settings(data: dict[str, Any], filename: str) -> None:
    """Per-course pedagogy settings are course data (``content.course_settings``); a key the
    tutor does not know or a value it cannot use would only fail later, in a student's
    practice session."""
    try:
        course_settings_check(data["course"].get("settings", {}))
    except ValueError as error:
        slug = data["course"].get("slug")
        raise CoursePackageError(filename, str(error), item=f"course '{slug}'", field="settings") from None


def _check_rules(data: dict[str, Any], filename: str) -> None:
    concepts: list[dict[str, Any]] = data["concepts"]
    exercises: list[dict[str, Any]] = data["exercises"]
    _check_settings(data, filename)

    def fail(section: str, index: int, field: str, reason: str) -> CoursePackageError:
        return CoursePackageError(filename, reason, item=_item_name(data, section, index), field=field)

    concept_slugs = _unique_slugs(concepts, "concepts", fail)
    for index, concept in enumerate(concepts):
        for slug in concept.get("prerequisites", []):
            if slug not in concept_slugs:
                raise fail(
                    "concepts",
                    index,
                    "prerequisites",
                    f"unknown concept {slug!r}; a prerequisite must be the slug of a concept in this package",
                )
    _check_acyclic(concepts, concept_slugs, fail)

    _unique_slugs(exercises, "exercises", fail)
    kinds = [kind.value for kind in ExerciseKind]
    for index, exercise in enumerate(exercises):
        kind = exercise["kind"]
        if kind not in kinds:
            allowed = ", ".join(kinds)
            raise fail("exercises", index, "kind", f"unknown exercise kind {kind!r}; allowed: {allowed}")
        for slug in exercise["concepts"]:
            if slug not in concept_slugs:
                raise fail(
                    "exercises",
                    index,
                    "concepts",
                    f"unknown concept {slug!r}; an exercise's concepts must be slugs of concepts "
                    "in this package",
                )
        for field, owner in _KIND_FIELDS.items():
            if field in exercise and kind != owner:
                raise fail(
                    "exercises",
                    index,
                    field,
                    f"only {_KIND_WORDS[owner]} exercises have '{field}'; this one is {_KIND_WORDS[kind]}",
                )
        problem = _kind_problem(kind, exercise)
        if problem is not None:
            raise fail("exercises", index, *problem)


def _unique_slugs(entries: list[dict[str, Any]], section: str, fail: _Fail) -> dict[str, int]:
    first: dict[str, int] = {}
    for index, entry in enumerate(entries):
        slug = entry["slug"]
        if slug in first:
            raise fail(
                section,
                index,
                "slug",
                f"duplicate {_SECTIONS[section]} slug {slug!r}, already used by {section}[{first[slug]}]",
            )
        first[slug] = index
    return first


def _check_acyclic(concepts: list[dict[str, Any]], positions: dict[str, int], fail: _Fail) -> None:
    # Edges run from a concept to what it needs, so the cycle reads the way the file is
    # written: "a -> b" means a lists b among its prerequisites.
    edges = [(c["slug"], p) for c in concepts for p in c.get("prerequisites", [])]
    cycle = find_cycle([c["slug"] for c in concepts], edges)
    if not cycle:
        return
    # Start the cycle at the concept that comes first in the file, so the message is stable.
    ring = cycle[:-1]
    start = min(range(len(ring)), key=lambda i: positions[ring[i]])
    ring = ring[start:] + ring[:start]
    raise fail(
        "concepts",
        positions[ring[0]],
        "prerequisites",
        f"prerequisite cycle {' -> '.join([*ring, ring[0]])} (each concept lists the next as a "
        "prerequisite); the prerequisite graph must not have cycles",
    )


def _kind_problem(kind: str, exercise: dict[str, Any]) -> tuple[str, str] | None:
    if kind == ExerciseKind.MULTIPLE_CHOICE:
        options = exercise.get("options", [])
        if len(options) < 2:
            return "options", (
                f"a multiple-choice exercise needs at least two options, this one has {len(options)}"
            )
        if not any(option.get("correct", False) for option in options):
            return "options", "a multiple-choice exercise needs at least one correct option"
    elif kind == ExerciseKind.NUMERIC:
        if "value" not in exercise:
            return "value", "a numeric exercise needs a value (the correct answer)"
    elif kind == ExerciseKind.FREE_TEXT:
        if not exercise.get("reference_answers"):
            return "reference_answers", "a free-text exercise needs at least one reference answer"
    return None
