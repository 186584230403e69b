import pytest

from skailan.platform.auth import Caller, expand, grants, is_valid_permission
from skailan.platform.errors import Forbidden
from skailan.tenancy.defaults import BUILTIN_ROLES


def test_a_level_implies_the_levels_below_it():
    assert grants({"contacts:manage"}, "contacts:view")
    assert grants({"contacts:manage"}, "contacts:edit")
    assert grants({"contacts:edit"}, "contacts:view")
    assert not grants({"contacts:view"}, "contacts:edit")
    assert not grants({"contacts:manage"}, "campaigns:view")


@pytest.mark.parametrize("permission", ["contacts", "contacts:delete", "nothing:view", ":view", ""])
def test_unknown_permissions_are_refused(permission):
    assert not is_valid_permission(permission)


def test_expand_lists_every_implied_permission_in_module_order():
    assert expand(frozenset({"leads:edit", "admin:view"})) == ["admin:view", "leads:view", "leads:edit"]


def test_caller_require_names_the_missing_permission():
    caller = Caller(tenant_id="demo", principal_id="u1", kind="user", permissions=frozenset({"contacts:view"}))
    caller.require("contacts:view")
    with pytest.raises(Forbidden) as err:
        caller.require("admin:manage")
    assert err.value.details == {"required": "admin:manage"}
    assert err.value.status == 403


def test_builtin_roles_hold_only_valid_permissions_and_admin_holds_everything():
    for spec in BUILTIN_ROLES.values():
        assert all(is_valid_permission(p) for p in spec["permissions"])
    admin = BUILTIN_ROLES["admin"]["permissions"]
    assert all(grants(admin, p) for p in expand(frozenset(p for s in BUILTIN_ROLES.values() for p in s["permissions"])))
    assert not grants(BUILTIN_ROLES["agent"]["permissions"], "admin:view")
    assert grants(BUILTIN_ROLES["agent"]["permissions"], "conversations:edit")
