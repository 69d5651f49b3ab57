-- Reaching objects in the banking schema needs USAGE on it; what each group may do with the objects
-- is granted in the file that creates them (a redeploy that recreates an object drops its grants).
GRANT USAGE ON SCHEMA banking TO GROUP bank_reporting;
GRANT USAGE ON SCHEMA banking TO GROUP bank_loader, ROLE bank_loader_role;
