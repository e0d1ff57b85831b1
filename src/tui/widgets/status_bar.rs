//! The bottom line of every screen: where you are on the left, the keys
//! that get you out on the right.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget};

/// The status bar's content.
#[derive(Debug, Clone)]
pub struct StatusBar<'a> {
    info: Line<'a>,
    hint: &'a str,
}

impl<'a> StatusBar<'a> {
    /// A bar showing `info`, with the key `hint` kept whole at the right.
    pub fn new(info: impl Into<Line<'a>>, hint: &'a str) -> Self {
        StatusBar {
            info: info.into(),
            hint,
        }
    }
}

impl Widget for StatusBar<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let style = Style::new().fg(Color::Black).bg(Color::Gray);
        buf.set_style(area, style);
        let hint_width = u16::try_from(self.hint.chars().count() + 2).unwrap_or(u16::MAX);
        // The hint is how a lost user finds the help, so it is the info
        // that gets cut when the terminal is narrow.
        let [info, hint] =
            Layout::horizontal([Constraint::Fill(1), Constraint::Length(hint_width)]).areas(area);
        Paragraph::new(self.info.patch_style(style)).render(info, buf);
        Paragraph::new(Line::from(vec![self.hint.into(), " ".into()]).right_aligned())
            .render(hint, buf);
    }
}
