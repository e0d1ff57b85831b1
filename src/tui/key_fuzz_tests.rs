//! Any key sequence, on any screen, at the smallest supported size: the
//! app never panics, every frame draws, and whatever the keys wrote, the
//! study still loads. Keys are drawn mostly from the ones bound
//! somewhere (view numbers, navigation, edit, write, undo, filter, sort,
//! help, palette), so sequences reach deep into views, popups and forms,
//! with arbitrary characters and control keys mixed in.

use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app::App;
use super::fixture;

fn key_event() -> impl Strategy<Value = KeyEvent> {
    // Not q: it quits at once, ending most sequences early.
    let bound = "12345678jkhlgGnNaAcdeEfFsSrRuwy?:/ \t";
    let code = prop_oneof![
        6 => proptest::sample::select(bound.chars().collect::<Vec<_>>()).prop_map(KeyCode::Char),
        2 => any::<char>().prop_map(KeyCode::Char),
        1 => proptest::sample::select(vec![
            KeyCode::Enter,
            KeyCode::Esc,
            KeyCode::Tab,
            KeyCode::BackTab,
            KeyCode::Backspace,
            KeyCode::Delete,
            KeyCode::Up,
            KeyCode::Down,
            KeyCode::Left,
            KeyCode::Right,
            KeyCode::PageUp,
            KeyCode::PageDown,
            KeyCode::Home,
            KeyCode::End,
            KeyCode::F(1),
        ]),
    ];
    let modifiers = prop_oneof![
        8 => Just(KeyModifiers::NONE),
        1 => Just(KeyModifiers::CONTROL),
        1 => Just(KeyModifiers::SHIFT),
    ];
    (code, modifiers).prop_map(|(code, modifiers)| KeyEvent::new(code, modifiers))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn no_key_sequence_panics_or_leaves_an_unreadable_study(
        presses in proptest::collection::vec(key_event(), 1..80),
    ) {
        let (_dir, db) = fixture::populated();
        let mut app = App::with_study(fixture::load(&db), fixture::session(&db));
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("a test terminal");
        for press in &presses {
            app.handle_key(press);
            terminal.draw(|frame| app.render(frame)).expect("a frame");
            if app.should_quit() {
                break;
            }
        }
        // Whatever the keys wrote (edits, timeline entries, undo), the
        // study still loads.
        let study = super::study::Study::load(&db);
        prop_assert!(study.is_ok(), "{:?}", study.err());
    }
}
