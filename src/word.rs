//! Bytes read eight at a time as one word: the name map, the id comparison and check, the
//! request reader and the response writer each look at short texts this way rather than a byte
//! at a time.

/// A one in every byte of a word.
pub(crate) const ONES: u64 = 0x0101_0101_0101_0101;

/// The high bit of every byte of a word.
pub(crate) const HIGH: u64 = 0x8080_8080_8080_8080;

/// The first eight bytes as one word, little-endian (zero when there are fewer).
#[inline]
pub(crate) fn word(bytes: &[u8]) -> u64 {
    bytes
        .first_chunk::<8>()
        .map_or(0, |w| u64::from_le_bytes(*w))
}

/// The last eight bytes as one word, little-endian (zero when there are fewer).
#[inline]
pub(crate) fn last_word(bytes: &[u8]) -> u64 {
    bytes
        .last_chunk::<8>()
        .map_or(0, |w| u64::from_le_bytes(*w))
}

/// Zero to seven bytes as one word, read as two overlapping halves (or, below four bytes, the
/// first, middle and last) rather than copied into a buffer: a copy of variable length is a
/// call to `memcpy`, which took a tenth of a decision. Among texts of one length it is one to
/// one; the bytes it does not fill are zero.
#[inline]
pub(crate) fn tail(rest: &[u8]) -> u64 {
    let n = rest.len();
    if let (Some(lo), Some(hi)) = (rest.first_chunk::<4>(), rest.last_chunk::<4>()) {
        u64::from(u32::from_le_bytes(*lo)) | u64::from(u32::from_le_bytes(*hi)) << 32
    } else if let (Some(&a), Some(&b), Some(&c)) = (rest.first(), rest.get(n / 2), rest.last()) {
        u64::from(a) | u64::from(b) << 8 | u64::from(c) << 16
    } else {
        0
    }
}

/// The high bit of each byte of `word` (little-endian) that JSON must escape in a string: a
/// quote, a backslash or a control character. Exact for the lowest such byte (above it, a
/// borrow may flag bytes that are not), so also exact as to whether there is any.
#[inline]
pub(crate) fn json_special(word: u64) -> u64 {
    let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    zero(word ^ (ONES * u64::from(b'"')))
        | zero(word ^ (ONES * u64::from(b'\\')))
        | below_space(word)
}

/// Whether JSON must escape this byte in a string: [`json_special`] a byte at a time.
#[inline]
pub(crate) fn json_special_byte(c: u8) -> bool {
    c == b'"' || c == b'\\' || c < b' '
}

/// The high bit of each byte of `word` below a space (a control character). Exact for the
/// lowest such byte (above it, a borrow may flag bytes that are not), so also as to whether
/// there is any.
#[inline]
pub(crate) fn below_space(word: u64) -> u64 {
    word.wrapping_sub(ONES * u64::from(b' ')) & !word & HIGH
}

/// The high bit of each byte of `word` of 0x7f (delete) or more: past printable ASCII. Exact for
/// the lowest such byte (a byte of 0xff carries into the one above it), so also as to whether
/// there is any.
#[inline]
pub(crate) fn past_printable(word: u64) -> u64 {
    (word | word.wrapping_add(ONES)) & HIGH
}

/// Whether a text goes into a JSON string as it stands: nothing in it to escape (as serde_json
/// escapes: quotes, backslashes and control characters; any other character, ASCII or not, is
/// written as it is).
pub(crate) fn json_plain(text: &[u8]) -> bool {
    none_flagged(text, json_special, json_special_byte)
}

/// Whether `flag` finds no byte of `text`, eight bytes at a time. `flag` gives the high bit of
/// each byte of a word it finds (exact as to whether there is any); a remainder of fewer than
/// four bytes, which a word would pad with zeros not the text's, is looked at a byte at a time
/// by `flagged`.
#[inline]
pub(crate) fn none_flagged(
    text: &[u8],
    flag: impl Fn(u64) -> u64,
    flagged: impl Fn(u8) -> bool,
) -> bool {
    let mut chunks = text.chunks_exact(8);
    let mut found = 0;
    for c in &mut chunks {
        found |= flag(word(c));
    }
    let rest = chunks.remainder();
    found |= if rest.len() >= 4 {
        // Four to seven bytes: two overlapping halves fill the word with the text's own bytes.
        flag(tail(rest))
    } else if rest.iter().any(|c| flagged(*c)) {
        HIGH
    } else {
        0
    };
    found == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::Strategy;

    proptest::proptest! {
        /// `json_plain` answers as serde_json does: a text needs no escaping exactly when
        /// serde_json writes it as it stands, between quotes.
        #[test]
        fn json_plain_agrees_with_serde_json(
            text in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::char::range('a', 'z'),
                    proptest::sample::select(vec!['"', '\\', '\u{0}', '\u{1f}', ' ', '\u{7f}', 'é', '→']),
                ],
                0..40,
            ).prop_map(|c| c.into_iter().collect::<String>()),
        ) {
            let quoted = serde_json::to_string(&text).map_err(|e| proptest::test_runner::TestCaseError::fail(e.to_string()))?;
            proptest::prop_assert_eq!(json_plain(text.as_bytes()), quoted == format!("\"{text}\""));
        }
    }
}
