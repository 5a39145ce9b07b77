"""Graded exercises: the student's C++ in a %%exercise cell, checked by grade(NAME).

    %load_ext exercise
    %%exercise softmax
    <the functions the exercise asks for>

    grade("softmax")

grade compiles the cell's code inside `namespace student` (with the library and
`using namespace eigenformer`) together with graders/NAME.cpp, and runs it: each check
prints PASS or FAIL, a FAIL with the first wrong element, what was expected there and a
hint. A failing check is the student's to fix, not an error of the notebook: only code
that does not compile or crashes is reported as such.

Solutions live in solutions/NAME.cpp, apart from the notebooks. CI proves every grader
(`/usr/bin/python3 notebooks/exercises/exercise.py --prove`, run by scripts/exercises.sh):
the solution passes every check, the notebook's untouched stub fails, and each planted bug
fails with its expected hint in the output: a grader that could not tell right from wrong
would fail CI. A planted bug (planted_bugs/NAME.BUG.bug) is one mistake made in the solution,
so it proves the grader catches exactly that change:

    expect: TEXT THE GRADER'S OUTPUT MUST HOLD
    --- replace
    <lines of solutions/NAME.cpp, found exactly once>
    +++ with
    <what the mistaken student wrote instead (may be nothing)>
    (more --- replace / +++ with pairs if the mistake spans places)
"""
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
import cpp_magic  # noqa: E402  (the compiler, its precompiled header and cache)

_cells = {}  # exercise name -> the code of its %%exercise cell, as last run


def program_source(name, code):
    """The student's code in namespace student, then the grader's checks and main."""
    grader = HERE / "graders" / f"{name}.cpp"
    return (f'#include <eigenformer/eigenformer.hpp>\n#include "grader.hpp"\n'
            f"namespace student {{\nusing namespace eigenformer;\n#line 1 \"your {name} cell\"\n{code}\n}}\n"
            f'#line 1 "{grader}"\n{grader.read_text()}')


def grade_code(name, code, timeout=120):
    """Compiles and runs the grader on `code`; returns (every check passed, what it printed)."""
    try:
        program = cpp_magic.compile_program(program_source(name, code), include_directories=[HERE])
    except RuntimeError as error:
        return False, f"your code did not compile:\n{error}"
    try:
        result = subprocess.run([str(program)], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return False, f"the checks ran longer than {timeout} s: is there a loop that never ends?"
    output = result.stdout + result.stderr
    if result.returncode < 0:
        output += f"\nyour code crashed (signal {-result.returncode}) in the check after the last line above"
    return result.returncode == 0, output


def exercise(line, cell):
    name = line.strip()
    if not (HERE / "graders" / f"{name}.cpp").exists():
        raise ValueError(f"%%exercise: no exercise named '{name}'")
    _cells[name] = cell
    print(f"saved: run grade(\"{name}\") to check it")


def grade(name):
    if name not in _cells:
        raise RuntimeError(f"run the %%exercise {name} cell first")
    passed, output = grade_code(name, _cells[name])
    print(output)


def load_ipython_extension(ipython):
    ipython.register_magic_function(exercise, "cell", "exercise")
    ipython.push({"grade": grade})


def _stubs():
    """(notebook, exercise name, the stub as the notebook ships it) for every %%exercise cell."""
    for notebook in sorted(HERE.glob("*.ipynb")):
        for cell in json.loads(notebook.read_text())["cells"]:
            source = "".join(cell["source"])
            match = re.match(r"%%exercise (\w+)\n", source)
            if cell["cell_type"] == "code" and match:
                yield notebook.name, match.group(1), source[match.end():]


def planted_bug(path, solution):
    """(the hint expected, the solution with the bug's replacements made) of a .bug file."""
    lines = path.read_text().splitlines()
    if not lines or not lines[0].startswith("expect: "):
        raise ValueError("its first line must be expect: TEXT")
    changes, mode = [], None
    for line in lines[1:]:
        if line == "--- replace":
            changes.append(([], []))
            mode = 0
        elif line == "+++ with" and changes:
            mode = 1
        elif mode is None:
            raise ValueError("a change starts with --- replace")
        else:
            changes[-1][mode].append(line)
    if not changes:
        raise ValueError("it changes nothing")
    code = solution
    for old, new in changes:
        old_text = "\n".join(old)
        if code.count(old_text) != 1:
            raise ValueError(f"its lines to replace occur {code.count(old_text)} times in the solution, not once:\n{old_text}")
        code = code.replace(old_text, "\n".join(new))
    return lines[0][len("expect: "):], code


def _proofs():
    """Every expectation of the proof, as (label, exercise, code, should pass, text its output must hold);
    a malformed exercise or .bug file is an expectation broken already, with no code."""
    stubs = list(_stubs())
    if not stubs:
        yield "no %%exercise cells found", None, None, True, ""
    for notebook, name, stub in stubs:
        solution = (HERE / "solutions" / f"{name}.cpp").read_text()
        yield f"{name}: the solution passes every check", name, solution, True, ""
        yield f"{name}: the stub in {notebook} compiles and fails its checks", name, stub, False, "\nFAIL  "
        planted = sorted((HERE / "planted_bugs").glob(f"{name}.*.bug"))
        if not planted:
            yield f"{name}: no planted bugs", None, None, True, ""
        for bug in planted:
            try:
                wanted, code = planted_bug(bug, solution)
            except ValueError as error:
                yield f"{bug.name}: {error}", None, None, True, ""
                continue
            yield f"{name}: planted bug {bug.stem.split('.', 1)[1]} fails with \"{wanted}\"", name, code, False, wanted


def prove():
    """The three-way proof of every grader; returns the number of broken expectations.
    The first program is built alone (it builds the precompiled library once), the rest one
    per core at a time; results print in order."""
    proofs = list(_proofs())

    def check(proof):
        label, name, code, want_pass, want_text = proof
        if name is None:
            return False, f"BROKEN {label}"
        passed, output = grade_code(name, code)
        ok = passed == want_pass and want_text in output
        return ok, f"ok     {label}" if ok else f"BROKEN {label}\n{output}"

    results = [check(proofs[0])]
    print(results[0][1], flush=True)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        for ok, line in pool.map(check, proofs[1:]):
            print(line, flush=True)
            results.append((ok, line))
    broken = sum(not ok for ok, _ in results)
    exercises = len(list(_stubs()))
    print(f"\n{exercises} exercises; {'every grader proven' if not broken else f'{broken} expectations broken'}")
    return broken

if __name__ == "__main__":
    if sys.argv[1:] != ["--prove"]:
        sys.exit("usage: /usr/bin/python3 notebooks/exercises/exercise.py --prove")
    sys.exit(1 if prove() else 0)
