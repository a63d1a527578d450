use super::*;
use crate::jwt::base64url_encode;

pub(crate) fn sample_jwt(payload: &str) -> String {
    format!(
        "{}.{}.{}",
        base64url_encode(br#"{"alg":"HS256","typ":"JWT"}"#),
        base64url_encode(payload.as_bytes()),
        base64url_encode(b"not-a-real-signature")
    )
}

const KEY: &str = "0123456789abcdef0123";
const SECRET: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

#[test]
fn jwt_credentials_keep_the_key_claim() {
    let t = sample_jwt(&format!(
        r#"{{"scopedKeyKey":"{KEY}","scopedKeySecret":"{SECRET}"}}"#
    ));
    let c = Credentials::jwt(t.clone()).unwrap();
    assert_eq!(c.scheme(), Scheme::Jwt);
    assert_eq!(c.api_key(), Some(KEY));
    assert_eq!(c.expose_jwt(), Some(t.as_str()));
    assert_eq!(c.expose_key_pair(), None);
}

#[test]
fn debug_and_display_hide_secrets() {
    let t = sample_jwt(&format!(
        r#"{{"scopedKeyKey":"{KEY}","scopedKeySecret":"{SECRET}"}}"#
    ));
    for c in [
        Credentials::jwt(t.clone()).unwrap(),
        Credentials::key_pair(KEY, SECRET).unwrap(),
    ] {
        for text in [format!("{c:?}"), format!("{c:#?}"), c.to_string()] {
            assert!(!text.contains(SECRET), "{text}");
            assert!(!text.contains(&t), "{text}");
            for segment in t.split('.') {
                assert!(!text.contains(segment), "a JWT segment shows in {text}");
            }
            assert!(
                text.contains(KEY),
                "the public key helps tell keys apart: {text}"
            );
        }
    }
}

#[test]
fn each_bad_input_has_its_own_error() {
    use CredentialField::*;
    let cases: Vec<(Result<Credentials, CredentialsError>, CredentialsError)> = vec![
        (Credentials::jwt(""), CredentialsError::Empty(Jwt)),
        (
            Credentials::key_pair("", "s"),
            CredentialsError::Empty(ApiKey),
        ),
        (
            Credentials::key_pair("k", ""),
            CredentialsError::Empty(ApiSecret),
        ),
        (
            Credentials::key_pair(" k", "s"),
            CredentialsError::Whitespace(ApiKey),
        ),
        (
            Credentials::key_pair("k", "s\n"),
            CredentialsError::Whitespace(ApiSecret),
        ),
        (
            Credentials::key_pair("k\u{7f}", "s"),
            CredentialsError::ControlCharacter(ApiKey),
        ),
        (
            Credentials::key_pair("k", "s\u{1}"),
            CredentialsError::ControlCharacter(ApiSecret),
        ),
        (
            Credentials::key_pair("k", "sé"),
            CredentialsError::NonAscii(ApiSecret),
        ),
        (
            Credentials::jwt("Bearer a.b.c"),
            CredentialsError::BearerPrefix,
        ),
        (
            Credentials::jwt("bearer\ta.b.c"),
            CredentialsError::BearerPrefix,
        ),
        (
            Credentials::jwt("a.b"),
            CredentialsError::MalformedJwt(JwtError::SegmentCount(2)),
        ),
    ];
    for (got, want) in cases {
        assert_eq!(got.unwrap_err(), want);
    }
}

#[test]
fn errors_never_echo_the_value() {
    let secret = "my-very-secret-value-é";
    let err = Credentials::key_pair("key", secret).unwrap_err();
    assert!(!err.to_string().contains("my-very-secret"));
    assert!(!format!("{err:?}").contains("my-very-secret"));
    assert_eq!(
        err.to_string(),
        "the API secret contains a character outside ASCII"
    );
    let err = Credentials::jwt("Bearer eyJsecretsecret").unwrap_err();
    assert!(!err.to_string().contains("eyJsecretsecret"));
}

fn lookup<'a>(
    vars: &'a [(&'static str, &'a str)],
) -> impl Fn(&'static str) -> Result<Option<String>, ()> + 'a {
    move |name| {
        Ok(vars
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.to_string()))
    }
}

#[test]
fn environment_lookup() {
    let jwt = sample_jwt("{}");
    let c = Credentials::from_lookup(lookup(&[(ENV_JWT, &jwt), (ENV_API_KEY, "k")])).unwrap();
    assert_eq!(c.scheme(), Scheme::Jwt, "the JWT wins when both are set");
    let c = Credentials::from_lookup(lookup(&[(ENV_API_KEY, "k"), (ENV_API_SECRET, "s")])).unwrap();
    assert_eq!(c.expose_key_pair(), Some(("k", "s")));
    assert_eq!(
        Credentials::from_lookup(lookup(&[(ENV_API_KEY, "k")])).unwrap_err(),
        CredentialsError::IncompleteEnvironment {
            missing: ENV_API_SECRET
        }
    );
    assert_eq!(
        Credentials::from_lookup(lookup(&[(ENV_JWT, ""), (ENV_API_SECRET, "s")])).unwrap_err(),
        CredentialsError::IncompleteEnvironment {
            missing: ENV_API_KEY
        }
    );
    assert_eq!(
        Credentials::from_lookup(lookup(&[])).unwrap_err(),
        CredentialsError::NotInEnvironment
    );
    assert_eq!(
        Credentials::from_lookup(|_| Err(())).unwrap_err(),
        CredentialsError::EnvironmentNotUnicode { variable: ENV_JWT }
    );
}
