//! A deterministic bound on the QR detector's work, checked before the detector runs.
//!
//! rqrr finds finder patterns ("capstones") line by line, then tries them in groups of three,
//! copying the whole picture for every candidate group. On a real picture there are three
//! capstones per code; on noise or fine texture there are hundreds, and the grouping takes
//! minutes (a 3072² 1-bit noise PNG). rqrr has no budget of its own, so this module counts
//! what drives its work, the finder-pattern look-alikes (dark-light-dark-light-dark runs of
//! proportions 1:1:3:1:1 across a row and down the column through their middle), on the
//! same thresholded picture the detector sees, in time linear in the picture's area; a
//! picture with more than [`MAX_FINDER_PATTERNS`] is refused. Large pictures are shrunk to
//! [`MAX_DETECT_SIDE_PX`] first, so each copy the detector makes is bounded too.

/// The most finder patterns (as [`finder_candidates`] counts them) a picture may have before
/// the detector runs.
///
/// One code has three, and a few look-alikes in its data (up to 14 measured, version 40);
/// 40 leaves room for two or three codes in one picture. The detector's grouping tries up to
/// every pair of patterns with each pattern, copying the picture each time: 36 patterns in a
/// grid take 0.14 s, 256 take 0.7 s, 1-bit noise of 1024² has ~130 and of 3072² keeps it
/// busy for minutes.
pub const MAX_FINDER_PATTERNS: usize = 40;

/// Pictures are read at most this many pixels wide and tall: larger ones are shrunk
/// (averaging) first. The detector copies the whole picture for every group of finder
/// patterns it tries, so its work grows with the area; a version-40 code still has more than
/// 5 pixels per module at this size.
pub const MAX_DETECT_SIDE_PX: u32 = 1024;

/// Estimates the finder patterns of a thresholded picture, stopping once `limit` is passed
/// (the count returned is then `limit + 1`).
///
/// Each row is scanned for 1:1:3:1:1 runs; the middle (3) run of such a candidate is one row
/// of a finder pattern's centre stone. The column through the stone's middle must show the
/// same proportions (a finder pattern is square; most 1:1:3:1:1 rows inside a code's data
/// are not). A candidate whose stone touches a stone of the row above continues that
/// pattern; one that touches none starts a new pattern, and those are counted.
///
/// The picture is `width` × `height` pixels, `is_dark(x, y)` saying whether a pixel is dark
/// after thresholding (for an rqrr `PreparedImage`: `get_pixel_at(x, y) == 1`).
pub fn finder_candidates(
    width: usize,
    height: usize,
    is_dark: impl Fn(usize, usize) -> bool,
    limit: usize,
) -> usize {
    let picture = Thresholded {
        width,
        height,
        is_dark: &is_dark,
    };
    let mut count = 0;
    let mut above: Vec<(usize, usize)> = Vec::new();
    for y in 0..picture.height {
        let mut runs = Runs::default();
        let mut stones = Vec::new();
        // The detector treats the right edge as one more light pixel; so does this count.
        let row = (0..picture.width).map(|x| picture.dark(x, y));
        for (x, dark) in row.chain([false]).enumerate() {
            if !runs.push(dark) {
                continue;
            }
            let stone = runs.stone_ending_before(x);
            if !column_is_finder(&picture, stone, y) {
                continue;
            }
            if !above.iter().any(|s| overlaps(*s, stone)) {
                count += 1;
                if count > limit {
                    return count;
                }
            }
            stones.push(stone);
        }
        above = stones;
    }
    count
}

/// A thresholded picture: its size and which pixels are dark.
struct Thresholded<'a> {
    width: usize,
    height: usize,
    is_dark: &'a dyn Fn(usize, usize) -> bool,
}

impl Thresholded<'_> {
    fn dark(&self, x: usize, y: usize) -> bool {
        (self.is_dark)(x, y)
    }
}

