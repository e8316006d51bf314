"""Rule codes (FC…): stable, unique, given to every finding, carried by every format, explained.

The codes are data (``contract/_data/rules.json``); the docs table is generated
from them (``docs/reference/rules.md`` must match ``python -m contract._core.rules``).
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from contract._core import rules
from contract.cli import main
from contract.violations import HTTP_KEYWORDS, Violation
from tests.report_runs import BUNDLED, CORPUS, PAYLOADS, json_of

ROOT = Path(__file__).resolve().parents[1]
CODE = re.compile(r"\AFC\d{3}\Z")
#: Keywords of schemas that annotate, hold definitions or name things: they never fail.
NOT_ASSERTIONS = {
    "$defs", "$id", "$ref", "$schema", "default", "description", "examples", "title",
    "properties", "patternProperties", "prefixItems", "$comment", "deprecated", "readOnly",
    "writeOnly", "contentMediaType", "contentEncoding", "if", "then", "else", "$anchor",
    "$dynamicRef", "$dynamicAnchor", "$vocabulary",
}  # fmt: skip


def test_codes_are_unique_well_formed_and_grouped_by_range() -> None:
    data = json.loads(rules.DATA.read_text())
    codes = [r["code"] for r in data["rules"]]
    assert all(CODE.match(c) for c in codes)
    assert len(codes) == len(set(codes))
    pairs = [(r["side"], r["keyword"]) for r in data["rules"] if r.get("keyword")]
    assert len(pairs) == len(set(pairs))
    first_digit = {"http": "0", "keyword": "1", "contract": "2", "session": "3", "note": "9"}
    for r in data["rules"]:
        expected = "4" if r["side"] == "request" else first_digit[r["kind"]]
        assert r["code"][2] == expected, r
    # A request keyword's code mirrors the response one's (FC4NN for FC1NN).
    for r in data["rules"]:
        if (
            r["side"] == "request"
            and r["kind"] == "request"
            and r.get("keyword")
            in [k["keyword"] for k in data["rules"] if k["kind"] == "keyword" and k.get("keyword")]
            and r["code"] < "FC480"
        ):
            assert rules.code_of(r["keyword"]) == "FC1" + r["code"][3:]


def _schema_keywords(value: Any, found: set[str], under_properties: bool = False) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            if not under_properties:
                found.add(key)
            _schema_keywords(inner, found, key in ("properties", "$defs"))
    elif isinstance(value, list):
        for item in value:
            _schema_keywords(item, found)


def test_every_keyword_the_schemas_use_has_its_own_code() -> None:
    found: set[str] = set()
    for path in (ROOT / "schemas").glob("*.json"):
        document = json.loads(path.read_text())
        if "$schema" in document:  # lifecycle.json is data beside the schemas, not one
            _schema_keywords(document, found)
    assertions = found - NOT_ASSERTIONS
    assert {"required", "maximum", "enum", "oneOf", "propertyNames"} <= assertions
    for keyword in sorted(assertions):
        assert rules.code_of(keyword) != rules.OTHER_KEYWORD, keyword
    for keyword in HTTP_KEYWORDS:
        assert rules.code_of(keyword).startswith("FC0"), keyword


def test_every_finding_of_a_run_carries_a_code_that_explain_explains(
    capsys: pytest.CaptureFixture[str],
) -> None:
    targets = [BUNDLED, PAYLOADS, *([CORPUS] if CORPUS.is_dir() else [])]
    seen: set[str] = set()
    for target in targets:
        for result in json_of(target)["results"]:
            for violation in result["violations"]:
                assert violation["code"] == rules.code_of(violation["keyword"])
                assert violation["code"] not in (rules.OTHER_KEYWORD, rules.OTHER_REQUEST)
                seen.add(violation["code"])
    assert len(seen) >= 3
    for code in sorted(seen):
        assert main(["explain", code.lower()]) == 0
        out = capsys.readouterr().out
        rule = rules.rule(code)
        assert out.startswith(f"{code}: {rule.title}\n")
        assert "What it means:" in out and "How to accept it:" in out
        assert f"docs/reference/rules.md#{code.lower()}" in out


@pytest.mark.parametrize("code", ["FC999", "FC1", "maximum", "", "FC106x"])
def test_an_unknown_code_exits_2_with_one_line(code: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "contract", "explain", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 2
    assert done.stdout == "" and len(done.stderr.splitlines()) == 1
    assert "Traceback" not in done.stderr


def test_explain_lists_every_code_without_an_argument(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain"]) == 0
    listed = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert listed == [r.code for r in rules.table().rules if not r.reserved]


def test_the_docs_table_is_generated_from_the_data() -> None:
    page = (ROOT / "docs" / "reference" / "rules.md").read_text(encoding="utf-8")
    assert rules.page_text(page) == page, (
        "run: python -m contract._core.rules --write docs/reference/rules.md"
    )
    for rule in rules.table().rules:
        assert rule.reserved or f"[{rule.code}](#{rule.anchor})" in page


def _formats(violations: tuple[Violation, ...]) -> dict[str, str]:
    from contract.engine.results import Result, Summary
    from contract.reports import FORMATS, Options, Run

    outputs = {}
    for name, form in FORMATS.items():
        out = io.StringIO()
        writer = form.writer(out, Options())
        writer.result(Result("jobs.jsonl:3", violations, name="line[3]"))
        writer.finish(Run(Summary(checked=1, invalid=1)))
        outputs[name] = out.getvalue()
    return outputs


def test_every_format_carries_the_code() -> None:
    violation = Violation("/hyperparameters/n_epochs", "maximum", "51 is greater than 50")
    outputs = _formats((violation,))
    assert set(outputs) == {"text", "json", "jsonl", "junit", "github", "sarif"}
    assert outputs["text"].splitlines()[0].endswith("[FC106]")
    assert json.loads(outputs["json"])["results"][0]["violations"][0]["code"] == "FC106"
    assert json.loads(outputs["jsonl"].splitlines()[0])["violations"][0]["code"] == "FC106"
    assert json.loads(outputs["sarif"])["runs"][0]["results"][0]["ruleId"] == "FC106"
    assert "[FC106]" in outputs["junit"]
    (annotation,) = [line for line in outputs["github"].splitlines() if line.startswith("::error")]
    assert "title=FC106 contract violation (maximum)" in annotation
    assert annotation.endswith("[FC106]")


def test_a_keyword_the_table_lacks_still_gets_a_code() -> None:
    assert Violation("", "x-new-keyword", "m").code == rules.OTHER_KEYWORD
    assert rules.code_of("x-new-keyword", side="request") == rules.OTHER_REQUEST
    assert rules.code_of("maximum", side="request") == "FC406"
    assert rules.code_of("session") == "FC300"


def test_a_request_finding_carries_its_request_code_in_every_format() -> None:
    """The same keyword on the request side has the FC4NN code: JSON, text, JUnit, SARIF."""
    from contract.engine.results import Result
    from contract.reports.junit import _said
    from contract.reports.sarif import rule_id
    from contract.reports.text import result_lines
    from contract.violations import Violation

    long = Violation("/suffix", "maxLength", "is 65 characters long, more than the maximum of 64")
    wrong = Violation("/seed", "type", '"x" is not of type integer')
    result = Result("c.yaml::interaction[0]", (wrong,), request_violations=(long,))
    listed: Any = result.as_dict()["violations"]
    found = {(v["side"], v["code"]) for v in listed}
    assert found == {("response", "FC101"), ("request", "FC411")}
    lines = result_lines(result)
    assert any(line.endswith("[FC411]") and "request: /suffix" in line for line in lines)
    assert any(line.endswith("[FC101]") and "request:" not in line for line in lines)
    assert _said("request", long).endswith("[FC411]")
    assert (rule_id(long, "request"), rule_id(wrong)) == ("FC411", "FC101")
    for code in ("FC483", "FC484", "FC485", "FC486"):
        assert rules.rule(code).side == "request"
