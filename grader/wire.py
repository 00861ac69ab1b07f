"""Plain data across the grader/worker boundary: JSON headers and raw .npy bytes, never pickle.

A frame is ``<header length: u64><blob length: u64><header: JSON><blobs>``; the header lists the
length of each blob. Values are encoded as JSON with tagged objects for what JSON lacks:

    {"t": "f", "v": "0x1.8p+1"}              float (exact, NaN and inf included)
    {"t": "int", "v": "123456789..."}        an int outside 64 bits
    {"t": "nd", "b": 0}                      a NumPy array: blob 0 holds its .npy bytes
    {"t": "np", "b": 1}                      a NumPy scalar (a 0-d .npy)
    {"t": "arr", "b": 2, "lib", "dtype", "device"}   grader.core.Arr (what a function returned)
    {"t": "opaque", "type", "text"}          grader.core.Opaque
    {"t": "tuple" | "list", "v": [...]}, {"t": "dict", "v": [[key, value], ...]}
    {"t": "rng", "state": ...}               a NumPy Generator, by its bit generator's state

Arrays are read back with ``allow_pickle=False`` and must hold numbers or booleans, so nothing
a submission sends can run code in the grader's process.
"""
import io
import json
import struct

import numpy as np

HEAD = struct.Struct("<QQ")
MAX_HEADER = 16 << 20            # bytes of JSON in one frame
MAX_BLOBS = 64 << 20             # bytes of array data in one frame
MAX_DEPTH = 24


class WireError(ValueError):
    """A value that cannot cross the boundary, or a malformed frame."""


# ----------------------------------------------------------------------------- frames

def pack(header, blobs=()):
    blobs = [bytes(b) for b in blobs]
    header = dict(header, blobs=[len(b) for b in blobs])
    text = json.dumps(header, allow_nan=False, separators=(",", ":")).encode("utf-8")
    total = sum(len(b) for b in blobs)
    if len(text) > MAX_HEADER or total > MAX_BLOBS:
        raise WireError(f"message too large ({len(text) + total} bytes)")
    return HEAD.pack(len(text), total) + text + b"".join(blobs)


def parse_lengths(prefix):
    """(header length, blob length) from the first HEAD.size bytes, checked against the limits."""
    n_head, n_blob = HEAD.unpack(prefix)
    if n_head > MAX_HEADER or n_blob > MAX_BLOBS:
        raise WireError(f"message too large ({n_head + n_blob} bytes)")
    return n_head, n_blob


def unpack(head_bytes, blob_bytes):
    """(header dict, list of blobs) of one frame's body."""
    try:
        header = json.loads(head_bytes.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise WireError(f"malformed header: {exc}") from None
    if not isinstance(header, dict):
        raise WireError("malformed header: not an object")
    lengths = header.get("blobs", [])
    if (not isinstance(lengths, list) or not all(isinstance(n, int) and n >= 0 for n in lengths)
            or sum(lengths) != len(blob_bytes)):
        raise WireError("malformed header: blob lengths do not add up")
    blobs, at = [], 0
    for n in lengths:
        blobs.append(blob_bytes[at:at + n])
        at += n
    return header, blobs


# ----------------------------------------------------------------------------- values

def _npy(arr):
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.asarray(arr), allow_pickle=False)
    return buf.getvalue()


def _from_npy(data):
    try:
        arr = np.lib.format.read_array(io.BytesIO(data), allow_pickle=False)
    except Exception as exc:          # ValueError, EOFError, ...: all mean "not a plain array"
        raise WireError(f"not a plain array: {exc}") from None
    if arr.dtype.kind not in "biufc" or arr.dtype.names is not None:
        raise WireError(f"arrays must hold numbers, not {arr.dtype}")
    return arr


