//! The process's own figures, read from the kernel at scrape time (Linux).

use std::time::{SystemTime, UNIX_EPOCH};

pub struct ProcessFigures {
    pub resident_bytes: Option<f64>,
    pub cpu_seconds: Option<f64>,
    pub open_fds: Option<f64>,
}

pub fn read() -> ProcessFigures {
    ProcessFigures {
        resident_bytes: resident_bytes(),
        cpu_seconds: cpu_seconds(),
        open_fds: std::fs::read_dir("/proc/self/fd")
            .ok()
            .map(|d| d.count() as f64),
    }
}

/// Seconds since the epoch when this process started, noted once at start.
pub fn start_time() -> f64 {
    use std::sync::OnceLock;
    static START: OnceLock<f64> = OnceLock::new();
    *START.get_or_init(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64())
    })
}

fn resident_bytes() -> Option<f64> {
    // statm's second field is resident pages.
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: f64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    // SAFETY: sysconf only reads a constant of the running system.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    (page > 0).then_some(pages * page as f64)
}

fn cpu_seconds() -> Option<f64> {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::uninit();
    // SAFETY: getrusage fills the struct it is given and reports failure by its return value.
    let usage = unsafe {
        if libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) != 0 {
            return None;
        }
        usage.assume_init()
    };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    Some(secs(usage.ru_utime) + secs(usage.ru_stime))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_process_figures_are_read() {
        let figures = super::read();
        let rss = figures.resident_bytes.unwrap();
        assert!(rss > 1e6 && rss < 1e10, "{rss}");
        assert!(figures.cpu_seconds.unwrap() >= 0.0);
        assert!(figures.open_fds.unwrap() >= 3.0);
        assert!(super::start_time() > 1.7e9);
    }
}
