"""One run model end to end: the target is validated once, and the key travels in no argv or environment."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PROBE = """
import atexit, json, os, sys
import pytest
import conformance.targets.config as config

builds, seen = [], []
original_build, original_main = config.TargetConfig.build, pytest.main

def build(cls, *args, **kwargs):
    builds.append(args[0])
    return original_build(*args, **kwargs)

def main(args, plugins=()):
    key = os.environ.get("STRIPE_API_KEY_PROBE", "")
    seen.append({"argv_has_key": any(key in a for a in args),
                 "env_has_key": any(key in v for k, v in os.environ.items() if k != "STRIPE_API_KEY_PROBE")})
    return original_main(args, plugins=plugins)

config.TargetConfig.build = classmethod(build)
pytest.main = main
atexit.register(lambda: print("PROBE=" + json.dumps({"builds": len(builds), "seen": seen})))
from conformance.cli import main as cli_main
cli_main(sys.argv[1:])
"""


def _probe(*args: str, key: str, tmp_path: Path) -> tuple[int, dict[str, object], str]:
    env = {"PATH": "/usr/bin:/bin", "STRIPE_API_KEY_PROBE": key}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, "run", "--api-key", key, "--report-dir", str(tmp_path), *args],
        capture_output=True, text=True, timeout=300, cwd=tmp_path, env=env,
    )
    line = next(line for line in result.stdout.splitlines() if line.startswith("PROBE="))
    return result.returncode, json.loads(line.removeprefix("PROBE=")), result.stdout + result.stderr


def test_a_run_builds_its_target_once_and_passes_the_key_by_no_argv_or_environment(tmp_path):
    key = "sk_test_runmodelprobe1234567890"
    selection = "test_missing_key_is_401 or test_malformed_key_is_401"
    code, probe, output = _probe("-k", selection, "--fuzz-examples", "0", "--workers", "2", key=key, tmp_path=tmp_path)
    assert code == 0, output[-3000:]
    assert probe == {"builds": 1, "seen": [{"argv_has_key": False, "env_has_key": False}]}
    report = json.loads((tmp_path / "report.json").read_text())
    assert any(r["status"] == "passed" for r in report["requirements"])
