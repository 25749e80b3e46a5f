//! Virtual time: the caller says what time it is. The type is shared with the rest of
//! hybridsim's sans-IO code, so the simulated world drives everything with one clock.

pub use hybridsim_proto::time::Millis;
