"""Read transaction logs as text lines and parse them without losing the JSON type of any value.

Why text first: a malformed line must reach the quarantine verbatim, which a JSON reader cannot do.

Why the marker: Spark's ``from_json`` with a string field turns *any* JSON value into text, so the
number ``123`` and the string ``"123"`` would both arrive as ``123`` and a mistyped field could not
be detected. Before parsing, every JSON string token gets the escape ``\\u0001`` inserted right after
its opening quote (one regex over the line; keys are marked too). After parsing, a value that starts
with U+0001 was a JSON string; anything else is the JSON text of a number, boolean, object or array.
Inserting an escape inside strings never changes whether a line is valid JSON, so validity is kept.

Parsing is strict RFC 8259 JSON (``STRICT_JSON``): Spark's defaults would accept single quotes and
NaN. Trailing text after the object is rejected too.

Blank (whitespace-only) lines are dropped before anything is counted: they carry no transaction and
are neither "read" nor quarantined (see ``manifest``), which keeps the reconciliation exact.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F  # noqa: N812 (Spark convention)
from pyspark.sql import types as T  # noqa: N812 (Spark convention)

from bankpipe.contract import Contract

RAW_LINE = "raw_line"
SOURCE_FILE = "source_file"
JSON_ERROR = "json_error"
JSON_KEYS = "json_keys"
JSON_VALUES = "json_values"

STRING_MARKER = "\u0001"
# A JSON string token: quote, runs of plain characters or escape pairs, quote. Possessive quantifiers
# keep Java's regex engine from backtracking (and from deep recursion on long strings).
_STRING_TOKEN = r'"([^"\\]*+(?:\\.[^"\\]*+)*+)"'
_MARKED_STRING_TOKEN = r'"\\u0001$1"'
_CORRUPT = "_corrupt_record"
# Spark's JSON reader is lenient by default; the contract is standard JSON (RFC 8259).
STRICT_JSON = {
    "allowSingleQuotes": "false",
    "allowNonNumericNumbers": "false",
    "allowComments": "false",
    "allowUnquotedFieldNames": "false",
    "allowNumericLeadingZeros": "false",
    "allowBackslashEscapingAnyCharacter": "false",
    "allowUnquotedControlChars": "false",
}


def read_lines(spark: SparkSession, input_uris: list[str]) -> DataFrame:
    """Every line of every file under the inputs, with the file it came from.

    recursiveFileLookup reads raw-zone folders such as year=/month=/day=/hour= without turning them
    into partition columns; files starting with '_' or '.' (e.g. _SUCCESS) are skipped by Spark.
    """
    lines = spark.read.option("recursiveFileLookup", "true").text(input_uris)
    return lines.select(F.col("value").alias(RAW_LINE), F.col("_metadata.file_path").alias(SOURCE_FILE))


def drop_blank_lines(lines: DataFrame) -> DataFrame:
    return lines.where(F.col(RAW_LINE).rlike(r"\S"))


def mark_strings(line: Column) -> Column:
    return F.regexp_replace(line, _STRING_TOKEN, _MARKED_STRING_TOKEN)


def parse_json_lines(lines: DataFrame, contract: Contract) -> DataFrame:
    """Add ``json_error`` (null, 'malformed_json' or 'not_an_object'), ``json_keys`` (top-level keys)
    and ``json_values`` (the parsed line: one marked text per contract property, read with
    ``json_value``; null when absent or JSON null).
    """
    fields = [T.StructField(STRING_MARKER + name, T.StringType()) for name in contract.property_names]
    schema = T.StructType([*fields, T.StructField(_CORRUPT, T.StringType())])
    options = {**STRICT_JSON, "columnNameOfCorruptRecord": _CORRUPT}
    # Each line must be parsed exactly once. Spark's optimiser copies an aliased expression into every
    # place that uses it when it merges projections or pushes a filter down (a filter on ``reason``
    # would otherwise run from_json once per field: ~500 times per line). explode(array(x)) yields
    # exactly one row per line and is a Generate node, which neither rule looks through.
    parse_once = F.explode(F.array(F.from_json(mark_strings(F.col(RAW_LINE)), schema, options)))
    parsed = lines.select(
        "*", parse_once.alias(JSON_VALUES), F.json_object_keys(F.col(RAW_LINE)).alias(JSON_KEYS)
    )
    trimmed = F.regexp_replace(F.col(RAW_LINE), r"^\s+|\s+$", "")
    # Jackson stops after the first complete value, so '{...} trailing' would parse; the end check
    # catches that. A valid JSON value that is not an object is told apart from garbage by wrapping
    # it in an array (only evaluated for the rare lines that are not objects).
    is_valid_json_value = F.from_json(
        F.concat(F.lit("["), F.col(RAW_LINE), F.lit("]")), T.ArrayType(T.StringType()), STRICT_JSON
    ).isNotNull()
    corrupt = F.col(JSON_VALUES).getField(_CORRUPT)
    error = (
        F.when(corrupt.isNull() & trimmed.endswith("}"), F.lit(None).cast("string"))
        .when(trimmed.startswith("{"), F.lit("malformed_json"))
        .when(is_valid_json_value, F.lit("not_an_object"))
        .otherwise(F.lit("malformed_json"))
    )
    return parsed.select(*lines.columns, error.alias(JSON_ERROR), JSON_KEYS, JSON_VALUES)


# ---- helpers to read a marked value -------------------------------------------------------------


def json_value(name: str) -> Column:
    return F.col(JSON_VALUES).getField(STRING_MARKER + name)


def is_present(name: str) -> Column:
    return F.coalesce(F.array_contains(F.col(JSON_KEYS), name), F.lit(False))


def json_kind(name: str) -> Column:
    """'absent', 'null', 'string', 'boolean', 'object', 'array' or 'number' for a contract property."""
    raw = json_value(name)
    return (
        F.when(~is_present(name), F.lit("absent"))
        .when(raw.isNull(), F.lit("null"))
        .when(raw.startswith(STRING_MARKER), F.lit("string"))
        .when(raw.isin("true", "false"), F.lit("boolean"))
        .when(raw.startswith("{"), F.lit("object"))
        .when(raw.startswith("["), F.lit("array"))
        # Jackson re-serialises numeric tokens. NaN/Infinity are rejected by STRICT_JSON; should a
        # lenient parse ever let one through, it comes back quoted and is no valid number.
        .when(raw.rlike(r"^-?[0-9]"), F.lit("number"))
        .otherwise(F.lit("non_finite_number"))
    )


def string_content(name: str) -> Column:
    """The value of a JSON string (marker removed); null when the value was not a string."""
    raw = json_value(name)
    return F.when(raw.startswith(STRING_MARKER), _unmark(raw))


def extra_fields_json(contract: Contract) -> Column:
    """JSON text of the fields the contract does not define (null when there are none).

    The contract allows extra fields and says they are carried through; they are kept as one JSON
    object with their original JSON types. The line is parsed again only when it has extra keys.
    """
    known = F.array(*[F.lit(name) for name in contract.property_names])
    extra_keys = F.array_except(F.coalesce(F.col(JSON_KEYS), F.array().cast("array<string>")), known)
    marked_map = F.from_json(
        mark_strings(F.col(RAW_LINE)), T.MapType(T.StringType(), T.StringType()), STRICT_JSON
    )
    extras = F.map_filter(marked_map, lambda key, _value: F.array_contains(extra_keys, _unmark(key)))
    entries = F.transform(
        F.map_entries(extras),
        lambda entry: F.concat(
            _json_string_literal(_unmark(entry["key"])),
            F.lit(":"),
            F.when(entry["value"].isNull(), F.lit("null"))
            .when(entry["value"].startswith(STRING_MARKER), _json_string_literal(_unmark(entry["value"])))
            # Objects and arrays come back as JSON text in which nested strings carry the marker escape.
            .otherwise(F.regexp_replace(entry["value"], r"\\u0001", "")),
        ),
    )
    return F.when(F.size(extra_keys) > 0, F.concat(F.lit("{"), F.array_join(entries, ","), F.lit("}")))


def _unmark(marked: Column) -> Column:
    return F.substring(marked, 2, 1 << 30)


def _json_string_literal(text: Column) -> Column:
    """``text`` encoded as a JSON string literal, quotes included (to_json of a one-element array)."""
    encoded = F.to_json(F.array(text))
    return encoded.substr(F.lit(2), F.length(encoded) - 2)
