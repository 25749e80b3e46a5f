//! Tunnel URL and path parsing never panics, and parsed routes print back to paths that
//! parse to the same route.
#![no_main]

use hybridsim_proto::tunnel_url::{Route, TunnelUrl};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok((route, _)) = Route::parse_path(text) {
        assert_eq!(Route::parse_path(&route.path()).ok().map(|r| r.0), Some(route));
    }
    let _ = TunnelUrl::parse(text);
});
