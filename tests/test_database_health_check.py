"""A reused Postgres connection is checked before each request without a round trip:
one the server has closed is replaced, a healthy one is kept."""

from __future__ import annotations

import time

from django.db import connection, connections


def _separate_connection():
    wrapper = connections.create_connection("default")
    assert type(wrapper).__module__ == "peersupport.postgres.base"
    wrapper.ensure_connection()
    return wrapper


def test_a_healthy_idle_connection_is_kept(postgres) -> None:
    wrapper = _separate_connection()
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT 1")
        assert wrapper.is_usable()
    finally:
        wrapper.close()


def test_a_connection_the_server_closed_is_replaced_before_the_next_query(postgres) -> None:
    wrapper = _separate_connection()
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            (pid,) = cursor.fetchone()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            assert cursor.fetchone() == (True,)

        deadline = time.monotonic() + 5
        while wrapper.is_usable() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not wrapper.is_usable()

        # What Django does before a request's first query, when health checks are on.
        wrapper.health_check_enabled, wrapper.health_check_done = True, False
        wrapper.close_if_health_check_failed()
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            (new_pid,) = cursor.fetchone()
        assert new_pid != pid
    finally:
        wrapper.close()
