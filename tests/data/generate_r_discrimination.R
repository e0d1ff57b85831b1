# Generates tests/data/r_discrimination.json: reference values from R for
# the ROC, binomial-interval, logistic and calibration routines, for what
# the shared GBSG2 reference (scikit-learn / statsmodels) does not cover:
# pROC's curve, Youden cutoffs and paired-test CI, binom.test / prop.test
# intervals, glm's full fit and predictions, rms::val.prob and the
# Hosmer-Lemeshow test.
#
# Run from the crate root with the shared reference beside it:
#   Rscript tests/data/generate_r_discrimination.R > tests/data/r_discrimination.json
# Written with R 4.2.2, pROC 1.18.0, rms 6.5-0 (Debian packages r-cran-proc,
# r-cran-rms, which bring jsonlite).
#
# ResourceSelection is not packaged for Debian, so the Hosmer-Lemeshow test
# is computed below from its published definition (version 0.3-6):
# breaks = unique(quantile(p, seq(0, 1, 1/g))) (type 7), groups
# cut(p, breaks, include.lowest = TRUE) (right-closed), chi-square summed
# over both outcome columns, df = number of groups formed - 2.

suppressMessages({
  library(pROC)
  library(rms)
  library(jsonlite)
})

reference <- Sys.getenv("RADCOHORT_REFERENCE", "../shared/reference")
data_dir <- file.path(reference, "survival", "data")
landmark <- read.csv(file.path(data_dir, "gbsg2_landmark730.csv"))
gbsg2 <- read.csv(file.path(data_dir, "gbsg2.csv"))
merged <- merge(landmark[, c("id", "event_by_730", "lp_m2")],
                gbsg2, by = "id", sort = FALSE)
merged <- merged[match(landmark$id, merged$id), ]
stopifnot(identical(merged$id, landmark$id))
y <- landmark$event_by_730

# --- ROC (pROC) -----------------------------------------------------------
rocs <- list()
curves <- list()
for (score in c("lp_m2", "pnodes", "tsize")) {
  r <- roc(y, landmark[[score]], levels = c(0, 1), direction = "<",
           quiet = TRUE)
  ci <- ci.auc(r, method = "delong")
  all <- coords(r, x = "all", ret = c("threshold", "sensitivity",
                                      "specificity"), transpose = FALSE)
  best <- coords(r, x = "best", best.method = "youden",
                 ret = c("threshold", "sensitivity", "specificity"),
                 transpose = FALSE)
  rocs[[score]] <- list(
    auc = as.numeric(auc(r)), var = var(r, method = "delong"),
    ci95 = as.numeric(ci)[c(1, 3)],
    ci90 = as.numeric(ci.auc(r, method = "delong", conf.level = 0.9))[c(1, 3)],
    curve = list(threshold = all$threshold,
                 sensitivity = all$sensitivity,
                 specificity = all$specificity),
    youden = list(threshold = best$threshold,
                  sensitivity = best$sensitivity,
                  specificity = best$specificity))
  curves[[score]] <- r
}

paired <- list()
for (pair in list(c("lp_m2", "pnodes"), c("lp_m2", "tsize"),
                  c("pnodes", "tsize"))) {
  t <- roc.test(curves[[pair[1]]], curves[[pair[2]]], method = "delong",
                paired = TRUE)
  t90 <- roc.test(curves[[pair[1]]], curves[[pair[2]]], method = "delong",
                  paired = TRUE, conf.level = 0.9)
  paired[[paste(pair, collapse = "_vs_")]] <- list(
    z = unname(t$statistic), p = t$p.value,
    ci95 = as.numeric(t$conf.int), ci90 = as.numeric(t90$conf.int))
}

