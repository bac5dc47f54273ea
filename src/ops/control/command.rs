use super::{ControlError, ServiceControl};
use crate::service::ServiceAction;
use async_trait::async_trait;
use std::process::Stdio;
use std::time::Duration;

/// An action that takes longer than this is reported failed (the process is killed).
const ACTION_TIMEOUT: Duration = Duration::from_secs(60);
/// Output lines kept per action.
const OUTPUT_LINES: usize = 50;

/// Shell commands from the config file, for services installed on this host.
pub struct CommandControl {
    pub start: String,
    pub stop: String,
    pub restart: Option<String>,
}

impl CommandControl {
    async fn run(&self, command: &str) -> Result<Vec<String>, ControlError> {
        let child = tokio::process::Command::new("sh")
            .arg("-c")
            .arg(command)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| ControlError::Unavailable(format!("cannot run sh: {e}")))?;
        let out = tokio::time::timeout(ACTION_TIMEOUT, child.wait_with_output())
            .await
            .map_err(|_| {
                ControlError::Failed(format!("the command took longer than {ACTION_TIMEOUT:?}"))
            })?
            .map_err(|e| ControlError::Unavailable(e.to_string()))?;
        let text = [out.stdout, out.stderr].concat();
        let lines: Vec<String> = String::from_utf8_lossy(&text)
            .lines()
            .filter(|l| !l.trim().is_empty())
            .take(OUTPUT_LINES)
            .map(str::to_owned)
            .collect();
        if out.status.success() {
            Ok(lines)
        } else {
            Err(ControlError::Failed(format!(
                "the command failed ({}): {}",
                out.status,
                lines.join(" / ")
            )))
        }
    }
}

#[async_trait]
impl ServiceControl for CommandControl {
    fn kind(&self) -> &'static str {
        "command"
    }

    async fn act(&self, action: ServiceAction) -> Result<Vec<String>, ControlError> {
        match (action, &self.restart) {
            (ServiceAction::Start, _) => self.run(&self.start).await,
            (ServiceAction::Stop, _) => self.run(&self.stop).await,
            (ServiceAction::Restart, Some(restart)) => self.run(restart).await,
            (ServiceAction::Restart, None) => {
                let mut said = self.run(&self.stop).await?;
                said.extend(self.run(&self.start).await?);
                Ok(said)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn control(start: &str) -> CommandControl {
        CommandControl {
            start: start.into(),
            stop: "echo stopping".into(),
            restart: None,
        }
    }

    #[tokio::test]
    async fn commands_run_and_report_their_output() {
        assert_eq!(
            control("echo started")
                .act(ServiceAction::Start)
                .await
                .unwrap(),
            ["started"]
        );
        assert_eq!(
            control("echo started")
                .act(ServiceAction::Restart)
                .await
                .unwrap(),
            ["stopping", "started"]
        );
    }

    #[tokio::test]
    async fn a_failing_command_is_a_failed_action() {
        let err = control("echo nope >&2; exit 3")
            .act(ServiceAction::Start)
            .await
            .unwrap_err();
        assert!(
            matches!(err, ControlError::Failed(ref m) if m.contains("nope")),
            "{err}"
        );
    }
}
