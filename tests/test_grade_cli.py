"""`python -m grader grade`: isolation, limits, reports, and an adversarial corpus.

The corpus (tests/corpus_build.py) is built from the unit 01 solution into a temporary folder
and graded in one run (--jobs 2, short limits); each test then reads that run's JSON report.
Every bad submission must score zero on the exercise it breaks, with a clear message, while the
rest is graded as usual; the grader must finish within its limits, leave every file as it was,
and leave no process, cgroup or temporary folder behind.
"""
import csv
import hashlib
import io
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import numpy as np
import pytest

from corpus_build import EXERCISES, SOURCES, build

ROOT = Path(__file__).resolve().parent.parent
SOLUTION = ROOT / "solutions" / "01-logistic-regression.ipynb"
EXERCISE = ROOT / "exercises" / "01-logistic-regression.ipynb"
TIMEOUT = 4            # seconds per exercise and per cell in the corpus run
MEMORY = 192           # MiB per submission in the corpus run (a worker needs about 20 beyond the zygote)
SEED = 7               # the corpus run draws fresh cases: hard-coded published answers must fail
RUN_LIMIT = 150        # seconds for one grading run, hard stop
FALLBACK = ("setsid_sleep", "memory_bomb", "infinite_loop", "tamper", "fork_bomb")   # graded again with
                                                                                  # --isolation rlimits


