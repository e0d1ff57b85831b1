//! Fitting a Cox model by Newton–Raphson, as
//! R's `coxph` (`coxfit6`): start at β = 0; each step solves
//! I(β)·δ = U(β) by Cholesky; a step that lowers the log-likelihood is
//! halved until it does not; the fit has converged when the log partial
//! likelihood changes by at most `tolerance` relative to its size (R's
//! `eps`, 1e-9). One more Newton step is then taken (it moves β by about
//! the square of the last step), so the estimate sits at the optimum to
//! near machine precision rather than to R's stopping rule.
//!
//! A coefficient that keeps moving by a sizeable step after the
//! log-likelihood has levelled off is running to infinity (monotone
//! likelihood, e.g. a group without events): that is
//! [`StatsError::Separation`], naming the terms, where R only warns
//! "Loglik converged before variable …; coefficient may be infinite".

use nalgebra::{DMatrix, DVector};

use super::hypothesis::{self, ChiSquareTest};
use super::likelihood::{Evaluation, Workspace, evaluate};
use super::prepare::Prepared;
use super::{CoxModel, CoxOptions, CoxTerm, Fitted, Ties};
use crate::stats::{Design, StatsError, SurvivalData};

/// Solves the symmetric positive-definite system `matrix`·x = `rhs` by
/// Cholesky; `None` when the matrix is not positive definite.
pub(crate) fn solve_spd(matrix: &[f64], rhs: &[f64]) -> Option<Vec<f64>> {
    let p = rhs.len();
    let cholesky = DMatrix::from_row_slice(p, p, matrix).cholesky()?;
    let solution = cholesky.solve(&DVector::from_column_slice(rhs));
    solution
        .iter()
        .all(|v| v.is_finite())
        .then(|| solution.iter().copied().collect())
}

/// The inverse of a symmetric positive-definite matrix, by Cholesky.
pub(crate) fn inverse_spd(matrix: &[f64], p: usize) -> Option<Vec<f64>> {
    let cholesky = DMatrix::from_row_slice(p, p, matrix).cholesky()?;
    let inverse = cholesky.inverse();
    let values: Vec<f64> = (0..p)
        .flat_map(|i| (0..p).map(move |j| (i, j)))
        .map(|(i, j)| inverse[(i, j)])
        .collect();
    values.iter().all(|v| v.is_finite()).then_some(values)
}

/// Refuses a design whose information at β = 0 is singular: a covariate
/// with no variation inside the risk sets (constant within strata), or one
/// that is a linear combination of earlier ones (R gives it an NA
/// coefficient). Columns are taken in order, as R's pivoting Cholesky does,
/// so the later of two aliased columns is the one named.
fn check_identifiable(
    information: &[f64],
    names: &[String],
    events: usize,
) -> Result<(), StatsError> {
    let p = names.len();
    let mut kept: Vec<usize> = Vec::new();
    for j in 0..p {
        let own = information[j * p + j];
        if own.is_nan() || own <= 1e-10 * events as f64 {
            return Err(StatsError::Singular {
                detail: format!(
                    "term \"{}\" does not vary within the risk sets (constant within strata)",
                    names[j]
                ),
            });
        }
        if !kept.is_empty() {
            let k = kept.len();
            let sub: Vec<f64> = kept
                .iter()
                .flat_map(|&a| kept.iter().map(move |&b| (a, b)))
                .map(|(a, b)| information[a * p + b])
                .collect();
            let cross: Vec<f64> = kept.iter().map(|&a| information[a * p + j]).collect();
            let Some(coefficients) = solve_spd(&sub, &cross) else {
                return Err(StatsError::Singular {
                    detail: format!(
                        "the information matrix is not positive definite at term \"{}\"",
                        names[j]
                    ),
                });
            };
            let residual = own
                - cross
                    .iter()
                    .zip(&coefficients)
                    .map(|(c, b)| c * b)
                    .sum::<f64>();
            if residual <= 1e-10 * own {
                let largest = coefficients.iter().fold(0.0_f64, |m, c| m.max(c.abs()));
                let partners: Vec<String> = (0..k)
                    .filter(|&i| coefficients[i].abs() > 1e-6 * largest)
                    .map(|i| format!("\"{}\"", names[kept[i]]))
                    .collect();
                return Err(StatsError::Singular {
                    detail: format!(
                        "term \"{}\" is a linear combination of {} (R would give it an NA coefficient)",
                        names[j],
                        partners.join(", ")
                    ),
                });
            }
        }
        kept.push(j);
    }
    Ok(())
}

