//! Ceremonies over a real tunnel server reach the [`TunnelDriver`] the caller gives, with
//! what to keep: the scenario's `reveal_secrets` and whether the run records sessions; the
//! wire the driver kept becomes the step's session record.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use hybridsim_pcapng::record::SessionRecord;
use hybridsim_peers::desktop::Desktop;
use hybridsim_peers::phone::Phone;
use hybridsim_peers::TunnelEndpoint;
use hybridsim_proto::tunnel_url::Scheme;
use hybridsim_scenario::parse;
use hybridsim_scenario::run::{run_scenario_with, Keep, TunnelDriver};
use hybridsim_world::ceremony::ExternalRun;
use std::path::Path;
use std::sync::Mutex;

/// Runs nothing: notes what it was asked to keep and hands back a wire with a QR code.
#[derive(Debug, Default)]
struct Noting(Mutex<Vec<Keep>>);

impl TunnelDriver for Noting {
    fn endpoint(&self, _: &str) -> Result<TunnelEndpoint, String> {
        Ok(TunnelEndpoint::new(Scheme::Ws, "127.0.0.1", Some(9)))
    }

    fn drive(&self, _: &str, desktop: Desktop, phone: Phone, keep: Keep) -> ExternalRun {
        self.0.lock().unwrap().push(keep);
        let mut wire = SessionRecord::new("");
        wire.qr = Some("FIDO:/42".to_owned());
        ExternalRun {
            wire: keep.wire.then_some(wire),
            ..ExternalRun::not_started(desktop, phone, "not run")
        }
    }
}

const SCENARIO: &str = r#"
about = "one registration over a real server"

[world]
reveal_secrets = true

[phone.phone]
profile = "microsoft-authenticator-ios"

[[step]]
kind = "register"
expect = { outcome = "failure" }
"#;

#[test]
fn the_driver_is_told_what_to_keep_and_its_wire_is_the_steps_session() {
    let scenario = parse(Path::new("driver.toml"), SCENARIO).unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    for record in [true, false] {
        let driver = Noting::default();
        let tunnel = (Some("ws://127.0.0.1:9"), Some(&driver as &dyn TunnelDriver));
        let steps = run_scenario_with(&scenario, &dir, 1, tunnel, record).unwrap();
        let asked = driver.0.lock().unwrap().clone();
        let keep = Keep {
            secret_bytes: true,
            wire: record,
        };
        assert_eq!(asked, [keep]);
        let qr = steps[0].session.as_ref().and_then(|s| s.qr.as_deref());
        assert_eq!(qr, record.then_some("FIDO:/42"));
    }
}
