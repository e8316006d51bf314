"""Loading YAML recordings safely: no Python objects, bounded aliases and depth, one-line errors.

Before anything is built, one pass over the parser's events measures the
document as if every alias were written out: nesting deeper than
:data:`~contract.recordings._limits.MAX_YAML_DEPTH`, aliases adding more than
:data:`~contract.recordings._limits.MAX_ALIAS_NODES` nodes ("billion laughs",
wherever they sit) or more than :data:`~contract.recordings._limits.MAX_ALIAS_BYTES`
characters of text (one large string repeated) and an alias inside the very
node it names (a structure that contains itself) are refused there. Then a safe loader builds the
document; a tagged scalar that does not parse (``!!int`` with no digits,
``!!bool maybe``, ``!!timestamp 2020-13-45``) and an integer longer than
Python converts are refused with their line, never raised as they come.

Besides YAML's own tags, the loader reads the few Python tags vcrpy's safe
loader reads (vcrpy 8.2.1 and 9): ``!!python/str``, ``!!python/unicode``,
``!!python/tuple`` (a list), a request body kept as
``!!python/object/new:_io.BytesIO`` (its bytes) or
``!!python/object/apply:builtins.iter`` (its items), and Ruby's ``!binary``;
each is built from its plain content, never by importing anything. Any other
tag is one error naming the tag and its line.

A recording as recorders write it (one document, no anchor or alias, no tag but
``!!binary``, ``!binary`` or ``!!str``) is built straight from the parser's
events in one pass (:func:`_fast`): with nothing to expand, its depth is all
there is to measure, and each scalar is resolved and built by the same loader.
Anything else, or anything wrong, takes the path above, which words the refusal.
"""

from __future__ import annotations

import sys
from functools import cache
from typing import Any

import yaml
from yaml import events
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode

from contract._core import gc as _collector
from contract.recordings import _limits
from contract.recordings._model import RecordingError

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_OPEN = (events.SequenceStartEvent, events.MappingStartEvent)
_CLOSE = (events.SequenceEndEvent, events.MappingEndEvent)


class _Loader(_Base):  # type: ignore[misc]
    """The safe loader, with scalar constructors that refuse instead of raising anything."""

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, ArithmeticError, LookupError, AttributeError) as exc:
            tag = str(node.tag).replace("tag:yaml.org,2002:", "!!")
            shown = f" {str(node.value)[:40]!r}" if isinstance(node, ScalarNode) else ""
            # A ValueError says what is wrong (month must be in 1..12); others say nothing useful.
            detail = f" ({str(exc)[:80]})" if type(exc) is ValueError else ""
            raise ConstructorError(
                None, None, f"{tag}{shown} does not parse{detail}", node.start_mark
            ) from None

    def construct_yaml_int(self, node: ScalarNode) -> int:
        # Python converts at most this many digits between int and str, and the JSON
        # decoder refuses longer integers. Hex, octal, binary and sexagesimal forms escape
        # that limit (sexagesimal at a quadratic cost), and their value could not be
        # printed: refuse by length first, then by value.
        limit = sys.get_int_max_str_digits()
        if limit and len(str(node.value)) > limit:
            raise ConstructorError(
                None,
                None,
                f"an integer of {len(str(node.value))} characters is longer than the "
                f"limit of {limit} digits",
                node.start_mark,
            )
        value: int = super().construct_yaml_int(node)
        if limit and abs(value) >= _power_of_ten(limit):
            raise ConstructorError(
                None, None, f"an integer has more than the limit of {limit} digits", node.start_mark
            )
        return value


@cache
def _power_of_ten(digits: int) -> int:
    power: int = 10**digits
    return power


def _plain_text(loader: Any, node: Node) -> Any:
    return loader.construct_scalar(node)


def _tuple(loader: Any, node: Node) -> list[Any]:
    return list(loader.construct_sequence(node, deep=True))


def _bytes_io(loader: Any, node: Node) -> bytes:
    """A request body vcrpy kept as a ``BytesIO``: the bytes in its ``state``."""
    found = loader.construct_mapping(node, deep=True) if isinstance(node, MappingNode) else {}
    state = found.get("state") or [b""]
    data = state[0] if isinstance(state, (list, tuple)) and state else b""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return data if isinstance(data, bytes) else b""


def _iterated(loader: Any, node: Node) -> list[Any]:
    """A request body vcrpy kept as an iterator: the items it iterated over."""
    found = loader.construct_mapping(node, deep=True) if isinstance(node, MappingNode) else {}
    args = found.get("args") or [[]]
    items = args[0] if isinstance(args, (list, tuple)) and args else []
    return list(items) if isinstance(items, (list, tuple)) else []


def _unknown_tag(loader: Any, suffix: str, node: Node) -> Any:
    raise ConstructorError(None, None, f"{_UNKNOWN}{node.tag}", node.start_mark)


