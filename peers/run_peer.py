"""Install, start and check the peers (other Stripe fakes) against their target profiles.

    python peers/run_peer.py                      # every peer: install pinned, run, compare
    python peers/run_peer.py localstripe          # one peer
    python peers/run_peer.py --refresh            # also rewrite expectations and docs/peers.md

A peer run starts the pinned peer on a free 127.0.0.1 port, waits until it answers, runs
``stripe-conformance run --target URL --profile NAME`` (the profile's expectations applied) and
stops it. It passes when the peer behaves exactly as its profile expects: a new deviation, or
one that went away, fails it. ``--refresh`` first runs the reference server (and changes nothing
if it does not conform), then rewrites each peer's ``[expectations]`` from what was observed
(keeping reasons and links already written; new entries get an ``observed ...`` reason that must
be confirmed with curl and rewritten by hand), replays the curl transcripts under
``docs/peers/`` (``peers/transcripts.py``) and regenerates ``docs/peers.md``; it exits 1 when a
transcript is stale or an expected deviation has none.

Peers are installed under ``.peers/`` (localstripe: its own virtualenv from
``peers/localstripe/requirements.txt``) and ``peers/stateful-mock/node_modules`` (``npm ci``
from the committed lockfile). Exit status: 0 every peer as expected, 1 a peer deviates from
its expectations, 2 a peer is broken (did not start, or its run could not be made), 3 a peer
could not be installed (registry unreachable, npm or node missing): nothing was checked.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conformance.targets import generated_test_key  # noqa: E402
from conformance.targets.peer_process import PeerError, PeerProcess  # noqa: E402
from conformance.targets.profile import TargetProfile, load_profile  # noqa: E402
from peers.expectations_file import refresh_profile_expectations  # noqa: E402
from peers.matrix import write_peers_doc  # noqa: E402

INSTALL_DIR = ROOT / ".peers"
REPORTS_DIR = INSTALL_DIR / "reports"
PROFILES_DIR = ROOT / "conformance" / "targets" / "profiles"
DOC = ROOT / "docs" / "peers.md"
EXIT_OK, EXIT_DEVIATES, EXIT_BROKEN, EXIT_UNAVAILABLE = 0, 1, 2, 3
PEER_SEED = "peers"
# The fuzz budget the peers' expectations were established at: a smaller budget draws fewer calls
# and may miss a deviation only the fuzzing shows, which then reads as "expected fail, passed".
PEER_FUZZ_EXAMPLES = "3"


@dataclass(frozen=True)
class Peer:
    """Where one peer's install manifest and loopback launcher live."""

    profile: str
    folder: str

    @property
    def source(self) -> Path:
        """The committed folder: install manifest and launcher."""
        return ROOT / "peers" / self.folder


PEERS = (Peer("localstripe", "localstripe"), Peer("stripe-stateful-mock", "stateful-mock"))


class PeerSetupError(RuntimeError):
    """A peer could not be installed or does not match its pinned version."""


def install(peer: Peer, profile: TargetProfile) -> list[str]:
    """Install ``peer`` at its pinned version if needed; return the command that serves it."""
    assert profile.peer is not None
    if profile.peer.registry == "pypi":
        return _install_pypi(peer, profile.peer.package, profile.peer.version)
    return _install_npm(peer, profile.peer.package, profile.peer.version)


def _install_pypi(peer: Peer, package: str, version: str) -> list[str]:
    pins = (peer.source / "requirements.txt").read_text(encoding="utf-8")
    if f"{package}=={version}" not in pins.splitlines():
        raise PeerSetupError(f"peers/{peer.folder}/requirements.txt does not pin {package}=={version}")
    venv = INSTALL_DIR / peer.folder
    python = venv / "bin" / "python"
    if _installed_python_version(python, package) != version:
        shutil.rmtree(venv, ignore_errors=True)
        _call([sys.executable, "-m", "venv", str(venv)], f"creating the {peer.profile} virtualenv")
        _call(
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r",
             str(peer.source / "requirements.txt")],
            f"installing {package}=={version}",
        )
        installed = _installed_python_version(python, package)
        if installed != version:
            raise PeerSetupError(f"{package} {installed} installed where the profile pins {version}")
    return [str(python), str(peer.source / "serve.py"), "{port}"]


def _installed_python_version(python: Path, package: str) -> str | None:
    if not python.exists():
        return None
    probe = subprocess.run(
        [str(python), "-c", f"import importlib.metadata as m; print(m.version({package!r}))"],
        capture_output=True, text=True, check=False,
    )
    return probe.stdout.strip() if probe.returncode == 0 else None


def _install_npm(peer: Peer, package: str, version: str) -> list[str]:
    manifest = json.loads((peer.source / "package.json").read_text(encoding="utf-8"))
    if manifest.get("dependencies", {}).get(package) != version:
        raise PeerSetupError(f"peers/{peer.folder}/package.json does not pin {package} {version}")
    if _installed_npm_version(peer, package) != version:
        npm = shutil.which("npm")
        if npm is None:
            raise PeerSetupError("npm is not installed")
        _call([npm, "ci", "--no-audit", "--no-fund", "--omit=dev", "--prefix", str(peer.source)],
              f"installing {package}@{version} (npm ci)")
        installed = _installed_npm_version(peer, package)
        if installed != version:
            raise PeerSetupError(f"{package} {installed} installed where the profile pins {version}")
    node = shutil.which("node")
    if node is None:
        raise PeerSetupError("node is not installed")
    return [node, str(peer.source / "serve.js"), "{port}"]


def _installed_npm_version(peer: Peer, package: str) -> str | None:
    installed = peer.source / "node_modules" / package / "package.json"
    if not installed.exists():
        return None
    version = json.loads(installed.read_text(encoding="utf-8")).get("version")
    return version if isinstance(version, str) else None


