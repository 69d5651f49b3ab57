"""One module per local service; `ALL` lists them in start order (dependencies first)."""

from __future__ import annotations

from services.servers.base import Service
from services.servers.connect import ConnectService
from services.servers.kafka import KafkaService
from services.servers.moto import MotoService
from services.servers.postgres import PostgresService
from services.servers.s3 import S3Service
from services.servers.sftp import SftpService

ALL: tuple[Service, ...] = (
    S3Service(),
    PostgresService(),
    SftpService(),
    KafkaService(),
    ConnectService(),
    MotoService(),
)
BY_NAME: dict[str, Service] = {service.name: service for service in ALL}

__all__ = ["ALL", "BY_NAME", "Service"]
