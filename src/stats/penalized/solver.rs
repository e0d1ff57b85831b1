//! The solver under every penalised fit: proximal Newton iterations on a
//! working set of coordinates, each step found by cyclic coordinate
//! descent on the penalised quadratic model, accepted by a backtracking
//! line search on the true objective (Lee, Sun & Saunders 2014, *SIAM J
//! Optim* 24(3)).

use super::columns::Columns;
use super::kernels::{dot, largest_magnitude, sum};
use crate::stats::StatsError;

/// A smooth convex loss of the linear predictor η, scaled by 1/n: minus
/// the mean log-likelihood (logistic) or minus the log partial likelihood
/// over n (Cox).
///
/// Its gradient with respect to a coefficient is −(1/n)·Σ_i x_ij·r_i for a
/// residual vector `r` the loss fills in (y − p, or the martingale
/// residual), so the solver needs only the residuals and a Hessian block.
pub(crate) trait Loss: Sync {
    /// What an evaluation leaves for the gradient and Hessian.
    type State: Send;

    /// A state sized for this loss, not yet evaluated.
    fn new_state(&self) -> Self::State;

    /// Number of observations.
    fn rows(&self) -> usize;

    /// Whether the model has an (unpenalised) intercept.
    fn has_intercept(&self) -> bool;

    /// The loss at `eta` (one value per row, in the loss's row order),
    /// filling `state`. Not finite when η overflows the model.
    fn evaluate(&self, eta: &[f64], state: &mut Self::State) -> f64;

    /// The residuals of the last evaluation.
    fn residual<'a>(&self, state: &'a Self::State) -> &'a [f64];

    /// The Hessian of the loss over `coords`, row-major into `out`
    /// (`coords.len()²` values), at the last evaluation; `workspace` is
    /// scratch memory kept between calls.
    fn hessian(
        &self,
        columns: &Columns,
        state: &Self::State,
        coords: &[Coord],
        out: &mut [f64],
        workspace: &mut Vec<f64>,
    );
}

/// A coefficient of the model: the intercept or a term's slope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Coord {
    /// The unpenalised intercept.
    Intercept,
    /// The slope of design column `j`.
    Feature(usize),
}

/// The values of column `coord`: ones for the intercept.
pub(crate) fn coord_values<'a>(columns: &'a Columns, coord: Coord, ones: &'a [f64]) -> &'a [f64] {
    match coord {
        Coord::Intercept => ones,
        Coord::Feature(j) => columns.column(j),
    }
}

/// The elastic-net penalty at one λ: λ·pf_j·(α·|β_j| + (1−α)/2·β_j²).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Penalty<'a> {
    /// λ.
    pub lambda: f64,
    /// α.
    pub alpha: f64,
    /// The (rescaled) penalty factors, one per term.
    pub factor: &'a [f64],
}

impl Penalty<'_> {
    /// The L1 weight λ·α·pf of a coordinate (0 for the intercept).
    pub(crate) fn l1(&self, coord: Coord) -> f64 {
        match coord {
            Coord::Intercept => 0.0,
            Coord::Feature(j) => self.lambda * self.alpha * self.factor[j],
        }
    }

    /// The ridge weight λ·(1−α)·pf of a coordinate (0 for the intercept).
    pub(crate) fn l2(&self, coord: Coord) -> f64 {
        match coord {
            Coord::Intercept => 0.0,
            Coord::Feature(j) => self.lambda * (1.0 - self.alpha) * self.factor[j],
        }
    }

    /// The penalty of one coordinate at value `b`.
    fn of(l1: f64, l2: f64, b: f64) -> f64 {
        l1 * b.abs() + 0.5 * l2 * b * b
    }

    /// The penalty of the slopes `beta`.
    pub(crate) fn value(&self, beta: &[f64]) -> f64 {
        beta.iter()
            .enumerate()
            .map(|(j, &b)| Self::of(self.l1(Coord::Feature(j)), self.l2(Coord::Feature(j)), b))
            .sum()
    }
}

