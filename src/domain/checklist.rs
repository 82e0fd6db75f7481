//! Checklists (scorecards) as reviewers and clients write them: TOML files
//! with every text in English and Russian, so one file serves both languages
//! and a version number ties every stored review to the exact wording it used.

use super::lang::{Bilingual, Lang};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

#[derive(Debug, thiserror::Error)]
pub enum ChecklistError {
    #[error("{file}: not a valid checklist: {message}")]
    Parse { file: String, message: String },
    #[error("{file}: item {item:?}: {message}")]
    Item {
        file: String,
        item: String,
        message: String,
    },
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
}

/// When an item applies only to some calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AppliesTo {
    /// Every call.
    All,
    /// Only calls that have a script (inbound line, order confirmation);
    /// on other calls the item starts as "not applicable".
    Script,
}

/// A check the CRM data or the audio analysis can answer before the
/// reviewer looks; the answer is pre-filled and marked automatic, the
/// reviewer confirms or overrides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AutoCheck {
    /// The call's write-up ([`super::follow_up`]).
    WriteUp,
    /// The call's next step: a task due after it ([`super::follow_up`]).
    NextStep,
    /// The contact has phone, email and role.
    ContactData,
    /// The deal has stage, amount and source.
    DealData,
    /// Both sides (a mono call: someone) can be heard.
    Audible,
    /// The analysis found no one-way audio.
    NoOneWayAudio,
    /// The analysis found neither long dead air nor a silent call.
    NoDeadLine,
    /// The analysis found no heavy clipping.
    NoClipping,
    /// The first words come within [`super::auto_checks::ANSWER_IN_TIME_MS`].
    AnsweredInTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    pub id: String,
    pub title: Bilingual,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub id: String,
    pub section: String,
    pub text: Bilingual,
    #[serde(default)]
    pub hint: Option<Bilingual>,
    #[serde(default = "default_weight")]
    pub weight: f64,
    /// A failed critical item zeroes the whole review score.
    #[serde(default)]
    pub critical: bool,
    #[serde(default = "default_applies")]
    pub applies: AppliesTo,
    #[serde(default)]
    pub auto: Option<AutoCheck>,
}

fn default_weight() -> f64 {
    1.0
}

