-- Database groups that receive the grants of the other files. Neither Redshift nor PostgreSQL has
-- CREATE GROUP IF NOT EXISTS, so this file is an .if-absent file: each CREATE runs on its own and
-- one whose group already exists is skipped (sql/README.md). Only CREATE GROUP statements here.
-- bank_reporting: people, dashboards and BI tools that read the report views (SELECT only).
-- bank_loader: the warehouse load (stage the rows, then DELETE + MERGE into banking.transactions).
CREATE GROUP bank_reporting;
CREATE GROUP bank_loader;
