//! Office Open XML (docx, docm, xlsx, xlsm, pptx) and OpenDocument (odt, ods, odp) packages.
//!
//! Both are ZIPs of XML parts. Parts are listed from the central directory and the few that
//! matter are inflated one at a time under the same guards as archive members: the bytes
//! produced are counted, declared sizes are never trusted.

use std::io::{Cursor, Read};

use zip::ZipArchive;

use super::text::{attributes, collapse, excerpt, strip_tags, tags};
use super::{
    part, too_large, words, Budget, Limits, Member, TextPart, XmlPart, COMMENTS_AND_REVISIONS,
    DOCUMENT_MACRO, EMBEDDED_OBJECT, EXTERNAL_REFERENCE, UNREADABLE_DOCUMENT,
};
use crate::evidence;
use crate::finding::Finding;
use crate::rules::archive::ENCRYPTED_MEMBER;
use crate::rules::Findings;

type Package<'a> = ZipArchive<Cursor<&'a [u8]>>;

/// What a part is, from its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Macro,
    Embedded,
    Relationships,
    Comments,
    Body,
    Media,
    Other,
}

fn role(name: &str) -> Role {
    let lower = name.to_ascii_lowercase();
    let base = lower.rsplit('/').next().unwrap_or(&lower);
    if base == "vbaproject.bin"
        || base == "vbadata.xml"
        || lower.starts_with("basic/")
        || lower.starts_with("scripts/")
    {
        Role::Macro
    } else if lower.contains("/embeddings/") || is_odf_object(name) {
        Role::Embedded
    } else if lower.ends_with(".rels") {
        Role::Relationships
    } else if base.starts_with("comments")
        || lower.contains("/threadedcomments/")
        || lower.starts_with("ppt/comments/")
    {
        Role::Comments
    } else if lower.starts_with("word/") && lower.ends_with(".xml")
        || lower == "content.xml"
        || lower == "styles.xml"
    {
        Role::Body
    } else if lower.starts_with("word/media/")
        || lower.starts_with("ppt/media/")
        || lower.starts_with("xl/media/")
        || lower.starts_with("pictures/")
    {
        Role::Media
    } else {
        Role::Other
    }
}

/// OpenDocument sub-documents live in folders named `Object 1/`, `Object 2/`…
fn is_odf_object(name: &str) -> bool {
    name.strip_prefix("Object ")
        .and_then(|rest| rest.split('/').next())
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

fn open(content: &[u8]) -> Result<Package<'_>, String> {
    ZipArchive::new(Cursor::new(content)).map_err(|e| e.to_string())
}

/// Reports macros, embedded objects, external links, comments and tracked changes.
pub(super) fn check(content: &[u8], limits: &Limits, out: &mut Findings) {
    let mut package = match open(content) {
        Ok(package) => package,
        Err(error) => {
            out.push(
                Finding::new(
                    &UNREADABLE_DOCUMENT,
                    format!("the document's ZIP package cannot be read: {error}"),
                )
                .with_evidence(evidence! {"error" => error}),
            );
            return;
        }
    };
    let mut inflated = 0u64;
    let mut objects_seen: Vec<String> = Vec::new();
    for index in 0..package.len().min(limits.max_parts) {
        let Ok(raw) = package.by_index_raw(index) else {
            continue; // the archive rules are not run on documents; the read below reports it
        };
        let name = String::from_utf8_lossy(raw.name_raw()).into_owned();
        let (size, encrypted) = (raw.size(), raw.encrypted());
        drop(raw);
        if encrypted {
            out.push(
                Finding::new(
                    &ENCRYPTED_MEMBER,
                    format!("part {name:?} of the document is encrypted"),
                )
                .at(part(&name))
                .with_evidence(evidence! {"part" => name.as_str()})
                .carrying(size),
            );
            continue;
        }
        match role(&name) {
            Role::Macro => out.push(
                Finding::new(
                    &DOCUMENT_MACRO,
                    format!("the document holds macros in {name:?} ({size} bytes declared)"),
                )
                .at(part(&name))
                .with_evidence(evidence! {"part" => name.as_str(), "bytes" => size}),
            ),
            Role::Embedded => {
                // An OpenDocument object is a folder of parts: one finding per folder.
                let key = if is_odf_object(&name) {
                    name.split('/').next().unwrap_or(&name).to_string()
                } else {
                    name.clone()
                };
                if !objects_seen.contains(&key) {
                    out.push(
                        Finding::new(
                            &EMBEDDED_OBJECT,
                            format!("the document embeds {key:?} ({size} bytes declared)"),
                        )
                        .at(part(&key))
                        .with_evidence(evidence! {"part" => key.as_str(), "bytes" => size})
                        .carrying(size),
                    );
                    objects_seen.push(key);
                }
            }
            role @ (Role::Relationships | Role::Comments | Role::Body) => {
                let room = limits
                    .part_bytes
                    .min(limits.total_bytes.saturating_sub(inflated));
                match read_part(&mut package, index, room) {
                    Ok(bytes) => {
                        inflated += bytes.len() as u64;
                        let xml = String::from_utf8_lossy(&bytes);
                        match role {
                            Role::Relationships => relationships(&name, &xml, out),
                            Role::Comments => comments(&name, &xml, out),
                            _ => revisions(&name, &xml, out),
                        }
                    }
                    Err(PartError::TooLarge) => out.push(too_large(&name, room)),
                    Err(PartError::Corrupt(error)) => out.push(corrupt_part(&name, &error)),
                }
            }
            Role::Media | Role::Other => {}
        }
    }
}

