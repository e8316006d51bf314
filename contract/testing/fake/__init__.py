"""A stateful fake of the fine-tuning jobs API, for tests and for clients in any language.

::

    from contract.testing.fake import FakeJobsAPI
    fake = FakeJobsAPI("observed", seed=1)          # manual clock: fake.clock.advance(30)
    client = openai.OpenAI(api_key="sk-test", base_url=fake.url,       # served on loopback
                           http_client=httpx.Client(transport=fake.transport()))  # or in process

All eight operations of the family (create, list, retrieve, cancel, pause,
resume, events, checkpoints), each job moved along the profile's life cycle
(:mod:`contract.schema.lifecycle`) by the clock; errors in the API's envelope;
faults by rate, by script (``fake.faults.next("429")``) or by the request
header ``X-Fake-Fault``; scripted replies for one call
(``fake.replies.next("pause", body)``). See ``docs/fake-api.md``.
"""

from __future__ import annotations

from contract.testing._scripted import OPERATIONS
from contract.testing.fake._api import BASE_PATH, IN_PROCESS_URL, FakeJobsAPI, FakeRequest
from contract.testing.fake._asgi import DroppedConnection, FakeApp
from contract.testing.fake._clock import Clock
from contract.testing.fake._faults import FAULT_HEADER, KINDS, Faults, FaultSpecError, parse_spec
from contract.testing.fake._jobs import Durations
from contract.testing.fake._reply import MAX_BODY, Reply
from contract.testing.fake._script import Replies, Scripted
from contract.testing.fake._transport import FakeTransport

__all__ = [
    "BASE_PATH",
    "FAULT_HEADER",
    "IN_PROCESS_URL",
    "KINDS",
    "MAX_BODY",
    "OPERATIONS",
    "Clock",
    "DroppedConnection",
    "Durations",
    "FakeApp",
    "FakeJobsAPI",
    "FakeRequest",
    "FakeTransport",
    "FaultSpecError",
    "Faults",
    "Replies",
    "Reply",
    "Scripted",
    "parse_spec",
]
