//! CTAP2 authenticator (in progress).
