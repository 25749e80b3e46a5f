//! Tunnel URL and path parsing never panics, parsed routes print back to paths that parse
//! to the same route, and an accepted URL (its host checked) prints back to one that parses
//! to the same scheme, host, port and route.
#![no_main]

use hybridsim_proto::tunnel_url::{Route, TunnelUrl};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok((route, _)) = Route::parse_path(text) {
        assert_eq!(Route::parse_path(&route.path()).ok().map(|r| r.0), Some(route));
    }
    if let Ok(url) = TunnelUrl::parse(text) {
        // Printing normalises hex to upper case, so compare everything but the case seen.
        let fields = |u: TunnelUrl| (u.scheme, u.host, u.port, u.route);
        let again = TunnelUrl::parse(&url.to_string()).map(fields);
        assert_eq!(again, Ok(fields(url)));
    }
});
