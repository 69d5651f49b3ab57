"""moto's server as the twin runs it: moto's own `moto.server.main`, with one change to its DynamoDB
stand-in so that its cost follows DynamoDB's.

moto's TransactWriteItems backs up every table it names before each of its items (`copy.deepcopy` of
the whole table, for the rollback of a cancelled transaction), so one transaction costs its items times
the table's size: with tens of thousands of cards in the card-state table, a transaction of a batch's
cards takes seconds on the twin, where DynamoDB's cost grows with the items written only. Here the
backup of a table during a transaction is made once per transaction, copies the table and its item
index shallowly and deep-copies the items the transaction names, the only ones it can change (a Put
replaces an item, an Update changes it in place): a rollback restores exactly what the full copy
restored.

Run with the venv's Python: `python moto_launcher.py -H 127.0.0.1 -p PORT` (moto_server's arguments).
"""

from __future__ import annotations

import contextvars
import copy
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

# Run as a script, this folder comes first on the path, and its moto.py (the twin's service) would
# shadow the moto package.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != Path(__file__).resolve().parent]

import moto.dynamodb.models as dynamodb_models  # noqa: E402
from moto.dynamodb.models.dynamo_type import DynamoType  # noqa: E402
from moto.dynamodb.models.table import Table  # noqa: E402
from moto.server import main  # noqa: E402

# While a TransactWriteItems runs: the keys it names by table (request JSON), and its backups by table.
_RUNNING: contextvars.ContextVar[tuple[dict[str, list[dict[str, Any]]], dict[str, Table]] | None] = (
    contextvars.ContextVar("transaction", default=None)
)


def _keys_by_table(transact_items: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    named: dict[str, list[dict[str, Any]]] = {}
    for item in transact_items:
        _, operation = next(iter(item.items()))
        key = operation.get("Key") or operation.get("Item") or {}
        named.setdefault(operation.get("TableName", ""), []).append(key)
    return named


def _backup(table: Table, keys: list[dict[str, Any]]) -> Table:
    backup = copy.copy(table)
    backup.items = defaultdict(dict)
    for hash_value, entry in table.items.items():
        backup.items[hash_value] = dict(entry) if table.range_key_attr is not None else entry
    for key in keys:
        if table.hash_key_attr not in key:
            continue
        hash_value = DynamoType(key[table.hash_key_attr])
        if hash_value not in table.items:
            continue
        if table.range_key_attr is None:
            backup.items[hash_value] = copy.deepcopy(table.items[hash_value])
        elif table.range_key_attr in key:
            range_value = DynamoType(key[table.range_key_attr])
            if range_value in table.items[hash_value]:
                backup.items[hash_value][range_value] = copy.deepcopy(table.items[hash_value][range_value])
    return backup


class _TransactionBackups:
    """Stands in for the `copy` module inside moto's DynamoDB models: a table copied while a
    transaction runs gets the cheap backup above, everything else moto's own deep copy."""

    copy = staticmethod(copy.copy)

    @staticmethod
    def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
        running = _RUNNING.get()
        if running is None or not isinstance(value, Table):
            return copy.deepcopy(value, memo)
        named, backups = running
        # moto asks again before each item; the table has not changed yet, so one backup serves.
        if value.name not in backups:
            backups[value.name] = _backup(value, named.get(value.name, []))
        return backups[value.name]


_original_transact_write_items = dynamodb_models.DynamoDBBackend.transact_write_items


def _transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
    token = _RUNNING.set((_keys_by_table(transact_items), {}))
    try:
        _original_transact_write_items(self, transact_items)
    finally:
        _RUNNING.reset(token)


dynamodb_models.copy = _TransactionBackups  # type: ignore[assignment]
dynamodb_models.DynamoDBBackend.transact_write_items = _transact_write_items  # type: ignore[method-assign]

if __name__ == "__main__":
    sys.exit(main())
