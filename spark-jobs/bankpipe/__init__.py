"""Job code of the bank transaction pipeline.

The ATM-transaction job (the EMR step) is split into small modules, each holding pure
``DataFrame -> DataFrame`` functions so that every step can be tested on a handful of rows:

- ``contract``   loads the JSON Schema contract and derives the validation rules from it
- ``parse``      reads text lines and parses them without losing the JSON type of each value
- ``validation`` applies the contract rules as Spark column expressions, one reason per bad row
- ``dedup``      classifies rows as valid / quarantined / duplicate (in run, of processed data)
- ``enrich``     types, derived columns, customer age band and gender
- ``reports``    the report tables listed in docs/data-layout.md
- ``fraud``      the fraud rules: the rows of the fraud report (``rows from: bankpipe.fraud``)
- ``fraud_rules`` reads contracts/fraud-rules.json (shared with the live consumer) and the alert identity
- ``manifest``   run counts, the reconciliation invariant and the manifest document
- ``storage``    Hadoop FileSystem helpers (s3:// on EMR, file:// locally) and run-scoped publishing
- ``job``        the orchestration behind ``spark-jobs/atm_job.py``
- ``package``    builds the zip shipped to EMR with ``--py-files`` (includes the schema and fraud rules files)
"""

__version__ = "0.1.0"
