"""The plugin's command-line and ini options, and the profile a run's options choose."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from contract._core.options import (
    NO_REQUESTS,
    NO_SESSIONS,
    PROFILE_OPTIONS,
    RUN_OPTIONS,
    STRICT_HELP,
    Option,
)

if TYPE_CHECKING:
    from contract.config import Strict
    from contract.profiles import Settings
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
    for option in RUN_OPTIONS:
        flag, key = f"--contract-{option.name}", f"contract_{option.dest}"
        if option.flag:
            group.addoption(flag, action="store_true", default=None, dest=key, help=option.help)
            parser.addini(key, type="bool", default=None, help=f"like {flag}")
        else:
            group.addoption(flag, metavar=option.metavar, default=None, dest=key, help=option.help)
            parser.addini(key, type="string", default="", help=f"like {flag}")
    _off_switch(parser, group, NO_REQUESTS, "requests")
    group.addoption(
        "--contract-item",
        choices=("interaction", "file"),
        default=None,
        dest="contract_item",
        help="what a test item is: each recorded response (interaction, the default) or each "
        "recording file (file: fewer items for very large corpora; -n spreads whole files)",
    )
    parser.addini("contract_item", default="interaction", help="like --contract-item")
    _off_switch(parser, group, NO_SESSIONS, "sessions", " (a session finding fails the later item)")
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


def _off_switch(
    parser: pytest.Parser, group: pytest.OptionGroup, option: Option, key: str, more: str = ""
) -> None:
    """``--contract-no-KEY`` and the ini key ``contract_KEY`` of a yes/no setting
    (:data:`~contract._core.options.NO_REQUESTS`...), both read by :func:`_resolve`."""
    group.addoption(
        f"--contract-{option.name}",
        action="store_false",
        default=None,
        dest=f"contract_{key}",
        help=option.help + more,
    )
    parser.addini(
        f"contract_{key}",
        type="string",
        default="",
        help=f"false: like --contract-{option.name} (default true; else the configuration's "
        f"{key} key)",
    )


def _baseline_of(config: pytest.Config) -> Matcher | None:
    """The baseline the settings name (option, environment, ini, configuration file), if any."""
    from contract.reports.baseline import Baseline, BaselineError, Matcher

    path = _settings_of(config).baseline
    if path is None:
        return None
    try:
        return Matcher(Baseline.load(path))
    except BaselineError as exc:
        raise pytest.UsageError(f"finetune-contract: {exc}") from None


def _profile_of(config: pytest.Config) -> tuple[Profile, Strict]:
    """The profile and strict mode of this run: options, environment, ini, file, defaults."""
    chosen = _settings_of(config)
    return chosen.profile, chosen.strict


def _settings_of(config: pytest.Config) -> Settings:
    """This run's settings (see :func:`contract.profiles.settings`), resolved once per session;
    a usage error if bad."""
    found: Settings | None = config.stash.get(_SETTINGS, None)
    if found is None:
        found = _resolve(config)
        config.stash[_SETTINGS] = found
    return found


def _resolve(config: pytest.Config) -> Settings:
    from contract.profiles import Choices, settings
    from contract.schema.amendments import AmendmentError

    def said(name: str) -> str | None:
        value = config.getoption(name)
        return str(value) if value else None

    def ini(name: str) -> str | None:
        value = config.getini(name)
        return str(value) if value else None

    def at_root(given: str | None) -> str | None:
        """A baseline named relative to the rootdir (an absolute one as given)."""
        return None if given is None else str(config.rootpath / given)

    def switch(value: object) -> str | None:
        return None if value is None else "true" if value else "false"

    try:
        return settings(
            Choices(
                said("contract_profile"),
                tuple(config.getoption("contract_amend")),
                tuple(config.getoption("contract_no_amend")),
                said("contract_config"),
                said("contract_strict"),
                "false" if config.getoption("contract_requests") is False else None,
                "false" if config.getoption("contract_sessions") is False else None,
                baseline=at_root(said("contract_baseline")),
                stale_amendments=switch(config.getoption("contract_stale_amendments")),
            ),
            ini=Choices(
                ini("contract_profile"),
                tuple(config.getini("contract_amend")),
                tuple(config.getini("contract_no_amend")),
                ini("contract_config"),
                ini("contract_strict"),
                ini("contract_requests"),
                ini("contract_sessions"),
                baseline=at_root(ini("contract_baseline")),
                stale_amendments=switch(config.getini("contract_stale_amendments")),
            ),
            search_from=config.rootpath,
        )
    except AmendmentError as exc:
        raise pytest.UsageError(f"finetune-contract: {exc}") from None


_SETTINGS = pytest.StashKey["Settings"]()
