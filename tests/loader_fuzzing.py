"""Fuzzing the recording readers: seed files, mutators, and the one outcome allowed.

Shared by ``tests/test_loader_fuzz.py`` (Hypothesis, a few seconds) and
``benchmarks/fuzz_loaders.py`` (a million inputs and more). Every mutator
takes a :class:`random.Random`, so Hypothesis (``st.randoms()``) and a plain
seeded generator drive the same code.

The property: whatever the bytes, :func:`outcome` ends in interactions whose
``assess()`` returns, or in :class:`RecordingError`; anything else escapes.
"""

from __future__ import annotations

import base64
import copy
import datetime
import gzip
import io
import json
import random
import sys
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from contract.recordings import SUFFIXES, Interaction, RecordingError, read, read_bytes, read_stdin
from contract.recordings import _yaml as recordings_yaml
from contract.recordings.layouts import LAYOUTS, detect

ROOT = Path(__file__).resolve().parent.parent
#: Where seed files come from: our fixtures, the bundled examples, the real-world corpus.
SEED_DIRS = (
    ROOT / "tests" / "data" / "recordings",
    ROOT / "tests" / "data" / "payloads",
    ROOT / "contract" / "_data" / "recordings",
    ROOT.parent / "shared" / "realworld",
)
#: Larger seeds are left out: they slow every input and add no new shapes.
MAX_SEED_BYTES = 64 * 1024
#: Inflation limit while fuzzing, low so that bodies and files past it are met often.
FUZZ_MAX_INFLATED = 1 << 20
#: Names the readers choose by: every suffix, compressed or not, and none.
NAMES = tuple(f"fuzz{suffix}{gz}" for suffix in (*SUFFIXES, "") for gz in ("", ".gz"))
#: The kinds of seeds: each layout's name, and the two payload readers.
PAYLOAD, LINES = "payload JSON", "JSON Lines"

#: Fragments that reach the readers' corners: YAML tags, anchors and merges, JSON edge
#: cases, compression magic, controls, secrets, numbers past every limit.
TOKENS: tuple[bytes, ...] = (
    b"{", b"}", b"[", b"]", b'"', b"'", b"\\", b",", b":", b": ", b"- ", b"\n", b"\r\n", b"\t",
    b"\x00", b"\xff", b"\xef\xbb\xbf", b"\x1b[31m", b"\xe2\x80\xae", b"\\u0000", b"\\ud800",
    b"&a ", b"*a", b"&a [*a]", b"<<: *a", b"<<: 5", b"? [1, 2]\n: x", b"---\n", b"...\n",
    b"!!binary ", b"!!binary '%%%'", b"!binary ", b"!!int", b"!!int 0x", b"!!float x",
    b"!!bool maybe", b"!!timestamp 2020-13-45", b"!!timestamp x", b"!!set [1]", b"!!omap {a: 1}",
    b"!!python/object:os.system", b"!!str {a: 1}", b"!!null x", b"%YAML 1.1\n", b"%TAG ! x\n",
    b"1:00:00:00", b"0b" + b"1" * 80, b"9" * 4400, b"1e999", b"-0", b"NaN", b"Infinity",
    b"null", b"true", b"~", b"\x1f\x8b", b"\x1f\x8b\x08\x00\x00\x00\x00\x00", b"\x78\x9c",
    b"[" * 120, b"]" * 120, b"[" * 600, b"{\"a\":" * 100, b"sk-proj-FUZZKEY0123456789abcdef",
    b"Bearer sk-abcdef123456", b"https://h[/fine_tuning/jobs/j/pause", b"/fine_tuning/jobs/x/pause",
    b"POST", b"gzip", b"deflate", b"br", b"base64", b"Content-Encoding", b"200", b"'200'",
    b"200 OK", b"999", b"0", b"-1", b"status", b"string", b"interactions", b"http_interactions",
    b"Entries", b"log", b"entries", b"request", b"response", b"uri", b"url", b"scope", b"body",
)


@dataclass(frozen=True)
class Seed:
    """One valid file to mutate: its name (which picks the reader), bytes and decoded document."""

    kind: str
    name: str
    data: bytes
    document: Any = None

    def __repr__(self) -> str:  # short, for Hypothesis' falsifying examples
        return f"Seed({self.kind!r}, {self.name!r})"


def _decoded(data: bytes, name: str) -> Any:
    inner = name.removesuffix(".gz")
    if name.endswith(".gz"):
        data = gzip.decompress(data)
    if inner.endswith((".yaml", ".yml")):
        return recordings_yaml.load(data, name)
    if inner.endswith((".jsonl", ".ndjson")):
        return None
    return json.loads(data)


