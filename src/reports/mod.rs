//! Results as they leave the workstation for a client: the CRM audit
//! (table, CSV, JSON). Numbers come from `domain`; this only formats them.

pub mod audit;
