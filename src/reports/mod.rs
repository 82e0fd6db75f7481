//! Results as they leave the workstation for a client: the CRM audit and
//! the weekly review plan (table, CSV, JSON). Numbers come from `domain`;
//! this only formats them.

pub mod audit;
pub mod demo_reviews;
pub mod plan;
pub mod results;
