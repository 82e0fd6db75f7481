//! A reader for audio stored as fixed-size blocks: raw GSM (`.gsm`), GSM in
//! WAV and IMA/MS ADPCM in WAV.
//!
//! Why our own: symphonia's WAV reader rejects GSM, and for ADPCM it seeks
//! to `frame × block size` bytes instead of `block × block size`, landing
//! far off (or past the end) after any seek. In all these formats block `n`
//! starts at byte `data_start + n × block_bytes` and holds frames
//! `n × frames_per_block ..`, so a seek is one file seek to a block
//! boundary; the source then drops the frames before the target.

use std::io::{Seek, SeekFrom};

use symphonia::core::codecs::CodecParameters;
use symphonia::core::errors::{Error, Result, unsupported_error};
use symphonia::core::formats::{
    Cue, FormatOptions, FormatReader, Packet, SeekMode, SeekTo, SeekedTo, Track,
};
use symphonia::core::io::{MediaSourceStream, ReadBytes};
use symphonia::core::meta::{Metadata, MetadataLog};
use symphonia::core::units::TimeBase;

/// Where the blocks are and what they hold.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BlockLayout {
    pub data_start: u64,
    /// Bytes of block data (a trailing partial block is ignored).
    pub data_len: u64,
    pub block_bytes: u64,
    pub frames_per_block: u64,
}

impl BlockLayout {
    pub(crate) fn blocks(&self) -> u64 {
        self.data_len / self.block_bytes.max(1)
    }

    pub(crate) fn frames(&self) -> u64 {
        self.blocks() * self.frames_per_block
    }
}

pub(crate) struct BlockReader {
    source: MediaSourceStream,
    layout: BlockLayout,
    tracks: Vec<Track>,
    metadata: MetadataLog,
    blocks_per_packet: u64,
    next_block: u64,
    /// The source is positioned at `next_block` (no seek needed).
    in_place: bool,
}

impl BlockReader {
    /// `params` must name the codec, rate and channels; the length, time
    /// base and packet size are filled in here.
    pub(crate) fn new(
        source: MediaSourceStream,
        layout: BlockLayout,
        mut params: CodecParameters,
    ) -> BlockReader {
        let rate = params.sample_rate.unwrap_or(8000).max(1);
        let fpb = layout.frames_per_block.max(1);
        // About 100 ms per packet, whole blocks.
        let blocks_per_packet = (u64::from(rate) / 10 / fpb).max(1);
        params
            .with_time_base(TimeBase::new(1, rate))
            .with_n_frames(layout.frames())
            .with_frames_per_block(fpb)
            .with_max_frames_per_packet(blocks_per_packet * fpb);
        BlockReader {
            source,
            layout,
            tracks: vec![Track::new(0, params)],
            metadata: MetadataLog::default(),
            blocks_per_packet,
            next_block: 0,
            in_place: false,
        }
    }
}

impl FormatReader for BlockReader {
    fn try_new(_source: MediaSourceStream, _options: &FormatOptions) -> Result<Self> {
        unsupported_error("blocks: built with BlockReader::new")
    }

    fn cues(&self) -> &[Cue] {
        &[]
    }

    fn metadata(&mut self) -> Metadata<'_> {
        self.metadata.metadata()
    }

    fn seek(&mut self, _mode: SeekMode, to: SeekTo) -> Result<SeekedTo> {
        let fpb = self.layout.frames_per_block.max(1);
        let ts = match to {
            SeekTo::TimeStamp { ts, .. } => ts,
            SeekTo::Time { time, .. } => {
                let rate = self.tracks[0].codec_params.sample_rate.unwrap_or(8000);
                TimeBase::new(1, rate).calc_timestamp(time)
            }
        };
        let block = (ts / fpb).min(self.layout.blocks());
        self.next_block = block;
        self.in_place = false;
        Ok(SeekedTo {
            track_id: 0,
            required_ts: ts,
            actual_ts: block * fpb,
        })
    }

    fn tracks(&self) -> &[Track] {
        &self.tracks
    }

    fn next_packet(&mut self) -> Result<Packet> {
        let left = self.layout.blocks().saturating_sub(self.next_block);
        if left == 0 {
            return Err(Error::IoError(std::io::ErrorKind::UnexpectedEof.into()));
        }
        if !self.in_place {
            let at = self.layout.data_start + self.next_block * self.layout.block_bytes;
            self.source.seek(SeekFrom::Start(at))?;
            self.in_place = true;
        }
        let blocks = left.min(self.blocks_per_packet);
        let data = self
            .source
            .read_boxed_slice_exact((blocks * self.layout.block_bytes) as usize)?;
        let fpb = self.layout.frames_per_block;
        let packet = Packet::new_from_boxed_slice(0, self.next_block * fpb, blocks * fpb, data);
        self.next_block += blocks;
        Ok(packet)
    }

    fn into_inner(self: Box<Self>) -> MediaSourceStream {
        self.source
    }
}
