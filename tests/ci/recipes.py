"""Run the CI recipes of docs/ci/ on this machine: their shell steps for real, the CI plumbing emulated.

What a CI service does around the steps is emulated in the smallest faithful way: each job (and
each matrix or parallel instance) gets a fresh workspace; artifacts are directories copied out of
one job and into another as the service would; steps after a failure run only with ``if:
always()`` (GitHub) or as ``after_script`` (GitLab). The install step is the one step not executed
(this interpreter already has the suite): it is checked to install the suite. An action or keyword
the emulation does not know fails the run, so the recipe cannot grow a step nobody has run.
"""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

BASH = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c"]
INSTALL = re.compile(r'^python -m pip install "\$CONFORMANCE_PACKAGE"$')
STEP_TIMEOUT = 300


@dataclass
class StepResult:
    """What one step did: its name, exit code (None: not executed) and why it was not, its output."""

    job: str
    name: str
    code: int | None
    note: str = ""
    output: str = ""


@dataclass
class Pipeline:
    """The state shared by the jobs of one emulated pipeline run."""

    root: Path
    env: dict[str, str]
    skip_step: Callable[[str, str], str | None] = lambda name, script: None
    results: list[StepResult] = field(default_factory=list)

    @property
    def artifacts(self) -> Path:
        """Where uploaded artifacts live between jobs."""
        return self.root / "artifacts"

    def workspace(self, job: str) -> Path:
        """A fresh working directory for one job instance."""
        path = self.root / "jobs" / re.sub(r"[^\w.-]+", "_", job)
        path.mkdir(parents=True)
        return path

    def shell(self, job: str, name: str, script: str, cwd: Path, env: Mapping[str, str]) -> int:
        """Run ``script`` as the CI's bash would, unless ``skip_step`` says why not; return its exit code."""
        reason = install_step_reason(script, env) or self.skip_step(name, script)
        if reason is not None:
            self.results.append(StepResult(job, name, None, reason))
            return 0
        proc = subprocess.run([*BASH, script], cwd=cwd, env=dict(env), capture_output=True, text=True,
                              timeout=STEP_TIMEOUT, stdin=subprocess.DEVNULL)
        self.results.append(StepResult(job, name, proc.returncode, output=proc.stdout + proc.stderr))
        return proc.returncode

    def stop_leftovers(self) -> None:
        """Kill a target a failed job left running (its step wrote ``target.pid``)."""
        for pid_file in (self.root / "jobs").glob("*/target.pid"):
            try:
                os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)
            except (ValueError, ProcessLookupError, PermissionError):
                continue

    def failed(self) -> list[StepResult]:
        """Steps that ran and did not exit 0."""
        return [r for r in self.results if r.code not in (None, 0)]


