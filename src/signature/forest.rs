//! A random-forest classifier (Breiman 2001), compact and seeded: the
//! method of the ICC paper's signature.
//!
//! Conventions, as scikit-learn's `RandomForestClassifier` with
//! `max_features="sqrt"`: each tree grows on a bootstrap sample of the
//! training rows (n draws with replacement) to pure leaves (or
//! `min_leaf_size` rows), choosing at each node the best Gini-impurity
//! split over `max_features` inputs drawn without replacement, thresholds
//! at midpoints between consecutive distinct values. A tree predicts the
//! fraction of positives in the leaf; the forest averages its trees
//! (soft voting). The out-of-bag (OOB) error classifies each row by the
//! trees that did not draw it, at probability 0.5; impurity importance is
//! the mean decrease in Gini impurity weighted by node size, summed per
//! input, averaged over trees and normalised to sum to 1.
//!
//! Tree `t` draws from its own random stream (seed, t), so the forest is
//! the same for the same seed whatever the number of threads.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::sample_study::rng::Rng;

/// Options of a forest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForestOptions {
    /// Number of trees (default 500, as R's randomForest).
    pub trees: usize,
    /// Inputs tried at each split; `None`: ⌊√p⌋, at least 1.
    pub max_features: Option<usize>,
    /// Smallest number of rows in a leaf (default 1).
    pub min_leaf_size: usize,
    /// The seed.
    pub seed: u64,
}

impl Default for ForestOptions {
    fn default() -> Self {
        ForestOptions {
            trees: 500,
            max_features: None,
            min_leaf_size: 1,
            seed: 20221124,
        }
    }
}

/// One tree, stored as parallel arrays over its nodes (node 0 is the
/// root). A node with `feature[k] < 0` is a leaf predicting `value[k]`;
/// otherwise rows with input `feature[k]` ≤ `threshold[k]` go to
/// `left[k]`, the others to `right[k]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tree {
    /// The input each node splits on, −1 for a leaf.
    pub feature: Vec<i64>,
    /// The split thresholds (unused in leaves).
    pub threshold: Vec<f64>,
    /// The left child of each split.
    pub left: Vec<u32>,
    /// The right child of each split.
    pub right: Vec<u32>,
    /// Each node's fraction of positive training rows.
    pub value: Vec<f64>,
}

/// A fitted forest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Forest {
    /// The trees.
    pub trees: Vec<Tree>,
    /// The out-of-bag error rate on the training rows (rows that every
    /// tree drew are left out of it).
    pub oob_error: Option<f64>,
    /// Impurity importance of each input, summing to 1.
    pub importances: Vec<f64>,
}

impl Tree {
    fn predict(&self, x: &[f64]) -> f64 {
        let mut node = 0usize;
        loop {
            let feature = self.feature[node];
            if feature < 0 {
                return self.value[node];
            }
            node = if x[feature as usize] <= self.threshold[node] {
                self.left[node] as usize
            } else {
                self.right[node] as usize
            };
        }
    }

    fn check(&self, inputs: usize) -> Result<(), String> {
        let n = self.feature.len();
        if n == 0
            || [
                self.threshold.len(),
                self.left.len(),
                self.right.len(),
                self.value.len(),
            ]
            .iter()
            .any(|&len| len != n)
        {
            return Err("a tree's node arrays must be non-empty and of one length".into());
        }
        for k in 0..n {
            if self.feature[k] >= 0 {
                let (left, right) = (self.left[k] as usize, self.right[k] as usize);
                // Children come after their parent, so walking a tree ends.
                if self.feature[k] as usize >= inputs
                    || left <= k
                    || right <= k
                    || left >= n
                    || right >= n
                {
                    return Err(format!(
                        "tree node {k} points outside the tree or its inputs"
                    ));
                }
            }
            if !(0.0..=1.0).contains(&self.value[k]) {
                return Err(format!("tree node {k} predicts {}", self.value[k]));
            }
        }
        Ok(())
    }
}

impl Forest {
    /// The forest's probability for one row of inputs.
    pub fn predict(&self, x: &[f64]) -> f64 {
        let total: f64 = self.trees.iter().map(|tree| tree.predict(x)).sum();
        total / self.trees.len().max(1) as f64
    }

    /// Checks that every tree is well formed over `inputs` inputs.
    pub fn check(&self, inputs: usize) -> Result<(), String> {
        if self.trees.is_empty() {
            return Err("a forest needs at least one tree".into());
        }
        for (t, tree) in self.trees.iter().enumerate() {
            tree.check(inputs)
                .map_err(|reason| format!("tree {t}: {reason}"))?;
        }
        Ok(())
    }

    /// Grows a forest on `rows` (one slice of inputs per row, all finite)
    /// with 0/1 outcomes `y`. The caller checks the data.
    pub fn fit(rows: &[Vec<f64>], y: &[bool], options: &ForestOptions) -> Forest {
        Forest::fit_with_oob(rows, y, options).0
    }

