"""The plugin's command-line and ini options, and the profile a run's options choose."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from contract._core.options import PROFILE_OPTIONS, STRICT_HELP

if TYPE_CHECKING:
    from contract.config import Strict
    from contract.reports.baseline import Matcher
    from contract.schema.amendments import Profile


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("finetune-contract", "contract tests of the fine-tuning jobs API")
    group.addoption(
        "--contract-recordings",
        action="append",
        default=[],
        metavar="PATH",
        dest="contract_recordings",
        help="check every recorded fine-tuning jobs response and payload in PATH (file or "
        "directory; HAR, VCR cassettes of vcrpy/Ruby/go-vcr/Betamax/Schemathesis, test-proxy "
        "session records, nock, .json, .jsonl, any of them .gz) as its own test; repeatable",
    )
    parser.addini(
        "contract_recordings",
        type="paths",
        default=[],
        help="recording files or directories to check, like --contract-recordings",
    )
    group.addoption(
        "--contract-fail-api-errors",
        action="store_true",
        default=False,
        dest="contract_fail_api_errors",
        help="fail recorded API error responses (undocumented statuses) instead of counting them",
    )
    parser.addini(
        "contract_fail_api_errors",
        type="bool",
        default=False,
        help="like --contract-fail-api-errors",
    )
    group.addoption(
        "--contract-coverage",
        action="store_true",
        default=False,
        dest="contract_coverage",
        help="add traffic coverage to the summary: the operations, statuses, methods, graders, "
        "enum values, null and absent cases the recordings exercised, and those they never did",
    )
    parser.addini("contract_coverage", type="bool", default=False, help="like --contract-coverage")
    for option in PROFILE_OPTIONS:
        flag, key = f"--contract-{option.name}", f"contract_{option.dest}"
        if option.repeatable:
            group.addoption(
                flag,
                action="append",
                default=[],
                metavar=option.metavar,
                dest=key,
                help=option.help,
            )
            parser.addini(key, type="linelist", default=[], help=f"like {flag}")
        else:
            group.addoption(flag, metavar=option.metavar, default=None, dest=key, help=option.help)
            parser.addini(key, type="string", default="", help=f"like {flag}")
    group.addoption(
        "--contract-strict",
        action="store_const",
        const="warn",
        default=None,
        dest="contract_strict",
        help=STRICT_HELP["warn"],
    )
    group.addoption(
        "--contract-strict=fail",
        action="store_const",
        const="fail",
        dest="contract_strict",
        help=STRICT_HELP["fail"],
    )
    parser.addini("contract_strict", type="string", default="", help="like --contract-strict")
    group.addoption(
        "--contract-stale-amendments",
        action="store_true",
        default=False,
        dest="contract_stale_amendments",
        help="also list the profile's amendments nothing needed (meaningful over a large corpus)",
    )
    parser.addini(
        "contract_stale_amendments",
        type="bool",
        default=False,
        help="like --contract-stale-amendments",
    )
    group.addoption(
        "--contract-baseline",
        metavar="FILE",
        default=None,
        dest="contract_baseline",
        help="baseline of known findings (written by finetune-contract check "
        "--update-baseline): fail only on findings it does not list, and on entries whose "
        "expires date has passed (default: the configuration's baseline)",
    )
    parser.addini("contract_baseline", type="string", default="", help="like --contract-baseline")
    group.addoption(
        "--contract-item",
        choices=("interaction", "file"),
        default=None,
        dest="contract_item",
        help="what a test item is: each recorded response (interaction, the default) or each "
        "recording file (file: fewer items for very large corpora; -n spreads whole files)",
    )
    parser.addini("contract_item", default="interaction", help="like --contract-item")
    group.addoption(
        "--contract-live",
        action="store_true",
        default=False,
        dest="contract_live",
        help="send one real pause request (needs --contract-job-id; key from OPENAI_API_KEY); "
        "pausing changes the job",
    )
    group.addoption(
        "--contract-job-id",
        metavar="ID",
        default=None,
        dest="contract_job_id",
        help="the job --contract-live pauses",
    )
    group.addoption(
        "--contract-base-url",
        metavar="URL",
        default=None,
        dest="contract_base_url",
        help="API base URL for --contract-live (default: https://api.openai.com/v1)",
    )


def _baseline_of(config: pytest.Config) -> Matcher | None:
    """The baseline the options, the ini file or the configuration file name, if any."""
    from contract.config import ConfigError, discover, load
    from contract.reports.baseline import Baseline, BaselineError, Matcher

    given = config.getoption("contract_baseline") or config.getini("contract_baseline") or None
    path: Path | None = None
    if given:
        path = Path(given) if Path(given).is_absolute() else config.rootpath / given
    else:
        file = config.getoption("contract_config") or config.getini("contract_config") or None
        try:
            found = load(config.rootpath / file) if file else discover(config.rootpath)
        except ConfigError as exc:
            raise pytest.UsageError(f"finetune-contract: {exc}") from None
        path = found.baseline_path if found is not None else None
    if path is None:
        return None
    try:
        return Matcher(Baseline.load(path))
    except BaselineError as exc:
        raise pytest.UsageError(f"finetune-contract: {exc}") from None


def _profile_of(config: pytest.Config) -> tuple[Profile, Strict]:
    """The profile and strict mode of this run: options, environment, ini, file, defaults."""
    from contract.profiles import Choices, settings
    from contract.schema.amendments import AmendmentError

    def said(name: str) -> str | None:
        value = config.getoption(name)
        return str(value) if value else None

    def ini(name: str) -> str | None:
        value = config.getini(name)
        return str(value) if value else None

    try:
        chosen = settings(
            Choices(
                said("contract_profile"),
                tuple(config.getoption("contract_amend")),
                tuple(config.getoption("contract_no_amend")),
                said("contract_config"),
                said("contract_strict"),
            ),
            ini=Choices(
                ini("contract_profile"),
                tuple(config.getini("contract_amend")),
                tuple(config.getini("contract_no_amend")),
                ini("contract_config"),
                ini("contract_strict"),
            ),
            search_from=config.rootpath,
        )
    except AmendmentError as exc:
        raise pytest.UsageError(f"finetune-contract: {exc}") from None
    return chosen.profile, chosen.strict
