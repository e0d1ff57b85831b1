//! The selection of a list longer than the screen, shared by the views that
//! show one (cohort, data quality, audit log): which row is selected, which
//! is first on screen, how the movement keys move them, and which rows a
//! frame needs to build.

use std::cell::Cell;
use std::ops::Range;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::widgets::{Table, TableState};

use super::{page_step, step};
use crate::tui::action::Action;

/// Rows moved by PgUp/PgDn before the first draw tells the real height.
const DEFAULT_PAGE: usize = 10;

/// A selected row and the window of rows on screen.
#[derive(Debug)]
pub struct ListCursor {
    selected: usize,
    /// The first row on screen, kept between draws so the window moves
    /// only when the selection leaves it.
    offset: Cell<usize>,
    /// Rows on screen at the last draw.
    page: Cell<usize>,
}

impl Default for ListCursor {
    fn default() -> Self {
        ListCursor {
            selected: 0,
            offset: Cell::new(0),
            page: Cell::new(DEFAULT_PAGE),
        }
    }
}

impl ListCursor {
    /// The row selected; meaningless in an empty list.
    pub fn selected(&self) -> usize {
        self.selected
    }

    /// Selects `row`, clamped to a list of `len` rows.
    pub fn select(&mut self, row: usize, len: usize) {
        self.selected = step(row, 0, len);
    }

    /// Moves by `delta` rows, stopping at the ends.
    pub fn move_by(&mut self, delta: isize, len: usize) {
        self.selected = step(self.selected, delta, len);
    }

    /// Back to the first row, with the window at the top.
    pub fn reset(&mut self) {
        self.selected = 0;
        self.offset.set(0);
    }

    /// Applies a movement key (`Up`, `Down`, `PageUp`, `PageDown`, `First`,
    /// `Last`) to a list of `len` rows; returns whether `action` was one.
    pub fn navigate(&mut self, action: Action, len: usize) -> bool {
        let page = page_step(self.page.get());
        match action {
            Action::Down => self.move_by(1, len),
            Action::Up => self.move_by(-1, len),
            Action::PageDown => self.move_by(page, len),
            Action::PageUp => self.move_by(-page, len),
            Action::First => self.selected = 0,
            Action::Last => self.move_by(isize::MAX, len),
            _ => return false,
        }
        true
    }

    /// The rows a frame `height` rows high shows of a list of `len` rows,
    /// and the selected row's place among them. Only these rows need
    /// building, so a frame costs the same for 10,000 rows as for 20. The
    /// window follows the selection, scrolling only when it leaves.
    pub fn window(&self, height: usize, len: usize) -> (Range<usize>, usize) {
        let page = height.max(1);
        self.page.set(page);
        let mut offset = self.offset.get().min(len.saturating_sub(1));
        if self.selected < offset {
            offset = self.selected;
        } else if self.selected >= offset + page {
            offset = self.selected + 1 - page;
        }
        self.offset.set(offset);
        (offset..(offset + page).min(len), self.selected - offset)
    }
}

/// Draws the window's rows as a table with the row at `selected` (its
/// place in the window) reversed and marked, as every list view does.
pub fn render_window(frame: &mut Frame, area: Rect, table: Table<'_>, selected: usize) {
    let table = table
        .row_highlight_style(Style::new().add_modifier(Modifier::REVERSED))
        .highlight_symbol("▶ ");
    let mut state = TableState::new().with_selected(Some(selected));
    frame.render_stateful_widget(table, area, &mut state);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_follows_the_selection_and_scrolls_only_when_it_leaves() {
        let mut cursor = ListCursor::default();
        assert_eq!(cursor.window(5, 100), (0..5, 0));
        cursor.move_by(4, 100);
        assert_eq!(cursor.window(5, 100), (0..5, 4), "still on screen");
        cursor.move_by(1, 100);
        assert_eq!(cursor.window(5, 100), (1..6, 4), "one row down");
        cursor.move_by(-3, 100);
        assert_eq!(cursor.window(5, 100), (1..6, 1), "up inside the window");
        assert!(cursor.navigate(Action::Last, 100));
        assert_eq!(cursor.window(5, 100), (95..100, 4));
        assert!(cursor.navigate(Action::PageUp, 100));
        assert_eq!(cursor.selected(), 94);
        assert!(!cursor.navigate(Action::Open, 100));
    }

    #[test]
    fn short_and_empty_lists_and_tiny_areas_stay_in_bounds() {
        let mut cursor = ListCursor::default();
        assert_eq!(cursor.window(5, 0), (0..0, 0));
        cursor.navigate(Action::Last, 3);
        assert_eq!(cursor.window(10, 3), (0..3, 2));
        assert_eq!(
            cursor.window(0, 3),
            (2..3, 0),
            "a zero height shows one row"
        );
        cursor.select(50, 3);
        assert_eq!(cursor.selected(), 2);
    }
}
