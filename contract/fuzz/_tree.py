"""Killing a child process and everything it started, wherever that went.

A parser runs in its own session, so killing its process group catches what
stays in the group. A descendant can leave it (``setsid()``, ``setpgid()``) and
be orphaned (its parent exits and it is given to ``init``), so on Linux the
tree is also found through ``/proc``: every process started since the child
whose parent chain leads to the child, whose group or session is the child's,
or whose environment carries the child's :data:`MARK` (inherited by every
descendant that keeps its environment, however it detached). Each round stops
what it finds (``SIGSTOP``, so nothing forks while it is counted), then looks
again; once a round finds nothing new, all of them are killed. Elsewhere only
the process group is killed.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
from dataclasses import dataclass

#: Environment variable set for each child, with a value of its own.
MARK = "FINETUNE_CONTRACT_PARSER"
#: Rounds of looking for new processes before killing what was found.
_ROUNDS = 20
_PROC = "/proc"


def new_mark() -> str:
    """A fresh value for :data:`MARK`."""
    return secrets.token_hex(12)


@dataclass(frozen=True)
class _Stat:
    ppid: int
    pgid: int
    sid: int
    start: int


def _stat(pid: int | str) -> _Stat | None:
    try:
        with open(f"{_PROC}/{pid}/stat", "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold anything, spaces too.
    fields = data[data.rfind(b")") + 2 :].split()
    try:
        return _Stat(int(fields[1]), int(fields[2]), int(fields[3]), int(fields[19]))
    except (IndexError, ValueError):
        return None


def start_time(pid: int) -> int | None:
    """When ``pid`` started (clock ticks since boot), or None off Linux or once it is gone."""
    found = _stat(pid)
    return found.start if found is not None else None


def _marked(pid: int, token: bytes) -> bool:
    try:
        with open(f"{_PROC}/{pid}/environ", "rb") as handle:
            return token in handle.read().split(b"\0")
    except OSError:
        return False


def _tree(leader: int, since: int, mark: str, leader_alive: bool) -> set[int]:
    """The live processes of ``leader``'s tree, started at ``since`` or later (not ours)."""
    table: dict[int, _Stat] = {}
    with contextlib.suppress(OSError):
        for entry in os.scandir(_PROC):
            if entry.name.isdigit():
                found = _stat(entry.name)
                if found is not None and found.start >= since:
                    table[int(entry.name)] = found
    token = f"{MARK}={mark}".encode()
    # Once the leader is reaped its pid may name another process; then (and only then)
    # a group or session of that number is that process's, not the leader's.
    by_group = leader_alive or leader not in table
    members = {
        pid
        for pid, found in table.items()
        if (pid == leader and leader_alive)
        or (by_group and leader in (found.pgid, found.sid))
        or _marked(pid, token)
    }
    children: dict[int, list[int]] = {}
    for pid, found in table.items():
        children.setdefault(found.ppid, []).append(pid)
    stack = list(members)
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in members:
                members.add(child)
                stack.append(child)
    members.discard(os.getpid())
    return members


def _signal(pid: int, number: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, number)


def kill_tree(leader: int, since: int | None, mark: str, *, leader_alive: bool) -> None:
    """Kill ``leader``'s process group and (on Linux) every process of its tree.

    ``since`` is the leader's :func:`start_time` (None: only the group is
    killed); ``leader_alive`` says the leader is not reaped yet, so its pid
    still names its group.
    """
    if leader_alive:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(leader, signal.SIGKILL)
    if since is None or not os.path.isdir(_PROC):
        return
    stopped: set[int] = set()
    for _ in range(_ROUNDS):
        found = _tree(leader, since, mark, leader_alive) - stopped
        if not found:
            break
        for pid in found:
            _signal(pid, signal.SIGSTOP)
        stopped |= found
    for pid in stopped:
        _signal(pid, signal.SIGKILL)


__all__ = ["MARK", "kill_tree", "new_mark", "start_time"]
