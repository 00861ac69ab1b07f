"""Isolation for the grader's workers: find what this machine offers, start workers in it,
watch their limits, and kill them with everything they started.

Workers are forked by a zygote (grader/_worker.py --zygote) that imported numpy and torch once.
Each fork isolates itself before it reads the submission. The strongest setup, used where it
works (as root on Linux with cgroup v1 or v2):

* a cgroup of its own per worker: a limit on resident memory (not RLIMIT_AS, which breaks CUDA)
  and pids.max on processes (root ignores RLIMIT_NPROC); killing every process in it works even
  after the student's code called setsid;
* new PID, network and mount namespaces: the worker is process 1 of its PID namespace (when it
  dies, the kernel kills the rest), has no network at all (not even loopback to the host), and
  gets private, empty /tmp, /var/tmp and /dev/shm (nothing it writes there outlives it);
* user nobody with no_new_privs: it cannot write the repository, the grader or other
  submissions. Directories nobody may not enter (an interpreter under /root, say) are made
  reachable inside the private mount namespace only.

Each layer is probed once per run; what fails is dropped, and the grading report says which
level was used. Without root, unprivileged user namespaces give the namespaces where the kernel
allows them. The fallbacks: RLIMIT_AS (CPU-only runs) or a watchdog on resident memory,
RLIMIT_NPROC, and killing the process group and every descendant (the worker's parent is a
child subreaper, so processes that call setsid stay below it).
"""
import json
import os
import pwd
import select
import socket
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import wire

WORKER = Path(__file__).resolve().with_name("_worker.py")
REPO = Path(__file__).resolve().parent.parent
NOBODY = 65534
PRIVATE_TMP = ("/tmp", "/var/tmp", "/dev/shm")
PREFIX = "dlbook-grade"
_counter = iter(range(1, 1 << 62))
_counter_lock = threading.Lock()


@dataclass
class Limits:
    """What one submission may use. timeout: seconds per exercise (all its cases and backends)
    and per exercise cell; submission_timeout: seconds for the whole submission (None: derived)."""
    timeout: float = 10.0
    memory_mb: int = 2048
    procs: int = 64
    output_kb: int = 1024
    submission_timeout: float | None = None
    startup_timeout: float = 120.0
    fsize_mb: int = 64
    jobs: int = 1

    def as_dict(self):
        return {"timeout_s": self.timeout, "memory_mb": self.memory_mb, "processes": self.procs,
                "output_kb": self.output_kb, "submission_timeout_s": self.submission_timeout,
                "file_size_mb": self.fsize_mb}


class WorkerTimeout(Exception):
    pass


class WorkerDied(Exception):
    def __init__(self, reason, memory=False, setup=False):
        super().__init__(reason)
        self.reason, self.memory, self.setup = reason, memory, setup


# ----------------------------------------------------------------------------- /proc helpers

