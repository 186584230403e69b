"""CRM sales tests: moto's TransactWriteItems made O(transaction) (see moto_transactions.py)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session", autouse=True)
def _fast_moto_transactions() -> None:
    from tests.integration.crm_sales.moto_transactions import install

    install()
