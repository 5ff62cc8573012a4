"""The prerequisite graph as a picture: a layered layout drawn as inline SVG.

No graph library is needed for course-sized graphs: concepts are put in layers by the
length of their longest prerequisite chain, ordered inside a layer by the mean position
of their prerequisites (one barycentre sweep, enough to untangle most course graphs),
and edges are drawn from prerequisite to dependent. The same drawing serves the admin's
read-only picture and, with per-concept colours, the student's progress page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Node:
    key: str
    label: str
    x: float
    y: float


@dataclass(frozen=True)
class GraphPicture:
    width: int
    height: int
    nodes: tuple[Node, ...]
    edges: tuple[tuple[str, str], ...]  # (prerequisite, dependent)


NODE_W, NODE_H, GAP_X, GAP_Y, MARGIN = 180, 46, 28, 44, 16


def find_cycle(nodes: Iterable[str], edges: Iterable[tuple[str, str]]) -> list[str] | None:
    """A cycle as a closed list of keys (``[a, b, a]``) following ``edges``, or None.

    ``edges`` are (prerequisite, dependent) pairs: a cycle means a concept needs itself.
    """
    successors: dict[str, list[str]] = {n: [] for n in nodes}
    for src, dst in edges:
        successors.setdefault(src, []).append(dst)
        successors.setdefault(dst, [])
    white, grey, black = 0, 1, 2
    colour = dict.fromkeys(successors, white)
    for start in successors:
        if colour[start] != white:
            continue
        stack: list[tuple[str, Iterable[str]]] = [(start, iter(successors[start]))]
        path = [start]
        colour[start] = grey
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                path.pop()
                colour[node] = black
            elif colour[child] == grey:
                return path[path.index(child) :] + [child]
            elif colour[child] == white:
                colour[child] = grey
                stack.append((child, iter(successors[child])))
                path.append(child)
    return None


def layout(labels: Mapping[str, str], edges: Iterable[tuple[str, str]]) -> GraphPicture:
    """Lay out an acyclic graph; ``labels`` keeps the curriculum order of the keys."""
    edges = tuple((a, b) for a, b in edges if a in labels and b in labels)
    prereqs: dict[str, list[str]] = {k: [] for k in labels}
    for src, dst in edges:
        prereqs[dst].append(src)
    depth: dict[str, int] = {}

    def depth_of(key: str, seen: frozenset[str] = frozenset()) -> int:
        if key not in depth:
            if key in seen:  # defensive: callers validate acyclicity first
                return 0
            depth[key] = 1 + max((depth_of(p, seen | {key}) for p in prereqs[key]), default=-1)
        return depth[key]

    layers: dict[int, list[str]] = {}
    for key in labels:
        layers.setdefault(depth_of(key), []).append(key)
    position: dict[str, float] = {}
    for level in sorted(layers):
        members = layers[level]
        if level > 0:
            order = {k: i for i, k in enumerate(members)}
            members.sort(
                key=lambda k: (
                    sum(position[p] for p in prereqs[k]) / len(prereqs[k]) if prereqs[k] else 1e9,
                    order[k],
                )
            )
        for i, key in enumerate(members):
            position[key] = float(i)
    # Top to bottom: course graphs are deeper than they are wide, and pages are tall.
    n_layers = max(layers) + 1 if layers else 1
    widest = max((len(m) for m in layers.values()), default=1)
    width = MARGIN * 2 + widest * NODE_W + (widest - 1) * GAP_X
    height = MARGIN * 2 + n_layers * NODE_H + (n_layers - 1) * GAP_Y
    nodes = []
    for level, members in layers.items():
        offset = (widest - len(members)) * (NODE_W + GAP_X) / 2
        for i, key in enumerate(members):
            x = MARGIN + offset + i * (NODE_W + GAP_X)
            y = MARGIN + level * (NODE_H + GAP_Y)
            nodes.append(Node(key=key, label=labels[key], x=x, y=y))
    return GraphPicture(width=width, height=height, nodes=tuple(nodes), edges=edges)


def _wrap(label: str, width: int = 22) -> list[str]:
    words, lines, line = label.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    return lines[:2] if len(lines) <= 2 else [lines[0], lines[1][: width - 1] + "…"]


def to_svg(
    picture: GraphPicture,
    *,
    fills: Mapping[str, str] | None = None,
    captions: Mapping[str, str] | None = None,
    links: Mapping[str, str] | None = None,
    title: str = "Prerequisite graph",
) -> str:
    """Inline SVG; ``fills`` colours nodes, ``captions`` adds a small second line
    (e.g. a mastery figure), ``links`` makes nodes clickable."""
    fills = fills or {}
    captions = captions or {}
    links = links or {}
    by_key = {n.key: n for n in picture.nodes}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="concept-graph" role="img" '
        f'viewBox="0 0 {picture.width} {picture.height}" width="{picture.width}" '
        f'height="{picture.height}" aria-label="{escape(title)}"><title>{escape(title)}</title>',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" '
        'fill="#64748b"/></marker></defs>',
    ]
    for src, dst in picture.edges:
        a, b = by_key[src], by_key[dst]
        x1, y1 = a.x + NODE_W / 2, a.y + NODE_H
        x2, y2 = b.x + NODE_W / 2, b.y
        mid = (y1 + y2) / 2
        parts.append(
            f'<path d="M {x1:.0f} {y1:.0f} C {x1:.0f} {mid:.0f}, {x2:.0f} {mid:.0f}, {x2:.0f} {y2:.0f}" '
            'fill="none" stroke="#64748b" stroke-width="1.5" marker-end="url(#arrow)"/>'
        )
    for node in picture.nodes:
        fill = fills.get(node.key, "#eef2ff")
        lines = _wrap(node.label)
        caption = captions.get(node.key)
        open_tag, close_tag = "", ""
        if node.key in links:
            open_tag, close_tag = f'<a href="{escape(links[node.key])}">', "</a>"
        parts.append(
            f'{open_tag}<g class="concept-node" data-concept="{escape(node.key)}">'
            f'<rect x="{node.x:.0f}" y="{node.y:.0f}" width="{NODE_W}" height="{NODE_H}" rx="8" '
            f'fill="{escape(fill)}" stroke="#334155"/>'
        )
        total = len(lines) + (1 if caption else 0)
        for i, line in enumerate(lines):
            y = node.y + NODE_H / 2 + (i - (total - 1) / 2) * 13 + 4
            parts.append(
                f'<text x="{node.x + NODE_W / 2:.0f}" y="{y:.0f}" text-anchor="middle" '
                f'font-size="12" font-family="system-ui, sans-serif" fill="#0f172a">{escape(line)}</text>'
            )
        if caption:
            y = node.y + NODE_H / 2 + (len(lines) - (total - 1) / 2) * 13 + 4
            parts.append(
                f'<text x="{node.x + NODE_W / 2:.0f}" y="{y:.0f}" text-anchor="middle" font-size="11" '
                f'font-family="system-ui, sans-serif" fill="#334155">{escape(caption)}</text>'
            )
        parts.append(f"</g>{close_tag}")
    parts.append("</svg>")
    return "".join(parts)
