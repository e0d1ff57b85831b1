//! `radcohort stats table1`.

use std::process::ExitCode;

use anyhow::Result;
use radcohort::stats::{Table1, Table1Variable};

use super::output::table;
use super::{Input, read_frame};

/// Arguments of `stats table1`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    input: Input,
    /// The column whose levels make the table's groups.
    #[arg(long, value_name = "COL")]
    group: String,
    /// The variables, in the table's order (comma-separated).
    #[arg(long, value_delimiter = ',', required = true, value_name = "A,B,...")]
    variables: Vec<String>,
    /// Which of them are categorical: n (%) and chi-square or Fisher.
    #[arg(long, value_delimiter = ',', value_name = "A,B,...")]
    categorical: Vec<String>,
    /// Which continuous ones are skewed: median [Q1, Q3] and Kruskal–Wallis.
    #[arg(long, value_delimiter = ',', value_name = "A,B,...")]
    nonnormal: Vec<String>,
}

fn names(list: &[String]) -> Vec<&str> {
    list.iter().map(String::as_str).collect()
}

pub fn run(args: Args) -> Result<ExitCode> {
    let frame = read_frame(&args.input.csv)?;
    let variables = Table1Variable::from_lists(
        &names(&args.variables),
        &names(&args.categorical),
        &names(&args.nonnormal),
    )?;
    let result = Table1::build(&frame, &args.group, &variables)?;
    if args.input.json {
        crate::cli::print_json(&result)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut header = vec![String::new(), "level".to_owned(), "overall".to_owned()];
    header.extend(
        result
            .levels
            .iter()
            .map(|level| format!("{}={level}", result.group_by)),
    );
    header.extend(["p".to_owned(), "test".to_owned(), "missing".to_owned()]);
    let rows: Vec<Vec<String>> = result
        .rows
        .iter()
        .map(|row| {
            let mut cells = vec![
                row.label.clone(),
                row.level.clone().unwrap_or_default(),
                row.overall.clone(),
            ];
            cells.extend(
                result
                    .levels
                    .iter()
                    .map(|level| row.groups.get(level).cloned().unwrap_or_default()),
            );
            cells.push(row.p_text.clone().unwrap_or_default());
            cells.push(row.test.clone().unwrap_or_default());
            cells.push(row.missing.map_or_else(String::new, |m| m.to_string()));
            cells
        })
        .collect();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    print!("{}", table(&header, &rows));
    Ok(ExitCode::SUCCESS)
}
