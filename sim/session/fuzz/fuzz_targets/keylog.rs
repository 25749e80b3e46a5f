//! The key-log reader never panics, and the known labels of a key log it accepts read the
//! same after a round trip through the writer.
#![no_main]

use hybridsim_session::keylog::{KeyLog, KeyLogWriter};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(log) = KeyLog::parse(data) else {
        return;
    };
    let mut writer = KeyLogWriter::new(Vec::new());
    for tunnel in log.tunnel_ids() {
        let Some(session) = log.session(tunnel) else {
            continue;
        };
        for label in session.labels() {
            if let Some(value) = session.get(label) {
                assert!(writer.secret(label, tunnel, value).is_ok());
            }
        }
    }
    let again = KeyLog::parse(&writer.into_inner()).expect("the writer's output reads back");
    for tunnel in log.tunnel_ids() {
        // The writer writes known labels only; a session of unknown lines is not written.
        let Some(a) = log.session(tunnel).filter(|s| s.labels().next().is_some()) else {
            continue;
        };
        let Some(b) = again.session(tunnel) else {
            panic!("session lost in the round trip");
        };
        for label in a.labels() {
            assert_eq!(a.get(label), b.get(label));
        }
    }
});
