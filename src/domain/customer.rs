use super::Invalid;

const MAX_NAME_CHARS: usize = 200;
const MAX_EMAIL_CHARS: usize = 254;

/// The name on an order: 1 to 200 characters after trimming, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerName(String);

impl CustomerName {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(Invalid("customer name is required".into()));
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(Invalid(format!(
                "customer name must be at most {MAX_NAME_CHARS} characters"
            )));
        }
        if name.chars().any(char::is_control) {
            return Err(Invalid(
                "customer name must not contain control characters".into(),
            ));
        }
        Ok(CustomerName(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A deliverable-looking email address: `local@domain.tld`, no spaces or control characters.
/// Whether it really receives mail is not ours to know; this only catches typing mistakes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let email = raw.trim();
        let refuse = || Invalid("customer email must look like name@example.com".into());
        if email.chars().count() > MAX_EMAIL_CHARS
            || email.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(refuse());
        }
        let (local, domain) = email.split_once('@').ok_or_else(refuse)?;
        let domain_ok = !domain.contains('@')
            && domain.contains('.')
            && domain
                .split('.')
                .all(|label| !label.is_empty() && !label.starts_with('-'));
        if local.is_empty() || !domain_ok {
            return Err(refuse());
        }
        Ok(Email(email.to_owned()))
    }

    /// The address as an account's login: compared without regard to case, so `Ada@Example.com`
    /// and `ada@example.com` are one account. The address itself keeps the case it was typed in.
    pub fn login(&self) -> String {
        self.0.to_lowercase()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed() {
        assert_eq!(
            CustomerName::parse("  Ada Lovelace ").unwrap().as_str(),
            "Ada Lovelace"
        );
    }

    #[test]
    fn empty_long_and_control_names_are_refused() {
        assert!(CustomerName::parse("").is_err());
        assert!(CustomerName::parse("   ").is_err());
        assert!(CustomerName::parse(&"a".repeat(10_000)).is_err());
        assert!(CustomerName::parse("Ada\u{0}Lovelace").is_err());
        assert!(CustomerName::parse("Ada\nLovelace").is_err());
    }

    #[test]
    fn two_hundred_characters_is_the_limit() {
        assert!(CustomerName::parse(&"é".repeat(200)).is_ok());
        assert!(CustomerName::parse(&"é".repeat(201)).is_err());
    }

    #[test]
    fn plausible_emails_are_accepted() {
        for e in ["ada@example.com", "a.b+shop@mail.example.co.uk"] {
            assert_eq!(Email::parse(e).unwrap().as_str(), e);
        }
    }

    #[test]
    fn malformed_emails_are_refused() {
        for e in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a@b@c.com",
            "a b@c.com",
            "a@.com",
            "a@b..com",
        ] {
            assert!(Email::parse(e).is_err(), "{e:?} should be refused");
        }
    }

    #[test]
    fn an_email_logs_in_whatever_its_case_and_keeps_the_case_typed() {
        let typed = Email::parse("Ada.Lovelace@Example.COM").unwrap();
        assert_eq!(typed.as_str(), "Ada.Lovelace@Example.COM");
        assert_eq!(
            typed.login(),
            Email::parse("ada.lovelace@example.com").unwrap().login()
        );
    }
}