def _ppids():
    """{pid: parent pid} of every process visible here."""
    out = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read()
            out[int(name)] = int(stat.rsplit(b")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            pass
    return out


def descendants(root):
    """root and every process below it."""
    children = {}
    for pid, ppid in _ppids().items():
        children.setdefault(ppid, []).append(pid)
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def private_bytes(pids):
    """Memory the processes hold on their own (Private_Clean + Private_Dirty: pages a worker
    shares with the zygote it was forked from do not count), or VmRSS where smaps_rollup is missing."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith(("Private_Clean:", "Private_Dirty:")):
                        total += int(line.split()[1]) * 1024
            continue
        except (OSError, ValueError):
            pass
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
                        break
        except (OSError, ValueError):
            pass
    return total


def count_processes(uid):
    n = 0
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                if os.stat(f"/proc/{name}").st_uid == uid:
                    n += 1
            except OSError:
                pass
    return n


# ----------------------------------------------------------------------------- cgroups

def _mounts():
    out = []
    try:
        with open("/proc/self/mounts") as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 4:
                    out.append((parts[1].replace("\\040", " "), parts[2], parts[3].split(",")))
    except OSError:
        pass
    return out


def _own_cgroups():
    out = {}
    try:
        with open("/proc/self/cgroup") as f:
            for line in f:
                hid, ctls, path = line.rstrip("\n").split(":", 2)
                for c in (ctls.split(",") if ctls else [""]):
                    out[c] = path
    except (OSError, ValueError):
        pass
    return out


def _write(path, text):
    with open(path, "w") as f:
        f.write(text)


def _read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def _try_group(parent, files):
    """Create a probe group under parent, write files into it, remove it: True when all worked."""
    probe = Path(parent) / f"{PREFIX}-probe-{os.getpid()}"
    try:
        probe.mkdir()
    except OSError:
        return False
    try:
        for name, value in files.items():
            _write(probe / name, value)
        return True
    except OSError:
        return False
    finally:
        try:
            probe.rmdir()
        except OSError:
            pass


def detect_cgroup():
    """("v1", {"memory": dir, "pids": dir}) or ("v2", {"unified": dir}) or ("", {})."""
    own = _own_cgroups()
    mounts = _mounts()
    v1 = {}
    for ctl, limit_file in (("memory", "memory.limit_in_bytes"), ("pids", "pids.max")):
        for mp, fstype, opts in mounts:
            if fstype == "cgroup" and ctl in opts:
                base = Path(mp + own.get(ctl, "/")).resolve()
                for parent in (base, Path(mp)):
                    if parent.is_dir() and _try_group(parent, {limit_file: "100000000" if ctl == "memory" else "10"}):
                        v1[ctl] = str(parent)
                        break
                break
    if len(v1) == 2:
        return "v1", v1
    for mp, fstype, opts in mounts:
        if fstype != "cgroup2":
            continue
        parent = Path(mp + own.get("", "/")).resolve()
        if not parent.is_dir():
            continue
        want = {"memory", "pids"}
        if not want <= set(_read(Path(mp) / "cgroup.controllers").split()) and \
                not want <= set(_read(parent / "cgroup.controllers").split()):
            continue
        if not want <= set(_read(parent / "cgroup.subtree_control").split()):
            try:
                _write(parent / "cgroup.subtree_control", "+memory +pids")
            except OSError:
                continue
        if _try_group(parent, {"memory.max": "100000000", "pids.max": "10"}):
            return "v2", {"unified": str(parent)}
    return "", {}


class Cgroup:
    """One worker's cgroup(s): create with limits, list and kill members, read OOM events, remove."""

    def __init__(self, kind, parents, name, memory_bytes, procs):
        self.kind, self.dirs = kind, []
        if kind == "v1":
            mem = Path(parents["memory"]) / name
            pids = Path(parents["pids"]) / name
            mem.mkdir()
            self.dirs.append(mem)
            pids.mkdir()
            self.dirs.append(pids)
            _write(mem / "memory.limit_in_bytes", str(memory_bytes))
            if (mem / "memory.memsw.limit_in_bytes").exists():
                try:
                    _write(mem / "memory.memsw.limit_in_bytes", str(memory_bytes))
                except OSError:
                    pass
            _write(pids / "pids.max", str(procs))
            self.memory_dir = mem
        else:
            d = Path(parents["unified"]) / name
            d.mkdir()
            self.dirs.append(d)
            _write(d / "memory.max", str(memory_bytes))
            try:
                _write(d / "memory.swap.max", "0")
            except OSError:
                pass
            _write(d / "pids.max", str(procs))
            self.memory_dir = d

    @property
    def procs_files(self):
        return [str(d / "cgroup.procs") for d in self.dirs]

    def members(self):
        out = set()
        for d in self.dirs:
            for line in _read(d / "cgroup.procs").split():
                if line.isdigit():
                    out.add(int(line))
        return out

    def oom_kills(self):
        text = _read(self.memory_dir / ("memory.oom_control" if self.kind == "v1" else "memory.events"))
        for line in text.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] == "oom_kill":
                return int(parts[1])
        if self.kind == "v1":                 # old kernels: no oom_kill line
            fail = _read(self.memory_dir / "memory.failcnt").strip()
            return 1 if fail.isdigit() and int(fail) > 0 else 0
        return 0

    def hit_limit(self):
        """Whether the group's memory ever reached its limit (v1 failcnt, v2 memory.events max)."""
        if self.kind == "v1":
            text = _read(self.memory_dir / "memory.failcnt").strip()
            return text.isdigit() and int(text) > 0
        for line in _read(self.memory_dir / "memory.events").splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] in ("max", "oom", "oom_kill") and parts[1].isdigit() and int(parts[1]) > 0:
                return True
        return False

    def peak_bytes(self):
        """The most memory the group held (v1 max_usage_in_bytes, v2 memory.peak where it exists)."""
        text = _read(self.memory_dir / ("memory.max_usage_in_bytes" if self.kind == "v1" else "memory.peak")).strip()
        return int(text) if text.isdigit() else None

    def kill(self):
        if self.kind == "v2" and (self.dirs[0] / "cgroup.kill").exists():
            try:
                _write(self.dirs[0] / "cgroup.kill", "1")
            except OSError:
                pass
        for _ in range(200):
            pids = self.members()
            if not pids:
                return True
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            time.sleep(0.01)
        return not self.members()

    def remove(self):
        deadline = time.monotonic() + 5
        for d in self.dirs:
            while True:
                try:
                    d.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        break
                    self.kill()
                    time.sleep(0.02)


