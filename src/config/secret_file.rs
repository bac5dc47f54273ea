//! Secret-bearing settings read from files (`DATABASE_URL_FILE=/run/secrets/database-url`), the
//! convention of the official container images: a value kept in a file never shows in a
//! container's environment, which the Docker API hands to anyone allowed to inspect it.

use anyhow::Context;

/// The value of `name` from the environment, else from the file `<name>_FILE` names (trailing
/// white space trimmed). An unreadable or empty file is an error, never a silent fallback.
pub fn env_or_file(name: &str) -> anyhow::Result<Option<String>> {
    if let Some(value) = std::env::var(name).ok().filter(|v| !v.is_empty()) {
        return Ok(Some(value));
    }
    from_file_var(name)
}

/// The value in the file `<name>_FILE` names, if that variable is set: how every secret setting
/// (its value hidden in `--help`) may be given without putting it in the environment.
pub fn from_file_var(name: &str) -> anyhow::Result<Option<String>> {
    let file_var = format!("{name}_FILE");
    let Some(path) = std::env::var_os(&file_var).filter(|p| !p.is_empty()) else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("{file_var}: cannot read {}", path.to_string_lossy()))?;
    let value = text.trim_end().to_owned();
    anyhow::ensure!(
        !value.is_empty(),
        "{file_var}: {} is empty",
        path.to_string_lossy()
    );
    Ok(Some(value))
}

/// A secret setting not given as a flag or variable: from the file `<var>_FILE` names, else
/// from its `conventional` variable (`DATABASE_URL`, or the file `DATABASE_URL_FILE` names)
/// where it has one, else the config file.
pub fn secret(
    var: &str,
    conventional: Option<&str>,
    from_file: Option<String>,
) -> anyhow::Result<Option<String>> {
    let conventional = match conventional {
        Some(name) => env_or_file(name)?,
        None => None,
    };
    Ok(from_file_var(var)?.or(conventional).or(from_file))
}