/// Where a fit stands: coefficients on the fitting scale, the linear
/// predictor they give, and the loss evaluated there.
pub(crate) struct FitState<S> {
    /// Slopes, one per column (0 for unusable columns).
    pub beta: Vec<f64>,
    /// The intercept (0 without one).
    pub intercept: f64,
    /// The linear predictor, in the loss's row order.
    pub eta: Vec<f64>,
    /// The loss at `eta`.
    pub loss: f64,
    /// The loss's state at `eta`.
    pub state: S,
}

impl<S> FitState<S> {
    fn get(&self, coord: Coord) -> f64 {
        match coord {
            Coord::Intercept => self.intercept,
            Coord::Feature(j) => self.beta[j],
        }
    }

    fn add(&mut self, coord: Coord, delta: f64) {
        match coord {
            Coord::Intercept => self.intercept += delta,
            Coord::Feature(j) => self.beta[j] += delta,
        }
    }
}

/// Stopping rules of the solver.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Control {
    /// See [`super::PenaltyOptions::tolerance`].
    pub tolerance: f64,
    /// Proximal-Newton iterations allowed per call.
    pub max_iterations: usize,
}

/// A Hessian is reused while the linear predictor has moved by at most
/// this much (in max |Δη|, summed over steps) since it was computed: every
/// Hessian weight (e^η, or p·(1 − p)) has then changed by about 2 % or
/// less, and each Newton step still contracts the error by about that
/// factor. One Hessian costs n·m²/2 operations, an evaluation n.
const HESSIAN_DRIFT: f64 = 0.02;
/// Drift below which a reused Hessian counts as exact: the last,
/// tolerance-sized step of the previous λ moves η by less.
const NEGLIGIBLE_DRIFT: f64 = 1e-4;
/// After a step from a drifted Hessian the error shrinks only linearly,
/// by about the drift, so the fit stops after such a step only when it
/// is this much smaller than [`Control::tolerance`] asks: coordinates
/// then move by at most 1 % of the exact-Newton threshold, leaving them
/// within about 2e-4·√(tolerance/H) of the optimum.
const STALE_TOLERANCE_FACTOR: f64 = 1e-4;

/// Sufficient-decrease constant of the Armijo line search.
const ARMIJO: f64 = 1e-4;
/// Step halvings before a line search gives up.
const MAX_HALVINGS: usize = 50;
/// Coordinate-descent sweeps allowed on one quadratic model.
const MAX_SWEEPS: usize = 100_000;
/// The inner coordinate descent runs to this fraction of the outer
/// tolerance (coordinate moves of about 1e-12 by default), so that the
/// Newton step it returns is exact to well below what the outer test
/// measures; a sweep of the quadratic model costs only m² operations.
const INNER_TOLERANCE_FRACTION: f64 = 1e-12;

/// The penalised quadratic model of one Newton step, over m coordinates:
/// Σ_k g_k·(b_k − s_k) + ½·(b − s)ᵀH(b − s) + Σ_k (l1_k·|b_k| + ½·l2_k·b_k²),
/// where s is the current point.
pub(crate) struct Quadratic<'a> {
    /// H, m×m row-major, symmetric positive semi-definite.
    pub hessian: &'a [f64],
    /// g.
    pub gradient: &'a [f64],
    /// s, the current coefficients.
    pub start: &'a [f64],
    /// L1 weights.
    pub l1: &'a [f64],
    /// Ridge weights.
    pub l2: &'a [f64],
}

/// Soft-thresholding: sign(z)·max(|z| − t, 0).
fn soft_threshold(z: f64, t: f64) -> f64 {
    if z > t {
        z - t
    } else if z < -t {
        z + t
    } else {
        0.0
    }
}

