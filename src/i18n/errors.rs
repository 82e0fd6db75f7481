//! What is wrong with a recording, in the workspace language.
//!
//! The error types keep one English `Display` (logs, the command line, the
//! tests); the workstation, where a Russian-speaking reviewer reads them,
//! words them here from the typed error, so a translation can never drift
//! from the case it describes. A detail that comes from a decoder or the
//! operating system follows as it came.

use crate::analysis::AnalysisError;
use crate::audio::AudioError;
use crate::domain::Lang;

fn seconds(lang: Lang, ms: u64) -> String {
    let value = format!("{:.1}", ms as f64 / 1000.0);
    match lang {
        Lang::En => format!("{value} s"),
        Lang::Ru => format!("{} с", value.replace('.', ",")),
    }
}

/// A recording that cannot be opened or played, named by its file.
pub fn audio(lang: Lang, error: &AudioError) -> String {
    if lang == Lang::En {
        return error.to_string();
    }
    let s = |ms: &u64| seconds(lang, *ms);
    match error {
        AudioError::Open { file, reason } => format!("{file}: не открывается: {reason}"),
        AudioError::Empty { file } => format!("{file}: пустой файл (0 байт)"),
        AudioError::NotAudio { file } => {
            format!("{file}: не аудиофайл (формат не распознан)")
        }
        AudioError::UnsupportedFormat { file, format } => {
            format!("{file}: формат {format} не поддерживается")
        }
        AudioError::UnsupportedCodec { file, codec } => {
            format!("{file}: кодек {codec} не поддерживается")
        }
        AudioError::Truncated {
            file,
            promised_ms,
            holds_ms,
        } => format!(
            "{file}: файл обрезан: в заголовке {}, в файле {}",
            s(promised_ms),
            s(holds_ms)
        ),
        AudioError::Unfinalised { file, holds_ms } => format!(
            "{file}: в заголовке нет длины данных (запись не была завершена), в файле {}",
            s(holds_ms)
        ),
        AudioError::NoAudio { file } => format!("{file}: в файле нет звука"),
        AudioError::Corrupt { file, detail } => format!("{file}: файл повреждён: {detail}"),
        AudioError::Io { file, reason } => format!("{file}: ошибка чтения: {reason}"),
        AudioError::Implausible { file, detail } => {
            format!("{file}: заголовок не может быть верным: {detail}")
        }
        AudioError::Crashed { file, detail } => {
            format!("{file}: декодер не справился с этим файлом: {detail}")
        }
    }
}

/// Why a recording could not be analysed.
pub fn analysis(lang: Lang, error: &AnalysisError) -> String {
    match (error, lang) {
        (AnalysisError::Audio(e), _) => audio(lang, e),
        (_, Lang::En) => error.to_string(),
        (AnalysisError::Read { file, reason }, Lang::Ru) => {
            format!("{file}: анализ прерван: {reason}")
        }
        (AnalysisError::NoAudio { file }, Lang::Ru) => {
            format!("{file}: нет звука для анализа")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_audio_error() -> Vec<AudioError> {
        let file = "call.wav".to_string();
        vec![
            AudioError::Open {
                file: file.clone(),
                reason: "permission denied".into(),
            },
            AudioError::Empty { file: file.clone() },
            AudioError::NotAudio { file: file.clone() },
            AudioError::UnsupportedFormat {
                file: file.clone(),
                format: "MP4".into(),
            },
            AudioError::UnsupportedCodec {
                file: file.clone(),
                codec: "AAC".into(),
            },
            AudioError::Truncated {
                file: file.clone(),
                promised_ms: 60_000,
                holds_ms: 1_500,
            },
            AudioError::Unfinalised {
                file: file.clone(),
                holds_ms: 2_000,
            },
            AudioError::NoAudio { file: file.clone() },
            AudioError::Corrupt {
                file: file.clone(),
                detail: "bad frame".into(),
            },
            AudioError::Io {
                file: file.clone(),
                reason: "I/O error".into(),
            },
            AudioError::Implausible {
                file: file.clone(),
                detail: "sample rate 0 Hz".into(),
            },
            AudioError::Crashed {
                file,
                detail: "index out of bounds".into(),
            },
        ]
    }

    #[test]
    fn every_recording_error_is_worded_in_russian_and_names_the_file() {
        for error in every_audio_error() {
            let en = audio(Lang::En, &error);
            let ru = audio(Lang::Ru, &error);
            assert_eq!(en, error.to_string());
            assert!(ru.starts_with("call.wav: "), "{ru}");
            assert_ne!(ru, en);
            let words = ru.trim_start_matches("call.wav: ");
            assert!(
                words
                    .chars()
                    .next()
                    .is_some_and(|c| ('а'..='я').contains(&c)),
                "not Russian: {ru}"
            );
        }
        let truncated = &every_audio_error()[5];
        assert_eq!(
            audio(Lang::Ru, truncated),
            "call.wav: файл обрезан: в заголовке 60,0 с, в файле 1,5 с"
        );
    }

    #[test]
    fn analysis_errors_follow_the_recording_error_they_wrap() {
        let wrapped = AnalysisError::Audio(AudioError::Empty {
            file: "x.wav".into(),
        });
        assert_eq!(analysis(Lang::Ru, &wrapped), "x.wav: пустой файл (0 байт)");
        let read = AnalysisError::Read {
            file: "x.wav".into(),
            reason: "bad packet".into(),
        };
        assert_eq!(analysis(Lang::En, &read), read.to_string());
        assert_eq!(
            analysis(Lang::Ru, &read),
            "x.wav: анализ прерван: bad packet"
        );
    }
}
