//! Bytes read eight at a time as one word: the name map, the id comparison and check, and the
//! request reader each look at short texts this way rather than a byte at a time.

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