/// Minimises a [`Quadratic`] by cyclic coordinate descent into `b` (warm
/// started at `start`), cycling over the coordinates that are non-zero or
/// unpenalised until they settle, then sweeping all of them again, until a
/// full sweep changes no coordinate by more than `tolerance` in
/// (H_kk + l2_k)·δ_k². Returns the sweeps used.
pub(crate) fn minimise_quadratic(q: &Quadratic, tolerance: f64, b: &mut Vec<f64>) -> usize {
    let m = q.start.len();
    b.clear();
    b.extend_from_slice(q.start);
    // u = H·(b − s), kept up to date as coordinates move.
    let mut u = vec![0.0; m];
    let mut sweeps = 0;
    let sweep = |b: &mut Vec<f64>, u: &mut Vec<f64>, active_only: bool| -> f64 {
        let mut largest = 0.0_f64;
        for k in 0..m {
            if active_only && b[k] == 0.0 && q.l1[k] > 0.0 {
                continue;
            }
            let h = q.hessian[k * m + k];
            let curvature = h + q.l2[k];
            if curvature <= 0.0 {
                // No curvature: the loss does not depend on this coordinate
                // here (its gradient is then 0 too), so it stays put.
                continue;
            }
            let z = h * b[k] - q.gradient[k] - u[k];
            let new = soft_threshold(z, q.l1[k]) / curvature;
            let delta = new - b[k];
            if delta != 0.0 {
                b[k] = new;
                let row = &q.hessian[k * m..(k + 1) * m];
                for (ul, &hkl) in u.iter_mut().zip(row) {
                    *ul += hkl * delta;
                }
                largest = largest.max(curvature * delta * delta);
            }
        }
        largest
    };
    while sweeps < MAX_SWEEPS {
        sweeps += 1;
        if sweep(b, &mut u, false) <= tolerance {
            break;
        }
        let mut inner = 0;
        while sweeps < MAX_SWEEPS {
            sweeps += 1;
            inner += 1;
            if sweep(b, &mut u, true) <= tolerance {
                break;
            }
            // Coordinate descent crawls on an ill-conditioned H (correlated
            // predictors, a logistic fit near separation). Once it has
            // settled on a support, solving on it directly ends the crawl;
            // the sweeps that follow confirm the result by the same test.
            if inner % POLISH_EVERY == 0 && polish(q, b, &mut u) {
                inner = 0;
            }
        }
    }
    sweeps
}

/// Sweeps between attempts of [`polish`].
const POLISH_EVERY: usize = 25;

/// Solves the quadratic exactly on the current support with the current
/// signs held fixed — (H_AA + diag l2_A)·b_A = H_A·s − g_A − l1_A∘sign(b_A)
/// over the coordinates A that are non-zero or unpenalised, the others at
/// 0 — by Cholesky. Keeps the solution, and updates `u` = H·(b − s), only
/// when it is consistent: the signs hold and every coordinate outside A
/// has |g_k + (H·(b − s))_k| ≤ l1_k, so b is the quadratic's minimiser.
fn polish(q: &Quadratic, b: &mut [f64], u: &mut [f64]) -> bool {
    let m = b.len();
    let support: Vec<usize> = (0..m).filter(|&k| b[k] != 0.0 || q.l1[k] == 0.0).collect();
    if support.is_empty() {
        return false;
    }
    let a = support.len();
    let matrix = nalgebra::DMatrix::from_fn(a, a, |i, j| {
        let (ki, kj) = (support[i], support[j]);
        q.hessian[ki * m + kj] + if i == j { q.l2[ki] } else { 0.0 }
    });
    let rhs = nalgebra::DVector::from_fn(a, |i, _| {
        let k = support[i];
        let hs = dot(&q.hessian[k * m..(k + 1) * m], q.start);
        hs - q.gradient[k] - q.l1[k] * b[k].signum() * f64::from(u8::from(b[k] != 0.0))
    });
    let Some(cholesky) = matrix.cholesky() else {
        return false;
    };
    let solution = cholesky.solve(&rhs);
    let mut candidate = vec![0.0; m];
    for (i, &k) in support.iter().enumerate() {
        let value = solution[i];
        if !value.is_finite() || (q.l1[k] > 0.0 && value * b[k] <= 0.0) {
            return false;
        }
        candidate[k] = value;
    }
    let step: Vec<f64> = candidate.iter().zip(q.start).map(|(c, s)| c - s).collect();
    let new_u: Vec<f64> = (0..m)
        .map(|k| dot(&q.hessian[k * m..(k + 1) * m], &step))
        .collect();
    let consistent = (0..m)
        .filter(|&k| candidate[k] == 0.0 && q.l1[k] > 0.0)
        .all(|k| (q.gradient[k] + new_u[k]).abs() <= q.l1[k]);
    if consistent {
        b.copy_from_slice(&candidate);
        u.copy_from_slice(&new_u);
    }
    consistent
}

