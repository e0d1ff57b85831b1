//! The form behind the jobs menu's "Train" entry: the model and the
//! options `radcohort train` takes, checked before the job starts so that
//! a typo is answered in the form rather than by a failed job.
//!
//! Fields left as they are train what `radcohort train --model
//! lasso-logistic --out signature.json` trains. The outcome follows from
//! the model (DFS for LASSO Cox, early recurrence otherwise), as in the
//! library.

use std::path::{Path, PathBuf};

use radcohort::signature::filters::FilterOptions;
use radcohort::signature::forest::ForestOptions;
use radcohort::signature::{CutoffChoice, LambdaRule, ModelChoice, Signature, TrainOptions};

use super::jobs::JobSpec;
use super::widgets::form::Form;

/// The form's fields, in order: (label, hint).
const FIELDS: [(&str, &str); 10] = [
    (
        "Model",
        "lasso-logistic, lasso-cox, random-forest, cpr or combined",
    ),
    ("λ rule", "min or 1se (LASSO models)"),
    ("Folds", "cross-validation folds (LASSO models), 3 or more"),
    ("Seed", "seed of the folds and the forest"),
    (
        "Cutoff",
        "youden, median or a number; empty: the model's default",
    ),
    (
        "Max |r|",
        "drop one of each pair correlated above; 1 keeps all",
    ),
    ("Name", "the signature's name; empty: named after the model"),
    (
        "Radiomic file",
        "combined model only: the radiomic signature's file",
    ),
    ("CPR file", "combined model only: the CPR model's file"),
    ("Write to", "a .json file, relative to the study folder"),
];

/// The training form, filled with the defaults of `radcohort train`.
pub fn form() -> Form {
    let defaults = TrainOptions::default();
    let initial = [
        defaults.model.as_str().to_owned(),
        "min".to_owned(),
        defaults.nfolds.to_string(),
        defaults.seed.to_string(),
        String::new(),
        defaults
            .filters
            .correlation_threshold
            .unwrap_or(1.0)
            .to_string(),
        String::new(),
        String::new(),
        String::new(),
        "signature.json".to_owned(),
    ];
    let fields = FIELDS
        .iter()
        .zip(initial)
        .map(|(&(label, hint), text)| (label.to_owned(), hint.to_owned(), text))
        .collect();
    let mut form = Form::new("Train a signature on the training cohort", fields);
    form.footer = "Tab next · Enter starts training · Esc cancels";
    form
}

/// Reads the form's `values` into a training job writing into the study
/// in `folder`, or says which field is wrong and why.
pub fn parse(values: &[String], folder: &Path) -> Result<JobSpec, String> {
    let field = |index: usize| values.get(index).map_or("", |v| v.trim());
    let wrong = |index: usize, expected: &str| {
        format!("{}: {:?} is not {expected}", FIELDS[index].0, field(index))
    };
    let model = ModelChoice::parse(field(0)).map_err(|_| wrong(0, "a model"))?;
    let lambda_rule = match field(1) {
        "min" => LambdaRule::Min,
        "1se" => LambdaRule::OneSe,
        _ => return Err(wrong(1, "min or 1se")),
    };
    let nfolds = field(2)
        .parse::<usize>()
        .ok()
        .filter(|&folds| folds >= 3)
        .ok_or_else(|| wrong(2, "a whole number of 3 or more"))?;
    let seed = field(3)
        .parse::<u64>()
        .map_err(|_| wrong(3, "a whole number"))?;
    let cutoff = match field(4) {
        "" => None,
        text => {
            Some(CutoffChoice::parse(text).map_err(|_| wrong(4, "youden, median or a number"))?)
        }
    };
    let max_correlation = field(5)
        .parse::<f64>()
        .ok()
        .filter(|r| *r > 0.0 && *r <= 1.0)
        .ok_or_else(|| wrong(5, "a correlation in (0, 1]"))?;
    let name = Some(field(6).to_owned()).filter(|name| !name.is_empty());
    let read = |index: usize| -> Result<Option<Signature>, String> {
        match field(index) {
            "" if model == ModelChoice::Combined => Err(format!(
                "{}: the combined model needs this file",
                FIELDS[index].0
            )),
            "" => Ok(None),
            _ if model != ModelChoice::Combined => Err(format!(
                "{}: only the combined model reads this file; empty it",
                FIELDS[index].0
            )),
            text => Signature::read(&folder.join(text))
                .map(Some)
                .map_err(|error| {
                    format!("{}: {}", FIELDS[index].0, radcohort::error_chain(&error))
                }),
        }
    };
    let radiomic = read(7)?;
    let cpr = read(8)?;
    let out = match field(9) {
        text if text.ends_with(".json") => folder.join(text),
        _ => return Err(wrong(9, "a file name ending in .json")),
    };
    let options = TrainOptions {
        name,
        model,
        outcome: model.outcome(),
        filters: FilterOptions {
            correlation_threshold: FilterOptions::correlation_threshold_for(max_correlation),
            ..FilterOptions::default()
        },
        lambda_rule,
        nfolds,
        seed,
        cutoff,
        forest: ForestOptions {
            seed,
            ..ForestOptions::default()
        },
        radiomic,
        cpr,
        ..TrainOptions::default()
    };
    Ok(JobSpec::Train {
        out,
        options: Box::new(options),
    })
}

