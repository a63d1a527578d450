use super::*;
use crate::credentials::Scheme;
use crate::jwt::base64url_encode;
use proptest::prelude::*;

fn jwt_with(payload: &str) -> String {
    format!(
        "{}.{}.{}",
        base64url_encode(br#"{"alg":"HS256","typ":"JWT"}"#),
        base64url_encode(payload.as_bytes()),
        base64url_encode(b"sig")
    )
}

#[test]
fn applying_one_scheme_removes_the_other() {
    let mut headers = HeaderMap::new();
    let pair = Credentials::key_pair("key", "hunter2-secret-value").unwrap();
    let jwt = Credentials::jwt(jwt_with("{}")).unwrap();
    pair.apply_to(&mut headers);
    assert_eq!(headers.len(), 2);
    jwt.apply_to(&mut headers);
    assert_eq!(headers.len(), 1);
    assert!(headers[AUTHORIZATION].is_sensitive());
    pair.apply_to(&mut headers);
    assert_eq!(headers.len(), 2);
    assert!(headers.get(AUTHORIZATION).is_none());
    assert!(headers[&API_KEY_HEADER].is_sensitive());
    assert!(headers[&API_SECRET_HEADER].is_sensitive());
    assert!(!format!("{headers:?}").contains("hunter2"));
}

fn headers(pairs: &[(&str, &[u8])]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (name, value) in pairs {
        h.append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_bytes(value).unwrap(),
        );
    }
    h
}

#[test]
fn parser_tells_the_cases_apart() {
    let token = jwt_with(r#"{"scopedKeyKey":"k"}"#);
    assert_eq!(
        parse_credentials(&headers(&[])),
        PresentedCredentials::Missing
    );
    assert_eq!(
        parse_credentials(&headers(&[("pinata_api_key", b"k")])),
        PresentedCredentials::IncompletePair {
            missing: PairHeader::ApiSecret
        }
    );
    assert_eq!(
        parse_credentials(&headers(&[("pinata_secret_api_key", b"s")])),
        PresentedCredentials::IncompletePair {
            missing: PairHeader::ApiKey
        }
    );
    assert_eq!(
        parse_credentials(&headers(&[("authorization", b"Basic abc")])),
        PresentedCredentials::MalformedBearer(MalformedBearer::NotBearer)
    );
    assert_eq!(
        parse_credentials(&headers(&[("authorization", b"Bearer ")])),
        PresentedCredentials::MalformedBearer(MalformedBearer::NotBearer)
    );
    assert!(matches!(
        parse_credentials(&headers(&[("authorization", b"Bearer garbage")])),
        PresentedCredentials::MalformedBearer(MalformedBearer::InvalidToken(
            CredentialsError::MalformedJwt(_)
        ))
    ));
    assert!(matches!(
        parse_credentials(&headers(&[("authorization", b"Bearer \xff.a.b")])),
        PresentedCredentials::MalformedBearer(MalformedBearer::InvalidToken(
            CredentialsError::NonAscii(CredentialField::Jwt)
        ))
    ));
    assert_eq!(
        parse_credentials(&headers(&[(
            "authorization",
            format!("bearer  {token}").as_bytes()
        )])),
        PresentedCredentials::Jwt(Credentials::jwt(token.clone()).unwrap())
    );
    assert_eq!(
        parse_credentials(&headers(&[
            ("pinata_api_key", b"k"),
            ("pinata_secret_api_key", b"s")
        ])),
        PresentedCredentials::KeyPair(Credentials::key_pair("k", "s").unwrap())
    );
    assert_eq!(
        parse_credentials(&headers(&[
            ("pinata_api_key", b"k"),
            ("pinata_secret_api_key", b"")
        ])),
        PresentedCredentials::InvalidPair(CredentialsError::Empty(CredentialField::ApiSecret))
    );
    // The Authorization header decides when both schemes are present (emulator's documented choice).
    assert!(matches!(
        parse_credentials(&headers(&[
            ("authorization", format!("Bearer {token}").as_bytes()),
            ("pinata_api_key", b"k"),
            ("pinata_secret_api_key", b"s")
        ])),
        PresentedCredentials::Jwt(_)
    ));
}

/// The characters that may appear in a valid credential: visible ASCII.
fn header_safe(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| (0x21..=0x7e).contains(&b))
}