/// Work space reused across calls of [`solve`], and the last Hessian
/// computed, with its coordinates, kept while η has moved little since
/// ([`HESSIAN_DRIFT`]): along a path the next λ starts where the last
/// Newton step of the previous one ended, so its first iteration and
/// often its second need no new Hessian.
pub(crate) struct Scratch<S> {
    candidate_eta: Vec<f64>,
    direction: Vec<f64>,
    candidate_state: S,
    ones: Vec<f64>,
    last_hessian: Option<CachedHessian>,
    workspace: Vec<f64>,
}

/// A Hessian kept for reuse: its coordinates, values, and how far the
/// linear predictor has moved since (the largest |Δη| summed over steps).
struct CachedHessian {
    coords: Vec<Coord>,
    values: Vec<f64>,
    drift: f64,
}

impl<S> Scratch<S> {
    /// Work space for `rows` observations.
    pub(crate) fn new(rows: usize, candidate_state: S) -> Scratch<S> {
        Scratch {
            candidate_eta: vec![0.0; rows],
            direction: vec![0.0; rows],
            candidate_state,
            ones: vec![1.0; rows],
            last_hessian: None,
            workspace: Vec::new(),
        }
    }

    /// Drops the kept Hessian, when the fit has jumped elsewhere.
    pub(crate) fn forget_hessian(&mut self) {
        self.last_hessian = None;
    }
}

/// −(1/n)·Σ_i c_i·r_i: the gradient of the loss along a coordinate.
pub(crate) fn gradient(columns: &Columns, residual: &[f64], coord: Coord) -> f64 {
    let sum: f64 = match coord {
        Coord::Intercept => sum(residual),
        Coord::Feature(j) => dot(columns.column(j), residual),
    };
    -sum / residual.len() as f64
}

