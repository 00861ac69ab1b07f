"""python -m grader grade: score a class's notebooks, each in an isolated worker.

    python -m grader grade PATH... [--unit NN] [--device cpu|cuda|all] [--jobs N] [--timeout S]
                                   [--memory MB] [--json FILE] [--csv FILE] [--seed N]

PATH: notebooks, or folders searched recursively for *.ipynb (one submission per notebook).
The unit comes from the notebook's metadata (metadata.dlbook.unit), else from the file name
(01-....ipynb); --unit forces it for every notebook.

How a submission is graded (design §5 and §10):
1. The grader reads the notebook (never writes it) and keeps the code cells tagged `exercise`.
2. A worker (grader/_worker.py), forked from a zygote that imported numpy and torch once,
   isolates itself (grader/sandbox.py: cgroup, namespaces, user nobody, where available) and
   runs those cells one by one, each with the time limit; a cell that fails is recorded and
   the others still run.
3. For each exercise of the unit, the grader sends the case inputs (JSON + raw .npy bytes), the
   worker calls the student's function on each case and backend with the forbidden helpers
   replaced by raising stubs, and sends the returned values back as plain data. The grader
   compares them with the oracle's answers in its own process (grader.core.judge), so whatever
   the submission patches in its own process (numpy, torch, grader) changes nothing.
4. An exercise that runs out of time or memory is scored zero with the reason; the worker is
   killed with everything it started and a fresh one grades the remaining exercises.

Exit status: 0 when every exercise of every submission passed, 1 when some did not, 2 for a
usage error (a missing path, --device cuda without CUDA, ...), 3 when no worker can be started
at all, 130 when interrupted.
"""
import argparse
import csv
import hashlib
import json
import re
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from . import core, wire
from .sandbox import (LEVELS, Limits, Worker, WorkerDied, WorkerTimeout, Zygote, ZygoteError, detect,
                      mask_plan, _worker_sys_path)

SCHEMA = 1
SEVERITY = {"pass": 0, "skipped": 0, "fail": 1, "error": 2, "missing": 3, "timeout": 4}
DEVICES = {"cpu": ("numpy", "torch-cpu"), "cuda": ("numpy", "torch-cuda"),
           "all": ("numpy", "torch-cpu", "torch-cuda")}


class UsageError(Exception):
    pass


# ----------------------------------------------------------------------------- the unit's cases

@dataclass
class ExercisePlan:
    exercise: core.Exercise
    backends: list
    cases: list
    expected: list
    before: list                     # the inputs as plain data, to see whether a call changed them
    message: dict = field(default_factory=dict)
    blobs: list = field(default_factory=list)

    @property
    def name(self):
        return self.exercise.name


class UnitPlan:
    """Everything the grader computes once per unit: cases, oracle answers, the encoded inputs."""

    def __init__(self, number, seed, wanted):
        self.number = number
        module = core.load_unit(number)
        self.exercises = []
        for ex in module.EXERCISES.values():
            cases = ex.cases(seed)
            backends = core.backends_for(ex, wanted)
            plan = ExercisePlan(ex, backends, cases, [core.expected(ex, c) for c in cases],
                                [core.to_plain(c.args) for c in cases])
            blobs = []
            plan.message = {"op": "cases", "name": ex.name, "forbidden": list(ex.forbidden),
                            "strict_fp": ex.strict_fp, "cases": [wire.encode(c.args, blobs) for c in cases]}
            plan.blobs = blobs
            self.exercises.append(plan)
        self.forbidden = sorted({n for ex in module.EXERCISES.values() for n in ex.forbidden})
        uses_torch = any(b.startswith("torch") for p in self.exercises for b in p.backends) or \
            any(n.startswith("torch") for n in self.forbidden)
        self.imports = ["numpy", "grader"] + (["torch"] if uses_torch else [])
        self.max_score = sum(p.exercise.points for p in self.exercises)


# ----------------------------------------------------------------------------- reading submissions

@dataclass
class Submission:
    path: Path
    raw: bytes = b""
    notebook: dict = None
    problem: str = ""                 # why it cannot be read
    unit: str = None
    notes: list = field(default_factory=list)
    cells: list = field(default_factory=list)   # [(index in notebook, cell id, source)]


