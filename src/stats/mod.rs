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
//! - [`calibration`]: Hosmer–Lemeshow test, calibration-in-the-large and
//!   calibration slope of predicted probabilities;
//! - [`logistic`]: logistic regression by maximum likelihood (Newton with
//!   step halving), Wald and likelihood-ratio tests, separation detection;
//! - [`proportion`]: binomial proportions with Wilson or Clopper–Pearson
//!   intervals;
//! - [`roc`]: AUC with DeLong's SE and CI, the paired DeLong test, the ROC
//!   curve, Youden's cutoff and the confusion table at a cutoff, as pROC;
//! - [`wald`]: normal critical values and two-sided p-values;
//! - [`grouping`]: group membership (arms, strata, levels) with R's level
//!   order;
//! - [`km`]: Kaplan–Meier curves, Greenwood intervals, survival at times,
//!   medians and reverse-KM follow-up;
//! - [`logrank`]: log-rank and weighted (Fleming–Harrington) tests, k
//!   groups, strata;
//! - [`pvalue`]: chi-square, normal, t and F tail probabilities, accurate
//!   when small;
//! - [`descriptive`]: mean, SD (n − 1) and R type-7 quantiles;
//! - [`hypothesis`]: t, ANOVA, Kruskal–Wallis, Mann–Whitney, chi-square and
//!   Fisher tests;
//! - [`table1`]: Table 1 by group with tableone's summaries and choice of
//!   tests.

pub mod descriptive;
pub mod design;
pub mod error;
pub mod frame;
pub mod grouping;
pub mod hypothesis;
pub mod km;
pub mod logrank;
pub mod pvalue;
pub mod survival;
pub mod table1;

pub mod binary;
pub mod calibration;
pub mod logistic;
pub mod proportion;
pub mod roc;
pub mod wald;

pub use design::Design;
pub use error::StatsError;
pub use frame::{Column, Frame};
pub use grouping::Grouping;
pub use km::{
    ConfidenceTransform, GroupKaplanMeier, KaplanMeier, KmOptions, KmRow, QuantileRule,
    QuantileSurvival, SurvivalAt,
};
pub use logrank::{LogRankGroup, LogRankTest, LogRankWeights, logrank_test};
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
