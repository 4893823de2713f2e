"""Data Docs that open offline: GX's pages load Bootstrap, jQuery, Font Awesome and Vega from
CDNs and its logo from S3. Every such remote asset is removed (scripts, stylesheets, images, CSS
`url()`s) and a small stylesheet is inlined instead, so a page renders from the run store alone.
Links (`<a href>`) stay: they are navigation, not assets a page needs to render.
"""

from __future__ import annotations

import re
from pathlib import Path

REMOTE = r"(?:https?:)?//"
_REMOTE_SCRIPT = re.compile(
    rf"<script\b[^>]*\bsrc\s*=\s*[\"']{REMOTE}[^\"']*[\"'][^>]*>\s*</script\s*>", re.IGNORECASE
)
_REMOTE_LINK = re.compile(rf"<link\b[^>]*\bhref\s*=\s*[\"']{REMOTE}[^\"']*[\"'][^>]*/?>", re.I)
_REMOTE_IMG_SRC = re.compile(rf"(<img\b[^>]*\bsrc\s*=\s*)([\"']){REMOTE}[^\"']*\2", re.I)
_REMOTE_CSS_URL = re.compile(rf"url\(\s*[\"']?{REMOTE}[^)\"']*[\"']?\s*\)", re.IGNORECASE)
_REMOTE_IMPORT = re.compile(rf"@import\s+(?:url\()?\s*[\"']?{REMOTE}[^;]*;", re.IGNORECASE)
# A tiny transparent GIF stands in for remote logos.
_BLANK_IMAGE = "data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw=="

OFFLINE_STYLE = """<style>/* inlined by rswk: the CDN stylesheets are removed for offline use */
body{font-family:system-ui,sans-serif;margin:1rem 2rem;color:#222}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.2rem .5rem;
vertical-align:top}.collapse:not(.show){display:block}.text-danger{color:#b00}
.text-success{color:#070}.card{border:1px solid #ddd;margin:.5rem 0;padding:.5rem}
nav,.navbar{margin-bottom:1rem}code,pre{background:#f6f6f6}</style>"""

# What the test (and `remote_assets`) looks for: any asset reference to another host.
_ASSET_REFERENCE = re.compile(
    rf"<(?:script|img|iframe|source|video|audio|embed)\b[^>]*\bsrc\s*=\s*[\"']{REMOTE}"
    rf"|<link\b[^>]*\bhref\s*=\s*[\"']{REMOTE}"
    rf"|url\(\s*[\"']?{REMOTE}"
    rf"|@import\s+(?:url\()?\s*[\"']?{REMOTE}",
    re.IGNORECASE,
)


def make_offline(html: str) -> str:
    """`html` without remote assets, with the offline stylesheet in its head."""
    html = _REMOTE_SCRIPT.sub("", html)
    html = _REMOTE_LINK.sub("", html)
    html = _REMOTE_IMG_SRC.sub(
        lambda m: f"{m.group(1)}{m.group(2)}{_BLANK_IMAGE}{m.group(2)}", html
    )
    html = _REMOTE_IMPORT.sub("", html)
    html = _REMOTE_CSS_URL.sub("none", html)
    if "</head>" in html:
        html = html.replace("</head>", OFFLINE_STYLE + "</head>", 1)
    return html


def make_site_offline(root: Path) -> int:
    """Rewrite every HTML and CSS file under `root`; returns how many files changed."""
    changed = 0
    for path in sorted([*root.rglob("*.html"), *root.rglob("*.css")]):
        text = path.read_text(encoding="utf-8")
        new = make_offline(text) if path.suffix == ".html" else _offline_css(text)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed += 1
    return changed


def _offline_css(css: str) -> str:
    return _REMOTE_CSS_URL.sub("none", _REMOTE_IMPORT.sub("", css))


def remote_assets(root: Path) -> list[str]:
    """`file: reference` for every remote asset still referenced under `root` (should be none)."""
    found = []
    for path in sorted([*root.rglob("*.html"), *root.rglob("*.css")]):
        for match in _ASSET_REFERENCE.finditer(path.read_text(encoding="utf-8")):
            found.append(f"{path.relative_to(root)}: {match.group(0)[:80]}")
    return found
