//! A service's log file, followed like `tail -F`: by name, across rotation and truncation, and
//! waiting for the file to appear. The real `tail` does this well; the path comes from the config
//! file and is passed as an argument, never through a shell.

use super::LogFeed;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};

/// Lines read from the file's end when following starts.
const START_LINES: &str = "200";

pub async fn follow_file(path: PathBuf, feed: Arc<LogFeed>) {
    loop {
        let child = tokio::process::Command::new("tail")
            .args(["-F", "-n", START_LINES, "--"])
            .arg(&path)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn();
        match child {
            Ok(mut child) => {
                let out = pump(child.stdout.take(), "file", feed.clone());
                let err = pump(child.stderr.take(), "carstore", feed.clone());
                tokio::join!(out, err);
                let _ = child.wait().await;
                feed.push("carstore", "the log follower stopped; starting it again");
            }
            Err(e) => feed.push(
                "carstore",
                &format!("cannot run tail to follow the log: {e}"),
            ),
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
}

async fn pump(from: Option<impl AsyncRead + Unpin>, stream: &'static str, feed: Arc<LogFeed>) {
    let Some(from) = from else { return };
    let mut lines = BufReader::new(from).lines();
    // A line that is not UTF-8 ends the pump; the follower is then restarted.
    while let Ok(Some(line)) = lines.next_line().await {
        feed.push(stream, &line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn next_line(sub: &mut super::super::Subscription) -> String {
        tokio::time::timeout(Duration::from_secs(5), sub.live.recv())
            .await
            .expect("a line within 5 s")
            .unwrap()
            .line
            .clone()
    }

    #[tokio::test]
    async fn follows_a_file_across_rotation() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("service.log");
        std::fs::write(&path, "old line\n").unwrap();
        let feed = LogFeed::new();
        let mut sub = feed.subscribe(None, 0);
        let follower = tokio::spawn(follow_file(path.clone(), feed.clone()));
        assert_eq!(next_line(&mut sub).await, "old line");
        std::fs::rename(&path, dir.path().join("service.log.1")).unwrap();
        std::fs::write(&path, "after rotation\n").unwrap();
        // tail may first say that the file was replaced.
        while next_line(&mut sub).await != "after rotation" {}
        follower.abort();
    }
}
