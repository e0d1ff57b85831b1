//! Pieces of screen shared by several screens.

pub mod help;
pub mod popup;
pub mod status_bar;
