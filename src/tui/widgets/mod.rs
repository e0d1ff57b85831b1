//! Pieces of screen shared by several screens.

pub mod form;
pub mod help;
pub mod km_plot;
pub mod popup;
pub mod slice_view;
pub mod status_bar;