/// Hands back the pictures and embedded objects, each to be checked as a file of its own.
pub(super) fn members(content: &[u8], budget: &Budget, out: &mut Findings) -> Vec<Member> {
    let Ok(mut package) = open(content) else {
        return Vec::new(); // check() has reported it
    };
    let mut members = Vec::new();
    for index in 0..package.len().min(budget.limits.max_parts) {
        let Ok(raw) = package.by_index_raw(index) else {
            continue;
        };
        let name = String::from_utf8_lossy(raw.name_raw()).into_owned();
        let encrypted = raw.encrypted();
        drop(raw);
        let wanted = match role(&name) {
            Role::Media => true,
            Role::Embedded => !is_odf_object(&name),
            _ => false,
        };
        if !wanted || name.ends_with('/') {
            continue;
        }
        if encrypted {
            continue; // check() has reported it
        }
        let room = budget.room();
        match read_part(&mut package, index, room) {
            Ok(bytes) => {
                if budget.take(&name, bytes.len() as u64, room, out) {
                    members.push(Member { name, bytes });
                }
            }
            Err(PartError::TooLarge) => {
                budget.take(&name, room.saturating_add(1), room, out);
            }
            Err(PartError::Corrupt(error)) => out.push(corrupt_part(&name, &error)),
        }
    }
    members
}

/// The text of each part a reader sees (see [`words::is_text_part`]), one paragraph a line.
pub(super) fn text_parts(content: &[u8], limits: &Limits, out: &mut Findings) -> Vec<TextPart> {
    xml_parts(content, limits, words::is_text_part, out)
        .into_iter()
        .map(|part| TextPart {
            text: words::paragraphs(&part.xml),
            part: part.name,
            unit: "paragraph",
        })
        .collect()
}

/// The parts named by `wanted`, inflated under the document limits. Parts that the check
/// above does not read (slides, shared strings) are reported here when they cannot be
/// inflated; the rest it reports.
pub(super) fn xml_parts(
    content: &[u8],
    limits: &Limits,
    wanted: fn(&str) -> bool,
    out: &mut Findings,
) -> Vec<XmlPart> {
    let Ok(mut package) = open(content) else {
        return Vec::new(); // check() has reported it
    };
    let mut parts = Vec::new();
    let mut inflated = 0u64;
    for index in 0..package.len().min(limits.max_parts) {
        let Ok(raw) = package.by_index_raw(index) else {
            continue;
        };
        let name = String::from_utf8_lossy(raw.name_raw()).into_owned();
        let encrypted = raw.encrypted();
        drop(raw);
        if encrypted || !wanted(&name) {
            continue;
        }
        let reported = matches!(role(&name), Role::Body | Role::Comments);
        let room = limits
            .part_bytes
            .min(limits.total_bytes.saturating_sub(inflated));
        match read_part(&mut package, index, room) {
            Ok(xml) => {
                inflated += xml.len() as u64;
                parts.push(XmlPart { name, xml });
            }
            Err(PartError::TooLarge) if !reported => out.push(too_large(&name, room)),
            Err(PartError::Corrupt(error)) if !reported => out.push(corrupt_part(&name, &error)),
            Err(_) => {}
        }
    }
    parts
}

enum PartError {
    TooLarge,
    Corrupt(String),
}

/// Inflates one part, stopping one byte past `room`.
fn read_part(package: &mut Package, index: usize, room: u64) -> Result<Vec<u8>, PartError> {
    let file = package
        .by_index(index)
        .map_err(|e| PartError::Corrupt(e.to_string()))?;
    let mut bytes = Vec::new();
    file.take(room.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| PartError::Corrupt(e.to_string()))?;
    if bytes.len() as u64 > room {
        return Err(PartError::TooLarge);
    }
    Ok(bytes)
}

fn corrupt_part(name: &str, error: &str) -> Finding {
    Finding::new(
        &UNREADABLE_DOCUMENT,
        format!("part {name:?} cannot be inflated: {error}"),
    )
    .at(part(name))
    .with_evidence(evidence! {"part" => name, "error" => error})
}

