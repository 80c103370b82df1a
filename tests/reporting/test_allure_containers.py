"""Allure fixture containers: one file per test for its own fixtures, none for a container that names no test."""

import json

from allure_commons import model2
from attr import asdict

from conformance.http.redaction import redact_text
from conformance.plugin.allure_redaction import RedactingAllureFileLogger
from conformance.reference import ReferenceServer

pytest_plugins = ["pytester"]


def _container(uuid, children, before, after, start):
    return model2.TestResultContainer(
        uuid=uuid,
        children=list(children),
        befores=[model2.TestBeforeResult(name=before, status="passed", start=start, stop=start + 1)],
        afters=[model2.TestAfterResult(name=after, status="passed", start=start + 10, stop=start + 11)],
        start=start,
        stop=start + 11,
    )


def _files(results_dir, kind):
    return [json.loads(p.read_text()) for p in sorted(results_dir.glob(f"*-{kind}.json"))]


def test_a_tests_own_containers_are_written_as_one_with_its_result(tmp_path):
    logger = RedactingAllureFileLogger(tmp_path)
    logger.report_container(_container("c2", ["t1"], "customer", "customer::fin", 200))  # torn down first
    logger.report_container(_container("c1", ["t1"], "stripe_client", "stripe_client::fin", 100))
    assert not _files(tmp_path, "container")  # held until the test's result
    logger.report_result(model2.TestResult(uuid="t1", name="test_one", status="passed"))
    [container] = _files(tmp_path, "container")
    assert container["children"] == ["t1"]
    assert [b["name"] for b in container["befores"]] == ["stripe_client", "customer"]  # in set-up order
    assert [a["name"] for a in container["afters"]] == ["stripe_client::fin", "customer::fin"]
    assert all(f["status"] == "passed" for f in container["befores"] + container["afters"])
    assert (container["start"], container["stop"]) == (100, 211)
    assert [r["uuid"] for r in _files(tmp_path, "result")] == ["t1"]


def test_shared_late_and_childless_containers(tmp_path):
    logger = RedactingAllureFileLogger(tmp_path)
    logger.report_container(_container("param", [], "operation", "operation::fin", 1))
    assert not list(tmp_path.iterdir())  # names no test: Allure would show it nowhere
    logger.report_container(_container("shared", ["t1", "t2"], "stripe_target", "stripe_target::fin", 1))
    assert [c["uuid"] for c in _files(tmp_path, "container")] == ["shared"]  # several tests: written at once
    logger.report_result(model2.TestResult(uuid="t1", name="test_one", status="passed"))
    logger.report_container(_container("late", ["t1"], "session_fixture", "session_fixture::fin", 5))
    assert sorted(c["uuid"] for c in _files(tmp_path, "container")) == ["late", "shared"]  # its test is written


def test_a_container_is_written_as_it_was_reported(tmp_path):
    """allure-pytest may still set a finalizer's status after reporting the container: the file keeps what it got."""
    logger = RedactingAllureFileLogger(tmp_path)
    container = _container("c1", ["t1"], "check", "check::fin", 1)
    container.afters[0].status = None
    logger.report_container(container)
    container.afters[0].status = "passed"
    logger.report_result(model2.TestResult(uuid="t1", name="test_one", status="passed"))
    [written] = _files(tmp_path, "container")
    assert "status" not in written["afters"][0]


def test_containers_of_a_test_without_result_are_not_lost(tmp_path):
    logger = RedactingAllureFileLogger(tmp_path)
    logger.report_container(_container("orphan", ["t0"], "customer", "customer::fin", 1))
    logger.report_result(model2.TestResult(uuid="t1", name="test_one", status="passed"))
    assert [c["children"] for c in _files(tmp_path, "container")] == [["t0"]]


def test_held_containers_are_redacted(tmp_path):
    logger = RedactingAllureFileLogger(tmp_path)
    secret = "sk_test_" + "containers" * 3
    logger.report_container(_container("c1", ["t1"], f"made with {secret}", "fin", 1))
    logger.report_container(_container("c2", ["t1"], "other", "fin", 2))
    logger.report_result(model2.TestResult(uuid="t1", name="test_one", status="passed"))
    written = "".join(p.read_text() for p in tmp_path.iterdir())
    assert secret not in written and "made with" in written