_UNKNOWN = "unknown tag: "
_PYTHON = "tag:yaml.org,2002:python/"

_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)
# Ruby's psych writes binary strings (Ruby VCR's compressed bodies) with the local tag !binary.
_Loader.add_constructor("!binary", _Loader.construct_yaml_binary)
# The Python tags vcrpy's own safe loader reads.
_Loader.add_constructor(_PYTHON + "str", _plain_text)
_Loader.add_constructor(_PYTHON + "unicode", _plain_text)
_Loader.add_constructor(_PYTHON + "tuple", _tuple)
_Loader.add_constructor(_PYTHON + "object/new:_io.BytesIO", _bytes_io)
_Loader.add_constructor(_PYTHON + "object/apply:builtins.iter", _iterated)
# Every other tag: one error naming it (rather than PyYAML's generic wording).
_Loader.add_multi_constructor("!", _unknown_tag)
_Loader.add_multi_constructor("tag:", _unknown_tag)


def _where(mark: Any) -> str:
    return f" at line {mark.line + 1} column {mark.column + 1}" if mark is not None else ""


def _refuse(label: str, reason: str, mark: Any) -> RecordingError:
    return RecordingError(label, f"is refused: {reason}{_where(mark)}")


def _measure(data: bytes, label: str) -> None:
    """Refuse a document too deep, or whose aliases expand too far, from its events alone."""
    # Per open collection: [anchor, nodes as if expanded, height, characters of its scalars
    # as if expanded]; per anchor: (nodes, height, characters).
    open_: list[list[Any]] = []
    anchors: dict[str, tuple[int, int, int]] = {}
    added = added_size = 0
    parser = _Base(data)
    next_event, scalar = parser.get_event, events.ScalarEvent
    try:
        while (event := next_event()) is not None:
            # Most events are scalars: the general case below with nodes, height = 1, 0,
            # written out (the parser makes no subclass; one would take the general case).
            # An open collection's height starts at 1, so a scalar never raises it.
            if type(event) is scalar:
                size = len(event.value)
                if event.anchor is not None:
                    anchors[event.anchor] = (1, 0, size)
                if open_:
                    open_[-1][1] += 1
                    open_[-1][3] += size
                continue
            if isinstance(event, _OPEN):
                open_.append([event.anchor, 1, 1, 0])
                if len(open_) > _limits.MAX_YAML_DEPTH:
                    deeper = f"nested deeper than {_limits.MAX_YAML_DEPTH} levels"
                    raise _refuse(label, deeper, event.start_mark)
                continue
            if isinstance(event, _CLOSE):
                anchor, nodes, height, size = open_.pop()
                if anchor is not None:
                    anchors[anchor] = (nodes, height, size)
            elif isinstance(event, events.ScalarEvent):
                nodes, height, size = 1, 0, len(event.value)
                if event.anchor is not None:
                    anchors[event.anchor] = (1, 0, size)
            elif isinstance(event, events.AliasEvent):
                if event.anchor not in anchors:
                    inside = any(frame[0] == event.anchor for frame in open_)
                    what = "inside the node it names" if inside else "to no anchor"
                    raise _refuse(label, f"alias *{event.anchor} is {what}", event.start_mark)
                nodes, height, size = anchors[event.anchor]
                added += nodes
                added_size += size
                if added > _limits.MAX_ALIAS_NODES:
                    raise _refuse(
                        label,
                        f"aliases repeat more than {_limits.MAX_ALIAS_NODES} nodes",
                        event.start_mark,
                    )
                if added_size > _limits.MAX_ALIAS_BYTES:
                    raise _refuse(
                        label,
                        f"aliases repeat more than {_limits.MAX_ALIAS_BYTES} characters of text",
                        event.start_mark,
                    )
                if len(open_) + height > _limits.MAX_YAML_DEPTH:
                    raise _refuse(
                        label,
                        f"alias *{event.anchor} nests deeper than {_limits.MAX_YAML_DEPTH} levels",
                        event.start_mark,
                    )
            else:
                continue  # stream and document events
            if open_:
                open_[-1][1] += nodes
                open_[-1][2] = max(open_[-1][2], height + 1)
                open_[-1][3] += size
    finally:
        parser.dispose()


class _Plain(Exception):
    """The document needs the plain path (measured, composed and constructed)."""


_STR = "tag:yaml.org,2002:str"
#: The tags of plain scalars the fast path builds (each by the loader's own constructor).
_SCALARS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("null", "bool", "int", "float", "timestamp")
)
#: Explicit tags of scalars the fast path builds: the binary bodies vcrpy (``!!binary``) and
#: Ruby VCR (``!binary``) write, and text.
_TAGGED = frozenset(("tag:yaml.org,2002:binary", "!binary", _STR))
#: First characters of the plain scalars an implicit resolver may claim (others are text).
_RESOLVED: frozenset[str | None] = frozenset(_Loader.yaml_implicit_resolvers)