/// Relationships whose target is outside the package: remote templates, linked pictures,
/// external workbooks, hyperlinks.
fn relationships(name: &str, xml: &str, out: &mut Findings) {
    for tag in tags(xml, "Relationship") {
        let attrs = attributes(tag);
        let get = |key: &str| {
            attrs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
                .unwrap_or("")
        };
        if !get("targetmode").eq_ignore_ascii_case("External") {
            continue;
        }
        let target = get("target");
        let kind = get("type").rsplit('/').next().unwrap_or("");
        out.push(
            Finding::new(
                &EXTERNAL_REFERENCE,
                format!(
                    "{kind} relationship in {name:?} points outside the document to {target:?}"
                ),
            )
            .at(part(name))
            .with_evidence(evidence! {"part" => name, "type" => kind, "target" => target}),
        );
    }
}

/// A comments part: quoted, with how many comments it holds.
fn comments(name: &str, xml: &str, out: &mut Findings) {
    let count = ["comment", "threadedComment", "p:cm", "w:comment"]
        .iter()
        .map(|t| tags(xml, t).len())
        .max()
        .unwrap_or(0);
    let text = strip_tags(xml);
    if count == 0 && text.is_empty() {
        return;
    }
    let quote = excerpt(&text);
    out.push(
        Finding::new(
            &COMMENTS_AND_REVISIONS,
            format!("{count} comment(s) in {name:?}: {quote:?}"),
        )
        .at(part(name))
        .with_evidence(evidence! {"part" => name, "comments" => count, "excerpt" => quote}),
    );
}

/// Tracked insertions and deletions in a Word part, annotations and tracked changes in an
/// OpenDocument body.
fn revisions(name: &str, xml: &str, out: &mut Findings) {
    let insertions = tags(xml, "w:ins").len();
    let deletions = tags(xml, "w:del").len();
    let deleted: String = tags_text(xml, "w:delText");
    if insertions + deletions > 0 {
        let quote = excerpt(&deleted);
        out.push(
            Finding::new(
                &COMMENTS_AND_REVISIONS,
                format!(
                    "{insertions} tracked insertion(s) and {deletions} deletion(s) in {name:?}; \
                     deleted text: {quote:?}"
                ),
            )
            .at(part(name))
            .with_evidence(evidence! {
                "part" => name, "insertions" => insertions, "deletions" => deletions,
                "excerpt" => quote,
            }),
        );
    }
    let changes = tags(xml, "text:changed-region").len();
    let annotations = tags(xml, "office:annotation").len();
    if changes + annotations > 0 {
        let quote = excerpt(&tags_text(xml, "office:annotation"));
        out.push(
            Finding::new(
                &COMMENTS_AND_REVISIONS,
                format!(
                    "{annotations} annotation(s) and {changes} tracked change(s) in {name:?}: \
                     {quote:?}"
                ),
            )
            .at(part(name))
            .with_evidence(evidence! {
                "part" => name, "annotations" => annotations, "changes" => changes,
                "excerpt" => quote,
            }),
        );
    }
}

/// The text inside every `<name …>…</name>` element, joined.
fn tags_text(xml: &str, name: &str) -> String {
    let open = format!("<{name}");
    let close = format!("</{name}>");
    let mut text = String::new();
    let mut from = 0;
    while let Some(start) = xml.get(from..).and_then(|rest| rest.find(&open)) {
        let start = from + start;
        let Some(end) = xml.get(start..).and_then(|rest| rest.find(&close)) else {
            break;
        };
        if let Some(inner) = xml.get(start..start + end) {
            text.push_str(&strip_tags(inner));
            text.push(' ');
        }
        from = start + end + close.len();
        if text.len() > 4 * super::text::EXCERPT_CHARS {
            break;
        }
    }
    collapse(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_told_apart_by_name() {
        assert_eq!(role("word/vbaProject.bin"), Role::Macro);
        assert_eq!(role("Basic/Standard/Module1.xml"), Role::Macro);
        assert_eq!(role("word/embeddings/oleObject1.bin"), Role::Embedded);
        assert_eq!(role("Object 1/content.xml"), Role::Embedded);
        assert_eq!(role("Objects/x.xml"), Role::Other);
        assert_eq!(role("word/_rels/document.xml.rels"), Role::Relationships);
        assert_eq!(role("word/comments.xml"), Role::Comments);
        assert_eq!(role("xl/comments1.xml"), Role::Comments);
        assert_eq!(role("word/media/image1.png"), Role::Media);
        assert_eq!(role("word/document.xml"), Role::Body);
    }

    #[test]
    fn deleted_text_is_quoted() {
        let xml = "<w:del w:id=\"1\"><w:r><w:delText>age 93, Leeds</w:delText></w:r></w:del>";
        assert_eq!(tags_text(xml, "w:delText"), "age 93, Leeds");
    }
}