/// Whether the column through the middle of `stone` (found on row `y`) shows 1:1:3:1:1 runs
/// too: the stone's dark run through `y`, then light, then dark on each side.
///
/// A finder pattern is square, so no vertical run may be longer than twice the stone's
/// width (leaving room for perspective); the walk stops there, which bounds the work of
/// one check by the stone's width, and of a row by the row's width.
fn column_is_finder(picture: &Thresholded<'_>, stone: (usize, usize), y: usize) -> bool {
    let x = (stone.0 + stone.1) / 2;
    let max_run = 2 * (stone.1 - stone.0) + 2;
    let height = picture.height;
    // The dark, light and dark runs from `y` outwards in one direction; `None` once a run
    // is longer than `max_run`.
    let walk = |step: &dyn Fn(usize) -> Option<usize>| -> Option<[usize; 3]> {
        let mut lengths = [0usize; 3];
        let mut at = Some(y);
        for (len, want_dark) in lengths.iter_mut().zip([true, false, true]) {
            while let Some(here) = at.filter(|&h| h < height && picture.dark(x, h) == want_dark) {
                *len += 1;
                if *len > max_run {
                    return None;
                }
                at = step(here);
            }
        }
        Some(lengths)
    };
    let (Some(up), Some(down)) = (
        walk(&|h: usize| h.checked_sub(1)),
        walk(&|h: usize| h.checked_add(1)),
    ) else {
        return false;
    };
    let [stone_up, light_up, ring_up] = up;
    let [stone_down, light_down, ring_down] = down;
    let runs = Runs {
        lengths: [
            ring_up,
            light_up,
            (stone_up + stone_down).saturating_sub(1),
            light_down,
            ring_down,
        ],
        completed: 5,
        current: 0,
        dark: false,
    };
    stone_up > 0 && runs.is_finder_ratio()
}

fn overlaps(a: (usize, usize), b: (usize, usize)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// The last five completed runs of one row, oldest first, and the run in progress.
#[derive(Debug, Default)]
struct Runs {
    lengths: [usize; 5],
    completed: usize,
    current: usize,
    dark: bool,
}

impl Runs {
    /// Adds one pixel; true when it starts a light run right after a 1:1:3:1:1 pattern that
    /// began dark.
    fn push(&mut self, dark: bool) -> bool {
        if self.current > 0 && dark == self.dark {
            self.current += 1;
            return false;
        }
        if self.current > 0 {
            self.lengths.rotate_left(1);
            if let Some(last) = self.lengths.last_mut() {
                *last = self.current;
            }
            self.completed += 1;
        }
        self.dark = dark;
        self.current = 1;
        !dark && self.completed >= 5 && self.is_finder_ratio()
    }

    /// Where the middle run of the last five lay, as `start..end`, when the run in progress
    /// began at `x`.
    fn stone_ending_before(&self, x: usize) -> (usize, usize) {
        let [_, _, stone, d, e] = self.lengths;
        let end = x.saturating_sub(d + e);
        (end.saturating_sub(stone), end)
    }

    /// The runs are 1:1:3:1:1 of a unit (the mean of the four thin runs, in whole pixels),
    /// each within three quarters of a unit.
    fn is_finder_ratio(&self) -> bool {
        let [a, b, c, d, e] = self.lengths;
        let unit = (a + b + d + e) / 4;
        let slack = unit * 3 / 4;
        [(a, 1), (b, 1), (c, 3), (d, 1), (e, 1)]
            .iter()
            .all(|&(len, ratio)| len.abs_diff(ratio * unit) <= slack)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidates_in(row: &str) -> usize {
        let mut runs = Runs::default();
        row.chars()
            .chain(['.'])
            .filter(|c| runs.push(*c == '#'))
            .count()
    }

    #[test]
    fn a_finder_row_is_one_candidate_at_any_scale() {
        assert_eq!(candidates_in("..#.###.#.."), 1);
        assert_eq!(candidates_in("...##..######..##..."), 1);
        assert_eq!(candidates_in("#.###.#"), 1);
        // Two finder rows side by side.
        assert_eq!(candidates_in("#.###.#....#.###.#"), 2);
    }

    #[test]
    fn other_runs_are_not_candidates() {
        assert_eq!(candidates_in("#.#.#.#.#"), 0);
        assert_eq!(candidates_in("#########"), 0);
        assert_eq!(candidates_in("#.#####.#"), 0);
        assert_eq!(candidates_in("#.#######.#"), 0);
    }
}
