//! The storage of a decided request, kept for the next request a [`RequestReader`] reads: a
//! stream of requests (`caselock eval --jsonl`) then allocates only while its lists grow, not
//! once for every list of every line. Allocating and freeing the lists took about a tenth of
//! the time a line took.
//!
//! The reader keeps the last request it read and empties it for the next, its lists where
//! they are: the roles and teams, the record's teams, allocations and people, and the rest.
//! The record's restriction stays too, and the next is read into it. Only the access and
//! exclusion lists of a restriction that goes (the next record has none, or it was one of a
//! record's several) wait among the spare lists, until a restriction's array has an item.
//! (Building a blank request, handing it every list, taking the lists back and dropping what
//! was left was a twelfth of reading a line.)

use super::{Record, Request, RequestContext, RequestError, Restriction, Subject, Text, scan};
use crate::eval::id::{Id, ListEntry};

/// Reads requests one after another from JSON texts that all live as long as `'a` (the lines
/// of one read buffer, the requests of one workload), borrowing their names from the texts as
/// [`Request::borrowed_from_json`] does and giving the same requests and errors, and reuses
/// each request's storage for the next.
///
/// The request it keeps holds names borrowed for `'a`, so its lists serve the next request as
/// they are. (A reader for texts of any lifetime had to recast every list it kept, in a
/// vector's in-place collection.) Texts that live for less, one after another, take a reader
/// each.
#[derive(Debug)]
pub struct RequestReader<'a> {
    /// The last request read, emptied before the next is read into it.
    req: Request<&'a str>,
    spare: Spare<&'a str>,
}

impl Default for RequestReader<'_> {
    fn default() -> Self {
        RequestReader {
            req: scan::blank(),
            spare: Spare::default(),
        }
    }
}

impl<'a> RequestReader<'a> {
    /// Reads the request in `text` (one JSON object) as [`Request::borrowed_from_json`] does
    /// and hands it to `then`, whose answer it returns; an error names the field at fault.
    ///
    /// The request is lent rather than returned: it is read, used and emptied where it lies,
    /// where moving several hundred bytes in and out of functions, and dropping it whole, cost
    /// a tenth of reading it.
    pub fn read<T>(
        &mut self,
        text: &'a str,
        then: impl FnOnce(&Request<&str>) -> T,
    ) -> Result<T, RequestError> {
        if self.read_in(text) {
            Ok(then(&self.req))
        } else {
            lend(Request::declined(text), then)
        }
    }

    /// Reads `text` into the request kept, emptied first (so that a request the reader
    /// declined halfway leaves nothing behind); false when the reader declines it. Not generic,
    /// so its code is made with this crate's, not in each caller's: made in a caller's crate
    /// (the peer benchmarks), the reader was inlined otherwise, and 200 instructions slower.
    fn read_in(&mut self, text: &'a str) -> bool {
        self.spare.empty(&mut self.req);
        scan::read_into(text, &mut self.req, &mut self.spare)
    }

    /// [`RequestReader::read`] on bytes (a line read from a stream), as
    /// [`Request::borrowed_from_slice`] reads them.
    pub fn read_slice<T>(
        &mut self,
        bytes: &'a [u8],
        then: impl FnOnce(&Request<&str>) -> T,
    ) -> Result<T, RequestError> {
        match super::utf8(bytes) {
            Some(text) => self.read(text, then),
            None => lend(Request::not_utf8(bytes), then),
        }
    }
}

/// Lends a request serde read (when the reader declined the text) as the reader lends its own,
/// its names borrowed.
fn lend<T>(
    read: Result<Request<Text<'_>>, RequestError>,
    then: impl FnOnce(&Request<&str>) -> T,
) -> Result<T, RequestError> {
    read.map(|req| then(&req.map_names(&borrowed)))
}

/// A name of a request read by serde, as the reader's requests hold names: borrowed.
fn borrowed<S: AsRef<str>>(name: &S) -> &str {
    name.as_ref()
}

