//! Half-block terminal renderings back to text, so tests can scan a terminal QR without a camera.

use crate::error::ReadError;
use crate::limits::{MAX_SIDE_PX, QUIET_ZONE_MODULES};
use crate::picture::Grey;
use crate::read::decode_luma;

/// Pixels per module in the bitmap handed to the detector; a single pixel per module leaves
/// the finder-pattern scan no slack.
const SCALE: u32 = 4;

/// Reads a QR code drawn in Unicode half blocks (`' '`, `'▀'`, `'▄'`, `'█'`, two module rows
/// per line), as [`crate::render_terminal`] prints it, and returns the decoded texts.
///
/// Both colourings are accepted: blocks as light modules (the dark-terminal rendering this
/// crate produces) and blocks as dark modules. Line endings may be `\n` or `\r\n`; blank
/// lines before and after the code are ignored, and lines shorter than the longest are
/// treated as padded with spaces (terminals often drop trailing blanks on copy).
///
/// # Errors
///
/// [`ReadError::NotTerminalQr`] if the text is empty, too large, or contains any other
/// character; otherwise [`ReadError::NoQrCode`], [`ReadError::Unreadable`] or
/// [`ReadError::DetectorFailed`], as for [`crate::read_image`].
pub fn read_terminal(rendered: &str) -> Result<Vec<String>, ReadError> {
    let ink = InkGrid::parse(rendered)?;
    let as_rendered = decode_luma(ink.to_luma(true));
    match as_rendered {
        Ok(texts) => Ok(texts),
        Err(first) => match decode_luma(ink.to_luma(false)) {
            Ok(texts) => Ok(texts),
            Err(second) => Err(more_informative(first, second)),
        },
    }
}

/// Prefers "found but unreadable" over "found nothing": the former is what the user must fix.
fn more_informative(first: ReadError, second: ReadError) -> ReadError {
    match (&first, &second) {
        (ReadError::NoQrCode, _) => second,
        _ => first,
    }
}

/// Which half-cells of the text carry a block glyph, one `bool` per module.
struct InkGrid {
    width: usize,
    height: usize,
    ink: Vec<bool>,
}

impl InkGrid {
    fn parse(rendered: &str) -> Result<Self, ReadError> {
        let lines = trimmed_lines(rendered);
        let width = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0);
        if width == 0 {
            return Err(ReadError::NotTerminalQr("the text holds no QR code".into()));
        }
        check_size(width, lines.len())?;
        let mut ink = Vec::with_capacity(width * lines.len() * 2);
        for (row, line) in lines.iter().enumerate() {
            let halves = line_halves(row, line)?;
            ink.extend(padded(halves.iter().map(|h| h.0), width));
            ink.extend(padded(halves.iter().map(|h| h.1), width));
        }
        let mut height = lines.len() * 2;
        // An odd-sided code leaves the bottom half of its last line unused; drop it so the
        // bitmap is square again and the empty half is not read as a row of modules.
        if height == width + 1 {
            height -= 1;
            ink.truncate(width * height);
        }
        Ok(Self { width, height, ink })
    }

    /// Scales the grid up, painting ink light (`ink_is_light`) or dark and the rest the
    /// opposite, inside a light margin: a copy that lost its blank quiet-zone lines still reads.
    fn to_luma(&self, ink_is_light: bool) -> Grey {
        let margin = QUIET_ZONE_MODULES as usize;
        let side = |n: usize| {
            u32::try_from(n + 2 * margin)
                .unwrap_or(0)
                .saturating_mul(SCALE)
        };
        Grey::from_fn(side(self.width), side(self.height), |x, y| {
            let light = match self.ink_at(x / SCALE, y / SCALE, margin) {
                Some(inked) => inked == ink_is_light,
                None => true,
            };
            if light {
                255
            } else {
                0
            }
        })
    }

    /// The ink of the module at picture module (`x`, `y`), or `None` in the margin.
    fn ink_at(&self, x: u32, y: u32, margin: usize) -> Option<bool> {
        let x = (x as usize)
            .checked_sub(margin)
            .filter(|&x| x < self.width)?;
        let y = (y as usize)
            .checked_sub(margin)
            .filter(|&y| y < self.height)?;
        self.ink.get(y * self.width + x).copied()
    }
}

fn trimmed_lines(rendered: &str) -> Vec<&str> {
    let lines: Vec<&str> = rendered.lines().collect();
    let first = lines
        .iter()
        .position(|l| !l.is_empty())
        .unwrap_or(lines.len());
    let last = lines
        .iter()
        .rposition(|l| !l.is_empty())
        .map_or(first, |i| i + 1);
    lines
        .get(first..last)
        .map(<[&str]>::to_vec)
        .unwrap_or_default()
}

fn check_size(width: usize, lines: usize) -> Result<(), ReadError> {
    let max = (MAX_SIDE_PX / SCALE - 2 * QUIET_ZONE_MODULES) as usize;
    if width > max || lines * 2 > max {
        return Err(ReadError::NotTerminalQr(format!(
            "{width} columns by {lines} lines is larger than the {max} modules a side this reader accepts"
        )));
    }
    Ok(())
}

/// The (top, bottom) ink of each character of one line.
fn line_halves(row: usize, line: &str) -> Result<Vec<(bool, bool)>, ReadError> {
    line.chars()
        .enumerate()
        .map(|(column, c)| {
            glyph_halves(c).ok_or_else(|| {
                ReadError::NotTerminalQr(format!(
                    "line {}, column {}: unexpected {c:?}; expected only ' ', '▀', '▄' and '█'",
                    row + 1,
                    column + 1
                ))
            })
        })
        .collect()
}

fn glyph_halves(c: char) -> Option<(bool, bool)> {
    match c {
        ' ' => Some((false, false)),
        '▀' => Some((true, false)),
        '▄' => Some((false, true)),
        '█' => Some((true, true)),
        _ => None,
    }
}

fn padded(cells: impl Iterator<Item = bool>, width: usize) -> impl Iterator<Item = bool> {
    cells.chain(std::iter::repeat(false)).take(width)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_side_drops_the_unused_half_row() {
        let grid = InkGrid::parse("█▀▀\n▀▀▀").unwrap();
        assert_eq!((grid.width, grid.height), (3, 3));
        assert_eq!(
            grid.ink,
            vec![true, true, true, true, false, false, true, true, true]
        );
    }

    #[test]
    fn short_lines_and_crlf_and_blank_edges_are_tolerated() {
        let grid = InkGrid::parse("\n\r\n█▄\r\n▀\r\n\n").unwrap();
        assert_eq!((grid.width, grid.height), (2, 4));
        assert_eq!(
            grid.ink,
            vec![true, false, true, true, true, false, false, false]
        );
    }

    #[test]
    fn foreign_character_is_located() {
        let err = InkGrid::parse("██\n█#").err().unwrap();
        assert_eq!(
            err,
            ReadError::NotTerminalQr(
                "line 2, column 2: unexpected '#'; expected only ' ', '▀', '▄' and '█'".into()
            )
        );
    }

    #[test]
    fn empty_text_is_refused() {
        assert!(matches!(
            read_terminal("\n\n"),
            Err(ReadError::NotTerminalQr(_))
        ));
    }

    #[test]
    fn oversized_text_is_refused_before_allocating() {
        let line = "█".repeat(5000);
        assert!(
            matches!(read_terminal(&line), Err(ReadError::NotTerminalQr(m)) if m.contains("larger"))
        );
    }
}
