//! Pieces of screen shared by several screens.

pub mod form;
pub mod help;
pub mod km_plot;
pub mod popup;
pub mod slice_view;
pub mod status_bar;

/// Runs `test` with insta writing its snapshots beside the screens' (in
/// `src/tui/snapshots/`), so every screen's pictures are in one folder.
#[cfg(test)]
pub(crate) fn with_snapshots_beside_the_screens(test: impl FnOnce()) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.bind(test);
}
