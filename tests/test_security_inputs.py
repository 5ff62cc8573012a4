"""No 5xx from any input: bounded pagination, one validation of answers on every path, and
every API error as JSON in the documented shape."""

from __future__ import annotations

import jsonschema
import pytest
import yaml

from content.models import ExerciseKind
from students.models import Attempt
from tests.factories import ConceptFactory, CourseFactory, ExerciseFactory, ReferenceAnswerFactory

pytestmark = pytest.mark.django_db

LIST_ENDPOINTS = ["/api/courses/", "/api/courses/elec/concepts/", "/api/courses/elec/exercises/"]


@pytest.fixture
def course():
    course = CourseFactory(slug="elec")
    concept = ConceptFactory(course=course)
    exercise = ExerciseFactory(course=course, slug="why", kind=ExerciseKind.FREE_TEXT, concepts=[concept])
    ReferenceAnswerFactory(exercise=exercise, text="Because the path is closed.")
    return course


# --- pagination ---------------------------------------------------------------------------------
@pytest.mark.parametrize("url", LIST_ENDPOINTS)
@pytest.mark.parametrize(
    "query, parameter",
    [
        ("limit=9223372036854775808", "limit"),
        ("limit=0", "limit"),
        ("limit=-1", "limit"),
        ("limit=abc", "limit"),
        ("limit=501", "limit"),
        ("offset=9223372036854775808", "offset"),
        ("offset=-5", "offset"),
        ("offset=1e3", "offset"),
    ],
)
def test_a_limit_or_offset_out_of_range_is_a_400_naming_the_parameter_and_its_range(
    teacher_client, course, url, query, parameter
):
    response = teacher_client.get(f"{url}?{query}")

    assert response.status_code == 400
    body = response.json()
    assert parameter in body["errors"]
    assert f"{parameter} must be an integer from" in body["detail"]


def test_a_limit_in_range_pages_the_list(teacher_client, course):
    CourseFactory(slug="other")

    body = teacher_client.get("/api/courses/?limit=1&offset=1").json()

    assert body["count"] == 2 and len(body["results"]) == 1


def test_the_schema_states_the_pagination_bounds(teacher_client):
    schema = yaml.safe_load(teacher_client.get("/api/schema/").content)

    parameters = {p["name"]: p for p in schema["paths"]["/api/courses/"]["get"]["parameters"]}
    assert parameters["limit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 500}
    assert parameters["offset"]["schema"]["minimum"] == 0
    assert "400" in schema["paths"]["/api/courses/"]["get"]["responses"]


# --- answers: one validation for forms and the API ------------------------------------------
def _form_answer(client, course, text: str):
    client.get(f"/learn/courses/{course.slug}/practice/")
    exercise = course.exercises.get()
    return client.post(
        f"/learn/courses/{course.slug}/practice/answer/", {"exercise": exercise.pk, "text": text}, follow=True
    )


def test_a_nul_character_in_a_form_answer_is_refused_with_a_message_and_nothing_stored(
    student_client, course
):
    response = _form_answer(student_client, course, "abc\x00def")

    assert response.status_code == 200
    assert "contains a NUL character at position 4" in response.content.decode()
    assert Attempt.objects.count() == 0


def test_a_control_character_in_an_api_answer_gets_the_same_message(student_client, course):
    sid = student_client.post("/api/practice/sessions/", {"course": "elec"}, content_type="application/json")
    sid = sid.json()["id"]
    exercise = student_client.get(f"/api/practice/sessions/{sid}/next/").json()["exercise"]["id"]

    response = student_client.post(
        f"/api/practice/sessions/{sid}/answer/",
        {"exercise": exercise, "text": "abc\x07def"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "contains the control character U+0007 at position 4" in response.json()["detail"]
    assert Attempt.objects.count() == 0


def test_newlines_and_tabs_are_kept_and_line_ends_normalised(student_client, course):
    response = _form_answer(student_client, course, "  first line\r\n\tsecond  ")

    assert response.status_code == 200
    assert Attempt.objects.get().response == {"text": "first line\n\tsecond"}


# --- API errors: JSON, one shape -----------------------------------------------------------
def test_a_refused_field_answers_detail_and_a_field_map(student_client, course):
    response = student_client.post("/api/practice/sessions/", {"course": ""}, content_type="application/json")

    assert response.status_code == 400
    body = response.json()
    assert body["detail"].startswith("course:")
    assert list(body["errors"]) == ["course"]


def test_a_non_integer_id_answers_a_json_404(student_client):
    response = student_client.get("/api/exercises/not-a-number/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()


def test_an_unknown_api_address_answers_json_also_in_debug_mode(student_client, settings):
    settings.DEBUG = True

    response = student_client.get("/api/no-such-thing/")

    assert response.status_code == 404
    assert response.json()["detail"]


def test_a_body_over_the_size_limit_answers_a_json_400(student_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = student_client.post("/api/practice/sessions/", {"course": "x" * 5000})

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]


def test_pages_outside_the_api_keep_their_html_error_pages(student_client):
    response = student_client.get("/learn/courses/no-such-course/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_every_api_operation_documents_its_errors_as_the_error_shape(teacher_client):
    schema = yaml.safe_load(teacher_client.get("/api/schema/").content)

    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "403" in responses, f"{method} {path}"
            if "{" in path:
                assert "404" in responses, f"{method} {path}"
            for code in ("400", "403", "404", "409"):
                if code in responses:
                    content = responses[code]["content"]["application/json"]["schema"]
                    assert content == {"$ref": "#/components/schemas/Error"}, f"{code} {method} {path}"
    assert set(schema["components"]["schemas"]["Error"]["properties"]) == {"detail", "errors"}


# --- NUL in the address -------------------------------------------------------------------------
def test_a_nul_in_the_admins_search_is_a_400_not_a_database_error(admin_client_):
    response = admin_client_.get("/admin/content/course/?q=abc%00def")

    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_a_nul_in_an_api_query_is_a_json_400(student_client):
    response = student_client.get("/api/courses/?limit=1%00")

    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]


def _json_schema(node):
    """OpenAPI 3.0's ``nullable`` as JSON Schema's null type (as schemathesis reads it)."""
    if isinstance(node, list):
        return [_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: _json_schema(v) for k, v in node.items()}
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


def test_an_exercise_for_staff_matches_exactly_one_shape_of_the_schema(teacher_client, course):
    schema = yaml.safe_load(teacher_client.get("/api/schema/").content)
    components = _json_schema(schema["components"]["schemas"])
    by_role = {"$ref": "#/components/schemas/ExerciseByRole", "components": {"schemas": components}}
    body = teacher_client.get(f"/api/exercises/{course.exercises.get().pk}/").json()

    validator = jsonschema.Draft202012Validator(by_role)
    assert not list(validator.iter_errors(body)), "a staff exercise must match ExerciseByRole once"


def test_input_the_database_cannot_take_is_a_400_even_where_a_view_let_it_through(
    student_client, monkeypatch
):
    # A stand-in for a view that forgot to bound a number (SQLite raises OverflowError,
    # PostgreSQL a DataError): the handler is the last line of defence.
    def overflowing(user):
        raise OverflowError("Python int too large to convert to SQLite INTEGER")

    monkeypatch.setattr("content.selectors.visible_courses", overflowing)

    response = student_client.get("/api/courses/")

    assert response.status_code == 400
    assert "out of the range" in response.json()["detail"]