    /// [`Forest::fit`], with each row's out-of-bag probability: the mean
    /// prediction of the trees that did not draw it (`None` for a row
    /// every tree drew). In-sample predictions of a forest are close to
    /// perfect, so anything chosen on training rows — a risk cutoff — must
    /// use these instead, as R's `randomForest` predicts its training data.
    pub fn fit_with_oob(
        rows: &[Vec<f64>],
        y: &[bool],
        options: &ForestOptions,
    ) -> (Forest, Vec<Option<f64>>) {
        let n = rows.len();
        let p = rows.first().map_or(0, Vec::len);
        let max_features = options
            .max_features
            .unwrap_or_else(|| (p as f64).sqrt().floor() as usize)
            .clamp(1, p.max(1));
        let grown: Vec<(Tree, Vec<bool>, Vec<f64>)> = (0..options.trees)
            .into_par_iter()
            .map(|t| {
                let mut rng = Rng::new(options.seed, t as u64);
                let mut counts = vec![0u32; n];
                for _ in 0..n {
                    counts[rng.below(n as u64) as usize] += 1;
                }
                let mut grower = Grower {
                    rows,
                    y,
                    counts: &counts,
                    max_features,
                    min_leaf: options.min_leaf_size.max(1),
                    rng,
                    tree: Tree {
                        feature: Vec::new(),
                        threshold: Vec::new(),
                        left: Vec::new(),
                        right: Vec::new(),
                        value: Vec::new(),
                    },
                    importance: vec![0.0; p],
                };
                let sample: Vec<usize> = (0..n).filter(|&i| counts[i] > 0).collect();
                grower.grow(sample);
                let in_bag = counts.iter().map(|&c| c > 0).collect();
                (grower.tree, in_bag, grower.importance)
            })
            .collect();

        let mut oob_sum = vec![0.0; n];
        let mut oob_trees = vec![0usize; n];
        let mut importances = vec![0.0; p];
        for (tree, in_bag, importance) in &grown {
            for i in 0..n {
                if !in_bag[i] {
                    oob_sum[i] += tree.predict(&rows[i]);
                    oob_trees[i] += 1;
                }
            }
            let total: f64 = importance.iter().sum();
            if total > 0.0 {
                for (sum, value) in importances.iter_mut().zip(importance) {
                    *sum += value / total;
                }
            }
        }
        let total: f64 = importances.iter().sum();
        if total > 0.0 {
            importances.iter_mut().for_each(|v| *v /= total);
        }
        let scored: Vec<usize> = (0..n).filter(|&i| oob_trees[i] > 0).collect();
        let oob_error = (!scored.is_empty()).then(|| {
            let wrong = scored
                .iter()
                .filter(|&&i| (oob_sum[i] / oob_trees[i] as f64 > 0.5) != y[i])
                .count();
            wrong as f64 / scored.len() as f64
        });
        let oob = (0..n)
            .map(|i| (oob_trees[i] > 0).then(|| oob_sum[i] / oob_trees[i] as f64))
            .collect();
        let forest = Forest {
            trees: grown.into_iter().map(|(tree, _, _)| tree).collect(),
            oob_error,
            importances,
        };
        (forest, oob)
    }
}

/// Grows one tree depth-first.
struct Grower<'a> {
    rows: &'a [Vec<f64>],
    y: &'a [bool],
    /// How many times the bootstrap drew each row (its weight).
    counts: &'a [u32],
    max_features: usize,
    min_leaf: usize,
    rng: Rng,
    tree: Tree,
    importance: Vec<f64>,
}

/// The best split found at a node.
struct Split {
    feature: usize,
    threshold: f64,
    decrease: f64,
}