/// The terms whose next Newton step is still large after the
/// log-likelihood levelled off: the signature of a coefficient running to
/// infinity. On the standardised scale a converged fit's next step is of
/// the order of the square of the last one (≈1e-7 or less); a diverging
/// coefficient keeps stepping by about one unit.
fn diverging_terms(beta: &[f64], step: &[f64]) -> Vec<usize> {
    (0..beta.len())
        .filter(|&j| step[j].abs() > 1e-3 * beta[j].abs().max(1.0))
        .collect()
}

fn separation_error(names: &[String], terms: &[usize], beta: &[f64], scale: &[f64]) -> StatsError {
    let listed: Vec<String> = terms
        .iter()
        .map(|&j| {
            format!(
                "\"{}\" (coefficient {:.3} and growing)",
                names[j],
                beta[j] / scale[j]
            )
        })
        .collect();
    StatsError::Separation {
        detail: format!(
            "the partial likelihood keeps rising as {} tends to infinity (monotone likelihood: \
             e.g. a group without events, or a covariate that orders the events perfectly)",
            listed.join(", ")
        ),
    }
}

impl CoxModel {
    /// Fits a Cox proportional-hazards model of `data` on the columns of
    /// `design` (no intercept), as R's `coxph(Surv(time, event) ~ ...)`
    /// with the ties, strata and confidence level of `options`.
    ///
    /// Errors: mismatched lengths, no events, a constant or aliased column
    /// ([`StatsError::Singular`] naming it), a coefficient diverging
    /// ([`StatsError::Separation`]), no convergence in
    /// `options.max_iterations` steps, options out of range.
    pub fn fit(
        data: &SurvivalData,
        design: &Design,
        options: &CoxOptions,
    ) -> Result<CoxModel, StatsError> {
        if !(options.conf_level > 0.0 && options.conf_level < 1.0) {
            return Err(StatsError::invalid_parameter(
                "conf_level",
                options.conf_level,
                "a level strictly between 0 and 1",
            ));
        }
        if options.max_iterations == 0 {
            return Err(StatsError::invalid_parameter(
                "max_iterations",
                0,
                "at least 1",
            ));
        }
        if !(options.tolerance > 0.0 && options.tolerance < 1.0) {
            return Err(StatsError::invalid_parameter(
                "tolerance",
                options.tolerance,
                "a relative tolerance in (0, 1)",
            ));
        }
        let prepared = Prepared::new(
            data,
            design,
            options.strata.as_deref(),
            options.entry.as_deref(),
        )?;
        let p = prepared.p;
        let ties = options.ties;

        let mut workspace = Workspace::new(&prepared);
        let null = evaluate(&prepared, &vec![0.0; p], ties, &mut workspace);
        check_identifiable(&null.information, &prepared.names, prepared.events)?;
        let score_statistic = solve_spd(&null.information, &null.score)
            .map(|v| v.iter().zip(&null.score).map(|(a, b)| a * b).sum::<f64>())
            .ok_or_else(|| StatsError::Singular {
                detail: "information matrix at beta = 0 is not positive definite".to_owned(),
            })?;

        let (beta_std, current, iterations) =
            newton_raphson(&prepared, null.clone(), options, &mut workspace)?;

        let vcov_std = inverse_spd(&current.information, p).ok_or_else(|| {
            let large: Vec<usize> = (0..p).filter(|&j| beta_std[j].abs() > 10.0).collect();
            if large.is_empty() {
                StatsError::Singular {
                    detail: "information matrix at the estimate is not positive definite"
                        .to_owned(),
                }
            } else {
                separation_error(&prepared.names, &large, &beta_std, &prepared.scale)
            }
        })?;
        let scale = &prepared.scale;
        let beta: Vec<f64> = (0..p).map(|j| beta_std[j] / scale[j]).collect();
        let vcov: Vec<f64> = (0..p * p)
            .map(|k| vcov_std[k] / (scale[k / p] * scale[k % p]))
            .collect();
        let z_crit = hypothesis::normal_quantile(0.5 + options.conf_level / 2.0);
        let terms = (0..p)
            .map(|j| {
                let coef = beta[j];
                let se = vcov[j * p + j].sqrt();
                let z = coef / se;
                CoxTerm {
                    term: prepared.names[j].clone(),
                    coef,
                    se,
                    hr: coef.exp(),
                    ci_lower: (coef - z_crit * se).exp(),
                    ci_upper: (coef + z_crit * se).exp(),
                    z,
                    p: hypothesis::two_sided_normal_p(z),
                }
            })
            .collect();
        // Wald: β'V⁻¹β = β'Iβ, on the standardised scale (the same number).
        let wald_statistic: f64 = (0..p)
            .map(|i| {
                (0..p)
                    .map(|j| beta_std[i] * current.information[i * p + j] * beta_std[j])
                    .sum::<f64>()
            })
            .sum();
        let lp = prepared.linear_predictor_sorted(&beta);
        let concordance = prepared.concordance(&lp)?.cindex;
        Ok(CoxModel {
            n: prepared.n,
            events: prepared.events,
            ties,
            strata: prepared.strata.len(),
            loglik: current.loglik,
            loglik_null: null.loglik,
            iterations,
            conf_level: options.conf_level,
            terms,
            vcov: vcov.chunks(p).map(<[f64]>::to_vec).collect(),
            lr_test: ChiSquareTest::new(2.0 * (current.loglik - null.loglik).max(0.0), p),
            wald_test: ChiSquareTest::new(wald_statistic, p),
            score_test: ChiSquareTest::new(score_statistic, p),
            concordance,
            fitted: Fitted {
                prepared,
                beta_std,
                beta,
                vcov,
            },
        })
    }
}

