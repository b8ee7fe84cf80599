"""The console tests use the gateway's app fixtures."""

from tests.gateway.conftest import (  # noqa: F401
    api,
    clock,
    config_text,
    database_url,
    settings,
)
