//! One axial slice of a DWI or ADC volume in grey, the tumour mask
//! outlined over it.
//!
//! Each terminal cell shows two pixels stacked, as the upper half block
//! `▀` in the upper pixel's colour on the lower pixel's. A cell is about
//! twice as tall as wide, so these pixels are about square, and the image
//! is fitted to them keeping its physical aspect ratio (pixel spacing).
//!
//! Orientation: the slice is indexed `[x, y]`; x runs left to right on
//! screen and y bottom to top (the slice's row y = 0 is drawn at the
//! bottom). The widget does not reorient: for an image stored LAS (voxel x
//! toward the patient's left, y toward anterior) this is the radiological
//! view with anterior up. Volumes are held `[z, y, x]`
//! ([`radcohort::imaging::Volume`]), so a slice is
//! `data.index_axis(Axis(0), z).t()`; for LPS storage (ITK's convention,
//! and the sample study's: y toward posterior) reverse y as well,
//! `.slice(s![.., ..;-1])`, to keep anterior up.
//!
//! Pure drawing: the caller picks the slice, the window (see
//! [`auto_window`]) and the colour depth the terminal supports.

use ndarray::{Array2, ArrayView2};
use radcohort::radiomics::numeric::numpy_percentile_sorted;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::Line;
use ratatui::widgets::Widget;

/// The upper half block: foreground is the upper pixel, background the
/// lower one.
const UPPER_HALF: &str = "▀";

/// The lower half block, for a cell whose upper pixel is outside the
/// image: a background left alone shows the terminal's own there.
const LOWER_HALF: &str = "▄";

/// How many colours the terminal shows, which decides how greys are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColourDepth {
    /// 24-bit colour: 256 greys.
    TrueColor,
    /// The xterm 256-colour palette: its 24 greys (232–255) with black and
    /// white, 26 levels.
    Indexed256,
    /// The 16 basic colours: black, dark grey, grey and white. The default,
    /// since every terminal has them.
    #[default]
    Basic16,
}

/// A slice drawn in grey through a window, with an optional mask outline.
#[derive(Debug, Clone)]
pub struct SliceView<'a> {
    /// The pixel values, `[x, y]`.
    slice: ArrayView2<'a, f64>,
    /// Pixel spacing (x, y) in mm, as given (sanitised when fitted).
    spacing: (f64, f64),
    /// The mask, `[x, y]`, if any.
    mask: Option<ArrayView2<'a, bool>>,
    /// The window (centre, width); none: [`auto_window`] of the slice.
    window: Option<(f64, f64)>,
    /// The colours the terminal shows.
    depth: ColourDepth,
    /// The outline's colour.
    outline: Color,
}

impl<'a> SliceView<'a> {
    /// The slice `[x, y]` with pixel spacing `(sx, sy)` in mm; a spacing
    /// that is not a positive number is taken as 1 mm, so a bad header
    /// distorts the picture rather than emptying it.
    pub fn new(slice: ArrayView2<'a, f64>, spacing: (f64, f64)) -> Self {
        SliceView {
            slice,
            spacing,
            mask: None,
            window: None,
            depth: ColourDepth::default(),
            outline: Color::LightRed,
        }
    }

    /// The mask of this slice, `[x, y]` like the slice; its outline is
    /// drawn over the image. A mask of another shape is not drawn, since
    /// it cannot belong to this slice.
    pub fn mask(mut self, mask: ArrayView2<'a, bool>) -> Self {
        self.mask = Some(mask);
        self
    }

    /// The grey window: `centre` and `width` in image units (black at
    /// centre − width/2, white at centre + width/2). Without it the window
    /// is [`auto_window`] of this slice, which changes from slice to slice:
    /// set it from the whole volume for a steady picture when scrolling.
    pub fn window(mut self, centre: f64, width: f64) -> Self {
        self.window = Some((centre, width));
        self
    }

    /// The colours the terminal can show.
    pub fn depth(mut self, depth: ColourDepth) -> Self {
        self.depth = depth;
        self
    }

