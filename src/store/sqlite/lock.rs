//! One `serve` per embedded data dir. The embedded store is one process by nature: its order
//! events go through an in-process queue and checkouts hold carts in memory, so a second store
//! on the same file would process orders it cannot see and buy carts twice. An advisory lock
//! on a file in the data dir says so at start, in one line; the kernel lets it go when the
//! process ends, however it ends.

use anyhow::bail;
use std::fs::{File, OpenOptions};
use std::os::fd::AsRawFd;
use std::path::Path;

const LOCK_FILE: &str = "carstore.lock";

/// Held for as long as the store serves.
pub struct DataDirLock(#[allow(dead_code)] File);

impl DataDirLock {
    pub fn take(data_dir: &Path) -> anyhow::Result<DataDirLock> {
        std::fs::create_dir_all(data_dir)
            .map_err(|e| anyhow::anyhow!("cannot create data dir {}: {e}", data_dir.display()))?;
        let path = data_dir.join(LOCK_FILE);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", path.display()))?;
        // SAFETY: flock on a descriptor this function owns; no memory is shared.
        let locked = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if locked != 0 {
            bail!(
                "another carstore serves from data dir {}: the embedded store is one process \
                 (give every replica DATABASE_URL and REDIS_URL to run several)",
                data_dir.display()
            );
        }
        Ok(DataDirLock(file))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_one_data_dir_is_refused_until_the_first_goes() {
        let dir = tempfile::tempdir().unwrap();
        let first = DataDirLock::take(dir.path()).unwrap();
        let second = DataDirLock::take(dir.path()).err().unwrap().to_string();
        assert!(second.contains("another carstore serves"), "{second}");
        drop(first);
        DataDirLock::take(dir.path()).unwrap();
    }
}