# ----------------------------------------------------------------------------- isolation

def _worker_sys_path():
    """The grader's import path for the workers: the repository first, never the current folder."""
    cwd = os.getcwd()
    out = [str(REPO)]
    for p in sys.path:
        if p and os.path.isabs(p) and p != cwd and p not in out and Path(p).resolve() != REPO / "grader":
            out.append(p)
    return out


def _needed_paths():
    paths = {Path(sys.executable).resolve().parent, Path(sys.base_prefix).resolve(),
             Path(sys.prefix).resolve(), REPO, WORKER.parent}
    for p in _worker_sys_path():
        if os.path.exists(p):
            paths.add(Path(p).resolve())
    return sorted(paths)


def _unhide_plan(paths):
    """[(directory nobody cannot enter, [names inside it the worker needs])], outermost first."""
    plan = {}
    for p in paths:
        parts = p.parts
        for i in range(1, len(parts)):
            d = Path(*parts[:i])
            try:
                st = d.stat()
            except OSError:
                break
            if not st.st_mode & 0o001 and st.st_uid != NOBODY:
                plan.setdefault(d, set()).add(parts[i])
    return sorted(([str(d), sorted(names)] for d, names in plan.items()), key=lambda x: len(Path(x[0]).parts))


def _private_plan(needed):
    """Which of /tmp, /var/tmp, /dev/shm get a private tmpfs, and what is bound back into them.

    A project checked out under /tmp (a CI clone, say) must stay visible in the worker: its
    path is held aside, the tmpfs mounted, and the path moved back. Holding needs one private
    folder that holds nothing needed; without one, folders holding needed paths stay shared.
    Returns (private dirs, [[dir, [names]]]).
    """
    existing = [d for d in PRIVATE_TMP if os.path.isdir(d)]
    keep = []
    for d in existing:
        names = sorted({p.relative_to(d).parts[0] for p in needed if Path(d) in p.parents})
        if names or any(p == Path(d) for p in needed):
            keep.append([d, names])
    if any(not names for _, names in keep):      # a needed path IS a tmp folder: leave it shared
        existing = [d for d in existing if d not in {k for k, n in keep if not n}]
        keep = [k for k in keep if k[1]]
    if not [d for d in existing if d not in {k for k, _ in keep}]:
        return [d for d in existing if d not in {k for k, _ in keep}], []
    return existing, keep


def _hold_base(private, keep):
    """A private folder that holds nothing needed: where paths wait while a tmpfs is mounted."""
    free = [d for d in private if d not in {k for k, _ in keep}]
    return free[0] if free else None


def mask_plan(folders, iso):
    """The folders of the submissions, to be covered by an empty read-only tmpfs in each worker's
    mount namespace (a submission cannot read its classmates' notebooks), minus any folder the
    worker needs or that is already private; outermost only."""
    if not iso.namespaces:
        return []
    needed = _needed_paths()
    private = [Path(d) for d in iso.private_tmp]
    kept = [Path(d) / n for d, names in iso.keep for n in names]
    out = []
    for f in sorted({Path(f).resolve() for f in folders}, key=lambda p: len(p.parts)):
        if len(f.parts) < 3 or any(f == n or f in n.parents for n in needed):
            continue
        under = lambda roots: any(f == p or p in f.parents for p in roots)
        if (under(private) and not under(kept)) or under(out):     # already out of sight
            continue
        out.append(f)
    return [str(f) for f in out]


