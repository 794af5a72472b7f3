"""Helpers shared by tests that use the machine's real services (Redis, Mosquitto, PostgreSQL)."""

import socket


def service_listening(port: int, host: str = "127.0.0.1") -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
        return True
    except OSError:
        return False


def tiny_png(color: tuple[int, int, int] = (200, 40, 40), size: tuple[int, int] = (8, 8)) -> bytes:
    """A real, decodable PNG: uploads are re-encoded, so tests cannot send a bare signature any more."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()
