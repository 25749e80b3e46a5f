//! WebAuthn client and relying party (in progress).
