"""Finding credentials in text: where they are, as spans of the original text.

Text is searched through a *decoded view*: JSON, Python and URL escapes
(``\\u002d``, ``\\/``, ``\\x2d``, ``%2D``, doubled backslashes too) are read as
the characters they stand for, so a key written with escapes is recognised;
text holding terminal control sequences (``ESC [ 31 m``) is read a second time
with each sequence as a space, so a coloured key is recognised too;
each match is mapped back to the characters of the original text. Every rule
runs on its own over the whole view and the spans found are merged, so one
rule can never hide a secret from another.
"""

from __future__ import annotations

import base64
import re
from bisect import bisect_right
from collections.abc import Iterable
from functools import lru_cache

#: Header names whose values are masked (case-insensitive).
SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "api-key",
        "x-api-key",
        "openai-api-key",
        "x-goog-api-key",
        "ocp-apim-subscription-key",
        "x-functions-key",
        "x-auth-token",
        "x-access-token",
        "x-amz-security-token",
        "x-csrf-token",
        "x-xsrf-token",
        "openai-organization",
        "openai-project",
        "cookie",
        "set-cookie",
    }
)

#: URL query and form parameters whose values are masked (case-insensitive).
SECRET_PARAMETERS = frozenset(
    {
        "key",
        "api-key",
        "api_key",
        "apikey",
        "access_token",
        "refresh_token",
        "id_token",
        "token",
        "auth",
        "client_secret",
        "code",
        "password",
        "passwd",
        "secret",
        "sig",
        "signature",
        "x-amz-signature",
        "x-amz-credential",
        "x-amz-security-token",
        "x-goog-signature",
        "x-goog-credential",
    }
)

#: Names of JSON/YAML members and ``name: value`` text whose values are masked.
SECRET_FIELDS = frozenset(
    {
        "api_key",
        "api-key",
        "apikey",
        "openai_api_key",
        "access_token",
        "refresh_token",
        "id_token",
        "session_token",
        "client_secret",
        "secret",
        "secret_key",
        "private_key",
        "aws_secret_access_key",
        "password",
        "passwd",
        "token",
    }
    | SECRET_HEADERS
)

# -- the decoded view ------------------------------------------------------------------

_ESCAPE = re.compile(
    r"(?<!\\)\\++(?:u(?P<u>[0-9A-Fa-f]{4})|x(?P<x>[0-9A-Fa-f]{2})|(?P<c>[nrtbf\"'/]))"
    r"|%(?P<p>[0-9A-Fa-f]{2})"
)
# A terminal control sequence (colours...), raw or escaped: a second view reads it as a space.
_CSI = r"(?P<csi>(?:\x1b|(?<!\\)\\++(?:u001[bB]|x1[bB]|e))\[[0-?]*[ -/]*[@-~])"
_ESCAPE_CSI = re.compile(_CSI + "|" + _ESCAPE.pattern)
_HAS_CSI = re.compile(_CSI)
_SIMPLE = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}