/// Newton–Raphson with step halving from β = 0 (whose evaluation is
/// `start`), evaluating in `workspace`. Returns β (standardised scale), its evaluation and the
/// iterations used.
fn newton_raphson(
    prepared: &Prepared,
    start: Evaluation,
    options: &CoxOptions,
    workspace: &mut Workspace,
) -> Result<(Vec<f64>, Evaluation, usize), StatsError> {
    const MAX_HALVINGS: usize = 40;
    let p = prepared.p;
    let ties: Ties = options.ties;
    let tolerance = options.tolerance;
    let names = &prepared.names;
    let mut beta = vec![0.0; p];
    let mut current = start;
    let mut last_change = f64::INFINITY;
    let newton_step = |evaluation: &Evaluation, beta: &[f64]| {
        solve_spd(&evaluation.information, &evaluation.score).ok_or_else(|| {
            let large: Vec<usize> = (0..p).filter(|&j| beta[j].abs() > 10.0).collect();
            if large.is_empty() {
                StatsError::Singular {
                    detail: "information matrix not positive definite during the fit".to_owned(),
                }
            } else {
                separation_error(names, &large, beta, &prepared.scale)
            }
        })
    };
    for iteration in 1..=options.max_iterations {
        let step = newton_step(&current, &beta)?;
        let mut factor = 1.0;
        let mut accepted = None;
        for _ in 0..MAX_HALVINGS {
            let candidate_beta: Vec<f64> = beta
                .iter()
                .zip(&step)
                .map(|(b, s)| b + factor * s)
                .collect();
            let candidate = evaluate(prepared, &candidate_beta, ties, workspace);
            let change = candidate.loglik - current.loglik;
            let allowance = tolerance * candidate.loglik.abs().max(1.0);
            if candidate.loglik.is_finite() && change >= -allowance {
                accepted = Some((candidate_beta, candidate, change.abs() <= allowance));
                break;
            }
            factor /= 2.0;
        }
        let Some((new_beta, evaluation, converged)) = accepted else {
            return Err(StatsError::NotConverged {
                method: "Cox Newton-Raphson (step halving failed)".to_owned(),
                iterations: iteration,
                change: last_change,
            });
        };
        last_change = (evaluation.loglik - current.loglik).abs();
        beta = new_beta;
        current = evaluation;
        if converged {
            let step = newton_step(&current, &beta)?;
            let diverging = diverging_terms(&beta, &step);
            if !diverging.is_empty() {
                return Err(separation_error(names, &diverging, &beta, &prepared.scale));
            }
            // Polish: one more Newton step, kept if it does not lower the
            // log-likelihood beyond rounding. The step is the estimated
            // distance to the optimum, so it is skipped only when already
            // below 1e-12 standard deviations.
            if step.iter().all(|s| s.abs() < 1e-12) {
                return Ok((beta, current, iteration));
            }
            let polished: Vec<f64> = beta.iter().zip(&step).map(|(b, s)| b + s).collect();
            let evaluation = evaluate(prepared, &polished, ties, workspace);
            if evaluation.loglik.is_finite()
                && evaluation.loglik >= current.loglik - tolerance * current.loglik.abs().max(1.0)
            {
                return Ok((polished, evaluation, iteration + 1));
            }
            return Ok((beta, current, iteration));
        }
    }
    if let Ok(step) = newton_step(&current, &beta) {
        let diverging = diverging_terms(&beta, &step);
        if !diverging.is_empty() {
            return Err(separation_error(names, &diverging, &beta, &prepared.scale));
        }
    }
    Err(StatsError::NotConverged {
        method: "Cox Newton-Raphson".to_owned(),
        iterations: options.max_iterations,
        change: last_change,
    })
}
