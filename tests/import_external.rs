//! PBX logs and CRM exports into a workspace: stored, linked by the rules,
//! and a reviewer's manual link kept across re-imports.

use callqa::import::formats::ParseOptions;
use callqa::import::import_source;
use callqa::store::Workspace;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/crm")
        .join(name)
}

#[test]
fn pbx_calls_are_linked_to_crm_records_by_their_ids() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::open(&dir.path().join("w.sqlite")).unwrap();
    let options = ParseOptions::default();
    let pbx = import_source(&ws, &fixture("asterisk"), None, &options).unwrap();
    assert_eq!(pbx.calls.new, 2, "{:?}", pbx.problems);
    // The unanswered call has nothing to review and says so.
    assert!(
        pbx.problems
            .iter()
            .any(|p| p.to_string().contains("not answered")),
        "{:?}",
        pbx.problems
    );
    let crm = import_source(&ws, &fixture("amocrm-json"), None, &options).unwrap();
    assert!(crm.problems.is_empty(), "{:?}", crm.problems);
    assert_eq!(crm.calls.new, 0, "the CRM's call notes are the same calls");
    let call = ws.call("1795418102.18").unwrap();
    assert_eq!(
        (call.contact_id.as_deref(), call.deal_id.as_deref()),
        (Some("2001"), Some("1001"))
    );
    let link = ws.call_link("1795418102.18").unwrap().unwrap();
    assert_eq!(link.rule, "explicit_id");
    assert_eq!(link.detail.as_deref(), Some("asterisk.linkedid"));
    assert!(!link.manual);
    // The write-up found by the matcher is the note the pane shows.
    let record = ws.crm_for_call(&call).unwrap();
    assert!(!record.notes.is_empty());

    // Importing both again changes nothing.
    let again = import_source(&ws, &fixture("asterisk"), None, &options).unwrap();
    assert_eq!(
        (again.calls.new, again.calls.updated, again.calls.unchanged),
        (0, 0, 2)
    );
}

#[test]
fn a_manual_link_survives_reimport() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::open(&dir.path().join("w.sqlite")).unwrap();
    let options = ParseOptions::default();
    import_source(&ws, &fixture("asterisk"), None, &options).unwrap();
    import_source(&ws, &fixture("amocrm-json"), None, &options).unwrap();
    ws.link_by_hand("1795418102.18", Some("2002"), None)
        .unwrap();
    let call = ws.call("1795418102.18").unwrap();
    assert_eq!(
        (call.contact_id.as_deref(), call.deal_id),
        (Some("2002"), None)
    );
    import_source(&ws, &fixture("asterisk"), None, &options).unwrap();
    import_source(&ws, &fixture("amocrm-json"), None, &options).unwrap();
    let call = ws.call("1795418102.18").unwrap();
    assert_eq!(call.contact_id.as_deref(), Some("2002"));
    let link = ws.call_link("1795418102.18").unwrap().unwrap();
    assert_eq!((link.rule.as_str(), link.manual), ("manual", true));
    assert!(ws.link_by_hand("no-such-call", None, None).is_err());
}

#[test]
fn links_only_calls_and_an_unknown_export_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::open(&dir.path().join("w.sqlite")).unwrap();
    // Bitrix24 calls with recordings as files under records/ are imported.
    let report = import_source(&ws, &fixture("bitrix24"), None, &ParseOptions::default()).unwrap();
    assert!(report.calls.new + report.calls.skipped > 0, "{report:?}");
    let junk = dir.path().join("junk");
    std::fs::create_dir_all(&junk).unwrap();
    std::fs::write(junk.join("readme.txt"), "hello").unwrap();
    let err = import_source(&ws, &junk, None, &ParseOptions::default()).unwrap_err();
    assert!(err.to_string().contains("junk"), "{err}");
}
