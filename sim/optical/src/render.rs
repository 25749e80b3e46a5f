//! Text to QR pictures.

use qrcode::render::unicode::Dense1x2;
use qrcode::{Color, QrCode};

use crate::picture::Grey;

use crate::error::RenderError;
use crate::limits::{MAX_SIDE_PX, QUIET_ZONE_MODULES};

/// Renders `text` as a grayscale PNG, `module_px` pixels per module, with a 4-module quiet zone.
///
/// The encoder picks error-correction level M and the smallest version; a `FIDO:/` string is
/// encoded as an alphanumeric segment plus a numeric one, never in byte mode, so it stays as
/// small as the phone's scanner expects.
///
/// # Errors
///
/// [`RenderError::Encode`] if the text does not fit in a QR code, [`RenderError::ModuleSize`]
/// if `module_px` is 0 or the picture would exceed [`crate::MAX_SIDE_PX`] pixels a side.
pub fn render_png(text: &str, module_px: u32) -> Result<Vec<u8>, RenderError> {
    let code = encode(text)?;
    check_module_size(&code, module_px)?;
    // The module grid, drawn black on white with the quiet zone, `module_px` to a module.
    let width = code.width();
    let colors = code.to_colors();
    let side = side_in_modules(&code).saturating_mul(module_px);
    let module = |coordinate: u32| (coordinate / module_px).checked_sub(QUIET_ZONE_MODULES);
    let picture = Grey::from_fn(side, side, |x, y| {
        let dark = match (module(x), module(y)) {
            (Some(mx), Some(my)) if (mx as usize) < width && (my as usize) < width => colors
                .get(my as usize * width + mx as usize)
                .is_some_and(|c| *c == Color::Dark),
            _ => false,
        };
        if dark {
            0
        } else {
            255
        }
    });
    picture.to_png().map_err(RenderError::Png)
}

/// Renders `text` as Unicode half blocks (two module rows per line) for a dark terminal.
///
/// Colours are swapped: light modules and the quiet zone are drawn as blocks, dark modules as
/// spaces, so on a dark background the code looks like a normal dark-on-light QR code. Lines
/// are joined with `\n` and there is no trailing newline. [`crate::read_terminal`] reads it back.
///
/// # Errors
///
/// [`RenderError::Encode`] if the text does not fit in a QR code.
pub fn render_terminal(text: &str) -> Result<String, RenderError> {
    let code = encode(text)?;
    Ok(code
        .render::<Dense1x2>()
        .quiet_zone(true)
        .dark_color(Dense1x2::Light)
        .light_color(Dense1x2::Dark)
        .build())
}

fn encode(text: &str) -> Result<QrCode, RenderError> {
    QrCode::new(text.as_bytes()).map_err(|e| RenderError::Encode {
        len: text.len(),
        reason: e.to_string(),
    })
}

/// Keeps the picture within what `read_image` accepts, and keeps qrcode's `u32` pixel
/// arithmetic from overflowing.
fn check_module_size(code: &QrCode, module_px: u32) -> Result<(), RenderError> {
    let modules = side_in_modules(code);
    let max_px = MAX_SIDE_PX / modules.max(1);
    if module_px == 0 || module_px > max_px {
        return Err(RenderError::ModuleSize { module_px, max_px });
    }
    Ok(())
}

fn side_in_modules(code: &QrCode) -> u32 {
    // The largest QR version is 177 modules wide, so this never saturates in practice.
    let width = u32::try_from(code.width()).unwrap_or(u32::MAX);
    width.saturating_add(2 * QUIET_ZONE_MODULES)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_size_zero_is_refused() {
        assert_eq!(
            render_png("FIDO:/1234", 0),
            Err(RenderError::ModuleSize {
                module_px: 0,
                max_px: 8192 / 29
            })
        );
    }

    #[test]
    fn module_size_beyond_reader_limit_is_refused() {
        let err = render_png("FIDO:/1234", u32::MAX).unwrap_err();
        assert!(matches!(
            err,
            RenderError::ModuleSize {
                module_px: u32::MAX,
                ..
            }
        ));
    }

    #[test]
    fn text_too_long_is_refused() {
        let text = "x".repeat(3000);
        let err = render_terminal(&text).unwrap_err();
        assert!(
            matches!(err, RenderError::Encode { len: 3000, .. }),
            "{err:?}"
        );
        assert!(err.to_string().contains("shorten the text"));
    }

    #[test]
    fn terminal_rendering_has_block_quiet_zone() {
        let art = render_terminal("FIDO:/1234").unwrap();
        let first = art.lines().next().unwrap();
        assert!(first.chars().all(|c| c == '█'), "{first:?}");
    }
}
