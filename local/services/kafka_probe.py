"""Protocol-level readiness probe for the Kafka broker, without starting a JVM.

Sends one Metadata request (v1, all topics) and reads the broker list of the answer. A KRaft broker
only lists itself once it has caught up with the metadata log and is unfenced, so "at least one
broker" means it is ready for clients, not just that the port accepts connections.
"""

from __future__ import annotations

import socket
import struct

_METADATA_API_KEY = 3
_METADATA_VERSION = 1
_CLIENT_ID = b"twin-probe"


def _read_exactly(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("broker closed the connection mid-response")
        data += chunk
    return data


def broker_count(port: int, timeout: float = 3.0) -> int:
    """Number of brokers the broker on 127.0.0.1:`port` reports as available."""
    correlation_id = 7
    body = struct.pack(">hhih", _METADATA_API_KEY, _METADATA_VERSION, correlation_id, len(_CLIENT_ID))
    body += _CLIENT_ID + struct.pack(">i", -1)  # topics = null: all topics
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(struct.pack(">i", len(body)) + body)
        (size,) = struct.unpack(">i", _read_exactly(sock, 4))
        response = _read_exactly(sock, size)
    received_id, count = struct.unpack(">ii", response[:8])
    if received_id != correlation_id:
        raise ConnectionError(f"unexpected correlation id {received_id} in the Metadata response")
    return count


def not_ready_reason(port: int) -> str | None:
    """None when the broker answers Metadata with at least one broker, else why not."""
    try:
        count = broker_count(port)
    except (OSError, struct.error) as error:
        return f"Metadata request failed: {error}"
    return None if count > 0 else "broker answers but lists no available broker yet"
