"""The policy's one capability check for services and selectors (`require`) and its named
predicates, which replace role comparisons written out at each caller."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from tests.factories import customer_make

from liuke.accounts import policy
from liuke.accounts.choices import Role
from liuke.accounts.models import User
from liuke.accounts.policy import Cap
from liuke.complaints.capabilities import ComplaintCap
from liuke.core.errors import CapabilityDenied, PermissionDenied
from liuke.customers.capabilities import CustomerCap

pytestmark = pytest.mark.django_db


def test_require_passes_silently_with_the_capability(owner: User) -> None:
    policy.require(owner, CustomerCap.CUSTOMER_MERGE)


def test_require_refuses_with_the_policys_own_denial(beautician_a: User) -> None:
    with pytest.raises(CapabilityDenied) as refused:
        policy.require(beautician_a, CustomerCap.CUSTOMER_MERGE)
    # Still a PermissionDenied: the API answers it 403 "permission_denied" as before.
    assert isinstance(refused.value, PermissionDenied)
    assert (refused.value.status, refused.value.code) == (403, "permission_denied")
    with pytest.raises(CapabilityDenied):
        policy.require(AnonymousUser(), Cap.CUSTOMER_VIEW)


def test_roles_with_reads_the_table() -> None:
    assert policy.roles_with(Cap.SETTINGS_MANAGE) == {Role.OWNER}
    assert policy.roles_with(ComplaintCap.COMPLAINT_HANDLE) == set(Role) - {Role.AUDITOR}
    for cap in Cap:
        assert all(cap in policy.ROLE_CAPABILITIES[r] for r in policy.roles_with(cap))


def test_who_always_reads_a_key_accounts_file(
    owner: User, manager_a: User, front_a: User, beautician_a: User, auditor: User
) -> None:
    key = customer_make(actor=manager_a, name="沈若兰", is_key_account=True, owner_id=front_a.pk)
    assert policy.reads_every_key_account(owner)
    assert policy.reads_every_key_account(manager_a)
    assert not any(policy.reads_every_key_account(u) for u in (front_a, beautician_a, auditor))
    assert policy.always_reads_file(front_a, key)  # its responsible person
    assert not policy.always_reads_file(beautician_a, key)
    assert not policy.always_reads_file(auditor, key)


def test_owner_only_rules(owner: User, manager_a: User, front_a: User) -> None:
    assert policy.sees_business_tokens(owner)
    assert policy.may_lift_compensation_limit(owner)
    for user in (manager_a, front_a):
        assert not policy.sees_business_tokens(user)
        assert not policy.may_lift_compensation_limit(user)
