"""An import-linter contract type: apps import each other only through their doors.

ARCHITECTURE.md: "An app may use the apps to its right, never to its left, and only through
their doors (``services``, ``selectors``, or an ``api.py`` that re-exports them)". The
``layers`` contract checks the direction; this one checks the doors, for every module that
exists now or is added later (a list of forbidden internals would miss a new one).

Configured in ``pyproject.toml`` ([tool.importlinter]); ``make lint`` runs it.
"""

from __future__ import annotations

from grimp import ImportGraph
from importlinter import Contract, ContractCheck, fields, output


class DoorsContract(Contract):
    """Options:
    - ``apps``: the top-level packages whose borders are checked;
    - ``doors``: the module names (direct children of an app) that other apps may import;
    - ``ignore_imports`` (optional): ``importer -> imported`` pairs allowed past the doors,
      each with its reason in the configuration; one that no longer exists breaks the
      contract, so an exception cannot outlive its need.
    """

    type_name = "doors"

    apps = fields.ListField(subfield=fields.StringField())
    doors = fields.ListField(subfield=fields.StringField())
    ignore_imports = fields.ListField(subfield=fields.StringField(), required=False)

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        apps = set(self.apps)  # type: ignore[arg-type]
        doors = set(self.doors)  # type: ignore[arg-type]
        allowed = {tuple(part.strip() for part in pair.split("->")) for pair in (self.ignore_imports or [])}  # type: ignore[union-attr]
        used: set[tuple[str, str]] = set()
        broken: list[dict] = []
        for app in sorted(apps):
            for module in sorted(graph.find_descendants(app) | {app}):
                for imported in sorted(graph.find_modules_directly_imported_by(module)):
                    target = imported.split(".")[0]
                    if target == app or target not in apps:
                        continue
                    parts = imported.split(".")
                    if len(parts) == 2 and parts[1] in doors:
                        continue
                    if len(parts) == 1:  # ``from students import services`` resolves to the door
                        continue
                    if (module, imported) in allowed:
                        used.add((module, imported))
                        continue
                    lines = [
                        d["line_number"] for d in graph.get_import_details(importer=module, imported=imported)
                    ]
                    broken.append({"importer": module, "imported": imported, "lines": lines})
        stale = sorted(allowed - used)
        return ContractCheck(kept=not broken and not stale, metadata={"broken": broken, "stale": stale})

    def render_broken_contract(self, check: ContractCheck) -> None:
        doors = ", ".join(sorted(self.doors))  # type: ignore[arg-type]
        output.print_error(f"Imports into another app that bypass its doors ({doors}):", bold=False)
        output.new_line()
        for link in check.metadata["broken"]:
            lines = ", ".join(map(str, link["lines"]))
            output.print_error(f"- {link['importer']} -> {link['imported']} (l.{lines})", bold=False)
            output.new_line()
        for importer, imported in check.metadata["stale"]:
            output.print_error(
                f"- ignored import that no longer exists: {importer} -> {imported}", bold=False
            )
            output.new_line()
