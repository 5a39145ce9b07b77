"""The reading view: every header of include/eigenformer as a page, comments as prose beside the code.

    /usr/bin/python3 scripts/reading_view.py OUT     (scripts/reading_view.sh builds and checks it)

Each page pairs every run of `//` comment lines with the code that follows it: the comment on the
left as prose, the code on the right, highlighted (Pygments). The comment conventions (README,
"Reading the source"):
  - a blank comment line separates paragraphs;
  - a line indented two spaces more than the comment is a display line (a formula, a table, a
    shape), kept as written in a fixed-width block;
  - \\( ... \\) is inline LaTeX and \\[ ... \\] display LaTeX, rendered by MathJax (Debian's
    libjs-mathjax, offline);
  - `code` is code; a header named in a comment (kv_cache.hpp, fast/gemm.hpp) is a link to it.
In the code, every #include of the library and every library type name links to its page. The
index lists the headers in reading order (core, nn, model, optim, train, text, data, tasks, io, analysis,
then the rest), each folder's headers ordered so that a header comes after those it includes, and
links the notebooks and exercises (rendered to HTML, unexecuted).
"""
import html
import os
import re
import subprocess
import sys
from pathlib import Path

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import CppLexer

ROOT = Path(__file__).resolve().parent.parent
INCLUDE = ROOT / "include"
MATHJAX = Path("/usr/share/javascript/mathjax")
READING_ORDER = ["core", "nn", "model", "optim", "train", "text", "data", "tasks", "io", "analysis", "fast", "tools", "dist", ""]
STYLE = """
body { font-family: Georgia, serif; margin: 0; color: #222; }
header { padding: 0.8em 1.5em; background: #f4f1ea; border-bottom: 1px solid #ddd; font-family: sans-serif; }
header a { margin-right: 1.2em; }
h1 { font-size: 1.4em; margin: 0.2em 0; font-family: monospace; }
table.reading { border-collapse: collapse; width: 100%; }
td { vertical-align: top; padding: 0.4em 1.2em; border-bottom: 1px solid #f0f0f0; }
td.prose { width: 40%; font-size: 0.95em; line-height: 1.45; background: #fcfbf8; }
td.code { width: 60%; }
td.code pre { margin: 0; font-size: 0.82em; line-height: 1.35; white-space: pre-wrap; }
pre.display { background: #f4f1ea; padding: 0.3em 0.6em; font-size: 0.85em; white-space: pre-wrap; }
code { background: #f4f1ea; padding: 0 0.2em; }
a.type, a.include { color: inherit; text-decoration: underline dotted; }
.index li { margin: 0.25em 0; }
.index { padding: 0 1.5em 2em; font-family: sans-serif; max-width: 60em; }
"""
MATHJAX_CONFIG = """<script type="text/x-mathjax-config">
MathJax.Hub.Config({tex2jax: {inlineMath: [['\\\\(', '\\\\)']], displayMath: [['\\\\[', '\\\\]']],
                              processEscapes: false}, messageStyle: "none"});
</script>"""


def headers():
    return sorted(p.relative_to(INCLUDE).as_posix() for p in INCLUDE.rglob("*.hpp"))


def includes_of(header):
    text = (INCLUDE / header).read_text()
    return re.findall(r'#include "(eigenformer/[\w/]+\.hpp)"', text)


def reading_order(all_headers):
    """Folders in READING_ORDER; inside one, a header after the headers of that folder it includes."""
    ordered = []
    for folder in READING_ORDER:
        members = [h for h in all_headers if Path(h).parent.as_posix() == ("eigenformer/" + folder).rstrip("/")]
        placed = set()

        def place(h, path=()):
            if h in placed or h in path:
                return
            for dependency in sorted(includes_of(h)):
                if dependency in members:
                    place(dependency, path + (h,))
            placed.add(h)
            ordered.append(h)

        for h in members:
            place(h)
    missing = set(all_headers) - set(ordered)
    assert not missing, f"headers outside the reading order: {missing}"
    return ordered


