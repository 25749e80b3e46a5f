//! finish_registration never panics on a hostile RegistrationResponseJSON: arbitrary JSON
//! text, a valid packed-x5c response with bytes of its attestationObject or clientDataJSON
//! flipped, or an arbitrary attestationObject.
#![no_main]

mod common;

use hybridsim_webauthn::b64::Base64Url;
use hybridsim_webauthn::json::RegistrationResponseJson;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let valid = common::valid();
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let mut response = valid.registration.clone();
    match mode % 4 {
        0 => {
            let Ok(text) = std::str::from_utf8(rest) else {
                return;
            };
            let Ok(parsed) = RegistrationResponseJson::from_json(text) else {
                return;
            };
            response = parsed;
        }
        1 => {
            // The copy would stop every mutation at the first comparison.
            response.response.authenticator_data = None;
            response.response.public_key = None;
            common::mutate(&mut response.response.attestation_object.0, rest);
        }
        2 => {
            response.response.authenticator_data = None;
            response.response.attestation_object = Base64Url(rest.to_vec());
        }
        _ => common::mutate(&mut response.response.client_data_json.0, rest),
    }
    let _ = valid
        .rp
        .finish_registration(&valid.registration_state, &response, common::NOW);
});
