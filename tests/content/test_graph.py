from __future__ import annotations

from content.graph import find_cycle, layout, to_svg


def test_find_cycle_names_the_concepts_in_order():
    edges = [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")]

    cycle = find_cycle(["a", "b", "c", "d"], edges)

    assert cycle is not None
    assert cycle[0] == cycle[-1]
    assert set(cycle) == {"a", "b", "c"}
    assert len(cycle) == 4


def test_find_cycle_returns_none_for_a_dag():
    assert find_cycle(["a", "b", "c"], [("a", "b"), ("a", "c"), ("b", "c")]) is None


def test_layout_puts_prerequisites_in_earlier_layers():
    picture = layout({"a": "A", "b": "B", "c": "C"}, [("a", "b"), ("b", "c"), ("a", "c")])
    y = {n.key: n.y for n in picture.nodes}

    assert y["a"] < y["b"] < y["c"]


def test_svg_escapes_labels_and_draws_every_edge():
    svg = to_svg(layout({"a": "<script>", "b": "B"}, [("a", "b")]), captions={"b": "80%"})

    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert svg.count("marker-end") == 1
    assert "80%" in svg
