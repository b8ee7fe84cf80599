# The gateway: `gateway serve` on port 8080, as a non-root user.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    GATEWAY_CONFIG=/app/config/gateway.toml GATEWAY_LOG_FORMAT=json

WORKDIR /app
COPY pyproject.toml README.md ./
COPY policies ./policies
COPY gateway ./gateway
COPY adapters ./adapters
RUN pip install --no-cache-dir . && rm -rf policies gateway adapters
COPY config ./config

RUN useradd --system --uid 10001 --home-dir /app gateway && mkdir -p /app/var \
    && chown gateway /app/var
USER gateway

EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=2).status != 200)"]
ENTRYPOINT ["gateway"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080"]