def _call(argv: list[str], what: str) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = " | ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
        raise PeerSetupError(f"{what} failed (exit {done.returncode}): {tail}")


def run_suite(profile: str, target: str | None, report_dir: Path) -> int:
    """Run the conformance CLI against ``target`` with ``profile``; return its exit code.

    The run's console output goes to ``<report_dir>.out``; only its verdict block is printed (the
    whole output when the run does not pass), so the last test-runner line of a CI log stays the
    project's own test command's.
    """
    argv = [sys.executable, "-m", "conformance", "run", "--profile", profile, "--report-dir", str(report_dir)]
    # One fixed seed: the fuzzing sends the same calls on every run, so each peer's fuzz findings
    # are as repeatable as its hand-written ones (its expectations name both).
    argv += ["--seed", PEER_SEED, "--fuzz-examples", PEER_FUZZ_EXAMPLES]
    if target:
        argv += ["--target", target]
    env = os.environ | {"STRIPE_API_KEY": generated_test_key()}
    print(f"$ stripe-conformance run --profile {profile} --target {target or '(built-in)'}", flush=True)
    done = subprocess.run(argv, env=env, check=False, cwd=ROOT, capture_output=True, text=True)
    output = report_dir.with_suffix(".out")
    output.parent.mkdir(parents=True, exist_ok=True)
    text = done.stdout + done.stderr
    output.write_text(text, encoding="utf-8")
    if done.returncode == EXIT_OK:
        lines = text.splitlines()
        start = next((i for i, line in enumerate(lines) if "== stripe-conformance ==" in line), len(lines))
        end = next((i for i in range(start, len(lines)) if lines[i].startswith("verdict:")), len(lines) - 1)
        print("\n".join("  " + line for line in lines[start + 1 : end + 1]))
    else:
        print(text)
    print(f"  (full output: {output.relative_to(ROOT)})", flush=True)
    return done.returncode


def check_peer(peer: Peer) -> int:
    """Install, start, run and stop one peer; return the run's exit code (2 if it never ran)."""
    profile = load_profile(peer.profile)
    try:
        command = install(peer, profile)
    except PeerSetupError as exc:
        print(f"run_peer: {peer.profile}: cannot install: {exc}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    try:
        REPORTS_DIR.mkdir(parents=True, exist_ok=True)
        log = REPORTS_DIR / f"{peer.profile}.log"
        log.unlink(missing_ok=True)
        with PeerProcess(command, cwd=ROOT, log_path=log) as process:
            code = run_suite(peer.profile, process.url, REPORTS_DIR / peer.profile)
    except PeerError as exc:
        print(f"run_peer: {peer.profile}: {exc}", file=sys.stderr)
        return EXIT_BROKEN
    return code if code in (EXIT_OK, EXIT_DEVIATES) else EXIT_BROKEN


def main(argv: list[str] | None = None) -> int:
    """Check the named peers (default: all); with ``--refresh`` rewrite expectations and docs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("peers", nargs="*", metavar="PEER",
                        help="profile names of the peers to check (default: all)")
    parser.add_argument("--refresh", action="store_true",
                        help="rewrite the peers' expectations and docs/peers.md from this run")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.peers) - {p.profile for p in PEERS})
    if unknown:
        parser.error(f"unknown peer(s) {', '.join(unknown)}")
    chosen = [p for p in PEERS if not args.peers or p.profile in args.peers]
    if args.refresh and run_suite("reference", None, REPORTS_DIR / "reference") != EXIT_OK:
        # The reference must pass every requirement: if it does not, the suite or the tree is
        # broken, and expectations adopted from such a run would record that breakage as deviations.
        print("run_peer: the reference run does not conform: nothing refreshed", file=sys.stderr)
        return EXIT_BROKEN
    codes = {peer.profile: check_peer(peer) for peer in chosen}
    if args.refresh:
        from peers.transcripts import write_transcripts  # here: transcripts imports this module

        unconfirmed = []
        for peer in chosen:
            report = REPORTS_DIR / peer.profile / "report.json"
            if codes[peer.profile] in (EXIT_OK, EXIT_DEVIATES) and report.exists():
                refresh_profile_expectations(PROFILES_DIR / f"{peer.profile}.toml", report)
                unconfirmed += [f"{peer.profile}/{item}" for item in write_transcripts(peer.profile)]
        write_peers_doc(DOC, {p.profile: REPORTS_DIR / p.profile / "report.json" for p in PEERS},
                        REPORTS_DIR / "reference" / "report.json")
        print(f"run_peer: rewrote expectations, docs/peers/ transcripts and {DOC.relative_to(ROOT)}; review git diff")
        for item in unconfirmed:
            print(f"run_peer: {item}: transcript stale or missing: confirm with curl, fix the recipe in "
                  "peers/transcripts.py and the reason in the profile", file=sys.stderr)
        if not all(code in (EXIT_OK, EXIT_DEVIATES) for code in codes.values()):
            return EXIT_BROKEN
        return EXIT_DEVIATES if unconfirmed else EXIT_OK
    for name, code in codes.items():
        verdict = {
            EXIT_OK: "as expected",
            EXIT_DEVIATES: "DEVIATES from its expectations",
            EXIT_UNAVAILABLE: "not checked (could not install)",
        }.get(code, "BROKEN")
        print(f"run_peer: {name}: {verdict} (exit {code})")
    failing = [code for code in codes.values() if code in (EXIT_DEVIATES, EXIT_BROKEN)]
    return max(failing) if failing else max(codes.values(), default=EXIT_OK)


if __name__ == "__main__":
    sys.exit(main())