/// Minimises loss + penalty over the coordinates `working` (the others
/// stay where they are) from the point in `fit`, which must have been
/// evaluated. Returns the proximal-Newton iterations used.
pub(crate) fn solve<L: Loss>(
    loss: &L,
    columns: &Columns,
    penalty: &Penalty,
    working: &[Coord],
    control: Control,
    fit: &mut FitState<L::State>,
    scratch: &mut Scratch<L::State>,
) -> Result<usize, StatsError> {
    let m = working.len();
    if m == 0 {
        return Ok(0);
    }
    let mut hessian = vec![0.0; m * m];
    let mut grad = vec![0.0; m];
    let mut start = vec![0.0; m];
    let l1: Vec<f64> = working.iter().map(|&c| penalty.l1(c)).collect();
    let l2: Vec<f64> = working.iter().map(|&c| penalty.l2(c)).collect();
    let mut target = Vec::with_capacity(m);
    let mut last_change = f64::INFINITY;
    for iteration in 1..=control.max_iterations {
        let residual = loss.residual(&fit.state);
        for (k, &coord) in working.iter().enumerate() {
            grad[k] = gradient(columns, residual, coord);
            start[k] = fit.get(coord);
        }
        let mut stopping_tolerance = control.tolerance;
        match &mut scratch.last_hessian {
            Some(cached)
                if cached.drift <= HESSIAN_DRIFT && cached.coords.as_slice() == working =>
            {
                hessian.copy_from_slice(&cached.values);
                if cached.drift > NEGLIGIBLE_DRIFT {
                    stopping_tolerance *= STALE_TOLERANCE_FACTOR;
                }
            }
            cache => {
                loss.hessian(
                    columns,
                    &fit.state,
                    working,
                    &mut hessian,
                    &mut scratch.workspace,
                );
                *cache = Some(CachedHessian {
                    coords: working.to_vec(),
                    values: hessian.clone(),
                    drift: 0.0,
                });
            }
        }
        let quadratic = Quadratic {
            hessian: &hessian,
            gradient: &grad,
            start: &start,
            l1: &l1,
            l2: &l2,
        };
        minimise_quadratic(
            &quadratic,
            control.tolerance * INNER_TOLERANCE_FRACTION,
            &mut target,
        );
        // Size of the step, and the decrease the model predicts for it.
        let mut change = 0.0_f64;
        let mut predicted = 0.0;
        let mut penalty_before = 0.0;
        for k in 0..m {
            let delta = target[k] - start[k];
            change = change.max((hessian[k * m + k] + l2[k]) * delta * delta);
            predicted += grad[k] * delta + Penalty::of(l1[k], l2[k], target[k])
                - Penalty::of(l1[k], l2[k], start[k]);
            penalty_before += Penalty::of(l1[k], l2[k], start[k]);
        }
        last_change = change;
        if change == 0.0 {
            return Ok(iteration);
        }
        // The first moved coordinate writes the direction and the others
        // add to it: no separate pass to clear it (change > 0, so at
        // least one coordinate moved).
        let direction = &mut scratch.direction;
        let mut written = false;
        for (k, &coord) in working.iter().enumerate() {
            let delta = target[k] - start[k];
            if delta != 0.0 {
                let values = coord_values(columns, coord, &scratch.ones);
                if written {
                    for (d, &x) in direction.iter_mut().zip(values) {
                        *d += delta * x;
                    }
                } else {
                    for (d, &x) in direction.iter_mut().zip(values) {
                        *d = delta * x;
                    }
                    written = true;
                }
            }
        }
        let objective_before = fit.loss + penalty_before;
        // Rounding in a loss summed over n rows: below this, objective
        // differences carry no information.
        let slack = 1e-13 * objective_before.abs().max(1.0);
        let mut step = 1.0;
        let mut accepted = false;
        for _ in 0..MAX_HALVINGS {
            for ((candidate, &eta), &d) in scratch
                .candidate_eta
                .iter_mut()
                .zip(&fit.eta)
                .zip(scratch.direction.iter())
            {
                *candidate = eta + step * d;
            }
            let candidate_loss =
                loss.evaluate(&scratch.candidate_eta, &mut scratch.candidate_state);
            let candidate_penalty: f64 = (0..m)
                .map(|k| Penalty::of(l1[k], l2[k], start[k] + step * (target[k] - start[k])))
                .sum();
            let candidate_objective = candidate_loss + candidate_penalty;
            if candidate_objective.is_finite()
                && candidate_objective
                    <= objective_before + ARMIJO * step * predicted.min(0.0) + slack
            {
                accepted = true;
                if let Some(cached) = &mut scratch.last_hessian {
                    // A damped step means the model was poor: refresh it.
                    cached.drift = if step < 1.0 {
                        f64::INFINITY
                    } else {
                        cached.drift + largest_magnitude(&scratch.direction)
                    };
                }
                for (k, &coord) in working.iter().enumerate() {
                    fit.add(coord, step * (target[k] - start[k]));
                }
                std::mem::swap(&mut fit.eta, &mut scratch.candidate_eta);
                std::mem::swap(&mut fit.state, &mut scratch.candidate_state);
                fit.loss = candidate_loss;
                break;
            }
            step *= 0.5;
        }
        if !accepted {
            if change <= control.tolerance {
                // The remaining step is below the rounding of the
                // objective: nothing left to gain.
                return Ok(iteration);
            }
            return Err(StatsError::NotConverged {
                method: "proximal Newton line search".to_owned(),
                iterations: iteration,
                change,
            });
        }
        if change <= stopping_tolerance {
            return Ok(iteration);
        }
    }
    Err(StatsError::NotConverged {
        method: "proximal Newton".to_owned(),
        iterations: control.max_iterations,
        change: last_change,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn solve_quadratic(
        hessian: &[f64],
        gradient: &[f64],
        start: &[f64],
        l1: &[f64],
        l2: &[f64],
    ) -> Vec<f64> {
        let mut b = Vec::new();
        minimise_quadratic(
            &Quadratic {
                hessian,
                gradient,
                start,
                l1,
                l2,
            },
            1e-30,
            &mut b,
        );
        b
    }

    #[test]
    fn one_coordinate_is_the_soft_threshold_solution() {
        // ½·h·b² + g·b + l1·|b| + ½·l2·b² from s = 0 is minimised at
        // S(−g, l1)/(h + l2).
        let b = solve_quadratic(&[2.0], &[-3.0], &[0.0], &[1.0], &[0.0]);
        assert_eq!(b, vec![1.0]); // (3 − 1)/2
        let b = solve_quadratic(&[2.0], &[0.5], &[0.0], &[1.0], &[0.0]);
        assert_eq!(b, vec![0.0]); // |g| ≤ l1
        let b = solve_quadratic(&[2.0], &[3.0], &[0.0], &[1.0], &[2.0]);
        assert_eq!(b, vec![-0.5]); // −(3 − 1)/(2 + 2)
        // From s = 1 the model is g·(b − 1) + ½·h·(b − 1)²: the minimiser of
        // ½·h·b² + (g − h)·b + l1·|b|, here S(h − g, l1)/h = (4 − 1)/4.
        let b = solve_quadratic(&[4.0], &[0.0], &[1.0], &[1.0], &[0.0]);
        assert_eq!(b, vec![0.75]);
    }

    #[test]
    fn two_coordinates_match_the_hand_solved_kkt_point() {
        // H = [[2, 1], [1, 2]], g = (−4, −1) at s = 0, l1 = (0.5, 0.5).
        // KKT: H·b + g + l1·sign(b) = 0. Signs (+, +) give H·b = (3.5, 0.5),
        // b = (13/6, −5/6): inconsistent. b2 = 0 gives b1 = 1.75, but then
        // |g2 + H21·b1| = 0.75 > 0.5: inconsistent. Signs (+, −) give
        // H·b = (3.5, 1.5), b = (11/6, −1/6): consistent, the solution.
        let b = solve_quadratic(
            &[2.0, 1.0, 1.0, 2.0],
            &[-4.0, -1.0],
            &[0.0, 0.0],
            &[0.5, 0.5],
            &[0.0, 0.0],
        );
        assert!((b[0] - 11.0 / 6.0).abs() < 1e-12, "{b:?}");
        assert!((b[1] + 1.0 / 6.0).abs() < 1e-12, "{b:?}");
    }

    #[test]
    fn an_unpenalised_coordinate_takes_the_least_squares_value() {
        // l1 = 0 on the first coordinate: it is never thresholded.
        let b = solve_quadratic(
            &[1.0, 0.0, 0.0, 1.0],
            &[-0.1, -0.1],
            &[0.0, 0.0],
            &[0.0, 0.5],
            &[0.0, 0.0],
        );
        assert_eq!(b, vec![0.1, 0.0]);
    }

    #[test]
    fn penalty_adds_l1_and_ridge_parts() {
        let penalty = Penalty {
            lambda: 2.0,
            alpha: 0.25,
            factor: &[1.0, 0.0, 2.0],
        };
        // 2·(0.25·|−1| + 0.375·1) + 0 + 2·2·(0.25·0.5 + 0.375·0.25)
        let expected = 2.0 * (0.25 + 0.375) + 4.0 * (0.125 + 0.09375);
        assert!((penalty.value(&[-1.0, 5.0, 0.5]) - expected).abs() < 1e-15);
        assert_eq!(penalty.l1(Coord::Intercept), 0.0);
    }
}
