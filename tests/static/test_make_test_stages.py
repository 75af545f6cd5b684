"""`make test`'s stages that need Terraform or Docker: run, skipped with one line, or failed under CI.

tools/make/stage.sh is run for real, with a PATH that holds only what each case allows.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from pizza_ops.repository import Repository

STAGE = Repository.find().root / "tools" / "make" / "stage.sh"


def _bare_path(tmp_path: Path, *commands: str) -> str:
    """A PATH with bash's basics and the named commands only (each a script that succeeds)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for tool in ("bash", "mkdir", "dirname", "paste", "sed", "rm", "id", "cat", "touch"):
        found = shutil.which(tool)
        assert found, tool
        (bin_dir / tool).symlink_to(found)
    for command in commands:
        (bin_dir / command).write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
        (bin_dir / command).chmod(0o755)
    return str(bin_dir)


def _stage(tmp_path: Path, *arguments: str, ci: bool, path: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PATH": path, "CI": "true" if ci else ""}
    return subprocess.run(
        ["bash", str(STAGE), *arguments], cwd=tmp_path, env=environment, capture_output=True, text=True, check=False
    )


def test_a_stage_whose_needs_are_met_runs_its_command(tmp_path: Path) -> None:
    # Given terraform on PATH
    path = _bare_path(tmp_path, "terraform")
    # When the terraform stage runs under CI
    done = _stage(tmp_path, "terraform", "terraform", "--", "touch", "ran", ci=True, path=path)
    # Then its command ran
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "ran").exists()


def test_on_a_laptop_a_stage_that_cannot_run_is_skipped_and_named_in_one_summary_line(tmp_path: Path) -> None:
    # Given a laptop with neither terraform nor docker
    path = _bare_path(tmp_path)
    # When two stages are tried
    first = _stage(tmp_path, "terraform", "terraform", "--", "false", ci=False, path=path)
    second = _stage(tmp_path, "images", "docker", "--", "false", ci=False, path=path)
    summary = _stage(tmp_path, "--summary", ci=False, path=path)
    # Then both pass without running their commands, and the summary is one line naming each and why
    assert first.returncode == second.returncode == 0
    assert summary.stdout.splitlines() == [
        "make test: skipped terraform (terraform is not on PATH); images (docker is not installed)"
    ]


def test_under_ci_a_stage_that_cannot_run_fails_the_build(tmp_path: Path) -> None:
    # Given CI=true on a machine without terraform
    path = _bare_path(tmp_path)
    # When the terraform stage is tried
    done = _stage(tmp_path, "terraform", "terraform", "--", "true", ci=True, path=path)
    # Then it fails, saying why in one line, and nothing is recorded as skipped
    assert done.returncode == 1
    assert done.stderr.strip() == "make test: stage 'terraform' cannot run under CI: terraform is not on PATH"
    assert _stage(tmp_path, "--summary", ci=True, path=path).stdout.strip() == "make test: every stage ran"


def test_a_docker_cli_without_an_engine_is_named_as_such(tmp_path: Path) -> None:
    # Given a docker command whose `docker info` fails (no engine answering)
    path = _bare_path(tmp_path)
    (Path(path) / "docker").write_text("#!/bin/sh\nexit 1\n", encoding="utf-8")
    (Path(path) / "docker").chmod(0o755)
    # When a Docker stage is tried on a laptop
    done = _stage(tmp_path, "images", "docker", "--", "true", ci=False, path=path)
    # Then the reason says the engine is missing, not the CLI
    assert done.stdout.strip() == "make test: skipping stage 'images': no Docker engine answers (is dockerd running?)"
