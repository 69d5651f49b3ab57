"""Protocol-level readiness probe for the Kafka broker, without starting a JVM.

Sends one Metadata request (v1, all topics) and reads the broker list of the answer. A KRaft broker
only lists itself once it has caught up with the metadata log and is unfenced, so "at least one
broker" means it is ready for clients, not just that the port accepts connections.
"""

from __future__ import annotations

import struct

from services import kafka_wire

_METADATA_API_KEY = 3
_METADATA_VERSION = 1
_CLIENT_ID = b"twin-probe"


def broker_count(port: int, timeout: float = 3.0) -> int:
    """Number of brokers the broker on 127.0.0.1:`port` reports as available."""
    body = struct.pack(">i", -1)  # topics = null: all topics
    response = kafka_wire.request(port, _METADATA_API_KEY, _METADATA_VERSION, body, _CLIENT_ID, timeout)
    (count,) = response.take(">i")  # the brokers array comes first
    return count


def not_ready_reason(port: int) -> str | None:
    """None when the broker answers Metadata with at least one broker, else why not."""
    try:
        count = broker_count(port)
    except (OSError, struct.error) as error:
        return f"Metadata request failed: {error}"
    return None if count > 0 else "broker answers but lists no available broker yet"
