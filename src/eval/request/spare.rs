//! The storage of a decided request's lists, kept for the next request a [`RequestReader`]
//! reads: a stream of requests (`caselock eval --jsonl`) then allocates only while its lists
//! grow, not once for every list of every line. Allocating and freeing the lists took about a
//! tenth of the time a line took.
//!
//! Only the lists the reader takes from the spare ones are kept: the roles and teams, the
//! record's teams, allocations and people, and the restriction's access and exclusion lists.
//! Anything else in a request is dropped as usual.

use super::{Request, RequestError, Text, scan};
use crate::eval::id::{Id, ListEntry};

/// Reads requests one after another from JSON text, borrowing their names from the text as
/// [`Request::borrowed_from_json`] does and giving the same requests and errors, and reuses
/// each request's lists' storage for the next.
#[derive(Debug, Default)]
pub struct RequestReader {
    spare: Spare,
}

impl RequestReader {
    /// Reads the request in `text` (one JSON object) as [`Request::borrowed_from_json`] does
    /// and hands it to `then`, whose answer it returns; an error names the field at fault. The
    /// request's lists are then kept, emptied, for the next request read.
    ///
    /// The request is lent rather than returned: it is read, used and emptied where it lies,
    /// where moving several hundred bytes in and out of functions, and dropping it whole, cost
    /// a tenth of reading it.
    pub fn read<'a, T>(
        &mut self,
        text: &'a str,
        then: impl FnOnce(&Request<Text<'a>>) -> T,
    ) -> Result<T, RequestError> {
        let mut req = scan::blank(&mut self.spare);
        let answer = if scan::read_into(text, &mut req, &mut self.spare) {
            then(&req)
        } else {
            then(&Request::declined(text)?)
        };
        self.spare.keep(&mut req);
        Ok(answer)
    }

    /// [`RequestReader::read`] on bytes (a line read from a stream), as
    /// [`Request::borrowed_from_slice`] reads them.
    pub fn read_slice<'a, T>(
        &mut self,
        bytes: &'a [u8],
        then: impl FnOnce(&Request<Text<'a>>) -> T,
    ) -> Result<T, RequestError> {
        match super::utf8(bytes) {
            Some(text) => self.read(text, then),
            None => Request::not_utf8(bytes).map(|req| then(&req)),
        }
    }
}

/// Empty lists with room in them, by the type of what they hold.
#[derive(Debug, Default)]
pub(super) struct Spare {
    texts: Vec<Vec<Text<'static>>>,
    ids: Vec<Vec<Id<Text<'static>>>>,
    entries: Vec<Vec<ListEntry<Text<'static>>>>,
}

impl Spare {
    // A spare list of `'static` texts serves as a list of texts of any lifetime as it is
    // (a list is covariant in what it holds); only a list given back needs recasting.

    /// An empty list of names, with room when one is spare.
    pub(super) fn texts(&mut self) -> Vec<Text<'static>> {
        self.texts.pop().unwrap_or_default()
    }

    /// An empty list of ids, with room when one is spare.
    pub(super) fn ids(&mut self) -> Vec<Id<Text<'static>>> {
        self.ids.pop().unwrap_or_default()
    }

    /// An empty access or exclusion list, with room when one is spare.
    pub(super) fn entries(&mut self) -> Vec<ListEntry<Text<'static>>> {
        self.entries.pop().unwrap_or_default()
    }

    /// Keeps a request's lists, emptied, taking them out of it.
    fn keep(&mut self, req: &mut Request<Text<'_>>) {
        let (subject, record) = (&mut req.subject, &mut req.record);
        for list in [&mut subject.roles, &mut subject.teams, &mut record.teams] {
            keep(&mut self.texts, std::mem::take(list));
        }
        for list in [
            &mut record.allocated_workers,
            &mut record.allocated_managers,
            &mut record.relatives,
            &mut record.authors,
        ] {
            keep(&mut self.ids, std::mem::take(list));
        }
        if let Some(r) = &mut record.restriction {
            keep(&mut self.entries, std::mem::take(&mut r.named_allow));
            keep(&mut self.entries, std::mem::take(&mut r.named_deny));
        }
    }
}

