"""One module per local service; `ALL` lists them in start order (dependencies first)."""

from __future__ import annotations

from twin.services.base import Service
from twin.services.connect import ConnectService
from twin.services.kafka import KafkaService
from twin.services.postgres import PostgresService
from twin.services.s3 import S3Service
from twin.services.sftp import SftpService

ALL: tuple[Service, ...] = (S3Service(), PostgresService(), SftpService(), KafkaService(), ConnectService())
BY_NAME: dict[str, Service] = {service.name: service for service in ALL}

__all__ = ["ALL", "BY_NAME", "Service"]