impl Grower<'_> {
    fn weight(&self, rows: &[usize]) -> (f64, f64) {
        rows.iter().fold((0.0, 0.0), |(w, pos), &i| {
            let c = self.counts[i] as f64;
            (w + c, pos + if self.y[i] { c } else { 0.0 })
        })
    }

    /// Adds the node for `sample` (distinct rows drawn, weighted by their
    /// counts) and its subtree; returns its index.
    fn grow(&mut self, sample: Vec<usize>) -> u32 {
        let index = self.tree.feature.len();
        let (weight, positives) = self.weight(&sample);
        self.tree.feature.push(-1);
        self.tree.threshold.push(0.0);
        self.tree.left.push(0);
        self.tree.right.push(0);
        self.tree.value.push(if weight > 0.0 {
            positives / weight
        } else {
            0.0
        });
        if positives == 0.0 || positives == weight || weight < 2.0 * self.min_leaf as f64 {
            return index as u32;
        }
        let Some(split) = self.best_split(&sample, weight, positives) else {
            return index as u32;
        };
        let (left, right): (Vec<usize>, Vec<usize>) = sample
            .into_iter()
            .partition(|&i| self.rows[i][split.feature] <= split.threshold);
        self.importance[split.feature] += split.decrease;
        self.tree.feature[index] = split.feature as i64;
        self.tree.threshold[index] = split.threshold;
        let left = self.grow(left);
        let right = self.grow(right);
        self.tree.left[index] = left;
        self.tree.right[index] = right;
        index as u32
    }

    /// The split with the largest weighted Gini decrease over
    /// `max_features` inputs drawn without replacement; ties keep the
    /// first found. `None` when no input separates the rows.
    fn best_split(&mut self, sample: &[usize], weight: f64, positives: f64) -> Option<Split> {
        let p = self.rows[0].len();
        let mut candidates: Vec<usize> = (0..p).collect();
        self.rng.shuffle(&mut candidates);
        let gini = |w: f64, pos: f64| {
            let q = pos / w;
            2.0 * q * (1.0 - q)
        };
        let parent = weight * gini(weight, positives);
        let mut best: Option<Split> = None;
        let mut order: Vec<usize> = sample.to_vec();
        for &feature in candidates.iter().take(self.max_features) {
            order.sort_by(|&a, &b| self.rows[a][feature].total_cmp(&self.rows[b][feature]));
            let (mut w_left, mut pos_left) = (0.0, 0.0);
            for k in 0..order.len() - 1 {
                let i = order[k];
                let c = self.counts[i] as f64;
                w_left += c;
                if self.y[i] {
                    pos_left += c;
                }
                let (here, next) = (self.rows[i][feature], self.rows[order[k + 1]][feature]);
                if here == next {
                    continue;
                }
                let w_right = weight - w_left;
                if w_left < self.min_leaf as f64 || w_right < self.min_leaf as f64 {
                    continue;
                }
                let children =
                    w_left * gini(w_left, pos_left) + w_right * gini(w_right, positives - pos_left);
                let decrease = parent - children;
                if decrease > 1e-12 && best.as_ref().is_none_or(|b| decrease > b.decrease) {
                    let mut threshold = here + (next - here) / 2.0;
                    // A midpoint that rounds up to `next` would send it left.
                    if threshold >= next {
                        threshold = here;
                    }
                    best = Some(Split {
                        feature,
                        threshold,
                        decrease,
                    });
                }
            }
        }
        // Normalise by the bootstrap size so trees weigh alike.
        best.map(|mut split| {
            split.decrease /= self.counts.iter().map(|&c| c as f64).sum::<f64>();
            split
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_separable_outcome_is_learned_and_the_informative_input_is_most_important() {
        // y depends on input 0 only; input 1 is noise.
        let mut rng = Rng::new(7, 0);
        let rows: Vec<Vec<f64>> = (0..200).map(|_| vec![rng.normal(), rng.normal()]).collect();
        let y: Vec<bool> = rows.iter().map(|r| r[0] > 0.0).collect();
        let options = ForestOptions {
            trees: 100,
            ..ForestOptions::default()
        };
        let forest = Forest::fit(&rows, &y, &options);
        forest.check(2).unwrap();
        assert!(forest.importances[0] > 0.8, "{:?}", forest.importances);
        assert!((forest.importances.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(forest.oob_error.unwrap() < 0.1, "{:?}", forest.oob_error);
        assert!(forest.predict(&[2.0, 0.0]) > 0.9);
        assert!(forest.predict(&[-2.0, 0.0]) < 0.1);
    }

    #[test]
    fn the_same_seed_grows_the_same_forest_on_any_number_of_threads() {
        let mut rng = Rng::new(3, 0);
        let rows: Vec<Vec<f64>> = (0..60)
            .map(|_| vec![rng.normal(), rng.normal(), rng.normal()])
            .collect();
        let y: Vec<bool> = rows.iter().map(|r| r[0] + r[1] > 0.3).collect();
        let options = ForestOptions {
            trees: 20,
            ..ForestOptions::default()
        };
        let a = Forest::fit(&rows, &y, &options);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let b = pool.install(|| Forest::fit(&rows, &y, &options));
        assert_eq!(a, b);
        let other = Forest::fit(&rows, &y, &ForestOptions { seed: 4, ..options });
        assert_ne!(a, other);
    }

    #[test]
    fn a_constant_input_makes_a_single_leaf() {
        let rows = vec![vec![1.0]; 10];
        let y: Vec<bool> = (0..10).map(|i| i % 2 == 0).collect();
        let forest = Forest::fit(
            &rows,
            &y,
            &ForestOptions {
                trees: 3,
                ..ForestOptions::default()
            },
        );
        assert!(forest.trees.iter().all(|t| t.feature == vec![-1]));
        assert!(forest.importances.iter().all(|&v| v == 0.0));
    }
}
