"""A failed assertion shows at the user's own line: no library frames, none of their locals."""

from __future__ import annotations

import pytest

import contract.testing.contract  # noqa: F401 - imported here so in-process pytester runs share it

USER_TEST = """
import httpx
import contract

KEY = "sk-proj-HIDDENkeyAbCdEf0123456789"
BAD = {"id": "ftjob-1", "object": "fine_tuning.job"}


def test_assert_response(contract):
    response = httpx.Response(
        200, json=BAD, request=httpx.Request("POST", "https://x/v1/fine_tuning/jobs/ftjob-1/pause")
    )
    contract.assert_response(response)  # the user's line


def test_assert_body(contract):
    contract.assert_body(BAD)  # the user's body line


def test_hook(contract):
    def serve(request):
        return httpx.Response(200, json=BAD)

    client = httpx.Client(
        transport=httpx.MockTransport(serve),
        event_hooks={"response": [contract.httpx_hook()]},
        headers={"Authorization": "Bearer " + KEY},
    )
    client.post("https://x/v1/fine_tuning/jobs/ftjob-1/pause")  # the client call
"""


def test_failures_point_at_the_users_line_not_at_library_internals(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_user=USER_TEST)
    result = pytester.runpytest("--tb=long", "-l")
    result.assert_outcomes(failed=3)
    output = result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            ">       contract.assert_response(response)  # the user's line",
            "E   *contract violation*",
            ">       contract.assert_body(BAD)  # the user's body line",
            "E   *contract violation*",
        ]
    )
    assert "# the client call" in output
    assert "contract/testing/contract.py" not in output
    assert "found = check_response" not in output  # no frame of the library's own code
    assert "HIDDENkey" not in output.replace('KEY = "sk-proj-HIDDENkeyAbCdEf0123456789"', "")
