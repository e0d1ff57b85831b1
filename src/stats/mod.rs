//! The statistics engine: survival, regression, discrimination and
//! Table-1 tests, matching R (survival, pROC, glmnet) and lifelines to many
//! digits, with each routine's convention stated where it is defined.
//!
//! Nothing here knows about the study database or the UI: every routine
//! takes plain vectors ([`SurvivalData`], a [`Design`] matrix, scores and
//! labels) and returns plain results, so the CLI's `radcohort stats`, the
//! study analyses and the TUI all call the same code.
//!
//! Distributions come from `statrs`; linear solves from `nalgebra`
//! (Cholesky, with an LU fallback only where a matrix need not be positive
//! definite). No matrix is inverted by hand.
//!
//! Modules:
//! - [`binary`]: checks of 0/1 outcomes and finite inputs shared below;
//! - [`calibration`](mod@calibration): Hosmer–Lemeshow test, calibration-in-the-large and
//!   calibration slope of predicted probabilities;
//! - [`concordance`]: Harrell's C of a risk score, R's tie rules, O(n log n);
//! - [`cox`]: Cox proportional-hazards regression as R `coxph` (Efron or
//!   Breslow ties, strata), its tests, contrasts and `cox.zph`;
//! - [`descriptive`]: mean, SD (n − 1) and R type-7 quantiles;
//! - [`design`]: the model matrix regression routines take;
//! - [`error`]: the error type;
//! - [`formula`]: R formulas (`a + b*c`) evaluated against a [`Frame`] into
//!   a [`Design`], as R's `model.matrix`;
//! - [`frame`]: a table of numeric and text columns read from CSV;
//! - [`grouping`]: group membership (arms, strata, levels) with R's level
//!   order;
//! - [`hypothesis`]: t, ANOVA, Kruskal–Wallis, Mann–Whitney, chi-square and
//!   Fisher tests;
//! - [`km`]: Kaplan–Meier curves, Greenwood intervals, survival at times,
//!   medians and reverse-KM follow-up;
//! - [`logistic`]: logistic regression by maximum likelihood (Newton with
//!   step halving), Wald and likelihood-ratio tests, separation detection;
//! - [`logrank`]: log-rank and weighted (Fleming–Harrington) tests, k
//!   groups, strata;
//! - [`penalized`]: LASSO and elastic-net paths for logistic and Cox models
//!   with cross-validated λ, as glmnet;
//! - [`proportion`](mod@proportion): binomial proportions with Wilson or Clopper–Pearson
//!   intervals;
//! - [`pvalue`]: chi-square, normal, t and F tail probabilities, accurate
//!   when small;
//! - [`roc`]: AUC with DeLong's SE and CI, the paired DeLong test, the ROC
//!   curve, Youden's cutoff and the confusion table at a cutoff, as pROC;
//! - [`survival`]: checked right-censored survival data;
//! - [`table1`]: Table 1 by group with tableone's summaries and choice of
//!   tests;
//! - [`wald`]: normal critical values and two-sided p-values.

pub mod binary;
pub mod calibration;
pub mod concordance;
pub mod cox;
pub mod descriptive;
pub mod design;
pub mod error;
pub mod formula;
pub mod frame;
pub mod grouping;
pub mod hypothesis;
pub mod km;
pub mod logistic;
pub mod logrank;
pub mod penalized;
pub mod proportion;
pub mod pvalue;
pub mod roc;
pub mod survival;
pub mod table1;
pub mod wald;

pub use concordance::{
    Concordance, concordance_index, concordance_index_stratified, concordance_index_with_entry,
};
pub use cox::{CoxModel, CoxOptions, CoxTerm, Ties};
pub use design::Design;
pub use error::StatsError;
pub use formula::{Formula, ModelMatrix, TermColumns};
pub use frame::{Column, Frame};
pub use grouping::Grouping;
pub use km::{
    ConfidenceTransform, GroupKaplanMeier, KaplanMeier, KmOptions, KmRow, QuantileRule,
    QuantileSurvival, SurvivalAt,
};
pub use logrank::{LogRankGroup, LogRankTest, LogRankWeights, logrank_test};
pub use penalized::{
    CrossValidatedPath, CvOptions, Folds, PenalizedPath, PenaltyOptions, cv_cox, cv_logistic,
    fit_cox_path, fit_logistic_path,
};
pub use survival::SurvivalData;
pub use table1::{Table1, Table1Row, Table1Test, Table1Variable, VariableKind};

pub use calibration::{
    Calibration, CalibrationEstimate, HosmerLemeshow, HosmerLemeshowGroup, calibration,
    hosmer_lemeshow,
};
pub use logistic::{LogisticFit, LogisticOptions, LogisticTerm, LrTest, Predictions, fit_logistic};
pub use proportion::{IntervalMethod, Proportion, proportion};
pub use roc::{
    Auc, ChanceTest, Classification, DelongTest, RocAnalysis, RocPoint, YoudenCutoff, auc_delong,
    classify, delong_paired_test, roc_analysis, roc_curve, youden_cutoff,
};
