//! `callqa migrate --from A --to B`: a solo SQLite workspace moved into a
//! team's PostgreSQL database, or a team's workspace back into a file. The
//! target must be empty; every table's rows are counted on both sides
//! after the copy, and a difference fails the command.

use callqa::domain::Lang;
use callqa::store::{Address, Workspace};
use std::process::ExitCode;

/// The command's words, in both languages.
struct Words {
    copied: &'static str,
    rows: &'static str,
    mismatch: &'static str,
    same_place: &'static str,
}

const EN: Words = Words {
    copied: "Copied",
    rows: "rows",
    mismatch: "rows differ after the copy",
    same_place: "--from and --to name the same workspace",
};

const RU: Words = Words {
    copied: "Скопировано",
    rows: "строк",
    mismatch: "после копирования число строк не совпадает",
    same_place: "--from и --to указывают на одно и то же рабочее пространство",
};

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::En => &EN,
        Lang::Ru => &RU,
    }
}

pub fn migrate(from: &Address, to: &Address, lang: Lang) -> anyhow::Result<ExitCode> {
    let w = words(lang);
    anyhow::ensure!(from != to, "{}", w.same_place);
    let source = Workspace::open_existing(from)?;
    let target = Workspace::open(to)?;
    let counts = source.copy_into(&target)?;
    let mut differ = Vec::new();
    for count in &counts {
        println!(
            "{:<18} {:>9} → {:>9}",
            count.table, count.source, count.target
        );
        if count.source != count.target {
            differ.push(count.table);
        }
    }
    anyhow::ensure!(differ.is_empty(), "{}: {}", w.mismatch, differ.join(", "));
    let total: u64 = counts.iter().map(|c| c.target).sum();
    println!("{} {total} {}: {from} → {to}", w.copied, w.rows);
    Ok(ExitCode::SUCCESS)
}