fn arbitrary_text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".*",
        "[!-~]{1,80}",
        "[ -~\t\r\n\u{7f}\u{80}-\u{ff}é€]{0,40}",
    ]
}

/// Valid JWT segments wrapped around a random payload object.
fn arbitrary_jwt() -> impl Strategy<Value = String> {
    ("[a-zA-Z0-9]{0,12}", "[!-~]{0,40}", any::<u32>()).prop_map(|(key, secret, exp)| {
        jwt_with(
            &serde_json::json!({"scopedKeyKey": key, "scopedKeySecret": secret, "exp": exp})
                .to_string(),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn key_pair_accepts_exactly_header_safe_values(key in arbitrary_text(), secret in arbitrary_text()) {
        let result = Credentials::key_pair(key.clone(), secret.clone());
        prop_assert_eq!(result.is_ok(), header_safe(&key) && header_safe(&secret));
        match result {
            Ok(creds) => {
                let mut h = HeaderMap::new();
                creds.apply_to(&mut h);
                prop_assert_eq!(h.len(), 2);
                prop_assert_eq!(h[&API_KEY_HEADER].to_str().unwrap(), key.as_str());
                prop_assert_eq!(h[&API_SECRET_HEADER].to_str().unwrap(), secret.as_str());
                prop_assert_eq!(parse_credentials(&h), PresentedCredentials::KeyPair(creds.clone()));
                if secret.len() >= 8 {
                    let shown = format!("{:?}", creds);
        prop_assert!(!shown.contains(&secret));
                    prop_assert!(!creds.to_string().contains(&secret));
                }
            }
            Err(e) => {
                if secret.len() >= 4 {
                    prop_assert!(!e.to_string().contains(&secret));
                    let shown = format!("{:?}", e);
        prop_assert!(!shown.contains(&secret));
                }
            }
        }
    }

    #[test]
    fn arbitrary_text_is_never_a_jwt_unless_well_formed(text in arbitrary_text()) {
        let result = Credentials::jwt(text.clone());
        if !header_safe(&text) {
            prop_assert!(result.is_err());
        }
        if let Ok(creds) = result {
            prop_assert_eq!(text.split('.').count(), 3);
            let mut h = HeaderMap::new();
            creds.apply_to(&mut h);
            prop_assert_eq!(parse_credentials(&h), PresentedCredentials::Jwt(creds));
        } else if let Err(e) = result
            && text.len() >= 4
        {
            prop_assert!(!e.to_string().contains(&text));
        }
    }

    #[test]
    fn well_formed_jwts_round_trip(token in arbitrary_jwt()) {
        let creds = Credentials::jwt(token.clone()).unwrap();
        prop_assert_eq!(creds.scheme(), Scheme::Jwt);
        let mut h = HeaderMap::new();
        creds.apply_to(&mut h);
        prop_assert_eq!(h.len(), 1);
        prop_assert_eq!(h[AUTHORIZATION].to_str().unwrap(), format!("Bearer {token}"));
        prop_assert!(h[AUTHORIZATION].is_sensitive());
        prop_assert_eq!(parse_credentials(&h), PresentedCredentials::Jwt(creds.clone()));
        let shown = format!("{:?}", creds);
        prop_assert!(!shown.contains(&token));
        prop_assert!(!creds.to_string().contains(&token));
        let shown = format!("{:?}", h);
        prop_assert!(!shown.contains(&token));
    }

    #[test]
    fn a_jwt_with_any_byte_changed_to_unsafe_is_refused(token in arbitrary_jwt(), at in any::<prop::sample::Index>(), bad in prop_oneof![Just(' '), Just('\n'), Just('é'), Just('\u{0}')]) {
        let mut chars: Vec<char> = token.chars().collect();
        let i = at.index(chars.len());
        chars[i] = bad;
        let broken: String = chars.into_iter().collect();
        prop_assert!(Credentials::jwt(broken).is_err());
    }
}
