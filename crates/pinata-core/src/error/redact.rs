//! The client's own secrets, removed from what a server sent back.
//!
//! A server (or a proxy, or a debugging endpoint) that echoes the request puts the credentials in
//! its answer; an error made from that answer would carry them into logs. The client knows its
//! credentials, so before it returns an error made from an answer it replaces every occurrence of
//! the API secret or the JWT in the error's server text (the decoded body, the raw body, the
//! `Location`, the CID the server reported) with [`REDACTED`]. The forms a JSON body escapes them
//! in are caught too, and so is the start of a secret that the kept part of a long body ends with.

use zeroize::Zeroizing;

use super::{ApiError, ApiErrorBody, DecodeError, Error, VerifyError};
use crate::credentials::Credentials;

/// What a secret is replaced with.
pub(crate) const REDACTED: &str = "[REDACTED]";

/// The texts to remove: each secret the client holds, as it is and as JSON may escape it.
#[derive(Debug)]
pub(crate) struct Secrets {
    /// Longest first, so a longer form is replaced before a shorter one inside it. Zeroed on drop,
    /// as the credentials are.
    forms: Vec<Zeroizing<String>>,
}

impl Secrets {
    /// The secrets of `credentials`: the JWT, or the API secret.
    pub(crate) fn of(credentials: &Credentials) -> Self {
        Self::new(credentials.secrets())
    }

    /// Each of `secrets` in the forms a server may echo it in: as it is, JSON-escaped, and
    /// percent-encoded (as a query value, such as the gateway key, is sent).
    pub(crate) fn new(secrets: impl IntoIterator<Item = impl AsRef<str>>) -> Self {
        let mut forms = Vec::new();
        for secret in secrets {
            let secret = secret.as_ref();
            if secret.is_empty() {
                continue;
            }
            forms.push(Zeroizing::new(secret.to_owned()));
            forms.push(Zeroizing::new(crate::query::encode_segment(secret)));
            // serde_json escapes `"` and `\`; other encoders also write `/` as `\/`.
            if let Ok(quoted) = serde_json::to_string(secret) {
                let escaped = Zeroizing::new(quoted[1..quoted.len() - 1].to_owned());
                forms.push(Zeroizing::new(escaped.replace('/', "\\/")));
                forms.push(escaped);
            }
        }
        forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
        forms.dedup();
        Self { forms }
    }

    /// Replaces every occurrence of a secret in `text`.
    pub(crate) fn redact(&self, text: &mut String) {
        for form in &self.forms {
            if text.contains(form.as_str()) {
                *text = text.replace(form.as_str(), REDACTED);
            }
        }
    }

    /// As [`Secrets::redact`], for text that is the kept start of a longer body (`cut`): if it ends
    /// with the first characters of a secret, they go too.
    pub(crate) fn redact_kept(&self, text: &mut String, cut: bool) {
        self.redact(text);
        if !cut {
            return;
        }
        for form in &self.forms {
            let partial = (1..form.len())
                .rev()
                .filter(|&n| form.is_char_boundary(n))
                .find(|&n| text.ends_with(&form[..n]));
            if let Some(n) = partial {
                text.truncate(text.len() - n);
                text.push_str(REDACTED);
                return;
            }
        }
    }
}

// What the errors do with the secrets: the methods that remove them, beside the removal itself.

impl Error {
    /// The same error with every occurrence of `credentials`' secret (the JWT, or the API secret)
    /// replaced by `[REDACTED]` in what the server sent: the decoded and raw body of an
    /// [`Error::Api`] or [`Error::Decode`], a redirect's `Location`, the CID of an
    /// [`Error::Verify`]. Also the JSON-escaped forms, and a secret cut short where a long body was.
    ///
    /// The clients do this before they return an error, so a server that echoes the request cannot
    /// put the credentials in an error, neither in its `Display` nor in its data (`raw_body()`…).
    /// Call it yourself after [`crate::interpret_response`] when you drive requests by hand.
    pub fn redact_secrets(self, credentials: &Credentials) -> Self {
        self.redact(&Secrets::of(credentials))
    }

    /// The same error with each of `secrets` removed from what the server sent, in every form
    /// [`Error::redact_secrets`] removes the credentials' own in.
    pub(crate) fn redact_listed(self, secrets: impl IntoIterator<Item = impl AsRef<str>>) -> Self {
        self.redact(&Secrets::new(secrets))
    }

    /// The same error without the secret parts of `url`, a URL the request went to with no other
    /// credential (a signed upload URL, a download link, a TUS upload URL): its query values
    /// (where the signature is) and its last path segment (a TUS upload token).
    pub(crate) fn redact_url_secrets(self, url: &str) -> Self {
        let (path, query) = url.split_once('?').unwrap_or((url, ""));
        let mut secrets: Vec<String> = crate::query::Query::parse(query)
            .into_iter()
            .map(|(_, v)| v)
            .chain(
                query
                    .split('&')
                    .filter_map(|p| p.split_once('='))
                    .map(|(_, v)| v.to_owned()),
            )
            .collect();
        if let Some(last) = path.trim_end_matches('/').rsplit('/').next() {
            secrets.push(last.to_owned());
        }
        // Short values (dates, `GET`) are not secrets and would redact ordinary text.
        secrets.retain(|s| s.len() >= 16);
        if secrets.is_empty() {
            return self;
        }
        self.redact(&Secrets::new(secrets))
    }