fn default_applies() -> AppliesTo {
    AppliesTo::All
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checklist {
    pub id: String,
    pub version: u32,
    pub title: Bilingual,
    pub sections: Vec<Section>,
    pub items: Vec<Item>,
}

/// The default sales-call checklist, from the article, shipped in the binary.
pub const DEFAULT_SALES_CALL_TOML: &str = include_str!("../../assets/checklists/sales-call.toml");

/// The telephony check for short and flagged calls, shipped in the binary.
pub const DEFAULT_TELEPHONY_TOML: &str = include_str!("../../assets/checklists/telephony.toml");

/// `(item id, check)` of every item of `checklist_toml` that names a check
/// of kind `C` (`check = "…"`): the rules that pre-fill items (email
/// checks, mystery-shopping speeds) read their items with it; the
/// checklist format itself ignores the key. An item whose check is not one
/// of `C`'s is left to the reviewer; the other items keep theirs.
pub fn item_checks<C: serde::de::DeserializeOwned>(checklist_toml: &str) -> Vec<(String, C)> {
    #[derive(Deserialize)]
    struct File {
        items: Vec<ItemCheck>,
    }
    #[derive(Deserialize)]
    struct ItemCheck {
        id: String,
        check: Option<toml::Value>,
    }
    let Ok(file) = toml::from_str::<File>(checklist_toml) else {
        return Vec::new();
    };
    file.items
        .into_iter()
        .filter_map(|item| Some((item.id, C::deserialize(item.check?).ok()?)))
        .collect()
}

impl Checklist {
    /// Parse and validate; `file` names the source in every message.
    pub fn from_toml(text: &str, file: &str) -> Result<Checklist, ChecklistError> {
        let checklist: Checklist = toml::from_str(text).map_err(|e| ChecklistError::Parse {
            file: file.to_string(),
            message: e.to_string(),
        })?;
        checklist.validate(file)?;
        Ok(checklist)
    }

    pub fn default_sales_call() -> Checklist {
        Checklist::from_toml(DEFAULT_SALES_CALL_TOML, "assets/checklists/sales-call.toml")
            .expect("the bundled checklist is validated by its unit test")
    }

    pub fn default_telephony() -> Checklist {
        Checklist::from_toml(DEFAULT_TELEPHONY_TOML, "assets/checklists/telephony.toml")
            .expect("the bundled checklist is validated by its unit test")
    }

    fn validate(&self, file: &str) -> Result<(), ChecklistError> {
        let invalid = |message: String| ChecklistError::Invalid {
            file: file.to_string(),
            message,
        };
        if self.id.trim().is_empty() {
            return Err(invalid("the checklist id is empty".into()));
        }
        if self.items.is_empty() {
            return Err(invalid("the checklist has no items".into()));
        }
        let sections: HashSet<&str> = self.sections.iter().map(|s| s.id.as_str()).collect();
        let mut seen = HashSet::new();
        for item in &self.items {
            let bad = |message: &str| ChecklistError::Item {
                file: file.to_string(),
                item: item.id.clone(),
                message: message.to_string(),
            };
            if item.id.trim().is_empty() {
                return Err(bad("the id is empty"));
            }
            if !seen.insert(item.id.as_str()) {
                return Err(bad("the id is used twice"));
            }
            if !sections.contains(item.section.as_str()) {
                return Err(bad(&format!(
                    "section {:?} is not declared in [[sections]]",
                    item.section
                )));
            }
            if !(item.weight.is_finite() && item.weight > 0.0) {
                return Err(bad("weight must be a positive number"));
            }
            if item.text.en.trim().is_empty() || item.text.ru.trim().is_empty() {
                return Err(bad("text needs both en and ru"));
            }
        }
        Ok(())
    }

    pub fn section_title(&self, section: &str, lang: Lang) -> String {
        self.sections
            .iter()
            .find(|s| s.id == section)
            .map(|s| s.title.get(lang).to_string())
            .unwrap_or_else(|| section.to_string())
    }

    pub fn item_index(&self, item_id: &str) -> Option<usize> {
        self.items.iter().position(|i| i.id == item_id)
    }
}

/// Entries by item id, as a review's answers are.
pub type Entries<T> = Vec<(String, T)>;

/// Between the parts of a composed checklist's id: `sales-call+mystery-shopper`.
pub const COMPOSED_SEPARATOR: char = '+';

/// A composed checklist's version is `base * PART_VERSIONS + top`, so the
/// pair of part versions it was made of can be read back from it.
const PART_VERSIONS: u32 = 1000;

impl Checklist {
    /// `base` with `top` on top: `base`'s sections and items, then
    /// `top`'s, under the id `base+top` and a version both versions can
    /// be read back from ([`Checklist::parts_of`]), so the store, scoring
    /// and history treat it as any checklist while a report can still
    /// tell which part each item came from. `base`'s ids are kept as they
    /// are (its automatic checks still find their items); a `top` item or
    /// section whose id `base` already uses is prefixed `top-id.`.
    pub fn compose(base: &Checklist, top: &Checklist) -> Checklist {
        let taken_sections: HashSet<&str> = base.sections.iter().map(|s| s.id.as_str()).collect();
        let section_id = |id: &str| match taken_sections.contains(id) {
            true => format!("{}.{id}", top.id),
            false => id.to_string(),
        };
        let mut sections = base.sections.clone();
        sections.extend(top.sections.iter().map(|s| Section {
            id: section_id(&s.id),
            title: s.title.clone(),
        }));
        let mut items = base.items.clone();
        items.extend(top.items.iter().map(|item| Item {
            id: Checklist::composed_item_id(base, top, &item.id),
            section: section_id(&item.section),
            ..item.clone()
        }));
        let title = |lang: Lang| format!("{} + {}", base.title.get(lang), top.title.get(lang));
        Checklist {
            id: format!("{}{COMPOSED_SEPARATOR}{}", base.id, top.id),
            version: base
                .version
                .saturating_mul(PART_VERSIONS)
                .saturating_add(top.version % PART_VERSIONS),
            title: Bilingual {
                en: title(Lang::En),
                ru: title(Lang::Ru),
            },
            sections,
            items,
        }
    }

    /// The id a `top` item has in `compose(base, top)`.
    pub fn composed_item_id(base: &Checklist, top: &Checklist, item_id: &str) -> String {
        match base.item_index(item_id) {
            Some(_) => format!("{}.{item_id}", top.id),
            None => item_id.to_string(),
        }
    }

    /// The parts (id and version, base first) of a composed checklist's id
    /// and version; `None` for a checklist that is not composed.
    pub fn parts_of(id: &str, version: u32) -> Option<[(String, u32); 2]> {
        let (base, top) = id.split_once(COMPOSED_SEPARATOR)?;
        (!base.is_empty() && !top.is_empty()).then(|| {
            [
                (base.to_string(), version / PART_VERSIONS),
                (top.to_string(), version % PART_VERSIONS),
            ]
        })
    }

    /// The entries of a review with `compose(base, top)`, by part: those
    /// of `base`'s items, and those of `top`'s under `top`'s own ids.
    /// Entries of neither (an item since removed) are left out.
    pub fn split_by_part<T>(
        base: &Checklist,
        top: &Checklist,
        entries: impl IntoIterator<Item = (String, T)>,
    ) -> (Entries<T>, Entries<T>) {
        let top_ids: HashMap<String, &str> = top
            .items
            .iter()
            .map(|i| (Checklist::composed_item_id(base, top, &i.id), i.id.as_str()))
            .collect();
        let (mut in_base, mut in_top) = (Vec::new(), Vec::new());
        for (id, entry) in entries {
            if let Some(own) = top_ids.get(&id) {
                in_top.push((own.to_string(), entry));
            } else if base.item_index(&id).is_some() {
                in_base.push((id, entry));
            }
        }
        (in_base, in_top)
    }

    /// The checklist as TOML, as a composed one is stored.
    pub fn to_toml(&self) -> Result<String, ChecklistError> {
        toml::to_string(self).map_err(|e| ChecklistError::Invalid {
            file: self.id.clone(),
            message: e.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_check_costs_its_own_item_only() {
        #[derive(Debug, PartialEq, Deserialize)]
        #[serde(rename_all = "kebab-case")]
        enum Check {
            Greeting,
            Signature,
        }
        let toml = r#"
            [[items]]
            id = "a"
            check = "greeting"
            [[items]]
            id = "b"
            check = "no-such-check"
            [[items]]
            id = "c"
            [[items]]
            id = "d"
            check = "signature"
        "#;
        assert_eq!(
            item_checks::<Check>(toml),
            [
                ("a".to_string(), Check::Greeting),
                ("d".to_string(), Check::Signature)
            ]
        );
        assert!(item_checks::<Check>("not toml [").is_empty());
    }

    #[test]
    fn bundled_checklist_is_valid_and_covers_the_article() {
        let c = Checklist::default_sales_call();
        assert_eq!(c.id, "sales-call");
        for id in [
            "greeting",
            "introduced",
            "client_name",
            "business",
            "bigger_task",
            "summary",
            "script",
            "crm_written",
            "crm_matches",
            "crm_next_step",
            "crm_stage",
            "crm_contact",
            "crm_deal",
        ] {
            assert!(c.item_index(id).is_some(), "missing item {id}");
        }
        let script = &c.items[c.item_index("script").unwrap()];
        assert_eq!(script.applies, AppliesTo::Script);
        assert!(c.items.iter().all(|i| !i.text.ru.is_empty()));
        assert_eq!(c.section_title("crm", Lang::Ru), "Запись в CRM");
    }

    #[test]
    fn bundled_telephony_checklist_is_valid_in_both_languages() {
        let c = Checklist::default_telephony();
        assert_eq!(c.id, "telephony");
        assert!(c.items.len() >= 7);
        for item in &c.items {
            for lang in [Lang::En, Lang::Ru] {
                assert!(!item.text.get(lang).trim().is_empty(), "{}", item.id);
            }
        }
        assert!(
            c.items.iter().any(|i| i.critical),
            "one-way audio is critical"
        );
    }

    #[test]
    fn a_composed_checklist_keeps_both_parts_apart_and_can_be_split_again() {
        let base = Checklist::default_sales_call();
        let mut top = Checklist::from_toml(
            crate::domain::mystery::DEFAULT_MYSTERY_CHECKLIST_TOML,
            "mystery-shopper.toml",
        )
        .unwrap();
        // A top item and section with ids the base uses too.
        let contact = top.sections[0].id.clone();
        top.sections[0].id = "call".into();
        for item in top.items.iter_mut().filter(|i| i.section == contact) {
            item.section = "call".into();
        }
        top.items[0].id = "greeting".into();
        let composed = Checklist::compose(&base, &top);
        assert_eq!(composed.id, "sales-call+mystery-shopper");
        assert_eq!(
            Checklist::parts_of(&composed.id, composed.version),
            Some([
                ("sales-call".to_string(), base.version),
                ("mystery-shopper".to_string(), top.version)
            ])
        );
        assert_eq!(Checklist::parts_of("sales-call", 1), None);
        assert_eq!(composed.items.len(), base.items.len() + top.items.len());
        assert_eq!(composed.title.en, "Sales call + Mystery shopper");
        assert!(composed.title.ru.contains(" + Тайный покупатель"));
        let greeting = &composed.items[base.items.len()];
        assert_eq!(greeting.id, "mystery-shopper.greeting");
        assert_eq!(greeting.section, "mystery-shopper.call");
        assert_eq!(composed.items[0], base.items[0]);
        // Stored as TOML and read back, it is the same valid checklist.
        let again = Checklist::from_toml(&composed.to_toml().unwrap(), "composed").unwrap();
        assert_eq!(again, composed);
        let (in_base, in_top) = Checklist::split_by_part(
            &base,
            &top,
            [
                ("greeting".to_string(), 1),
                ("mystery-shopper.greeting".to_string(), 2),
                ("callback".to_string(), 3),
                ("gone".to_string(), 4),
            ],
        );
        assert_eq!(in_base, [("greeting".to_string(), 1)]);
        assert_eq!(
            in_top,
            [("greeting".to_string(), 2), ("callback".to_string(), 3)]
        );
    }

    #[test]
    fn duplicate_item_is_named() {
        let text = r#"
            id = "x"
            version = 1
            title = { en = "X", ru = "Х" }
            sections = [{ id = "s", title = { en = "S", ru = "С" } }]
            [[items]]
            id = "a"
            section = "s"
            text = { en = "A", ru = "А" }
            [[items]]
            id = "a"
            section = "s"
            text = { en = "B", ru = "Б" }
        "#;
        let err = Checklist::from_toml(text, "my.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("my.toml"), "{err}");
        assert!(err.contains("\"a\"") && err.contains("twice"), "{err}");
    }

    #[test]
    fn unknown_section_and_bad_weight_are_refused() {
        let base = |section: &str, weight: &str| {
            format!(
                r#"id = "x"
                version = 1
                title = {{ en = "X", ru = "Х" }}
                sections = [{{ id = "s", title = {{ en = "S", ru = "С" }} }}]
                [[items]]
                id = "a"
                section = "{section}"
                weight = {weight}
                text = {{ en = "A", ru = "А" }}"#
            )
        };
        let err = Checklist::from_toml(&base("nope", "1"), "c.toml").unwrap_err();
        assert!(err.to_string().contains("nope"));
        let err = Checklist::from_toml(&base("s", "0"), "c.toml").unwrap_err();
        assert!(err.to_string().contains("weight"));
        let err = Checklist::from_toml("id = 3", "c.toml").unwrap_err();
        assert!(err.to_string().starts_with("c.toml: not a valid checklist"));
    }
}
