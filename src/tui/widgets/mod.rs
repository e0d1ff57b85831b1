//! Pieces of screen shared by several screens.

pub mod help;
#[allow(dead_code)] // The survival screen, still to come, will draw it.
pub mod km_plot;
#[allow(dead_code)] // The imaging screen, still to come, will draw it.
pub mod slice_view;
pub mod status_bar;
