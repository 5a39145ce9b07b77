"""A %%cpp cell magic: the cell is C++, compiled against eigenformer and run.

    %load_ext cpp_magic
    %%cpp [--name NAME] [--timeout SECONDS] [--args "ARGS"]
    <C++ code>

A cell without its own `int main` is wrapped in one (with the umbrella header,
`using namespace eigenformer;` and the speed call tune_process_for_speed()), so a lesson cell can be a few
statements. The program is compiled with g++ -O2 against ../include and Eigen
(a precompiled umbrella header saves re-parsing it per cell, and the library's
common instances, GPT<float> and its layers, are compiled once and linked: see
include/eigenformer/prebuilt.hpp), cached until the cell or any header changes,
and run in notebooks/output/ with a timeout. Its
output is shown as it arrives; a compile error or a non-zero exit fails the
cell (so `jupyter nbconvert --execute` fails too).

--name keeps the program under that name, so Python can run it again with other
arguments: run_program(NAME, *args). run_example(NAME, *args) builds and runs a
CMake example (for training that takes longer than a cell should).
"""
import hashlib
import os
import shlex
import subprocess
import sys
import threading
from pathlib import Path


NOTEBOOKS = Path(__file__).resolve().parent
ROOT = NOTEBOOKS.parent
INCLUDE = ROOT / "include"
BUILD = NOTEBOOKS / ".build"
OUTPUT = NOTEBOOKS / "output"
FLAGS = ["-std=c++20", "-O2", "-march=native", "-fopenmp", "-Wall", "-Wno-maybe-uninitialized", "-Wno-uninitialized",
         # GCC before 12.3 (Debian 12's) with AVX-512 miscompiles small aggregates with its SLP
         # vectorizer (tests/core/test_compiler.cpp); the CMake build turns it off there too
         # (cmake/eigenformerSpeed.cmake); here it is off for every GCC, the cells being small
         "-fno-tree-slp-vectorize"]
UMBRELLA = "eigenformer/eigenformer.hpp"


def _headers_digest():
    digest = hashlib.sha256()
    for header in sorted(INCLUDE.rglob("*.hpp")):
        digest.update(str(header.relative_to(INCLUDE)).encode())
        digest.update(header.read_bytes())
    return digest.hexdigest()[:16]


def _run(command, timeout=None, cwd=None, stream=False):
    if not stream:
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=cwd)
        return result.returncode, result.stdout + result.stderr
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=cwd,
                               bufsize=1)
    try:
        for line in process.stdout:
            print(line, end="", flush=True)
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        raise RuntimeError(f"{command[0]} ran longer than {timeout} s and was stopped")
    return process.returncode, ""


def _precompiled_library(headers):
    """Once per version of the headers: the umbrella header precompiled, with the common
    instances declared extern (eigenformer/prebuilt.hpp), and the objects that define
    them (prebuilt/*.cpp), built side by side. Returns the header and the objects."""
    directory = BUILD / f"pch-{headers}"
    header = directory / "eigenformer_pch.hpp"
    outputs = {header.with_name(header.name + ".gch"): ["-x", "c++-header", str(header)]}
    for source in sorted((ROOT / "prebuilt").glob("*.cpp")):
        outputs[directory / f"prebuilt_{source.stem}.o"] = ["-c", str(source)]
    if not all(output.exists() for output in outputs):
        directory.mkdir(parents=True, exist_ok=True)
        header.write_text(f"#include <{UMBRELLA}>\n#include <eigenformer/prebuilt.hpp>\n")
        jobs = {output: subprocess.Popen(["g++", *FLAGS, "-I", str(INCLUDE), "-isystem", "/usr/include/eigen3", *args,
                                          "-o", f"{output}.partial"], stdout=subprocess.PIPE,
                                         stderr=subprocess.STDOUT, text=True)
                for output, args in outputs.items()}
        for output, job in jobs.items():
            log = job.communicate()[0]
            if job.returncode != 0:
                raise RuntimeError(f"building {output.name} failed:\n" + log)
            Path(f"{output}.partial").rename(output)  # whole or absent: an interrupted build starts again
    return header, [output for output in outputs if output.suffix == ".o"]