/// Keeps `list`, emptied, among the spare lists of its type, when it has room. (No more are
/// ever kept than one request reads into: each request's lists come from the spare ones.)
fn keep<T, U>(spare: &mut Vec<Vec<U>>, list: Vec<T>) {
    if list.capacity() > 0 {
        spare.push(recast(list));
    }
}

/// An emptied list as a list of another type of the same layout (here: the same type borrowing
/// for another lifetime), keeping its storage: std collects a vector's own iterator in place,
/// and with nothing in it, `filter_map` is never called. For types of other layouts the storage
/// is simply not reused.
fn recast<T, U>(mut list: Vec<T>) -> Vec<U> {
    list.clear();
    list.into_iter().filter_map(|_| None).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A recycled request's lists are the next request's: the same storage, not a new
    /// allocation (the point of the reader), and emptied before they are filled again. A list
    /// of one item read afresh has room for four; one reused keeps the room of the five read
    /// before (comparing addresses could not tell: the allocator hands a freed block out again).
    #[test]
    fn a_recycled_requests_lists_are_reused_empty() -> Result<(), RequestError> {
        let mut reader = RequestReader::default();
        let first = r#"{"subject":{"id":"u-1","roles":["a","b","c","d","e"],"organisation":"council"},"action":"view","record":{"id":"J1","restriction":{"category":"c","named_deny":[{"person":"u-2"}]},"allocated_workers":["u-1","u-2","u-3","u-4","u-5"]}}"#;
        let read = |req: &Request<Text<'_>>| {
            (
                req.subject.roles.capacity(),
                req.record.allocated_workers.capacity(),
            )
        };
        let before = reader.read(first, read)?;
        let second = r#"{"subject":{"id":"u-3","roles":["d"],"organisation":"council"},"action":"view","record":{"id":"J2","allocated_workers":["u-4"]}}"#;
        let fresh = Request::borrowed_from_json(second)?;
        let (after, same) = reader.read(second, |req| (read(req), *req == fresh))?;
        assert!(before.0 >= 5 && before.1 >= 5);
        assert!(
            fresh.subject.roles.capacity() < 5,
            "a fresh list has less room"
        );
        assert_eq!(after, before, "the lists' storage was not reused");
        assert!(same, "a reused list changed what was read");
        Ok(())
    }

    /// Lines that are not UTF-8, anywhere in them, are refused with serde_json's message, and
    /// lines with characters beyond ASCII are read as serde_json reads them: the check of the
    /// whole line (simdutf8) neither lets bad bytes through nor refuses good ones.
    #[test]
    fn bytes_that_are_not_utf8_are_refused_and_any_utf8_is_read() {
        let good = r#"{"subject":{"id":"u-1","roles":["a"],"organisation":"council"},"action":"view","record":{"id":"J1"}}"#;
        let mut reader = RequestReader::default();
        for at in [good.find("u-1"), good.find("view"), good.find("\"record")]
            .into_iter()
            .flatten()
        {
            for bad in [&[0xffu8][..], &[0xc3], &[0xe2, 0x82], &[0xed, 0xa0, 0x80]] {
                let mut line = good.as_bytes().to_vec();
                line.splice(at..at, bad.iter().copied());
                let read = reader.read_slice(&line, |_| ()).map_err(|e| e.to_string());
                let serde =
                    serde_json::from_slice::<serde_json::Value>(&line).map_err(|e| e.to_string());
                assert!(read.is_err() && serde.is_err(), "{line:?}");
                assert_eq!(
                    read,
                    Request::borrowed_from_slice(&line)
                        .map(|_| ())
                        .map_err(|e| e.to_string())
                );
            }
            for fine in ["é", "→", "𝄞"] {
                let mut line = good.to_string();
                line.insert_str(at + 1, fine);
                let read = reader.read_slice(line.as_bytes(), |r| r.to_owned_request());
                let serde = Request::from_json(&line);
                assert_eq!(
                    read.map_err(|e| e.to_string()),
                    serde.map_err(|e| e.to_string())
                );
            }
        }
    }
}
