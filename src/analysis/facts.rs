//! What the analysis tells the checklist: the line's state as the
//! telephony items ask it ([`crate::domain::auto_checks::AudioFacts`]).

use super::{CallAnalysis, HealthFlag, SILENT_MAX_SPEECH_MS};
use crate::domain::auto_checks::AudioFacts;

impl CallAnalysis {
    pub fn facts(&self) -> AudioFacts {
        let speaks = |talk_ms: u64| talk_ms >= SILENT_MAX_SPEECH_MS;
        let audible = match (&self.rep, &self.client) {
            (Some(rep), Some(client)) => speaks(rep.talk_ms) && speaks(client.talk_ms),
            _ => speaks(self.speech_ms()),
        };
        AudioFacts {
            audible,
            one_way: self.has_flag(|f| matches!(f, HealthFlag::OneWayAudio { .. })),
            dead_line: self
                .has_flag(|f| matches!(f, HealthFlag::LongDeadAir { .. } | HealthFlag::Silent)),
            heavy_clipping: self.has_flag(|f| matches!(f, HealthFlag::HeavyClipping)),
            first_speech_ms: self.speech.first().map(|s| s.start_ms),
        }
    }
}
