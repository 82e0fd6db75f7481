//! Copying a whole workspace from one engine to the other (`callqa
//! migrate`): a solo SQLite workspace becomes a team's PostgreSQL one, or
//! a team's comes back to a file. Every table, in an order where a row's
//! references are already there, row by row with its ids, in one
//! transaction on the target; then the rows are counted on both sides.

use super::db::dialect::{self, Dialect};
use super::db::{ToParam, Value, params};
use super::{Result, StoreError, Workspace};

/// Every table of a workspace, each after the tables it references. A
/// table a migration adds is added here too (the test
/// `every_table_is_copied` says so when it is not).
pub const TABLES: &[&str] = &[
    "settings",
    "batches",
    "checklists",
    "calls",
    "contacts",
    "deals",
    "tasks",
    "notes",
    "reviewer_state",
    "call_analysis",
    "markers",
    "call_external_ids",
    "activities",
    "call_links",
    "reps",
    "sampling_rules",
    "plans",
    "plan_entries",
    "best_calls",
    "recordings",
    "emails",
    "mystery_visits",
    "mystery_rules",
    "reviews",
    "answers",
    "review_events",
    "plan_emails",
    "plan_email_replacements",
    "calibration_sets",
    "calibration_reviewers",
    "calibration_calls",
    "item_responses",
    "plan_claims",
];

/// One table's rows on each side after a copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCount {
    pub table: &'static str,
    pub source: u64,
    pub target: u64,
}

impl Workspace {
    /// The rows of `table`.
    pub fn row_count(&self, table: &str) -> Result<u64> {
        let n: i64 =
            self.conn()
                .query_row(&format!("SELECT COUNT(*) FROM {table}"), params![], |r| {
                    r.get(0)
                })?;
        Ok(n.max(0) as u64)
    }

    fn columns(&self, table: &str) -> Result<Vec<String>> {
        Ok(self.conn().query_map(
            dialect::table_columns(self.conn().dialect()),
            params![table],
            |r| r.get(0),
        )?)
    }

    /// Whether any table holds a row that was not put there by opening the
    /// workspace (the settings and checklists a new one starts with count).
    pub fn is_empty_workspace(&self) -> Result<bool> {
        for table in TABLES {
            if self.row_count(table)? > 0 {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Copy every row of `self` into `target`, an empty workspace on
    /// either engine, and count both sides. Refused (nothing written) when
    /// `target` holds anything.
    pub fn copy_into(&self, target: &Workspace) -> Result<Vec<TableCount>> {
        if !target.is_empty_workspace()? {
            return Err(StoreError::TargetNotEmpty {
                path: target.address().to_string(),
            });
        }
        target.write_batch(|target| {
            for table in TABLES {
                self.copy_table(target, table)?;
            }
            Ok::<_, StoreError>(())
        })?;
        let mut counts = Vec::new();
        for table in TABLES {
            counts.push(TableCount {
                table,
                source: self.row_count(table)?,
                target: target.row_count(table)?,
            });
        }
        Ok(counts)
    }

    fn copy_table(&self, target: &Workspace, table: &str) -> Result<()> {
        let columns = self.columns(table)?;
        let target_columns = target.columns(table)?;
        if let Some(missing) = columns.iter().find(|c| !target_columns.contains(c)) {
            return Err(StoreError::Corrupt(format!(
                "{table}.{missing} is not in the target workspace: update callqa there first"
            )));
        }
        let list = columns.join(", ");
        let placeholders: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
        let insert = format!(
            "INSERT INTO {table} ({list}) VALUES ({})",
            placeholders.join(", ")
        );
        let mut stmt = target.conn().prepare_cached(&insert)?;
        let mut select = self
            .conn()
            .prepare(&format!("SELECT {list} FROM {table}"))?;
        let mut values: Vec<Value> = Vec::with_capacity(columns.len());
        select.query_each(params![], |row| -> Result<()> {
            values.clear();
            for i in 0..columns.len() {
                values.push(row.get(i)?);
            }
            let params: Vec<_> = values.iter().map(ToParam::to_param).collect();
            stmt.execute(&params)?;
            Ok(())
        })?;
        dialect::after_copy(target.conn(), table)?;
        Ok(())
    }

    /// The dialect of the workspace's engine.
    pub fn dialect(&self) -> Dialect {
        self.conn().dialect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::{sqlite, temp_workspace};

    #[test]
    fn every_table_is_copied() {
        let (_dir, ws) = temp_workspace();
        let tables: Vec<String> = sqlite(&ws)
            .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let mut listed: Vec<&str> = TABLES.to_vec();
        listed.sort_unstable();
        assert_eq!(tables, listed);
    }

    /// The two migration lists give the same tables with the same columns
    /// in the same order: a migration added to one is added to the other.
    #[test]
    fn both_engines_have_the_same_schema() {
        let mut all = crate::store::test_support::temp_workspaces().into_iter();
        let (_keep, solo) = all.next().unwrap();
        let Some((_db, team)) = all.next() else {
            return;
        };
        for table in TABLES {
            assert_eq!(
                solo.columns(table).unwrap(),
                team.columns(table).unwrap(),
                "{table}"
            );
        }
    }
}