def sha(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def start(args, marker):
    """Start the grader in a subprocess (several runs go at once: most of their time is spent
    importing torch, one process per core)."""
    env = dict(os.environ, DLBOOK_GRADE_TEST=marker)
    proc = subprocess.Popen([sys.executable, "-m", "grader", "grade", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc.t0 = time.monotonic()
    return proc


def finish(proc, timeout=RUN_LIMIT):
    """(completed process, seconds) of a started run."""
    try:
        out, err = proc.communicate(timeout=max(1, timeout - (time.monotonic() - proc.t0)))
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err), time.monotonic() - proc.t0


def grade(args, marker, timeout=RUN_LIMIT):
    """Run the grader in a subprocess; (completed process, seconds)."""
    return finish(start(args, marker), timeout)


def strays(marker, sleep_marker=None):
    """Processes left from a grading run: any that carries the run's environment marker (the
    grader, its zygote and every fork of it) or runs `sleep <sleep_marker>`."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            environ = Path(f"/proc/{name}/environ").read_bytes()
            cmdline = Path(f"/proc/{name}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if f"DLBOOK_GRADE_TEST={marker}".encode() in environ or (sleep_marker and f"sleep {sleep_marker}" in cmdline):
            found.append(f"{name}: {cmdline.strip()}")
    return found


def wait_for_no_strays(marker, sleep_marker=None, within=3.0):
    deadline = time.monotonic() + within
    while True:
        left = strays(marker, sleep_marker)
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.1)


def leftover_files(grader_pid):
    """cgroups and temporary folders named after the grader's process."""
    prefix = f"dlbook-grade-{grader_pid}-"
    out = []
    for top, depth in (("/sys/fs/cgroup", 4), ("/tmp", 1)):
        if not os.path.isdir(top):
            continue
        base = top.rstrip("/").count("/")
        for dirpath, dirnames, _ in os.walk(top):
            if dirpath.count("/") - base >= depth:
                dirnames[:] = []
            for d in dirnames:
                if d.startswith(prefix):
                    out.append(os.path.join(dirpath, d))
    return out


class Listener:
    """A loopback port that counts connections (the socket submission knocks on it)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self):
        self.stop = True
        self.thread.join()
        self.sock.close()


class _GraderPid:
    """Finds the grader's pid while it runs (its cgroups are named after it)."""

    def __init__(self, marker):
        self.marker, self.pid, self.stop = marker, None, False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop and self.pid is None:
            for name in os.listdir("/proc"):
                if not name.isdigit():
                    continue
                try:
                    environ = Path(f"/proc/{name}/environ").read_bytes()
                    cmdline = Path(f"/proc/{name}/cmdline").read_bytes()
                except OSError:
                    continue
                if f"DLBOOK_GRADE_TEST={self.marker}".encode() in environ and b"grader\0grade" in cmdline:
                    self.pid = int(name)
                    break
            time.sleep(0.05)

    def close(self):
        self.stop = True
        self.thread.join()


# ----------------------------------------------------------------------------- the corpus run

@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The three grading runs of this module, started together: the corpus, one that must pass
    (exit 0), and --device cuda on a machine without CUDA (exit 2)."""
    folder = tmp_path_factory.mktemp("corpus")
    sleep_marker = f"{4000 + uuid.uuid4().int % 1000}.{uuid.uuid4().int % 97 + 1}"
    listener = Listener()
    expect = build(folder, marker=sleep_marker, port=listener.port)
    before = {p.name: (sha(p), p.stat().st_mtime_ns) for p in folder.iterdir()}
    marker, ok_marker, fallback_marker = uuid.uuid4().hex, uuid.uuid4().hex, uuid.uuid4().hex
    fallback_out = folder.parent / f"{folder.name}-fallback.json"
    out = folder.parent / f"{folder.name}-report.json"
    table = folder.parent / f"{folder.name}-report.csv"
    ok_out = folder.parent / f"{folder.name}-ok.json"
    watcher = _GraderPid(marker)
    try:
        corpus_run = start([str(folder), str(SOLUTION), str(EXERCISE), "--unit", "01", "--jobs", "2",
                            "--timeout", str(TIMEOUT), "--memory", str(MEMORY), "--seed", str(SEED),
                            "--json", str(out), "--csv", str(table)], marker)
        ok_run = start([str(SOLUTION), str(folder / "hard_coded.ipynb"), "--device", "all",
                        "--json", str(ok_out)], ok_marker)
        cuda_run = start([str(SOLUTION), "--device", "cuda", "--quiet"], uuid.uuid4().hex)
        fallback_run = start([str(folder / f"{name}.ipynb") for name in FALLBACK]
                             + ["--isolation", "rlimits", "--jobs", "2", "--timeout", str(TIMEOUT),
                                "--memory", str(MEMORY), "--json", str(fallback_out), "--quiet"], fallback_marker)
        done, seconds = finish(corpus_run)
        ok_done, _ = finish(ok_run)
        cuda_done, _ = finish(cuda_run)
        fallback_done, _ = finish(fallback_run)
    finally:
        watcher.close()
        listener.close()
    after = {p.name: (sha(p), p.stat().st_mtime_ns) for p in folder.iterdir()}
    report = json.loads(out.read_text()) if out.exists() else None
    corpus = {"folder": folder, "expect": expect, "done": done, "seconds": seconds, "report": report,
              "before": before, "after": after, "marker": marker, "sleep_marker": sleep_marker,
              "connections": listener.connections, "csv": table, "grader_pid": watcher.pid}
    ok = {"done": ok_done, "report": json.loads(ok_out.read_text()) if ok_out.exists() else None,
          "marker": ok_marker}
    fallback = {"done": fallback_done, "marker": fallback_marker, "sleep_marker": sleep_marker, "expect": expect,
                "report": json.loads(fallback_out.read_text()) if fallback_out.exists() else None}
    return {"corpus": corpus, "ok": ok, "cuda": cuda_done, "fallback": fallback}


@pytest.fixture(scope="module")
def corpus(runs):
    return runs["corpus"]


def _submission(corpus, name):
    for s in corpus["report"]["submissions"]:
        if Path(s["path"]).parent == corpus["folder"] and Path(s["path"]).name == name:
            return s
    raise AssertionError(f"{name} is not in the report")


def test_corpus_run_finishes_with_a_report(corpus):
    done = corpus["done"]
    assert corpus["report"] is not None, done.stderr[-3000:]
    assert done.returncode == 1, "some submissions fail: the exit status must be 1\n" + done.stderr[-2000:]
    assert "Class summary" in done.stdout
    # every submission within its own limit, and the whole run far below the hard stop
    for s in corpus["report"]["submissions"]:
        n = len(s["exercises"]) + len(s["cells"])
        assert s["seconds"] <= 60 + 2 * TIMEOUT * n, s["path"]
    assert corpus["seconds"] < RUN_LIMIT


CORPUS = sorted(SOURCES) + ["tamper", "socket", "peek", "cell_loop", "invalid_json", "empty", "hard_coded"]


@pytest.mark.parametrize("name", CORPUS)
def test_corpus_outcome(corpus, name):
    """The broken exercise scores zero with a clear message; every other exercise is graded as usual."""
    file = f"{name}.ipynb"
    expect = corpus["expect"][file]
    sub = _submission(corpus, file)
    iso = corpus["report"]["isolation"]
    assert sub["status"] == expect.status, sub["message"]
    assert expect.message in sub["message"]
    got = {e["name"]: e for e in sub["exercises"]}
    assert list(got) == list(EXERCISES)
    if name == "fork_bomb" and "RLIMIT_NPROC (not enforced" in iso["processes"]:
        pytest.skip("no process limit on this machine (root without cgroups): the fork attempt cannot fail")
    for ex_name, e in got.items():
        want, words = expect.exercises.get(ex_name, ("pass", ""))
        assert e["status"] == want, f"{ex_name}: {e['status']}: {e['message']}"
        assert words in e["message"], f"{ex_name}: {e['message']!r} should say {words!r}"
        assert e["points"] == (e["max_points"] if want == "pass" else 0)
        assert set(e["backends"]) <= {"numpy", "torch-cpu", "torch-cuda", "python"}
        if want != "pass":
            assert e["message"].strip(), "a zero needs a reason"
    assert sub["score"] == sum(e["points"] for e in got.values())
    for text, status in expect.cells.items():
        nb = json.loads((corpus["folder"] / file).read_text())
        index = next(i for i, c in enumerate(nb["cells"]) if text in "".join(c["source"]))
        cell = next(c for c in sub["cells"] if c["index"] == index)
        assert cell["status"] == status, cell


def test_time_limit_is_per_exercise(corpus):
    """An infinite loop is stopped after --timeout, and the worker restarts for the other exercises."""
    sub = _submission(corpus, "infinite_loop.ipynb")
    sigmoid = sub["exercises"][0]
    assert sigmoid["status"] == "timeout" and f"timed out after {TIMEOUT} s" in sigmoid["message"]
    assert sigmoid["seconds"] < TIMEOUT + 2
    assert sub["worker_starts"] >= 2
    assert [e["status"] for e in sub["exercises"][1:]] == ["pass"] * 3


def test_memory_limit_names_the_limit(corpus):
    e = _submission(corpus, "memory_bomb.ipynb")["exercises"][1]
    assert f"more than {MEMORY} MiB" in e["message"], e["message"]


def test_printed_output_is_capped(corpus):
    sub = _submission(corpus, "huge_output.ipynb")
    assert "printed more than 1024 KiB" in sub["exercises"][3]["message"]
    for cell in sub["cells"]:
        assert len(cell.get("output", "")) <= 2000


def test_tampering_changes_nothing(corpus):
    """The submission patched numpy.allclose, torch.allclose, grader.core and check: the grader
    still compares in its own process, so the wrong answer fails with the usual message."""
    e = _submission(corpus, "tamper.ipynb")["exercises"][1]
    assert e["status"] == "fail" and "expected: [[0.], [0.]]" in e["message"]


def test_no_network(corpus):
    iso = corpus["report"]["isolation"]
    if iso["network"].startswith("none"):
        assert corpus["connections"] == 0, "the submission reached a port on the host"


def test_classmates_notebooks_are_out_of_sight(corpus):
    """In its own mount namespace a worker sees no notebook where the submissions are: an empty
    read-only folder, or nothing at all under its private /tmp."""
    if not corpus["report"]["isolation"]["pid_namespace"]:
        pytest.skip("no mount namespace here")
    sub = _submission(corpus, "peek.ipynb")
    nb = json.loads((corpus["folder"] / "peek.ipynb").read_text())
    index = next(i for i, c in enumerate(nb["cells"]) if "look for the classmates" in "".join(c["source"]))
    output = next(c for c in sub["cells"] if c["index"] == index)["output"]
    assert output.count("peek ") == 2 and ".ipynb" not in output, output


def test_files_unchanged(corpus):
    assert corpus["after"] == corpus["before"]


def test_no_stray_processes_or_files(corpus):
    left = wait_for_no_strays(corpus["marker"], corpus["sleep_marker"])
    assert not left, "processes left behind:\n" + "\n".join(left)
    if corpus["grader_pid"]:
        assert not leftover_files(corpus["grader_pid"])


def test_report_schema(corpus):
    report = corpus["report"]
    assert report["schema"] == 1 and report["backends"][0] == "numpy"
    iso = report["isolation"]
    assert {"level", "user", "memory", "processes", "kill", "network"} <= set(iso)
    for s in report["submissions"]:
        assert {"path", "unit", "score", "max_score", "exercises", "cells", "status"} <= set(s)
        for e in s["exercises"]:
            assert {"name", "status", "points", "max_points", "message", "backends"} <= set(e)
            assert e["status"] in ("pass", "fail", "error", "timeout", "missing")
    rows = list(csv.DictReader(io.StringIO(corpus["csv"].read_text())))
    assert len(rows) == len(report["submissions"])
    assert list(rows[0])[-4:] == list(EXERCISES)


def test_strong_isolation_where_root_and_cgroups(corpus):
    """On this project's machines (root, cgroup v1, namespaces) the strongest level must be used."""
    iso = corpus["report"]["isolation"]
    have_cgroups = os.path.isdir("/sys/fs/cgroup/pids") or os.path.exists("/sys/fs/cgroup/cgroup.controllers")
    if os.geteuid() != 0 or not have_cgroups:
        pytest.skip("not root with cgroups")
    assert iso["level"] == "strong", iso
    assert iso["user"] == "nobody" and iso["pid_namespace"]


# ----------------------------------------------------------------------------- other runs

def test_fresh_seed_fails_hard_coded_answers(corpus):
    """--seed draws new inputs: answers looked up from the published cases fail (they pass with
    the published seed: test_exit_zero_when_everything_passes), while the solution keeps full
    marks and the unsolved exercise notebook scores zero."""
    hard = _submission(corpus, "hard_coded.ipynb")
    assert [e["status"] for e in hard["exercises"]] == ["pass", "pass", "pass", "fail"]
    assert "case 2 of 3" in hard["exercises"][3]["message"]
    subs = {s["path"]: s for s in corpus["report"]["submissions"]}
    sol = subs[str(SOLUTION)]
    assert sol["score"] == sol["max_score"] == 4
    ex = subs[str(EXERCISE)]
    assert ex["score"] == 0 and all("not implemented" in e["message"] for e in ex["exercises"])


def test_exit_zero_when_everything_passes(runs):
    """The solution and the hard-coded answers both pass with the published cases (seed 0)."""
    done, report = runs["ok"]["done"], runs["ok"]["report"]
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    cuda = runs["cuda"].returncode == 0                           # the --device cuda run found a GPU
    assert report["backends"] == ["numpy", "torch-cpu"] + ["torch-cuda"] * cuda   # --device all
    assert all(s["score"] == s["max_score"] == 4 for s in report["submissions"])
    assert "4/4 points" in done.stdout
    assert not wait_for_no_strays(runs["ok"]["marker"])


def test_fallback_without_cgroups_or_namespaces(runs):
    """--isolation rlimits (what a machine without cgroups or namespaces gets): RLIMIT_AS for
    memory, the process group and the worker's subreaper parent for killing. The same
    submissions still score zero where they should, and nothing is left behind."""
    fb = runs["fallback"]
    report = fb["report"]
    assert report is not None, fb["done"].stderr[-3000:]
    assert report["isolation"]["level"] == "basic"
    for sub in report["submissions"]:
        expect = fb["expect"][Path(sub["path"]).name]
        for e in sub["exercises"]:
            want, words = expect.exercises.get(e["name"], ("pass", ""))
            if Path(sub["path"]).name == "fork_bomb.ipynb" and want != "pass":
                # as root nothing limits processes here: the forks succeed, and the time limit ends it
                assert e["status"] in ("error", "timeout") and e["points"] == 0
                continue
            assert e["status"] == want and words in e["message"], (sub["path"], e)
    left = wait_for_no_strays(fb["marker"], fb["sleep_marker"])
    assert not left, "processes left behind:\n" + "\n".join(left)


def test_usage_errors_exit_2(tmp_path):
    done, _ = grade([str(tmp_path / "nothing-here.ipynb")], uuid.uuid4().hex, timeout=60)
    assert done.returncode == 2 and "no such file or folder" in done.stderr
    (tmp_path / "empty-folder").mkdir()
    done, _ = grade([str(tmp_path / "empty-folder")], uuid.uuid4().hex, timeout=60)
    assert done.returncode == 2 and "no notebooks" in done.stderr
    done, _ = grade([str(SOLUTION), "--unit", "99"], uuid.uuid4().hex, timeout=60)
    assert done.returncode == 2 and "no unit" in done.stderr
    done, _ = grade([str(SOLUTION), "--jobs", "0"], uuid.uuid4().hex, timeout=60)
    assert done.returncode == 2


def test_cuda_without_a_gpu_is_a_usage_error(runs):
    done = runs["cuda"]
    if done.returncode == 0:
        pytest.skip("this machine has CUDA: --device cuda graded on it")
    assert done.returncode == 2
    assert "--device cuda" in done.stderr and "no CUDA device" in done.stderr


# ----------------------------------------------------------------------------- units without a worker

def test_wire_round_trip_and_no_pickle():
    from grader import wire
    from grader.core import Arr, Opaque
    value = ({"a": np.arange(6, dtype=np.float32).reshape(2, 3), "b": [1, 2.5, float("nan")]},
             float("inf"), 10 ** 30, True, None, "text", np.int64(3),
             Arr(np.ones((2, 1)), "torch", "float64", "cpu"), Opaque("Foo", "<Foo>"),
             np.random.default_rng(5))
    blobs = []
    header = wire.encode(value, blobs)
    frame = wire.pack({"v": header}, blobs)
    n_head, n_blob = wire.parse_lengths(frame[:wire.HEAD.size])
    head, got_blobs = wire.unpack(frame[wire.HEAD.size:wire.HEAD.size + n_head], frame[wire.HEAD.size + n_head:])
    got = wire.decode(head["v"], got_blobs)
    assert got[0]["a"].dtype == np.float32 and np.array_equal(got[0]["a"], value[0]["a"])
    assert got[0]["b"][:2] == [1, 2.5] and np.isnan(got[0]["b"][2])
    assert got[1:7] == (float("inf"), 10 ** 30, True, None, "text", np.int64(3))
    assert got[7].lib == "torch" and np.array_equal(got[7].value, np.ones((2, 1)))
    assert got[8] == Opaque("Foo", "<Foo>")
    assert got[9].integers(1000) == np.random.default_rng(5).integers(1000)
    with pytest.raises(wire.WireError):
        wire.encode(np.array([object()]), [])
    # an .npy that holds pickled objects is refused when read back
    buf = io.BytesIO()
    np.save(buf, np.array([{"x": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(wire.WireError):
        wire.decode({"t": "nd", "b": 0}, [buf.getvalue()])
    with pytest.raises(wire.WireError):
        wire.decode({"t": "rng", "state": {"t": "dict", "v": [["bit_generator", "Generator"]]}}, [])


def test_unit_comes_from_metadata_then_name_and_unit_forces(tmp_path):
    from grader.grade import read_submission
    nb = json.loads(SOLUTION.read_text())
    (tmp_path / "alice.ipynb").write_text(json.dumps(nb))
    assert read_submission(tmp_path / "alice.ipynb").unit == "01"
    del nb["metadata"]["dlbook"]
    (tmp_path / "01-bob.ipynb").write_text(json.dumps(nb))
    assert read_submission(tmp_path / "01-bob.ipynb").unit == "01"
    (tmp_path / "carol.ipynb").write_text(json.dumps(nb))
    assert read_submission(tmp_path / "carol.ipynb").unit is None
    assert read_submission(tmp_path / "carol.ipynb", "1").unit == "01"
    sub = read_submission(tmp_path / "alice.ipynb", "02")
    assert sub.unit == "02" and "graded as unit 02" in sub.notes[0]
    cells = read_submission(tmp_path / "alice.ipynb").cells
    assert len(cells) == 5 and "def sigmoid" in cells[1][2]