def compile_program(source, name=None, include_directories=()):
    """Compiles C++ source (wrapped in main() when it has none); returns the program's path."""
    includes = [flag for directory in include_directories for flag in ("-iquote", str(directory))]
    if "int main" not in source:
        source = ("#include <iostream>\n#include <eigenformer/eigenformer.hpp>\nusing namespace eigenformer;\n"
                  "int main() {\n  tune_process_for_speed();\n" + source + "\n  return 0;\n}\n")
    headers = _headers_digest()
    key = hashlib.sha256((headers + " ".join(FLAGS + includes) + source).encode()).hexdigest()[:16]
    BUILD.mkdir(parents=True, exist_ok=True)
    program = BUILD / f"cell-{key}"
    if not program.exists():
        # Written and linked under names of their own, then renamed: the cache holds whole files
        # only, even when a build is interrupted or two threads (exercise.py --prove) build the
        # same program.
        partial = program.with_name(f"{program.name}.{os.getpid()}-{threading.get_ident()}.partial")
        cpp = program.with_suffix(".cpp")
        partial.with_suffix(".cpp").write_text(source)
        partial.with_suffix(".cpp").replace(cpp)
        pch, prebuilt = _precompiled_library(headers)
        status, output = _run(["g++", *FLAGS, *includes, "-include", str(pch), "-I", str(INCLUDE), "-isystem",
                               "/usr/include/eigen3", str(cpp), *map(str, prebuilt), "-o", str(partial)])
        if status != 0:
            partial.unlink(missing_ok=True)
            raise RuntimeError("the cell did not compile:\n" + output)
        partial.rename(program)
    if name:
        link = BUILD / name
        link.unlink(missing_ok=True)
        link.symlink_to(program.name)
        return link
    return program


def run_program(name, *args, timeout=600):
    """Runs a program an earlier %%cpp --name NAME cell compiled, in notebooks/output/."""
    OUTPUT.mkdir(exist_ok=True)
    status, _ = _run([str(BUILD / name), *map(str, args)], timeout=timeout, cwd=OUTPUT, stream=True)
    if status != 0:
        raise RuntimeError(f"{name} exited with status {status}")


def run_example(name, *args, timeout=900):
    """Builds the CMake example `name` (examples/NAME.cpp) and runs it in notebooks/output/."""
    build = ROOT / "build"
    for command in (["cmake", "-S", str(ROOT), "-B", str(build), "-DCMAKE_BUILD_TYPE=Release"],
                    ["cmake", "--build", str(build), "--target", name, "-j", str(os.cpu_count() or 1)]):
        status, output = _run(command)
        if status != 0:
            raise RuntimeError(f"building example {name} failed:\n" + output)
    OUTPUT.mkdir(exist_ok=True)
    status, _ = _run([str(build / "examples" / name), *map(str, args)], timeout=timeout, cwd=OUTPUT, stream=True)
    if status != 0:
        raise RuntimeError(f"example {name} exited with status {status}")


def cpp(line, cell):
    options = shlex.split(line)
    name, timeout, args = None, 300, []
    while options:
        option = options.pop(0)
        if option == "--name":
            name = options.pop(0)
        elif option == "--timeout":
            timeout = float(options.pop(0))
        elif option == "--args":
            args = shlex.split(options.pop(0))
        else:
            raise ValueError(f"%%cpp: unknown option {option} (--name, --timeout, --args)")
    program = compile_program(cell, name)
    OUTPUT.mkdir(exist_ok=True)
    status, _ = _run([str(program), *args], timeout=timeout, cwd=OUTPUT, stream=True)
    if status != 0:
        raise RuntimeError(f"the program exited with status {status}")


def load_ipython_extension(ipython):
    ipython.register_magic_function(cpp, "cell", "cpp")
