"""The grader's worker: runs one submission's exercise cells and calls its functions.

grader/sandbox.py starts it as ``python -I -B grader/_worker.py`` in a process of its own (and,
where the machine allows, as user nobody, in its own cgroup and PID, network and mount
namespaces). It talks to the grader over its stdin and stdout in frames of JSON and raw .npy
bytes (grader/wire.py). It never sees the oracles or the expected answers and never unpickles
anything: it receives case inputs, calls the student's function, and sends back what came out.
Whatever the submission does to numpy, torch or grader inside this process, the comparison
happens in the grader's process.

Messages (grader -> worker):
    {"op": "init", "sys_path", "imports", "forbidden", "limits", "cells": [[index, source]], "skip"}
    {"op": "lookup", "names": [...]}
    {"op": "cases", "name", "forbidden", "strict_fp", "cases": [args, ...]}
    {"op": "call", "case": i, "backend": "numpy" | "torch-cpu" | "torch-cuda" | "python"}
    {"op": "exit"}
Messages (worker -> grader):
    {"ev": "ready", ...facts}, {"ev": "cell_start", "index"}, {"ev": "cell_done", "index", "status",
    "message", "output", "output_bytes"}, {"ev": "cells_done"}, {"ev": "lookup", "found"},
    {"ev": "result", "value", "after", "error", "error_type", "seconds", "output_exceeded"}
"""
import builtins
import json
import os
import struct
import sys
import time
from contextlib import ExitStack

HEAD = struct.Struct("<QQ")
CAPTURE_HEAD = 4096


def read_exact(fd, n):
    chunks, left = [], n
    while left:
        b = os.read(fd, min(left, 1 << 20))
        if not b:
            raise EOFError
        chunks.append(b)
        left -= len(b)
    return b"".join(chunks)


def write_all(fd, data):
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def read_plain_frame(fd):
    """A frame without blobs, read before numpy can be imported (the init message)."""
    n_head, n_blob = HEAD.unpack(read_exact(fd, HEAD.size))
    header = json.loads(read_exact(fd, n_head).decode("utf-8"))
    read_exact(fd, n_blob)
    return header


def send_plain(fd, header):
    text = json.dumps(dict(header, blobs=[])).encode("utf-8")
    write_all(fd, HEAD.pack(len(text), 0) + text)


class OutputLimitExceeded(RuntimeError):
    pass


class Capture:
    """sys.stdout and sys.stderr while student code runs: keeps the head, counts the rest."""

    encoding = "utf-8"
    errors = "replace"

    def __init__(self, limit):
        self.limit = limit
        self.reset()

    def reset(self):
        self.head, self.count, self.exceeded = [], 0, False
        self._kept = 0

    def write(self, s):
        if not isinstance(s, str):
            raise TypeError(f"write() argument must be str, not {type(s).__name__}")
        self.count += len(s)
        if self._kept < CAPTURE_HEAD:
            piece = s[:CAPTURE_HEAD - self._kept]
            self.head.append(piece)
            self._kept += len(piece)
        if self.count > self.limit:
            self.exceeded = True
            raise OutputLimitExceeded(f"printed more than {self.limit // 1024} KiB of output "
                                      "(the grader's limit)")
        return len(s)

    def flush(self):
        pass

    def isatty(self):
        return False

    def writable(self):
        return True

    def fileno(self):
        raise OSError("captured output has no file descriptor")

    def take(self):
        text = "".join(self.head)
        return text, self.count


def set_limits(limits):
    import resource
    import signal
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)      # writes past RLIMIT_FSIZE fail instead of killing
    pairs = [(resource.RLIMIT_CORE, 0)]
    if limits.get("fsize"):
        pairs.append((resource.RLIMIT_FSIZE, int(limits["fsize"])))
    if limits.get("nproc"):
        pairs.append((resource.RLIMIT_NPROC, int(limits["nproc"])))
    for which, value in pairs:
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass


def set_address_space_limit(extra):
    """RLIMIT_AS at the current size plus extra bytes (the fallback memory limit, CPU only)."""
    import resource
    size = 0
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmSize:"):
                size = int(line.split()[1]) * 1024
    try:
        resource.setrlimit(resource.RLIMIT_AS, (size + extra, size + extra))
    except (ValueError, OSError):
        pass