def _kind(document: Any, name: str) -> str | None:
    if name.removesuffix(".gz").endswith((".jsonl", ".ndjson")):
        return LINES
    layout = detect(document)
    if layout is not None:
        return layout.name
    return PAYLOAD if isinstance(document, dict) and "object" in document else None


@cache
def seeds() -> tuple[Seed, ...]:
    """Every readable seed file (small enough), each with the kind of reader that reads it."""
    found: list[Seed] = []
    for folder in SEED_DIRS:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or path.stat().st_size > MAX_SEED_BYTES:
                continue
            if Path(path.name.removesuffix(".gz")).suffix.lower() not in SUFFIXES:
                continue
            data = path.read_bytes()
            try:
                document = _decoded(data, path.name)
                kind = _kind(document, path.name)
                if kind is None or not list(read_bytes(data, path.name, include_other=True)):
                    continue
            except (RecordingError, ValueError, OSError):
                continue  # deliberately broken fixtures and non-recordings
            found.append(Seed(kind, path.name, data, document))
    return tuple(found)


def kinds() -> tuple[str, ...]:
    """Every kind of reader that needs seeds: each registered layout, and the payload readers."""
    return (*(layout.name for layout in LAYOUTS), PAYLOAD, LINES)


def seeds_of(kind: str) -> tuple[Seed, ...]:
    return tuple(seed for seed in seeds() if seed.kind == kind)


# -- the oracle ----------------------------------------------------------------------------------


#: How an input reaches the readers: bytes given to ``read_bytes``, a file given to ``read``
#: (JSON Lines files are streamed a line at a time), or standard input.
VIAS = ("bytes", "file", "stdin")


def _read(data: bytes, name: str, via: str, folder: Path | None) -> Iterator[Interaction]:
    options: dict[str, Any] = {"include_other": True, "max_inflated": FUZZ_MAX_INFLATED}
    if via == "file":
        if folder is None:
            raise ValueError("reading through a file needs a folder")
        path = folder / name
        path.write_bytes(data)
        yield from read(path, label=name, **options)
    elif via == "stdin":
        saved = sys.stdin
        sys.stdin = io.TextIOWrapper(io.BytesIO(data))
        try:
            yield from read_stdin(label=name, **options)
        finally:
            sys.stdin = saved
    else:
        yield from read_bytes(data, name, **options)


def outcome(data: bytes, name: str, via: str = "bytes", folder: Path | None = None) -> str:
    """``"read"`` or ``"refused"``; any other exception escapes (that is a finding).

    Every interaction read is assessed and must name the file it came from.
    """
    try:
        for interaction in _read(data, name, via, folder):
            assert interaction.source.startswith(name), interaction.source
            interaction.assess()
    except RecordingError as exc:
        assert str(exc).startswith(exc.source), exc
        return "refused"
    return "read"


# -- hostile values and tree mutations ------------------------------------------------------------


