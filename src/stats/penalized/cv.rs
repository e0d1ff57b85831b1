//! k-fold cross-validation of a penalised path, as `cv.glmnet`: every fold
//! is fitted on the full data's λ sequence, its deviance measured on what
//! it left out, and λ chosen by the minimum and the one-standard-error
//! rule.

use rayon::prelude::*;
use serde::Serialize;

use super::PenalizedPath;
use super::cox::{self, CoxLoss};
use super::logistic::{self, clamped_binomial_deviance};
use super::options::PenaltyOptions;
use super::path::FittedPath;
use crate::stats::{Design, StatsError, SurvivalData};

/// How observations are split into folds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Folds {
    /// A fold number from 1 to K for each observation (glmnet `foldid`);
    /// every fold must hold at least one observation.
    Given(Vec<usize>),
    /// K folds as equal as possible (sizes differ by at most one), assigned
    /// by a shuffle seeded with `seed`, as [`seeded_foldid`].
    Seeded {
        /// Number of folds K (glmnet `nfolds`, at least 3).
        nfolds: usize,
        /// Seed of the shuffle.
        seed: u64,
    },
}

/// Options of a cross-validation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CvOptions {
    /// The folds (default: 10 seeded folds, seed 1).
    pub folds: Folds,
    /// Cox only: `cv.glmnet`'s `grouped` (default true). Grouped, fold k
    /// scores the fold's coefficients by the full data's deviance minus
    /// the training data's (Verweij & van Houwelingen 1993), divided by
    /// the fold's events; ungrouped, by the held-out fold's own deviance
    /// over its events.
    pub grouped: bool,
    /// Cox only: include glmnet's saturated term −Σ_t d_t·log d_t (over
    /// tied event counts) in each deviance (default true, as glmnet ≥ 4.1;
    /// glmnet before 4.1 used −2·log partial likelihood alone). It adds a
    /// constant per fold that does not depend on λ, and is 0 when no event
    /// times are tied.
    pub cox_saturated_term: bool,
}

impl Default for CvOptions {
    fn default() -> Self {
        CvOptions {
            folds: Folds::Seeded {
                nfolds: 10,
                seed: 1,
            },
            grouped: true,
            cox_saturated_term: true,
        }
    }
}

/// The cross-validated measure.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CvMeasure {
    /// Mean binomial deviance −2·[y·log p + (1−y)·log(1−p)] of the held-out
    /// observations, p clamped to [1e-5, 1 − 1e-5] as `cv.glmnet`.
    BinomialDeviance,
    /// Partial-likelihood deviance per held-out event (see
    /// [`CvOptions::grouped`] and [`CvOptions::cox_saturated_term`]).
    CoxDeviance {
        /// Grouped (the default) or not.
        grouped: bool,
        /// Whether the saturated term is included.
        saturated_term: bool,
    },
}

/// The cross-validation of a path.
#[derive(Debug, Clone, Serialize)]
pub struct CrossValidation {
    /// What was measured.
    pub measure: CvMeasure,
    /// Number of folds K.
    pub nfolds: usize,
    /// The fold (1..=K) of each observation.
    pub foldid: Vec<usize>,
    /// The weight of each fold in the mean: its observations (binomial) or
    /// its events (Cox).
    pub fold_weights: Vec<f64>,
    /// The measure of each fold at each λ: `cvraw[fold][λ index]`.
    pub cvraw: Vec<Vec<f64>>,
    /// Weighted mean of the folds' measures at each λ (glmnet `cvm`).
    pub cvm: Vec<f64>,
    /// Its standard error: √(weighted mean of (cvraw − cvm)² / (K − 1))
    /// (glmnet `cvsd`).
    pub cvsd: Vec<f64>,
    /// The λ of smallest `cvm` (the largest such λ on a tie).
    pub lambda_min: f64,
    /// The largest λ whose `cvm` is within one `cvsd` (taken at
    /// `lambda_min`) of the minimum.
    pub lambda_1se: f64,
    /// Index of `lambda_min` in the λ sequence.
    pub index_min: usize,
    /// Index of `lambda_1se` in the λ sequence.
    pub index_1se: usize,
}

