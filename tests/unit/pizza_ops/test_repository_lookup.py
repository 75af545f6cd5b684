"""Finding the checkout the `pizza` command works on: from the working directory upwards, or `--repo`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pizza_ops.repository import Repository, RepositoryNotFound

CHECKOUT = Repository.find(Path(__file__)).root


def _fake_checkout(root: Path) -> Path:
    (root / "infra").mkdir(parents=True)
    (root / "infra" / "system.yaml").write_text("name_prefix: fake\n", encoding="utf-8")
    (root / "services").mkdir()
    return root


def _pizza(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pizza_ops", *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )


def test_the_checkout_is_found_from_a_directory_deep_inside_it(tmp_path: Path) -> None:
    # Given a checkout with a nested directory
    root = _fake_checkout(tmp_path / "checkout")
    nested = root / "infra" / "terraform" / "modules"
    nested.mkdir(parents=True)

    # When the repository is looked for from there
    found = Repository.find(nested)

    # Then the checkout's root is found, and its parts are named from it
    assert found.root == root.resolve()
    assert found.declaration == root.resolve() / "infra" / "system.yaml"
    assert found.state_dir == root.resolve() / ".pizza"


def test_a_directory_with_only_one_of_the_two_markers_is_not_a_checkout(tmp_path: Path) -> None:
    # Given a directory with services/ but no infra/system.yaml (inside no checkout)
    (tmp_path / "services").mkdir()

    # When the repository is looked for from it / Then none is found, and the error says how to name one
    with pytest.raises(RepositoryNotFound, match=r"at or above .*; run from inside one or pass --repo PATH"):
        Repository.find(tmp_path)


def test_an_explicit_repo_must_be_the_checkout_itself(tmp_path: Path) -> None:
    # Given a checkout and a directory inside it
    root = _fake_checkout(tmp_path / "checkout")

    # When each is named as the repository / Then the root is taken and the subdirectory refused
    assert Repository.at(root).root == root.resolve()
    with pytest.raises(RepositoryNotFound, match="is not a pizza repository"):
        Repository.at(root / "infra")


def test_pizza_outside_any_checkout_says_so_in_one_line(tmp_path: Path) -> None:
    # Given a working directory outside any checkout
    # When a command that needs the checkout runs there
    result = _pizza("check-terraform", cwd=tmp_path)

    # Then it fails as a usage error with one line naming both ways to find the checkout
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("pizza: no pizza repository")
    assert "--repo PATH" in result.stderr
    assert result.stderr.count("\n") == 1


def test_pizza_outside_the_checkout_works_with_repo(tmp_path: Path) -> None:
    # Given a working directory outside any checkout
    # When the checkout is named with --repo
    result = _pizza("--repo", str(CHECKOUT), "check-terraform", cwd=tmp_path)

    # Then the command runs against it
    assert result.returncode == 0, result.stderr
    assert "infra/terraform matches infra/system.yaml" in result.stdout


def test_pizza_with_repo_naming_no_checkout_says_so_in_one_line(tmp_path: Path) -> None:
    # Given --repo naming a directory that is no checkout
    # When a command runs with it
    result = _pizza("--repo", str(tmp_path), "build-zips", cwd=CHECKOUT)

    # Then it is refused in one line, even though the working directory is a checkout
    assert result.returncode == 2
    assert result.stderr == f"pizza: {tmp_path} is not a pizza repository (no infra/system.yaml and services/ in it)\n"


def test_pizza_from_a_subdirectory_uses_the_checkout_around_it(tmp_path: Path) -> None:
    # Given a working directory inside the checkout (infra/)
    # When the Lambda zips are built from there
    result = _pizza("build-zips", "--out", str(tmp_path), cwd=CHECKOUT / "infra")

    # Then the checkout's services are packaged
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "kitchen_service.zip").is_file()
