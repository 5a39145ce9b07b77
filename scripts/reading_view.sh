#!/usr/bin/env bash
# The reading view: every header as a page (comments as prose beside the code, LaTeX as math,
# every #include and library type a link), an index in reading order, the notebooks as HTML;
# then checked in headless Chromium (no console message, the math rendered, every link resolves)
# with a screenshot of attention's page kept.
# Usage: scripts/reading_view.sh [OUT]     (default build-reading/; open OUT/index.html)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-dependencies.sh python3-pygments libjs-mathjax chromium jupyter-nbconvert
out=${1:-build-reading}
/usr/bin/python3 scripts/reading_view.py "$out"
/usr/bin/python3 scripts/check_reading_view.py "$out"
