"""The grader's worker: runs one submission's exercise cells and calls its functions.

grader/sandbox.py starts this file once per grading run as a *zygote* (``python -I -B
grader/_worker.py --zygote FD``): a process that imports numpy, torch and the grader once and
then forks one worker per submission, so no worker pays for importing torch. The zygote never
runs student code. Each fork isolates itself before it reads any (see `spawn`): it joins the
submission's cgroup, enters new mount, network and PID namespaces, mounts private /tmp,
/var/tmp and /dev/shm, drops to user nobody with no_new_privs, and then serves the grader over
its stdin/stdout in frames of JSON and raw .npy bytes (grader/wire.py). It never sees the
oracles or the expected answers and never unpickles anything: it receives case inputs, calls
the student's function, and sends back what came out. Whatever the submission does to numpy,
torch or grader inside its process, the comparison happens in the grader's process.

Messages (grader -> worker):
    {"op": "init", "sys_path", "imports", "forbidden", "limits", "cells": [[index, source]], "skip",
     "probe", "cuda": {"memory_fraction"} (create the CUDA context first)}
    {"op": "lookup", "names": [...]}
    {"op": "cases", "name", "forbidden", "strict_fp", "cases": [args, ...]}
    {"op": "call", "case": i, "backend": "numpy" | "torch-cpu" | "torch-cuda" | "python"}
    {"op": "exit"}
Messages (worker -> grader):
    {"ev": "ready", ...facts}, {"ev": "cell_start", "index"}, {"ev": "cell_done", "index", "status",
    "message", "output", "output_bytes"}, {"ev": "cells_done"}, {"ev": "lookup", "found"},
    {"ev": "result", "value", "after", "error", "error_type", "seconds", "output_exceeded"},
    {"ev": "probe", ...facts}, and from the worker's parent: {"ev": "exit", "status"} when the
    worker has ended, {"ev": "setup_error", "message"} when the sandbox could not be set up.
Zygote control (a SOCK_SEQPACKET socket; JSON, file descriptors passed with SCM_RIGHTS):
    {"op": "init", "sys_path", "imports"} -> {"ok", "modules"}; {"op": "preload", "forbidden"} -> {"ok"}
    {"op": "spawn", "config"} + fds [stdin, stdout, stderr] -> {"pid"}
    {"op": "reap", "keep": [pids]} -> {"killed"}: kill children that are not live workers
"""
import builtins
import json
import os
import signal
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
    try:
        text = f"{type(exc).__name__}: {exc}"
    except BaseException:                      # an exception whose __str__ fails
        text = f"{type(exc).__name__}: (its message could not be read)"
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


def warm_cuda(settings):
    """Create the CUDA context before any student code runs (it takes a second or two, which no
    exercise should pay for) and cap this worker's share of the GPU's memory (a soft cap: the
    caching allocator's, which the submission could lift again). "ok" or what went wrong."""
    try:
        import torch
        torch.zeros(1, device="cuda")
        fraction = settings.get("memory_fraction") if isinstance(settings, dict) else None
        if fraction:
            torch.cuda.set_per_process_memory_fraction(float(fraction))
        return "ok"
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"[:500]


def serve(probe=False):
    """The worker: fds 0, 1, 2 are the grader's requests, the replies, and the log."""
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
    cuda = warm_cuda(init["cuda"]) if init.get("cuda") else None
    if probe or init.get("probe"):
        info = facts()
        info["cuda"] = cuda
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
    sys.stdout = sys.stderr = capture
    send({"ev": "ready", "cuda": cuda, **facts()})

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
            message = f"printed more than {capture.limit // 1024} KiB of output (the grader's limit)"
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


# ----------------------------------------------------------------------------- isolation (Linux)

CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x00020000, 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_BIND, MS_MOVE, MS_REC, MS_PRIVATE = 1, 2, 4, 8, 4096, 8192, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_SET_CHILD_SUBREAPER, PR_SET_NO_NEW_PRIVS = 1, 36, 38
NOBODY = 65534
_libc = None


def libc():
    global _libc
    if _libc is None:
        import ctypes
        _libc = ctypes.CDLL(None, use_errno=True)
        _libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong,
                                ctypes.c_char_p]
        _libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    return _libc


