-- Staging table the load job truncates and fills through JDBC before merging into
-- banking.transactions. Recreated at every deploy so it always has the target's columns;
-- it holds nothing worth keeping between loads.
DROP TABLE IF EXISTS banking.stg_transactions;
CREATE TABLE banking.stg_transactions (LIKE banking.transactions);