    /// The outline's colour; bright red by default, one of the 16 basic
    /// colours and unlike any grey.
    pub fn outline_colour(mut self, colour: Color) -> Self {
        self.outline = colour;
        self
    }
}

impl Widget for &SliceView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let area = area.intersection(buf.area);
        if area.is_empty() {
            return;
        }
        let (nx, ny) = self.slice.dim();
        if nx == 0 || ny == 0 {
            let middle = Rect::new(area.x, area.y + area.height / 2, area.width, 1);
            Line::from("no image")
                .style(Style::new().fg(Color::DarkGray))
                .centered()
                .render(middle, buf);
            return;
        }
        let rows = 2 * usize::from(area.height);
        let (width, height) = fit((nx, ny), self.spacing, (usize::from(area.width), rows));
        if width == 0 || height == 0 {
            return;
        }
        // Nearest neighbour: the source column and row of each display
        // pixel, display rows from the top (highest y first).
        let xs: Vec<usize> = (0..width).map(|i| nearest(i, width, nx)).collect();
        let ys: Vec<usize> = (0..height)
            .map(|j| ny - 1 - nearest(j, height, ny))
            .collect();
        // The outline is found on the display grid, so that it is one
        // display pixel wide and closed however much the image is scaled
        // (at source resolution, shrinking skips pixels of the outline and
        // enlarging thickens it).
        let outline = self.mask.filter(|mask| mask.dim() == (nx, ny)).map(|mask| {
            mask_outline(
                Array2::from_shape_fn((width, height), |(i, j)| mask[[xs[i], ys[j]]]).view(),
            )
        });
        let (centre, window) = self
            .window
            .unwrap_or_else(|| auto_window(self.slice.iter()));
        let pixel = |i: usize, j: usize| {
            if outline.as_ref().is_some_and(|outline| outline[[i, j]]) {
                self.outline
            } else {
                let value = self.slice[[xs[i], ys[j]]];
                grey_colour(grey_level(value, centre, window), self.depth)
            }
        };
        // Both differences are at least 0: the fit is within the area.
        let left = area.x + (area.width - width as u16) / 2;
        let top = (rows - height) / 2;
        let inside = |row: usize| (top..top + height).contains(&row).then(|| row - top);
        for i in 0..width {
            let x = left + i as u16;
            for (cell_row, y) in (area.top()..area.bottom()).enumerate() {
                let upper = inside(2 * cell_row).map(|j| pixel(i, j));
                let lower = inside(2 * cell_row + 1).map(|j| pixel(i, j));
                let cell = &mut buf[(x, y)];
                match (upper, lower) {
                    (Some(upper), Some(lower)) => {
                        cell.set_symbol(UPPER_HALF).set_fg(upper).set_bg(lower);
                    }
                    (Some(upper), None) => {
                        cell.set_symbol(UPPER_HALF).set_fg(upper);
                    }
                    (None, Some(lower)) => {
                        cell.set_symbol(LOWER_HALF).set_fg(lower);
                    }
                    (None, None) => {}
                }
            }
        }
    }
}

impl Widget for SliceView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        (&self).render(area, buf);
    }
}

/// A spacing as used for the fit: a value that is not a positive finite
/// number (zero from a bad header) is taken as 1 mm.
fn usable_spacing(spacing: f64) -> f64 {
    if spacing.is_finite() && spacing > 0.0 {
        spacing
    } else {
        1.0
    }
}

/// The size in display pixels (square) of an image of `shape` `(nx, ny)`
/// pixels spaced `spacing` mm, as large as fits in `room` `(columns,
/// pixel rows)` with its physical aspect ratio; (0, 0) when either is
/// empty.
pub fn fit(shape: (usize, usize), spacing: (f64, f64), room: (usize, usize)) -> (usize, usize) {
    let (nx, ny) = shape;
    let (columns, rows) = room;
    if nx == 0 || ny == 0 || columns == 0 || rows == 0 {
        return (0, 0);
    }
    let physical_width = nx as f64 * usable_spacing(spacing.0);
    let physical_height = ny as f64 * usable_spacing(spacing.1);
    let scale = (columns as f64 / physical_width).min(rows as f64 / physical_height);
    let size = |physical: f64, room: usize| ((physical * scale).round() as usize).clamp(1, room);
    (size(physical_width, columns), size(physical_height, rows))
}