def facts():
    net = []                    # interfaces of this process's network namespace
    try:
        with open("/proc/self/net/dev") as f:
            for line in f.readlines()[2:]:
                name, _, rest = line.partition(":")
                net.append(name.strip())
    except OSError:
        pass
    return {"uid": os.getuid(), "euid": os.geteuid(), "pid": os.getpid(), "net": net,
            "cwd": os.getcwd(), "python": sys.version.split()[0]}


def transform(source):
    """Drop IPython magics and shell escapes, which plain Python cannot run."""
    lines = source.split("\n")
    if lines and lines[0].lstrip().startswith("%%"):
        return None
    out = []
    for line in lines:
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")):
            out.append(line[: len(line) - len(stripped)] + "pass  # magic dropped by the grader")
        else:
            out.append(line)
    return "\n".join(out)


def describe_error(exc, filename_prefix="<cell"):
    """'ZeroDivisionError: division by zero (line 3)': the exception and the cell line it came from."""
    if isinstance(exc, SyntaxError):
        where = f" (line {exc.lineno})" if exc.lineno else ""
        return f"SyntaxError: {exc.msg}{where}"
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.startswith(filename_prefix):
            line = tb.tb_lineno
        tb = tb.tb_next
    text = f"{type(exc).__name__}: {exc}"
    if len(text) > 1000:
        text = text[:1000] + " ..."
    return text + (f" (line {line})" if line else "")


class Forbidder:
    """Proxies for forbidden helpers, installed before any student code runs.

    grader.core.forbid() replaces module attributes while a function is graded; a reference the
    submission captured earlier (``from torch import sigmoid``) would escape it. The proxies sit
    in those attributes from the start, so a captured reference is a proxy too: it raises while
    an exercise that forbids it is graded and behaves like the original otherwise.
    """

    def __init__(self, names, core):
        import inspect
        self.active = set()
        for dotted in names:
            owner, attr = core._resolve_owner(dotted)
            if owner is None:
                continue
            original = getattr(owner, attr)
            if inspect.isclass(original):
                proxy = self._class_proxy(dotted, original, core.Forbidden)
            elif callable(original):
                proxy = self._function_proxy(dotted, original, core.Forbidden)
            else:
                continue
            try:
                setattr(owner, attr, proxy)
            except (AttributeError, TypeError):
                pass

    def _function_proxy(self, dotted, original, Forbidden):
        active = self.active

        def proxy(*args, **kwargs):
            if dotted in active:
                raise Forbidden(f"{dotted} is not allowed in this exercise: write it from scratch")
            return original(*args, **kwargs)

        proxy.__name__ = getattr(original, "__name__", dotted.rsplit(".", 1)[-1])
        proxy.__doc__ = getattr(original, "__doc__", None)
        return proxy

    def _class_proxy(self, dotted, original, Forbidden):
        active = self.active

        def __init__(self, *args, **kwargs):
            if dotted in active:
                raise Forbidden(f"{dotted} is not allowed in this exercise: write it from scratch")
            original.__init__(self, *args, **kwargs)

        try:
            return type(original.__name__, (original,), {"__init__": __init__,
                                                         "__module__": original.__module__})
        except TypeError:             # a final class: leave it to grader.core.forbid
            return original


def call(ns, exercise, cases, header, forbidder, capture, core, np):
    """Call the student's function on one case; (header, value fields) of the reply."""
    backend = header["backend"]
    error, error_type, result, fields = "", "", None, {}
    start = time.perf_counter()
    try:
        fn = ns.get(exercise.name)
        args = core.to_backend(cases[header["case"]], backend)
        with ExitStack() as stack:
            stack.enter_context(core.forbid(exercise.forbidden))
            forbidder.active.update(exercise.forbidden)
            stack.callback(forbidder.active.clear)
            if exercise.strict_fp and backend == "numpy":
                stack.enter_context(np.errstate(over="raise", invalid="raise", divide="raise"))
            result = fn(*args)
        fields = {"value": core.to_plain(result), "after": core.to_plain(args)}
    except BaseException as exc:        # the student's exception is data here, not our crash
        error, error_type = describe_error(exc), type(exc).__name__
    seconds = time.perf_counter() - start
    sys.stdout = sys.stderr = capture
    return {"ev": "result", "error": error, "error_type": error_type, "seconds": seconds,
            "output_exceeded": capture.exceeded}, fields