@dataclass
class Isolation:
    cgroup: str = ""                                   # "v1" | "v2" | ""
    cgroup_parents: dict = field(default_factory=dict)
    namespaces: bool = False                           # PID + network + mount namespaces
    user_namespace: bool = False                       # not root: an unprivileged user namespace
    private_tmp: list = field(default_factory=list)
    unhide: list = field(default_factory=list)
    nobody: bool = False
    keep: list = field(default_factory=list)           # [(private dir, [names the worker needs in it])]
    rlimit_as: bool = False                            # fallback memory limit (CPU-only runs)
    probe_facts: dict = field(default_factory=dict, compare=False)

    @property
    def level(self):
        unprivileged = self.nobody or os.geteuid() != 0
        if self.cgroup and self.namespaces and unprivileged:
            return "strong"
        if self.cgroup or self.namespaces:
            return "partial"
        return "basic"

    def report(self):
        user = "nobody" if self.nobody else pwd.getpwuid(os.geteuid()).pw_name
        if self.cgroup:
            memory = (f"cgroup {self.cgroup} "
                      f"({'memory.limit_in_bytes' if self.cgroup == 'v1' else 'memory.max'}, resident memory)")
            procs = f"cgroup {self.cgroup} pids.max"
        else:
            memory = ("RLIMIT_AS (address space beyond the zygote's)" if self.rlimit_as
                      else "watchdog on private resident memory")
            procs = "RLIMIT_NPROC" + (" (not enforced for root)" if not self.nobody and os.geteuid() == 0 else "")
        kill = " + ".join(k for k, on in (("cgroup", bool(self.cgroup)), ("PID namespace", self.namespaces),
                                         ("process group and descendants", True)) if on)
        return {
            "level": self.level,
            "user": user,
            "memory": memory,
            "processes": procs,
            "kill": kill,
            "network": "none (own network namespace)" if self.namespaces else "host network (no isolation)",
            "pid_namespace": self.namespaces,
            "user_namespace": self.user_namespace,
            "private_tmp": list(self.private_tmp),
        }

    def summary(self):
        r = self.report()
        return (f"{r['level']}: user {r['user']}; memory: {r['memory']}; processes: {r['processes']}; "
                f"network: {r['network'].split(' (')[0]}; kill: {r['kill']}")


class ZygoteError(Exception):
    pass


class Zygote:
    """The process that imported numpy and torch once and forks the workers (grader/_worker.py)."""

    def __init__(self, imports):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
                   PYTHONHASHSEED="0", MPLBACKEND="Agg")
        self.proc = subprocess.Popen([sys.executable, "-I", "-B", str(WORKER), "--zygote", str(theirs.fileno())],
                                     pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                                     cwd="/", start_new_session=True)
        theirs.close()
        self.sock = ours
        self.lock = threading.Lock()
        self._send({"op": "init", "sys_path": _worker_sys_path(), "imports": list(imports)})
        self.ready = None
        self.live = set()                     # the parents of workers that are running

    def _send(self, obj, fds=()):
        data = json.dumps(obj).encode()
        if fds:
            socket.send_fds(self.sock, [data], list(fds))
        else:
            self.sock.send(data)

    def _recv(self, timeout):
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(1 << 20)
        except (socket.timeout, OSError) as exc:
            raise ZygoteError(f"the zygote did not answer ({exc})") from None
        if not data:
            raise ZygoteError("the zygote ended")
        reply = json.loads(data)
        if "error" in reply:
            raise ZygoteError(reply["error"])
        return reply

    def wait_ready(self, timeout=300):
        with self.lock:
            if self.ready is None:
                self.ready = self._recv(timeout)
        return self.ready

    def request(self, obj, fds=(), timeout=30, after=None):
        """Send one request and read its reply; after(reply) runs before the lock is released."""
        self.wait_ready()
        with self.lock:
            if callable(obj):
                obj = obj()
            try:
                self._send(obj, fds)
            except OSError as exc:
                raise ZygoteError(f"the zygote is gone ({exc})") from None
            reply = self._recv(timeout)
            if after is not None:
                after(reply)
            return reply

    def preload(self, forbidden):
        """Import the modules of the forbidden helpers once, in the zygote (patching nothing)."""
        self.request({"op": "preload", "forbidden": list(forbidden)}, timeout=120)

    def spawn(self, config, fds):
        return self.request({"op": "spawn", "config": config}, fds,
                            after=lambda reply: self.live.add(reply["pid"]))["pid"]

    def reap(self):
        """Kill processes that escaped their worker's tree and ended up as our children."""
        try:
            self.request(lambda: {"op": "reap", "keep": sorted(self.live)})
        except ZygoteError:
            pass

    def close(self):
        if self.proc.returncode is not None:
            return
        try:
            self.sock.close()
        finally:
            self.proc.kill()
            self.proc.wait()


