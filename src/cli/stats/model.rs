//! The model inputs shared by `stats cox` and `stats logistic`: a formula,
//! reference levels, and the complete cases of every column involved.

use std::collections::BTreeMap;

use anyhow::{Result, bail};
use radcohort::stats::{Formula, Frame, ModelMatrix};

/// `--formula` and `--ref`.
#[derive(Debug, clap::Args)]
pub struct ModelArgs {
    /// The right-hand side in R's notation: `a + b + c*d` (`c*d` is
    /// `c + d + c:d`); text columns become dummies against their first level.
    #[arg(long, value_name = "FORMULA")]
    pub formula: String,
    /// The reference level of a text column (repeatable).
    #[arg(long = "ref", value_name = "COL=LEVEL")]
    pub reference: Vec<String>,
}

/// A model matrix over the rows where every formula variable and every
/// column of `others` has a value, with those rows (indices of `frame`).
pub fn model_rows(
    frame: &Frame,
    model: &ModelArgs,
    others: &[&str],
) -> Result<(ModelMatrix, Vec<usize>)> {
    let formula = Formula::parse(&model.formula)?;
    let mut reference = BTreeMap::new();
    for pair in &model.reference {
        let Some((column, level)) = pair.split_once('=') else {
            bail!("--ref {pair}: expected COL=LEVEL");
        };
        reference.insert(column.trim().to_owned(), level.trim().to_owned());
    }
    let mut columns: Vec<&str> = formula.variables().iter().map(String::as_str).collect();
    columns.extend_from_slice(others);
    let rows = frame.complete_rows(&columns)?;
    // Factors are coded on the complete cases, as R builds its model frame
    // before its model matrix.
    let complete = frame.select_rows(&rows);
    let matrix = formula.model_matrix(&complete, &reference)?;
    Ok((matrix, rows))
}
