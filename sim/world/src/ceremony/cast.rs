//! Who is in a ceremony's world: built when the world is set up (`running.rs`), read when the
//! outcome is collected (`outcome.rs`); its own file so those two need not import each other.

use crate::world::ActorId;

/// The actors of a ceremony's world.
pub(super) struct Cast {
    pub(super) desktop: ActorId,
    pub(super) phone: ActorId,
    /// Actors a fault brought in.
    pub(super) others: Vec<ActorId>,
}
