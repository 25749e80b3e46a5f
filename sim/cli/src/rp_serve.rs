//! `hybridsim rp serve`: the strict relying party over HTTP(S), serving the FIDO2 server
//! conformance API until Ctrl-C. The server, its routes and its bounds are
//! `hybridsim-rp-http`, whose `Limits` are the bounds' flags; this module turns the rest of the
//! flags into its configuration.

use crate::args::RpServe;
use crate::failure::{Failure, Outcome};
use hybridsim_rp_http::{RpIdentity, ServeConfig, ServeError};

/// Serves until Ctrl-C.
pub fn serve(args: &RpServe) -> Outcome {
    let trusted_roots = crate::rp::trusted_roots(&args.trust)?;
    let config = ServeConfig {
        listen: args.listen,
        tls: args.tls_cert.clone().zip(args.tls_key.clone()),
        identity: RpIdentity {
            rp_id: args.rp_id.clone(),
            origins: args.origin.clone(),
            trusted_roots,
            key_restrictions: args.restrictions.key_restrictions(),
        },
        limits: args.limits.clone(),
    };
    // Warnings (accept failing for lack of descriptors) go to stderr; RUST_LOG for more.
    crate::standalone::init_logging("warn");
    let runtime = crate::standalone::runtime()?;
    runtime.block_on(async {
        let server = hybridsim_rp_http::bind(config).await.map_err(|e| match e {
            ServeError::Tls(_) => Failure::bad_input(e.to_string()),
            ServeError::Bind { .. } | ServeError::Random(_) => Failure::environment(e.to_string()),
        })?;
        eprintln!(
            "hybridsim: relying party {} listening on {} (FIDO2 conformance API); Ctrl-C to stop",
            args.rp_id,
            server.url()
        );
        server
            .run(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await;
        Ok(())
    })
}