/// A path fitted on all the data with its cross-validation.
#[derive(Debug, Clone, Serialize)]
pub struct CrossValidatedPath {
    /// The path fitted on all observations.
    #[serde(flatten)]
    pub path: PenalizedPath,
    /// The cross-validation over the same λ sequence.
    pub cv: CrossValidation,
}

/// glmnet's smallest number of folds.
const MIN_FOLDS: usize = 3;

/// Fold numbers 1..=`nfolds` for `n` observations, as equal in size as
/// possible and shuffled by a generator seeded with `seed` (SplitMix64 and
/// Fisher–Yates): the same for the same arguments on every platform. Like
/// glmnet's `sample(rep(seq(nfolds), length = n))`, but not R's random
/// numbers.
pub fn seeded_foldid(n: usize, nfolds: usize, seed: u64) -> Result<Vec<usize>, StatsError> {
    check_fold_count(n, nfolds)?;
    let mut foldid: Vec<usize> = (0..n).map(|i| i % nfolds + 1).collect();
    let mut rng = SplitMix64(seed);
    for i in (1..n).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        foldid.swap(i, j);
    }
    Ok(foldid)
}

fn check_fold_count(n: usize, nfolds: usize) -> Result<(), StatsError> {
    if nfolds < MIN_FOLDS {
        return Err(StatsError::invalid_parameter(
            "nfolds",
            nfolds,
            format!("at least {MIN_FOLDS} folds, as glmnet"),
        ));
    }
    if n < nfolds {
        return Err(StatsError::TooFewObservations {
            what: format!("{nfolds}-fold cross-validation"),
            found: n,
            needed: nfolds,
        });
    }
    Ok(())
}

/// SplitMix64 (Steele, Lea & Flood 2014): a small, well-mixed generator.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in 0..bound (bound ≥ 1), by Lemire's multiply-shift with
    /// rejection, so without bias.
    fn below(&mut self, bound: u64) -> u64 {
        let threshold = bound.wrapping_neg() % bound;
        loop {
            let product = u128::from(self.next()) * u128::from(bound);
            if (product as u64) >= threshold {
                return (product >> 64) as u64;
            }
        }
    }
}

/// The checked fold of each observation and K.
fn resolve_folds(n: usize, folds: &Folds) -> Result<(Vec<usize>, usize), StatsError> {
    match folds {
        Folds::Seeded { nfolds, seed } => Ok((seeded_foldid(n, *nfolds, *seed)?, *nfolds)),
        Folds::Given(foldid) => {
            if foldid.len() != n {
                return Err(StatsError::LengthMismatch {
                    what: "foldid".to_owned(),
                    expected: n,
                    found: foldid.len(),
                });
            }
            let nfolds = foldid.iter().copied().max().unwrap_or(0);
            check_fold_count(n, nfolds)?;
            if let Some(index) = foldid.iter().position(|&f| f == 0) {
                return Err(StatsError::OutOfRange {
                    what: "foldid".to_owned(),
                    index,
                    value: 0.0,
                    expected: format!("expected a fold number from 1 to {nfolds}"),
                });
            }
            let mut sizes = vec![0usize; nfolds];
            for &f in foldid {
                sizes[f - 1] += 1;
            }
            if let Some(empty) = sizes.iter().position(|&s| s == 0) {
                return Err(StatsError::TooFewObservations {
                    what: format!("cross-validation fold {}", empty + 1),
                    found: 0,
                    needed: 1,
                });
            }
            Ok((foldid.clone(), nfolds))
        }
    }
}

/// The training and held-out rows of fold `fold`.
fn split(foldid: &[usize], fold: usize) -> (Vec<usize>, Vec<usize>) {
    (0..foldid.len()).partition(|&i| foldid[i] != fold)
}

/// Says which fold an error came from.
fn in_fold(fold: usize, error: StatsError) -> StatsError {
    super::located(error, &format!("cross-validation fold {fold}"), ", ")
}