def encode(value, blobs, _depth=0):
    """JSON-able form of value; arrays are appended to blobs as .npy bytes."""
    from .core import Arr, Opaque
    if _depth > MAX_DEPTH:
        raise WireError("nested too deeply")
    enc = lambda v: encode(v, blobs, _depth + 1)
    if value is None or isinstance(value, (bool, str)):
        return value if not isinstance(value, str) else str(value)
    if isinstance(value, int) and not isinstance(value, np.integer):
        value = int(value)
        if -(1 << 63) <= value < (1 << 63):
            return value
        try:
            return {"t": "int", "v": str(value)}
        except ValueError:            # more digits than Python will print
            raise WireError("an int too large to send") from None
    if isinstance(value, float):
        return {"t": "f", "v": float(value).hex()}
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biufc" or value.dtype.names is not None:
            raise WireError(f"cannot send an array of {value.dtype}")
        blobs.append(_npy(value))
        return {"t": "nd", "b": len(blobs) - 1}
    if isinstance(value, np.generic):
        if np.dtype(value.dtype).kind not in "biufc":
            raise WireError(f"cannot send a {type(value).__name__}")
        blobs.append(_npy(np.asarray(value)))
        return {"t": "np", "b": len(blobs) - 1}
    if isinstance(value, Arr):
        if not isinstance(value.value, np.ndarray) or value.value.dtype.kind not in "biufc":
            raise WireError("cannot send an array of objects")
        blobs.append(_npy(value.value))
        return {"t": "arr", "b": len(blobs) - 1, "lib": str(value.lib)[:40],
                "dtype": str(value.dtype)[:40], "device": str(value.device)[:40]}
    if isinstance(value, Opaque):
        return {"t": "opaque", "type": str(value.type)[:200], "text": str(value.text)[:400]}
    if isinstance(value, tuple):
        return {"t": "tuple", "v": [enc(v) for v in value]}
    if isinstance(value, list):
        return {"t": "list", "v": [enc(v) for v in value]}
    if isinstance(value, dict):
        return {"t": "dict", "v": [[enc(k), enc(v)] for k, v in value.items()]}
    if isinstance(value, np.random.Generator):
        return {"t": "rng", "state": enc(value.bit_generator.state)}
    raise WireError(f"cannot send a {type(value).__name__}")


def decode(obj, blobs, _depth=0):
    """The value that encode() described; raises WireError on anything unexpected."""
    from .core import Arr, Opaque
    if _depth > MAX_DEPTH:
        raise WireError("nested too deeply")
    dec = lambda v: decode(v, blobs, _depth + 1)
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, int):
        return obj
    if not isinstance(obj, dict) or not isinstance(obj.get("t"), str):
        raise WireError(f"unexpected {type(obj).__name__} in a message")
    t = obj["t"]
    try:
        if t == "f":
            return float.fromhex(obj["v"])
        if t == "int":
            return int(obj["v"])
        if t in ("nd", "np", "arr"):
            b = obj["b"]
            if not isinstance(b, int) or not 0 <= b < len(blobs):
                raise WireError("bad blob index")
            arr = _from_npy(blobs[b])
            if t == "nd":
                return arr
            if t == "np":
                return arr[()]
            return Arr(arr, _text(obj["lib"]), _text(obj["dtype"]), _text(obj["device"]))
        if t == "opaque":
            return Opaque(_text(obj["type"]), _text(obj["text"]))
        if t in ("tuple", "list"):
            items = [dec(v) for v in _list(obj["v"])]
            return tuple(items) if t == "tuple" else items
        if t == "dict":
            out = {}
            for pair in _list(obj["v"]):
                k, v = _list(pair)
                k = dec(k)
                if not isinstance(k, (str, int, float, bool, type(None))):
                    raise WireError("dict keys must be plain")
                out[k] = dec(v)
            return out
        if t == "rng":
            state = dec(obj["state"])
            bitgen = getattr(np.random, _text(state["bit_generator"]))
            if not (isinstance(bitgen, type) and issubclass(bitgen, np.random.BitGenerator)):
                raise WireError("not a bit generator")
            bg = bitgen()
            bg.state = state
            return np.random.Generator(bg)
    except WireError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise WireError(f"malformed {t!r} value: {exc}") from None
    raise WireError(f"unknown value tag {t!r}")


def _text(v):
    if not isinstance(v, str):
        raise WireError("expected a string")
    return v[:400]


def _list(v):
    if not isinstance(v, list):
        raise WireError("expected a list")
    return v
