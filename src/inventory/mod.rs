//! What runs: EC2 instances, EBS volumes and RDS instances, with their utilisation and cost.
pub mod parse;
