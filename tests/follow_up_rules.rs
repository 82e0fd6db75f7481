//! One answer to "is this call written up?" and "did the rep set a next
//! step?" wherever callqa shows it: the CRM pane's record, the automatic
//! checklist answers and the audit all read the decision linking stored.

use callqa::domain::auto_checks::{Facts, automatic_answers};
use callqa::domain::{AnswerValue, Checklist};
use callqa::import::formats::ParseOptions;
use callqa::import::{import_source, link_by_hand};
use callqa::reports::audit::{AuditData, required_fields};
use callqa::store::Workspace;
use std::path::Path;

/// A batch with two calls to two clients at 10:00 on 23.11:
/// - `late`: the only note comes 72 h later, the only task was due two
///   weeks before the call;
/// - `prompt`: a note 2 h later and a task due the day after;
///
/// and a third client, K3, with a note but no call linked to it.
fn batch(dir: &Path) -> std::path::PathBuf {
    let root = dir.join("batch");
    std::fs::create_dir_all(root.join("crm")).unwrap();
    let wav = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo/recordings/call-001.wav");
    std::fs::copy(wav, root.join("c.wav")).unwrap();
    std::fs::write(
        root.join("calls.csv"),
        "call_id,started_at,rep,direction,phone,recording,contact_id,deal_id\n\
         late,2026-11-23T10:00:00+03:00,Анна,out,+79160000001,c.wav,K1,D1\n\
         prompt,2026-11-23T10:00:00+03:00,Анна,out,+79160000002,c.wav,K2,D2\n",
    )
    .unwrap();
    std::fs::write(
        root.join("crm/contacts.csv"),
        "contact_id,name,role,phone,email,owner_rep\n\
         K1,Ольга,закупщик,+79160000001,o@x.ru,Анна\n\
         K2,Иван,директор,+79160000002,i@x.ru,Анна\n\
         K3,Пётр,инженер,+79160000003,p@x.ru,Анна\n",
    )
    .unwrap();
    std::fs::write(
        root.join("crm/deals.csv"),
        "deal_id,contact_id,title,stage,amount,source,owner_rep\n\
         D1,K1,Панели,КП,100000,сайт,Анна\n\
         D2,K2,Панели,КП,100000,сайт,Анна\n",
    )
    .unwrap();
    std::fs::write(
        root.join("crm/tasks.csv"),
        "task_id,deal_id,contact_id,owner_rep,text,due_at,done\n\
         T1,D1,K1,Анна,Отправить КП,2026-11-09T10:00:00+03:00,0\n\
         T2,D2,K2,Анна,Отправить КП,2026-11-24T10:00:00+03:00,0\n",
    )
    .unwrap();
    std::fs::write(
        root.join("crm/notes.csv"),
        "note_id,deal_id,contact_id,call_id,author_rep,created_at,text\n\
         N1,D1,K1,,Анна,2026-11-26T10:00:00+03:00,Итоги\n\
         N2,D2,K2,,Анна,2026-11-23T12:00:00+03:00,Итоги\n\
         N3,,K3,,Анна,2026-11-23T11:00:00+03:00,Итоги\n",
    )
    .unwrap();
    root
}

fn auto_answer(ws: &Workspace, call_id: &str, item: &str) -> Option<AnswerValue> {
    let call = ws.call(call_id).unwrap();
    let crm = ws.crm_for_call(&call).unwrap();
    let facts = Facts::gather(&call, Some(&crm));
    automatic_answers(&Checklist::default_sales_call(), &facts)
        .into_iter()
        .find(|(id, _)| id == item)
        .and_then(|(_, a)| a.value)
}

#[test]
fn pane_checklist_and_audit_agree_on_write_up_and_next_step() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::open(&dir.path().join("ws.sqlite")).unwrap();
    let report = import_source(&ws, &batch(dir.path()), None, &ParseOptions::default()).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);

    // The CRM pane reads these from the record.
    let late = ws.call("late").unwrap();
    let late_crm = ws.crm_for_call(&late).unwrap();
    assert!(
        !late_crm.is_written_up(),
        "a note 72 h later is no write-up"
    );
    assert!(
        late_crm.next_step(&late).is_none(),
        "a task due before the call is not its next step"
    );
    let prompt = ws.call("prompt").unwrap();
    let prompt_crm = ws.crm_for_call(&prompt).unwrap();
    assert_eq!(prompt_crm.write_up_note_ids, vec!["N2"]);
    assert_eq!(prompt_crm.next_step(&prompt).unwrap().task_id, "T2");

    // The automatic checklist answers.
    assert_eq!(
        auto_answer(&ws, "late", "crm_written"),
        Some(AnswerValue::No)
    );
    assert_eq!(
        auto_answer(&ws, "late", "crm_next_step"),
        Some(AnswerValue::No)
    );
    assert_eq!(
        auto_answer(&ws, "prompt", "crm_written"),
        Some(AnswerValue::Yes)
    );
    assert_eq!(
        auto_answer(&ws, "prompt", "crm_next_step"),
        Some(AnswerValue::Yes)
    );

    // The audit.
    let audit = AuditData::load(&ws)
        .unwrap()
        .report(&required_fields(&ws).unwrap(), None)
        .unwrap();
    assert_eq!(audit.overall.calls_without_write_up, vec!["late"]);

    // The reviewer finds `late` was really a call to K3, whose contact has
    // a note an hour after it: the write-up follows the manual link at once.
    link_by_hand(&ws, "late", Some("K3"), None).unwrap();
    let late_crm = ws.crm_for_call(&ws.call("late").unwrap()).unwrap();
    assert_eq!(late_crm.write_up_note_ids, vec!["N3"]);
    assert_eq!(
        auto_answer(&ws, "late", "crm_written"),
        Some(AnswerValue::Yes)
    );
    let audit = AuditData::load(&ws)
        .unwrap()
        .report(&required_fields(&ws).unwrap(), None)
        .unwrap();
    assert!(audit.overall.calls_without_write_up.is_empty());
}
