"""Data Docs that open offline: GX's pages load Bootstrap, jQuery, Font Awesome and Vega from
CDNs and its logo from S3. Every such remote asset is removed (scripts, stylesheets, images, CSS
`url()`s), so a page renders from the run store alone. Links (`<a href>`) stay: they are
navigation, not assets a page needs to render.

No installed package ships local copies of those CDN assets: great_expectations ships only its
own stylesheet (which GX already inlines into every page), images and fonts under
`render/view/static/` (copied into `data_docs/static/` by GX), and nothing else in the
environment carries Bootstrap 4.3.1, bootstrap-table 1.19, bootstrap-datepicker 1.9.0,
bootstrap-dark 1.1.0, jQuery 3.7.1, Popper 1.12.9, Font Awesome 6.6.0 or Vega 5 / Vega-Lite 5 /
Vega-Embed 6. So instead of Bootstrap, each page links a small local stylesheet written beside
the pages (`static/styles/rswk_offline.css`): the grid, tables, badges, alerts, cards and
navigation that GX's markup uses, every tab and collapsed section shown (their switches need
Bootstrap's JavaScript), modals hidden, and text marks for the Font Awesome status icons.
GX's logo, which its navbar fetches from S3, points at the copy GX ships in `static/images/`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

REMOTE = r"(?:https?:)?//"
_REMOTE_SCRIPT = re.compile(
    rf"<script\b[^>]*\bsrc\s*=\s*[\"']{REMOTE}[^\"']*[\"'][^>]*>\s*</script\s*>", re.IGNORECASE
)
_REMOTE_LINK = re.compile(rf"<link\b[^>]*\bhref\s*=\s*[\"']{REMOTE}[^\"']*[\"'][^>]*/?>", re.I)
_REMOTE_IMG_SRC = re.compile(rf"(<img\b[^>]*\bsrc\s*=\s*)([\"'])({REMOTE}[^\"']*)\2", re.I)
_REMOTE_CSS_URL = re.compile(rf"url\(\s*[\"']?{REMOTE}[^)\"']*[\"']?\s*\)", re.IGNORECASE)
_REMOTE_IMPORT = re.compile(rf"@import\s+(?:url\()?\s*[\"']?{REMOTE}[^;]*;", re.IGNORECASE)
# A tiny transparent GIF stands in for remote logos.
_BLANK_IMAGE = "data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw=="

OFFLINE_CSS = """/* rswk: stands in for the CDN stylesheets of GX Data Docs (validation/docs.py) */
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#212529;
line-height:1.5}
a{color:#0056b3}
.container-fluid{padding:0 1rem}.row{display:flex;flex-wrap:wrap;margin:0 -.5rem}
[class*="col-"]{box-sizing:border-box;padding:0 .5rem;width:100%}
@media(min-width:768px){.col-md-2{width:16.6667%}.col-md-10{width:83.3333%}
.d-md-block{display:block!important}.d-md-inline-flex{display:inline-flex!important}}
@media(min-width:992px){.col-lg-2{width:16.6667%}.col-lg-10{width:83.3333%}}
.col-6{width:50%}.d-none{display:none}.d-flex{display:flex}.flex-column{flex-direction:column}
.h-100{height:100%}.float-left{float:left}.text-center{text-align:center}
.invisible{visibility:hidden}.sticky-top,.sticky{position:sticky;top:0}
.fixed-bottom,.modal,.fade:not(.show):not(.tab-pane),.close{display:none}
.tab-content>.tab-pane,.collapse,.collapse:not(.show){display:block}
.navbar{display:flex;align-items:center;gap:1rem;padding:.5rem 1rem;border-bottom:1px solid #dee2e6;
background:#f8f9fa}.navbar-brand{font-weight:600}
.nav{list-style:none;padding-left:0;margin:0}.nav-link{display:block;padding:.2rem .5rem}
.nav-tabs,.nav-pills{display:flex;gap:.5rem;border-bottom:1px solid #dee2e6}
.breadcrumb{display:flex;list-style:none;padding:.5rem 0;margin:0}
.breadcrumb-item+.breadcrumb-item::before{content:"/";padding:0 .5rem;color:#6c757d}
.table{border-collapse:collapse;width:100%;margin-bottom:1rem}
.table td,.table th{border-top:1px solid #dee2e6;padding:.3rem .5rem;vertical-align:top;
text-align:left}.table-responsive{overflow-x:auto}
.badge{display:inline-block;padding:.2em .45em;font-size:80%;font-weight:600;border-radius:.25rem;
background:#e9ecef}.badge-secondary{background:#6c757d;color:#fff}
.badge-warning{background:#ffc107}
.alert{padding:.4rem .75rem;margin:.25rem 0;border:1px solid transparent;border-radius:.25rem}
.alert-secondary{background:#e2e3e5}.alert-warning{background:#fff3cd}
.alert-info{background:#d1ecf1}
.card{border:1px solid #dee2e6;border-radius:.25rem;margin:.5rem 0}
.card-header{padding:.5rem .75rem;background:#f8f9fa;border-bottom:1px solid #dee2e6}
.card-body{padding:.75rem}
.btn{display:inline-block;padding:.25rem .6rem;border:1px solid #6c757d;border-radius:.25rem;
background:#fff;color:#212529;text-decoration:none}.btn-primary{background:#007bff;color:#fff}
.text-success{color:#28a745}.text-danger{color:#dc3545}.text-warning{color:#b8860b}
.text-muted{color:#6c757d}.bg-light{background:#f8f9fa}.lead{font-size:1.15rem}
code,pre{background:#f6f6f6;padding:0 .2em}
.fas::before{font-style:normal;font-weight:700}
.fa-check-circle::before{content:"\\2714"}.fa-times::before,.fa-times-circle::before{content:"\\2716"}
.fa-question-circle::before{content:"?"}
.m-0{margin:0}.m-1{margin:.25rem}.m-2{margin:.5rem}.mt-0{margin-top:0}.mt-1{margin-top:.25rem}
.mb-0{margin-bottom:0}.mb-1{margin-bottom:.25rem}.mb-2{margin-bottom:.5rem}
.mb-3{margin-bottom:1rem}.mb-4{margin-bottom:1.5rem}.ml-1{margin-left:.25rem}
.ml-2{margin-left:.5rem}.mr-2{margin-right:.5rem}.p-0{padding:0}.p-1{padding:.25rem}
.p-2{padding:.5rem}.p-3{padding:1rem}.px-0{padding-left:0;padding-right:0}
.pt-4{padding-top:1.5rem}.pb-4{padding-bottom:1.5rem}.pb-1{padding-bottom:.25rem}
"""
OFFLINE_CSS_PATH = Path("static") / "styles" / "rswk_offline.css"
_OFFLINE_LINK = '<link rel="stylesheet" href="{href}" data-rswk-offline>'

# What the test (and `remote_assets`) looks for: any asset reference to another host.
_ASSET_REFERENCE = re.compile(
    rf"<(?:script|img|iframe|source|video|audio|embed)\b[^>]*\bsrc\s*=\s*[\"']{REMOTE}"
    rf"|<link\b[^>]*\bhref\s*=\s*[\"']{REMOTE}"
    rf"|url\(\s*[\"']?{REMOTE}"
    rf"|@import\s+(?:url\()?\s*[\"']?{REMOTE}",
    re.IGNORECASE,
)


def make_offline(
    html: str, stylesheet: str | None = None, local_images: Mapping[str, str] | None = None
) -> str:
    """`html` without remote assets, with the offline stylesheet in its head: a link to
    `stylesheet` (a path relative to the page), or without one the stylesheet inlined.

    A remote image whose file name is in `local_images` (name -> path relative to the page:
    GX's logo, which GX also copies into `static/images/`) points at the local copy; any other
    becomes a blank inline image.
    """
    images = local_images or {}

    def local_image(match: re.Match[str]) -> str:
        name = match.group(3).split("?")[0].split("#")[0].rsplit("/", 1)[-1]
        return f"{match.group(1)}{match.group(2)}{images.get(name, _BLANK_IMAGE)}{match.group(2)}"

    html = _REMOTE_SCRIPT.sub("", html)
    html = _REMOTE_LINK.sub("", html)
    html = _REMOTE_IMG_SRC.sub(local_image, html)
    html = _REMOTE_IMPORT.sub("", html)
    html = _REMOTE_CSS_URL.sub("none", html)
    if "</head>" in html and "data-rswk-offline" not in html:
        head = (
            _OFFLINE_LINK.format(href=stylesheet)
            if stylesheet is not None
            else f"<style data-rswk-offline>{OFFLINE_CSS}</style>"
        )
        html = html.replace("</head>", head + "</head>", 1)
    return html


def make_site_offline(root: Path) -> int:
    """Rewrite every HTML and CSS file under `root` and write the offline stylesheet beside
    them; returns how many files changed."""
    css = root / OFFLINE_CSS_PATH
    css.parent.mkdir(parents=True, exist_ok=True)
    css.write_text(OFFLINE_CSS, encoding="utf-8")
    changed = 0
    for path in sorted([*root.rglob("*.html"), *root.rglob("*.css")]):
        if path == css:
            continue
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".html":
            href = Path(os.path.relpath(css, path.parent)).as_posix()
            images = {
                image.name: Path(os.path.relpath(image, path.parent)).as_posix()
                for image in sorted((root / "static" / "images").glob("*"))
            }
            new = _repair_static_paths(make_offline(text, href, images), path, root)
        else:
            new = _offline_css(text)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed += 1
    return changed


_STATIC_REFERENCE = re.compile(r"""((?:src|href)\s*=\s*["'])((?:\.\./|\./)*static/[^"']+)(["'])""")


def _repair_static_paths(html: str, page: Path, root: Path) -> str:
    """Point `static/...` references that miss at the site's `static/` folder.

    GX counts a validation page's depth without its `__none__` folder, so its favicon link goes
    one `../` short and resolves outside the site.
    """

    def repair(match: re.Match[str]) -> str:
        reference = match.group(2)
        if (page.parent / reference).is_file():
            return match.group(0)
        target = root / reference[reference.index("static/") :]
        if not target.is_file():
            return match.group(0)
        fixed = Path(os.path.relpath(target, page.parent)).as_posix()
        return f"{match.group(1)}{fixed}{match.group(3)}"

    return _STATIC_REFERENCE.sub(repair, html)


def _offline_css(css: str) -> str:
    return _REMOTE_CSS_URL.sub("none", _REMOTE_IMPORT.sub("", css))


def remote_assets(root: Path) -> list[str]:
    """`file: reference` for every remote asset still referenced under `root` (should be none)."""
    found = []
    for path in sorted([*root.rglob("*.html"), *root.rglob("*.css")]):
        for match in _ASSET_REFERENCE.finditer(path.read_text(encoding="utf-8")):
            found.append(f"{path.relative_to(root)}: {match.group(0)[:80]}")
    return found


_LOCAL_REFERENCE = re.compile(
    r"<(?:script|img|iframe|source|video|audio|embed)\b[^>]*\bsrc\s*=\s*[\"']([^\"']+)[\"']"
    r"|<link\b[^>]*\bhref\s*=\s*[\"']([^\"']+)[\"']"
    r"|url\(\s*[\"']?([^)\"']+)[\"']?\s*\)",
    re.IGNORECASE,
)


def missing_local_assets(root: Path) -> list[str]:
    """`file: reference` for every local asset a page or stylesheet under `root` references
    that is not there (should be none); remote and inline (`data:`) references are skipped."""
    missing = []
    for path in sorted([*root.rglob("*.html"), *root.rglob("*.css")]):
        for match in _LOCAL_REFERENCE.finditer(path.read_text(encoding="utf-8")):
            reference = next(g for g in match.groups() if g is not None).strip()
            if re.match(r"^(?:[a-z][a-z0-9+.-]*:|//|#)", reference, re.IGNORECASE):
                continue
            target = (path.parent / reference.split("?")[0].split("#")[0]).resolve()
            if not target.is_file():
                missing.append(f"{path.relative_to(root)}: {reference}")
    return missing
