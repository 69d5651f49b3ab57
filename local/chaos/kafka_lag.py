"""Consumer lag of the S3 sink's consumer group, with two plain Kafka protocol requests (no JVM, no
client library), like services/kafka_probe.py does for readiness: ListOffsets v1 gives each
partition's end offset, OffsetFetch v1 the group's committed offset; lag = end - committed.

The single twin broker is the group coordinator of every group, so no FindCoordinator is needed.
"""

from __future__ import annotations

import json
import socket
import struct
import urllib.request
from dataclasses import dataclass

_LIST_OFFSETS = 2
_OFFSET_FETCH = 9
_CLIENT_ID = b"twin-chaos"
_LATEST = -1
# Partitions asked for; those the topic does not have answer an error and are left out.
_MAX_PARTITIONS = 32


def _string(text: str) -> bytes:
    data = text.encode()
    return struct.pack(">h", len(data)) + data


class _Reader:
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


def _request(port: int, api_key: int, body: bytes) -> _Reader:
    correlation_id = 11
    header = struct.pack(">hhih", api_key, 1, correlation_id, len(_CLIENT_ID)) + _CLIENT_ID
    payload = header + body
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(struct.pack(">i", len(payload)) + payload)
        size_bytes = sock.recv(4, socket.MSG_WAITALL)
        (size,) = struct.unpack(">i", size_bytes)
        data = b""
        while len(data) < size:
            chunk = sock.recv(size - len(data))
            if not chunk:
                raise ConnectionError("broker closed the connection mid-response")
            data += chunk
    reader = _Reader(data)
    (received,) = reader.take(">i")
    if received != correlation_id:
        raise ConnectionError(f"unexpected correlation id {received}")
    return reader


def end_offsets(port: int, topic: str) -> dict[int, int]:
    partitions = b"".join(struct.pack(">iq", p, _LATEST) for p in range(_MAX_PARTITIONS))
    body = struct.pack(">ii", -1, 1) + _string(topic) + struct.pack(">i", _MAX_PARTITIONS) + partitions
    reader = _request(port, _LIST_OFFSETS, body)
    offsets = {}
    (topics,) = reader.take(">i")
    for _ in range(topics):
        reader.string()
        (count,) = reader.take(">i")
        for _ in range(count):
            partition, error, _timestamp, offset = reader.take(">ihqq")
            if error == 0:
                offsets[partition] = offset
    return offsets


def committed_offsets(port: int, group: str, topic: str, partitions: list[int]) -> dict[int, int]:
    body = _string(group) + struct.pack(">i", 1) + _string(topic) + struct.pack(">i", len(partitions))
    body += b"".join(struct.pack(">i", p) for p in partitions)
    reader = _request(port, _OFFSET_FETCH, body)
    committed = {}
    (topics,) = reader.take(">i")
    for _ in range(topics):
        reader.string()
        (count,) = reader.take(">i")
        for _ in range(count):
            (partition, offset) = reader.take(">iq")
            reader.string()  # metadata
            (error,) = reader.take(">h")
            if error != 0:
                raise ConnectionError(f"OffsetFetch error {error} for {group} {topic}-{partition}")
            committed[partition] = max(offset, 0)  # -1: nothing committed yet
    return committed


@dataclass(frozen=True)
class SinkGroup:
    group: str
    topic: str


def sink_group(connect_url: str) -> SinkGroup:
    """Connect names a sink connector's consumer group `connect-<connector name>`."""
    with urllib.request.urlopen(f"{connect_url}/connectors?expand=info", timeout=10) as response:
        connectors = json.loads(response.read())
    sinks = [(name, c["info"]["config"]) for name, c in connectors.items() if c["info"]["type"] == "sink"]
    if len(sinks) != 1:
        raise ValueError(f"expected one sink connector on {connect_url}, found {len(sinks)}")
    name, config = sinks[0]
    return SinkGroup(f"connect-{name}", config["topics"].split(",")[0].strip())


def lag(port: int, sink: SinkGroup) -> tuple[int, int]:
    """(records on the topic, records the sink has not committed yet)."""
    ends = end_offsets(port, sink.topic)
    committed = committed_offsets(port, sink.group, sink.topic, sorted(ends))
    return sum(ends.values()), sum(ends[p] - committed.get(p, 0) for p in ends)
