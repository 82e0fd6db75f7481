//! The reviewer's domain: checklists, answers, scoring, calls and CRM records.
//!
//! Nothing here knows about SQLite, the terminal or audio, so reports, exports
//! and tests can reuse the rules without a workspace or a screen.

pub mod active_time;
pub mod agreement;
pub mod audit;
pub mod auto_checks;
pub mod checklist;
pub mod crm;
pub mod email;
pub mod email_checks;
mod email_text;
pub mod follow_up;
pub mod lang;
pub mod matching;
pub mod mystery;
pub mod phone;
pub mod plan;
pub mod reps;
pub mod results;
pub mod review;
pub mod sampling;
pub mod scoring;

pub use checklist::{Checklist, ChecklistError, Item};
pub use lang::Lang;
pub use review::{Answer, AnswerValue, ReviewStatus};
