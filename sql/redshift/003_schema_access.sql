-- Reaching objects in the banking schema needs USAGE on it; what each group may do with the objects
-- is granted in the file that creates them (a redeploy that recreates an object drops its grants).
GRANT USAGE ON SCHEMA banking TO GROUP bank_reporting;
GRANT USAGE ON SCHEMA banking TO GROUP bank_loader, ROLE bank_loader_role;
-- The reports identity creates the report views as well as refreshing them: Redshift lets only a
-- materialized view's owner run REFRESH MATERIALIZED VIEW and has no privilege that grants it to
-- another user, and an object belongs to the user who created it (on Serverless `IAMR:<role name>`
-- of the caller). So it needs CREATE here, to own what it refreshes; it writes no table
-- (docs/adr/0002-warehouse-identities.md).
GRANT USAGE, CREATE ON SCHEMA banking TO GROUP bank_reports, ROLE bank_reports_role;
