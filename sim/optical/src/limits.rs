//! Size bounds shared by the renderers and the readers.

/// Width of the light border around every rendered code, in modules.
///
/// ISO/IEC 18004 asks for four; scanners (phones included) find the finder patterns less
/// reliably with less.
pub const QUIET_ZONE_MODULES: u32 = 4;

/// Largest picture side, in pixels, that [`crate::read_image`] accepts and
/// [`crate::render_png`] produces.
///
/// Rendering and reading share the bound so that every PNG this crate writes can be read back.
pub const MAX_SIDE_PX: u32 = 8192;

/// Most memory, in bytes, the image decoder may allocate for one picture.
///
/// A PNG header can claim any size; the decoder refuses before allocating when the claim
/// exceeds this.
pub const MAX_ALLOC_BYTES: u64 = 256 * 1024 * 1024;
