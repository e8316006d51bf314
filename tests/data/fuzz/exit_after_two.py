"""Test parser (JSON Lines): answers two payloads, then exits with status 3 without answering."""

import sys

for count, _line in enumerate(sys.stdin, 1):
    if count > 2:
        print("giving up", file=sys.stderr)
        sys.exit(3)
    print('{"ok": false, "error": "no"}', flush=True)
