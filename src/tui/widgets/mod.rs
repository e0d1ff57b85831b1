//! Pieces of screen shared by several screens.

pub mod help;
pub mod km_plot;
pub mod popup;
#[allow(dead_code)] // The patient view's slice viewer, still to come, will draw it.
pub mod slice_view;
pub mod status_bar;
