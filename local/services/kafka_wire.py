"""One request to the twin's Kafka broker in the plain Kafka protocol, without a JVM or a client
library: the readiness probe (kafka_probe.py) and the chaos driver's lag reader (chaos/kafka_lag.py)
each build their request body and read their answer with it.

A request is a size-prefixed header (api key, api version, correlation id, client id) plus the body;
the answer is a size-prefixed correlation id plus the response body.
"""

from __future__ import annotations

import socket
import struct


class Reader:
    """Reads big-endian fields from a response body, front to back."""

    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def take(self, fmt: str) -> tuple[int, ...]:
        values = struct.unpack_from(fmt, self.data, self.at)
        self.at += struct.calcsize(fmt)
        return values

    def string(self) -> str | None:
        (size,) = self.take(">h")
        if size < 0:
            return None
        text = self.data[self.at : self.at + size].decode()
        self.at += size
        return text


def string(text: str) -> bytes:
    """A protocol string: its length as int16, then its UTF-8 bytes."""
    data = text.encode()
    return struct.pack(">h", len(data)) + data


def _read_exactly(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("broker closed the connection mid-response")
        data += chunk
    return data


def request(
    port: int, api_key: int, api_version: int, body: bytes, client_id: bytes, timeout: float
) -> Reader:
    """Sends one request to the broker on 127.0.0.1:`port`; returns the response body after the
    correlation id, which is checked against the request's."""
    correlation_id = 7
    header = struct.pack(">hhih", api_key, api_version, correlation_id, len(client_id)) + client_id
    payload = header + body
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(struct.pack(">i", len(payload)) + payload)
        (size,) = struct.unpack(">i", _read_exactly(sock, 4))
        reader = Reader(_read_exactly(sock, size))
    (received,) = reader.take(">i")
    if received != correlation_id:
        raise ConnectionError(f"unexpected correlation id {received} in the response to api key {api_key}")
    return reader