/// The source index, of `source` pixels, shown at display pixel `index` of
/// `display`: the one under the display pixel's centre.
fn nearest(index: usize, display: usize, source: usize) -> usize {
    let at = (index as f64 + 0.5) * source as f64 / display as f64;
    (at as usize).min(source - 1)
}

/// The mask pixels with at least one of their four neighbours outside the
/// mask; a neighbour beyond the edge counts as outside, so a mask that
/// touches the edge is closed there.
pub fn mask_outline(mask: ArrayView2<bool>) -> Array2<bool> {
    let (nx, ny) = mask.dim();
    let outside = |x: Option<usize>, y: Option<usize>| match (x, y) {
        (Some(x), Some(y)) if x < nx && y < ny => !mask[[x, y]],
        _ => true,
    };
    Array2::from_shape_fn((nx, ny), |(x, y)| {
        mask[[x, y]]
            && (outside(x.checked_sub(1), Some(y))
                || outside(Some(x + 1), Some(y))
                || outside(Some(x), y.checked_sub(1))
                || outside(Some(x), Some(y + 1)))
    })
}

/// A window (centre, width) spanning the 1st to the 99th percentile of the
/// finite, non-zero `values` (numpy's linear percentiles): the zeros are
/// left out because they are the background outside the body in DWI and
/// ADC maps, and would pull the window down to it; the tails are cut so
/// that a few bright voxels do not leave the rest dark. A constant image
/// gets width 1 (its value shows mid-grey); an image with no such values
/// gets (0.5, 1), so its zeros show black.
pub fn auto_window<'v>(values: impl IntoIterator<Item = &'v f64>) -> (f64, f64) {
    let mut kept: Vec<f64> = values
        .into_iter()
        .copied()
        .filter(|v| v.is_finite() && *v != 0.0)
        .collect();
    if kept.is_empty() {
        return (0.5, 1.0);
    }
    kept.sort_unstable_by(f64::total_cmp);
    let low = numpy_percentile_sorted(&kept, 1.0);
    let high = numpy_percentile_sorted(&kept, 99.0);
    let width = high - low;
    if width > 0.0 && width.is_finite() {
        (low / 2.0 + high / 2.0, width)
    } else {
        (low, 1.0)
    }
}

/// Where `value` falls in the window (`centre`, `width`), from 0 (black)
/// to 1 (white): clamp((value − (centre − width/2)) / width, 0, 1). A width
/// that is not a positive number is taken as 1; a value or centre that is
/// not a number gives 0.
pub fn grey_level(value: f64, centre: f64, width: f64) -> f64 {
    let width = if width.is_finite() && width > 0.0 {
        width
    } else {
        1.0
    };
    let level = (value - (centre - width / 2.0)) / width;
    if level.is_nan() {
        0.0
    } else {
        level.clamp(0.0, 1.0)
    }
}

/// The colour nearest grey `level` (0 black to 1 white) at `depth`.
pub fn grey_colour(level: f64, depth: ColourDepth) -> Color {
    let level = if level.is_nan() {
        0.0
    } else {
        level.clamp(0.0, 1.0)
    };
    let grey = level * 255.0;
    match depth {
        ColourDepth::TrueColor => {
            let g = grey.round() as u8;
            Color::Rgb(g, g, g)
        }
        ColourDepth::Indexed256 => {
            // Palette greys 232 + k are 8 + 10k; black is 16, white 231.
            let k = ((grey - 8.0) / 10.0).round().clamp(0.0, 23.0);
            let ramp = 8.0 + 10.0 * k;
            let candidates = [(16, 0.0), (232 + k as u8, ramp), (231, 255.0)];
            let (index, _) = candidates
                .into_iter()
                .min_by(|a, b| (a.1 - grey).abs().total_cmp(&(b.1 - grey).abs()))
                .unwrap_or((16, 0.0));
            Color::Indexed(index)
        }
        ColourDepth::Basic16 => match (level * 4.0) as usize {
            0 => Color::Black,
            1 => Color::DarkGray,
            2 => Color::Gray,
            _ => Color::White,
        },
    }
}

