"""``report render``: a run's file reports again from its report.json, byte for byte but the timestamps."""

import json
import re

from conformance.reporting import REPORT_FILES, write_json_report
from conformance.reporting.json_report import report_from_dict, report_to_dict
from tests.reporting.samples import invoke, make_report

_TIMESTAMP = re.compile(rb"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?")


def _without_timestamps(data: bytes) -> bytes:
    return _TIMESTAMP.sub(b"<time>", data)


def test_render_reproduces_a_runs_own_outputs(broken_run, tmp_path):
    """The CLI run against the broken target (failed, passed and skipped requirements) wrote four files."""
    out, _ = broken_run
    code, stdout, stderr = invoke("report", "render", str(out / "report.json"), "--report-dir", str(tmp_path))
    assert code == 0, stderr
    assert all(str(tmp_path / name) in stdout for name in REPORT_FILES)
    for name in REPORT_FILES:
        original, again = (out / name).read_bytes(), (tmp_path / name).read_bytes()
        assert _without_timestamps(again) == _without_timestamps(original), name


def test_a_report_survives_the_round_trip_with_an_expectation_and_errors():
    report = make_report({"card.create.returns-card": "passed", "card.delete.stub": "failed",
                          "card.retrieve.by-id": "skipped", "auth.missing-key": "error"})
    document = json.loads(json.dumps(report_to_dict(report)))
    document["errors"] = ["the deadline passed"]
    document["expectations"] = ["expect.toml"]
    document["requirements"][1]["expectation"] = {"expected": ["fail"], "reason": "known", "observed": "failed"}
    assert report_to_dict(report_from_dict(document)) == document


def test_render_refuses_what_is_not_a_report_in_one_line(tmp_path):
    junk = tmp_path / "report.json"
    junk.write_text('{"schema_version": 1, "target": {}}')
    code, _, stderr = invoke("report", "render", str(junk), "--report-dir", str(tmp_path / "out"))
    assert code == 2 and stderr.count("\n") == 1 and str(junk) in stderr and "Traceback" not in stderr
    code, _, stderr = invoke("report", "render", str(tmp_path / "missing.json"))
    assert code == 2 and stderr.count("\n") == 1 and "missing.json" in stderr


def test_render_defaults_to_the_reports_own_directory(tmp_path):
    path = write_json_report(make_report({"card.create.returns-card": "passed"}), tmp_path)
    code, _, _ = invoke("report", "render", str(path))
    assert code == 0 and sorted(p.name for p in tmp_path.iterdir()) == sorted(REPORT_FILES)
