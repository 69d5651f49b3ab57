-- Staging table the load job empties and fills through JDBC before merging into
-- banking.transactions. Recreated at every deploy so it always has the target's columns;
-- it holds nothing worth keeping between loads.
DROP TABLE IF EXISTS banking.stg_transactions;
CREATE TABLE banking.stg_transactions (LIKE banking.transactions);
-- Recreating the table drops its grants, so they live here. The load empties it with DELETE
-- (Redshift lets only the owner TRUNCATE), appends the rows and reads them back for the MERGE.
GRANT SELECT, INSERT, DELETE ON banking.stg_transactions TO GROUP bank_loader, ROLE bank_loader_role;