#[cfg(test)]
mod tests {
    use crate::tui::widgets::with_snapshots_beside_the_screens;
    use insta::assert_snapshot;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::*;

    /// A 30×20 image, 1 mm pixels, rising from 0 at the left to 29 at the
    /// right, and a disc of radius 6 around (15, 10): y = 16 at its top,
    /// y = 4 at its bottom.
    fn gradient_and_disc() -> (Array2<f64>, Array2<bool>) {
        let image = Array2::from_shape_fn((30, 20), |(x, _)| x as f64);
        let disc = Array2::from_shape_fn((30, 20), |(x, y)| {
            let (dx, dy) = (x as f64 - 15.0, y as f64 - 10.0);
            dx * dx + dy * dy <= 36.0
        });
        (image, disc)
    }

    fn draw(view: &SliceView, width: u16, height: u16) -> Terminal<TestBackend> {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("a terminal");
        terminal
            .draw(|frame| frame.render_widget(view, frame.area()))
            .expect("a frame");
        terminal
    }

    /// The display pixels of a drawn buffer, two text rows per cell row:
    /// `.` black, `-` dark grey, `+` grey, `#` white, `O` the outline,
    /// space not drawn. The backend's text shows only the half blocks.
    fn pixels(buffer: &Buffer) -> String {
        let code = |colour: Color| match colour {
            Color::Black => '.',
            Color::DarkGray => '-',
            Color::Gray => '+',
            Color::White => '#',
            Color::LightRed => 'O',
            _ => ' ',
        };
        let mut text = String::new();
        for y in 0..buffer.area.height {
            let mut upper = String::new();
            let mut lower = String::new();
            for x in 0..buffer.area.width {
                let cell = &buffer[(x, y)];
                let (u, l) = match cell.symbol() {
                    UPPER_HALF => (code(cell.fg), code(cell.bg)),
                    LOWER_HALF => (' ', code(cell.fg)),
                    _ => (' ', ' '),
                };
                upper.push(u);
                lower.push(l);
            }
            text.push_str(upper.trim_end());
            text.push('\n');
            text.push_str(lower.trim_end());
            text.push('\n');
        }
        text
    }

    #[test]
    fn window_maps_values_linearly_and_clamps() {
        // Window 50 ± 50: 0 is black, 100 white, 75 three quarters.
        assert_eq!(grey_level(50.0, 50.0, 100.0), 0.5);
        assert_eq!(grey_level(0.0, 50.0, 100.0), 0.0);
        assert_eq!(grey_level(75.0, 50.0, 100.0), 0.75);
        assert_eq!(grey_level(100.0, 50.0, 100.0), 1.0);
        assert_eq!(grey_level(-10.0, 50.0, 100.0), 0.0);
        assert_eq!(grey_level(1e9, 50.0, 100.0), 1.0);
        // ADC-like units: window 1.2e-3 ± 0.8e-3.
        assert!((grey_level(1.6e-3, 1.2e-3, 1.6e-3) - 0.75).abs() < 1e-12);
        // No NaN out: NaN value or centre is black, infinities clamp, a
        // zero or NaN width is taken as 1.
        assert_eq!(grey_level(f64::NAN, 50.0, 100.0), 0.0);
        assert_eq!(grey_level(50.0, f64::NAN, 100.0), 0.0);
        assert_eq!(grey_level(f64::INFINITY, 50.0, 100.0), 1.0);
        assert_eq!(grey_level(f64::NEG_INFINITY, 50.0, 100.0), 0.0);
        assert_eq!(grey_level(50.25, 50.0, 0.0), 0.75);
        assert_eq!(grey_level(50.25, 50.0, f64::NAN), 0.75);
    }

