//! `hybridsim tunnel …`: the real tunnel server on a socket, and `hybridsim-tunnel-check`'s
//! checker and load generator, whose options are their flags.

pub mod args;

use crate::failure::{Failure, Outcome};
use crate::hex_arg;
use crate::standalone::{self, runtime};
use args::{TunnelBench, TunnelCheck, TunnelCommand, TunnelServe};
use hybridsim_tunnel_server::{NetError, ServeConfig};
use std::time::Duration;

/// Runs one tunnel command.
pub fn run(command: TunnelCommand) -> Outcome {
    match command {
        TunnelCommand::Serve(args) => serve(&args),
        TunnelCommand::Check(args) => check(args),
        TunnelCommand::Bench(args) => bench(args),
    }
}

fn check(args: TunnelCheck) -> Outcome {
    let report = runtime()?.block_on(hybridsim_tunnel_check::check(&args.target, args.options));
    say!("{report}");
    if let Some(path) = &args.junit {
        crate::output::write_file(path, report.to_junit_xml())?;
    }
    if report.passed() {
        Ok(())
    } else {
        Err(Failure::no_match(format!(
            "{} does not behave like a hybrid tunnel server (see the table)",
            args.target
        )))
    }
}

fn bench(args: TunnelBench) -> Outcome {
    let report = runtime()?.block_on(hybridsim_tunnel_check::bench(&args.target, args.options));
    say!("{report}");
    Ok(())
}

fn serve(args: &TunnelServe) -> Outcome {
    let mut config = ServeConfig::new(args.listen);
    config.tunnel.routing_id = match args.instance_id {
        Some(instance) => hybridsim_tunnel::instance_routing_id(instance),
        None => hex_arg::fixed::<3>("--routing-id", &args.routing_id)?,
    };
    config.tunnel.max_message_size = args.max_message_size;
    config.tunnel.max_messages_per_peer = args.max_messages_per_peer;
    config.tunnel.pending_ttl = Duration::from_secs(args.pending_ttl);
    config.tunnel.tunnel_ttl = Duration::from_secs(args.tunnel_ttl);
    config.tunnel.max_tunnels = args.max_tunnels;
    config.tunnel.max_connections_per_ip = args.max_connections_per_ip;
    config.max_connections = args.max_connections;
    if let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) {
        config.tls = Some(hybridsim_tunnel_server::TlsFiles::new(
            cert.clone(),
            key.clone(),
        ));
    }
    let routing_id = config.tunnel.routing_id;
    standalone::init_logging("info");
    let runtime = runtime()?;
    runtime.block_on(async {
        let server = hybridsim_tunnel_server::bind(config)
            .await
            .map_err(bind_failure)?;
        eprintln!(
            "hybridsim: tunnel server listening on {}://{} (routing id {}); Ctrl-C to stop",
            if args.tls_cert.is_some() { "wss" } else { "ws" },
            server.local_addr(),
            hybridsim_tunnel::Hex(&routing_id)
        );
        let report = server
            .run(hybridsim_tunnel_server::ctrl_c_or_terminate())
            .await;
        eprintln!("hybridsim: {report}");
        Ok(())
    })
}

/// A configuration the server refuses (TLS files, a zero limit, named by its flag) is bad
/// input (exit 2); a taken or forbidden address is the machine's (exit 3).
fn bind_failure(error: NetError) -> Failure {
    match error {
        NetError::ZeroLimit { limit } => Failure::bad_input(format!(
            "--{} must be at least 1 (0 leaves a server that cannot relay)",
            limit.replace('_', "-")
        )),
        e if e.is_configuration() => Failure::bad_input(e.to_string()),
        e => Failure::environment(e.to_string()),
    }
}
