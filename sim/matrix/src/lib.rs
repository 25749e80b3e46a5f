//! The interop matrix (`hybridsim matrix`): every desktop profile × phone profile × flow
//! (QR registration, QR sign-in, linked sign-in) run in the simulated world, each cell a pass
//! or the failing party, layer and reason, compared with an expectations file that names the
//! cells that must fail and why.
//!
//! - [`spec`]: which desktops, phones and flows (default: every shipped profile, all flows).
//! - [`cell`]: one cell's ceremonies and verdict.
//! - [`expect`]: the expectations file and how cells are held against it.
//! - [`report`]: the terminal grid, `--json`, `--junit`.
//! - [`html`]: the HTML grid, red cells linked to their sequence diagrams.
//! - [`command`]: what `hybridsim matrix` does, for the CLI to call.

pub mod cell;
pub mod command;
pub mod expect;
pub mod html;
pub mod report;
pub mod spec;

pub use cell::{Cell, Verdict};
pub use command::{run_command, MatrixOptions, MatrixRun};
pub use expect::{Expectations, Mismatch};
pub use spec::{Flow, MatrixSpec, SpecError};