# --- Classification at a cutoff: lp_m2 >= 0.8 ------------------------------
cutoff <- 0.8
predicted <- landmark$lp_m2 >= cutoff
tp <- sum(predicted & y == 1); fp <- sum(predicted & y == 0)
tn <- sum(!predicted & y == 0); fn <- sum(!predicted & y == 1)
interval <- function(x, n, level) list(
  x = x, n = n,
  wilson = as.numeric(suppressWarnings(prop.test(x, n, correct = FALSE,
                                conf.level = level))$conf.int),
  clopper_pearson = as.numeric(binom.test(x, n,
                                          conf.level = level)$conf.int))
classification <- list(
  cutoff = cutoff, tp = tp, fp = fp, tn = tn, fn = fn,
  sensitivity = interval(tp, tp + fn, 0.95),
  specificity = interval(tn, tn + fp, 0.95),
  ppv = interval(tp, tp + fp, 0.95),
  npv = interval(tn, tn + fn, 0.95),
  accuracy = interval(tp + tn, length(y), 0.95))
binomial_cases <- lapply(list(c(0, 10), c(10, 10), c(7, 10), c(1, 1000),
                        c(500, 1000), c(3, 4)),
                   function(xn) list(
                     level95 = interval(xn[1], xn[2], 0.95),
                     level90 = interval(xn[1], xn[2], 0.90)))

# --- Logistic regression (glm) ----------------------------------------------
fit_summary <- function(f) {
  s <- summary(f)$coefficients
  list(terms = rownames(s), coef = unname(s[, 1]), se = unname(s[, 2]),
       z = unname(s[, 3]), p = unname(s[, 4]),
       vcov = unname(vcov(f)), loglik = as.numeric(logLik(f)),
       deviance = f$deviance, null_deviance = f$null.deviance,
       aic = AIC(f), ci90_lower = unname(coef(f) - qnorm(0.95) * s[, 2]),
       ci90_upper = unname(coef(f) + qnorm(0.95) * s[, 2]))
}
control <- glm.control(epsilon = 1e-14, maxit = 100)
main <- glm(event_by_730 ~ treat + age + postmeno + tsize + grade2 + grade3 +
              pnodes + progrec + estrec, family = binomial, data = merged,
            control = control)
interaction <- glm(event_by_730 ~ treat * high_risk, family = binomial,
                   data = merged, control = control)
new_rows <- merged[c(1, 2, 3, 100, 623), ]
logistic <- list(
  main = c(fit_summary(main), list(
    predict_rows = c(1, 2, 3, 100, 623),
    predict_link = unname(predict(main, new_rows, type = "link")),
    predict_response = unname(predict(main, new_rows, type = "response")))),
  interaction = fit_summary(interaction))

# --- Calibration ------------------------------------------------------------
calibration_of <- function(p) {
  logit <- qlogis(p)
  vp <- val.prob(p, y, pl = FALSE)
  large <- glm(y ~ 1, offset = logit, family = binomial, control = control)
  slope <- glm(y ~ logit, family = binomial, control = control)
  list(val_prob_intercept = unname(vp["Intercept"]),
       val_prob_slope = unname(vp["Slope"]),
       in_the_large = unname(coef(large)[1]),
       in_the_large_se = unname(sqrt(vcov(large)[1, 1])),
       slope_intercept = unname(coef(slope)[1]),
       slope = unname(coef(slope)[2]),
       slope_se = unname(sqrt(vcov(slope)[2, 2])),
       slope_intercept_se = unname(sqrt(vcov(slope)[1, 1])))
}
hosmer_lemeshow <- function(p, g) {
  breaks <- unique(quantile(p, probs = seq(0, 1, 1 / g)))
  group <- cut(p, breaks = breaks, include.lowest = TRUE)
  observed1 <- tapply(y, group, sum)
  observed0 <- tapply(1 - y, group, sum)
  expected1 <- tapply(p, group, sum)
  expected0 <- tapply(1 - p, group, sum)
  counts <- tapply(y, group, length)
  statistic <- sum((observed1 - expected1)^2 / expected1 +
                     (observed0 - expected0)^2 / expected0)
  groups <- length(unique(group))
  list(g = g, statistic = statistic, df = groups - 2,
       p = pchisq(statistic, groups - 2, lower.tail = FALSE),
       breaks = unname(breaks), n = unname(counts),
       observed = unname(observed1), expected = unname(expected1))
}
# A Cox-derived risk mapped to a probability (miscalibrated on purpose),
# and a coarse one with many tied predictions (duplicate quantile breaks).
p_lp <- plogis(landmark$lp_m2 - 1.7)
p_nodes <- plogis(0.1 * landmark$pnodes - 1.5)
calibration <- list(
  lp_m2 = c(list(prediction = "plogis(lp_m2 - 1.7)"), calibration_of(p_lp),
            list(hosmer_lemeshow_g10 = hosmer_lemeshow(p_lp, 10),
                 hosmer_lemeshow_g5 = hosmer_lemeshow(p_lp, 5))),
  pnodes = c(list(prediction = "plogis(0.1 * pnodes - 1.5)"),
             calibration_of(p_nodes),
             list(hosmer_lemeshow_g10 = hosmer_lemeshow(p_nodes, 10))))

