//! 7z archives: members of each block decoded in turn, under the same guards as ZIP members.
//!
//! A 7z archive packs members into blocks ("folders"); a solid block is one compressed stream
//! holding many members back to back, so a member can only be reached by decoding those before
//! it. Every member decoded on the way is read through the same capped reader, counted against
//! the archive's budget, and checked; decoding a block stops at the first member that breaks a
//! cap, so the rest of a bomb is never inflated.

use std::cell::Cell;
use std::io::{Cursor, Read};

use sevenz_rust2::{Archive, ArchiveEntry, BlockDecoder, EncoderMethod, Error, Password};

use super::{corrupt, encrypted_member, inflate_member, member_limit, unsafe_path, Event, Limits};
use crate::evidence;
use crate::finding::Finding;
use crate::rules::archive as rules;

/// Lists and inflates the members of a 7z archive.
pub(super) fn unpack(
    content: &[u8],
    limits: &Limits,
    inflated: &Cell<u64>,
    visit: &mut dyn FnMut(Event),
) {
    let dictionary = crate::decompress::dictionary_limit(limits.max_member_bytes);
    let memory_kb = usize::try_from(dictionary / 1024).unwrap_or(usize::MAX);
    let mut source = Cursor::new(content);
    let password = Password::empty();
    let archive = match Archive::read_with_memory_limit(&mut source, &password, memory_kb) {
        Ok(archive) => archive,
        Err(error) if is_encryption(&error) => return visit(Event::Problem(encrypted_header())),
        Err(error) => return visit(Event::Problem(corrupt(None, &error.to_string()))),
    };
    if archive.files.len() > limits.max_members {
        visit(Event::Problem(member_limit(
            archive.files.len(),
            limits.max_members,
        )));
    }

    let mut listed = 0usize;
    for block_index in 0..archive.blocks.len() {
        let files = block_files(&archive, block_index);
        // The packed size is recorded on a block's first member only.
        let packed = files
            .iter()
            .map(|entry| entry.compressed_size)
            .max()
            .unwrap_or(0);
        if is_block_encrypted(&archive, block_index) {
            for entry in files.iter().filter(|entry| !entry.is_directory) {
                listed += 1;
                visit(Event::Problem(encrypted_member(&entry.name, packed)));
            }
            continue;
        }
        let mut member = Member {
            limits,
            inflated,
            packed,
            listed: &mut listed,
            current: None,
            visit,
        };
        let decoder = BlockDecoder::new_with_memory_limit(
            1,
            memory_kb,
            block_index,
            &archive,
            &password,
            &mut source,
        );
        let result = decoder.for_each_entries(&mut |entry, reader| Ok(member.read(entry, reader)));
        if let Err(error) = result {
            let name = member.current.take();
            visit(Event::Problem(corrupt(name.as_deref(), &error.to_string())));
        }
        if listed >= limits.max_members {
            return;
        }
    }

    for (index, entry) in archive.files.iter().enumerate() {
        let in_block = archive
            .stream_map
            .file_block_index
            .get(index)
            .is_some_and(Option::is_some);
        if in_block || entry.is_directory || entry.is_anti_item {
            continue;
        }
        listed += 1;
        if listed > limits.max_members {
            return;
        }
        match unsafe_path(&entry.name) {
            Some(problem) => visit(Event::Problem(problem)),
            None => visit(Event::Member {
                name: entry.name.clone(),
                bytes: Vec::new(),
            }),
        }
    }
}

/// One block's decoding: what the callback of `BlockDecoder::for_each_entries` needs.
struct Member<'a, 'v> {
    limits: &'a Limits,
    inflated: &'a Cell<u64>,
    /// Packed bytes of the whole block, the compressed size ratios are judged against.
    // Limitation: in a solid block each member's ratio is its own inflated size over the whole
    // block's packed size, so it understates; the member and total caps still hold exactly.
    packed: u64,
    listed: &'a mut usize,
    /// The member being decoded, named in a finding if the decoder fails on it.
    current: Option<String>,
    visit: &'v mut dyn FnMut(Event),
}

impl Member<'_, '_> {
    /// Reads one member; `false` stops decoding the block without draining it.
    fn read(&mut self, entry: &ArchiveEntry, reader: &mut dyn Read) -> bool {
        if entry.is_directory || entry.is_anti_item {
            return true;
        }
        *self.listed += 1;
        if *self.listed > self.limits.max_members {
            return false;
        }
        self.current = Some(entry.name.clone());
        let visit = &mut *self.visit;
        match unsafe_path(&entry.name) {
            Some(problem) => {
                visit(Event::Problem(problem));
                self.skip(&entry.name, reader)
            }
            None => inflate_member(
                reader,
                &entry.name,
                self.packed,
                self.limits,
                self.inflated,
                visit,
            ),
        }
    }

    /// Decodes a member that is not checked (its path escapes) under the same caps, because
    /// the members after it in a solid block can only be reached through it.
    fn skip(&mut self, name: &str, reader: &mut dyn Read) -> bool {
        let mut discarded = Vec::new();
        let visit = &mut *self.visit;
        let within = inflate_member(
            reader,
            name,
            self.packed,
            self.limits,
            self.inflated,
            &mut |event| {
                if let Event::Problem(finding) = event {
                    discarded.push(finding);
                }
            },
        );
        for finding in discarded {
            visit(Event::Problem(finding));
        }
        within
    }
}

/// The members stored in a block, in the order they are decoded.
fn block_files(archive: &Archive, block_index: usize) -> &[ArchiveEntry] {
    let map = &archive.stream_map;
    let first = map.block_first_file_index.get(block_index).copied();
    let end = (0..archive.files.len())
        .filter(|&index| map.file_block_index.get(index).copied().flatten() == Some(block_index))
        .max()
        .map(|last| last + 1);
    match (first, end) {
        (Some(first), Some(end)) if first < end => archive.files.get(first..end).unwrap_or(&[]),
        _ => &[],
    }
}

/// Whether a block passes through the 7z AES-256 + SHA-256 coder.
fn is_block_encrypted(archive: &Archive, block_index: usize) -> bool {
    archive.blocks.get(block_index).is_some_and(|block| {
        block
            .coders
            .iter()
            .any(|coder| coder.encoder_method_id() == EncoderMethod::ID_AES256_SHA256)
    })
}

/// The crate is built without its AES decoder: an encrypted header fails as an unsupported
/// method named after the AES coder (or as a missing password, were the decoder enabled).
fn is_encryption(error: &Error) -> bool {
    match error {
        Error::PasswordRequired | Error::MaybeBadPassword(_) => true,
        Error::UnsupportedCompressionMethod(method) => method.contains("AES"),
        _ => false,
    }
}

/// `7z a -mhe=on`: the list of members is itself encrypted, so nothing can be named.
fn encrypted_header() -> Finding {
    Finding::new(
        &rules::ENCRYPTED_MEMBER,
        "the 7z archive's header is encrypted (AES-256): not even its member names can be read",
    )
    .with_evidence(evidence! {"format" => "7z", "encrypted" => "header"})
}
