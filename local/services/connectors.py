"""Deploys the ingest connectors onto the local Connect worker, as MSK Connect runs them on AWS.

The configs are not written here: services.render has connectors/render-local.ts render them from
connectors/connector-config.ts (the single source the CDK app uses too). This module creates the
topic first (topics must exist before connectors
start; the broker does not auto-create them), PUTs each config to the REST API, removes connectors of
older configs, and waits until every connector and task is RUNNING.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from services import processes
from services.manager import effective_ports
from services.processes import TwinError
from services.render import render
from services.servers.jvm import java_command
from services.settings import Paths

DEFAULT_PARTITIONS = 3


def _partitions(requested: int | None) -> int:
    if requested is not None:
        value = requested
    else:
        raw = os.environ.get("TWIN_TOPIC_PARTITIONS", "").strip() or str(DEFAULT_PARTITIONS)
        if not raw.isdigit():
            raise TwinError(
                f"TWIN_TOPIC_PARTITIONS={raw!r} is not a number: give a partition count such as 3."
            )
        value = int(raw)
    if not 1 <= value <= 100:
        raise TwinError(f"partitions={value}: choose 1 to 100 for the local single broker.")
    return value


def _rest(method: str, url: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    request.add_header("Accept", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            payload = response.read()
            return int(response.status), json.loads(payload) if payload else None
    except urllib.error.HTTPError as error:
        payload = error.read()
        try:
            return int(error.code), json.loads(payload)
        except ValueError:
            return int(error.code), payload.decode(errors="replace")


def create_topic(paths: Paths, bootstrap: str, topic: str, partitions: int) -> None:
    log4j = paths.conf / "tools-log4j.properties"
    log4j.write_text(
        "log4j.rootLogger=WARN, stderr\n"
        "log4j.appender.stderr=org.apache.log4j.ConsoleAppender\n"
        "log4j.appender.stderr.Target=System.err\n"
        "log4j.appender.stderr.layout=org.apache.log4j.PatternLayout\n"
        "log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n\n"
    )
    command = java_command(
        "256m",
        "kafka",
        "org.apache.kafka.tools.TopicCommand",
        "--bootstrap-server",
        bootstrap,
        "--create",
        "--if-not-exists",
        "--topic",
        topic,
        "--partitions",
        str(partitions),
        "--replication-factor",
        "1",
        options=(f"-Dlog4j.configuration=file:{log4j}",),
    )
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    if result.returncode != 0:
        raise TwinError(f"creating topic {topic} failed:\n{result.stdout}{result.stderr}")
    print(f"topic     {topic}: {partitions} partition(s), replication 1 (created if missing)")


def _connector_state(connect_url: str, name: str) -> tuple[bool, str]:
    """(all RUNNING, description); raises on a FAILED connector or task."""
    status, body = _rest("GET", f"{connect_url}/connectors/{urllib.parse.quote(name)}/status")
    if status != 200:
        return False, f"status HTTP {status}"
    connector_state = body["connector"]["state"]
    tasks = body.get("tasks", [])
    failed = [task for task in tasks if task["state"] == "FAILED"]
    if connector_state == "FAILED" or failed:
        trace = body["connector"].get("trace") or (failed[0].get("trace") if failed else "")
        raise TwinError(f"connector {name} FAILED:\n{trace}")
    states = ",".join(task["state"] for task in tasks) or "no tasks yet"
    running = (
        connector_state == "RUNNING" and bool(tasks) and all(task["state"] == "RUNNING" for task in tasks)
    )
    return running, f"connector {connector_state}, tasks {states}"


def deploy(paths: Paths, partitions: int | None, timeout_seconds: float) -> None:
    ports = effective_ports(paths)
    for service in ("kafka", "connect", "sftp", "s3"):
        if processes.running_record(paths.pid_file(service)) is None:
            raise TwinError(
                f"the {service} service is not running: start the twin first (local/twin.py start)."
            )
    connect_url = f"http://127.0.0.1:{ports['connect']}"
    rendered = render(paths, ports)
    configs = {connector.name: connector.config for connector in rendered.connectors}
    for topic in rendered.topics():
        create_topic(paths, f"127.0.0.1:{ports['kafka']}", topic, _partitions(partitions))

    _, existing = _rest("GET", f"{connect_url}/connectors")
    for stale in sorted(set(existing or []) - set(configs)):
        _rest("DELETE", f"{connect_url}/connectors/{urllib.parse.quote(stale)}")
        print(f"connector {stale}: removed (not in the rendered configs any more)")
    for name, config in configs.items():
        status, body = _rest("PUT", f"{connect_url}/connectors/{urllib.parse.quote(name)}/config", config)
        if status not in (200, 201):
            raise TwinError(f"deploying connector {name} failed: HTTP {status} {body}")

    deadline = time.monotonic() + timeout_seconds
    pending = dict.fromkeys(configs, "not checked yet")
    while pending and time.monotonic() < deadline:
        for name in list(pending):
            running, description = _connector_state(connect_url, name)
            if running:
                print(f"connector {name}: RUNNING ({description})")
                del pending[name]
            else:
                pending[name] = description
        if pending:
            time.sleep(processes.POLL_INTERVAL_SECONDS * 2)
    if pending:
        details = "; ".join(f"{name}: {state}" for name, state in pending.items())
        raise TwinError(
            f"connectors not RUNNING after {timeout_seconds:.0f}s: {details}. See {paths.log_file('connect')}"
        )
