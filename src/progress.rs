//! Progress of the long commands (`import`, `analyze`) on stderr: a bar
//! when stderr is a terminal, plain lines otherwise (a log, CI, a pipe),
//! at most one every few seconds (none for a command done sooner), so
//! standard output stays the report.

use callqa::domain::Lang;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How often plain lines report where a command is; the first comes this
/// long after the start, so a short command prints nothing but its result
/// (and a failure stays one line).
const PLAIN_EVERY: Duration = Duration::from_secs(5);

pub struct Progress {
    bar: Option<ProgressBar>,
    plain: Mutex<Plain>,
}

/// What the plain lines remember: the stage shown and when the last line
/// was written.
struct Plain {
    stage: String,
    total: usize,
    last: Instant,
}

impl Progress {
    /// A bar if stderr is a terminal, else plain lines.
    pub fn on_stderr() -> Self {
        // The style is set by the first stage.
        let bar = std::io::stderr()
            .is_terminal()
            .then(|| ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()));
        Progress {
            bar,
            plain: Mutex::new(Plain {
                stage: String::new(),
                total: 0,
                last: Instant::now(),
            }),
        }
    }

    /// `done` of `total` in `stage`; a new stage name starts a new count.
    /// `total` 0: a stage without a count.
    pub fn update(&self, stage: &str, done: usize, total: usize) {
        let mut plain = self.plain.lock().unwrap_or_else(|e| e.into_inner());
        let new_stage = plain.stage != stage || plain.total != total;
        if let Some(bar) = &self.bar {
            if new_stage {
                // The style first: each call below may draw.
                if total == 0 {
                    bar.set_style(style("{spinner} {msg}"));
                    bar.enable_steady_tick(Duration::from_millis(120));
                } else {
                    bar.disable_steady_tick();
                    bar.set_style(
                        style("{msg:20} [{bar:30}] {human_pos}/{human_len} {eta_precise}")
                            .progress_chars("=> "),
                    );
                }
                bar.reset();
                bar.set_length(total as u64);
                bar.set_message(stage.to_string());
            }
            bar.set_position(done as u64);
        } else if plain.last.elapsed() >= PLAIN_EVERY {
            if total == 0 {
                eprintln!("{stage}...");
            } else {
                eprintln!("{stage}: {done}/{total}");
            }
            plain.last = Instant::now();
        }
        plain.stage = stage.to_string();
        plain.total = total;
    }

    /// A line of its own (a failure), above the bar.
    pub fn line(&self, text: &str) {
        match &self.bar {
            Some(bar) => bar.println(text),
            None => eprintln!("{text}"),
        }
    }

    /// Take the bar off the screen.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).expect("the templates above are valid")
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

/// The progress words, in both languages. (They belong in `callqa::i18n`
/// with the other command-line strings.)
pub struct ProgressStrings {
    pub reading: &'static str,
    pub probing: &'static str,
    pub storing: &'static str,
    pub linking: &'static str,
    pub analysing: &'static str,
    /// `{done}` calls analysed, `{failed}` not.
    pub analysed: &'static str,
    /// `{left}` calls left after a stop.
    pub stopped: &'static str,
    pub cannot_analyse: &'static str,
}

pub fn strings(lang: Lang) -> &'static ProgressStrings {
    match lang {
        Lang::En => &EN,
        Lang::Ru => &RU,
    }
}

const EN: ProgressStrings = ProgressStrings {
    reading: "reading files",
    probing: "probing recordings",
    storing: "storing",
    linking: "linking calls",
    analysing: "analysing calls",
    analysed: "{done} calls analysed, {failed} could not be",
    stopped: "stopped: {left} calls left; run callqa analyze again to go on",
    cannot_analyse: "could not analyse",
};

const RU: ProgressStrings = ProgressStrings {
    reading: "чтение файлов",
    probing: "проверка записей",
    storing: "сохранение",
    linking: "связывание звонков",
    analysing: "анализ звонков",
    analysed: "проанализировано звонков: {done}, не удалось: {failed}",
    stopped: "остановлено: осталось звонков: {left}; запустите callqa analyze снова, чтобы продолжить",
    cannot_analyse: "не удалось проанализировать",
};