class _View:
    """``text`` with escapes decoded, and the way back to offsets of ``text``."""

    def __init__(self, text: str, *, csi: bool = False) -> None:
        self.original = text
        # (view start, original start, original end, is one escape) per segment.
        self.segments: list[tuple[int, int, int, bool]] = []
        if "\\" not in text and "%" not in text and not csi:
            self.text = text
            return
        parts: list[str] = []
        view = done = 0
        for found in (_ESCAPE_CSI if csi else _ESCAPE).finditer(text):
            if found.start() > done:
                parts.append(text[done : found.start()])
                self.segments.append((view, done, found.start(), False))
                view += found.start() - done
            hexa = found.group("u") or found.group("x") or found.group("p")
            simple = found.group("c")
            char = chr(int(hexa, 16)) if hexa else _SIMPLE.get(simple, simple) if simple else " "
            parts.append(char)
            self.segments.append((view, found.start(), found.end(), True))
            view += 1
            done = found.end()
        parts.append(text[done:])
        self.segments.append((view, done, len(text), False))
        self.text = "".join(parts)
        self._starts = [segment[0] for segment in self.segments]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of view characters ``start`` to ``end`` (exclusive)."""
        if not self.segments:
            return start, end
        return self._start(start), self._end(end - 1)

    def _start(self, position: int) -> int:
        view, original, _, escape = self.segments[bisect_right(self._starts, position) - 1]
        return original if escape else original + position - view

    def _end(self, position: int) -> int:
        view, original, end, escape = self.segments[bisect_right(self._starts, position) - 1]
        return end if escape else original + position - view + 1


# -- rules -----------------------------------------------------------------------------


def _names(names: Iterable[str]) -> str:
    """An alternation of ``names``, ``-`` and ``_`` interchangeable (compile with ``re.I``)."""
    ordered = sorted(set(names), key=lambda n: (-len(n), n))
    return "(?:" + "|".join(_name(n) for n in ordered) + ")"


def _name(name: str) -> str:
    return "".join("[-_]" if c in "-_" else re.escape(c) for c in name)


def _names_hint(names: Iterable[str]) -> re.Pattern[str]:
    """The names in lower case, for a case-sensitive search of lowercased text."""
    ordered = sorted({n.lower() for n in names}, key=lambda n: (-len(n), n))
    return re.compile("|".join(_name(n) for n in ordered))


_HEADER = _names(SECRET_HEADERS)
_FIELD = _names(SECRET_FIELDS)
_PARAMETER = _names(SECRET_PARAMETERS)
_ANY_NAME = _names(SECRET_HEADERS | SECRET_FIELDS | SECRET_PARAMETERS)
_SCHEME = r"(?:Bearer|Basic|Digest|Token)"
# A name starts a word or follows "-"/"_": "api_key", "MY_API_KEY", "x-openai-api-key".
_NAME_START = r"(?<![A-Za-z0-9])"
# A value that looks like a credential: 8+ token characters with a digit, or a capital
# after the first character ("hunter2hunter2", "dXNlcjpwYXNz"; not "expired", "no-token").
_CREDENTIAL = (
    r"(?=[0-9]|[A-Za-z0-9._~+/=-][a-z._~+/=-]*[0-9A-Z])"
    r"[A-Za-z0-9._~+/=-]{7,}[A-Za-z0-9_~+/=-]"
)
_KEY_CHARS = r"[A-Za-z0-9_-]"
# The end of a quoted value: its closing quote, or a cut ("…", "...", the end of the text).
_END = r"(?:[\"']|(?<=…)|(?<=\.\.\.)|\Z)"

#: (rule, pattern): each match's group ``v`` (or the whole match) is masked.
RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        # OpenAI-style keys: sk-…, sk-proj-…, sk-svcacct-…, rk-…, sess-…; also cut by "…".
        (
            "openai-key",
            rf"(?<!{_KEY_CHARS})(?:sk|rk|sess)-(?:{_KEY_CHARS}*+(?=…)"
            rf"|(?={_KEY_CHARS}*[0-9A-Z]){_KEY_CHARS}{{8,}})",
        ),
        # Other vendors: AWS access key ids, Google API keys, GitHub, Slack and Hugging Face
        # tokens, JSON Web Tokens.
        (
            "vendor-token",
            r"\b(?:(?:AKIA|ASIA)[0-9A-Z]{16}\b|AIza[0-9A-Za-z_-]{35}"
            r"|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,}"
            r"|xox[abprs]-[A-Za-z0-9-]{10,}|hf_[A-Za-z0-9]{30,}"
            r"|eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*)",
        ),
        # Authorization schemes anywhere: "Bearer <credential>".
        ("auth-scheme", rf"(?i:\b{_SCHEME})[ \t]+(?P<v>{_CREDENTIAL})"),
        # A line that starts with a credential header: the whole value (scheme kept).
        (
            "header-line",
            rf"(?im)^[ \t>*-]*[\"']?{_HEADER}[\"']?[ \t]*:[ \t]*(?:{_SCHEME}[ \t]+)?"
            r"(?P<v>\S[^\n]*)",
        ),
        # A YAML header whose values follow as a list (vcrpy cassettes).
        (
            "header-list",
            rf"(?im)^[ \t]*[\"']?{_HEADER}[\"']?[ \t]*:[ \t]*\n[ \t]*-[ \t]+"
            r"(?P<v>[^\n]+(?:\n[ \t]*-[ \t]+[^\n]+)*)",
        ),
        # Query and form parameters: ?key=…, &token=…, client_secret=… at the start.
        ("parameter", rf"(?i)(?<![^\s?&;]){_PARAMETER}=(?P<v>[^&#;\s\"'<>]+)"),
        # A quoted value under a secret name: JSON, YAML, Python reprs.
        (
            "quoted-field",
            rf"(?i){_NAME_START}{_FIELD}[\"']?\s*[:=]\s*([\"'])(?P<v>[^\"'\n]+){_END}",
        ),
        # A (name, value) pair: Python tuples of headers.
        (
            "pair",
            rf"(?i)[(\[]\s*([\"']){_ANY_NAME}\1\s*,\s*([\"'])(?P<v>[^\"'\n]+){_END}",
        ),
        # {"name": "<secret name>", "value": "…"} (HAR headers, query strings), either order.
        (
            "name-value",
            rf"(?i)([\"'])name\1\s*:\s*([\"']){_ANY_NAME}\2\s*,\s*"
            r"([\"'])value\3\s*:\s*([\"'])(?P<v>[^\"'\n]+)\4",
        ),
        (
            "value-name",
            r"(?i)([\"'])value\1\s*:\s*(?P<q>[\"'])(?P<v>[^\"'\n]+)(?P=q)\s*,\s*"
            rf"(?P<r>[\"'])name(?P=r)\s*:\s*(?P<s>[\"']){_ANY_NAME}(?P=s)",
        ),
        # Unquoted "name: value" / "name = value" in prose and logs: credential-like values only.
        (
            "field",
            rf"(?i){_NAME_START}{_FIELD}[\"']?[ \t]*[:=][ \t]*[\"']?(?P<v>(?-i:{_CREDENTIAL}))",
        ),
        # The password in https://user:password@host/.
        ("userinfo", r"(?<=://)[^/\s:@]+:(?P<v>[^/\s@]+)@"),
    )
)

# Rules that start at a name are slow to try at every position (case-insensitive
# alternations); they are tried only where a fast, case-sensitive search of the
# ASCII-lowercased text finds one of their names.
_HINTS = {
    "quoted-field": _names_hint(SECRET_FIELDS),
    "field": _names_hint(SECRET_FIELDS),
    "parameter": _names_hint(SECRET_PARAMETERS),
}
# ASCII letters in lower case, and the four non-ASCII letters a case-insensitive pattern
# matches to ASCII ones (Kelvin sign, long s, dotted and dotless i), so that a search of
# the folded text finds every name a case-insensitive rule could match. One character
# each way, so offsets in the folded text are offsets in the text.
_ASCII_LOWER = str.maketrans(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ\u212a\u017f\u0130\u0131",
    "abcdefghijklmnopqrstuvwxyzksii",
)

# Every rule's match holds one of these (in the folded text): a piece of every secret
# name (tests check each name holds one), the start of a key, a vendor's token prefix, an
# authorization scheme, or "://". Text with none of them holds nothing the rules could
# find, and the twelve rules are not tried: most text a report prints is such text.
_RULE_HINTS = (
    *("key", "auth", "token", "cookie", "secret", "pass", "code", "sig"),
    *("organization", "project", "credential"),
    *("sk-", "rk-", "sess-", "akia", "asia", "aiza", "github_pat_", "xox", "hf_", "eyj"),
    *("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "bearer", "basic", "digest", "://"),
)


_ANY_HINT = re.compile("|".join(map(re.escape, _RULE_HINTS)))


def may_match(text: str) -> bool:
    """Whether a rule could match ``text`` (False only when none certainly can)."""
    folded = text.lower() if text.isascii() else text.translate(_ASCII_LOWER)
    return _ANY_HINT.search(folded) is not None


def rule_spans(text: str, folded: str) -> list[tuple[int, int]]:
    """The spans every rule finds in ``text`` (its folded form ``folded``), unmerged."""
    found: list[tuple[int, int]] = []
    for name, rule in RULES:
        for match in _matches(name, rule, text, folded):
            start, end = match.span("v") if "v" in rule.groupindex else match.span()
            if end > start:
                found.append((start, end))
    return found


def _matches(name: str, rule: re.Pattern[str], text: str, lowered: str) -> Iterable[re.Match[str]]:
    """Every match of ``rule`` in ``text`` (hinted rules: only where a name starts)."""
    names = _HINTS.get(name)
    if names is None:
        yield from rule.finditer(text)
        return
    position, end = 0, -1
    while (hint := names.search(lowered, position)) is not None:
        position = hint.start() + 1
        if hint.start() < end:
            continue
        found = rule.match(text, hint.start())
        if found is not None:
            end = found.end()
            yield found


#: Known secrets shorter than this are not masked (masking "a" would mask every "a").
MIN_SECRET = 4
#: Pieces of a known secret cut by an ellipsis are masked from this many characters on.
MIN_PREFIX = 8


def _usable(secrets: Iterable[str]) -> tuple[str, ...]:
    unique = {str.__str__(s) for s in secrets if s and len(s) >= MIN_SECRET}
    return tuple(sorted(unique, key=lambda s: (-len(s), s)))


@lru_cache(maxsize=32)
def _secret_pattern(secrets: tuple[str, ...]) -> re.Pattern[str] | None:
    __tracebackhide__ = True
    if not secrets:
        return None
    return re.compile("|".join(re.escape(s) for s in secrets))


#: Known secrets at least this long are also found base64-, base64url- and hex-encoded.
MIN_ENCODED = 8
_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-")


def _encodings(secret: str) -> Iterable[str]:
    """The forms of ``secret`` an encoded text holds: hex (both cases), and base64 and
    base64url at each of the three alignments it can start at inside a longer encoding
    (``Basic`` credentials encode ``user:key``), less the characters a neighbour changes."""
    data = secret.encode("utf-8", "surrogatepass")
    yield data.hex()
    yield data.hex().upper()
    for lead in range(3):
        whole = base64.b64encode(b"\0" * lead + data).decode("ascii")
        core = whole[4 if lead else 0 : 4 * ((lead + len(data)) // 3)]
        yield core
        yield core.translate(_URL_SAFE)


_URL_SAFE = str.maketrans("+/", "-_")


@lru_cache(maxsize=32)
def _encoded_pattern(secrets: tuple[str, ...]) -> re.Pattern[str] | None:
    __tracebackhide__ = True
    forms = {
        form
        for secret in secrets
        if len(secret) >= MIN_ENCODED
        for form in _encodings(secret)
        if len(form) >= MIN_ENCODED
    }
    if not forms:
        return None
    return re.compile("|".join(re.escape(f) for f in sorted(forms, key=lambda f: (-len(f), f))))


def _whole_token(text: str, start: int, end: int) -> tuple[int, int]:
    """``start`` to ``end`` widened to the run of base64/hex characters around it (and its
    padding), so the characters an encoded secret shares with its neighbours go too."""
    while start > 0 and text[start - 1] in _TOKEN_CHARS:
        start -= 1
    while end < len(text) and text[end] in _TOKEN_CHARS:
        end += 1
    while end < len(text) and text[end] == "=":
        end += 1
    return start, end


_CUT = re.compile(r"…|\.\.\.")


def _cut_pieces(text: str, secrets: tuple[str, ...]) -> Iterable[tuple[int, int]]:
    """Spans of a known secret cut short by ``…`` or ``...``: its start before the mark,
    its end after it (``repr`` shortening keeps both ends of a long value)."""
    __tracebackhide__ = True
    for mark in _CUT.finditer(text):
        at, after = mark.span()
        for secret in secrets:
            for length in range(min(len(secret) - 1, at), MIN_PREFIX - 1, -1):
                if text.startswith(secret[:length], at - length):
                    yield at - length, at
                    break
            for length in range(min(len(secret) - 1, len(text) - after), MIN_PREFIX - 1, -1):
                if text.startswith(secret[-length:], after):
                    yield after, after + length
                    break


def spans(text: str, secrets: Iterable[str] = ()) -> list[tuple[int, int]]:
    """The sorted, merged spans of ``text`` that hold a credential."""
    __tracebackhide__ = True
    # Without an escape to read through, the decoded view is the text itself: whether a
    # rule could match it is asked once, here.
    plain = not ("\\" in text or "%" in text or "\x1b" in text)
    hinted = may_match(text) if plain else True
    if not secrets and not hinted:
        return []  # the common case: nothing a rule could find
    known = _usable(secrets)
    pattern = _secret_pattern(known)
    found: list[tuple[int, int]] = []
    if pattern is not None:
        found += [m.span() for m in pattern.finditer(text)]
    views = [_View(text)]
    # "ESC[31msk-…": read once with the sequence, once as a space (a sequence starts with
    # ESC, raw or escaped with a backslash).
    if ("\x1b" in text or "\\" in text) and _HAS_CSI.search(text):
        views.append(_View(text, csi=True))
    encoded = _encoded_pattern(known)
    for view in views:
        if pattern is not None:
            found += [view.span(*m.span()) for m in pattern.finditer(view.text)]
            found += [view.span(*span) for span in _cut_pieces(view.text, known)]
        if encoded is not None:
            found += [
                view.span(*_whole_token(view.text, *m.span())) for m in encoded.finditer(view.text)
            ]
        could_match = hinted if plain else may_match(view.text)
        if could_match:
            folded = view.text.translate(_ASCII_LOWER)
            found += [view.span(*span) for span in rule_spans(view.text, folded)]
    found.sort()
    merged: list[tuple[int, int]] = []
    for start, end in found:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def masked(text: str, found: list[tuple[int, int]], mask: str) -> str:
    """``text`` with every span in ``found`` (sorted, disjoint) replaced by ``mask``."""
    if not found:
        return text
    parts: list[str] = []
    done = 0
    for start, end in found:
        parts += [text[done:start], mask]
        done = end
    parts.append(text[done:])
    return "".join(parts)


__all__ = ["RULES", "SECRET_FIELDS", "SECRET_HEADERS", "SECRET_PARAMETERS", "masked", "spans"]
