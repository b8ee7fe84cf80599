"""The test principals: one API key per role, plus edge cases."""

from __future__ import annotations

KEYS = {
    "erp": "erp-key-0123456789abcdef",
    "admin": "admin-key-0123456789abcdef",
    "sales": "sales-key-0123456789abcdef",
    "sales2": "sales2-key-0123456789abcdef",
    "sales_manager": "sm-key-0123456789abcdef",
    "finance_manager": "fm-key-0123456789abcdef",
    "general_manager": "gm-key-0123456789abcdef",
    "sm2": "sm2-key-0123456789abcdef",
    "sales_as_manager": "samgr-key-0123456789abcdef",
    "credit_controller": "cc-key-0123456789abcdef",
    "cfo": "cfo-key-0123456789abcdef",
    "erp_baan": "erp-baan-key-0123456789abcdef",
}
# name -> (principal, role) where they differ from (name, name)
IDENTITY = {
    "sales2": ("sales2", "sales"),
    "sm2": ("sm2", "sales_manager"),
    # The same person as "sales", with a manager's key: must never approve their own.
    "sales_as_manager": ("sales", "sales_manager"),
    # An ERP key scoped to one ERP: it acts for baan's orders only.
    "erp_baan": ("erp_baan", "erp/baan"),
}
API_KEYS = ",".join(
    "{}:{}:{}".format(*IDENTITY.get(name, (name, name)), key) for name, key in KEYS.items()
)
SECRET = "test-secret-0123456789abcdef-0123456789"