def _fast(data: bytes) -> Any:
    """The document in ``data`` built straight from the parser's events, in one pass.

    Only for what recorders write: one document with no anchor, alias or explicit tag
    (but ``!!binary``, ``!binary`` and ``!!str`` on a scalar),
    no merge key, no collection as a key, nested at most
    :data:`~contract.recordings._limits.MAX_YAML_DEPTH` deep. Anything else (or anything
    wrong) raises :class:`_Plain`: the plain path then loads it, or words what is wrong.
    With no alias nothing can expand, so the depth is all there is to measure; plain
    scalars are resolved and built by the loader itself, so each value is what the plain
    path builds.
    """
    loader = _Loader(data)
    get_event, resolve, construct = loader.get_event, loader.resolve, loader.construct_object
    scalar, alias = events.ScalarEvent, events.AliasEvent
    mapping, sequence = events.MappingStartEvent, events.SequenceStartEvent
    limit = _limits.MAX_YAML_DEPTH
    open_: list[Any] = []  # the open collections, innermost last
    keys: list[Any] = []  # per open collection: the key waiting for its value (or _NO_KEY)
    documents: list[Any] = []
    try:
        while (event := get_event()) is not None:
            kind = type(event)
            if kind is scalar:
                item, tag = event.value, event.tag
                if event.anchor is not None:
                    raise _Plain
                if tag is not None:
                    if tag not in _TAGGED:
                        raise _Plain
                    item = construct(ScalarNode(tag, item, event.start_mark, event.end_mark))
                elif event.implicit[0] and item[:1] in _RESOLVED:
                    tag = resolve(ScalarNode, item, event.implicit)
                    if tag != _STR:
                        if tag not in _SCALARS:
                            raise _Plain
                        node = ScalarNode(tag, item, event.start_mark, event.end_mark)
                        item = construct(node)
            elif kind is mapping or kind is sequence:
                if event.anchor is not None or event.tag is not None or len(open_) >= limit:
                    raise _Plain
                if open_ and keys[-1] is _NO_KEY and type(open_[-1]) is dict:
                    raise _Plain  # a collection as a key
                open_.append({} if kind is mapping else [])
                keys.append(_NO_KEY)
                continue
            elif kind is alias:
                raise _Plain
            elif isinstance(event, _CLOSE):
                item = open_.pop()
                keys.pop()
            else:
                continue  # stream and document events
            if not open_:
                documents.append(item)
            elif type(top := open_[-1]) is list:
                top.append(item)
            elif (key := keys[-1]) is _NO_KEY:
                keys[-1] = item
            else:
                top[key] = item
                keys[-1] = _NO_KEY
    except yaml.YAMLError:
        raise _Plain from None
    finally:
        loader.dispose()
    if len(documents) != 1:
        raise _Plain  # no document, or several: the plain path words it
    return documents[0]


_NO_KEY: Any = object()


def load(data: bytes, label: str) -> Any:
    """The YAML document in ``data``, loaded with a safe loader; RecordingError otherwise."""
    # Composing and constructing a large document: see contract._core.gc.
    with _collector.paused():
        try:
            return _fast(data)
        except _Plain:
            return _load(data, label)


def _load(data: bytes, label: str) -> Any:
    try:
        _measure(data, label)
        loader = _Loader(data)
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or type(exc).__name__
        if str(problem).startswith(_UNKNOWN):
            raw = str(problem)[len(_UNKNOWN) :]
            tag = _short_tag(raw)
            if raw.startswith(_PYTHON):
                reason = (
                    f"holds Python object tags ({tag}{_where(mark)}), as pre-1.0 vcrpy "
                    "cassettes do, which safe loading refuses; re-record it, or migrate it "
                    "with vcrpy's migration script"
                )
            else:
                reason = (
                    f"uses the custom YAML tag {tag}{_where(mark)}, which this toolkit cannot "
                    "read (it reads YAML's standard tags and the ones vcrpy and Ruby VCR write)"
                )
        elif "python/" in str(problem) or "python/" in str(exc):
            reason = (
                "holds Python object tags (as pre-1.0 vcrpy cassettes do), which safe loading "
                "refuses; re-record it, or migrate it with vcrpy's migration script"
            )
        else:
            reason = f"is not readable YAML ({problem}{_where(mark)})"
        raise RecordingError(label, reason) from None


def _short_tag(tag: str) -> str:
    shown = tag.replace("tag:yaml.org,2002:", "!!")
    return repr(shown[:80] + ("…" if len(shown) > 80 else ""))


__all__ = ["load"]
