//! A decrypted session for a person (`hybridsim decode session`): one labelled line per
//! fact (tunnel id, advert, flow, keys, handshake hash, crypter, revision, key-log notices),
//! then one line per message, long byte strings shortened; or the whole session as one JSON
//! object. Either way a failure, when there was one, comes last.

use crate::decrypt::DecryptedSession;
use serde_json::Value;

/// The width of the label column; message comments that span lines are indented to it.
const INDENT: &str = "             ";

/// The session as JSON, with `error` added when decrypting stopped at a failure.
pub fn to_json(session: &DecryptedSession, error: Option<&str>) -> Value {
    let mut value = serde_json::to_value(session).unwrap_or_default();
    if let (Some(map), Some(e)) = (value.as_object_mut(), error) {
        map.insert("error".into(), e.into());
    }
    value
}

/// The session as labelled lines; a message's comment may hold line breaks, indented so
/// its continuation lines sit under the text.
pub fn to_lines(session: &DecryptedSession, error: Option<&str>) -> Vec<String> {
    let hex_or_none = |b: Option<[u8; 32]>| b.map_or("(none)".into(), hex::encode);
    let word = |v: Value| v.as_str().map_or("(unknown)".to_owned(), str::to_owned);
    let mut out = vec![format!(
        "tunnel id    {}",
        hex::encode_upper(session.tunnel_id)
    )];
    if let Some(a) = &session.advert {
        let domain = a.domain.clone().unwrap_or_else(|| a.domain_id.to_string());
        out.push(format!(
            "advert       routing id {}, domain {domain}",
            hex::encode_upper(a.routing_id)
        ));
        out.push(format!("psk          {}", hex::encode(a.psk)));
    }
    let flow = word(serde_json::to_value(session.flow).unwrap_or_default());
    let keys = word(serde_json::to_value(session.handshake).unwrap_or_default());
    out.push(format!("flow         {flow}"));
    out.push(format!("keys         {keys}"));
    out.push(format!(
        "handshake    {}",
        hex_or_none(session.handshake_hash)
    ));
    let crypter = session.crypter.map_or("(unknown)", |c| c.as_str());
    out.push(format!("crypter      {crypter}"));
    let revision = session
        .revision
        .map_or("(unknown)".into(), |r| r.to_string());
    out.push(format!("revision     {revision}"));
    for note in &session.notices {
        out.push(format!("note         {note}"));
    }
    for (i, m) in session.messages.iter().enumerate() {
        let text = elide_long_bytes(&m.comment()).replace('\n', &format!("\n{INDENT}"));
        out.push(format!("#{:<3} {:<7} {text}", i + 1, m.from.as_str()));
    }
    if let Some(e) = error {
        out.push(format!("FAILED       {e}"));
    }
    out
}

/// Byte strings (`h'…'`) longer than 32 bytes shortened to their first 16 and their length,
/// so padding does not fill the screen (the JSON keeps everything).
fn elide_long_bytes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("h'") {
        let (before, from) = rest.split_at(start + 2);
        out.push_str(before);
        let len = from.find('\'').unwrap_or(from.len());
        let (digits, after) = from.split_at(len);
        match digits.get(..32) {
            Some(head) if digits.len() > 64 => {
                out.push_str(&format!("{head}…({} bytes)", digits.len() / 2));
            }
            _ => out.push_str(digits),
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bare() -> DecryptedSession {
        DecryptedSession {
            tunnel_id: [0xab; 16],
            flow: None,
            advert: None,
            handshake: None,
            handshake_hash: None,
            messages: Vec::new(),
            crypter: None,
            revision: Some(1),
            notices: vec!["unknown label X".to_owned()],
        }
    }

    #[test]
    fn long_byte_strings_are_shortened_and_short_ones_kept() {
        let long = "11".repeat(40);
        let text = format!("{{1: h'{long}', 2: h'0102'}}");
        let expected = format!("{{1: h'{}…(40 bytes)', 2: h'0102'}}", "11".repeat(16));
        assert_eq!(elide_long_bytes(&text), expected);
        assert_eq!(elide_long_bytes("no bytes"), "no bytes");
        assert_eq!(elide_long_bytes("h'unterminated"), "h'unterminated");
    }

    #[test]
    fn unknown_facts_say_so_and_the_failure_comes_last() {
        let lines = to_lines(&bare(), Some("message 2: bad tag"));
        assert_eq!(
            lines,
            [
                format!("tunnel id    {}", "AB".repeat(16)),
                "flow         (unknown)".to_owned(),
                "keys         (unknown)".to_owned(),
                "handshake    (none)".to_owned(),
                "crypter      (unknown)".to_owned(),
                "revision     1".to_owned(),
                "note         unknown label X".to_owned(),
                "FAILED       message 2: bad tag".to_owned(),
            ]
        );
    }

    #[test]
    fn the_json_carries_the_error_only_when_there_is_one() {
        assert_eq!(to_json(&bare(), Some("bad"))["error"], "bad");
        assert!(to_json(&bare(), None).get("error").is_none());
        assert_eq!(to_json(&bare(), None)["revision"], 1);
    }
}
