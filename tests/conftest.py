"""Shared paths and fixtures for the test suite.

Only fixtures live here; the sole marker used (``shared``) is declared in pyproject.toml,
which runs pytest with ``--strict-markers``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
FIXTURE_MAPPINGS = TESTS / "fixtures" / "mappings"
PROJECT_MAPPINGS = ROOT / "mappings"
EXAMPLES = ROOT / "examples"
CASES = TESTS / "cases"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def root() -> Path:
    """The checkout (the folder holding pyproject.toml)."""
    return ROOT


@pytest.fixture(scope="session")
def fixture_mappings() -> Path:
    """The small, valid mapping set of tests/fixtures/mappings/."""
    return FIXTURE_MAPPINGS


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    return EXAMPLES


@pytest.fixture(scope="session")
def project_mappings() -> Path:
    """The project's own mappings/ folder, once its gazetteer has been written."""
    if not (PROJECT_MAPPINGS / "gazetteer.yaml").is_file():
        pytest.skip("mappings/gazetteer.yaml does not exist yet: the default mapping set is incomplete")
    return PROJECT_MAPPINGS


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared, the workplace corpus checked out beside this repository."""
    if not SHARED.is_dir():
        pytest.skip("needs ../shared (the workplace corpus) beside the checkout")
    return SHARED
