"""Consumer lag of the S3 sink's consumer group, with two plain Kafka protocol requests (no JVM, no
client library; services/kafka_wire.py sends them, as it does the readiness probe's): ListOffsets v1
gives each partition's end offset, OffsetFetch v1 the group's committed offset; lag = end - committed.

The single twin broker is the group coordinator of every group, so no FindCoordinator is needed.
"""

from __future__ import annotations

import json
import struct
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

from services import kafka_wire

_LIST_OFFSETS = 2
_OFFSET_FETCH = 9
_VERSION = 1
_CLIENT_ID = b"twin-chaos"
_TIMEOUT_SECONDS = 5
_LATEST = -1
# Partitions asked for; those the topic does not have answer an error and are left out.
_MAX_PARTITIONS = 32


def _partition_entries(response: kafka_wire.Reader) -> Iterator[kafka_wire.Reader]:
    """Steps through a response's topics and their partitions, handing the reader over at each
    partition entry, whose fields differ by request. One topic is asked for, so its name is skipped."""
    (topics,) = response.take(">i")
    for _ in range(topics):
        response.string()
        (count,) = response.take(">i")
        for _ in range(count):
            yield response


def end_offsets(port: int, topic: str) -> dict[int, int]:
    partitions = b"".join(struct.pack(">iq", p, _LATEST) for p in range(_MAX_PARTITIONS))
    body = (
        struct.pack(">ii", -1, 1) + kafka_wire.string(topic) + struct.pack(">i", _MAX_PARTITIONS) + partitions
    )
    response = kafka_wire.request(port, _LIST_OFFSETS, _VERSION, body, _CLIENT_ID, _TIMEOUT_SECONDS)
    offsets = {}
    for entry in _partition_entries(response):
        partition, error, _timestamp, offset = entry.take(">ihqq")
        if error == 0:
            offsets[partition] = offset
    return offsets


def committed_offsets(port: int, group: str, topic: str, partitions: list[int]) -> dict[int, int]:
    body = kafka_wire.string(group) + struct.pack(">i", 1) + kafka_wire.string(topic)
    body += struct.pack(">i", len(partitions)) + b"".join(struct.pack(">i", p) for p in partitions)
    response = kafka_wire.request(port, _OFFSET_FETCH, _VERSION, body, _CLIENT_ID, _TIMEOUT_SECONDS)
    committed = {}
    for entry in _partition_entries(response):
        (partition, offset) = entry.take(">iq")
        entry.string()  # metadata
        (error,) = entry.take(">h")
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
