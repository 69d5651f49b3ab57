-- Database groups and roles that receive the grants of the other files. Neither Redshift nor
-- PostgreSQL has CREATE GROUP/ROLE IF NOT EXISTS, so this file is an .if-absent file: each CREATE
-- runs on its own and one whose group or role already exists is skipped (sql/README.md). Only CREATE
-- GROUP and CREATE ROLE statements here.
-- bank_reporting: people, dashboards and BI tools that read the report views (SELECT only).
-- bank_loader: the warehouse load on a provisioned cluster, whose temporary login joins it
-- (GetClusterCredentials DbGroups), and on PostgreSQL.
-- bank_loader_role: the same grants as bank_loader, for the load on Redshift Serverless, whose
-- temporary login gets the database roles named in its IAM role's RedshiftDbRoles tag (no groups).
-- bank_reports / bank_reports_role: the reports identity (refresh-reports), which creates the report
-- views and refreshes them after each load; the group on a provisioned cluster (the Data API joins
-- its user through the RedshiftDbGroups tag), the role on Serverless (RedshiftDbRoles tag).
CREATE GROUP bank_reporting;
CREATE GROUP bank_loader;
CREATE ROLE bank_loader_role;
CREATE GROUP bank_reports;
CREATE ROLE bank_reports_role;
