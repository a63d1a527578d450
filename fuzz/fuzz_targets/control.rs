//! The emulator's control-endpoint JSON (`POST /emulator/faults`, `PUT /emulator/rate_limit`):
//! any body decodes to a rule or an error, a rule that passes validation can be applied and
//! consulted at any time without panicking (no overflow from huge windows, delays or counts).
#![no_main]

use std::time::{Duration, UNIX_EPOCH};

use libfuzzer_sys::fuzz_target;
use pinata_emulator::faults::{FaultRule, Faults, RateLimitRule};

fuzz_target!(|data: &[u8]| {
    let faults = Faults::default();
    if let Ok(rule) = serde_json::from_slice::<FaultRule>(data)
        && rule.validate().is_ok()
    {
        let key = rule.key.clone();
        assert!(faults.add(rule).is_ok());
        let _ = faults.take(key.as_deref());
        let _ = faults.take(None);
    }
    if let Ok(rule) = serde_json::from_slice::<RateLimitRule>(data)
        && rule.validate().is_ok()
    {
        let key = rule.key.clone();
        // Any moment: the epoch, now, and far in the future.
        for now in [
            UNIX_EPOCH,
            std::time::SystemTime::now(),
            UNIX_EPOCH + Duration::from_secs(u64::from(u32::MAX) * 100),
        ] {
            faults.set_rate_limit(rule.clone(), now);
            let _ = faults.rate(key.as_deref(), now);
            let _ = faults.rate(key.as_deref(), now + Duration::from_secs(rule.window_secs));
        }
    }
    // The command-line forms of the same rules.
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(rule) = FaultRule::parse(text) {
            assert!(rule.validate().is_ok(), "a parsed fault is valid: {text:?}");
        }
        if let Ok(rule) = RateLimitRule::parse(text) {
            assert!(rule.validate().is_ok(), "a parsed limit is valid: {text:?}");
        }
    }
});
