//! The storage of a decided request's lists, kept for the next request a [`RequestReader`]
//! reads: a stream of requests (`caselock eval --jsonl`) then allocates only while its lists
//! grow, not once for every list of every line. Allocating and freeing the lists took about a
//! tenth of the time a line took.
//!
//! Only the reader's own lists come back: the roles and teams, the record's teams, allocations
//! and people, and the restriction's access and exclusion lists. Anything else in a request is
//! dropped as usual.

use super::{Request, RequestError, Text};
use crate::eval::id::{Id, ListEntry};

/// Reads requests one after another from JSON text, borrowing their names from the text as
/// [`Request::borrowed_from_json`] does and giving the same requests and errors, and takes
/// each decided request back with [`RequestReader::recycle`] to reuse its lists' storage.
#[derive(Debug, Default)]
pub struct RequestReader {
    spare: Spare,
}

impl RequestReader {
    /// The request in `text` (one JSON object), as [`Request::borrowed_from_json`] reads it;
    /// an error names the field at fault.
    pub fn read<'a>(&mut self, text: &'a str) -> Result<Request<Text<'a>>, RequestError> {
        Request::read_json(text, &mut self.spare)
    }

    /// The request in `bytes` (a line read from a stream), as
    /// [`Request::borrowed_from_slice`] reads it.
    pub fn read_slice<'a>(&mut self, bytes: &'a [u8]) -> Result<Request<Text<'a>>, RequestError> {
        Request::read_slice(bytes, &mut self.spare)
    }

    /// Takes a decided request back: its lists, emptied, are the next requests' to fill.
    pub fn recycle(&mut self, req: Request<Text<'_>>) {
        self.spare.keep(req);
    }
}

/// Empty lists with room in them, by the type of what they hold.
#[derive(Debug, Default)]
pub(super) struct Spare {
    texts: Vec<Vec<Text<'static>>>,
    ids: Vec<Vec<Id<Text<'static>>>>,
    entries: Vec<Vec<ListEntry<Text<'static>>>>,
}

/// The most lists of one type kept: more than one request holds (a recycled request only gives
/// back the lists it was read into, but nothing else bounds what a caller hands back).
const KEPT: usize = 8;

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

    /// Keeps a request's lists, emptied, and drops the rest of it.
    fn keep(&mut self, req: Request<Text<'_>>) {
        let Request {
            subject, record, ..
        } = req;
        for list in [subject.roles, subject.teams, record.teams] {
            keep(&mut self.texts, list);
        }
        for list in [
            record.allocated_workers,
            record.allocated_managers,
            record.relatives,
            record.authors,
        ] {
            keep(&mut self.ids, list);
        }
        if let Some(r) = record.restriction {
            keep(&mut self.entries, r.named_allow);
            keep(&mut self.entries, r.named_deny);
        }
    }
}

/// Keeps `list`, emptied, among the spare lists of its type, when it has room and there are
/// not enough already.
fn keep<T, U>(spare: &mut Vec<Vec<U>>, list: Vec<T>) {
    if list.capacity() > 0 && spare.len() < KEPT {
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
    /// allocation (the point of the reader), and emptied before they are filled again.
    #[test]
    fn a_recycled_requests_lists_are_reused_empty() -> Result<(), RequestError> {
        let mut reader = RequestReader::default();
        let first = r#"{"subject":{"id":"u-1","roles":["a","b"],"organisation":"council"},"action":"view","record":{"id":"J1","restriction":{"category":"c","named_deny":[{"person":"u-2"}]},"allocated_workers":["u-1"]}}"#;
        let req = reader.read(first)?;
        let roles = req.subject.roles.as_ptr() as usize;
        let workers = req.record.allocated_workers.as_ptr() as usize;
        reader.recycle(req);
        let second = r#"{"subject":{"id":"u-3","roles":["d"],"organisation":"council"},"action":"view","record":{"id":"J2","allocated_workers":["u-4"]}}"#;
        let req = reader.read(second)?;
        let reused = [
            req.subject.roles.as_ptr() as usize,
            req.subject.teams.as_ptr() as usize,
            req.record.teams.as_ptr() as usize,
        ];
        assert!(reused.contains(&roles), "the roles' storage was not reused");
        assert!(
            [
                req.record.allocated_workers.as_ptr() as usize,
                req.record.allocated_managers.as_ptr() as usize,
            ]
            .contains(&workers),
            "the allocations' storage was not reused"
        );
        let fresh = Request::borrowed_from_json(second)?;
        assert_eq!(req, fresh);
        Ok(())
    }
}