    fn redact(mut self, secrets: &Secrets) -> Self {
        match &mut self {
            Error::Api(e) => e.redact(secrets),
            Error::Decode(e) => e.redact(secrets),
            Error::Redirect(e) => {
                if let Some(location) = &mut e.location {
                    secrets.redact(location);
                }
            }
            Error::Verify(VerifyError::CidMismatch { received, .. }) => secrets.redact(received),
            Error::Build(_) | Error::Transport(_) | Error::Local(_) | Error::Verify(_) => {}
        }
        self
    }
}

impl ApiError {
    /// Removes `secrets` from everything the server sent.
    fn redact(&mut self, secrets: &Secrets) {
        match &mut self.body {
            ApiErrorBody::Reason { reason, details } => {
                secrets.redact(reason);
                if let Some(details) = details {
                    secrets.redact(details);
                }
            }
            ApiErrorBody::Message(message) | ApiErrorBody::Coded { message, .. } => {
                secrets.redact(message)
            }
            ApiErrorBody::Text(text) => secrets.redact_kept(text, self.cut),
        }
        secrets.redact_kept(&mut self.raw, self.cut);
        if let Some(id) = &mut self.request_id {
            secrets.redact(id);
        }
    }
}

impl DecodeError {
    /// Removes `secrets` from everything the server sent.
    fn redact(&mut self, secrets: &Secrets) {
        secrets.redact(&mut self.path);
        secrets.redact(&mut self.message);
        secrets.redact_kept(&mut self.raw, self.cut);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_occurrence_is_replaced() {
        let secrets = Secrets::new(["s3cr3t-value"]);
        let mut text = "a s3cr3t-value b s3cr3t-valueS3CR3T".to_owned();
        secrets.redact(&mut text);
        assert_eq!(text, "a [REDACTED] b [REDACTED]S3CR3T");
        let mut clean = "nothing here".to_owned();
        secrets.redact(&mut clean);
        assert_eq!(clean, "nothing here");
    }

    #[test]
    fn json_escaped_forms_are_replaced() {
        let secrets = Secrets::new([r#"a"b\c/d"#]);
        for echoed in [r#"a"b\c/d"#, r#"a\"b\\c/d"#, r#"a\"b\\c\/d"#] {
            let mut text = format!(r#"{{"echo":"{echoed}"}}"#);
            secrets.redact(&mut text);
            assert_eq!(text, r#"{"echo":"[REDACTED]"}"#, "{echoed}");
        }
    }

    #[test]
    fn a_secret_cut_at_the_end_of_a_kept_body_is_replaced() {
        let secrets = Secrets::new(["0123456789"]);
        let mut cut = "head 01234".to_owned();
        secrets.redact_kept(&mut cut, true);
        assert_eq!(cut, "head [REDACTED]");
        // Not cut: the body really ends there, and a prefix is not the secret.
        let mut whole = "head 01234".to_owned();
        secrets.redact_kept(&mut whole, false);
        assert_eq!(whole, "head 01234");
    }

    #[test]
    fn a_jwt_s_secret_parts_are_replaced_too() {
        // Payload {"scopedKeySecret":"deep-secret"}: the token, its payload and signature
        // segments, and the decoded API secret are all secrets.
        let payload = crate::jwt::base64url_encode(br#"{"scopedKeySecret":"deep-secret"}"#);
        let token = format!("eyJhbGciOiJIUzI1NiJ9.{payload}.c2lnbmF0dXJl");
        let jwt = Credentials::jwt(&token).unwrap();
        let secrets = Secrets::of(&jwt);
        for echoed in [
            token.as_str(),
            payload.as_str(),
            "c2lnbmF0dXJl",
            "deep-secret",
        ] {
            let mut text = format!("echo {echoed} end");
            secrets.redact(&mut text);
            assert_eq!(text, "echo [REDACTED] end", "{echoed}");
        }
        let key = Secrets::new(["gw/key+1"]);
        let mut query = "?pinataGatewayToken=gw%2Fkey%2B1".to_owned();
        key.redact(&mut query);
        assert_eq!(query, "?pinataGatewayToken=[REDACTED]");
    }

    #[test]
    fn credentials_give_their_secret() {
        let pair = Credentials::key_pair("0123456789abcdef0123", "pair-secret").unwrap();
        let mut text = "0123456789abcdef0123 pair-secret".to_owned();
        Secrets::of(&pair).redact(&mut text);
        // The public key is not a secret.
        assert_eq!(text, "0123456789abcdef0123 [REDACTED]");
    }
}
