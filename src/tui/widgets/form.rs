//! A popup of several labelled text fields, for records with more than one
//! value (a chemotherapy course, a follow-up event). Tab and the arrows
//! move between fields, Enter submits them all, Esc cancels; the app
//! checks the values and shows the reason beneath when it refuses them.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

use super::popup::{TextInput, centred, framed, refusal_line};

/// One field of a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormField {
    /// What the field is.
    pub label: String,
    /// Its input line (its own label and hint are the field's).
    pub input: TextInput,
}

/// A form being filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    /// The title.
    pub title: String,
    /// The fields, in order.
    pub fields: Vec<FormField>,
    /// The field typed into.
    pub focus: usize,
    /// Why the last submission was refused.
    pub error: Option<String>,
    /// The keys line beneath the form.
    pub footer: &'static str,
}

impl Form {
    /// A form of `(label, hint, initial text)` fields, focused on the first.
    pub fn new(title: impl Into<String>, fields: Vec<(String, String, String)>) -> Self {
        Form {
            title: title.into(),
            fields: fields
                .into_iter()
                .map(|(label, hint, text)| FormField {
                    input: TextInput::new(label.clone(), hint, text),
                    label,
                })
                .collect(),
            focus: 0,
            error: None,
            footer: "Tab next · Enter stages · Esc cancels",
        }
    }

    /// The values typed, in field order.
    pub fn values(&self) -> Vec<String> {
        self.fields.iter().map(|f| f.input.text.clone()).collect()
    }

    /// Applies a key that is not Enter or Esc: moving between fields or
    /// editing the focused one.
    pub fn key(&mut self, key: &KeyEvent) {
        let count = self.fields.len().max(1);
        match key.code {
            KeyCode::Tab | KeyCode::Down => self.focus = (self.focus + 1) % count,
            KeyCode::BackTab | KeyCode::Up => self.focus = (self.focus + count - 1) % count,
            _ => {
                if let Some(field) = self.fields.get_mut(self.focus) {
                    field.input.key(key);
                    self.error = None;
                }
            }
        }
    }

    /// Draws the form centred over `area`: one line per field with its
    /// hint, the focused field's text with a cursor.
    pub fn render(&self, frame: &mut Frame, area: Rect) {
        let label_width = self
            .fields
            .iter()
            .map(|f| f.label.chars().count())
            .max()
            .unwrap_or(0);
        let mut lines = Vec::new();
        for (i, field) in self.fields.iter().enumerate() {
            let focused = i == self.focus;
            let label_style = if focused {
                Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD)
            } else {
                Style::new()
            };
            let mut spans = vec![Span::styled(
                format!("{:label_width$}  ", field.label),
                label_style,
            )];
            let text = &field.input.text;
            if focused {
                spans.push(Span::raw(text.clone()));
                spans.push(Span::styled(
                    " ",
                    Style::new().add_modifier(Modifier::REVERSED),
                ));
            } else {
                spans.push(Span::raw(text.clone()));
            }
            lines.push(Line::from(spans));
            if focused {
                lines.push(Line::styled(
                    format!("{:label_width$}  {}", "", field.input.hint),
                    Style::new().fg(Color::DarkGray),
                ));
            }
        }
        if let Some(error) = &self.error {
            lines.push(refusal_line(error));
        }
        let width = self
            .fields
            .iter()
            .map(|f| {
                label_width
                    + 2
                    + f.input
                        .hint
                        .chars()
                        .count()
                        .max(f.input.text.chars().count() + 1)
            })
            .chain([self.title.chars().count() + 4, 44])
            .max()
            .unwrap_or(44)
            + 4;
        let popup = centred(area, width, lines.len() + 2);
        framed(
            frame,
            popup,
            lines,
            &self.title,
            Some(self.footer),
            Color::Yellow,
        );
    }
}

#[cfg(test)]
mod tests {
    use ratatui::crossterm::event::KeyModifiers;

    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn tab_moves_between_fields_and_typing_fills_the_focused_one() {
        let mut form = Form::new(
            "t",
            vec![
                ("Date".into(), "YYYY-MM-DD".into(), String::new()),
                ("Site".into(), "text".into(), "liver".into()),
            ],
        );
        for c in "2019-05-01".chars() {
            form.key(&key(KeyCode::Char(c)));
        }
        form.key(&key(KeyCode::Tab));
        form.key(&key(KeyCode::Backspace));
        form.key(&key(KeyCode::Tab));
        assert_eq!(form.focus, 0, "Tab wraps");
        form.key(&key(KeyCode::BackTab));
        assert_eq!(form.focus, 1);
        assert_eq!(form.values(), ["2019-05-01", "live"]);
    }
}
