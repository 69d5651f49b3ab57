-- One row per transaction, loaded from <processed>/transactions by the Glue load job (MERGE on
-- transaction_id). Column names and types follow the processed Parquet; the load job reads this
-- table's definition at run time and casts the staging rows to it, so this file is the one place
-- to change a column.
-- VARCHAR lengths are bytes on Redshift and characters on PostgreSQL; the load checks byte lengths,
-- so what fits here fits both. Timestamps are instants (TIMESTAMPTZ, stored as UTC).
-- extra_fields: JSON text of the fields a log line had beyond the contract (carried through, as the
-- contract allows); 65535 bytes is Redshift's VARCHAR maximum.
-- Later changes go into new numbered files (ALTER TABLE ... ADD COLUMN), never into this one:
-- CREATE TABLE IF NOT EXISTS does not alter an existing table.
CREATE TABLE IF NOT EXISTS banking.transactions (
    transaction_id       VARCHAR(128)   NOT NULL,
    account_id           VARCHAR(64)    NOT NULL,
    occurred_at          TIMESTAMPTZ    NOT NULL,
    type                 VARCHAR(16)    NOT NULL,
    operation            VARCHAR(32)    NOT NULL,
    amount               DECIMAL(18,2)  NOT NULL,
    currency             VARCHAR(3)     NOT NULL,
    balance_after        DECIMAL(18,2),
    channel              VARCHAR(16)    NOT NULL,
    status               VARCHAR(16)    NOT NULL,
    atm_id               VARCHAR(64),
    atm_location         VARCHAR(512),
    city                 VARCHAR(256),
    country              VARCHAR(2),
    latitude             DOUBLE PRECISION,
    longitude            DOUBLE PRECISION,
    card_id              VARCHAR(64),
    card_type            VARCHAR(64),
    message_code         VARCHAR(64),
    message_text         VARCHAR(1024),
    counterparty_bank    VARCHAR(128),
    counterparty_account VARCHAR(128),
    purpose              VARCHAR(1024),
    extra_fields         VARCHAR(65535),
    txn_date             DATE           NOT NULL,
    txn_hour             SMALLINT       NOT NULL,
    year                 SMALLINT       NOT NULL,
    month                SMALLINT       NOT NULL,
    signed_amount        DECIMAL(18,2)  NOT NULL,
    is_failure           BOOLEAN        NOT NULL,
    age_band             VARCHAR(16),
    gender               VARCHAR(16),
    run_id               VARCHAR(128)   NOT NULL,
    source_file          VARCHAR(1024),
    -- Not enforced on Redshift (informational, used by the planner): the load's MERGE on
    -- transaction_id is what keeps it unique. PostgreSQL enforces it.
    PRIMARY KEY (transaction_id)
);
-- The load deletes the rows of a reloaded date that the processed zone lost and merges the rest
-- (DELETE and UPDATE also need SELECT). Nothing else: it neither reads the reports nor owns a table.
GRANT SELECT, INSERT, UPDATE, DELETE ON banking.transactions TO GROUP bank_loader, ROLE bank_loader_role;
-- The report views read it; their owner, the reports identity, needs SELECT to create and refresh them.
GRANT SELECT ON banking.transactions TO GROUP bank_reports, ROLE bank_reports_role;
