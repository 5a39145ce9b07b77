"""Fails (exit 1) when a code cell of an executed notebook that plots shows no image.

A cell plots when its source calls plt.show(); with the wrong matplotlib backend such a
cell runs without error and silently shows nothing, which this check catches.
usage: check_notebook_images.py EXECUTED.ipynb
"""
import json
import sys

notebook = json.load(open(sys.argv[1]))
missing = []
for index, cell in enumerate(notebook["cells"]):
    if cell["cell_type"] != "code" or "plt.show()" not in "".join(cell["source"]):
        continue
    if not any("image/png" in output.get("data", {}) for output in cell.get("outputs", [])):
        missing.append(index)
if missing:
    sys.exit(f"{sys.argv[1]}: plotting cells {missing} produced no image")
