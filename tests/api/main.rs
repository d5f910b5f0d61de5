//! Integration tests: the real server over HTTP, against SQLite by default or PostgreSQL when
//! `CONSOLEAI_TEST_DATABASE_URL` is set (e.g. `postgres://postgres@127.0.0.1:5432/postgres`).
mod auth;
mod cache;
mod cur;
mod dashboard;
mod focus;
mod ingest;
mod inventory;
mod org;
mod outlook;
mod replicas;
mod row_security;
mod site;
mod summary;
mod support;
mod telemetry;
mod tokens;
mod transfer;
mod transport;
mod workflow;