LEVELS = ("auto", "namespaces", "cgroup", "rlimits")


def detect(zygote, use_cuda=False, limits=None, start="auto"):
    """The strongest isolation that works here, probed by starting a worker in each candidate.

    start: the strongest level to try ("auto" tries everything; "namespaces" skips user nobody,
    "cgroup" skips namespaces too, "rlimits" uses no cgroup either), for machines where a layer
    misbehaves and for testing the fallbacks."""
    limits = limits or Limits()
    root = os.geteuid() == 0
    cg, parents = detect_cgroup()
    nobody = False
    if root:
        try:
            pwd.getpwuid(NOBODY)
            nobody = True
        except KeyError:
            pass
    needed = _needed_paths()
    private, keep = _private_plan(needed)
    unhide = _unhide_plan(needed) if nobody and _hold_base(private, keep) else []
    hidden = bool(_unhide_plan(needed)) if nobody else False
    userns = not root
    candidates = [
        Isolation(cg, parents, True, userns, private, unhide, nobody and (bool(unhide) or not hidden), keep=keep),
        Isolation(cg, parents, True, userns, private, [], False, keep=keep),
        Isolation(cg, parents, False, False, [], [], nobody and not hidden),
        Isolation(cg, parents),
        Isolation(nobody=nobody and not hidden),
        Isolation(),
    ]
    candidates = candidates[{"auto": 0, "namespaces": 1, "cgroup": 2, "rlimits": 4}[start]:]
    seen = []
    for iso in candidates:
        if iso in seen:
            continue
        seen.append(iso)
        iso.rlimit_as = not iso.cgroup and not use_cuda
        facts = _probe(zygote, iso, limits, use_cuda)
        if facts is not None:
            iso.probe_facts = facts
            return iso
    raise ZygoteError("no worker could be started, even without isolation"
                      + (" (or none could create a CUDA context)" if use_cuda else ""))


def _probe(zygote, iso, limits, use_cuda=False):
    """Start a worker in this isolation and ask for its facts; None when it did not work
    (with use_cuda: also when it cannot create a CUDA context there, e.g. as nobody)."""
    w = Worker(zygote, iso, limits)
    try:
        w.start()
        w.send({"op": "init", "probe": True, "sys_path": _worker_sys_path(), "imports": ["numpy", "grader"],
                "check_readable": ["torch"], "limits": w.rlimits(), "cuda": {} if use_cuda else None},
               deadline=time.monotonic() + 30)
        header, _ = w.recv(time.monotonic() + 60)
    except (WorkerDied, WorkerTimeout, ZygoteError, OSError):
        return None
    finally:
        w.close()
    if header.get("ev") != "probe" or header.get("python") != sys.version.split()[0]:
        return None
    if "numpy" not in header.get("modules", []) or "grader" not in header.get("modules", []):
        return None
    if not all(header.get("readable", {}).values()):
        return None
    if iso.nobody and header.get("uid") != NOBODY:
        return None
    if use_cuda and header.get("cuda") != "ok":
        return None
    if iso.namespaces and (header.get("pid") != 1 or set(header.get("net", [])) - {"lo"}):
        return None
    return header


