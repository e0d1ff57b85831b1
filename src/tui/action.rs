//! What the user asked for, independent of the key that asked for it.
//!
//! Keys are translated to actions by the [keymap](super::keymap), so screens
//! never look at raw key codes and tests can drive the app without a
//! terminal. The meaning of an action depends on the screen it reaches:
//! `Down` moves the cohort selection but scrolls the patient view.

use super::keymap::View;

/// One thing the user asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Leave the program.
    Quit,
    /// Close the popup, or go back to the previous screen.
    Back,
    /// Open or close the key help.
    ToggleHelp,
    /// One row or line up.
    Up,
    /// One row or line down.
    Down,
    /// One page up.
    PageUp,
    /// One page down.
    PageDown,
    /// To the first row, or the top.
    First,
    /// To the last row, or the bottom.
    Last,
    /// Open the selected item.
    Open,
    /// The next section of a tabbed view.
    NextSection,
    /// The previous section of a tabbed view.
    PrevSection,
    /// The section with this index.
    Section(usize),
    /// A top-level view (cohort, jobs, survival, …).
    View(View),
    /// The next patient of the cohort.
    NextPatient,
    /// The previous patient of the cohort.
    PrevPatient,
    /// Edit the selected field.
    Edit,
    /// Write the staged edits, after a confirmation.
    Write,
    /// Drop the staged edits.
    Discard,
    /// Undo the last write, after a confirmation.
    Undo,
    /// Answer yes to a question.
    Yes,
    /// Answer no to a question.
    No,
    /// Accept the text typed.
    Accept,
    /// Start a job, from a menu of what can run.
    NewJob,
    /// Cancel the selected job.
    CancelJob,
    /// Switch between DFS and OS.
    ToggleEndpoint,
    /// Group the curves by the next variable.
    NextGrouping,
    /// Group the curves by the previous variable.
    PrevGrouping,
    /// Switch the cohort shown (all, training, validation).
    NextCohort,
    /// Switch the plot's marker between Braille and dots.
    ToggleMarker,
    /// Show the errors seen so far.
    ErrorHistory,
    /// Filter the rows with an expression.
    Filter,
    /// Open the command palette.
    Palette,
    /// The next column.
    NextColumn,
    /// The previous column.
    PrevColumn,
    /// Sort by the current column, ascending.
    SortAscending,
    /// Sort by the current column, descending.
    SortDescending,
    /// Search the rows for text.
    Search,
    /// The next row matching the search.
    SearchNext,
    /// The previous row matching the search.
    SearchPrev,
    /// Counts of each value of the current column.
    Frequencies,
    /// Choose the columns shown.
    ChooseColumns,
    /// Add a timeline entry.
    AddEntry,
    /// Delete the selected timeline entry.
    DeleteEntry,
    /// Widen the viewer's window.
    WindowWider,
    /// Narrow the viewer's window.
    WindowNarrower,
    /// Raise the viewer's level.
    LevelUp,
    /// Lower the viewer's level.
    LevelDown,
    /// Back to the viewer's automatic window.
    WindowReset,
    /// Show only the next kind of problem (after the last, every kind).
    NextKind,
    /// Score the cohort with the selected signature.
    Score,
    /// Export the table shown to a file.
    Export,
    /// Write the full analysis report of the active signature (a job).
    ExportReport,
    /// Show the columns further right.
    ScrollRight,
    /// Show the columns further left.
    ScrollLeft,
}

impl Action {
    /// The action's name in a keymap file: its variant in snake case,
    /// with the argument of a parameterised one appended (`sort_ascending`,
    /// `view_jobs`, `section_1` for the first section).
    pub fn id(self) -> String {
        let debug = match self {
            Action::Section(index) => format!("Section{}", index + 1),
            other => format!("{other:?}").replace(['(', ')'], ""),
        };
        let mut id = String::new();
        for (i, c) in debug.chars().enumerate() {
            if c.is_ascii_uppercase() {
                if i > 0 {
                    id.push('_');
                }
                id.push(c.to_ascii_lowercase());
            } else if c.is_ascii_digit()
                && !id.ends_with('_')
                && !id.chars().last().is_some_and(|l| l.is_ascii_digit())
            {
                id.push('_');
                id.push(c);
            } else {
                id.push(c);
            }
        }
        id
    }
}