def hostile_value(rnd: random.Random, depth: int = 0) -> Any:
    """A value of any type a JSON or YAML document can hold, odd ones favoured."""
    pick = rnd.randrange(24 if depth < 3 else 18)
    if pick == 0:
        return None
    if pick == 1:
        return rnd.choice([True, False])
    if pick == 2:
        return rnd.choice([0, -1, 1, 99, 100, 200, 404, 599, 600, 2**31, 2**63, -(2**63), 10**30])
    if pick == 3:
        return rnd.choice([0.0, -0.0, 200.0, 1e308, float("inf"), float("-inf"), float("nan")])
    if pick == 4:
        return ""
    if pick == 5:
        return rnd.choice(
            ["200", "200 OK", " 200", "abc", "2OO", "1:00:00", "0x1f", "1e3", "~", "\u00b2",
             "\u0663\u0660\u0660", "2000", "9" * 5000, "-200", "200.0"]
        )
    if pick == 6:
        return rnd.choice(["\x1b[2J\x07", "a\u202eb", "\x00", "\r\nX-Injected: 1", "\x85\u2028"])
    if pick == 7:
        return rnd.choice(["x" * 5000, '["1f8b", ' + "[" * 3000 + "]" * 3000 + "]", "[" * 3000])
    if pick == 8:
        return rnd.choice(["GET", "POST", "post", "DELETE", "", "P\x00ST"])
    if pick == 9:
        return rnd.choice(
            [
                "https://api.openai.com/v1/fine_tuning/jobs/ftjob-1/pause",
                "https://h[/fine_tuning/jobs/j/pause",
                "/fine_tuning/jobs//pause",
                "https://api.openai.com/v1/fine_tuning/jobs/%ZZ/pause",
                "https://api.openai.com/v1/fine_tuning/jobs/ftjob-1/pause?api-key=sk-abcdef123456",
                "fine_tuning/jobs/a/pause#frag",
                "https://api.openai.com/v1/fine_tuning/jobs?limit=2",
            ]
        )
    if pick == 10:
        return rnd.choice(
            [b"", b"\x1f\x8b", gzip.compress(b'{"object": "fine_tuning.job"}'),
             gzip.compress(bytes(2 * FUZZ_MAX_INFLATED)), gzip.compress(b"{}")[:-4],
             zlib.compress(b'{"a": 1}'), b"\xff\xfe\x00", b'{"id": "ftjob-1"}']
        )
    if pick == 11:
        return rnd.choice(["gzip", "deflate", "gzip, gzip", "br", "identity", "x-gzip", "GZIP"])
    if pick == 12:
        return base64.b64encode(gzip.compress(b'{"object": "list", "data": []}')).decode()
    if pick == 13:
        return datetime.datetime(2020, 1, 2, 3, 4, 5)
    if pick == 14:
        return {"string": rnd.choice([5, None, b"\x1f\x8b", [], "{}"])}
    if pick == 15:
        return [rnd.choice(["1f8b", "zz", "", "1f8b0800"]) for _ in range(rnd.randrange(3))]
    if pick == 16:
        nested: Any = "v"
        for _ in range(rnd.choice([2, 20, 90])):
            nested = [nested] if rnd.random() < 0.5 else {"k": nested}
        return nested
    if pick == 17:
        return {"code": hostile_value(rnd, depth + 1), "message": "OK"}
    if pick < 21:
        return [hostile_value(rnd, depth + 1) for _ in range(rnd.randrange(4))]
    return {_hostile_key(rnd): hostile_value(rnd, depth + 1) for _ in range(rnd.randrange(4))}


def _hostile_key(rnd: random.Random) -> Any:
    return rnd.choice(
        [0, 1.5, None, True, b"bin", "", "Content-Encoding", "content-type", "\x1b]0;x\x07",
         "Authorization", "status", "code", "body", "headers", "uri", "url", "string"]
    )


def _slots(document: Any, limit: int = 5000) -> list[tuple[Any, Any]]:
    """(container, key) for every value inside ``document``, walked without recursion."""
    slots: list[tuple[Any, Any]] = []
    stack, seen = [document], set()
    while stack and len(slots) < limit:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in items:
            slots.append((node, key))
            if isinstance(value, (dict, list)):
                stack.append(value)
    return slots


def _mutate_string(rnd: random.Random, text: str) -> str:
    raw = mutate_bytes(rnd, text.encode("utf-8", "surrogatepass"), ())
    return raw.decode("utf-8", "replace")


def mutate_tree(rnd: random.Random, document: Any) -> Any:
    """``document`` (a copy) with one to three structural changes: type confusion, keys
    removed or renamed (to non-strings too), values wrapped, shared (YAML aliases), tweaked."""
    document = copy.deepcopy(document)
    for _ in range(rnd.choice([1, 1, 1, 2, 3])):
        slots = _slots(document) if isinstance(document, (dict, list)) else []
        if not slots:
            return hostile_value(rnd)
        parent, key = rnd.choice(slots)
        value = parent[key]
        op = rnd.randrange(7)
        if op == 0:
            parent[key] = hostile_value(rnd)
        elif op == 1:
            del parent[key]
        elif op == 2 and isinstance(parent, dict):
            parent[_hostile_key(rnd)] = parent.pop(key)
        elif op == 3:
            parent[key] = rnd.choice([[value], {"string": value}, [value, value]])
        elif op == 4:
            other_parent, other_key = rnd.choice(slots)
            parent[key] = other_parent[other_key]  # the same object twice: YAML writes an alias
        elif isinstance(value, str):
            parent[key] = _mutate_string(rnd, value)
        elif isinstance(value, list) and value:
            value.append(value[rnd.randrange(len(value))])  # one more of the same
        else:
            parent[key] = hostile_value(rnd)
    return document


