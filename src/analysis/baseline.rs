//! Table 1: baseline characteristics by cohort (training vs validation)
//! and by the signature's risk group, with the statistics engine's
//! tableone conventions — continuous variables as median \[Q1,Q3\] with
//! Kruskal–Wallis (age as mean (SD) with Welch's t), categorical ones as
//! n (%) with chi-square or Fisher's exact test — and missing values
//! counted apart.

use serde::Serialize;

use super::cohort::AnalysisSet;
use crate::signature::StudyData;
use crate::stats::{Column, Frame, Table1, Table1Variable};
use crate::study::model::{Value, VariableType};

/// The two Table 1s.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Baseline {
    /// By cohort; `None` with the reason when it cannot be built.
    pub by_cohort: Option<Table1>,
    /// By risk group.
    pub by_risk_group: Option<Table1>,
    /// Why a table is missing.
    pub notes: Vec<String>,
}

/// The frame of baseline variables: `Cohort`, `Risk group`, age, sex and
/// every numeric, integer, boolean or categorical dictionary variable
/// (labelled by the dictionary's labels).
fn frame(set: &AnalysisSet, data: &StudyData) -> Result<(Frame, Vec<Table1Variable>), String> {
    let mut frame = Frame::new();
    let mut variables = Vec::new();
    let patients = &data.patients;
    let text =
        |f: &dyn Fn(usize) -> Option<String>| Column::Text((0..patients.len()).map(f).collect());
    let push = |frame: &mut Frame, name: &str, column: Column| {
        frame.push(name, column).map_err(|e| e.to_string())
    };
    push(
        &mut frame,
        "Cohort",
        text(&|i| patients[i].cohort.map(|c| c.as_str().to_owned())),
    )?;
    push(
        &mut frame,
        "Risk group",
        text(&|i| set.rows[i].risk_group().map(|g| g.as_str().to_owned())),
    )?;
    push(
        &mut frame,
        "Age, years",
        Column::Numeric(patients.iter().map(|p| p.age).collect()),
    )?;
    variables.push(Table1Variable::normal("Age, years"));
    push(
        &mut frame,
        "Sex",
        text(&|i| patients[i].sex.map(|s| s.as_str().to_owned())),
    )?;
    variables.push(Table1Variable::categorical("Sex"));
    for variable in &data.dictionary {
        let name = match &variable.unit {
            Some(unit) => format!("{}, {unit}", variable.label),
            None => variable.label.clone(),
        };
        let value = |i: usize| patients[i].values.get(&variable.name);
        let column = match variable.kind {
            VariableType::Numeric | VariableType::Integer => {
                variables.push(Table1Variable::nonnormal(name.clone()));
                Column::Numeric(
                    (0..patients.len())
                        .map(|i| value(i).and_then(Value::as_f64))
                        .collect(),
                )
            }
            VariableType::Boolean => {
                variables.push(Table1Variable::categorical(name.clone()));
                text(&|i| match value(i) {
                    Some(Value::Bool(b)) => Some(if *b { "yes" } else { "no" }.to_owned()),
                    _ => None,
                })
            }
            VariableType::Categorical => {
                variables.push(Table1Variable::categorical(name.clone()));
                text(&|i| match value(i) {
                    Some(Value::Level(level)) => Some(level.clone()),
                    _ => None,
                })
            }
            VariableType::Date | VariableType::Text => continue,
        };
        push(&mut frame, &name, column)?;
    }
    Ok((frame, variables))
}

/// Table 1 by cohort and by risk group.
pub fn baseline(set: &AnalysisSet, data: &StudyData) -> Baseline {
    let mut notes = Vec::new();
    let (frame, variables) = match frame(set, data) {
        Ok(built) => built,
        Err(error) => {
            return Baseline {
                by_cohort: None,
                by_risk_group: None,
                notes: vec![format!("Table 1 not built: {error}")],
            };
        }
    };
    let mut table = |group: &str| {
        let rows = frame.complete_rows(&[group]).unwrap_or_default();
        Table1::build(&frame.select_rows(&rows), group, &variables)
            .map_err(|e| notes.push(format!("Table 1 by {group} not built: {e}")))
            .ok()
    };
    let by_cohort = table("Cohort");
    let by_risk_group = table("Risk group");
    Baseline {
        by_cohort,
        by_risk_group,
        notes,
    }
}