def _check(result, what):
    if result != 0:
        import ctypes
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def prctl(option, value):
    return libc().prctl(option, value, 0, 0, 0)


def mount(source, target, fstype, flags, data=None):
    enc = lambda v: v.encode() if isinstance(v, str) else v
    _check(libc().mount(enc(source), enc(target), enc(fstype), flags, enc(data)), f"mount {target}")


def die_with_parent(parent):
    """SIGKILL when the parent dies (set again after every change of credentials, which clears it)."""
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(125)


def _write_file(path, text):
    with open(path, "w") as f:
        f.write(text)


def spawn(cfg, fds, ctl):
    """Fork a worker for one submission. Returns the pid of its parent (the 'keeper').

    The keeper joins the submission's cgroups, unshares the namespaces and forks the worker,
    which becomes process 1 of the new PID namespace (when it dies, the kernel kills everything
    left in it). The keeper waits for it, writes {"ev": "exit"} on the reply pipe and exits.
    """
    zygote = os.getpid()
    pid = os.fork()
    if pid:
        return pid
    code = 121
    try:
        ctl.close()
        os.setsid()
        die_with_parent(zygote)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for target, fd in zip((0, 1, 2), fds):
            os.dup2(fd, target)
        for fd in fds:
            if fd > 2:
                os.close(fd)
        me = os.getpid()
        for path in cfg.get("cgroup_procs", []):
            _write_file(path, str(me))
        uid, gid = os.getuid(), os.getgid()
        if cfg.get("namespaces"):
            flags = CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID | (CLONE_NEWUSER if cfg.get("userns") else 0)
            _check(libc().unshare(flags), "unshare")
            if cfg.get("userns"):
                _write_file("/proc/self/setgroups", "deny")
                _write_file("/proc/self/uid_map", f"0 {uid} 1")
                _write_file("/proc/self/gid_map", f"0 {gid} 1")
        prctl(PR_SET_CHILD_SUBREAPER, 1)            # orphans of student code stay below us
        worker = os.fork()
        if worker == 0:
            _worker_process(cfg, me)                  # never returns
        os.close(0)
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 2)
        os.close(null)
        while True:                                   # reap orphans until the worker itself ends
            try:
                done, status = os.waitpid(-1, 0)
            except ChildProcessError:
                status = 0
                break
            if done == worker:
                break
        if os.WIFSIGNALED(status):
            sig = os.WTERMSIG(status)
            try:
                name = signal.Signals(sig).name
            except ValueError:
                name = str(sig)
            text = f"killed by signal {sig} ({name})"
        else:
            text = f"exited with status {os.WEXITSTATUS(status)}"
        send_plain(1, {"ev": "exit", "status": text})
        code = 0
    except BaseException as exc:
        try:
            send_plain(1, {"ev": "setup_error", "message": f"{type(exc).__name__}: {exc}"})
        except BaseException:
            pass
    os._exit(code)


