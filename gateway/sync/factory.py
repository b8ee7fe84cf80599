"""Builds one ErpSource per enabled `[adapters.*]` section of the config."""

from __future__ import annotations

from gateway.config import LoadedConfig
from gateway.sync.sources import ErpSource


def sources_from_config(config: LoadedConfig) -> dict[str, ErpSource]:
    sources: dict[str, ErpSource] = {}
    for _name, section in config.raw.adapters.items():
        if not section.enabled:
            continue
        raise NotImplementedError(f"adapter kind {section.kind} lands with the adapters branch")
    return sources