/// Cross-validates a penalised logistic path (see
/// [`super::fit_logistic_path`]): the full-data fit fixes the λ sequence,
/// each fold is fitted on it without its rows (re-standardising them when
/// `options.standardize`, as `cv.glmnet`), and scored by the mean
/// [`CvMeasure::BinomialDeviance`] of its held-out rows; folds are weighted
/// by their sizes. Folds run in parallel; the result does not depend on
/// the number of threads.
///
/// Errors: those of the fit, bad folds (fewer than 3, an empty fold, more
/// folds than observations), and a training set with one outcome class.
pub fn cv_logistic(
    design: &Design,
    y: &[bool],
    options: &PenaltyOptions,
    cv: &CvOptions,
) -> Result<CrossValidatedPath, StatsError> {
    let full = logistic::prepare(design, y, options, "y")?;
    let generated = full.lambda_sequence(options)?;
    let (foldid, nfolds) = resolve_folds(design.rows(), &cv.folds)?;
    // The full fit first: where a generated path stops, as glmnet's does,
    // fixes the λ sequence the folds are fitted on (cv.glmnet likewise).
    let full_path = full.fit(&generated, options.lambda.is_none())?.path;
    let lambdas = full_path.lambda.clone();
    let folds: Vec<Result<Job, StatsError>> = (1..=nfolds)
        .into_par_iter()
        .map(|fold| {
            let (train, test) = split(&foldid, fold);
            let train_y: Vec<bool> = train.iter().map(|&i| y[i]).collect();
            let test_y: Vec<bool> = test.iter().map(|&i| y[i]).collect();
            let fitted = logistic::prepare(&design.subset(&train), &train_y, options, "y")
                .and_then(|prepared| prepared.fit(&lambdas, false))
                .map_err(|error| in_fold(fold, error))?;
            let held_out = design.subset(&test);
            let mut scores = Vec::with_capacity(lambdas.len());
            for index in 0..lambdas.len() {
                let eta = fitted.path.linear_predictor(&held_out, index)?;
                let total: f64 = eta
                    .iter()
                    .zip(&test_y)
                    .map(|(&e, &label)| clamped_binomial_deviance(label, e))
                    .sum();
                scores.push(total / test.len() as f64);
            }
            Ok(Job::Fold {
                scores,
                weight: test.len() as f64,
            })
        })
        .collect();
    let jobs = std::iter::once(Ok(Job::Full(Box::new(full_path))))
        .chain(folds)
        .collect();
    summarise(jobs, &lambdas, foldid, nfolds, CvMeasure::BinomialDeviance)
}

/// Cross-validates a penalised Cox path (see [`super::fit_cox_path`]) as
/// `cv.glmnet(family = "cox", type.measure = "deviance")`: the full-data
/// fit fixes the λ sequence, each fold is fitted on it without its rows
/// (re-standardising them when `options.standardize`), and scored per
/// held-out event by the grouped or ungrouped partial-likelihood deviance
/// ([`CvOptions::grouped`], [`CvOptions::cox_saturated_term`]); folds are
/// weighted by their events. Folds run in parallel; the result does not
/// depend on the number of threads.
///
/// Errors: those of the fit, bad folds (fewer than 3, an empty fold, more
/// folds than observations), a fold without events (its deviance per
/// event is undefined) and a training set without events.
pub fn cv_cox(
    design: &Design,
    survival: &SurvivalData,
    options: &PenaltyOptions,
    cv: &CvOptions,
) -> Result<CrossValidatedPath, StatsError> {
    let full = cox::prepare(design, survival, options, "survival data")?;
    let lambdas = full.lambda_sequence(options)?;
    let (foldid, nfolds) = resolve_folds(design.rows(), &cv.folds)?;
    for fold in 1..=nfolds {
        let events = (0..foldid.len())
            .filter(|&i| foldid[i] == fold && survival.event()[i])
            .count();
        if events == 0 {
            return Err(StatsError::NoEvents {
                what: format!("cross-validation fold {fold}"),
            });
        }
    }
    let saturated = |loss: &CoxLoss| {
        if cv.cox_saturated_term {
            loss.saturated_loglik()
        } else {
            0.0
        }
    };
    let jobs: Vec<Result<Job, StatsError>> = (0..=nfolds)
        .into_par_iter()
        .map(|fold| {
            if fold == 0 {
                return full
                    .fit(&lambdas, false)
                    .map(|fitted| Job::Full(Box::new(fitted.path)));
            }
            let (train, test) = split(&foldid, fold);
            let held_out = survival.subset(&test);
            let events = held_out.events() as f64;
            let training = cox::prepare(
                &design.subset(&train),
                &survival.subset(&train),
                options,
                "training data",
            )
            .map_err(|error| in_fold(fold, error))?;
            let FittedPath { path, loss } = training
                .fit(&lambdas, false)
                .map_err(|error| in_fold(fold, error))?;
            let training_rows = train.len() as f64;
            let mut scores = Vec::with_capacity(lambdas.len());
            let mut workspace = Vec::new();
            if cv.grouped {
                // Full-data minus training deviance at the fold's
                // coefficients; the training one is the fit's own loss.
                let full_columns = full.columns();
                let full_loss = full.loss();
                let training_saturated = saturated(training.loss());
                for (coefficients, &training_loss) in path.coefficients.iter().zip(&loss) {
                    let eta = full_columns.centred_predictor(coefficients);
                    let full_deviance =
                        2.0 * (saturated(full_loss) - full_loss.loglik(&eta, &mut workspace));
                    let training_deviance =
                        2.0 * (training_saturated + training_rows * training_loss);
                    scores.push((full_deviance - training_deviance) / events);
                }
            } else {
                let (test_loss, order) = CoxLoss::new(&held_out, "held-out data")
                    .map_err(|error| in_fold(fold, error))?;
                let test_design = design.subset(&test);
                let test_columns =
                    super::columns::Columns::new(test_design.matrix(), &order, false);
                for coefficients in &path.coefficients {
                    let eta = test_columns.centred_predictor(coefficients);
                    let deviance =
                        2.0 * (saturated(&test_loss) - test_loss.loglik(&eta, &mut workspace));
                    scores.push(deviance / events);
                }
            }
            Ok(Job::Fold {
                scores,
                weight: events,
            })
        })
        .collect();
    summarise(
        jobs,
        &lambdas,
        foldid,
        nfolds,
        CvMeasure::CoxDeviance {
            grouped: cv.grouped,
            saturated_term: cv.cox_saturated_term,
        },
    )
}

