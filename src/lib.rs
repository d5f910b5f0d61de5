//! consoleai: a multi-tenant FinOps and cloud-operations GraphQL API.
//!
//! One folder per concern: `auth` (who calls), `tenancy` (what they may see), `ingest` (files in),
//! `cost` (what it costs), `graphql` (the API), `http` (the server), `audit` (who did and saw what).
pub mod analytics;
pub mod app;
pub mod audit;
pub mod auth;
pub mod budget;
pub mod cli;
pub mod config;
pub mod cost;
pub mod db;
pub mod demo;
pub mod error;
pub mod generate;
pub mod graphql;
pub mod http;
pub mod ingest;
pub mod inventory;
pub mod metrics;
pub mod report;
pub mod rightsizing;
pub mod telemetry;
pub mod tenancy;
pub mod transfer;
pub mod workflow;
