//! Popups over a screen: a yes/no question, a message, a menu and a line
//! of text input. They draw themselves centred and clear what is beneath,
//! and hold no knowledge of what their answer will do: the app decides.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, List, ListItem, ListState, Padding, Paragraph, Wrap};

/// The area of a popup `width` × `height` centred in `area`, shrunk to fit.
pub fn centred(area: Rect, width: usize, height: usize) -> Rect {
    let clamp = |n: usize, limit: u16| u16::try_from(n).unwrap_or(u16::MAX).min(limit);
    area.centered(
        Constraint::Length(clamp(width, area.width)),
        Constraint::Length(clamp(height, area.height)),
    )
}

/// Draws `lines` in a bordered popup at `area`, clearing what is beneath:
/// the title at the top, the keys that close it at the bottom right, the
/// border in `colour` (yellow asks, cyan informs, red reports an error).
pub fn framed(
    frame: &mut Frame,
    area: Rect,
    lines: Vec<Line<'_>>,
    title: &str,
    footer: Option<&str>,
    colour: Color,
) {
    let mut block = Block::bordered()
        .title(format!(" {title} "))
        .border_style(Style::new().fg(colour))
        .padding(Padding::horizontal(1));
    if let Some(footer) = footer {
        block = block.title_bottom(Line::from(format!(" {footer} ")).right_aligned());
    }
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        area,
    );
}

fn text_width(lines: &[String]) -> usize {
    lines.iter().map(|l| l.chars().count()).max().unwrap_or(0)
}

/// A yes/no question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    /// The question, e.g. `Write 3 changes to ICC-001?`.
    pub question: String,
    /// What will happen, one line each.
    pub details: Vec<String>,
}

impl Confirm {
    /// Draws the question centred over `area`.
    pub fn render(&self, frame: &mut Frame, area: Rect) {
        let mut lines: Vec<Line> = vec![Line::styled(
            self.question.clone(),
            Style::new().add_modifier(Modifier::BOLD),
        )];
        lines.extend(self.details.iter().map(|d| Line::from(d.clone())));
        lines.push(Line::from(""));
        lines.push(Line::from(vec![
            Span::styled(
                "y",
                Style::new().fg(Color::Green).add_modifier(Modifier::BOLD),
            ),
            Span::raw("/Enter yes   "),
            Span::styled(
                "n",
                Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            ),
            Span::raw("/Esc no"),
        ]));
        let mut all = vec![self.question.clone()];
        all.extend(self.details.iter().cloned());
        let width = text_width(&all).max(24) + 4;
        let popup = centred(area, width, lines.len() + 2);
        framed(frame, popup, lines, "Confirm", None, Color::Yellow);
    }
}

/// A message to read and close: an error, a job's per-case errors, the
/// error history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The title.
    pub title: String,
    /// The lines.
    pub lines: Vec<String>,
    /// Whether it reports an error (red border).
    pub error: bool,
    /// The first line shown.
    pub scroll: usize,
}

impl Message {
    /// A message.
    pub fn new(title: impl Into<String>, lines: Vec<String>, error: bool) -> Self {
        Message {
            title: title.into(),
            lines,
            error,
            scroll: 0,
        }
    }

    /// Scrolls by `lines`, within the text.
    pub fn scroll_by(&mut self, lines: isize) {
        self.scroll = self
            .scroll
            .saturating_add_signed(lines)
            .min(self.lines.len().saturating_sub(1));
    }

    /// Draws the message centred over `area`, wrapped to fit.
    pub fn render(&self, frame: &mut Frame, area: Rect) {
        let width = (text_width(&self.lines).max(self.title.chars().count()) + 6)
            .min(usize::from(area.width).saturating_sub(4).max(30));
        let height = self.lines.len() + 3;
        let popup = centred(area, width, height);
        let colour = if self.error { Color::Red } else { Color::Cyan };
        let lines: Vec<Line> = self
            .lines
            .iter()
            .skip(self.scroll)
            .map(|l| Line::from(l.clone()))
            .collect();
        framed(frame, popup, lines, &self.title, Some("Esc closes"), colour);
    }
}

/// A list to choose one item from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Menu {
    /// The title.
    pub title: String,
    /// The items.
    pub items: Vec<String>,
    /// The item selected.
    pub selected: usize,
}

impl Menu {
    /// A menu with its first item selected.
    pub fn new(title: impl Into<String>, items: Vec<String>) -> Self {
        Menu {
            title: title.into(),
            items,
            selected: 0,
        }
    }

    /// Moves the selection by `delta`, stopping at the ends.
    pub fn move_by(&mut self, delta: isize) {
        self.selected = crate::tui::screens::step(self.selected, delta, self.items.len());
    }

    /// Draws the menu centred over `area`.
    pub fn render(&self, frame: &mut Frame, area: Rect) {
        let width = text_width(&self.items).max(self.title.chars().count()) + 8;
        let popup = centred(area, width, self.items.len() + 2);
        let items: Vec<ListItem> = self
            .items
            .iter()
            .map(|item| ListItem::new(item.clone()))
            .collect();
        let mut state = ListState::default().with_selected(Some(self.selected));
        frame.render_widget(Clear, popup);
        frame.render_stateful_widget(
            List::new(items)
                .block(
                    Block::bordered()
                        .title(format!(" {} ", self.title))
                        .title_bottom(Line::from(" Enter chooses · Esc closes ").right_aligned())
                        .border_style(Style::new().fg(Color::Cyan)),
                )
                .highlight_style(Style::new().add_modifier(Modifier::REVERSED))
                .highlight_symbol("▶ "),
            popup,
            &mut state,
        );
    }
}