    #[test]
    fn greys_at_each_depth() {
        use ColourDepth::*;
        assert_eq!(grey_colour(0.0, TrueColor), Color::Rgb(0, 0, 0));
        assert_eq!(grey_colour(0.5, TrueColor), Color::Rgb(128, 128, 128));
        assert_eq!(grey_colour(1.0, TrueColor), Color::Rgb(255, 255, 255));
        // 256: black 16, white 231, greys 232 + k = 8 + 10k.
        assert_eq!(grey_colour(0.0, Indexed256), Color::Indexed(16));
        assert_eq!(grey_colour(1.0, Indexed256), Color::Indexed(231));
        // 127.5 is nearest 128 = 8 + 10·12.
        assert_eq!(grey_colour(0.5, Indexed256), Color::Indexed(244));
        // 10.2 is nearest 8 (232); 3 nearest black; 250 nearest white.
        assert_eq!(grey_colour(0.04, Indexed256), Color::Indexed(232));
        assert_eq!(grey_colour(3.0 / 255.0, Indexed256), Color::Indexed(16));
        assert_eq!(grey_colour(250.0 / 255.0, Indexed256), Color::Indexed(231));
        // 16: four equal bins.
        assert_eq!(grey_colour(0.1, Basic16), Color::Black);
        assert_eq!(grey_colour(0.3, Basic16), Color::DarkGray);
        assert_eq!(grey_colour(0.6, Basic16), Color::Gray);
        assert_eq!(grey_colour(0.9, Basic16), Color::White);
        assert_eq!(grey_colour(1.0, Basic16), Color::White);
        assert_eq!(grey_colour(f64::NAN, Basic16), Color::Black);
    }

    #[test]
    fn auto_window_spans_the_central_98_percent_of_non_zero_values() {
        // 1..=101 with zeros and non-finite values mixed in: numpy's
        // percentiles of 1..=101 are 2 (1st) and 100 (99th).
        let mut values: Vec<f64> = (1..=101).map(f64::from).collect();
        values.extend([0.0, 0.0, 0.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY]);
        assert_eq!(auto_window(&values), (51.0, 98.0));
        // Constant and empty images: width 1.
        assert_eq!(auto_window(&[7.0, 7.0, 0.0]), (7.0, 1.0));
        assert_eq!(auto_window(&[]), (0.5, 1.0));
        assert_eq!(auto_window(&[0.0, f64::NAN]), (0.5, 1.0));
        // An array view works as well as a slice.
        let (image, _) = gradient_and_disc();
        let (centre, width) = auto_window(image.view());
        assert!(centre.is_finite() && width > 0.0);
    }

    /// A hand-drawn 5×5 mask, written with y as the row of the picture:
    /// the outline is every mask pixel with a 4-neighbour outside it or
    /// beyond the edge.
    #[test]
    fn outline_of_a_hand_drawn_mask() {
        let picture = ["##...", "###..", ".###.", ".###.", "..#.."];
        let expected = ["OO...", "OiO..", ".OiO.", ".OiO.", "..O.."];
        let grid = |rows: [&str; 5], on: char| {
            Array2::from_shape_fn((5, 5), |(x, y)| rows[y].as_bytes()[x] as char == on)
        };
        let mask = grid(picture, '#');
        let outline = mask_outline(mask.view());
        assert_eq!(outline, grid(expected, 'O'));
        // Interior pixels are in the mask but not the outline.
        assert!(mask[[1, 1]] && !outline[[1, 1]]);
        assert_eq!(
            mask_outline(Array2::from_elem((0, 0), true).view()).len(),
            0
        );
    }

    #[test]
    fn fit_keeps_the_physical_aspect_ratio() {
        // 4×2 pixels of 1×2 mm is 4×4 mm: square.
        assert_eq!(fit((4, 2), (1.0, 2.0), (10, 10)), (10, 10));
        assert_eq!(fit((4, 2), (1.0, 1.0), (10, 10)), (10, 5));
        // The tighter side decides: 30×20 mm in 80 columns × 48 rows.
        assert_eq!(fit((30, 20), (1.0, 1.0), (80, 48)), (72, 48));
        // Zero, negative or NaN spacing is 1 mm.
        assert_eq!(fit((4, 2), (0.0, 0.0), (10, 10)), (10, 5));
        assert_eq!(fit((4, 2), (-1.0, f64::NAN), (10, 10)), (10, 5));
        // Nothing to fit, or no room.
        assert_eq!(fit((0, 0), (1.0, 1.0), (10, 10)), (0, 0));
        assert_eq!(fit((4, 2), (1.0, 1.0), (0, 10)), (0, 0));
        // A very long image keeps at least one pixel across.
        assert_eq!(fit((1000, 1), (1.0, 1.0), (10, 10)), (10, 1));
    }

