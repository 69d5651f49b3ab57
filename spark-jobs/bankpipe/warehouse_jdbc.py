"""JDBC access to the warehouse from a Spark driver: same code on Glue (Redshift) and locally (PostgreSQL).

Rows go into staging through Spark's JDBC writer; the few SQL statements around it (DELETE, MERGE,
REFRESH, information_schema look-ups) go through a plain JDBC connection opened in the driver JVM
with the same driver jar. One connection mechanism for both engines means the MERGE transaction the
tests run against PostgreSQL is the code path Glue runs against Redshift.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from pyspark.sql import DataFrame, SparkSession

# JDBC URL prefix -> driver class inside the jar fetched by spark-jobs/jdbc/pom.xml.
DRIVER_CLASSES = {
    "jdbc:postgresql:": "org.postgresql.Driver",
    "jdbc:redshift:": "com.amazon.redshift.jdbc42.Driver",
}


@dataclass(frozen=True)
class JdbcTarget:
    url: str
    user: str
    password: str = field(repr=False)

    def __post_init__(self) -> None:
        driver_class_for(self.url)  # fail early on an unsupported URL
        if not self.user:
            raise ValueError("JDBC user is empty; pass the warehouse user name")
        if not self.password:
            raise ValueError(
                "JDBC password is empty; pass it through the secret or the password env variable"
            )

    @property
    def driver_class(self) -> str:
        return driver_class_for(self.url)

    def spark_options(self, table: str) -> dict[str, str]:
        return {
            "url": self.url,
            "dbtable": table,
            "user": self.user,
            "password": self.password,
            "driver": self.driver_class,
        }


def driver_class_for(url: str) -> str:
    for prefix, driver in DRIVER_CLASSES.items():
        if url.startswith(prefix):
            return driver
    raise ValueError(
        f"JDBC URL {url.split('?')[0]!r} is not supported; use jdbc:redshift://host:5439/db on AWS "
        "or jdbc:postgresql://host:port/db locally"
    )


def write_append(frame: DataFrame, target: JdbcTarget, table: str, batch_size: int, partitions: int) -> None:
    """Append `frame` to `table` (which must exist) through Spark's JDBC writer.

    Append, not overwrite: with overwrite Spark drops and recreates a table whenever it cannot prove
    TRUNCATE is safe for the dialect (it cannot for Redshift), which would lose the staging DDL.
    """
    (
        frame.write.format("jdbc")
        .options(**target.spark_options(table))
        .option("batchsize", str(batch_size))
        .option("numPartitions", str(partitions))
        .option("isolationLevel", "READ_COMMITTED")
        .mode("append")
        .save()
    )


class JdbcSqlExecutor:
    """SqlExecutor over a JDBC connection opened in the Spark driver's JVM (py4j)."""

    def __init__(self, spark: SparkSession, target: JdbcTarget) -> None:
        self._spark = spark
        self._target = target

    @contextmanager
    def _connection(self, autocommit: bool) -> Iterator[Any]:
        jvm = self._spark.sparkContext._jvm
        if jvm is None:
            raise RuntimeError("the SparkSession has no JVM gateway; is it stopped?")
        # DriverManager cannot see jars added through spark.jars (they live in Spark's class loader,
        # not the system one), so load the driver class from the context class loader and connect directly.
        loader = jvm.java.lang.Thread.currentThread().getContextClassLoader()
        try:
            driver = jvm.java.lang.Class.forName(self._target.driver_class, True, loader).newInstance()
        except Exception as error:
            raise RuntimeError(
                f"JDBC driver {self._target.driver_class} not on the Spark classpath; add its jar with "
                "spark.jars (locally: run `mvn -q -f spark-jobs/jdbc/pom.xml dependency:copy-dependencies "
                "-DoutputDirectory=.local/jars`; on Glue: --extra-jars)"
            ) from error
        properties = jvm.java.util.Properties()
        properties.setProperty("user", self._target.user)
        properties.setProperty("password", self._target.password)
        connection = driver.connect(self._target.url, properties)
        if connection is None:
            raise RuntimeError(f"driver {self._target.driver_class} refused URL {self._target.url}")
        try:
            connection.setAutoCommit(autocommit)
            yield connection
        finally:
            connection.close()

    def execute(self, statement: str) -> None:
        with self._connection(autocommit=True) as connection:
            stmt = connection.createStatement()
            try:
                stmt.execute(statement)
            finally:
                stmt.close()

    def query(self, statement: str) -> list[tuple[Any, ...]]:
        with self._connection(autocommit=True) as connection:
            stmt = connection.createStatement()
            try:
                result = stmt.executeQuery(statement)
                width = result.getMetaData().getColumnCount()
                rows: list[tuple[Any, ...]] = []
                while result.next():
                    rows.append(tuple(result.getObject(index) for index in range(1, width + 1)))
                return rows
            finally:
                stmt.close()

    def execute_in_transaction(self, statements: Sequence[str]) -> None:
        with self._connection(autocommit=False) as connection:
            stmt = connection.createStatement()
            try:
                for statement in statements:
                    stmt.execute(statement)
                connection.commit()
            except Exception:
                connection.rollback()
                raise
            finally:
                stmt.close()