def main():
    probe = "--probe" in sys.argv
    rfd, wfd = os.dup(0), os.dup(1)         # the protocol; fds 0 and 1 go to student code
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)                           # C-level output joins the worker's log (stderr)

    init = read_plain_frame(rfd)
    sys.path[:] = [p for p in init["sys_path"] if isinstance(p, str)]
    limits = init.get("limits", {})
    set_limits(limits)
    import importlib
    import importlib.util
    import numpy as np
    for name in init.get("imports", []):
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    if probe:
        info = facts()
        info["modules"] = sorted(m for m in ("numpy", "torch", "grader") if m in sys.modules)
        info["readable"] = {}
        for name in init.get("check_readable", []):       # found and readable, without importing it
            try:
                spec = importlib.util.find_spec(name)
                with open(spec.origin, "rb"):
                    pass
                info["readable"][name] = True
            except Exception:
                info["readable"][name] = False
        send_plain(wfd, dict(info, ev="probe"))
        return 0

    from grader import core, wire
    forbidder = Forbidder(init.get("forbidden", []), core)
    if limits.get("address_space"):
        set_address_space_limit(int(limits["address_space"]))

    def send(header, value_fields=None):
        try:
            blobs, full = [], dict(header)
            for key, value in (value_fields or {}).items():
                full[key] = wire.encode(value, blobs)
            data = wire.pack(full, blobs)
        except Exception as exc:          # WireError, or a value whose conversion failed
            data = wire.pack(dict(header, error=f"the returned value cannot be graded: {exc}"[:1000],
                                  error_type="Unsendable"))
        write_all(wfd, data)

    def recv():
        n_head, n_blob = wire.parse_lengths(read_exact(rfd, wire.HEAD.size))
        return wire.unpack(read_exact(rfd, n_head), read_exact(rfd, n_blob))

    capture = Capture(int(limits.get("output", 1 << 20)))
    real_stdout, real_stderr = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = capture
    send({"ev": "ready", **facts()})

    # ----------------------------------------------------------------- the submission's cells
    ns = {"__name__": "__main__", "__builtins__": builtins}
    skip = set(init.get("skip", []))
    for index, source in init.get("cells", []):
        if index in skip:
            continue
        send({"ev": "cell_start", "index": index})
        capture.reset()
        status, message = "ok", ""
        code = transform(source)
        if code is None:
            status, message = "skipped", "a cell magic (%%...): not run by the grader"
        else:
            try:
                exec(compile(code, f"<cell {index}>", "exec"), ns)
            except BaseException as exc:            # SystemExit and KeyboardInterrupt too
                status, message = "error", describe_error(exc)
        sys.stdout = sys.stderr = capture             # in case the cell replaced them
        text, count = capture.take()
        if capture.exceeded:
            status = "error"
            message = (message + "; " if message and "OutputLimitExceeded" not in message else "") + \
                f"printed more than {capture.limit // 1024} KiB of output (the grader's limit)"
        send({"ev": "cell_done", "index": index, "status": status, "message": message,
              "output": text[:2000], "output_bytes": count})
    send({"ev": "cells_done"})

    # ----------------------------------------------------------------- grading requests
    exercise, cases = None, []
    while True:
        header, blobs = recv()
        op = header.get("op")
        if op == "exit":
            return 0
        if op == "lookup":
            found = {}
            for name in header["names"]:
                obj = ns.get(name)
                found[name] = {"defined": name in ns, "callable": callable(obj),
                               "type": type(obj).__name__}
            send({"ev": "lookup", "found": found})
        elif op == "cases":
            exercise = core.Exercise(header["name"], None, None,
                                     forbidden=tuple(header.get("forbidden", ())),
                                     strict_fp=bool(header.get("strict_fp")))
            cases = [wire.decode(c, blobs) for c in header["cases"]]
            capture.reset()
        elif op == "call":
            send(*call(ns, exercise, cases, header, forbidder, capture, core, np))
        else:
            send({"ev": "error", "message": f"unknown op {op!r}"})


if __name__ == "__main__":
    try:
        code = main()
    except EOFError:
        code = 0
    os._exit(code or 0)
