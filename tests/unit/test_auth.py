"""GATEWAY_API_KEYS parsing: principal:role:key entries, refused with a reason."""

from __future__ import annotations

import pytest

from gateway.auth import KeyRing, parse_api_keys

KEY_A = "key-a-0123456789abcdef"
KEY_B = "key-b-0123456789abcdef"


def test_a_key_listed_twice_is_refused_naming_both_principals_not_the_key() -> None:
    raw = f"erp1:erp:{KEY_A},rep1:sales:{KEY_B},admin1:admin:{KEY_A}"
    with pytest.raises(
        ValueError, match=r"entries 1 \(erp1\) and 3 \(admin1\) share one key"
    ) as err:
        parse_api_keys(raw)
    assert KEY_A not in str(err.value)


def test_a_key_listed_twice_for_the_same_principal_is_refused_too() -> None:
    # Even with the same role: a copy-paste slip today, a silent role change tomorrow.
    with pytest.raises(ValueError, match=r"entries 1 \(rep1\) and 2 \(rep1\) share one key"):
        parse_api_keys(f"rep1:sales:{KEY_A}, rep1:sales:{KEY_A}")


def test_distinct_keys_are_all_kept() -> None:
    ring = KeyRing(parse_api_keys(f"erp1:erp:{KEY_A},rep1:sales:{KEY_B}"))
    erp, rep = ring.authenticate(KEY_A), ring.authenticate(KEY_B)
    assert erp is not None and (erp.name, erp.role) == ("erp1", "erp")
    assert rep is not None and (rep.name, rep.role) == ("rep1", "sales")


@pytest.mark.parametrize("role", ["credit_controller", "cfo"])
def test_the_finance_roles_added_are_accepted(role: str) -> None:
    principal = KeyRing(parse_api_keys(f"x1:{role}:{KEY_A}")).authenticate(KEY_A)
    assert principal is not None and principal.role == role


def test_an_unknown_role_is_refused_listing_the_roles() -> None:
    with pytest.raises(ValueError, match="unknown role 'pilot'") as err:
        parse_api_keys(f"x1:pilot:{KEY_A}")
    assert str(err.value).endswith(
        "roles: erp, sales, sales_manager, finance_manager, general_manager, admin, "
        "credit_controller, cfo"
    )


def test_an_erp_key_may_be_scoped_to_one_erp() -> None:
    ring = KeyRing(parse_api_keys(f"sap1:erp/sap:{KEY_A},any1:erp:{KEY_B}"))
    scoped, unscoped = ring.authenticate(KEY_A), ring.authenticate(KEY_B)
    assert scoped is not None and (scoped.name, scoped.role, scoped.erp_scope) == (
        "sap1",
        "erp",
        "sap",
    )
    assert scoped.may_act_for("sap") and not scoped.may_act_for("baan")
    assert unscoped is not None and unscoped.erp_scope is None
    assert unscoped.may_act_for("sap") and unscoped.may_act_for("baan")


@pytest.mark.parametrize("role", ["sales", "admin", "finance_manager", "cfo"])
def test_only_erp_keys_may_be_scoped(role: str) -> None:
    with pytest.raises(ValueError, match=f"entry 1 \\(rep1\\): only erp keys .* {role}/sap"):
        parse_api_keys(f"rep1:{role}/sap:{KEY_A}")


@pytest.mark.parametrize("scope", ["", "SAP", "1sap", "s ap", "sap/x", "sap!", "s" * 33])
def test_a_scope_that_is_no_erp_name_is_refused(scope: str) -> None:
    with pytest.raises(ValueError, match=r"entry 1 \(sap1\) is scoped to .* not an ERP name"):
        parse_api_keys(f"sap1:erp/{scope}:{KEY_A}")


def test_an_unknown_role_with_a_scope_is_an_unknown_role() -> None:
    with pytest.raises(ValueError, match="unknown role 'pilot'"):
        parse_api_keys(f"x1:pilot/sap:{KEY_A}")
