//! The rep roster of a batch, `crm/reps.csv`: `rep, started_on, team,
//! plan_pct`. The weekly plan reads it to give newcomers and reps under plan
//! more reviews (`domain::plan`).
//!
//! It lives in `crm/` because the batch root's `reps.csv` already means
//! something else for PBX exports (extension → rep name). A row with a bad
//! date, a plan that is not a number or a rep named twice is reported with
//! its line and left out; the other rows still count.

use super::text::{CsvOptions, Table};
use crate::domain::reps::{RepProfile, rep_key};
use crate::import::Problem;
use chrono::NaiveDate;
use std::collections::HashMap;
use std::path::Path;

pub const ROSTER_FILE: &str = "crm/reps.csv";

/// The roster of the batch at `root`, or `None` when it has none.
pub fn read(
    root: &Path,
    options: CsvOptions<'_>,
    problems: &mut Vec<Problem>,
) -> Option<Vec<RepProfile>> {
    // Present in any form (a link, a pipe) it is read, or said why not.
    if root.join(ROSTER_FILE).symlink_metadata().is_err() {
        return None;
    }
    // Relative to the batch folder, as every batch file is opened.
    let table = match Table::read(root, Path::new(ROSTER_FILE), ROSTER_FILE, options, problems) {
        Ok(table) => table,
        Err(problem) => {
            problems.push(problem);
            return None;
        }
    };
    if !table.has("rep") {
        problems.push(Problem::file(
            ROSTER_FILE,
            "missing column rep (the roster needs rep, and may have started_on, team, plan_pct)"
                .into(),
        ));
        return None;
    }
    let mut first_line: HashMap<String, u64> = HashMap::new();
    let mut roster = Vec::new();
    for row in &table.rows {
        let rep = table.get(row, "rep").trim();
        let problem = |reason: String| Problem::for_record(ROSTER_FILE, row.line, rep, reason);
        let parsed = (|| {
            if rep.is_empty() {
                return Err("rep is empty".to_string());
            }
            if let Some(first) = first_line.get(&rep_key(rep)) {
                return Err(format!(
                    "rep named again (first on line {first}); this row is left out"
                ));
            }
            Ok(RepProfile {
                rep: rep.to_string(),
                started_on: parse_day(table.get(row, "started_on"))?,
                team: table.get(row, "team").trim().to_string(),
                plan_pct: parse_pct(table.get(row, "plan_pct"))?,
            })
        })();
        match parsed {
            Ok(profile) => {
                first_line.insert(rep_key(rep), row.line);
                roster.push(profile);
            }
            Err(reason) => problems.push(problem(reason)),
        }
    }
    Some(roster)
}

/// `2026-03-01` or `01.03.2026`; empty is unknown.
fn parse_day(text: &str) -> Result<Option<NaiveDate>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(t, "%d.%m.%Y"))
        .map(Some)
        .map_err(|_| {
            format!(
                "started_on {:?} is not a date; write 2026-03-01",
                crate::text::one_line(t, 40)
            )
        })
}

/// `85`, `85,5`, `85%`; empty is unknown.
fn parse_pct(text: &str) -> Result<Option<f64>, String> {
    let t = text.trim().trim_end_matches('%').trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|p| p.is_finite() && *p >= 0.0)
        .map(Some)
        .ok_or_else(|| {
            format!(
                "plan_pct {:?} is not a percentage (100 = on plan)",
                crate::text::one_line(text, 40)
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_roster_and_names_each_bad_row() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("crm")).unwrap();
        std::fs::write(
            dir.path().join(ROSTER_FILE),
            "rep,started_on,team,plan_pct\r\n\
             Анна Смирнова,2024-02-01,Юг,112\r\n\
             Борис Орлов,01.11.2026,Юг,85%\r\n\
             Вера,вчера,Север,90\r\n\
             Глеб,2025-01-01,Север,много\r\n\
             анна  смирнова,2024-02-01,Юг,100\r\n\
             Дина,,,\r\n",
        )
        .unwrap();
        let mut problems = Vec::new();
        let roster = read(dir.path(), CsvOptions::default(), &mut problems).unwrap();
        let names: Vec<&str> = roster.iter().map(|r| r.rep.as_str()).collect();
        assert_eq!(names, ["Анна Смирнова", "Борис Орлов", "Дина"]);
        assert_eq!(roster[1].plan_pct, Some(85.0));
        assert_eq!(roster[1].started_on, NaiveDate::from_ymd_opt(2026, 11, 1));
        assert_eq!((roster[2].started_on, roster[2].plan_pct), (None, None));
        let texts: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(texts.len(), 3, "{texts:?}");
        assert!(
            texts[0].starts_with("crm/reps.csv:4: Вера: started_on"),
            "{texts:?}"
        );
        assert!(
            texts[1].starts_with("crm/reps.csv:5: Глеб: plan_pct"),
            "{texts:?}"
        );
        assert!(
            texts[2].contains(":6:") && texts[2].contains("first on line 2"),
            "{texts:?}"
        );
        assert!(
            read(
                &dir.path().join("none"),
                CsvOptions::default(),
                &mut problems
            )
            .is_none()
        );
    }
}
