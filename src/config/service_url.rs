use std::fmt;

/// A service URL that may hold a password. Shown anywhere (logs, errors, `Debug`) with the
/// password replaced, so a connection string never leaks.
#[derive(Clone, PartialEq, Eq)]
pub struct ServiceUrl(String);

impl ServiceUrl {
    pub fn parse(raw: &str, schemes: &[&str], name: &str) -> anyhow::Result<Self> {
        let scheme = raw.split_once("://").map(|(s, _)| s).unwrap_or_default();
        if !schemes.contains(&scheme) {
            anyhow::bail!("{name} must start with {}://", schemes.join(":// or "));
        }
        Ok(ServiceUrl(raw.to_owned()))
    }

    /// The URL itself, for the driver only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `scheme://user:***@host:port/path`: what logs may show. A query string may carry a
    /// password too (`?password=`), so it is never shown.
    pub fn redacted(&self) -> String {
        let Some((scheme, rest)) = self.0.split_once("://") else {
            return "***".into();
        };
        let (rest, query) = match rest.split_once('?') {
            Some((before, _)) => (before, "?***"),
            None => (rest, ""),
        };
        match rest.rsplit_once('@') {
            Some((userinfo, host)) => {
                let user = userinfo.split(':').next().unwrap_or_default();
                format!("{scheme}://{user}:***@{host}{query}")
            }
            None => format!("{scheme}://{rest}{query}"),
        }
    }
}

impl fmt::Debug for ServiceUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ServiceUrl({})", self.redacted())
    }
}

impl fmt::Display for ServiceUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show() {
        let url = ServiceUrl::parse(
            "postgres://shop:s3cret@db:5432/carstore",
            &["postgres"],
            "x",
        )
        .unwrap();
        assert_eq!(url.to_string(), "postgres://shop:***@db:5432/carstore");
        assert!(!format!("{url:?}").contains("s3cret"));
        assert_eq!(url.expose(), "postgres://shop:s3cret@db:5432/carstore");
    }

    #[test]
    fn query_strings_are_hidden() {
        let url =
            ServiceUrl::parse("postgres://u@db/shop?password=s3cret", &["postgres"], "x").unwrap();
        assert_eq!(url.to_string(), "postgres://u:***@db/shop?***");
    }

    #[test]
    fn urls_without_credentials_show_as_they_are() {
        let url = ServiceUrl::parse("redis://127.0.0.1:6379", &["redis"], "x").unwrap();
        assert_eq!(url.to_string(), "redis://127.0.0.1:6379");
    }

    #[test]
    fn the_wrong_scheme_is_refused() {
        let err = ServiceUrl::parse("mysql://x", &["postgres", "postgresql"], "database URL")
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "database URL must start with postgres:// or postgresql://"
        );
    }
}
