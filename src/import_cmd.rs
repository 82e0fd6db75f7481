//! `callqa import`: a batch or an export into the workspace, with a
//! progress bar on a terminal and every skipped row named with its file
//! and line; the exit code says whether anything was left out.

use crate::{EXIT_PARTIAL, emails_cmd, progress};
use callqa::domain::Lang;
use callqa::store::Workspace;
use callqa::text::{one_line, path_line};
use std::path::Path;
use std::process::ExitCode;

pub fn run(
    ws: &Workspace,
    lang: Lang,
    batch: &Path,
    format: Option<callqa::import::formats::SourceFormat>,
    options: &callqa::import::formats::ParseOptions,
) -> anyhow::Result<ExitCode> {
    let t = callqa::i18n::strings(lang);
    let words = progress::strings(lang);
    let bar = progress::Progress::on_stderr();
    let report = callqa::import::import_source_with_progress(
        ws,
        batch,
        format,
        options,
        &|stage, done, total| {
            use callqa::import::ImportStage;
            let name = match stage {
                ImportStage::Reading => words.reading,
                ImportStage::Probing => words.probing,
                ImportStage::Storing => words.storing,
                ImportStage::Linking => words.linking,
            };
            bar.update(name, done, total);
        },
    );
    bar.finish();
    let report = report?;
    for problem in &report.problems {
        println!(
            "{}: {}",
            t.cli_skipped,
            one_line(&problem.to_string(), 2000)
        );
    }
    for warning in &report.warnings {
        println!(
            "{}: {}",
            t.cli_warning,
            one_line(&warning.to_string(), 2000)
        );
    }
    println!(
        "{} {} {} {}",
        t.cli_imported_into[0],
        path_line(batch),
        t.cli_imported_into[1],
        ws.address()
    );
    let [new, updated, unchanged, skipped] = t.cli_counts;
    for (name, c) in t.cli_kinds.iter().zip([
        &report.calls,
        &report.contacts,
        &report.deals,
        &report.tasks,
        &report.notes,
    ]) {
        println!(
            "{name:<9} {} {new}, {} {updated}, {} {unchanged}, {} {skipped}",
            c.new, c.updated, c.unchanged, c.skipped
        );
    }
    emails_cmd::print_import_counts(&report, lang);
    Ok(if report.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        println!("{} {}", report.problems.len(), t.cli_problems);
        ExitCode::from(EXIT_PARTIAL)
    })
}
