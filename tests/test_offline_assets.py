"""What the pages load works offline: no CDN, no model hub, no map or font server."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
URL = re.compile(r"""(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}[^\s"'`)<>]*""")
# XML namespace names (identifiers, never fetched) and the licence notices the MIT
# licence asks us to keep.
ALLOWED = re.compile(
    r"^(?:https?:)?//(?:www\.w3\.org/|github\.com/voidqk/polybooljs$|getify\.mit-license\.org$|syntheti\.cc$)"
)


def _remote_urls(path: Path) -> list[str]:
    return [u for u in URL.findall(path.read_text(encoding="utf-8")) if not ALLOWED.match(u)]


def test_the_vendored_plotly_names_no_remote_host():
    assert _remote_urls(ROOT / "static" / "vendor" / "plotly.min.js") == []


def test_templates_and_scripts_load_nothing_from_another_host():
    files = [
        *(ROOT / "templates").rglob("*.html"),
        *(ROOT / "static" / "js").rglob("*.js"),
        *(ROOT / "static" / "css").rglob("*.css"),
    ]
    found = {str(f.relative_to(ROOT)): _remote_urls(f) for f in files}
    assert {name: urls for name, urls in found.items() if urls} == {}
