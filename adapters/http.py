"""One pooled httpx client per ERP, with explicit timeouts and bounded retries.

tenacity retries transient errors only, with exponential backoff and jitter,
bounded both in attempts and in total time; permanent errors go straight up.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    stop_after_delay,
    wait_random_exponential,
)

from adapters.errors import PermanentErpError, TransientErpError

OnRetry = Callable[[str, int, BaseException], None]


class ErpHttp:
    def __init__(
        self,
        erp: str,
        base_url: str,
        *,
        timeout: float = 2.0,
        max_attempts: int = 4,
        budget_seconds: float = 10.0,
        headers: dict[str, str] | None = None,
        on_retry: OnRetry | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.erp = erp
        self.max_attempts = max_attempts
        self.budget_seconds = budget_seconds
        self.on_retry = on_retry
        self.client = httpx.AsyncClient(
            base_url=base_url,
            timeout=httpx.Timeout(timeout),
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
            headers=headers,
            transport=transport,
        )

    async def aclose(self) -> None:
        await self.client.aclose()

    def _before_sleep(self, state: RetryCallState) -> None:
        if self.on_retry is not None and state.outcome is not None:
            exc = state.outcome.exception()
            if exc is not None:
                self.on_retry(self.erp, state.attempt_number, exc)

    async def request_json(self, method: str, path: str, **kw: Any) -> Any:
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(TransientErpError),
            stop=stop_after_attempt(self.max_attempts) | stop_after_delay(self.budget_seconds),
            wait=wait_random_exponential(multiplier=0.1, max=2.0),
            before_sleep=self._before_sleep,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await self._once(method, path, **kw)
        raise AssertionError("unreachable: tenacity reraises")  # pragma: no cover

    async def _once(self, method: str, path: str, **kw: Any) -> Any:
        try:
            response = await self.client.request(method, path, **kw)
        except httpx.TimeoutException as exc:
            raise TransientErpError(f"{self.erp}: timeout on {path}") from exc
        except httpx.TransportError as exc:
            raise TransientErpError(f"{self.erp}: {type(exc).__name__} on {path}") from exc
        status = response.status_code
        if status == 429 or status >= 500:
            raise TransientErpError(f"{self.erp}: HTTP {status} on {path}")
        if status >= 400:
            raise PermanentErpError(f"{self.erp}: HTTP {status} on {path}")
        if status == 204 or not response.content:
            return None
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise PermanentErpError(f"{self.erp}: undecodable body on {path}") from exc
