-- carstore's own login, made once on an empty data folder (the postgres image runs the files in
-- /docker-entrypoint-initdb.d as the superuser, in POSTGRES_DB). carstore never gets the
-- superuser's password: it owns the schema `carstore` in the database `carstore` and nothing
-- else, and its migrations and tables live there (its search_path).
\set ON_ERROR_STOP on
\set password `cat /run/secrets/carstore_password`
CREATE ROLE carstore LOGIN PASSWORD :'password'
  NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
\unset password
CREATE SCHEMA carstore AUTHORIZATION carstore;
ALTER ROLE carstore IN DATABASE carstore SET search_path = carstore;
-- Only carstore (and the superuser) may connect to its database; nobody may create objects
-- in `public`, nor connect to the maintenance databases.
REVOKE ALL ON DATABASE carstore FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE carstore TO carstore;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
REVOKE CONNECT ON DATABASE postgres FROM PUBLIC;
REVOKE CONNECT ON DATABASE template1 FROM PUBLIC;
