"""docker-compose's gateway config is config/gateway.toml with both ERP syncs on, pointed
at the mock services. Regenerate it after changing config/gateway.toml:

    python -m tests.ops.compose_config
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "config" / "gateway.toml"
COMPOSE = ROOT / "config" / "compose" / "gateway.toml"
HEADER = """\
# docker-compose's gateway configuration: config/gateway.toml with both ERP syncs on,
# pointed at the mock services. Generated: change config/gateway.toml, then run
#   python -m tests.ops.compose_config
"""


def compose_config() -> str:
    text = re.sub(r"^enabled = false$", "enabled = true", SHIPPED.read_text(), flags=re.M)
    text = text.replace('base_url = "http://127.0.0.1:8101"', 'base_url = "http://sap-mock:8101"')
    text = text.replace('base_url = "http://127.0.0.1:8102"', 'base_url = "http://baan-mock:8102"')
    return HEADER + text


if __name__ == "__main__":
    COMPOSE.write_text(compose_config())
    print(f"wrote {COMPOSE.relative_to(ROOT)}")