/// Where the form's default writes, for the jobs menu's entry.
pub fn default_out(folder: &Path) -> PathBuf {
    folder.join("signature.json")
}

#[cfg(test)]
mod tests {
    use radcohort::signature::Outcome;

    use super::*;

    fn values(changes: &[(usize, &str)]) -> Vec<String> {
        let mut values = form().values();
        for &(index, text) in changes {
            values[index] = text.to_owned();
        }
        values
    }

    fn options(spec: JobSpec) -> (PathBuf, TrainOptions) {
        match spec {
            JobSpec::Train { out, options } => (out, *options),
            other => panic!("not a training job: {other:?}"),
        }
    }

    #[test]
    fn the_untouched_form_trains_what_the_cli_trains_by_default() {
        let folder = Path::new("/study");
        let (out, options) = options(parse(&values(&[]), folder).expect("valid defaults"));
        assert_eq!(out, Path::new("/study/signature.json"));
        let mut expected = TrainOptions::default();
        // `radcohort train` seeds the forest with --seed as well.
        expected.forest.seed = expected.seed;
        assert_eq!(options, expected);
    }

    #[test]
    fn each_choice_reaches_the_options() {
        let folder = Path::new("/study");
        let spec = parse(
            &values(&[
                (0, "lasso-cox"),
                (1, "1se"),
                (2, "5"),
                (3, "7"),
                (4, "0.25"),
                (5, "1"),
                (6, "DFS score"),
                (9, "cox.json"),
            ]),
            folder,
        )
        .expect("valid choices");
        let (out, options) = options(spec);
        assert_eq!(out, Path::new("/study/cox.json"));
        assert_eq!(options.model, ModelChoice::LassoCox);
        assert_eq!(options.outcome, Outcome::Dfs, "the model decides");
        assert_eq!(options.lambda_rule, LambdaRule::OneSe);
        assert_eq!(
            (options.nfolds, options.seed, options.forest.seed),
            (5, 7, 7)
        );
        assert_eq!(options.cutoff, Some(CutoffChoice::Fixed(0.25)));
        assert_eq!(options.filters.correlation_threshold, None, "1 keeps all");
        assert_eq!(options.name.as_deref(), Some("DFS score"));
    }

    #[test]
    fn a_wrong_field_is_named_with_its_value() {
        let folder = Path::new("/study");
        let cases: [(usize, &str, &str); 8] = [
            (0, "lasso", "Model: \"lasso\" is not a model"),
            (1, "max", "λ rule: \"max\" is not min or 1se"),
            (2, "2", "Folds: \"2\" is not a whole number of 3 or more"),
            (3, "-1", "Seed: \"-1\" is not a whole number"),
            (
                4,
                "best",
                "Cutoff: \"best\" is not youden, median or a number",
            ),
            (5, "0", "Max |r|: \"0\" is not a correlation in (0, 1]"),
            (
                7,
                "s.json",
                "Radiomic file: only the combined model reads this file; empty it",
            ),
            (
                9,
                "out.csv",
                "Write to: \"out.csv\" is not a file name ending in .json",
            ),
        ];
        for (index, text, message) in cases {
            assert_eq!(
                parse(&values(&[(index, text)]), folder).unwrap_err(),
                message
            );
        }
    }

    #[test]
    fn the_combined_model_needs_readable_signature_files() {
        let dir = tempfile::tempdir().expect("a folder");
        let missing = parse(&values(&[(0, "combined")]), dir.path()).unwrap_err();
        assert_eq!(missing, "Radiomic file: the combined model needs this file");
        let unreadable = parse(
            &values(&[(0, "combined"), (7, "nowhere.json"), (8, "cpr.json")]),
            dir.path(),
        )
        .unwrap_err();
        assert!(
            unreadable.starts_with("Radiomic file: ") && unreadable.contains("nowhere.json"),
            "{unreadable}"
        );
    }

    #[test]
    fn model_names_read_back() {
        for model in [
            ModelChoice::LassoLogistic,
            ModelChoice::LassoCox,
            ModelChoice::RandomForest,
            ModelChoice::Cpr,
            ModelChoice::Combined,
        ] {
            assert_eq!(ModelChoice::parse(model.as_str()).ok(), Some(model));
        }
    }
}
