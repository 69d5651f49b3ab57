"""Starting, stopping and inspecting the local services (what `twin.py` subcommands do)."""

from __future__ import annotations

import shlex
import shutil
import time
from pathlib import Path

from services import processes
from services.processes import ProcessRecord, TwinError
from services.servers import ALL, BY_NAME, Service
from services.servers.moto import moto_environment
from services.servers.sftp import SftpLayout, sftp_user
from services.settings import (
    BUCKETS,
    JARS_DIR,
    PG_DATABASE,
    PG_PASSWORD,
    PG_USER,
    PORTS,
    S3_ACCESS_KEY,
    S3_REGION,
    S3_SECRET_KEY,
    Paths,
)


def select(names: list[str], with_dependencies: bool) -> list[Service]:
    """Services named (all when none), plus what they depend on, in start order."""
    unknown = [name for name in names if name not in BY_NAME]
    if unknown:
        raise TwinError(f"unknown service(s) {', '.join(unknown)}: choose from {', '.join(BY_NAME)}")
    wanted = set(names or BY_NAME)
    if with_dependencies:
        pending = list(wanted)
        while pending:
            for dependency in BY_NAME[pending.pop()].depends_on:
                if dependency not in wanted:
                    wanted.add(dependency)
                    pending.append(dependency)
    return [service for service in ALL if service.name in wanted]


def effective_ports(paths: Paths) -> dict[str, int]:
    """Ports from the environment (or defaults), except where a running service recorded its own."""
    ports = {key: setting.value() for key, setting in PORTS.items()}
    for service in ALL:
        record = processes.running_record(paths.pid_file(service.name))
        if record is not None:
            ports.update({key: value for key, value in record.ports.items() if key in ports})
    return ports


def _check_ports_free(service: Service, ports: dict[str, int]) -> None:
    for key in service.port_keys:
        port = ports[key]
        if not processes.port_is_free(port):
            setting = PORTS[key]
            raise TwinError(
                f"port {port} on 127.0.0.1, needed by the {service.name} service, is already in use by "
                f"another process. Stop that process, or choose another port: {setting.env_var}=<free port> "
                f"(default {setting.default})."
            )


def _start_one(service: Service, paths: Paths, ports: dict[str, int]) -> None:
    pid_file = paths.pid_file(service.name)
    log_file = paths.log_file(service.name)
    record = processes.running_record(pid_file)
    if record is not None:
        print(f"{service.name:9} already running (pid {record.pid}) on {service.endpoint(ports)}")
        processes.wait_until(
            service.name,
            lambda: service.not_ready_reason(paths, ports),
            service.ready_timeout_seconds,
            log_file,
            record=record,
        )
        return
    _check_ports_free(service, ports)
    began = time.monotonic()
    service.prepare(paths, ports)
    process = processes.spawn(
        service.name,
        service.command(paths, ports),
        log_file,
        env=service.env(paths),
        cwd=paths.home,
        user=service.run_as_user(),
    )
    record = processes.record_for(service.name, process, {key: ports[key] for key in service.port_keys})
    record.write(pid_file)
    try:
        processes.wait_until(
            service.name,
            lambda: service.not_ready_reason(paths, ports),
            service.ready_timeout_seconds,
            log_file,
            process=process,
        )
        service.after_ready(paths, ports)
    except BaseException:
        processes.stop(record, service.stop_signal)
        pid_file.unlink(missing_ok=True)
        raise
    print(
        f"{service.name:9} ready on {service.endpoint(ports)} in {time.monotonic() - began:.1f}s "
        f"(pid {record.pid}, log {log_file})"
    )


def start(paths: Paths, names: list[str]) -> None:
    paths.create()
    ports = effective_ports(paths)
    for service in select(names, with_dependencies=True):
        _start_one(service, paths, ports)
    write_env_file(paths, effective_ports(paths))


def stop(paths: Paths, names: list[str]) -> None:
    """Stops, in reverse start order, exactly the processes recorded in the pid files."""
    dependants_too = names and [s.name for s in ALL if set(s.depends_on) & set(names)]
    for service in reversed(select([*names, *(dependants_too or [])], with_dependencies=False)):
        pid_file = paths.pid_file(service.name)
        record = ProcessRecord.read(pid_file)
        if record is None:
            continue
        began = time.monotonic()
        if processes.stop(record, service.stop_signal):
            print(f"{service.name:9} stopped (pid {record.pid}) in {time.monotonic() - began:.1f}s")
        else:
            print(f"{service.name:9} was not running (stale pid file removed)")
        pid_file.unlink(missing_ok=True)


