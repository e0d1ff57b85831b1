//! The slice viewer of the patient view: one axial slice of a DWI or ADC
//! volume drawn in half blocks with the tumour mask outlined, scrolled
//! through slices with keys, with window and level keys.
//!
//! Slices are shown as a radiologist reads them: anterior up and the
//! patient's right on the screen's left, whatever the order the file
//! stores its voxels in (read from the orientation of its direction
//! cosines).

use std::path::Path;

use ndarray::{Array2, Array3, Axis};
use radcohort::imaging::{GeometryTolerance, read_volume};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph};

use crate::tui::widgets::slice_view::{ColourDepth, SliceView, auto_window};

/// How much one window/level key press changes the window, as a fraction
/// of its width.
const WINDOW_STEP: f64 = 0.1;

/// A volume open in the viewer.
#[derive(Debug, Clone)]
pub struct SliceViewer {
    /// What is shown, e.g. `ICC001 b800 (dwi b=800) + mask tumour`.
    pub title: String,
    /// Voxels `[z, y, x]`.
    image: Array3<f64>,
    /// The mask on the image's grid, if one segments it.
    mask: Option<Array3<bool>>,
    /// In-plane spacing (x, y) in mm.
    spacing: (f64, f64),
    /// Flip x so the patient's right is on the left.
    flip_x: bool,
    /// Flip y so anterior is up.
    flip_y: bool,
    /// The slice shown.
    slice: usize,
    /// Window centre and width.
    window: (f64, f64),
    /// The window the volume opened with, for `a`.
    auto: (f64, f64),
    /// Why the mask is not drawn, if it is not.
    pub note: Option<String>,
}

impl SliceViewer {
    /// Opens `image`, with `mask` (its label value) outlined when it is on
    /// the same grid, at the slice with the most mask voxels (else the
    /// middle one), windowed to the volume's 1st–99th percentiles.
    pub fn open(
        title: String,
        image: &Path,
        mask: Option<(&Path, i64)>,
    ) -> Result<SliceViewer, String> {
        let loaded = read_volume(image).map_err(|e| radcohort::error_chain(&e))?;
        let volume = loaded.volume;
        let orientation = volume.geometry.orientation();
        let mut letters = orientation.chars();
        let flip_x = letters.next() == Some('R');
        let flip_y = letters.next() == Some('P');
        let spacing = (volume.geometry.spacing[0], volume.geometry.spacing[1]);
        let mut note = None;
        let mask = match mask {
            None => None,
            Some((path, label)) => match read_volume(path) {
                Ok(m) => {
                    let mismatches = volume
                        .geometry
                        .mismatches(&m.volume.geometry, GeometryTolerance::default());
                    if mismatches.is_empty() {
                        Some(m.volume.data.mapv(|v| v.round() as i64 == label))
                    } else {
                        note = Some("the mask is on another grid: not drawn".to_owned());
                        None
                    }
                }
                Err(e) => {
                    note = Some(format!("mask not read: {}", radcohort::error_chain(&e)));
                    None
                }
            },
        };
        let slices = volume.data.len_of(Axis(0));
        let slice = mask
            .as_ref()
            .and_then(|m| {
                (0..slices)
                    .map(|z| (z, m.index_axis(Axis(0), z).iter().filter(|v| **v).count()))
                    .max_by_key(|(_, n)| *n)
                    .filter(|(_, n)| *n > 0)
                    .map(|(z, _)| z)
            })
            .unwrap_or(slices / 2);
        let auto = auto_window(volume.data.iter());
        Ok(SliceViewer {
            title,
            image: volume.data,
            mask,
            spacing,
            flip_x,
            flip_y,
            slice,
            window: auto,
            auto,
            note,
        })
    }

    /// Slices in the volume.
    pub fn slices(&self) -> usize {
        self.image.len_of(Axis(0))
    }

    /// The slice shown.
    #[cfg(test)]
    pub fn slice(&self) -> usize {
        self.slice
    }

    /// Moves by `delta` slices, stopping at the ends.
    pub fn move_slice(&mut self, delta: isize) {
        self.slice = super::step(self.slice, delta, self.slices());
    }

    /// Widens (positive) or narrows the window by steps of a tenth.
    pub fn widen(&mut self, steps: f64) {
        let (centre, width) = self.window;
        let width = (width * (1.0 + WINDOW_STEP * steps)).max(f64::EPSILON);
        self.window = (centre, width);
    }

    /// Raises (positive) or lowers the level by steps of a tenth of the
    /// window.
    pub fn raise(&mut self, steps: f64) {
        let (centre, width) = self.window;
        self.window = (centre + WINDOW_STEP * steps * width, width);
    }

    /// Back to the window the volume opened with.
    pub fn reset_window(&mut self) {
        self.window = self.auto;
    }

    /// The slice as the widget takes it, `[x, y]`, flipped to radiological
    /// display.
    fn plane<T: Clone>(&self, volume: &Array3<T>) -> Array2<T> {
        let mut plane = volume.index_axis(Axis(0), self.slice).t().to_owned();
        if self.flip_x {
            plane.invert_axis(Axis(0));
        }
        // The widget draws increasing y upwards.
        if self.flip_y {
            plane.invert_axis(Axis(1));
        }
        plane
    }

    /// Draws the slice, with its position and window beneath.
    pub fn render(&self, frame: &mut Frame, area: Rect, depth: ColourDepth) {
        let block = Block::bordered().title(format!(" {} ", self.title));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let [picture, info] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(inner);
        let image = self.plane(&self.image);
        let mask = self.mask.as_ref().map(|m| self.plane(m));
        let mut view = SliceView::new(image.view(), self.spacing)
            .window(self.window.0, self.window.1)
            .depth(depth);
        if let Some(mask) = &mask {
            view = view.mask(mask.view());
        }
        frame.render_widget(view, picture);
        let mut text = format!(
            "slice {}/{} · window {:.0} level {:.0}",
            self.slice + 1,
            self.slices(),
            self.window.1,
            self.window.0
        );
        if let Some(note) = &self.note {
            text.push_str(&format!(" · {note}"));
        }
        frame.render_widget(
            Paragraph::new(Line::styled(text, Style::new().fg(Color::Cyan))),
            info,
        );
    }
}