/// A line of text being typed, with the reason it was refused, if it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextInput {
    /// What is being entered, e.g. `CA 19-9 (ICC-001)`.
    pub label: String,
    /// What may be typed.
    pub hint: String,
    /// The text so far.
    pub text: String,
    /// The cursor, in characters from the start.
    cursor: usize,
    /// Why the last attempt was refused.
    pub error: Option<String>,
    /// What Enter does, for the footer: `stages`, `applies`.
    accept: &'static str,
}

impl TextInput {
    /// An input starting from `text`, with the cursor at its end.
    pub fn new(label: impl Into<String>, hint: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        TextInput {
            label: label.into(),
            hint: hint.into(),
            cursor: text.chars().count(),
            text,
            error: None,
            accept: "stages",
        }
    }

    /// Names what Enter does in the footer (default `stages`).
    pub fn accepting(mut self, verb: &'static str) -> Self {
        self.accept = verb;
        self
    }

    fn byte_index(&self, chars: usize) -> usize {
        self.text
            .char_indices()
            .nth(chars)
            .map_or(self.text.len(), |(i, _)| i)
    }

    /// Applies an editing key: characters are typed at the cursor;
    /// Backspace, Delete, ←, →, Home, End and Ctrl-U (clear) edit. Returns
    /// whether the key was an editing key.
    pub fn key(&mut self, key: &KeyEvent) -> bool {
        let len = self.text.chars().count();
        match key.code {
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.text.clear();
                self.cursor = 0;
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                let at = self.byte_index(self.cursor);
                self.text.insert(at, c);
                self.cursor += 1;
            }
            KeyCode::Backspace if self.cursor > 0 => {
                let at = self.byte_index(self.cursor - 1);
                self.text.remove(at);
                self.cursor -= 1;
            }
            KeyCode::Delete if self.cursor < len => {
                let at = self.byte_index(self.cursor);
                self.text.remove(at);
            }
            KeyCode::Left => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (self.cursor + 1).min(len),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = len,
            KeyCode::Backspace | KeyCode::Delete => {}
            _ => return false,
        }
        self.error = None;
        true
    }

    /// Draws the input centred over `area`, with the cursor shown as a
    /// reversed cell and the refusal, if any, in red beneath.
    pub fn render(&self, frame: &mut Frame, area: Rect) {
        let width = [
            self.label.chars().count(),
            self.hint.chars().count() + 8,
            self.text.chars().count() + 4,
            self.error.as_ref().map_or(0, |e| e.chars().count()),
            40,
        ]
        .into_iter()
        .max()
        .unwrap_or(40)
            + 4;
        let popup = centred(area, width, 7);
        let at = self.byte_index(self.cursor);
        let (before, rest) = self.text.split_at(at);
        let mut chars = rest.chars();
        let under = chars.next().map_or(" ".to_owned(), String::from);
        let after: String = chars.collect();
        let mut lines = vec![
            Line::styled(
                format!("may be: {}", self.hint),
                Style::new().fg(Color::DarkGray),
            ),
            Line::from(vec![
                Span::raw("> "),
                Span::raw(before.to_owned()),
                Span::styled(under, Style::new().add_modifier(Modifier::REVERSED)),
                Span::raw(after),
            ]),
        ];
        if let Some(error) = &self.error {
            lines.push(refusal_line(error));
        }
        let footer = format!("Enter {} · Esc cancels", self.accept);
        framed(
            frame,
            popup,
            lines,
            &self.label,
            Some(&footer),
            Color::Yellow,
        );
    }
}

/// Why an input was refused, in red beneath it.
pub fn refusal_line(reason: &str) -> Line<'static> {
    Line::styled(format!("✗ {reason}"), Style::new().fg(Color::Red))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn typing_edits_at_the_cursor() {
        let mut input = TextInput::new("x", "", "37");
        input.key(&key(KeyCode::Backspace));
        input.key(&key(KeyCode::Char('8')));
        assert_eq!(input.text, "38");
        input.key(&key(KeyCode::Home));
        input.key(&key(KeyCode::Char('1')));
        assert_eq!(input.text, "138");
        input.key(&key(KeyCode::Delete));
        assert_eq!(input.text, "18");
        input.key(&KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
        assert_eq!(input.text, "");
        input.key(&key(KeyCode::Backspace));
        input.key(&key(KeyCode::Left));
        assert_eq!(input.text, "");
    }

    #[test]
    fn multibyte_text_is_edited_by_characters() {
        let mut input = TextInput::new("x", "", "µé");
        input.key(&key(KeyCode::Left));
        input.key(&key(KeyCode::Backspace));
        assert_eq!(input.text, "é");
        input.key(&key(KeyCode::End));
        input.key(&key(KeyCode::Char('ß')));
        assert_eq!(input.text, "éß");
    }

    #[test]
    fn typing_clears_the_refusal() {
        let mut input = TextInput::new("x", "", "");
        input.error = Some("expected a number".to_owned());
        assert!(input.key(&key(KeyCode::Char('4'))));
        assert_eq!(input.error, None);
        assert!(!input.key(&key(KeyCode::F(2))));
    }
}