def _worker_process(cfg, keeper):
    code = 122
    try:
        if cfg.get("namespaces"):
            mount(None, "/", None, MS_REC | MS_PRIVATE)
            mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
            keep = {d: names for d, names in cfg.get("keep", [])}
            tmp_options = f"size={cfg.get('tmp_mb', 64)}m,mode=1777"
            for d in cfg.get("private_tmp", []):
                if d not in keep:
                    mount("tmpfs", d, "tmpfs", MS_NOSUID | MS_NODEV, tmp_options)
            plan = [(d, keep[d], tmp_options) for d in cfg.get("private_tmp", []) if d in keep]
            plan += [(d, names, "size=1m,mode=755") for d, names in cfg.get("unhide", [])]
            for i, (d, names, options) in enumerate(plan):
                # Cover d with a fresh tmpfs but keep `names` inside it: hold them aside in a
                # private folder, mount, and move them back.
                holds = []
                for j, name in enumerate(names):
                    src, hold = os.path.join(d, name), os.path.join(cfg["hold"], f".dlbook-hold-{i}-{j}")
                    is_dir = os.path.isdir(src)
                    os.mkdir(hold) if is_dir else open(hold, "w").close()
                    mount(src, hold, None, MS_BIND | MS_REC)
                    holds.append((src, hold, is_dir))
                mount("tmpfs", d, "tmpfs", MS_NOSUID | MS_NODEV, options)
                for src, hold, is_dir in holds:
                    os.mkdir(src) if is_dir else open(src, "w").close()
                    mount(hold, src, None, MS_MOVE)
                    os.rmdir(hold) if is_dir else os.unlink(hold)
            for d in cfg.get("mask", []):           # the class's notebooks: out of sight
                mount("tmpfs", d, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=4k,mode=755")
        os.chdir(cfg["home"])
        if cfg.get("nobody"):
            os.setgroups([])
            os.setresgid(NOBODY, NOBODY, NOBODY)
            os.setresuid(NOBODY, NOBODY, NOBODY)
        _check(prctl(PR_SET_NO_NEW_PRIVS, 1), "no_new_privs")
        die_with_parent(keeper if not cfg.get("namespaces") else 0)
        os.environ.clear()
        os.environ.update(cfg.get("env", {}))
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        code = serve()
    except EOFError:
        code = 0
    except BaseException as exc:
        try:
            send_plain(1, {"ev": "setup_error", "message": f"{type(exc).__name__}: {exc}"})
        except BaseException:
            pass
    os._exit(code or 0)


def zygote(ctl_fd):
    """Import once, then fork a worker for each request on the control socket."""
    import select
    import socket
    ctl = socket.socket(fileno=ctl_fd)
    parent = os.getppid()
    die_with_parent(parent)
    prctl(PR_SET_CHILD_SUBREAPER, 1)
    children = set()

    def reply(obj):
        ctl.send(json.dumps(obj).encode())

    def reap():
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            children.discard(pid)

    while True:
        reap()
        r, _, _ = select.select([ctl], [], [], 1.0)
        if not r:
            continue
        msg, fds, _, _ = socket.recv_fds(ctl, 1 << 20, 8)
        if not msg:
            break
        try:
            req = json.loads(msg)
            op = req.get("op")
            if op == "init":
                import importlib
                sys.path[:] = [p for p in req["sys_path"] if isinstance(p, str)]
                for name in req.get("imports", []):
                    try:
                        importlib.import_module(name)
                    except ImportError:
                        pass
                import contextlib, inspect, resource  # noqa: E401,F401  (used by every worker)
                from grader import core, wire  # noqa: F401
                reply({"ok": True, "modules": sorted(m for m in ("numpy", "torch", "grader") if m in sys.modules)})
            elif op == "preload":
                from grader import core
                for dotted in req.get("forbidden", []):
                    core._resolve_owner(dotted)          # imports the modules, patches nothing
                reply({"ok": True})
            elif op == "spawn":
                try:
                    pid = spawn(req["config"], fds, ctl)
                finally:
                    for fd in fds:
                        os.close(fd)
                    fds = []
                children.add(pid)
                reply({"pid": pid})
            elif op == "reap":
                keep = set(req.get("keep", []))
                killed = 0
                me = os.getpid()
                for name in os.listdir("/proc"):
                    if not name.isdigit() or int(name) in keep:
                        continue
                    try:
                        with open(f"/proc/{name}/stat", "rb") as f:
                            ppid = int(f.read().rsplit(b")", 1)[1].split()[1])
                    except (OSError, ValueError, IndexError):
                        continue
                    if ppid == me:
                        try:
                            os.kill(int(name), signal.SIGKILL)
                            killed += 1
                        except OSError:
                            pass
                time.sleep(0.01)
                reap()
                reply({"killed": killed})
            else:
                reply({"error": f"unknown op {op!r}"})
        except BaseException as exc:
            for fd in fds:
                try:
                    os.close(fd)
                except OSError:
                    pass
            try:
                reply({"error": f"{type(exc).__name__}: {exc}"})
            except OSError:
                break
    os._exit(0)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--zygote":
        zygote(int(sys.argv[2]))
    print("grader/_worker.py is started by the grader (python -m grader grade), not by hand",
          file=sys.stderr)
    sys.exit(2)
