//! An email address as the platform stores and mails it.

/// An email address the mailer can send to, lower-cased so uniqueness
/// ignores case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(raw: &str) -> Result<EmailAddress, String> {
        let email = raw.trim().to_lowercase();
        let valid = email.len() <= 254
            && !email
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>' || c == ',')
            && match email.split_once('@') {
                Some((local, domain)) => {
                    !local.is_empty()
                        && local.len() <= 64
                        && !domain.contains('@')
                        && domain.contains('.')
                        && !domain.starts_with('.')
                        && !domain.ends_with('.')
                        && !domain.contains("..")
                }
                None => false,
            }
            // The mailer's own parser has the last word: an address it
            // cannot send to (`a..b@x.com`, `a@-x.com`, `a(b)@x.com`) would
            // only fail later, in the outbox.
            && email.parse::<lettre::Address>().is_ok();
        if valid {
            Ok(EmailAddress(email))
        } else {
            Err(format!(
                "'{}' is not an email address; write it as name@example.com",
                raw.trim()
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_the_mailer_cannot_send_to_are_refused() {
        for bad in [
            "a..b@x.com",
            "a@-x.com",
            "a(b)@x.com",
            "a..b@x",
            "a(b)@x",
            "not-an-email",
            "a@b@c.com",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad} should be refused");
        }
        assert_eq!(
            EmailAddress::parse(" Priya.Nair+drives@Example.co.in ").map(|e| e.as_str().to_string()),
            Ok("priya.nair+drives@example.co.in".to_string())
        );
    }
}