def declared_types(all_headers):
    """Type and concept names -> the header that defines them (the first definition wins)."""
    types = {}
    pattern = re.compile(r"^\s*(?:template\s*<.*>\s*)?(?:class|struct|concept)\s+(\w+)\s*(?:final\s*)?(?:[:{=]|$)",
                         re.M)
    for h in all_headers:
        for name in pattern.findall((INCLUDE / h).read_text()):
            types.setdefault(name, h)
    return types


def page_of(header):
    return header[: -len(".hpp")] + ".html"


def relative(target, source_page):
    return os.path.relpath(target, os.path.dirname(source_page) or ".")


def split_runs(text):
    """[(comment lines, code lines)]: each run of whole-line comments with the code after it."""
    rows, comment, code = [], [], []
    for line in text.splitlines():
        if line.strip().startswith("//"):
            if code:
                rows.append((comment, code))
                comment, code = [], []
            comment.append(line)
        else:
            code.append(line)
    rows.append((comment, code))
    return [(c, k) for c, k in rows if c or any(line.strip() for line in k)]


def prose_html(comment_lines, page, all_headers):
    """Comment lines -> paragraphs, display blocks and math, with header names linked."""
    texts = [re.sub(r"^\s*///?!?<? ?", "", line) for line in comment_lines]
    blocks, paragraph, display = [], [], []

    def flush():
        if paragraph:
            blocks.append("<p>" + inline(" ".join(paragraph), page, all_headers) + "</p>")
            paragraph.clear()
        if display:
            blocks.append('<pre class="display">' + html.escape("\n".join(display)) + "</pre>")
            display.clear()

    in_display_math = False  # inside \\[ ... \\] spread over lines: every line is the equation's
    for text in texts:
        if in_display_math:
            paragraph.append(text.strip())
        elif not text.strip():
            flush()
        elif text.startswith("  "):
            if paragraph:
                flush()
            display.append(text[2:])
        else:
            if display:
                flush()
            paragraph.append(text.strip())
        in_display_math = text.count("\\[") > text.count("\\]") or (in_display_math and "\\]" not in text)
    flush()
    return "\n".join(blocks)


def inline(text, page, all_headers):
    """Escapes text; `code` becomes <code>; a header named in it becomes a link to its page."""
    parts = re.split(r"(`[^`]+`)", text)
    out = []
    for part in parts:
        if part.startswith("`") and part.endswith("`") and len(part) > 1:
            out.append("<code>" + link_headers(html.escape(part[1:-1]), page, all_headers) + "</code>")
        else:
            out.append(link_headers(html.escape(part, quote=False), page, all_headers))
    return "".join(out)


def resolve(name, page_header, all_headers):
    """A header named as in a comment (kv_cache.hpp, fast/gemm.hpp) -> its path, or None."""
    for candidate in (str(Path(page_header).parent / name), "eigenformer/" + name, name):
        if candidate in all_headers:
            return candidate
    return None


def link_headers(escaped, page_header, all_headers):
    def replace(match):
        target = resolve(match.group(0), page_header, all_headers)
        if not target:
            return match.group(0)
        return f'<a class="include" href="{relative(page_of(target), page_of(page_header))}">{match.group(0)}</a>'

    return re.sub(r"\b[\w/]+\.hpp\b", replace, escaped)


def code_html(code_lines, header, all_headers, types):
    code = "\n".join(code_lines).strip("\n")
    if not code:
        return ""
    highlighted = highlight(code, CppLexer(), HtmlFormatter(nowrap=True))
    page = page_of(header)

    def link_include(match):
        target = match.group(2)
        if target not in all_headers:
            return match.group(0)
        return (f'{match.group(1)}<a class="include" href="{relative(page_of(target), page)}">&quot;{target}&quot;</a>'
                f"{match.group(3)}")

    highlighted = re.sub(r'(<span class="cpf">)&quot;(eigenformer/[\w/]+\.hpp)&quot;(</span>)', link_include, highlighted)

    def link_type(match):
        name = match.group(2)
        target = types.get(name)
        if not target or target == header:
            return match.group(0)
        return f'<a class="type" href="{relative(page_of(target), page)}">{match.group(0)}</a>'

    highlighted = re.sub(r'(<span class="(?:n|nc|nn|nl)">)(\w+)(</span>)', link_type, highlighted)
    return '<pre class="highlight">' + highlighted + "</pre>"