def read_submission(path, forced_unit=None):
    from dlbook.units import unit as unit_of_number
    from .notebooks import unit_of
    sub = Submission(Path(path))
    try:
        sub.raw = sub.path.read_bytes()
    except OSError as exc:
        sub.problem = f"cannot read the file: {exc.strerror or exc}"
    nb = None
    if not sub.problem:
        if not sub.raw.strip():
            sub.problem = "the file is empty"
        else:
            try:
                nb = json.loads(sub.raw.decode("utf-8"))
            except UnicodeDecodeError:
                sub.problem = "not a notebook: the file is not UTF-8 text"
            except ValueError as exc:
                sub.problem = f"not a notebook: invalid JSON ({exc})"
            if nb is not None and not (isinstance(nb, dict) and isinstance(nb.get("cells"), list)):
                sub.problem, nb = "not a notebook: no list of cells", None
    sub.notebook = nb
    meta = None
    if nb is not None:
        md = nb.get("metadata")
        dl = md.get("dlbook") if isinstance(md, dict) else None
        meta = dl.get("unit") if isinstance(dl, dict) else None
        meta = str(meta) if isinstance(meta, (str, int)) else None
    try:
        by_name = unit_of(sub.path)
    except (ValueError, KeyError):
        by_name = None
    candidates = [(forced_unit, "--unit")] if forced_unit else []
    candidates += [(meta, "the notebook's metadata"), (by_name, "the file name")]
    for number, source in candidates:
        if number is None:
            continue
        try:
            sub.unit = unit_of_number(number).number
        except KeyError:
            sub.notes.append(f"{source} names unit {number!r}, which does not exist")
            continue
        break
    if forced_unit and meta and sub.unit and meta != sub.unit:
        sub.notes.append(f"the notebook's metadata says unit {meta}; graded as unit {sub.unit} (--unit)")
    if nb is not None:
        sub.cells = exercise_cells(nb, sub.notes)
    return sub


def _source(cell):
    src = cell.get("source", "")
    if isinstance(src, list):
        return "".join(s for s in src if isinstance(s, str))
    return src if isinstance(src, str) else ""


