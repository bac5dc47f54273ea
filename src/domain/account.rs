//! A shopper's account: who they are, and what signs them in.

use super::{CustomerName, Email, Invalid};

/// An account's number, given by the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AccountId(pub i64);

/// What a sign-up asks for, checked: the name as an order would carry it, the email that is
/// the login, and the password (hashed before it goes anywhere).
#[derive(Debug)]
pub struct SignUp {
    pub name: CustomerName,
    pub email: Email,
    pub password: super::Password,
}

impl SignUp {
    /// Each field's own rule, naming the field that broke it: `invalid_name`, `invalid_email` or
    /// `invalid_password`, the codes the API answers with.
    pub fn parse(name: &str, email: &str, password: &str) -> Result<Self, (&'static str, Invalid)> {
        let name = CustomerName::parse(name).map_err(|_| {
            let why = "name must be 1 to 200 characters, without control characters";
            ("invalid_name", Invalid(why.into()))
        })?;
        let email = Email::parse(email).map_err(|_| {
            let why = "email must look like name@example.com";
            ("invalid_email", Invalid(why.into()))
        })?;
        let password = super::Password::parse(password).map_err(|e| ("invalid_password", e))?;
        Ok(SignUp {
            name,
            email,
            password,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_field_names_its_own_code() {
        let ok = SignUp::parse(" Ada ", "Ada@Example.com", "correct horse").unwrap();
        assert_eq!(ok.name.as_str(), "Ada");
        assert_eq!(ok.email.login(), "ada@example.com");
        for (name, email, password, code) in [
            ("", "ada@example.com", "correct horse", "invalid_name"),
            ("Ada", "ada@", "correct horse", "invalid_email"),
            ("Ada", "ada@example.com", "short", "invalid_password"),
            (
                "Ada",
                "ada@example.com",
                &"x".repeat(129),
                "invalid_password",
            ),
        ] {
            assert_eq!(SignUp::parse(name, email, password).unwrap_err().0, code);
        }
    }
}
