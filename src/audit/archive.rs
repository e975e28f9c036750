//! Rotated archives: the name a rotated log is archived under, and the check that a log which
//! continues one joins it.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use super::{Broken, Chain, Head, LogError, open};

/// A log file that continues a rotated one must join its archive, `PATH.SEQ`, when that file is
/// still there: the archive's last entry must be the one the log chains from. Returns whether
/// the archive was there to check (an archive moved to a backup cannot be).
pub(super) fn check_archive(path: &Path, start: &Head, chain: &Chain) -> Result<bool, LogError> {
    let archive = archive_name(path, start.seq);
    let broken = |message: String| LogError::Broken {
        path: path.display().to_string(),
        broken: Broken {
            line: start.seq + 1,
            message,
        },
    };
    let file = match File::open(&archive) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(source) => {
            return Err(LogError::Io {
                path: archive.display().to_string(),
                source,
            });
        }
    };
    let mut last = None;
    for line in BufReader::new(file).lines() {
        last = Some(line.map_err(|source| LogError::Io {
            path: archive.display().to_string(),
            source,
        })?);
    }
    let joins = last
        .and_then(|l| open(&l, chain).ok())
        .is_some_and(|(e, hash)| e.seq == start.seq && hash == start.hash);
    if joins {
        Ok(true)
    } else {
        Err(broken(format!(
            "the log continues `{}`, but that file's last entry is not the one it chains from: lines were removed or the files were mixed up",
            archive.display()
        )))
    }
}

/// The name a rotated file is archived under: the log's path and its last entry's number.
pub(super) fn archive_name(path: &Path, last: u64) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".{last}"));
    PathBuf::from(name)
}
