//! Decision ids and the instance names they carry.

/// Decision ids: the service instance's name, `:`, and a UUIDv7 (time-ordered, with 74 random
/// bits), so ids are unique across restarts and instances and reveal no line number.
#[derive(Debug, Clone, Copy)]
pub struct DecisionId;

impl DecisionId {
    /// A new id for a decision made by `instance`.
    pub fn make(instance: &str) -> String {
        format!("{instance}:{}", uuid::Uuid::now_v7().hyphenated())
    }

    /// The UUID in an id, if it is one.
    pub fn parse(id: &str) -> Option<u128> {
        let (instance, uuid) = id.rsplit_once(':')?;
        if !valid_instance(instance) {
            return None;
        }
        uuid::Uuid::try_parse(uuid).ok().map(|u| u.as_u128())
    }
}

/// Whether a name can be an instance name: 1 to 63 letters, digits, `.`, `_` or `-`.
pub fn valid_instance(name: &str) -> bool {
    (1..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-')
}
