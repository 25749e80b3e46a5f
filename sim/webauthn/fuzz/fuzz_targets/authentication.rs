//! finish_authentication never panics on a hostile AuthenticationResponseJSON, and never
//! accepts a response whose signed bytes (authenticatorData, clientDataJSON) were changed.
#![no_main]

mod common;

use hybridsim_webauthn::json::AuthenticationResponseJson;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let valid = common::valid();
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let mut response = valid.authentication.clone();
    match mode % 5 {
        0 => {
            let Ok(text) = std::str::from_utf8(rest) else {
                return;
            };
            let Ok(parsed) = AuthenticationResponseJson::from_json(text) else {
                return;
            };
            response = parsed;
        }
        1 => common::mutate(&mut response.response.authenticator_data.0, rest),
        2 => common::mutate(&mut response.response.client_data_json.0, rest),
        3 => common::mutate(&mut response.response.signature.0, rest),
        _ => response.response.authenticator_data.0 = rest.to_vec(),
    }
    let mut credential = valid.credential.clone();
    let result =
        valid
            .rp
            .finish_authentication(&valid.authentication_state, &response, &mut credential);
    let original = &valid.authentication.response;
    let signed_changed = response.response.authenticator_data != original.authenticator_data
        || response.response.client_data_json != original.client_data_json;
    if signed_changed && mode % 5 != 0 {
        assert!(result.is_err(), "changed signed bytes were accepted");
    }
});
