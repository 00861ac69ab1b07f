"""Exercise notebooks are generated from solution notebooks (`make exercises`).

In `solutions/NN-slug.ipynb` every answer sits between `### BEGIN SOLUTION` and
`### END SOLUTION`; in `exercises/NN-slug.ipynb` each such region becomes

    # YOUR CODE HERE
    raise NotImplementedError

at the region's indentation. The generator also writes the unit into the metadata of both
notebooks (`metadata.dlbook.unit`), strips outputs, and keeps cell ids and tags as they are.

Cell tags (design §10): `exercise` (student code; the grader runs these), `check` (calls
`check(fn)`), `demo` (anything else). The first code cell is tagged `exercise` and `setup`
and sets `check.unit`.
"""
import re
import sys
from pathlib import Path

import nbformat

from dlbook.units import ROOT, unit

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB = "# YOUR CODE HERE\n{indent}raise NotImplementedError"
TAGS = {"exercise", "check", "demo"}
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}


def unit_of(path):
    m = re.match(r"^(\d\d[a-z]?)-", Path(path).name)
    if not m:
        raise ValueError(f"{path}: notebook names start with the unit number, e.g. 01-logistic-regression.ipynb")
    return unit(m.group(1)).number


def strip_solutions(source):
    """Replace every BEGIN/END SOLUTION region by a stub at the region's indentation."""
    out, inside, indent = [], False, ""
    for line in source.split("\n"):
        stripped = line.strip()
        if stripped == BEGIN:
            if inside:
                raise ValueError("nested '### BEGIN SOLUTION'")
            inside, indent = True, line[: len(line) - len(line.lstrip())]
            out.append(indent + STUB.format(indent=indent))
        elif stripped == END:
            if not inside:
                raise ValueError("'### END SOLUTION' without a BEGIN")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError("'### BEGIN SOLUTION' without an END")
    return "\n".join(out)


def setup_line(number):
    return f'check.unit = "{number}"'


def problems(nb, number):
    """What is wrong with a solution notebook's structure (empty list when fine)."""
    found = []
    code = [c for c in nb.cells if c.cell_type == "code"]
    if not code or setup_line(number) not in code[0].source:
        found.append(f'the first code cell must import the grader and set {setup_line(number)}')
    elif "setup" not in code[0].metadata.get("tags", []):
        found.append("the first code cell must be tagged 'exercise' and 'setup'")
    for i, c in enumerate(code):
        tags = set(c.metadata.get("tags", []))
        if not tags & TAGS:
            found.append(f"code cell {i} has no tag among {sorted(TAGS)}")
        if "check" in tags and "check(" not in c.source:
            found.append(f"code cell {i} is tagged 'check' but calls no check()")
        if (BEGIN in c.source) and "exercise" not in tags:
            found.append(f"code cell {i} holds a solution but is not tagged 'exercise'")
    if not any(BEGIN in c.source for c in code):
        found.append("no '### BEGIN SOLUTION' region")
    return found


def clean(nb, number):
    """Strip outputs and execution counts; write the unit and kernelspec into the metadata."""
    for c in nb.cells:
        if c.cell_type == "code":
            c.outputs, c.execution_count = [], None
        for key in ("execution", "lines_to_next_cell", "collapsed", "scrolled"):
            c.metadata.pop(key, None)
    nb.metadata.pop("jupytext", None)       # solutions may be drafted as jupytext scripts
    nb.metadata.setdefault("dlbook", {})["unit"] = number
    nb.metadata["kernelspec"] = KERNELSPEC
    nb.metadata.pop("widgets", None)
    return nb


def exercise_from(solution_nb, number):
    nb = nbformat.from_dict(nbformat.reads(nbformat.writes(solution_nb), as_version=4))
    for c in nb.cells:
        if c.cell_type == "code":
            c.source = strip_solutions(c.source)
    return clean(nb, number)


def generate(check_only=False, root=ROOT):
    """Regenerate every exercise notebook; with check_only, only report what is stale.

    Returns a list of messages (empty: everything in sync)."""
    messages = []
    for sol_path in sorted((root / "solutions").glob("*.ipynb")):
        number = unit_of(sol_path)
        raw = sol_path.read_text(encoding="utf-8")
        sol = clean(nbformat.reads(raw, as_version=4), number)
        messages += [f"{sol_path.name}: {p}" for p in problems(sol, number)]
        ex_path = root / "exercises" / sol_path.name
        want = {sol_path: nbformat.writes(sol) + "\n", ex_path: nbformat.writes(exercise_from(sol, number)) + "\n"}
        for path, text in want.items():
            current = path.read_text(encoding="utf-8") if path.exists() else None
            if current != text:
                if check_only:
                    messages.append(f"{path.relative_to(root)} is out of date: run `make exercises`")
                else:
                    path.parent.mkdir(exist_ok=True)
                    path.write_text(text, encoding="utf-8")
                    print(f"wrote {path.relative_to(root)}")
    for ex_path in sorted((root / "exercises").glob("*.ipynb")):
        if not (root / "solutions" / ex_path.name).exists():
            messages.append(f"{ex_path.relative_to(root)} has no solution notebook")
    return messages


def main(argv):
    """python -m grader exercises [--check]"""
    usage = ("usage: python -m grader exercises [--check]\n"
             "  regenerate exercises/ from solutions/; --check only reports what is out of date")
    unknown = [a for a in argv if a != "--check"]
    if unknown in (["-h"], ["--help"]):
        print(usage)
        return 0
    if unknown:
        print(f"python -m grader exercises: unknown argument(s) {' '.join(unknown)}\n{usage}", file=sys.stderr)
        return 2
    check_only = "--check" in argv
    messages = generate(check_only=check_only)
    for m in messages:
        print(m, file=sys.stderr)
    return 1 if messages else 0
