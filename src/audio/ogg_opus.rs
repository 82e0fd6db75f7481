//! Opus in Ogg without the encoder's pre-skip.
//!
//! Every Opus stream starts with `pre_skip` samples (usually 312, 6.5 ms)
//! that are decoder warm-up, not audio; the Ogg granule positions count
//! them. symphonia's Ogg reader passes them through, which would put our
//! clock 6.5 ms ahead of the recording and make calls that much longer.
//! This wrapper moves every timestamp back by `pre_skip`, trims those
//! samples from the first packet and shifts seek targets accordingly.

use symphonia::core::errors::Result;
use symphonia::core::formats::{
    Cue, FormatOptions, FormatReader, Packet, SeekMode, SeekTo, SeekedTo, Track,
};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::Metadata;

pub(crate) struct OggOpus {
    inner: Box<dyn FormatReader>,
    track_id: u32,
    pre_skip: u64,
    tracks: Vec<Track>,
}

impl OggOpus {
    pub(crate) fn new(inner: Box<dyn FormatReader>, track_id: u32) -> OggOpus {
        let mut tracks = inner.tracks().to_vec();
        let mut pre_skip = 0;
        for track in tracks.iter_mut().filter(|t| t.id == track_id) {
            let params = &mut track.codec_params;
            pre_skip = u64::from(params.delay.take().unwrap_or(0));
            if let Some(n) = params.n_frames {
                params.n_frames = Some(n.saturating_sub(pre_skip));
            }
        }
        OggOpus {
            inner,
            track_id,
            pre_skip,
            tracks,
        }
    }
}

impl FormatReader for OggOpus {
    fn try_new(_source: MediaSourceStream, _options: &FormatOptions) -> Result<Self> {
        symphonia::core::errors::unsupported_error("ogg_opus: built with OggOpus::new")
    }

    fn cues(&self) -> &[Cue] {
        self.inner.cues()
    }

    fn metadata(&mut self) -> Metadata<'_> {
        self.inner.metadata()
    }

    fn seek(&mut self, mode: SeekMode, to: SeekTo) -> Result<SeekedTo> {
        let to = match to {
            SeekTo::TimeStamp { ts, track_id } => SeekTo::TimeStamp {
                ts: ts + self.pre_skip,
                track_id,
            },
            time => time,
        };
        let mut seeked = self.inner.seek(mode, to)?;
        seeked.actual_ts = seeked.actual_ts.saturating_sub(self.pre_skip);
        seeked.required_ts = seeked.required_ts.saturating_sub(self.pre_skip);
        Ok(seeked)
    }

    fn tracks(&self) -> &[Track] {
        &self.tracks
    }

    fn next_packet(&mut self) -> Result<Packet> {
        let mut packet = self.inner.next_packet()?;
        if packet.track_id() == self.track_id {
            if packet.ts < self.pre_skip {
                let trim = (self.pre_skip - packet.ts).min(packet.dur);
                packet.trim_start = trim as u32;
                packet.dur -= trim;
                packet.ts = 0;
            } else {
                packet.ts -= self.pre_skip;
            }
        }
        Ok(packet)
    }

    fn into_inner(self: Box<Self>) -> MediaSourceStream {
        self.inner.into_inner()
    }
}
