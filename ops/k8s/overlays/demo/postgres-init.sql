-- Run once by the postgres image, as the superuser, on an empty data directory, in the database
-- carstore (POSTGRES_DB). carstore gets a role of its own that owns its schema and nothing else:
-- no superuser, no other schema, no other database.
\set ON_ERROR_STOP on
-- The password from the Secret's file, read by psql itself: never on a command line.
\set carstore_password `cat /run/secrets/postgres/carstore-password`
CREATE ROLE carstore LOGIN PASSWORD :'carstore_password';
\unset carstore_password
REVOKE ALL ON DATABASE carstore FROM PUBLIC;
REVOKE CONNECT ON DATABASE postgres FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE carstore TO carstore;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
CREATE SCHEMA carstore AUTHORIZATION carstore;
-- carstore's tables (and its migrations' history) are made unqualified: in its schema.
ALTER ROLE carstore IN DATABASE carstore SET search_path = carstore;