SCENARIOS = '''
import pytest


@pytest.fixture
def cleanup_that_breaks():
    yield
    raise RuntimeError("cleanup failed on purpose")


@pytest.mark.parametrize("limit", [1, 2])
@pytest.mark.requirement("card.list.envelope")
def test_passes(stripe_client, check, limit):
    check.status(stripe_client.get("/v1/customers", {"limit": limit}), 200)


@pytest.mark.requirement("auth.missing-key")
def test_errors_in_teardown(stripe_client, cleanup_that_breaks):
    assert stripe_client.get("/v1/customers", {"limit": 1}).status == 200
'''


def test_each_test_is_shown_its_fixtures_from_one_container_of_its_own(pytester, tmp_path):
    pytester.makepyfile(test_scenarios=SCENARIOS)
    with ReferenceServer() as server:
        result = pytester.runpytest_subprocess(
            "-p", "no:cacheprovider", "--disable-plugin-autoload", "-p", "conformance.plugin",
            "-p", "allure_pytest.plugin", "--stripe-target", server.url, "--stripe-api-key", "sk_test_containers1",
            "--stripe-report-dir", str(tmp_path),
        )
    result.assert_outcomes(passed=3, errors=1)
    results_dir = tmp_path / "allure-results"
    results = {r["uuid"]: r["name"] for r in _files(results_dir, "result")}
    containers = _files(results_dir, "container")
    assert all(c.get("children") for c in containers)
    own = {}
    for container in containers:
        if len(container["children"]) == 1:
            [child] = container["children"]
            assert child not in own, "one container per test for the fixtures only it used"
            own[child] = {b["name"] for b in container["befores"]}
    assert set(own) == set(results)
    by_name = {results[child]: befores for child, befores in own.items()}
    assert {"stripe_client", "check"} <= by_name["test_passes[1]"]
    assert "cleanup_that_breaks" not in by_name["test_passes[1]"]
    assert {"stripe_client", "cleanup_that_breaks"} <= by_name["test_errors_in_teardown"]


def test_items_are_written_as_allure_commons_writes_them_with_every_string_redacted(tmp_path):
    """One pass over the item gives what ``asdict`` with allure-commons' filter gives, strings redacted."""
    secret = "sk_test_" + "written" * 4
    step = model2.TestStepResult(
        name=f"step with {secret}", status="passed", start=0, stop=3,
        parameters=[model2.Parameter(name="key", value=secret, excluded=False)],
        attachments=[model2.Attachment(name="body", source="x-attachment.json", type="application/json")],
        steps=[model2.TestStepResult(name="inner", status="failed", statusDetails=model2.StatusDetails(
            message=f"Authorization: Bearer {secret}", trace="line 1\nline 2", known=False, flaky=None))],
    )
    result = model2.TestResult(
        uuid="t1", name="test_one", status="broken", steps=[step], historyId="h", fullName="m#test_one",
        labels=[model2.Label(name="tag", value="smoke"), model2.Label(name="evidence", value="")],
        links=[model2.Link(type="link", url="https://docs.stripe.com/api/cards", name="Cards")], start=1, stop=0,
    )
    logger = RedactingAllureFileLogger(tmp_path)
    logger.report_result(result)
    [written] = _files(tmp_path, "result")
    assert secret not in json.dumps(written)
    assert "known" in written["steps"][0]["steps"][0]["statusDetails"] and "stop" not in written  # False kept, 0 not
    assert written == _asdict_redacted(asdict(result, filter=lambda _, v: v or v is False))


def _asdict_redacted(value):
    """The earlier way: attrs' asdict, then every string redacted."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {key: _asdict_redacted(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_asdict_redacted(item) for item in value]
    return value


def test_an_attachment_named_with_card_like_digits_stays_found(tmp_path):
    """allure-commons names attachment files by uuid4; one starting with 13 digits looks like a card number."""
    name = "22871227-4621-4289-8437-f681f8b22d23-attachment.json"
    assert redact_text(name) != name  # the premise: redaction would change it
    logger = RedactingAllureFileLogger(tmp_path)
    logger.report_attached_data('{"number": "4242424242424242"}', name)
    attachment = model2.Attachment(name="4242424242424242 response", source=name, type="application/json")
    logger.report_result(model2.TestResult(uuid="t1", name="test_one", status="passed", attachments=[attachment]))
    [written] = _files(tmp_path, "result")
    [listed] = written["attachments"]
    assert listed["source"] == name and (tmp_path / name).is_file()
    assert "4242424242424242" not in listed["name"] and "4242424242424242" not in (tmp_path / name).read_text()
