"""A small course for the assistant's tests: three concepts with passages, exercises with
hints, worked examples and answer keys (numeric, multiple choice, free text)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from content.models import ExerciseKind
from tests.factories import (
    ChoiceFactory,
    ConceptFactory,
    CourseFactory,
    ExerciseFactory,
    HintFactory,
    PassageFactory,
    ReferenceAnswerFactory,
)
from tutor.assistant import services


@dataclass
class MiniCourse:
    course: object
    closed: object
    short: object
    voltage: object
    two_cells: object  # numeric, 3.0 V
    one_cell: object  # numeric, 1.5 V
    short_choice: object  # multiple choice
    closed_text: object  # free text


@pytest.fixture
def mini(db) -> MiniCourse:
    course = CourseFactory(slug="mini-circuits", title="Mini circuits")
    closed = ConceptFactory(
        course=course,
        slug="closed-paths",
        name="Closed paths",
        order=1,
        description="A bulb lights when it is in a closed path with the battery.",
    )
    short = ConceptFactory(
        course=course,
        slug="short-circuits",
        name="Short circuits",
        order=2,
        description="A short circuit is a closed path with the battery and no bulb.",
    )
    voltage = ConceptFactory(
        course=course,
        slug="voltage",
        name="Voltage",
        order=3,
        description="Voltage is a difference in electrical state between two terminals.",
    )
    PassageFactory(
        concept=closed,
        title="What makes a bulb light?",
        body=(
            "A bulb lights only when current flows around a closed path. A closed path is an unbroken loop "
            "from one battery terminal, through the bulb, and back to the other battery terminal.\n\n"
            "If both bulb wires go to the same battery terminal, nothing happens."
        ),
    )
    PassageFactory(
        concept=short,
        title="Short circuits",
        body=(
            "A short circuit happens when a wire joins the battery terminals with no bulb in the path. "
            "A very large current flows, the battery gets hot and it can be damaged."
        ),
    )
    PassageFactory(
        concept=voltage,
        title="What voltage is",
        body=(
            "Voltage is the difference in electrical states between two terminals. An ordinary AA cell gives "
            "1.5 volts. A voltmeter measures the voltage between the two points its leads touch."
        ),
    )
    two_cells = ExerciseFactory(
        course=course,
        slug="two-cells",
        kind=ExerciseKind.NUMERIC,
        title="Two cells",
        prompt="Two 1.5 V cells are joined in series. What voltage do they give together?",
        numeric_value=3.0,
        numeric_tolerance=0.0,
        unit="V",
        concepts=[voltage],
        worked_example="1. Each cell gives its voltage.\n2. In series the voltages add.\n3. Answer: 3.0 V.",
    )
    one_cell = ExerciseFactory(
        course=course,
        slug="one-cell",
        kind=ExerciseKind.NUMERIC,
        title="One cell",
        prompt="What does a voltmeter read across a single new AA cell?",
        numeric_value=1.5,
        numeric_tolerance=0.0,
        unit="V",
        concepts=[voltage],
        worked_example="1. Put a lead on each terminal.\n2. Answer: 1.5 V.",
    )
    HintFactory(exercise=one_cell, text="What is written on the cell's label?", order=0)
    HintFactory(exercise=one_cell, text="Think of what one ordinary cell gives on its own.", order=1)
    HintFactory(exercise=two_cells, text="Cells in series add up.", order=0)
    short_choice = ExerciseFactory(
        course=course,
        slug="short-choice",
        kind=ExerciseKind.MULTIPLE_CHOICE,
        title="Spot the short circuit",
        prompt="Which circuit is a short circuit?",
        concepts=[short],
        worked_example="1. Find the battery.\n2. Follow its closed path.\n3. No bulb in it: a short.",
    )
    ChoiceFactory(
        exercise=short_choice, text="A wire joins the two battery terminals directly", is_correct=True
    )
    ChoiceFactory(exercise=short_choice, text="A bulb is wired across the battery", is_correct=False)
    HintFactory(exercise=short_choice, text="Look for a path with no bulb.", order=0)
    closed_text = ExerciseFactory(
        course=course,
        slug="closed-text",
        kind=ExerciseKind.FREE_TEXT,
        title="When does a bulb light?",
        prompt="What makes a bulb light up?",
        concepts=[closed],
        worked_example="1. Current needs a loop.\n2. The bulb must be in it.",
    )
    ReferenceAnswerFactory(
        exercise=closed_text, text="there is a closed path containing both the bulb and the battery"
    )
    services._knowledge.clear()
    return MiniCourse(course, closed, short, voltage, two_cells, one_cell, short_choice, closed_text)