def _jsonable(value: Any) -> Any:
    """``value`` in types JSON can write (bytes as base64, keys as strings)."""
    if isinstance(value, dict):
        return {_json_key(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def _json_key(key: Any) -> str:
    return base64.b64encode(key).decode() if isinstance(key, bytes) else str(key)


def serialize(rnd: random.Random, document: Any, name: str) -> bytes:
    """``document`` written as the file called ``name`` holds it: YAML or JSON (or JSON Lines)."""
    inner = name.removesuffix(".gz")
    if inner.endswith((".yaml", ".yml")):
        text = yaml.dump(
            document,
            Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper),
            allow_unicode=rnd.random() < 0.5,
            default_flow_style=rnd.choice([None, True, False]),
        )
        data = text.encode("utf-8", "surrogatepass")
    elif inner.endswith((".jsonl", ".ndjson")) and isinstance(document, list):
        data = b"\n".join(json.dumps(_jsonable(item)).encode() for item in document)
    else:
        data = json.dumps(_jsonable(document), indent=rnd.choice([None, 1])).encode()
    return gzip.compress(data, mtime=0) if name.endswith(".gz") else data


# -- byte mutations -------------------------------------------------------------------------------


def mutate_bytes(rnd: random.Random, data: bytes, others: tuple[bytes, ...]) -> bytes:
    """``data`` with one to four byte-level changes: bits flipped, ranges cut, repeated or
    spliced from ``others``, tokens inserted, the end cut off."""
    buffer = bytearray(data)
    for _ in range(rnd.choice([1, 1, 2, 4])):
        size = len(buffer)
        at = rnd.randrange(size + 1)
        op = rnd.randrange(7)
        if op == 0 and size:
            buffer[min(at, size - 1)] ^= 1 << rnd.randrange(8)
        elif op == 1 and size:
            del buffer[at : at + rnd.choice([1, 2, 8, 64])]
        elif op == 2:
            buffer[at:at] = rnd.choice(TOKENS)
        elif op == 3 and size:
            start = rnd.randrange(size)
            buffer[at:at] = buffer[start : start + rnd.choice([1, 16, 256])]
        elif op == 4 and others:
            other = rnd.choice(others)
            start = rnd.randrange(len(other) + 1)
            buffer[at:] = other[start:]
        elif op == 5:
            del buffer[at:]
        else:
            buffer[at:at] = bytes(rnd.randrange(256) for _ in range(rnd.choice([1, 3])))
    return bytes(buffer)


# -- one input ------------------------------------------------------------------------------------


def _from_seed_bytes(rnd: random.Random, seed: Seed) -> tuple[bytes, str]:
    data = seed.data
    if seed.name.endswith(".gz") and rnd.random() < 0.7:
        return mutate_bytes(rnd, gzip.decompress(data), ()), seed.name.removesuffix(".gz")
    others = tuple(s.data for s in seeds()[:8])
    return mutate_bytes(rnd, data, others), seed.name


def _from_seed_tree(rnd: random.Random, seed: Seed) -> tuple[bytes, str]:
    name = seed.name
    if rnd.random() < 0.2:  # the same document under another reader's name
        name = rnd.choice(NAMES)
    document = mutate_tree(rnd, seed.document)
    try:
        return serialize(rnd, document, name), name
    except (ValueError, TypeError, RecursionError, yaml.YAMLError):  # cannot be written so
        return serialize(rnd, seed.document, name), name


def _arbitrary(rnd: random.Random) -> tuple[bytes, str]:
    size = rnd.choice([0, 1, 8, 64, 512])
    data = bytes(rnd.randrange(256) for _ in range(size))
    if rnd.random() < 0.5:
        data = b"".join(rnd.choice(TOKENS) for _ in range(rnd.randrange(1, 12)))
    return data, rnd.choice(NAMES)


def draw(rnd: random.Random, pool: tuple[Seed, ...] | None = None) -> tuple[bytes, str]:
    """One fuzz input, ``(bytes, file name)``: arbitrary bytes, or a seed from ``pool``
    (default: every seed) mutated byte-wise or structurally."""
    pool = pool or seeds()
    pick = rnd.random()
    if pick < 0.15 or not pool:
        data, name = _arbitrary(rnd)
    else:
        seed = rnd.choice(pool)
        maker: Callable[[random.Random, Seed], tuple[bytes, str]] = (
            _from_seed_tree if seed.document is not None and pick < 0.6 else _from_seed_bytes
        )
        data, name = maker(rnd, seed)
    if rnd.random() < 0.05:  # compressed, or compressed and then damaged
        data = gzip.compress(data, mtime=0)
        if rnd.random() < 0.5:
            data = mutate_bytes(rnd, data, ())
    return data, name


def inputs(seed: int, count: int) -> Iterator[tuple[bytes, str]]:
    """``count`` inputs from a generator seeded with ``seed`` (the long run's stream)."""
    rnd = random.Random(seed)
    for _ in range(count):
        yield draw(rnd)
