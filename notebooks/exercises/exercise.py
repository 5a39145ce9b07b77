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
import re
import subprocess
import sys
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


def prove():
    """The three-way proof of every grader; returns the number of broken expectations."""
    broken = 0

    def expect(label, passed, output, want_pass, want_text=""):
        nonlocal broken
        ok = passed == want_pass and want_text in output
        broken += not ok
        print(f"{'ok    ' if ok else 'BROKEN'} {label}" + ("" if ok else f"\n{output}"), flush=True)

    stubs = list(_stubs())
    if not stubs:
        print("BROKEN no %%exercise cells found")
        return 1
    for notebook, name, stub in stubs:
        solution = (HERE / "solutions" / f"{name}.cpp").read_text()
        passed, output = grade_code(name, solution)
        expect(f"{name}: the solution passes every check", passed, output, True)
        passed, output = grade_code(name, stub)
        expect(f"{name}: the stub in {notebook} compiles and fails its checks", passed, output, False, "\nFAIL  ")
        planted = sorted((HERE / "planted_bugs").glob(f"{name}.*.bug"))
        if not planted:
            broken += 1
            print(f"BROKEN {name}: no planted bugs")
        for bug in planted:
            try:
                wanted, code = planted_bug(bug, solution)
            except ValueError as error:
                broken += 1
                print(f"BROKEN {bug.name}: {error}")
                continue
            passed, output = grade_code(name, code)
            expect(f"{name}: planted bug {bug.stem.split('.', 1)[1]} fails with \"{wanted}\"", passed, output, False,
                   wanted)
    print(f"\n{len(stubs)} exercises; {'every grader proven' if not broken else f'{broken} expectations broken'}")
    return broken


if __name__ == "__main__":
    if sys.argv[1:] != ["--prove"]:
        sys.exit("usage: /usr/bin/python3 notebooks/exercises/exercise.py --prove")
    sys.exit(1 if prove() else 0)
