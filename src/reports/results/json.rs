//! The report as JSON: every figure exact (shares 0..1, scores 0..100,
//! times in milliseconds), with the calls, comments and evidence behind
//! each, for scripts and other tools.

use super::Report;
use crate::text::json_safe;
use std::io::Write;

pub fn write(report: &Report, mut out: impl Write) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(report)?;
    writeln!(out, "{}", json_safe(&text))?;
    out.flush()?;
    Ok(())
}
