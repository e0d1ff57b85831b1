//! The regularisation path: the null model, λ_max, and the fits along a
//! decreasing λ sequence with warm starts, sequential strong rules and a
//! KKT check over every term.

use super::columns::Columns;
use super::options::{ALPHA_FLOOR_FOR_LAMBDA_MAX, PenaltyOptions};
use super::solver::{Control, Coord, FitState, Loss, Penalty, Scratch, gradient, solve};
use super::{Family, INTERCEPT, PenalizedPath};
use crate::stats::StatsError;

/// What a family adds to its [`Loss`] to report a path as glmnet does.
pub(crate) trait Deviance: Loss {
    /// glmnet's deviance for a (1/n-scaled) loss value.
    fn deviance(&self, loss: f64) -> f64;
    /// The deviance of the null model (intercept only, or β = 0).
    fn null_deviance(&self) -> f64;
}

/// A problem ready to be fitted along any λ sequence: the loss, the
/// prepared predictors, the checked options and the null model, which
/// fixes λ_max and is where every path starts.
pub(crate) struct Prepared<L: Deviance>
where
    L::State: Clone,
{
    family: Family,
    names: Vec<String>,
    loss: L,
    columns: Columns,
    penalty_factor: Vec<f64>,
    alpha: f64,
    standardize: bool,
    control: Control,
    null: FitState<L::State>,
    null_gradient: Vec<f64>,
    /// The smallest λ at which every penalised coefficient is 0:
    /// max_j |∂loss/∂β_j|/(α·pf_j) at the null model (α no smaller than
    /// 0.001, as glmnet).
    lambda_max: f64,
}

/// One fitted path and the loss at each of its λ (what cross-validation
/// needs besides the coefficients).
pub(crate) struct FittedPath {
    /// The path as reported.
    pub path: PenalizedPath,
    /// (1/n)·loss at each λ, on the fitted rows.
    pub loss: Vec<f64>,
}

