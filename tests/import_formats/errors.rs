//! Bad records, unknown layouts and profile typos, each named precisely.

use super::*;

#[test]
fn a_bad_record_names_file_line_or_record_and_field() {
    let cases: Vec<(&str, SourceFormat, &str, &str, &str, &str)> = vec![
        (
            "asterisk",
            SourceFormat::AsteriskCdr,
            "Master.csv",
            "2026-11-23 10:15:02\",\"2026",
            "2026-13-23 10:15:02\",\"2026",
            "Master.csv:1: 1795418102.18: field `start`",
        ),
        (
            "freepbx",
            SourceFormat::FreePbxCdr,
            "cdr_export_2026-11-23.csv",
            "\"248\",\"242\"",
            "\"248\",\"4m\"",
            "cdr_export_2026-11-23.csv:3: 1795420800.32: field `billsec`",
        ),
        (
            "amocrm-json",
            SourceFormat::AmoCrmJson,
            "leads_notes.json",
            "\"created_at\": 1795419600",
            "\"created_at\": \"вчера\"",
            "leads_notes.json: _embedded.notes[1] id 5002: field `created_at`",
        ),
        (
            "amocrm-csv-utf8",
            SourceFormat::AmoCrmCsv,
            "export.csv",
            "21.11.2026 14:00:00",
            "31.02.2026 14:00:00",
            "export.csv:3: 1002: field `Дата создания сделки`",
        ),
        (
            "bitrix24",
            SourceFormat::Bitrix24Json,
            "voximplant.statistic.get.json",
            "2026-11-23T11:00:05+03:00",
            "вчера",
            "voximplant.statistic.get.json: [0].result[1] ID 7: field `CALL_START_DATE`",
        ),
        (
            "hubspot",
            SourceFormat::HubSpotCsv,
            "hubspot-crm-exports-all-deals-2026-11-25.csv",
            "12,500.00",
            "много",
            "hubspot-crm-exports-all-deals-2026-11-25.csv:3: 9002: field `Amount`",
        ),
        (
            "generic",
            SourceFormat::Generic,
            "call_log.csv",
            "23/11/2026 11:00",
            "31/02/2026 11:00",
            "call_log.csv:3: C-2: field `started_at`",
        ),
    ];
    for (name, format, file, from, to, expected) in cases {
        let (_dir, root) = broken(name, file, from, to);
        let good = formats::parse(&fixture(name), format, &ParseOptions::default()).unwrap();
        let bad = formats::parse(&root, format, &ParseOptions::default()).unwrap();
        let messages = problems(&bad);
        assert_eq!(messages.len(), 1, "{name}: {messages:?}");
        assert!(messages[0].starts_with(expected), "{name}: {}", messages[0]);
        let count = |p: &Parsed| p.calls.len() + p.deals.len() + p.notes.len();
        assert_eq!(
            count(&bad) + 1,
            count(&good),
            "{name}: only the bad record is left out"
        );
    }
}

#[test]
fn detection_says_what_it_cannot_tell() {
    assert!(matches!(
        formats::detect(&fixture("nowhere")),
        Err(FormatError::NotFound(_))
    ));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "hello\n").unwrap();
    assert!(matches!(
        formats::detect(dir.path()),
        Err(FormatError::Unrecognised { .. })
    ));
    copy_dir(&fixture("asterisk"), dir.path());
    copy_dir(&fixture("amocrm-json"), dir.path());
    let err = formats::detect(dir.path()).unwrap_err().to_string();
    assert!(err.contains("asterisk-cdr, amocrm-json"), "{err}");
    let files = formats::detect_files(dir.path());
    assert!(
        files
            .iter()
            .any(|(p, f)| p.ends_with("Master.csv") && *f == SourceFormat::AsteriskCdr)
    );
    // A mixed folder still imports one format at a time.
    let p = formats::parse(
        dir.path(),
        SourceFormat::AsteriskCdr,
        &ParseOptions::default(),
    )
    .unwrap();
    assert_eq!(p.calls.len(), 3);
    assert_eq!(
        SourceFormat::from_code("kommo-json"),
        Some(SourceFormat::AmoCrmJson)
    );
}

