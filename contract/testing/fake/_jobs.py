"""The fake's jobs: state per job, moved along the profile's life cycle by the clock.

No HTTP here. A job is settled lazily: whenever it is read or acted on, the
stages whose time has passed are played in order, each writing its events
(and checkpoints) at the simulated time it happened. Everything random (ids,
losses, outcomes) comes from generators seeded by the fake's seed and the job.
"""

from __future__ import annotations

import math
import random
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from contract.schema.lifecycle import Lifecycle

_ALPHABET = string.ascii_letters + string.digits
ORGANIZATION = "org-fake"

#: The stage that follows each timed stage.
_NEXT = {
    "pending": "validating_files",
    "created": "validating_files",
    "validating_files": "queued",
    "queued": "running",
    "pausing": "paused",
    "resuming": "running",
}


@dataclass(frozen=True)
class Durations:
    """How long each stage lasts, in simulated seconds, and how a run is cut into steps.

    ``running`` is the whole training run (time spent paused does not count);
    it is cut into ``steps`` steps, each writing a metrics event; a checkpoint
    is written at each epoch's last step and the final one at success.
    """

    pending: float = 2.0
    validating_files: float = 5.0
    queued: float = 5.0
    running: float = 600.0
    pausing: float = 3.0
    resuming: float = 3.0
    steps: int = 12

    def __post_init__(self) -> None:
        for name in ("pending", "validating_files", "queued", "running", "pausing", "resuming"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
                raise ValueError(f"duration {name} must be a number of seconds >= 0, not {value!r}")
        if not (isinstance(self.steps, int) and self.steps >= 1):
            raise ValueError(f"steps must be a whole number >= 1, not {self.steps!r}")


def token(rng: random.Random, length: int = 24) -> str:
    """A random id part from ``rng``."""
    return "".join(rng.choice(_ALPHABET) for _ in range(length))


@dataclass
class Job:
    """One fake job: what create set, where it is in its life cycle, what it wrote."""

    id: str
    sequence: int
    created_at: int
    request: Mapping[str, Any]
    hyperparameters: dict[str, Any]
    method: dict[str, Any]
    seed: int
    status: str
    since: float
    n_epochs: int
    steps: int
    fail_at: float | None
    rng: random.Random = field(repr=False)
    progress: float = 0.0
    steps_done: int = 0
    finished_at: int | None = None
    fine_tuned_model: str | None = None
    trained_tokens: int | None = None
    result_files: list[str] = field(default_factory=list)
    error: dict[str, Any] | None = None
    estimated_finish: int | None = None
    events: list[dict[str, Any]] = field(default_factory=list, repr=False)
    checkpoints: list[dict[str, Any]] = field(default_factory=list, repr=False)

    @property
    def metadata(self) -> Mapping[str, str] | None:
        value = self.request.get("metadata")
        return value if isinstance(value, dict) else None

    def body(self) -> dict[str, Any]:
        """The job object as the API answers it."""
        request = self.request
        return {
            "object": "fine_tuning.job",
            "id": self.id,
            "model": request["model"],
            "created_at": self.created_at,
            "finished_at": self.finished_at,
            "fine_tuned_model": self.fine_tuned_model,
            "organization_id": ORGANIZATION,
            "result_files": list(self.result_files),
            "status": self.status,
            "validation_file": request.get("validation_file"),
            "training_file": request["training_file"],
            "hyperparameters": dict(self.hyperparameters),
            "trained_tokens": self.trained_tokens,
            "error": None if self.error is None else dict(self.error),
            "integrations": request.get("integrations"),
            "seed": self.seed,
            "estimated_finish": self.estimated_finish,
            "method": self.method,
            "metadata": request.get("metadata"),
        }


class Simulation:
    """Every job of one fake, moved by its clock along one profile's life cycle."""

    def __init__(
        self,
        graph: Lifecycle,
        durations: Durations,
        seed: int,
        failure_rate: float = 0.0,
    ) -> None:
        if not 0.0 <= failure_rate <= 1.0:
            raise ValueError(f"failure_rate must be between 0 and 1, not {failure_rate!r}")
        self.graph = graph
        self.durations = durations
        self.seed = seed
        self.failure_rate = failure_rate
        self.jobs: dict[str, Job] = {}
        self._random = random.Random(f"jobs-{seed}")

    # -- creating ---------------------------------------------------------------

    def create(self, request: Mapping[str, Any], now: float) -> Job:
        """A new job from a checked create request, in the profile's first state."""
        rng = self._random
        job_id = "ftjob-" + token(rng)
        while job_id in self.jobs:
            job_id = "ftjob-" + token(rng)
        hyper = _resolved(request, rng)
        seed = request.get("seed")
        failing = rng.random() < self.failure_rate
        job = Job(
            id=job_id,
            sequence=len(self.jobs),
            created_at=int(now),
            request=request,
            hyperparameters=hyper,
            method=_method(request, hyper),
            seed=seed if isinstance(seed, int) else rng.randint(0, 2**31 - 1),
            status=self.graph.initial,
            since=now,
            n_epochs=int(hyper["n_epochs"]),
            steps=max(self.durations.steps, int(hyper["n_epochs"])),
            fail_at=rng.uniform(0.2, 0.8) * self.durations.running if failing else None,
            rng=random.Random(f"job-{self.seed}-{job_id}"),
        )
        self.jobs[job_id] = job
        self._event(job, now, f"Created fine-tuning job: {job_id}")
        if job.status == "validating_files":
            self._event(job, now, f"Validating training file: {request['training_file']}")
        return job

    # -- moving -----------------------------------------------------------------

    def settle(self, job: Job, now: float) -> None:
        """Play every stage of ``job`` whose time has come by ``now``."""
        terminal = self.graph.terminal
        while job.status not in terminal and job.status != "paused":
            if job.status == "running":
                if not self._run(job, now):
                    return
                continue
            ends = job.since + self._duration(job.status)
            if now < ends:
                return
            self._enter(job, _NEXT[job.status], ends)

    def _duration(self, status: str) -> float:
        return float(getattr(self.durations, status, 0.0))

    def _run(self, job: Job, now: float) -> bool:
        """Train up to ``now``; True when the run ended (the job left ``running``)."""
        total = self.durations.running
        end_at = job.fail_at if job.fail_at is not None else total
        ends = job.since + max(0.0, end_at - job.progress)
        upto = min(now, ends)
        reached = job.progress + (upto - job.since)
        self._steps(job, reached)
        job.progress, job.since = reached, upto
        if now < ends:
            return False
        if job.fail_at is not None:
            self._fail(job, ends, "The job failed during training: the loss became NaN.")
        else:
            self._succeed(job, ends)
        return True

    def _step_time(self, job: Job, step: int) -> float:
        """The run time (progress) at which ``step`` ends."""
        return self.durations.running * step / job.steps

    def _steps(self, job: Job, reached: float) -> None:
        while job.steps_done < job.steps:
            step = job.steps_done + 1
            at_progress = self._step_time(job, step)
            if at_progress > reached:
                return
            when = job.since + (at_progress - job.progress)
            loss = round(2.0 * math.exp(-3.0 * step / job.steps) + job.rng.uniform(0, 0.05), 4)
            accuracy = round(min(1.0, 0.5 + 0.45 * step / job.steps), 4)
            data = {
                "step": step,
                "train_loss": loss,
                "train_mean_token_accuracy": accuracy,
                "total_steps": job.steps,
            }
            self._event(
                job,
                when,
                f"Step {step}/{job.steps}: training loss={loss}",
                kind="metrics",
                data=data,
            )
            job.steps_done = step
            epoch_end = step * job.n_epochs // job.steps > (step - 1) * job.n_epochs // job.steps
            if step < job.steps and epoch_end:  # the final checkpoint is written at success
                self._checkpoint(job, when, step, loss, accuracy)

    def _checkpoint(self, job: Job, when: float, step: int, loss: float, accuracy: float) -> None:
        model = job.request["model"]
        suffix = job.request.get("suffix") or ""
        checkpoint = {
            "object": "fine_tuning.job.checkpoint",
            "id": "ftckpt_" + token(job.rng),
            "created_at": int(when),
            "fine_tuned_model_checkpoint": (
                f"ft:{model}:{ORGANIZATION}:{suffix}:{job.id[-8:]}:ckpt-step-{step}"
            ),
            "step_number": step,
            "metrics": {
                "step": float(step),
                "train_loss": loss,
                "train_mean_token_accuracy": accuracy,
            },
            "fine_tuning_job_id": job.id,
        }
        job.checkpoints.append(checkpoint)
        self._event(job, when, f"Checkpoint created at step {step}")

    def _enter(self, job: Job, status: str, when: float) -> None:
        job.status, job.since = status, when
        if status == "queued":
            self._event(job, when, "Files validated, moving job to queued state")
            job.estimated_finish = int(when + self.durations.queued + self.durations.running)
        elif status == "validating_files":
            self._event(job, when, f"Validating training file: {job.request['training_file']}")
        elif status == "running":
            left = self.durations.running - job.progress
            job.estimated_finish = int(when + left)
            self._event(
                job, when, "Fine-tuning job started" if job.progress == 0 else "Job resumed"
            )
        elif status == "paused":
            self._event(job, when, "Job paused")
        if status not in ("queued", "running"):
            job.estimated_finish = None

    def _succeed(self, job: Job, when: float) -> None:
        model, suffix = job.request["model"], job.request.get("suffix") or ""
        job.fine_tuned_model = f"ft:{model}:{ORGANIZATION}:{suffix}:{job.id[-8:]}"
        job.trained_tokens = job.rng.randint(1_000, 100_000) * job.n_epochs
        job.result_files = ["file-" + token(job.rng)]
        last = job.events[-1].get("data", {}) if job.events else {}
        loss = float(last.get("train_loss", 0.1))
        accuracy = float(last.get("train_mean_token_accuracy", 0.9))
        self._checkpoint(job, when, job.steps, loss, accuracy)
        self._event(job, when, f"New fine-tuned model created: {job.fine_tuned_model}")
        self._finish(job, "succeeded", when)
        self._event(job, when, "The job has successfully completed")

    def _fail(self, job: Job, when: float, message: str) -> None:
        job.error = {"code": "invalid_training_run", "message": message, "param": None}
        self._finish(job, "failed", when)
        self._event(job, when, f"Fine-tuning job failed: {message}", level="error")

    def _finish(self, job: Job, status: str, when: float) -> None:
        job.status, job.since = status, when
        job.finished_at = int(when)
        job.estimated_finish = None

    # -- what clients ask for ---------------------------------------------------

    def act(self, job: Job, operation_id: str, now: float) -> None:
        """Apply a state-changing operation to a settled job whose state allows it."""
        answer = self.graph.answer_state(operation_id, job.status)
        if answer == "cancelled":
            self._finish(job, "cancelled", now)
            self._event(job, now, "Fine-tuning job cancelled by the user", level="warn")
            return
        job.status, job.since = answer, now
        job.estimated_finish = None
        self._event(job, now, "Pausing job" if answer == "pausing" else "Resuming job")

    def fail(self, job: Job, now: float, message: str) -> None:
        """End a job as failed now (a test's way to reach ``failed`` on demand)."""
        if job.status not in self.graph.terminal:
            self._fail(job, now, message)

    def _event(
        self,
        job: Job,
        when: float,
        message: str,
        *,
        level: str = "info",
        kind: str = "message",
        data: dict[str, Any] | None = None,
    ) -> None:
        job.events.append(
            {
                "object": "fine_tuning.job.event",
                "id": "ftevent-" + token(job.rng),
                "created_at": int(when),
                "level": level,
                "message": message,
                "data": data if data is not None else {},
                "type": kind,
            }
        )


def _resolved(request: Mapping[str, Any], rng: random.Random) -> dict[str, Any]:
    """The job's hyperparameters: the request's (method's first), ``auto`` resolved."""
    asked: dict[str, Any] = {}
    top = request.get("hyperparameters")
    if isinstance(top, dict):
        asked.update(top)
    method = request.get("method")
    if isinstance(method, dict):
        inner = method.get(str(method.get("type")))
        if isinstance(inner, dict) and isinstance(inner.get("hyperparameters"), dict):
            asked.update(inner["hyperparameters"])
    batch = asked.get("batch_size")
    rate = asked.get("learning_rate_multiplier")
    epochs = asked.get("n_epochs")
    return {
        "batch_size": batch if isinstance(batch, int) else rng.choice([1, 2, 4, 8]),
        "learning_rate_multiplier": rate if isinstance(rate, (int, float)) else 1.8,
        "n_epochs": epochs if isinstance(epochs, int) else 3,
    }


def _method(request: Mapping[str, Any], hyper: Mapping[str, Any]) -> dict[str, Any]:
    method = request.get("method")
    if isinstance(method, dict):
        return dict(method)
    return {"type": "supervised", "supervised": {"hyperparameters": dict(hyper)}}