impl<L: Deviance> Prepared<L>
where
    L::State: Clone,
{
    /// Checks the options against the data and fits the null model: the
    /// intercept (if any) and the unpenalised terms, every penalised
    /// coefficient held at 0.
    pub(crate) fn new(
        family: Family,
        names: Vec<String>,
        loss: L,
        columns: Columns,
        options: &PenaltyOptions,
    ) -> Result<Prepared<L>, StatsError> {
        options.check()?;
        columns.check_finite(&names)?;
        let terms = columns.cols();
        if terms == 0 {
            return Err(StatsError::invalid_parameter(
                "design",
                "no terms",
                "at least one term to penalise",
            ));
        }
        let penalty_factor = options.rescaled_penalty_factor(terms)?;
        let control = Control {
            tolerance: options.tolerance,
            max_iterations: options.max_iterations,
        };
        let rows = loss.rows();
        let mut null = FitState {
            beta: vec![0.0; terms],
            intercept: 0.0,
            eta: vec![0.0; rows],
            loss: 0.0,
            state: loss.new_state(),
        };
        null.loss = loss.evaluate(&null.eta, &mut null.state);
        let unpenalised = Self::unpenalised(&loss, &columns, &penalty_factor);
        let mut scratch = Scratch::new(rows, loss.new_state());
        let penalty = Penalty {
            lambda: 0.0,
            alpha: options.alpha,
            factor: &penalty_factor,
        };
        solve(
            &loss,
            &columns,
            &penalty,
            &unpenalised,
            control,
            &mut null,
            &mut scratch,
        )
        .map_err(|error| at("the null model (intercept and unpenalised terms)", error))?;
        let mut null_gradient = vec![0.0; terms];
        all_gradients(&columns, loss.residual(&null.state), &mut null_gradient);
        let alpha_for_max = options.alpha.max(ALPHA_FLOOR_FOR_LAMBDA_MAX);
        let lambda_max = (0..terms)
            .filter(|&j| columns.is_usable(j) && penalty_factor[j] > 0.0)
            .map(|j| null_gradient[j].abs() / (alpha_for_max * penalty_factor[j]))
            .fold(0.0, f64::max);
        Ok(Prepared {
            family,
            names,
            loss,
            columns,
            penalty_factor,
            alpha: options.alpha,
            standardize: options.standardize,
            control,
            null,
            null_gradient,
            lambda_max,
        })
    }

    /// The intercept and the usable terms with penalty factor 0: always
    /// in the working set.
    fn unpenalised(loss: &L, columns: &Columns, penalty_factor: &[f64]) -> Vec<Coord> {
        let intercept = loss.has_intercept().then_some(Coord::Intercept);
        intercept
            .into_iter()
            .chain(
                (0..columns.cols())
                    .filter(|&j| columns.is_usable(j) && penalty_factor[j] == 0.0)
                    .map(Coord::Feature),
            )
            .collect()
    }

    /// The λ sequence `options` asks for on this problem.
    pub(crate) fn lambda_sequence(&self, options: &PenaltyOptions) -> Result<Vec<f64>, StatsError> {
        options.lambda_sequence(self.lambda_max, self.loss.rows(), self.columns.cols())
    }

    /// The predictors as prepared for the fit.
    pub(crate) fn columns(&self) -> &Columns {
        &self.columns
    }

    /// The loss.
    pub(crate) fn loss(&self) -> &L {
        &self.loss
    }

    /// Fits the path over `lambdas` (checked: decreasing, ≥ 0), starting
    /// from the null model. With `stop_early` (a generated sequence of a
    /// logistic fit) the path ends as glmnet's binomial path does (see
    /// [`stops_early`]).
    pub(crate) fn fit(&self, lambdas: &[f64], stop_early: bool) -> Result<FittedPath, StatsError> {
        let terms = self.columns.cols();
        let rows = self.loss.rows();
        let mut fit = FitState {
            beta: self.null.beta.clone(),
            intercept: self.null.intercept,
            eta: self.null.eta.clone(),
            loss: self.null.loss,
            state: self.null.state.clone(),
        };
        // The loss gradient per term, kept current for the terms at 0.
        let mut grad = self.null_gradient.clone();
        let mut scratch = Scratch::new(rows, self.loss.new_state());
        let unpenalised = Self::unpenalised(&self.loss, &self.columns, &self.penalty_factor);
        let null_deviance = self.loss.null_deviance();
        let mut previous = match lambdas.first() {
            Some(&first) => first.max(self.lambda_max),
            None => self.lambda_max,
        };
        let mut path = PenalizedPath {
            family: self.family,
            alpha: self.alpha,
            standardize: self.standardize,
            penalty_factor: self.penalty_factor.clone(),
            terms: self.terms(),
            lambda_max: self.lambda_max,
            lambda: Vec::with_capacity(lambdas.len()),
            coefficients: Vec::with_capacity(lambdas.len()),
            nonzero: Vec::with_capacity(lambdas.len()),
            objective: Vec::with_capacity(lambdas.len()),
            deviance: Vec::with_capacity(lambdas.len()),
            null_deviance,
            dev_ratio: Vec::with_capacity(lambdas.len()),
            iterations: Vec::with_capacity(lambdas.len()),
            observations: rows,
        };
        let mut losses = Vec::with_capacity(lambdas.len());
        let mut in_working = vec![false; terms];
        for &lambda in lambdas {
            let penalty = Penalty {
                lambda,
                alpha: self.alpha,
                factor: &self.penalty_factor,
            };
            // Working set: the unpenalised coordinates, the terms already
            // non-zero, and those the sequential strong rule keeps.
            let strong = self.alpha * (2.0 * lambda - previous);
            let mut working = unpenalised.clone();
            in_working.iter_mut().for_each(|w| *w = false);
            for coord in &unpenalised {
                if let Coord::Feature(j) = *coord {
                    in_working[j] = true;
                }
            }
            for j in 0..terms {
                if !in_working[j]
                    && self.columns.is_usable(j)
                    && (fit.beta[j] != 0.0 || grad[j].abs() >= strong * self.penalty_factor[j])
                {
                    in_working[j] = true;
                    working.push(Coord::Feature(j));
                }
            }
            let mut iterations = 0;
            // At or above λ_max (exact for α ≥ 0.001) the null model is
            // the solution: kept as it is, so no penalised coefficient
            // comes out as rounding noise.
            let at_null = self.alpha >= ALPHA_FLOOR_FOR_LAMBDA_MAX && lambda >= self.lambda_max;
            if at_null {
                fit.beta.clone_from(&self.null.beta);
                fit.intercept = self.null.intercept;
                fit.eta.clone_from(&self.null.eta);
                fit.loss = self.null.loss;
                fit.state.clone_from(&self.null.state);
                grad.clone_from(&self.null_gradient);
                scratch.forget_hessian();
            }
            let mut solved = at_null;
            while !solved {
                iterations += solve(
                    &self.loss,
                    &self.columns,
                    &penalty,
                    &working,
                    self.control,
                    &mut fit,
                    &mut scratch,
                )
                .map_err(|error| at(&format!("λ = {lambda}"), error))?;
                // Gradients of the terms at 0: those the KKT check below
                // and the next λ's strong rule read (a non-zero term stays
                // in the working set without one).
                let residual = self.loss.residual(&fit.state);
                for j in 0..terms {
                    if self.columns.is_usable(j) && (!in_working[j] || fit.beta[j] == 0.0) {
                        grad[j] = gradient(&self.columns, residual, Coord::Feature(j));
                    }
                }
                // KKT for the terms left out: |gradient| ≤ λ·α·pf at β = 0.
                let mut violated = false;
                for j in 0..terms {
                    if !in_working[j]
                        && self.columns.is_usable(j)
                        && grad[j].abs() > penalty.l1(Coord::Feature(j))
                    {
                        in_working[j] = true;
                        working.push(Coord::Feature(j));
                        violated = true;
                    }
                }
                solved = !violated;
            }
            let slopes = self.columns.original_slopes(&fit.beta);
            let mut coefficients = Vec::with_capacity(terms + 1);
            if self.loss.has_intercept() {
                coefficients.push(self.columns.original_intercept(fit.intercept, &slopes));
            }
            coefficients.extend_from_slice(&slopes);
            let deviance = self.loss.deviance(fit.loss);
            path.lambda.push(lambda);
            path.nonzero
                .push(slopes.iter().filter(|&&b| b != 0.0).count());
            path.coefficients.push(coefficients);
            path.objective.push(fit.loss + penalty.value(&fit.beta));
            path.deviance.push(deviance);
            path.dev_ratio.push(if null_deviance > 0.0 {
                1.0 - deviance / null_deviance
            } else {
                0.0
            });
            path.iterations.push(iterations);
            losses.push(fit.loss);
            previous = lambda;
            if stop_early && stops_early(&path.dev_ratio) {
                break;
            }
        }
        Ok(FittedPath { path, loss: losses })
    }

    fn terms(&self) -> Vec<String> {
        let intercept = self.loss.has_intercept().then(|| INTERCEPT.to_owned());
        intercept
            .into_iter()
            .chain(self.names.iter().cloned())
            .collect()
    }
}