def page(title, body, depth, extra_head=""):
    up = "../" * depth
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>\n"
            f"<style>{STYLE}{HtmlFormatter().get_style_defs('.highlight')}</style>\n{MATHJAX_CONFIG}\n"
            f'<script src="{up}mathjax/MathJax.js?config=TeX-AMS_CHTML"></script>{extra_head}</head>\n'
            f"<body>{body}</body></html>\n")


def header_page(header, order, all_headers, types):
    index = order.index(header)
    depth = header.count("/")
    up = "../" * depth
    navigation = [f'<a href="{up}index.html">index</a>']
    if index > 0:
        navigation.append(f'<a href="{relative(page_of(order[index - 1]), page_of(header))}">&larr; {order[index - 1]}</a>')
    if index + 1 < len(order):
        navigation.append(f'<a href="{relative(page_of(order[index + 1]), page_of(header))}">{order[index + 1]} &rarr;</a>')
    rows = []
    for comment, code in split_runs((INCLUDE / header).read_text()):
        rows.append(f'<tr><td class="prose">{prose_html(comment, header, all_headers)}</td>'
                    f'<td class="code">{code_html(code, header, all_headers, types)}</td></tr>')
    body = (f"<header>{' '.join(navigation)}<h1>include/{header}</h1></header>\n"
            f'<table class="reading">\n' + "\n".join(rows) + "\n</table>")
    return page(header, body, depth)


def first_comment_line(header):
    for line in (INCLUDE / header).read_text().splitlines():
        if line.startswith("//"):
            return line.lstrip("/ ").strip()
    return ""


def render_notebooks(out):
    """Every notebook and exercise as HTML (unexecuted: the text, the code, no outputs)."""
    pages = []
    for folder in ("notebooks", "notebooks/exercises"):
        for notebook in sorted((ROOT / folder).glob("*.ipynb")):
            target = out / folder
            target.mkdir(parents=True, exist_ok=True)
            subprocess.run(["/usr/bin/jupyter", "nbconvert", "--to", "html", "--output-dir", str(target), str(notebook)],
                           check=True, capture_output=True)
            pages.append((folder, notebook.stem, f"{folder}/{notebook.stem}.html"))
    return pages


def index_page(order, notebook_pages):
    sections = []
    for folder in READING_ORDER:
        members = [h for h in order if Path(h).parent.as_posix() == ("eigenformer/" + folder).rstrip("/")]
        items = "".join(f'<li><a href="{page_of(h)}"><code>{h}</code></a>: {html.escape(first_comment_line(h))}</li>'
                        for h in members)
        sections.append(f"<h2>{folder or 'the umbrella'}</h2><ol>{items}</ol>")
    for folder, title in (("notebooks", "Notebooks"), ("notebooks/exercises", "Exercises")):
        items = "".join(f'<li><a href="{href}">{name}</a></li>' for f, name, href in notebook_pages if f == folder)
        sections.append(f"<h2>{title}</h2><ol>{items}</ol>")
    body = ('<header><h1>eigenformer, the source as a book</h1>Every header in reading order: each folder\'s '
            "headers after the ones they build on. Comments on the left, the code they explain on the right."
            f'</header><div class="index">{"".join(sections)}</div>')
    return page("eigenformer: the source as a book", body, 0)


def main(out):
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    mathjax = out / "mathjax"
    if not mathjax.exists():
        mathjax.symlink_to(MATHJAX)
    all_headers = headers()
    order = reading_order(all_headers)
    types = declared_types(all_headers)
    for header in order:
        target = out / page_of(header)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(header_page(header, order, all_headers, types))
    (out / "index.html").write_text(index_page(order, render_notebooks(out)))
    print(f"reading view: {len(order)} headers, {len(types)} linked type names -> {out / 'index.html'}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: /usr/bin/python3 scripts/reading_view.py OUT")
    main(sys.argv[1])
