"""The console tests use the gateway's app fixtures."""

from tests.gateway.conftest import api, clock, database_url, settings  # noqa: F401