def exercise_cells(nb, notes):
    code = []
    for i, cell in enumerate(nb["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        md = cell.get("metadata")
        tags = md.get("tags", []) if isinstance(md, dict) else []
        tags = [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []
        cid = cell.get("id") if isinstance(cell.get("id"), str) else None
        code.append((i, cid, _source(cell), tags))
    tagged = [(i, cid, src) for i, cid, src, tags in code if "exercise" in tags]
    if tagged:
        return tagged
    if code:
        notes.append("no cell is tagged 'exercise': ran every code cell not tagged 'check' or 'demo'")
    return [(i, cid, src) for i, cid, src, tags in code if not {"check", "demo"} & set(tags)]


# ----------------------------------------------------------------------------- grading one notebook

class Session:
    """The worker of one submission, restarted after a limit is hit, and what its cells did."""

    def __init__(self, ctx, plan, sub, deadline):
        self.ctx, self.plan, self.sub, self.deadline = ctx, plan, sub, deadline
        self.cells = {i: {"index": i, "id": cid, "status": "not run", "message": ""}
                      for i, cid, _ in sub.cells}
        self.skip = set()
        self.worker = None
        self.starts = 0
        self.peak = None                  # bytes: the most memory any of its workers held

    def _record(self, index, status, message, output=""):
        rep = self.cells.get(index)
        if rep is None:
            return
        if rep["status"] == "not run" or SEVERITY.get(status, 2) > SEVERITY.get(rep["status"], 0):
            rep.update(status=status, message=message)
            if output:
                rep["output"] = output

    def kill(self):
        if self.worker is not None:
            self.worker.close()
            if self.worker.peak is not None:
                self.peak = max(self.peak or 0, self.worker.peak)
            self.worker = None

    def ensure(self):
        """A running worker that has run the cells (restarting past cells that hang or crash)."""
        if self.worker is not None:
            return self.worker
        limits = self.ctx.limits
        while True:
            if time.monotonic() > self.deadline:
                raise WorkerTimeout()
            self.starts += 1
            w = Worker(self.ctx.zygote, self.ctx.iso, limits)
            w.mask = self.ctx.mask
            self.worker = w
            current = last = None
            try:
                w.start()
                w.send({"op": "init", "sys_path": self.ctx.sys_path, "imports": self.plan.imports,
                        "forbidden": self.plan.forbidden, "limits": w.rlimits(),
                        "cells": [[i, src] for i, _, src in self.sub.cells], "skip": sorted(self.skip),
                        "cuda": ({"memory_fraction": round(0.9 / limits.jobs, 3)}
                                 if "torch-cuda" in self.ctx.backends else None)},
                       deadline=time.monotonic() + limits.startup_timeout)
                header, _ = w.recv(min(self.deadline, time.monotonic() + limits.startup_timeout))
                if header.get("ev") != "ready":
                    raise WorkerDied("the worker did not start properly")
                started = time.monotonic()
                while True:
                    limit = (started if current is not None else time.monotonic()) + limits.timeout
                    header, _ = w.recv(min(self.deadline, limit))
                    ev = header.get("ev")
                    if ev == "cell_start":
                        current, started = header.get("index"), time.monotonic()
                    elif ev == "cell_done":
                        self._record(header.get("index"), str(header.get("status", "error")),
                                     str(header.get("message", ""))[:2000], str(header.get("output", ""))[:2000])
                        current, last = None, header.get("index")
                    elif ev == "cells_done":
                        return w
            except WorkerTimeout:
                at_limit = w.at_memory_limit()
                self.kill()
                if time.monotonic() >= self.deadline:
                    raise                     # the submission's own time is up
                if current is None and last is None:
                    raise GraderError("the worker did not answer while starting") from None
                current = last if current is None else current   # stalled between cells: blame the last
                if at_limit:
                    self._record(current, "error", f"used more than {limits.memory_mb} MiB of memory (the limit)")
                else:
                    self._record(current, "timeout", f"timed out after {limits.timeout:g} s (an infinite loop?)")
                self.skip.add(current)
            except (ZygoteError, OSError) as exc:
                self.kill()
                raise GraderError(f"the worker could not start: {exc}") from None
            except WorkerDied as exc:
                log = bytes(w.log).decode("utf-8", "replace").strip()
                self.kill()
                if (current is None and last is None) or exc.setup:
                    tail = "\n".join(log.splitlines()[-6:])
                    raise GraderError(f"the worker could not start: {exc.reason}" + (f"\n{tail}" if tail else ""))
                current = last if current is None else current
                self._record(current, "error", exc.reason)
                self.skip.add(current)

    def exchange(self, header, blobs=(), deadline=None):
        w = self.ensure()
        w.send(header, blobs, deadline=deadline)
        return w.recv(deadline)


class GraderError(Exception):
    """Something went wrong on the grader's side (not the submission's fault)."""


def _fmt_case(plan, backend, i):
    return f"on {backend}, case {i + 1} of {len(plan.cases)} ({plan.cases[i].label})"


def grade_exercise(session, plan, limits):
    ex = plan.exercise
    out = {"name": ex.name, "status": "pass", "points": 0, "max_points": ex.points, "message": "",
           "backends": {b: "skipped" for b in plan.backends}}
    backend, i = (plan.backends[0] if plan.backends else "numpy"), 0
    start = time.monotonic()
    deadline = session.deadline

    def finish(status, message):
        out["status"], out["message"] = status, message
        out["seconds"] = round(time.monotonic() - start, 3)
        if status == "pass":
            out["points"] = ex.points
        return out

    try:
        session.ensure()                  # (re)starting the worker does not count against the exercise
        start = time.monotonic()
        deadline = min(session.deadline, start + limits.timeout)
        header, _ = session.exchange({"op": "lookup", "names": [ex.name]}, deadline=deadline)
        info = (header.get("found") or {}).get(ex.name) or {}
        if not info.get("callable"):
            out["backends"] = {b: "missing" for b in plan.backends}
            why = (f"{ex.name} is a {info.get('type')}, not a function" if info.get("defined")
                   else f"no function named {ex.name} was defined")
            return finish("missing", why + _cell_context(session, ex.name))
        session.worker.send(plan.message, plan.blobs, deadline=deadline)
        first, numpy_ok = None, None
        for backend in plan.backends:
            status = "pass"
            for i in range(len(plan.cases)):
                header, blobs = session.exchange({"op": "call", "case": i, "backend": backend}, deadline=deadline)
                failure = judge_reply(plan, i, backend, header, blobs, numpy_ok, limits)
                if failure is not None:
                    status = failure.status
                    first = first or failure
                    break
            out["backends"][backend] = status
            if backend == "numpy":
                numpy_ok = status == "pass"
        if first is None:
            where = ", ".join(plan.backends)
            return finish("pass", f"all {len(plan.cases)} cases pass on {where}")
        worst = max((s for s in out["backends"].values()), key=lambda s: SEVERITY.get(s, 2))
        return finish(worst, str(first))
    except WorkerTimeout:
        at_limit = session.worker is not None and session.worker.at_memory_limit()
        session.kill()
        if at_limit:
            out["backends"][backend] = "error"
            return finish("error", f"{ex.name}: used more than {limits.memory_mb} MiB of memory (the limit) "
                                   f"{_fmt_case(plan, backend, i)}")
        out["backends"][backend] = "timeout"
        if time.monotonic() >= session.deadline - 0.05 and session.deadline < start + limits.timeout:
            return finish("timeout", f"{ex.name}: not graded: the submission used up its time "
                                     f"({session.ctx.submission_seconds(session.sub):g} s)")
        return finish("timeout", f"{ex.name}: timed out after {limits.timeout:g} s {_fmt_case(plan, backend, i)}"
                                 " (an infinite loop, or far too slow?)")
    except WorkerDied as exc:
        session.kill()
        out["backends"][backend] = "error"
        return finish("error", f"{ex.name}: {exc.reason} {_fmt_case(plan, backend, i)}")


def judge_reply(plan, i, backend, header, blobs, numpy_ok, limits):
    """A Failure, or None when the reply is right."""
    ex = plan.exercise
    error = str(header.get("error") or "")[:3000]
    error_type = str(header.get("error_type") or "")[:100]
    outcome = core.Outcome(error=error, error_type=error_type)
    if not error:
        try:
            outcome.value = wire.decode(header.get("value"), blobs)
            after = wire.decode(header.get("after"), blobs)
        except wire.WireError as exc:
            outcome = core.Outcome(error=f"the returned value could not be read ({exc})", error_type="Unreadable")
        else:
            before = plan.before[i]
            if isinstance(after, tuple) and len(after) == len(before):
                outcome.mutated = [k for k, (a, b) in enumerate(zip(before, after)) if not _same(a, b)]
    if error_type == "MemoryError":
        outcome.error = f"MemoryError: used more than {limits.memory_mb} MiB of memory (the limit)"
    elif error_type == "BlockingIOError" and "Resource temporarily unavailable" in error:
        outcome.error += f" (the grader allows at most {limits.procs} processes)"
    try:
        failure = core.judge(ex, i, plan.cases, backend, outcome, plan.expected[i], numpy_ok)
    except Exception as exc:          # a value too strange to compare is the submission's failure
        failure = core.Failure(ex.name, i, len(plan.cases), plan.cases[i], backend,
                               f"the returned value could not be compared ({type(exc).__name__}: {exc})",
                               status="fail", arg_names=ex.arg_names)
    if failure is None and header.get("output_exceeded"):
        failure = core.Failure(ex.name, i, len(plan.cases), plan.cases[i], backend,
                               f"printed more than {limits.output_kb} KiB of output (the limit): "
                               "remove the print calls", status="error", arg_names=ex.arg_names)
    return failure


def _same(a, b):
    """Whether a call left an input as it was. Opaque inputs (a NumPy Generator, which the
    function is meant to draw from) cannot be compared across processes and count as unchanged."""
    if isinstance(a, core.Opaque) or isinstance(b, core.Opaque):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    try:
        return core._same(a, b)
    except Exception:
        return False


def _cell_context(session, name):
    pattern = re.compile(rf"^\s*(async\s+)?def\s+{re.escape(name)}\s*\(", re.M)
    for i, cid, src in session.sub.cells:
        rep = session.cells.get(i, {})
        if pattern.search(src) and rep.get("status") not in ("ok", None):
            return f" (the cell that defines it, cell {i}, {rep['status']}: {rep['message']})"
    bad = [rep for rep in session.cells.values() if rep["status"] not in ("ok", "not run")]
    if bad:
        rep = bad[0]
        return f" (cell {rep['index']} {rep['status']}: {rep['message']})"
    return ""


def grade_submission(ctx, sub):
    t0 = time.monotonic()
    res = {"path": str(sub.path), "unit": sub.unit, "score": 0, "max_score": 0, "status": "graded",
           "message": "", "notes": list(sub.notes),
           "sha256": hashlib.sha256(sub.raw).hexdigest(), "cells": [], "exercises": []}
    plan = ctx.plans.get(sub.unit) if sub.unit else None
    if plan is None:
        res["status"] = "error"
        res["message"] = ("cannot tell which unit this notebook belongs to: name it NN-....ipynb, keep its "
                          "metadata, or pass --unit" if sub.unit is None else
                          f"unit {sub.unit} has no grader module yet")
        res["seconds"] = round(time.monotonic() - t0, 3)
        return res
    res["max_score"] = plan.max_score
    if sub.problem:
        res["status"] = "error"
        res["message"] = sub.problem
        res["exercises"] = [{"name": p.name, "status": "error", "points": 0, "max_points": p.exercise.points,
                             "message": sub.problem, "backends": {b: "error" for b in p.backends}}
                            for p in plan.exercises]
        res["seconds"] = round(time.monotonic() - t0, 3)
        return res
    session = Session(ctx, plan, sub, t0 + ctx.submission_seconds(sub))
    try:
        for p in plan.exercises:
            if time.monotonic() >= session.deadline:
                res["exercises"].append({"name": p.name, "status": "timeout", "points": 0,
                                         "max_points": p.exercise.points, "backends": {b: "skipped" for b in p.backends},
                                         "message": f"{p.name}: not graded: the submission used up its time "
                                                    f"({ctx.submission_seconds(sub):g} s)"})
                continue
            res["exercises"].append(grade_exercise(session, p, ctx.limits))
    except Exception as exc:           # GraderError, or a bug here: never lose the other submissions
        detail = str(exc) if isinstance(exc, GraderError) else f"{type(exc).__name__}: {exc}"
        res["status"], res["message"] = "error", f"grader problem: {detail}"
        done = {e["name"] for e in res["exercises"]}
        res["exercises"] += [{"name": p.name, "status": "error", "points": 0, "max_points": p.exercise.points,
                              "message": res["message"], "backends": {}} for p in plan.exercises if p.name not in done]
    finally:
        if session.worker is not None:
            try:
                session.worker.send({"op": "exit"}, deadline=time.monotonic() + 1)
            except (WorkerDied, WorkerTimeout, OSError):
                pass
        session.kill()
        ctx.zygote.reap()
    res["cells"] = [session.cells[i] for i in sorted(session.cells)]
    res["score"] = sum(e["points"] for e in res["exercises"])
    res["worker_starts"] = session.starts
    res["peak_memory_mb"] = None if session.peak is None else round(session.peak / 2**20, 1)
    res["seconds"] = round(time.monotonic() - t0, 3)
    return res


# ----------------------------------------------------------------------------- the run

class Context:
    def __init__(self, limits, iso, backends, seed, device):
        self.limits, self.iso, self.backends, self.seed, self.device = limits, iso, backends, seed, device
        self.plans = {}
        self.sys_path = _worker_sys_path()
        self.zygote = None
        self.mask = []

    def submission_seconds(self, sub):
        if self.limits.submission_timeout:
            return self.limits.submission_timeout
        plan = self.plans.get(sub.unit)
        n = (len(plan.exercises) if plan else 0) + len(sub.cells)
        return 60 + 2 * self.limits.timeout * n


def find_notebooks(paths):
    out = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            found = sorted(q for q in path.rglob("*.ipynb")
                           if not any(part.startswith(".") for part in q.relative_to(path).parts))
            if not found:
                raise UsageError(f"{p}: no notebooks (*.ipynb) in this folder")
            out += found
        elif path.exists():
            out.append(path)
        else:
            raise UsageError(f"{p}: no such file or folder")
    seen, unique = set(), []
    for p in out:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


def wanted_backends(device):
    have = core.available_backends()
    if device == "cuda" and "torch-cuda" not in have:
        raise UsageError("--device cuda: this machine has no CUDA device (torch.cuda.is_available() is "
                         "False); grade with --device cpu, or run on a machine with a GPU")
    return [b for b in DEVICES[device] if b in have]


class Progress:
    def __init__(self, total, enabled):
        self.total, self.done, self.enabled = total, 0, enabled
        self.tty = enabled and sys.stderr.isatty()
        self.lock = threading.Lock()
        self.t0 = time.monotonic()

    def update(self, res):
        if not self.enabled:
            return
        with self.lock:
            self.done += 1
            name = Path(res["path"]).name
            score = f"{res['score']}/{res['max_score']}"
            if self.tty:
                width = 30
                fill = int(width * self.done / self.total)
                bar = "█" * fill + "·" * (width - fill)
                line = f"\r[{bar}] {self.done}/{self.total} {time.monotonic() - self.t0:5.0f} s  {name[:40]} {score}"
                sys.stderr.write(line.ljust(100)[:100])
                if self.done == self.total:
                    sys.stderr.write("\n")
            else:
                sys.stderr.write(f"[{self.done}/{self.total}] {res['path']}: {score} ({res['seconds']:.1f} s)\n")
            sys.stderr.flush()


# ----------------------------------------------------------------------------- reports

def format_submission(res, backends):
    lines = [f"{res['path']}  ·  unit {res['unit'] or '?'}  ·  {res['score']}/{res['max_score']} points"
             f"  ·  {res.get('seconds', 0):.1f} s"]
    for note in res.get("notes", []):
        lines.append(f"  note: {note}")
    if res["status"] == "error" and res["message"]:
        lines.append(f"  ERROR: {res['message']}")
    if res["exercises"]:
        width = max(len("exercise"), *(len(e["name"]) for e in res["exercises"]))
        cols = list(backends)
        head = f"  {'exercise':<{width}}  {'status':<8} {'points':>6}  " + "  ".join(f"{b:<10}" for b in cols)
        lines.append(head.rstrip())
        for e in res["exercises"]:
            bk = e.get("backends", {})
            if list(bk) == ["python"]:
                cells = ["(plain Python: " + bk["python"] + ")"]
            else:
                cells = [f"{bk.get(b, '—'):<10}" for b in cols]
            pts = f"{e['points']}/{e['max_points']}"
            lines.append(f"  {e['name']:<{width}}  {e['status']:<8} {pts:>6}  " + "  ".join(cells).rstrip())
        for e in res["exercises"]:
            if e["status"] != "pass" and e["message"] and res["status"] != "error":
                msg = e["message"].splitlines()
                lines.append(f"  ✗ {msg[0]}")
                lines += [f"    {m}" for m in msg[1:8]]
    bad_cells = [c for c in res.get("cells", []) if c["status"] not in ("ok", "not run")]
    for c in bad_cells:
        cid = f", id {c['id']}" if c.get("id") else ""
        lines.append(f"  cell {c['index']}{cid}: {c['status']}: {c['message'][:300]}")
    return "\n".join(lines)


def class_summary(results):
    by_unit = {}
    for r in results:
        by_unit.setdefault(r["unit"], []).append(r)
    lines = []
    for unit, rs in by_unit.items():
        lines.append(f"Class summary · unit {unit or '?'} · {len(rs)} submission{'s' * (len(rs) != 1)}")
        names = []
        for r in rs:
            for e in r["exercises"]:
                if e["name"] not in names:
                    names.append(e["name"])
        if not names:
            continue
        width = max(len("exercise"), *(len(n) for n in names))
        lines.append(f"  {'exercise':<{width}}  {'mean points':>13}  {'passed':>9}")
        for n in names:
            es = [e for r in rs for e in r["exercises"] if e["name"] == n]
            mx = max(e["max_points"] for e in es)
            mean = sum(e["points"] for e in es) / len(rs)
            passed = sum(e["status"] == "pass" for e in es)
            lines.append(f"  {n:<{width}}  {mean:>7.2f} / {mx:<3}  {passed:>4} / {len(rs)}")
        mx = max(r["max_score"] for r in rs)
        mean = sum(r["score"] for r in rs) / len(rs)
        full = sum(r["score"] == r["max_score"] and r["max_score"] > 0 for r in rs)
        lines.append(f"  {'total':<{width}}  {mean:>7.2f} / {mx:<3}  {full:>4} / {len(rs)} with full marks")
    return "\n".join(lines)


def write_csv(path, results):
    units = {r["unit"] for r in results}
    columns = []
    for r in results:
        for e in r["exercises"]:
            col = e["name"] if len(units) == 1 else f"{r['unit']}:{e['name']}"
            if col not in columns:
                columns.append(col)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["path", "unit", "score", "max_score", "status"] + columns)
        for r in results:
            pts = {(e["name"] if len(units) == 1 else f"{r['unit']}:{e['name']}"): e["points"] for e in r["exercises"]}
            w.writerow([r["path"], r["unit"] or "", r["score"], r["max_score"], r["status"]]
                       + [pts.get(c, "") for c in columns])


# ----------------------------------------------------------------------------- command line

def build_parser():
    p = argparse.ArgumentParser(
        prog="python -m grader grade",
        description="Grade exercise notebooks in isolated workers and report a score per exercise.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="notebooks or folders of notebooks")
    p.add_argument("--unit", help="grade every notebook as this unit (default: the notebook's metadata or name)")
    p.add_argument("--device", choices=sorted(DEVICES), default="cpu",
                   help="cpu: numpy + torch-cpu (default); cuda: numpy + torch-cuda; all: every backend here")
    p.add_argument("--jobs", type=int, default=1, help="submissions graded at the same time (default 1)")
    p.add_argument("--timeout", type=float, default=10.0,
                   help="seconds per exercise (all its cases and backends) and per exercise cell (default 10)")
    p.add_argument("--submission-timeout", type=float, default=None,
                   help="seconds for a whole submission (default 60 + 2 x timeout x (exercises + cells))")
    p.add_argument("--memory", type=int, default=2048, help="MiB of memory per submission (default 2048)")
    p.add_argument("--procs", type=int, default=64, help="processes per submission (default 64)")
    p.add_argument("--output", type=int, default=1024, metavar="KB",
                   help="KiB of printed output per cell or exercise (default 1024)")
    p.add_argument("--seed", type=int, default=0,
                   help="draw the cases' random inputs with this seed (default 0: the published cases)")
    p.add_argument("--json", metavar="FILE", help="write the full report as JSON")
    p.add_argument("--csv", metavar="FILE", help="write one row per submission, one column per exercise")
    p.add_argument("--isolation", choices=LEVELS, default="auto",
                   help="the strongest isolation to try (default auto: the strongest that works here; "
                        "rlimits: no cgroup and no namespaces, for machines where they misbehave)")
    p.add_argument("--quiet", action="store_true", help="no progress bar and no per-submission tables")
    return p


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        return run(args)
    except UsageError as exc:
        print(f"python -m grader grade: error: {exc}", file=sys.stderr)
        return 2


def run(args):
    for name, value, low in (("--jobs", args.jobs, 1), ("--timeout", args.timeout, 0.1),
                             ("--memory", args.memory, 64), ("--procs", args.procs, 4), ("--output", args.output, 1)):
        if value < low:
            raise UsageError(f"{name} must be at least {low}")
    if args.unit:
        from dlbook.units import unit as unit_of_number
        try:
            args.unit = unit_of_number(args.unit).number
        except KeyError as exc:
            raise UsageError(str(exc.args[0])) from None
    paths = find_notebooks(args.paths)
    if args.device == "cuda":
        wanted_backends("cuda")       # a usage error before anything starts when there is no GPU
    import importlib.util
    imports = ["numpy", "grader", "array_api_compat.numpy"]
    if importlib.util.find_spec("torch"):
        imports += ["torch", "array_api_compat.torch"]
    if not args.quiet and sys.stderr.isatty():
        sys.stderr.write("Preparing: importing torch, computing the oracles' answers, probing the isolation...\r")
        sys.stderr.flush()
    zygote = Zygote(imports)          # imports numpy and torch while the grader computes the oracles
    try:
        return _run(args, paths, zygote)
    finally:
        zygote.close()


def _run(args, paths, zygote):
    backends = wanted_backends(args.device)
    limits = Limits(timeout=args.timeout, memory_mb=args.memory, procs=args.procs, output_kb=args.output,
                    submission_timeout=args.submission_timeout, jobs=args.jobs)
    subs = [read_submission(p, args.unit) for p in paths]
    ctx = Context(limits, None, backends, args.seed, args.device)
    ctx.zygote = zygote
    for unit in sorted({s.unit for s in subs if s.unit}):
        try:
            ctx.plans[unit] = UnitPlan(unit, args.seed, backends)
        except ModuleNotFoundError:
            pass                      # reported per submission: no grader module for this unit yet
    try:
        zygote.preload(sorted({n for plan in ctx.plans.values() for n in plan.forbidden}))
        iso = ctx.iso = detect(zygote, use_cuda="torch-cuda" in backends, limits=limits, start=args.isolation)
        ctx.mask = mask_plan([s.path.parent for s in subs], iso)
    except ZygoteError as exc:
        print(f"python -m grader grade: cannot start workers: {exc}", file=sys.stderr)
        return 3

    if not args.quiet:
        print(f"Grading {len(subs)} notebook{'s' * (len(subs) != 1)} on {', '.join(backends)} "
              f"(seed {args.seed}; limits: {limits.timeout:g} s per exercise, {limits.memory_mb} MiB, "
              f"{limits.procs} processes, {limits.output_kb} KiB of output)")
        print(f"Isolation: {iso.summary()}")
        sys.stdout.flush()
    progress = Progress(len(subs), enabled=not args.quiet and len(subs) > 1)
    results = [None] * len(subs)
    t0 = time.monotonic()
    pool = ThreadPoolExecutor(max_workers=args.jobs)
    try:
        futures = {pool.submit(grade_submission, ctx, s): k for k, s in enumerate(subs)}
        for fut in as_completed(futures):
            res = fut.result()
            results[futures[fut]] = res
            progress.update(res)
    except KeyboardInterrupt:
        pool.shutdown(wait=False, cancel_futures=True)
        zygote.close()                # its workers die with it; their threads then finish quickly
        pool.shutdown(wait=True)
        print("\npython -m grader grade: interrupted", file=sys.stderr)
        return 130
    pool.shutdown(wait=True)
    wall = time.monotonic() - t0

    if not args.quiet:
        for res in results:
            print()
            print(format_submission(res, backends))
        if len(results) > 1:
            print()
            print(class_summary(results))
        print(f"\n{len(results)} submission{'s' * (len(results) != 1)} graded in {wall:.1f} s "
              f"({wall / max(1, len(results)):.1f} s each, --jobs {args.jobs})")
    ok = all(r["status"] == "graded" and r["exercises"] and all(e["status"] == "pass" for e in r["exercises"])
             for r in results)
    report = {
        "schema": SCHEMA,
        "seed": args.seed,
        "device": args.device,
        "backends": backends,
        "isolation": iso.report(),
        "limits": limits.as_dict(),
        "jobs": args.jobs,
        "seconds": round(wall, 3),
        "all_passed": ok,
        "submissions": results,
    }
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=1, ensure_ascii=False)
            f.write("\n")
    if args.csv:
        write_csv(args.csv, results)
    return 0 if ok else 1
