"""Checks the reading view in a real browser: headless Chromium loads every page of it.

    /usr/bin/python3 scripts/check_reading_view.py OUT

For the index and every header's page: no console message at all (an error, a failed load,
a MathJax complaint), and where the page holds LaTeX, MathJax's output in the DOM after it ran.
For every page, notebooks included: every link and script resolves to a file. Keeps a screenshot
of attention's page (OUT/screenshot-causal_self_attention.png). Exit status 1 on any failure.
"""
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import unquote

CHROMIUM = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--enable-logging=stderr",
            "--v=0", "--virtual-time-budget=20000"]


def browse(page):
    """(console messages, the DOM after scripts ran) of one page."""
    result = subprocess.run([*CHROMIUM, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    return re.findall(r":CONSOLE:\d+\] (.*)", result.stderr), result.stdout


def check_page(page):
    problems = []
    messages, dom = browse(page)
    problems += [f"console: {message}" for message in messages]
    text = re.sub(r"<script.*?</script>", "", page.read_text(), flags=re.S)  # the page's text, not its MathJax setup
    if re.search(r"\\\(|\\\[", text) and "MathJax_CHTML" not in dom:
        problems.append("the page holds LaTeX but MathJax rendered none of it")
    if not dom.strip():
        problems.append("the browser returned no DOM")
    return problems


def broken_links(page):
    """Every href and src that is a relative path must name an existing file."""
    broken = []
    for target in re.findall(r'(?:href|src)="([^"#]+)', page.read_text()):
        if re.match(r"[a-z]+:", target):
            continue  # an absolute URL (a notebook's CDN): not ours to check offline
        path = (page.parent / unquote(target.split("?")[0])).resolve()
        if not path.exists():
            broken.append(target)
    return broken


def main(out):
    out = Path(out).resolve()
    ours = [out / "index.html"] + sorted((out / "eigenformer").rglob("*.html"))
    everything = sorted(out.rglob("*.html"))
    failures = 0
    for page in everything:
        for target in broken_links(page):
            failures += 1
            print(f"FAIL {page.relative_to(out)}: the link {target} leads nowhere")
    with ThreadPoolExecutor(max_workers=2) as pool:
        for page, problems in zip(ours, pool.map(check_page, ours)):
            for problem in problems:
                failures += 1
                print(f"FAIL {page.relative_to(out)}: {problem}")
    attention = out / "eigenformer/nn/causal_self_attention.html"
    screenshot = out / "screenshot-causal_self_attention.png"
    subprocess.run([*CHROMIUM, "--window-size=1400,1100", f"--screenshot={screenshot}", attention.as_uri()],
                   capture_output=True, timeout=120, check=True)
    print(f"reading view: {len(ours)} pages loaded in Chromium, {len(everything)} pages' links checked, "
          f"{failures} problems; screenshot {screenshot}")
    return failures


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: /usr/bin/python3 scripts/check_reading_view.py OUT")
    sys.exit(1 if main(sys.argv[1]) else 0)
