#!/usr/bin/env python3
"""The house without back-arrows: a header includes only headers of its own folder or of a
folder below it. The folders, bottom to top (written down here and in the README's map,
which this script also checks):

  core      types, errors, Rng, parameters, the layer contract, files, batches
  fast      the products and kernels the layers call
  nn        the layers, their config and the KV cache
  text      tokenizers and the chat format
  tools     what a model may call
  model     GPT, sampling, the decode loop, the engine
  io        checkpoints (of models)
  optim     optimizers and schedules
  data      the data pipeline: token streams, shards, windows
  train     the training loop
  analysis  probes and proportions
  tasks     the lesson worlds (sorting, induction, instructions, people and cities, ...)
  dist      many processes training one model

Usage: check_layering.py [ROOT]   exit 1 listing every include that points up
"""
import re
import sys
from pathlib import Path

ORDER = ["core", "fast", "nn", "text", "tools", "model", "io", "optim", "data", "train", "analysis", "tasks", "dist"]
INCLUDE = re.compile(r'^#include "eigenformer/([a-z_]+)/([^"]+)"', re.M)


def violations(root):
    rank = {folder: i for i, folder in enumerate(ORDER)}
    found = []
    headers = root / "include" / "eigenformer"
    for header in sorted(headers.glob("*/*.hpp")):
        folder = header.parent.name
        if folder not in rank:
            found.append(f"{header.relative_to(root)}: folder '{folder}' is not in the order {ORDER}")
            continue
        for match in INCLUDE.finditer(header.read_text()):
            target = match.group(1)
            if target not in rank or rank[target] > rank[folder]:
                found.append(f"{header.relative_to(root)} includes eigenformer/{target}/{match.group(2)}: "
                             f"{target}/ is above {folder}/ (bottom to top: {' < '.join(ORDER)})")
    return found


def readme_order(root):
    """The folders of the README's map of include/eigenformer/, in the order listed."""
    text = (root / "README.md").read_text()
    block = text[re.search(r"^include/eigenformer/ ", text, re.M).start():]
    block = block[:block.index("```")]
    return [m.group(1) for m in re.finditer(r"^  ([a-z_]+)/ ", block, re.M)]


def main():
    root = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent)
    problems = violations(root)
    listed = readme_order(root)
    if listed != ORDER:
        problems.append(f"README.md's map lists {listed}; the layering is {ORDER} (bottom to top)")
    for problem in problems:
        print(problem)
    print(f"layering: {len(problems)} problem(s)" if problems else "layering: every include points down")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
