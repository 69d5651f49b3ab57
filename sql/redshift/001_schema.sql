-- The warehouse schema. Runs on Redshift (deploy-time custom resource) and PostgreSQL 15 (local twin).
CREATE SCHEMA IF NOT EXISTS banking;