/// Empty access and exclusion lists with room in them.
#[derive(Debug, Default)]
pub(super) struct Spare<N> {
    entries: Vec<Vec<ListEntry<N>>>,
}

impl<N: Default + AsRef<str>> Spare<N> {
    /// An empty access or exclusion list, with room when one is spare.
    pub(super) fn entries(&mut self) -> Vec<ListEntry<N>> {
        self.entries.pop().unwrap_or_default()
    }

    /// Takes a restriction away, its lists among the spare ones.
    pub(super) fn lay_aside(&mut self, restriction: &mut Option<Restriction<N>>) {
        if let Some(r) = restriction {
            keep(&mut self.entries, &mut r.named_allow);
            keep(&mut self.entries, &mut r.named_deny);
            *restriction = None;
        }
    }

    /// Empties a request read before into a blank one ([`scan::blank`]), its lists where they
    /// are and its restrictions' lists among the spare ones. Every field is named, so that a
    /// field added to the request does not compile until it is emptied here too.
    fn empty(&mut self, req: &mut Request<N>) {
        let Request {
            subject,
            action,
            record,
            temporary_grants,
            at,
            context,
            change,
            approvals,
            acting_for,
        } = req;
        let Subject {
            id,
            roles,
            teams,
            organisation,
        } = subject;
        *id = Id::unread();
        roles.clear();
        teams.clear();
        *organisation = N::default();
        *action = N::default();
        let Record {
            id,
            section,
            teams,
            // The record's restriction stays where it lies: the reader reads the next one into
            // it, or lays it aside when the next record has none (`Scan::record`).
            restriction: _,
            restrictions,
            allocated_workers,
            allocated_managers,
            subject,
            relatives,
            authors,
            flags,
            facts,
            links,
        } = record;
        *id = Id::unread();
        *section = None;
        teams.clear();
        for r in restrictions.iter_mut() {
            keep(&mut self.entries, &mut r.named_allow);
            keep(&mut self.entries, &mut r.named_deny);
        }
        restrictions.clear();
        allocated_workers.clear();
        allocated_managers.clear();
        *subject = None;
        relatives.clear();
        authors.clear();
        flags.clear();
        facts.clear();
        links.clear();
        temporary_grants.clear();
        *at = None;
        *context = RequestContext::default();
        *change = None;
        approvals.clear();
        *acting_for = None;
    }
}

/// Takes `list` out of its restriction, emptied, into the spare lists when it has room. (No
/// more are ever kept than one request reads into: each restriction's lists come from the
/// spare ones.)
fn keep<T>(spare: &mut Vec<Vec<T>>, list: &mut Vec<T>) {
    if list.capacity() > 0 {
        let mut list = std::mem::take(list);
        list.clear();
        spare.push(list);
    }
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
        let read = |req: &Request<&str>| {
            (
                req.subject.roles.capacity(),
                req.record.allocated_workers.capacity(),
            )
        };
        let before = reader.read(first, read)?;
        let second = r#"{"subject":{"id":"u-3","roles":["d"],"organisation":"council"},"action":"view","record":{"id":"J2","allocated_workers":["u-4"]}}"#;
        let fresh = Request::borrowed_from_json(second)?;
        let (after, same) = reader.read(second, |req| {
            (
                read(req),
                req.to_owned_request() == fresh.to_owned_request(),
            )
        })?;
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
        for at in [good.find("u-1"), good.find("view"), good.find("\"record")]
            .into_iter()
            .flatten()
        {
            for bad in [&[0xffu8][..], &[0xc3], &[0xe2, 0x82], &[0xed, 0xa0, 0x80]] {
                let mut line = good.as_bytes().to_vec();
                line.splice(at..at, bad.iter().copied());
                let read = RequestReader::default()
                    .read_slice(&line, |_| ())
                    .map_err(|e| e.to_string());
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
                let read =
                    RequestReader::default().read_slice(line.as_bytes(), |r| r.to_owned_request());
                let serde = Request::from_json(&line);
                assert_eq!(
                    read.map_err(|e| e.to_string()),
                    serde.map_err(|e| e.to_string())
                );
            }
        }
    }
}
