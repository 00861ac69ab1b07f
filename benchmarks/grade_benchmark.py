"""How fast `python -m grader grade` is: time per submission and scaling with --jobs.

    .venv/bin/python benchmarks/grade_benchmark.py [PATH] [--jobs 1 2 4] [--copies K] [--repeat N]

Grades PATH (default: solutions/) once per --jobs value and prints, for each: the whole
command's wall time (grader start-up included: importing torch, computing the oracles' answers,
starting the zygote and probing the isolation), the grading phase alone, the mean time of one
submission in its worker, and the speed-up over the first --jobs value. --copies K grades K
copies of every notebook (a bigger "class"), from a temporary folder that is removed afterwards.
This is a script, not a test: the figures depend on the machine and on what else runs on it
(the load average is printed with them).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(paths, jobs, extra):
    with tempfile.TemporaryDirectory(prefix="grade-benchmark-") as tmp:
        report = Path(tmp) / "report.json"
        t0 = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "grader", "grade", *map(str, paths), "--jobs", str(jobs),
                               "--json", str(report), "--quiet", *extra], cwd=ROOT, capture_output=True, text=True)
        wall = time.monotonic() - t0
        if not report.exists():
            sys.exit(f"the grader failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
        data = json.loads(report.read_text())
    subs = data["submissions"]
    return {
        "jobs": jobs,
        "exit": done.returncode,
        "wall": wall,
        "grading": data["seconds"],
        "n": len(subs),
        "per_submission": sum(s["seconds"] for s in subs) / max(1, len(subs)),
        "score": sum(s["score"] for s in subs),
        "max_score": sum(s["max_score"] for s in subs),
        "isolation": data["isolation"]["level"] + " (" + data["isolation"]["user"] + ")",
        "peak_mb": max((s.get("peak_memory_mb") or 0) for s in subs),
    }


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("path", nargs="?", default=str(ROOT / "solutions"))
    p.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    p.add_argument("--copies", type=int, default=1, help="grade this many copies of every notebook")
    p.add_argument("--repeat", type=int, default=1, help="runs per --jobs value (the best is kept)")
    args, extra = p.parse_known_args(argv)          # anything else goes to the grader as it is
    extra = [a for a in extra if a != "--"]

    source = Path(args.path)
    notebooks = sorted(source.glob("*.ipynb")) if source.is_dir() else [source]
    tmp = None
    paths = [source]
    if args.copies > 1:
        tmp = Path(tempfile.mkdtemp(prefix="grade-benchmark-class-"))
        for nb in notebooks:
            for k in range(args.copies):
                shutil.copy(nb, tmp / f"{nb.stem}-copy{k}.ipynb")
        paths = [tmp]
    try:
        print(f"{len(notebooks) * args.copies} notebooks from {source} · {os.cpu_count()} CPUs · "
              f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        rows = []
        for jobs in args.jobs:
            best = min((run(paths, jobs, extra) for _ in range(args.repeat)), key=lambda r: r["wall"])
            rows.append(best)
            print(f"  --jobs {jobs}: {best['wall']:6.1f} s in all, {best['grading']:6.1f} s grading, "
                  f"{best['grading'] / best['n']:5.2f} s per submission (wall), "
                  f"{best['per_submission']:5.2f} s in each worker · score {best['score']}/{best['max_score']} · "
                  f"exit {best['exit']} · peak {best['peak_mb']:.0f} MiB · {best['isolation']}", flush=True)
        base = rows[0]
        for r in rows[1:]:
            print(f"  speed-up of the grading phase, --jobs {r['jobs']} over --jobs {base['jobs']}: "
                  f"{base['grading'] / r['grading']:.2f}x (whole command {base['wall'] / r['wall']:.2f}x)")
        print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
