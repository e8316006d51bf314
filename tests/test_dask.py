"""Checking on a Dask cluster (two worker processes on loopback) gives a local run's summary."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import pytest

from contract.cli import main
from contract.engine import Tally, check_paths
from contract.generate import sampler

pytest.importorskip("dask.bag", reason="the dask extra is not installed")
distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")

import dask.bag as db  # noqa: E402  (after the skip)

import contract.engine.dask  # noqa: E402

EXAMPLES = Path(__file__).resolve().parent.parent / "contract" / "_data" / "recordings"


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """Two worker processes on 127.0.0.1, no dashboard; closed after the module's tests."""
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,  # no dashboard; its HTTP server on a free loopback port
            worker_dashboard_address=None,
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        ) as cluster,
        distributed.Client(cluster, timeout="60s") as connected,
    ):
        yield connected


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """JSON Lines with invalid and non-JSON lines, recordings of every kind, a broken file."""
    tmp = tmp_path_factory.mktemp("dask")
    lines = [json.dumps(job) for job in islice(sampler.conforming(seed=3), 300)]
    for index, mutant in enumerate(islice(sampler.nonconforming(seed=3), 40)):
        lines.insert(index * 7, json.dumps(mutant.payload))
    lines[5] = "{not json"
    lines.insert(9, "")
    (tmp / "traffic.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    shutil.copytree(EXAMPLES, tmp / "examples")
    (tmp / "examples" / "broken.yaml").write_text("interactions: [", encoding="utf-8")
    return [tmp / "traffic.jsonl", tmp / "examples"]


def _local(paths: list[Path]) -> Tally:
    tally = Tally()
    for event in check_paths(paths):
        tally.add(event)
    return tally


def test_paths_checked_on_the_cluster_give_the_local_summary(
    client: Any, inputs: list[Path]
) -> None:
    local = _local(inputs)
    remote = contract.engine.dask.check(inputs, client)
    assert remote.summary.as_dict() == local.summary.as_dict()
    assert remote.errors == local.errors and len(remote.errors) == 1
    assert remote.summary.invalid == 41  # 40 mutants and the line that is not JSON
    assert [r.source for r in remote.failures] == [
        f"{inputs[0]}:{n}" for n in sorted(int(r.source.rsplit(":", 1)[1]) for r in remote.failures)
    ]


def test_a_bag_of_json_lines_gives_the_local_summary(client: Any, inputs: list[Path]) -> None:
    local = _local(inputs[:1])
    bag = db.read_text(str(inputs[0]), blocksize=20_000)  # several partitions
    assert bag.npartitions > 1
    remote = contract.engine.dask.check_bag(bag)
    assert remote.summary.as_dict() == local.summary.as_dict()
    assert all(r.source.startswith("bag[") for r in remote.failures)


def test_a_bag_of_recording_files_gives_the_local_summary(client: Any) -> None:
    files = sorted(str(p) for p in EXAMPLES.iterdir())
    remote = contract.engine.dask.check(db.from_sequence(files, npartitions=2), kind="files")
    assert remote.summary.as_dict() == _local([Path(f) for f in files]).summary.as_dict()


def test_the_command_line_on_the_cluster_prints_what_one_process_prints(
    client: Any, inputs: list[Path]
) -> None:
    address = client.scheduler.address

    def run(*args: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main(["check", *args, *map(str, inputs)])
        return status, out.getvalue(), err.getvalue()

    assert run("--dask", address) == run()
