//! Which log windows a feed follows and where each resumes. Both are read and written as lists
//! of `NAME[:SEQ]`: the `logs` parameter `carstore,postgres:12` (a window without a number
//! starts with its newest lines), and the cursor `carstore:41,postgres:12`, which is each `log`
//! event's id and comes back as `Last-Event-ID` when the browser reconnects.

use crate::http::logs::window_names;
use crate::http::ApiError;

/// A window the feed follows, and the last of its lines the browser has seen, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub window: &'static str,
    pub seen: Option<u64>,
}

fn invalid(message: String) -> ApiError {
    ApiError::bad_request("invalid_logs", message)
}

/// Reads the `logs` parameter: known windows, each named once.
pub fn requested(param: &str) -> Result<Vec<Position>, ApiError> {
    let known: Vec<&'static str> = window_names().collect();
    let there_are = || format!("the log windows are {}", known.join(", "));
    if param.split(',').count() > known.len() {
        return Err(invalid(format!(
            "more windows than there are: {}",
            there_are()
        )));
    }
    let mut asked: Vec<Position> = Vec::new();
    for entry in param.split(',') {
        let (name, seen) = match entry.split_once(':') {
            Some((name, seq)) => (name, Some(seq)),
            None => (entry, None),
        };
        let window = (known.iter().copied().find(|k| *k == name))
            .ok_or_else(|| invalid(format!("no such log window: {}", there_are())))?;
        let seen = match seen.map(str::parse::<u64>) {
            Some(Err(_)) => {
                let why = format!("{window}: the number after ':' must be a line number");
                return Err(invalid(why));
            }
            Some(Ok(seq)) => Some(seq),
            None => None,
        };
        if asked.iter().any(|p| p.window == window) {
            return Err(invalid(format!("{window} is named twice")));
        }
        asked.push(Position { window, seen });
    }
    Ok(asked)
}

/// Applies the cursor a reconnecting browser sent back: each window it names resumes after its
/// line, whatever the parameter said. One that does not read as a cursor is ignored whole: the
/// browser sends whatever id it saw last.
pub fn resume(asked: &mut [Position], cursor: &str) {
    if cursor.split(',').count() > window_names().count() {
        return;
    }
    let mut seen = Vec::new();
    for pair in cursor.split(',') {
        let Some((name, seq)) = pair.trim().split_once(':') else {
            return;
        };
        let Ok(seq) = seq.parse::<u64>() else {
            return;
        };
        seen.push((name, seq));
    }
    for (name, seq) in seen {
        if let Some(at) = asked.iter_mut().find(|p| p.window == name) {
            at.seen = Some(seq);
        }
    }
}

/// The id of each `log` event: every window's last line sent on this connection or resumed
/// after, in the order the parameter named them; a window with neither is left out.
pub struct Cursor(Vec<Position>);

impl Cursor {
    pub fn new(followed: Vec<Position>) -> Cursor {
        Cursor(followed)
    }

    pub fn window(&self, at: usize) -> &'static str {
        self.0[at].window
    }

    /// Notes line `seq` of window `at` as sent; the id to send it with.
    pub fn sent(&mut self, at: usize, seq: u64) -> String {
        self.0[at].seen = Some(seq);
        let each = self.0.iter().filter_map(|p| Some((p.window, p.seen?)));
        each.map(|(window, seq)| format!("{window}:{seq}"))
            .collect::<Vec<_>>()
            .join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(window: &'static str, seen: Option<u64>) -> Position {
        Position { window, seen }
    }

    #[test]
    fn the_parameter_names_known_windows_once_each_with_an_optional_line() {
        let asked = requested("carstore,postgres:12").unwrap();
        assert_eq!(asked, [at("carstore", None), at("postgres", Some(12))]);
        for bad in [
            "nope",
            "carstore,carstore",
            "carstore:1,carstore",
            "redis:x",
            "redis:-1",
            "",
            "carstore,",
            "postgres,redis,rabbit,carstore,carstore",
        ] {
            assert_eq!(requested(bad).unwrap_err().code(), "invalid_logs", "{bad}");
        }
    }

    #[test]
    fn a_cursor_sent_back_wins_and_a_malformed_one_is_ignored() {
        let mut asked = requested("carstore:3,redis:5,postgres").unwrap();
        resume(&mut asked, "carstore:41,postgres:12,rabbit:9");
        let expect = [
            at("carstore", Some(41)),
            at("redis", Some(5)),
            at("postgres", Some(12)),
        ];
        assert_eq!(asked, expect);
        for garbage in [
            "",
            "41",
            "carstore:x",
            "carstore:41,",
            "carstore:-1",
            "carstore:1,redis:2,postgres:3,rabbit:4,carstore:5",
        ] {
            resume(&mut asked, garbage);
            assert_eq!(asked, expect, "{garbage:?}");
        }
    }

    #[test]
    fn the_cursor_names_each_window_with_a_position_in_the_parameters_order() {
        let mut cursor = Cursor::new(vec![at("carstore", None), at("postgres", Some(7))]);
        assert_eq!(cursor.sent(1, 12), "postgres:12");
        assert_eq!(cursor.sent(0, 41), "carstore:41,postgres:12");
        assert_eq!(cursor.window(1), "postgres");
    }
}
