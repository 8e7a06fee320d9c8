"""A salon with a customer who had a facial (¥100 cash) in branch A, and the ten steps walked
through the services so a test can start from any point."""

from __future__ import annotations

import pytest
from tests.sales.shop import Shop, shop_make

from liuke.accounts.models import Branch, User
from liuke.sales import services as sales
from liuke.sales.models import Visit


@pytest.fixture
def shop(owner: User, branch_a: Branch, beautician_a: User) -> Shop:
    return shop_make(owner=owner, branch=branch_a, beautician=beautician_a)


@pytest.fixture
def visit(shop: Shop, owner: User) -> Visit:
    return sales.checkout(
        actor=owner,
        data=shop.checkout_data(payments=[{"method": "cash", "amount_fen": 10000}]),
    )
