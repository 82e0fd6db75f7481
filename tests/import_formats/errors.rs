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