def status(paths: Paths) -> bool:
    """Prints one line per service; True when every started service is ready."""
    ports = effective_ports(paths)
    all_ready = True
    print(f"{'service':9} {'state':22} {'endpoint':42} log")
    for service in ALL:
        record = ProcessRecord.read(paths.pid_file(service.name))
        if record is None:
            state = "stopped"
        elif not processes.is_running(record):
            state = "dead (stale pid file)"
            all_ready = False
        else:
            reason = service.not_ready_reason(paths, ports)
            state = f"running {record.pid}" + ("" if reason is None else " NOT READY")
            all_ready = all_ready and reason is None
        print(f"{service.name:9} {state:22} {service.endpoint(ports):42} {paths.log_file(service.name)}")
    return all_ready


def wait(paths: Paths, timeout_seconds: float) -> None:
    """Waits until every started service answers its readiness check."""
    ports = effective_ports(paths)
    for service in ALL:
        record = ProcessRecord.read(paths.pid_file(service.name))
        if record is None:
            continue
        timeout = service.ready_timeout_seconds
        if timeout_seconds:
            timeout = min(timeout, timeout_seconds)
        processes.wait_until(
            service.name,
            lambda s=service: s.not_ready_reason(paths, ports),
            timeout,
            paths.log_file(service.name),
            record=record,
        )
        print(f"{service.name:9} ready on {service.endpoint(ports)}")


def clean(paths: Paths) -> None:
    """Stops everything, then deletes the twin's state directory (never a directory it did not create)."""
    if not paths.home.exists():
        print(f"nothing to clean: {paths.home} does not exist")
        return
    if not paths.marker.exists():
        raise TwinError(
            f"{paths.home} has no {paths.marker.name} marker, so it is no twin home: not deleting it."
        )
    stop(paths, [])
    shutil.rmtree(paths.home)
    print(f"removed {paths.home}")


def environment(paths: Paths, ports: dict[str, int]) -> dict[str, str]:
    """How other programs reach the twin: AWS SDKs (S3), Spark s3a, Kafka, Connect, PostgreSQL, SFTP."""
    s3_url = f"http://127.0.0.1:{ports['s3']}"
    layout = SftpLayout(paths)
    s3a_jars = sorted(str(jar) for jar in (JARS_DIR / "s3a").glob("*.jar"))
    env = {
        "TWIN_HOME": str(paths.home),
        # S3 only: a global AWS_ENDPOINT_URL would also send every other AWS service's calls to s3proxy.
        "AWS_ENDPOINT_URL_S3": s3_url,
        "AWS_ACCESS_KEY_ID": S3_ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": S3_SECRET_KEY,
        "AWS_REGION": S3_REGION,
        "AWS_DEFAULT_REGION": S3_REGION,
        # SDKs then send CRC checksums only where S3 requires them: fewer headers for a stand-in to know.
        "AWS_REQUEST_CHECKSUM_CALCULATION": "when_required",
        "AWS_RESPONSE_CHECKSUM_VALIDATION": "when_required",
        "TWIN_S3_ENDPOINT": s3_url,
        "TWIN_S3A_JARS": ",".join(s3a_jars),
        "TWIN_KAFKA_BOOTSTRAP": f"127.0.0.1:{ports['kafka']}",
        "TWIN_CONNECT_URL": f"http://127.0.0.1:{ports['connect']}",
        "TWIN_PG_HOST": "127.0.0.1",
        "TWIN_PG_PORT": str(ports["postgres"]),
        "TWIN_PG_USER": PG_USER,
        "TWIN_PG_PASSWORD": PG_PASSWORD,
        "TWIN_PG_DATABASE": PG_DATABASE,
        "TWIN_PG_JDBC_URL": f"jdbc:postgresql://127.0.0.1:{ports['postgres']}/{PG_DATABASE}",
        "TWIN_SFTP_HOST": "127.0.0.1",
        "TWIN_SFTP_PORT": str(ports["sftp"]),
        "TWIN_SFTP_USER": sftp_user(),
        "TWIN_SFTP_KEY": str(layout.client_key),
        "TWIN_SFTP_KNOWN_HOSTS": str(layout.known_hosts),
        "TWIN_SFTP_DROP_DIR": str(layout.drop_dir),
    }
    env.update({f"TWIN_{zone.upper()}_BUCKET": bucket for zone, bucket in BUCKETS.items()})
    env.update(moto_environment(ports["moto"]))
    return env


def write_env_file(paths: Paths, ports: dict[str, int]) -> Path:
    lines = ["# Written by local/twin.py start: `source` it to point tools at the local twin."]
    lines += [f"export {key}={shlex.quote(value)}" for key, value in environment(paths, ports).items()]
    paths.env_file.write_text("\n".join(lines) + "\n")
    return paths.env_file
