"""Shared fixtures: a throwaway PostgreSQL cluster for the whole session."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.support.postgres import PostgresCluster


@pytest.fixture(scope="session")
def pg_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresCluster]:
    cluster = PostgresCluster.start(tmp_path_factory.mktemp("pg"))
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def postgres_url(pg_cluster: PostgresCluster) -> str:
    """A fresh, empty database per test."""
    return pg_cluster.create_database(f"t_{uuid.uuid4().hex[:12]}")