    /// Snapshots the gradient with its disc, windowed 0–30 in 16 colours,
    /// at `width` × `height`: the symbols and the colour of each pixel.
    fn snapshot_disc(width: u16, height: u16) {
        let (image, disc) = gradient_and_disc();
        let view = SliceView::new(image.view(), (1.0, 1.0))
            .mask(disc.view())
            .window(15.0, 30.0)
            .depth(ColourDepth::Basic16);
        let terminal = draw(&view, width, height);
        let name = format!("slice_{width}x{height}");
        with_snapshots_beside_the_screens(|| {
            assert_snapshot!(name.clone(), terminal.backend());
            assert_snapshot!(
                format!("{name}_pixels"),
                pixels(terminal.backend().buffer())
            );
        });
    }

    #[test]
    fn slice_40x20() {
        snapshot_disc(40, 20);
    }

    #[test]
    fn slice_80x24() {
        snapshot_disc(80, 24);
    }

    /// At 80×24 the 30×20 mm image is 72×48 pixels from column 4. Window
    /// 0–30 in four bins of 7.5: x ≤ 7 black, 8–14 dark grey, 15–22 grey,
    /// 23–29 white. Display column i shows x = ⌊(i + ½)·30/72⌋.
    #[test]
    fn known_cells_have_the_expected_colours() {
        let (image, disc) = gradient_and_disc();
        let view = SliceView::new(image.view(), (1.0, 1.0))
            .mask(disc.view())
            .window(15.0, 30.0)
            .depth(ColourDepth::Basic16);
        let terminal = draw(&view, 80, 24);
        let buffer = terminal.backend().buffer();
        // Left and right of the image; the columns beside it are untouched.
        assert_eq!(
            (buffer[(4, 0)].fg, buffer[(4, 0)].bg),
            (Color::Black, Color::Black)
        );
        assert_eq!(
            (buffer[(75, 23)].fg, buffer[(75, 23)].bg),
            (Color::White, Color::White)
        );
        assert_eq!(buffer[(3, 0)].symbol(), " ");
        assert_eq!(buffer[(76, 23)].symbol(), " ");
        // Row y = 10 of the image (the disc's centre) is display rows 22
        // and 23: cell row 11. The disc's left edge, x = 9, is display
        // columns 22–23 (cells 26–27), outlined since (9, 9) and (9, 11)
        // are outside; x = 10 (cell 28) has all four neighbours inside.
        // The centre, x = 15 (display 36–37, cells 40–41), is its grey.
        let row = 11;
        let outlined: Vec<u16> = (0..80)
            .filter(|&x| buffer[(x, row)].fg == Color::LightRed)
            .collect();
        assert_eq!(outlined.first(), Some(&26), "{outlined:?}");
        for x in [26, 27] {
            assert_eq!(
                (buffer[(x, row)].fg, buffer[(x, row)].bg),
                (Color::LightRed, Color::LightRed)
            );
        }
        assert_eq!(
            (buffer[(28, row)].fg, buffer[(28, row)].bg),
            (Color::DarkGray, Color::DarkGray)
        );
        assert_eq!(
            (buffer[(40, row)].fg, buffer[(40, row)].bg),
            (Color::Gray, Color::Gray)
        );
        // y up: the disc's top, y = 16, is display rows 7–9 (the lower half
        // of cell row 3 to cell row 4), its bottom, y = 4, rows 36–37 (cell
        // row 18).
        let outline_rows: Vec<u16> = (0..24)
            .filter(|&y| {
                (0..80).any(|x| {
                    buffer[(x, y)].fg == Color::LightRed || buffer[(x, y)].bg == Color::LightRed
                })
            })
            .collect();
        assert_eq!(buffer[(40, 3)].fg, Color::Gray);
        assert_eq!(buffer[(40, 3)].bg, Color::LightRed);
        assert_eq!(outline_rows.first(), Some(&3), "{outline_rows:?}");
        assert_eq!(outline_rows.last(), Some(&18), "{outline_rows:?}");
    }

