"""How the portal's connections to PostgreSQL are set up."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_postgresql_does_not_compile_the_portals_short_queries():
    """JIT compiling took 8 ms of a 9 ms count at province scale (docs/performance.md)."""
    if connection.vendor != "postgresql":
        pytest.skip("!!! NOT RUN: a PostgreSQL setting (CI runs this on PostgreSQL)")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