# ----------------------------------------------------------------------------- one worker

class Worker:
    """One worker process in its sandbox: start, talk, watch, kill, clean up."""

    def __init__(self, zygote, iso, limits):
        self.zygote, self.iso, self.limits = zygote, iso, limits
        self.pid = self.cgroup = self.home = None
        self.fds = {}
        self.buf = bytearray()
        self.log = bytearray()
        self.memory_exceeded = False
        self.exit_status = ""
        self.mask = []                        # folders hidden from the worker (see mask_plan)
        self.peak = None                      # bytes, where a cgroup measured it
        self._last_watch = 0.0
        self.closed = False

    # -- starting

    def rlimits(self):
        out = {"fsize": self.limits.fsize_mb << 20, "output": self.limits.output_kb * 1024}
        if not self.iso.cgroup:
            uid = NOBODY if self.iso.nobody else os.geteuid()
            if uid != 0:
                out["nproc"] = count_processes(uid) + self.limits.procs * max(1, self.limits.jobs)
            if self.iso.rlimit_as:
                out["address_space"] = self.limits.memory_mb << 20
        return out

    def start(self):
        with _counter_lock:
            name = f"{PREFIX}-{os.getpid()}-{next(_counter)}"
        if self.iso.cgroup:
            self.cgroup = Cgroup(self.iso.cgroup, self.iso.cgroup_parents, name,
                                 self.limits.memory_mb << 20, self.limits.procs)
        if "/tmp" in self.iso.private_tmp:
            home = "/tmp"
        else:
            self.home = home = tempfile.mkdtemp(prefix=f"{name}-")
            if self.iso.nobody:
                os.chown(self.home, NOBODY, -1)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home, "TMPDIR": home,
               "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "MPLBACKEND": "Agg",
               "MPLCONFIGDIR": home, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
               "OPENBLAS_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}
        for key in ("CUDA_VISIBLE_DEVICES", "NVIDIA_VISIBLE_DEVICES", "LD_LIBRARY_PATH", "CUDA_HOME"):
            if key in os.environ:
                env[key] = os.environ[key]
        config = {"cgroup_procs": self.cgroup.procs_files if self.cgroup else [],
                  "namespaces": self.iso.namespaces, "userns": self.iso.user_namespace,
                  "private_tmp": self.iso.private_tmp, "tmp_mb": max(16, self.limits.fsize_mb),
                  "unhide": self.iso.unhide, "keep": self.iso.keep, "mask": self.mask,
                  "nobody": self.iso.nobody, "hold": _hold_base(self.iso.private_tmp, self.iso.keep),
                  "home": home, "env": env}
        in_r, in_w = os.pipe()
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        try:
            self.pid = self.zygote.spawn(config, [in_r, out_w, err_w])
        except BaseException:
            for fd in (in_w, out_r, err_r):
                os.close(fd)
            raise
        finally:
            for fd in (in_r, out_w, err_w):
                os.close(fd)
        self.fds = {"in": in_w, "out": out_r, "err": err_r}
        for fd in self.fds.values():
            os.set_blocking(fd, False)
        self.started = time.monotonic()

    # -- talking

    def send(self, header, blobs=(), deadline=None):
        data = memoryview(wire.pack(header, blobs))
        fd = self.fds["in"]
        while data:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise WorkerTimeout()
            r, w, _ = select.select([self.fds["err"]], [fd], [], min(0.2, left) if left is not None else 0.2)
            if r:
                self._drain_log()             # a worker blocked on a full log pipe would not read
            self._tick()
            if not w:
                continue
            try:
                n = os.write(fd, data)
            except BlockingIOError:
                continue
            except OSError:
                raise self._died() from None
            data = data[n:]

    def recv(self, deadline):
        """The next frame (header, blobs); WorkerTimeout at the deadline, WorkerDied on EOF."""
        out_fd, err_fd = self.fds["out"], self.fds["err"]
        eof = False
        while True:
            frame = self._frame()
            if frame is not None:
                header = frame[0]
                if header.get("ev") == "exit":
                    self.exit_status = str(header.get("status", ""))[:200]
                    raise self._died()
                if header.get("ev") == "setup_error":
                    self.kill()
                    raise WorkerDied(f"the sandbox could not be set up: {str(header.get('message'))[:500]}",
                                     setup=True)
                return frame
            if eof:
                raise self._died()
            left = deadline - time.monotonic()
            if left <= 0:
                raise WorkerTimeout()
            r, _, _ = select.select([out_fd, err_fd], [], [], min(0.2, left))
            if err_fd in r:
                self._drain_log()
            if out_fd in r:
                try:
                    chunk = os.read(out_fd, 1 << 20)
                except BlockingIOError:
                    chunk = None
                if chunk == b"":
                    eof = True
                elif chunk:
                    self.buf += chunk
            self._tick()

    def _frame(self):
        if len(self.buf) < wire.HEAD.size:
            return None
        try:
            n_head, n_blob = wire.parse_lengths(bytes(self.buf[:wire.HEAD.size]))
            end = wire.HEAD.size + n_head + n_blob
            if len(self.buf) < end:
                return None
            head = bytes(self.buf[wire.HEAD.size:wire.HEAD.size + n_head])
            blobs = bytes(self.buf[wire.HEAD.size + n_head:end])
            del self.buf[:end]
            return wire.unpack(head, blobs)
        except wire.WireError as exc:
            raise self._died("the submission wrote into the grader's channel (a malformed message)") from None

    def _drain_log(self):
        try:
            while True:
                chunk = os.read(self.fds["err"], 1 << 16)
                if not chunk:
                    return
                if len(self.log) < 64 << 10:
                    self.log += chunk[: (64 << 10) - len(self.log)]
        except OSError:
            return

    def _tick(self):
        """Watchdog on resident memory where no cgroup limits it."""
        if self.iso.cgroup or self.iso.rlimit_as or self.pid is None:
            return
        now = time.monotonic()
        if now - self._last_watch < 0.25:
            return
        self._last_watch = now
        if private_bytes(self._tree()[1:]) > self.limits.memory_mb << 20:
            self.memory_exceeded = True
            self.kill()

    def _died(self, reason=""):
        self.kill()
        memory = self.memory_exceeded or (self.cgroup is not None and self.cgroup.oom_kills() > 0)
        if memory:
            return WorkerDied(f"used more than {self.limits.memory_mb} MiB of memory (the limit)", memory=True)
        if reason:
            return WorkerDied(reason)
        how = f" ({self.exit_status})" if self.exit_status else ""
        return WorkerDied(f"the process running the submission stopped{how}")

    # -- ending

    def at_memory_limit(self):
        """Whether the worker ran into its memory limit (checked when it times out: a worker
        that allocates at the limit can be slowed down by reclaim rather than killed)."""
        return self.memory_exceeded or (self.cgroup is not None and self.cgroup.hit_limit())

    def _tree(self):
        """The worker's parent and everything below it (empty once the zygote has reaped it)."""
        if self.pid is None:
            return []
        ppids = _ppids()
        if ppids.get(self.pid) != self.zygote.proc.pid:
            return []
        children = {}
        for pid, ppid in ppids.items():
            children.setdefault(ppid, []).append(pid)
        out, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            out.append(pid)
            todo.extend(children.get(pid, []))
        return out

    def kill(self):
        """SIGKILL the worker and everything it started (cgroup, PID namespace, descendants)."""
        if self.pid is None:
            return
        if self.cgroup:
            self.cgroup.kill()
        for _ in range(50):
            tree = self._tree()
            if len(tree) <= 1:
                break
            for pid in reversed(tree[1:]):
                try:
                    os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            time.sleep(0.005)
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self.cgroup:
            self.cgroup.kill()

    def close(self):
        if self.closed:
            return
        self.closed = True
        try:
            if self.pid is not None:
                self.kill()
                self._drain_log()
        finally:
            if self.cgroup:
                self.peak = self.cgroup.peak_bytes()
            for fd in self.fds.values():
                try:
                    os.close(fd)
                except OSError:
                    pass
            self.fds = {}
            self.zygote.live.discard(self.pid)
            if self.cgroup:
                self.cgroup.remove()
            if self.home:
                shutil.rmtree(self.home, ignore_errors=True)