def base_env(overrides: Mapping[str, str]) -> dict[str, str]:
    """The environment of every step: this machine's, the suite's interpreter first on PATH, then ``overrides``."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.pop("STRIPE_API_KEY", None)
    return env | dict(overrides)


def install_step_reason(script: str, env: Mapping[str, str]) -> str | None:
    """Why an install step is not executed, or None when ``script`` is not the install step."""
    if not INSTALL.match(script.strip()):
        return None
    package = env.get("CONFORMANCE_PACKAGE", "")
    assert re.match(r"^stripe-conformance\b", package), f"the install step installs {package!r}"
    return f"installs {package}: this interpreter has the suite already"


# --- GitHub Actions ---------------------------------------------------------------------------

_EXPRESSION = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


def _github_expressions(text: str, context: Mapping[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in context:
            raise AssertionError(f"the recipe uses ${{{{ {name} }}}}, which the emulation does not provide")
        return context[name]

    return _EXPRESSION.sub(value, text)


def run_github(workflow: Path, pipeline: Pipeline, overrides: Mapping[str, str]) -> None:
    """Run every job of a GitHub Actions workflow (``needs`` order, matrix expanded) in ``pipeline``."""
    document = yaml.safe_load(workflow.read_text())
    assert document["defaults"]["run"]["shell"] == "bash"
    context = {"github.run_id": "local"}
    env = {k: _github_expressions(str(v), context) for k, v in document.get("env", {}).items()} | dict(overrides)
    done: set[str] = set()
    jobs: dict[str, Any] = document["jobs"]
    while len(done) < len(jobs):
        ready = [name for name, job in jobs.items() if name not in done and set(_list(job.get("needs"))) <= done]
        assert ready, "the jobs' needs form a cycle"
        for name in ready:
            job = jobs[name]
            matrix = job.get("strategy", {}).get("matrix", {})
            assert set(matrix) <= {"shard"}, f"matrix keys the emulation does not expand: {set(matrix)}"
            for shard in matrix.get("shard", [None]):
                instance = {**context, **({"matrix.shard": str(shard)} if shard is not None else {})}
                _github_job(f"{name}{'' if shard is None else f'-{shard}'}", job, pipeline, env, instance)
            done.add(name)


def _github_job(label: str, job: Mapping[str, Any], pipeline: Pipeline, env: Mapping[str, str],
                context: Mapping[str, str]) -> None:
    workspace = pipeline.workspace(label)
    job_env = base_env(env | {k: _github_expressions(str(v), context) for k, v in job.get("env", {}).items()})
    job_env["GITHUB_STEP_SUMMARY"] = str(pipeline.root / "step-summary.md")
    failed = False
    for step in job["steps"]:
        condition = step.get("if")
        assert condition in (None, "always()"), f"a step condition the emulation does not evaluate: {condition}"
        name = _github_expressions(step.get("name") or step.get("uses", "run"), context)
        if failed and condition != "always()":
            pipeline.results.append(StepResult(label, name, None, "skipped: an earlier step failed"))
            continue
        if "uses" in step:
            _github_action(step, label, name, workspace, pipeline, context)
            continue
        step_env = job_env | {k: _github_expressions(str(v), context) for k, v in step.get("env", {}).items()}
        script = _github_expressions(step["run"], context)
        code = pipeline.shell(label, name, script, workspace, step_env)
        if code != 0 and not step.get("continue-on-error"):
            failed = True


def _github_action(step: Mapping[str, Any], job: str, name: str, workspace: Path, pipeline: Pipeline,
                   context: Mapping[str, str]) -> None:
    action = step["uses"].split("@")[0]
    options = {k: _github_expressions(str(v), context) for k, v in step.get("with", {}).items()}
    if action in ("actions/checkout", "actions/setup-python"):
        note = "the workspace is the checkout" if action == "actions/checkout" else "runs on this interpreter"
    elif action == "actions/upload-artifact":
        paths = [workspace / line.strip() for line in options["path"].splitlines() if line.strip()]
        existing = [p for p in paths if p.exists()]
        target = pipeline.artifacts / options["name"]
        if existing:  # the artifact's root is the deepest directory holding every path, as the action does
            root = Path(os.path.commonpath([p if p.is_dir() else p.parent for p in existing]))
            if len(existing) == 1 and existing[0].is_dir():
                root = existing[0]
            for path in existing:
                _copy(path, target / path.relative_to(root) if path != root else target)
        note = f"uploaded {len(existing)} of {len(paths)} path(s) as {options['name']}"
    elif action == "actions/download-artifact":
        names = sorted(p.name for p in pipeline.artifacts.iterdir()) if pipeline.artifacts.is_dir() else []
        chosen = fnmatch.filter(names, options.get("pattern", "*"))
        for artifact in chosen:  # several artifacts: one directory each, named after it
            _copy(pipeline.artifacts / artifact, workspace / options.get("path", ".") / artifact)
        note = f"downloaded {', '.join(chosen) or 'nothing'}"
    else:
        raise AssertionError(f"the recipe uses {action}, which the emulation does not know")
    pipeline.results.append(StepResult(job, name, None, note))


# --- GitLab CI --------------------------------------------------------------------------------

_RESERVED = {"stages", "variables", "default", "include", "workflow", "image", "services", "before_script",
             "after_script", "cache"}


def run_gitlab(document_path: Path, pipeline: Pipeline, overrides: Mapping[str, str], ci: Mapping[str, str]) -> None:
    """Run every job of a ``.gitlab-ci.yml`` stage by stage (``parallel: N`` as N jobs) in ``pipeline``."""
    document = yaml.safe_load(document_path.read_text())
    variables = {k: _expand(str(v), ci) for k, v in document.get("variables", {}).items()} | dict(overrides)
    jobs = {name: _extended(document, job) for name, job in document.items()
            if name not in _RESERVED and not name.startswith(".")}
    for stage in document["stages"]:
        for name, job in jobs.items():
            if job.get("stage") != stage:
                continue
            count = int(job.get("parallel", 1))
            for index in range(1, count + 1):
                node = {"CI_NODE_INDEX": str(index), "CI_NODE_TOTAL": str(count)} if count > 1 else {}
                _gitlab_job(f"{name}-{index}" if count > 1 else name, name, job, pipeline,
                            base_env(dict(ci) | variables | node), jobs)


def _gitlab_job(label: str, name: str, job: Mapping[str, Any], pipeline: Pipeline, env: Mapping[str, str],
                jobs: Mapping[str, Any]) -> None:
    unknown = set(job) - {"extends", "image", "stage", "parallel", "before_script", "script", "after_script",
                          "artifacts", "needs", "when", "variables"}
    assert not unknown, f"job keywords the emulation does not know: {unknown}"
    workspace = pipeline.workspace(label)
    for need in job.get("needs", []):
        if need.get("artifacts", True):
            for source in sorted(pipeline.artifacts.iterdir()) if pipeline.artifacts.is_dir() else []:
                if re.fullmatch(rf"{re.escape(need['job'])}(-\d+)?", source.name):  # the job, or its parallel copies
                    _copy(source, workspace)
    before = [line for line in job.get("before_script", []) if install_step_reason(line, env) is None]
    for line in job.get("before_script", []):
        if line not in before:
            pipeline.results.append(StepResult(label, "before_script: install", None, install_step_reason(line, env)))
    pipeline.shell(label, "script", "\n".join([*before, *job["script"]]), workspace, env)
    if job.get("after_script"):
        pipeline.shell(label, "after_script", "\n".join(job["after_script"]), workspace, env)
    artifacts = job.get("artifacts", {})
    for pattern in artifacts.get("paths", []):
        for path in workspace.glob(pattern.rstrip("/")):
            _copy(path, pipeline.artifacts / label / path.relative_to(workspace))


def _extended(document: Mapping[str, Any], job: Mapping[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for parent in _list(job.get("extends")):
        merged |= _extended(document, document[parent])
    return merged | {k: v for k, v in job.items() if k != "extends"}


def _expand(value: str, variables: Mapping[str, str]) -> str:
    return re.sub(r"\$(\w+)|\$\{(\w+)\}", lambda m: variables.get(m.group(1) or m.group(2), m.group(0)), value)


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _copy(source: Path, target: Path) -> None:
    if source.is_dir():
        shutil.copytree(source, target, dirs_exist_ok=True)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