out <- list(
  description = paste(
    "R reference values for radcohort's ROC, binomial CI, logistic and",
    "calibration routines on the shared GBSG2 landmark-730 data; made by",
    "tests/data/generate_r_discrimination.R."),
  versions = list(R = R.version.string,
                  pROC = as.character(packageVersion("pROC")),
                  rms = as.character(packageVersion("rms"))),
  conventions = list(
    roc = paste("pROC roc(levels = c(0, 1), direction = '<'): positive when",
                "score >= threshold; thresholds are midpoints between",
                "distinct scores, -Inf and Inf at the ends; coords 'best'",
                "youden lists every tied optimum."),
    binomial = paste("wilson = prop.test(correct = FALSE)$conf.int;",
                     "clopper_pearson = binom.test()$conf.int."),
    logistic = "glm(binomial), glm.control(epsilon = 1e-14, maxit = 100).",
    calibration = paste(
      "val_prob_* = rms::val.prob(p, y) 'Intercept' and 'Slope' (both from",
      "the recalibration fit y ~ logit(p)); in_the_large = glm(y ~ 1,",
      "offset = logit(p)); slope = glm(y ~ logit(p))."),
    hosmer_lemeshow = paste(
      "ResourceSelection::hoslem.test 0.3-6 definition, recomputed:",
      "breaks unique(quantile(p, seq(0, 1, 1/g))), right-closed groups,",
      "df = groups formed - 2.")),
  roc = rocs, delong_paired = paired, classification = classification,
  binomial = binomial_cases, logistic = logistic, calibration = calibration)
# jsonlite prints at most 15 significant digits, so numbers are written
# here with 17 (round-trip exact), infinities as the strings "Inf" and
# "-Inf", and lists as objects or arrays.
to_json <- function(x, indent = "") {
  inner <- paste0(indent, "  ")
  if (is.list(x)) {
    if (!is.null(names(x))) {
      items <- vapply(names(x), function(k) paste0(
        inner, toJSON(k, auto_unbox = TRUE), ": ", to_json(x[[k]], inner)), "")
      return(paste0("{\n", paste(items, collapse = ",\n"), "\n", indent, "}"))
    }
    items <- vapply(x, function(v) paste0(inner, to_json(v, inner)), "")
    return(paste0("[\n", paste(items, collapse = ",\n"), "\n", indent, "]"))
  }
  if (is.matrix(x)) {
    return(to_json(lapply(seq_len(nrow(x)), function(i) x[i, ]), indent))
  }
  one <- function(v) {
    if (is.character(v)) return(toJSON(v, auto_unbox = TRUE))
    if (is.logical(v)) return(if (v) "true" else "false")
    if (is.infinite(v)) return(if (v > 0) '"Inf"' else '"-Inf"')
    sprintf("%.17g", v)
  }
  values <- vapply(x, one, "")
  if (length(x) == 1) values else paste0("[", paste(values, collapse = ", "), "]")
}
cat(to_json(out), "\n")
