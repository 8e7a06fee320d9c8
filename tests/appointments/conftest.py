from __future__ import annotations

import pytest
from tests.appointments.helpers import Salon, salon_make

from liuke.accounts.models import Branch, User


@pytest.fixture
def salon(owner: User, branch_a: Branch, branch_b: Branch, beautician_a: User) -> Salon:
    return salon_make(owner=owner, branch=branch_a, other_branch=branch_b, beautician=beautician_a)