#[test]
fn mapping_profiles_refuse_typos() {
    let err = MappingProfile::from_toml(
        "[calls]\nfile = \"a.csv\"\ncall_id = \"ID\"\nstarted = \"Date\"\n",
    )
    .unwrap_err();
    assert!(err.contains("[calls] has no field `started`"), "{err}");
    let err =
        MappingProfile::from_toml("[notes]\nfile = \"n.csv\"\nnote_id = \"ID\"\ntext = \"T\"\n")
            .unwrap_err();
    assert!(err.contains("[notes] needs `created_at`"), "{err}");
}

/// A copy of a fixture with one file's bytes changed by `change`.
fn altered(
    name: &str,
    file: &str,
    change: impl FnOnce(&mut Vec<u8>),
) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join(name);
    copy_dir(&fixture(name), &root);
    let mut bytes = std::fs::read(root.join(file)).unwrap();
    change(&mut bytes);
    std::fs::write(root.join(file), bytes).unwrap();
    (dir, root)
}

#[test]
fn a_truncated_or_garbled_json_file_is_named_not_dropped() {
    let cases = [
        ("bitrix24", "voximplant.statistic.get.json"),
        ("amocrm-json", "contacts.json"),
    ];
    for (name, file) in cases {
        let (_dir, root) = altered(name, file, |b| b.truncate(300));
        let format = formats::detect(&root).unwrap();
        let parsed = formats::parse(&root, format, &ParseOptions::default()).unwrap();
        let messages = problems(&parsed);
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with(&format!("{file}:")) && m.contains("not valid JSON")),
            "{name}: {messages:?}"
        );

        // Garbled rather than cut: still named, and the import says rows
        // were skipped (the command's exit code 2).
        let (dir, root) = altered(name, file, |b| b[0] = b'#');
        let ws = callqa::store::Workspace::open(&dir.path().join("w.sqlite")).unwrap();
        let report =
            callqa::import::import_source(&ws, &root, None, &ParseOptions::default()).unwrap();
        assert!(
            report.problems.iter().any(|p| p.file == file),
            "{name}: {:?}",
            report.problems
        );
    }
    // Nothing else in the folder: the error names the file and the reason.
    let dir = tempfile::tempdir().unwrap();
    let mut cut = std::fs::read(fixture("bitrix24").join("voximplant.statistic.get.json")).unwrap();
    cut.truncate(300);
    std::fs::write(dir.path().join("voximplant.statistic.get.json"), cut).unwrap();
    let err = formats::detect(dir.path()).unwrap_err().to_string();
    assert!(
        err.contains("unreadable: voximplant.statistic.get.json:")
            && err.contains("not valid JSON"),
        "{err}"
    );
}

/// When no layout fits, the error names the file, the line and what kept
/// the closest layout from fitting.
#[test]
fn detection_names_the_line_that_stopped_the_closest_format() {
    type Change = fn(&mut Vec<u8>);
    let cases: [(&str, &str, Change, &str); 3] = [
        (
            // A Master.csv under another name with a bad start time.
            "asterisk",
            "Master.csv",
            |b| {
                let text = String::from_utf8(b.clone()).unwrap();
                *b = text
                    .replacen("2026-11-23 10:15:02", "23/11/2026 10:15", 1)
                    .into_bytes();
            },
            "cdr.csv:1: an Asterisk Master.csv record, but field 10 (start) \"23/11/2026 10:15\"",
        ),
        (
            // One bad byte in the FreePBX header.
            "freepbx",
            "cdr_export_2026-11-23.csv",
            |b| b[3] = 0xff,
            "cdr_export_2026-11-23.csv:1: cannot read the header row: not UTF-8 text (field 1)",
        ),
        (
            // A UTF-8 BOM on a Windows-1251 amoCRM export.
            "amocrm-csv",
            "amocrm_export_leads_2026-11-25.csv",
            |b| b.splice(0..0, *b"\xef\xbb\xbf").for_each(drop),
            "amocrm_export_leads_2026-11-25.csv:1: cannot read the header row: not UTF-8 text",
        ),
    ];
    for (name, file, change, expected) in cases {
        let (_dir, root) = altered(name, file, change);
        if file == "Master.csv" {
            std::fs::rename(root.join(file), root.join("cdr.csv")).unwrap();
        }
        let err = formats::detect(&root).unwrap_err().to_string();
        assert!(err.contains("no export callqa knows"), "{name}: {err}");
        assert!(err.contains(expected), "{name}: {err}");
    }
}