/// The loss gradient along every column (0 for unusable ones).
/// glmnet's `glmnet.control()` defaults: at least `mnlam` = 5 λ values,
/// then stop once the deviance ratio gains less than `fdev` = 1e-5 over
/// the previous λ or exceeds `devmax` = 0.999.
const MIN_PATH_POINTS: usize = 5;
const MIN_DEV_RATIO_GAIN: f64 = 1e-5;
const MAX_DEV_RATIO: f64 = 0.999;

/// Whether a generated path stops after its last λ, as glmnet's binomial
/// path (lognet) does: after at least 5 λ, once the fraction of deviance
/// explained rose by less than 1e-5 since the previous λ (an absolute
/// change), or exceeds 0.999 (near separation, where smaller λ only chase
/// coefficients to infinity). glmnet 4.1 gives the GBSG2 recurrence path
/// 56 λ of 100 by the first rule, and a separable 83 × 48 problem 95 by
/// the second; a λ sequence given by the user is never cut.
fn stops_early(dev_ratio: &[f64]) -> bool {
    let m = dev_ratio.len();
    m >= MIN_PATH_POINTS
        && (dev_ratio[m - 1] - dev_ratio[m - 2] < MIN_DEV_RATIO_GAIN
            || dev_ratio[m - 1] > MAX_DEV_RATIO)
}

fn all_gradients(columns: &Columns, residual: &[f64], out: &mut [f64]) {
    for (j, value) in out.iter_mut().enumerate() {
        *value = if columns.is_usable(j) {
            gradient(columns, residual, Coord::Feature(j))
        } else {
            0.0
        };
    }
}

/// Says where a solver error happened.
fn at(place: &str, error: StatsError) -> StatsError {
    super::located(error, place, " at ")
}
