//! The `?` popup: the keys of the screen underneath, generated from the
//! keymap so that it lists exactly what the keys do.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::tui::keymap::{self, Context};

/// Rows of the help of a context: the keys as written, and what they do.
pub fn help_rows(context: Context) -> Vec<(String, &'static str)> {
    keymap::bindings(context)
        .into_iter()
        .map(|binding| (binding.key_names(), binding.description))
        .collect()
}

/// The open help popup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpPopup {
    context: Context,
    scroll: usize,
}

impl HelpPopup {
    /// The help of the screen whose keys are read in `context`.
    pub fn new(context: Context) -> Self {
        HelpPopup { context, scroll: 0 }
    }

    /// Scrolls by `lines` (negative: up). Clamped when drawn, since only then
    /// is the height known.
    pub fn scroll_by(&mut self, lines: isize) {
        self.scroll = self
            .scroll
            .saturating_add_signed(lines)
            .min(self.rows() - 1);
    }

    fn rows(&self) -> usize {
        help_rows(self.context).len().max(1)
    }

    /// Draws the popup centred over `area`. When the keys do not fit one
    /// column in the height but two columns fit the width, they are laid
    /// out in two, so a 24-row terminal shows every key without scrolling.
    pub fn render(&self, frame: &mut Frame, area: Rect) {
        let rows = help_rows(self.context);
        let key_width = rows.iter().map(|(keys, _)| keys.chars().count()).max();
        let key_width = key_width.unwrap_or(0);
        let entry_width = rows
            .iter()
            .map(|(_, description)| key_width + 2 + description.chars().count())
            .max()
            .unwrap_or(0)
            + 2;
        let title = format!(" Keys: {} ", self.context.name());
        let footer = " Esc or ? closes ";
        let fits_height = rows.len() + 2 <= usize::from(area.height);
        let fits_two = 2 * entry_width + 2 <= usize::from(area.width);
        let columns = if !fits_height && fits_two { 2 } else { 1 };
        let per_column = rows.len().div_ceil(columns);
        let text_width = columns * entry_width;
        let inner_width = text_width.max(title.len()).max(footer.len()) + 1;
        let width = clamp_u16(inner_width + 2).min(area.width);
        let height = clamp_u16(per_column + 2).min(area.height);
        let popup = area.centered(Constraint::Length(width), Constraint::Length(height));

        let visible = usize::from(height.saturating_sub(2));
        let scroll = self.scroll.min(per_column.saturating_sub(visible));
        let key_style = Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD);
        let entry = |(keys, description): &(String, &'static str)| {
            let pad = entry_width.saturating_sub(key_width + 3 + description.chars().count());
            vec![
                Span::raw(" "),
                Span::styled(format!("{keys:key_width$}"), key_style),
                Span::raw("  "),
                Span::raw(*description),
                Span::raw(" ".repeat(pad)),
            ]
        };
        let lines: Vec<Line> = (scroll..per_column)
            .map(|row| {
                let mut spans = Vec::new();
                for column in 0..columns {
                    if let Some(item) = rows.get(column * per_column + row) {
                        spans.extend(entry(item));
                    }
                }
                Line::from(spans)
            })
            .collect();
        let block = Block::bordered()
            .title(title)
            .title_bottom(Line::from(footer).right_aligned())
            .border_style(Style::new().fg(Color::Cyan));
        frame.render_widget(Clear, popup);
        frame.render_widget(Paragraph::new(lines).block(block), popup);
    }
}

fn clamp_u16(n: usize) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX)
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::*;

    use crate::tui::keymap::CONTEXTS;

    fn screen_text(popup: &HelpPopup, width: u16, height: u16) -> String {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("a terminal");
        terminal
            .draw(|frame| popup.render(frame, frame.area()))
            .expect("a frame");
        terminal.backend().to_string()
    }

    /// Every binding's keys and description are on screen at 80×24, each
    /// key on the same line as what it does.
    #[test]
    fn every_binding_is_in_the_help() {
        for context in CONTEXTS {
            let text = screen_text(&HelpPopup::new(context), 80, 24);
            for binding in keymap::bindings(context) {
                let keys = binding.key_names();
                let shown = text
                    .lines()
                    .any(|line| line.contains(&keys) && line.contains(binding.description));
                assert!(
                    shown,
                    "{context:?}: '{keys} {}' missing:\n{text}",
                    binding.description
                );
            }
        }
    }

    #[test]
    fn a_short_terminal_scrolls_the_help() {
        let mut popup = HelpPopup::new(Context::Patient);
        let first = help_rows(Context::Patient)[0].1;
        assert!(screen_text(&popup, 80, 8).contains(first));
        popup.scroll_by(3);
        assert!(!screen_text(&popup, 80, 8).contains(first));
        popup.scroll_by(-100);
        assert!(screen_text(&popup, 80, 8).contains(first));
    }
}