    /// y runs up the screen: an image bright only in its top source row
    /// (y = ny − 1) is bright in the top cell row.
    #[test]
    fn increasing_y_goes_up() {
        let image = Array2::from_shape_fn((4, 4), |(_, y)| if y == 3 { 1.0 } else { 0.0 });
        let view = SliceView::new(image.view(), (1.0, 1.0)).window(0.5, 1.0);
        let terminal = draw(&view, 4, 2);
        let buffer = terminal.backend().buffer();
        assert_eq!(buffer[(0, 0)].fg, Color::White);
        assert_eq!(buffer[(0, 0)].bg, Color::Black);
        assert_eq!(buffer[(0, 1)].fg, Color::Black);

        // The recipe of the module's documentation for an LPS volume
        // `[z, y, x]`: row y = 0 (the most anterior) ends up on top.
        let volume =
            ndarray::Array3::from_shape_fn((2, 4, 4), |(_, y, _)| if y == 0 { 1.0 } else { 0.0 });
        let slice = volume.index_axis(ndarray::Axis(0), 1);
        let slice = slice.t();
        let slice = slice.slice(ndarray::s![.., ..;-1]);
        let view = SliceView::new(slice, (1.0, 1.0)).window(0.5, 1.0);
        let terminal = draw(&view, 4, 2);
        let buffer = terminal.backend().buffer();
        assert_eq!(buffer[(0, 0)].fg, Color::White);
        assert_eq!(buffer[(0, 1)].bg, Color::Black);
    }

    #[test]
    fn odd_offsets_use_the_lower_half_block() {
        // 10×5 pixels centred in 4 cell rows (8 pixel rows) start at pixel
        // row 1: the lower half of cell row 0; cell row 3 is left alone.
        let image = Array2::from_elem((10, 5), 1.0);
        let view = SliceView::new(image.view(), (1.0, 1.0)).window(0.5, 1.0);
        let terminal = draw(&view, 10, 4);
        let buffer = terminal.backend().buffer();
        let x = 5;
        assert_eq!(buffer[(x, 0)].symbol(), LOWER_HALF);
        assert_eq!(buffer[(x, 0)].fg, Color::White);
        assert_eq!(buffer[(x, 2)].symbol(), UPPER_HALF);
        assert_eq!(buffer[(x, 2)].bg, Color::White);
        assert_eq!(buffer[(x, 3)].symbol(), " ");
    }

    #[test]
    fn tiny_areas_and_odd_inputs_do_not_panic() {
        let (image, disc) = gradient_and_disc();
        let wrong_mask = Array2::from_elem((3, 3), true);
        let empty = Array2::<f64>::zeros((0, 0));
        let empty_mask = Array2::from_elem((0, 0), true);
        let nan = Array2::from_elem((4, 4), f64::NAN);
        let line = Array2::from_shape_fn((50, 1), |(x, _)| x as f64);
        let views = [
            SliceView::new(image.view(), (1.0, 1.0)).mask(disc.view()),
            SliceView::new(image.view(), (0.0, 0.0)).mask(wrong_mask.view()),
            SliceView::new(empty.view(), (1.0, 1.0)).mask(empty_mask.view()),
            SliceView::new(nan.view(), (f64::NAN, 1.0)).window(f64::NAN, 0.0),
            SliceView::new(line.view(), (1.0, 1e-9)).depth(ColourDepth::TrueColor),
            SliceView::new(image.view(), (1e9, 1.0)).depth(ColourDepth::Indexed256),
        ];
        for view in &views {
            for (width, height) in [(1, 1), (10, 3), (20, 5), (1, 30), (80, 1), (3, 2)] {
                draw(view, width, height);
            }
        }
        let rows = pixels(draw(&views[2], 20, 5).backend().buffer());
        assert!(rows.trim().is_empty());
    }
}
