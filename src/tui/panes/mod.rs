//! One module per pane; each draws from `App` and owns nothing.

pub mod audit;
pub mod calibration;
pub mod checklist;
pub mod claims;
pub mod crm;
pub mod emails;
pub mod help;
pub mod player;
pub mod queue;
pub mod results;
pub mod spelling;
pub mod timeline;
pub mod visit_form;
pub mod visits;
