//! The mapping profile itself: what `mapping.toml` may say, checked when
//! it is read so a typo is an error instead of an empty column.

use super::super::FormatError;
use crate::domain::crm::{Contact, Deal, Note, Task};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

pub const PROFILE_FILE: &str = "mapping.toml";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingProfile {
    #[serde(default)]
    pub source: SourceDefaults,
    pub calls: Option<EntityMap>,
    pub contacts: Option<EntityMap>,
    pub deals: Option<EntityMap>,
    pub tasks: Option<EntityMap>,
    pub notes: Option<EntityMap>,
    pub activities: Option<EntityMap>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceDefaults {
    pub encoding: Option<String>,
    pub delimiter: Option<String>,
    pub utc_offset: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EntityMap {
    pub file: String,
    pub records: Option<String>,
    pub encoding: Option<String>,
    pub delimiter: Option<String>,
    #[serde(default)]
    pub external_ids: BTreeMap<String, String>,
    #[serde(flatten)]
    pub fields: BTreeMap<String, FieldSpec>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum FieldSpec {
    Column(String),
    Spec(ColumnSpec),
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnSpec {
    pub column: Option<String>,
    pub columns: Option<Vec<String>>,
    pub value: Option<String>,
    pub format: Option<String>,
    pub unit: Option<String>,
    pub map: Option<BTreeMap<String, String>>,
    pub default: Option<String>,
}

const CALL: &[&str] = &[
    "call_id",
    "started_at",
    "rep",
    "direction",
    "phone",
    "duration",
    "duration_ms",
    "recording",
    "contact_id",
    "deal_id",
    "answered",
];
const ACTIVITY: &[&str] = &[
    "activity_id",
    "kind",
    "call_ref",
    "contact_id",
    "deal_id",
    "rep",
    "phone",
    "at",
    "direction",
    "subject",
    "text",
    "done",
];

impl MappingProfile {
    pub fn from_toml(text: &str) -> Result<MappingProfile, String> {
        let profile: MappingProfile = toml::from_str(text).map_err(|e| e.to_string())?;
        for (table, map, known, required) in profile.tables() {
            if let Some(bad) = map.fields.keys().find(|k| !known.contains(&k.as_str())) {
                return Err(format!(
                    "[{table}] has no field `{bad}`; known: file, records, encoding, delimiter, external_ids, {}",
                    known.join(", ")
                ));
            }
            if let Some(missing) = required.iter().find(|r| !map.fields.contains_key(**r)) {
                return Err(format!("[{table}] needs `{missing}`"));
            }
        }
        Ok(profile)
    }

    /// The profile at `path` in the batch at `root`.
    pub fn read(root: &Path, path: &Path) -> Result<MappingProfile, FormatError> {
        let mapping = |reason: String| FormatError::Mapping {
            path: path.display().to_string(),
            reason,
        };
        let bytes = crate::import::files::read_inside(root, path).map_err(mapping)?;
        let text = String::from_utf8(bytes).map_err(|_| mapping("is not UTF-8 text".into()))?;
        MappingProfile::from_toml(&text).map_err(mapping)
    }

    /// `(table, map, known fields, required fields)` of each table set.
    #[allow(clippy::type_complexity)]
    pub(super) fn tables(
        &self,
    ) -> Vec<(
        &'static str,
        &EntityMap,
        &'static [&'static str],
        &'static [&'static str],
    )> {
        let all = [
            (
                "calls",
                &self.calls,
                CALL,
                &["call_id", "started_at", "rep", "direction"][..],
            ),
            (
                "contacts",
                &self.contacts,
                &Contact::COLUMNS[..],
                &["contact_id"][..],
            ),
            ("deals", &self.deals, &Deal::COLUMNS[..], &["deal_id"][..]),
            ("tasks", &self.tasks, &Task::COLUMNS[..], &["task_id"][..]),
            (
                "notes",
                &self.notes,
                &Note::COLUMNS[..],
                &["note_id", "created_at", "text"][..],
            ),
            (
                "activities",
                &self.activities,
                ACTIVITY,
                &["activity_id", "at"][..],
            ),
        ];
        all.into_iter()
            .filter_map(|(n, m, k, r)| m.as_ref().map(|m| (n, m, k, r)))
            .collect()
    }
}
