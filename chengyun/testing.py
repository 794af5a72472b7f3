"""Helpers shared by tests that use the machine's real services (Redis, Mosquitto, PostgreSQL)."""

import socket


def service_listening(port: int, host: str = "127.0.0.1") -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
        return True
    except OSError:
        return False