/// What one parallel job returns: the full-data path, or a fold's scores.
enum Job {
    Full(Box<PenalizedPath>),
    Fold { scores: Vec<f64>, weight: f64 },
}

/// Weighted mean and standard error over folds, λ.min and λ.1se, as
/// glmnet's `cvm`, `cvsd` and `getOptcv.glmnet`.
fn summarise(
    jobs: Vec<Result<Job, StatsError>>,
    lambdas: &[f64],
    foldid: Vec<usize>,
    nfolds: usize,
    measure: CvMeasure,
) -> Result<CrossValidatedPath, StatsError> {
    let mut path = None;
    let mut cvraw = Vec::with_capacity(nfolds);
    let mut fold_weights = Vec::with_capacity(nfolds);
    for job in jobs {
        match job? {
            Job::Full(full) => path = Some(*full),
            Job::Fold { scores, weight } => {
                cvraw.push(scores);
                fold_weights.push(weight);
            }
        }
    }
    let path = path.ok_or_else(|| StatsError::invalid_parameter("folds", nfolds, "a full fit"))?;
    let total_weight: f64 = fold_weights.iter().sum();
    let mut cvm = Vec::with_capacity(lambdas.len());
    let mut cvsd = Vec::with_capacity(lambdas.len());
    for index in 0..lambdas.len() {
        let mean = cvraw
            .iter()
            .zip(&fold_weights)
            .map(|(scores, w)| w * scores[index])
            .sum::<f64>()
            / total_weight;
        let spread = cvraw
            .iter()
            .zip(&fold_weights)
            .map(|(scores, w)| w * (scores[index] - mean).powi(2))
            .sum::<f64>()
            / total_weight;
        if !mean.is_finite() {
            return Err(StatsError::NonFinite {
                what: "cross-validated deviance".to_owned(),
                index,
                value: mean,
            });
        }
        cvm.push(mean);
        cvsd.push((spread / (nfolds as f64 - 1.0)).sqrt());
    }
    // λ is decreasing, so the first index reaching a bound is the largest λ.
    let smallest = cvm.iter().copied().fold(f64::INFINITY, f64::min);
    let index_min = cvm.iter().position(|&m| m <= smallest).unwrap_or(0);
    let bound = cvm[index_min] + cvsd[index_min];
    let index_1se = cvm.iter().position(|&m| m <= bound).unwrap_or(index_min);
    Ok(CrossValidatedPath {
        cv: CrossValidation {
            measure,
            nfolds,
            foldid,
            fold_weights,
            cvraw,
            cvm,
            cvsd,
            lambda_min: lambdas[index_min],
            lambda_1se: lambdas[index_1se],
            index_min,
            index_1se,
        },
        path,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_folds_are_balanced_shuffled_and_reproducible() {
        let foldid = seeded_foldid(23, 5, 7).unwrap();
        let mut sizes = [0; 5];
        for &f in &foldid {
            sizes[f - 1] += 1;
        }
        assert_eq!(sizes, [5, 5, 5, 4, 4]);
        assert_eq!(foldid, seeded_foldid(23, 5, 7).unwrap());
        assert_ne!(foldid, seeded_foldid(23, 5, 8).unwrap());
        let in_order: Vec<usize> = (0..23).map(|i| i % 5 + 1).collect();
        assert_ne!(foldid, in_order);
    }

    #[test]
    fn refuses_bad_folds() {
        assert!(matches!(
            seeded_foldid(10, 2, 1),
            Err(StatsError::InvalidParameter { .. })
        ));
        assert!(matches!(
            seeded_foldid(4, 5, 1),
            Err(StatsError::TooFewObservations {
                found: 4,
                needed: 5,
                ..
            })
        ));
        assert!(matches!(
            resolve_folds(4, &Folds::Given(vec![1, 2, 4, 4])),
            Err(StatsError::TooFewObservations { what, .. }) if what.contains("fold 3")
        ));
        assert!(matches!(
            resolve_folds(4, &Folds::Given(vec![1, 2, 3, 0])),
            Err(StatsError::OutOfRange { index: 3, .. })
        ));
        assert!(matches!(
            resolve_folds(3, &Folds::Given(vec![1, 2])),
            Err(StatsError::LengthMismatch { .. })
        ));
    }

    #[test]
    fn lambda_min_and_1se_follow_getoptcv() {
        // Folds of weights 1 and 3 with hand-picked scores at 3 λ.
        let lambdas = [3.0, 2.0, 1.0];
        let jobs = vec![
            Ok(Job::Fold {
                scores: vec![2.0, 1.0, 1.5],
                weight: 1.0,
            }),
            Ok(Job::Fold {
                scores: vec![2.0, 1.4, 1.0],
                weight: 3.0,
            }),
            Ok(Job::Fold {
                scores: vec![2.0, 1.4, 1.0],
                weight: 0.0,
            }),
        ];
        let empty_path = PenalizedPath {
            family: super::super::Family::Cox,
            alpha: 1.0,
            standardize: true,
            penalty_factor: vec![],
            terms: vec![],
            lambda_max: 3.0,
            lambda: lambdas.to_vec(),
            coefficients: vec![],
            nonzero: vec![],
            objective: vec![],
            deviance: vec![],
            null_deviance: 0.0,
            dev_ratio: vec![],
            iterations: vec![],
            observations: 0,
        };
        let mut jobs = jobs;
        jobs.insert(0, Ok(Job::Full(Box::new(empty_path))));
        let result = summarise(
            jobs,
            &lambdas,
            vec![1, 2, 3],
            3,
            CvMeasure::BinomialDeviance,
        )
        .unwrap();
        let cv = result.cv;
        // cvm: 2, (1 + 4.2)/4 = 1.3, (1.5 + 3)/4 = 1.125.
        assert!((cv.cvm[1] - 1.3).abs() < 1e-15);
        assert!((cv.cvm[2] - 1.125).abs() < 1e-15);
        assert_eq!(cv.index_min, 2);
        // cvsd at λ = 1: √((0.375² + 3·0.125²)/4/2) = √(0.1875/8).
        assert!((cv.cvsd[2] - (0.1875_f64 / 8.0).sqrt()).abs() < 1e-15);
        // 1.125 + 0.153 = 1.278 < 1.3: λ.1se is λ.min here.
        assert_eq!(cv.index_1se, 2);
        assert_eq!(cv.lambda_min, 1.0);
    }
}
