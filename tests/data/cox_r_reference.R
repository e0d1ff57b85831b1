# Reference values for tests/reference_cox.rs from R's survival package:
# cox.zph (survival >= 3.0 definition), coxph with a factor term and strata,
# and baseline hazards. Run from the crate root:
#   Rscript tests/data/cox_r_reference.R ../shared/reference/survival/data/gbsg2.csv > tests/data/cox_r_reference.json
# Generated with R 4.2.2 and survival 3.5-3 (Debian bookworm r-cran-survival).
suppressMessages(library(survival))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], stringsAsFactors = FALSE)
num <- function(x) paste0("[", paste(sprintf("%.17g", x), collapse = ", "), "]")
str <- function(x) paste0("[", paste0("\"", x, "\"", collapse = ", "), "]")
mat <- function(m) paste0("[", paste(apply(m, 1, num), collapse = ", "), "]")
numna <- function(x) paste0("[", paste(ifelse(is.na(x), "null", sprintf("%.17g", x)), collapse = ", "), "]")
matna <- function(m) paste0("[", paste(apply(m, 1, numna), collapse = ", "), "]")
fit_json <- function(fit) {
  s <- summary(fit)
  paste0("{\"terms\": ", str(names(coef(fit))),
         ", \"coef\": ", num(coef(fit)),
         ", \"se\": ", num(sqrt(diag(vcov(fit)))),
         ", \"vcov\": ", mat(vcov(fit)),
         ", \"loglik\": ", num(fit$loglik),
         ", \"lr\": ", num(2 * diff(fit$loglik)), ", \"wald\": ", num(fit$wald.test),
         ", \"score\": ", num(fit$score),
         ", \"concordance\": ", num(fit$concordance["concordance"]),
         ", \"n\": ", fit$n, ", \"events\": ", fit$nevent, "}")
}
zph_json <- function(z, residuals = FALSE) {
  paste0("{\"rows\": ", str(rownames(z$table)),
         ", \"chisq\": ", num(z$table[, "chisq"]),
         ", \"df\": ", num(z$table[, "df"]),
         ", \"p\": ", num(z$table[, "p"]),
         if (residuals) paste0(", \"time\": ", num(z$time), ", \"x\": ", num(z$x),
                               ", \"y\": ", matna(z$y)) else "",
         "}")
}
out <- character()
add <- function(key, value) out[[length(out) + 1]] <<- paste0("  \"", key, "\": ", value)

m2 <- coxph(Surv(time, event) ~ treat + age + postmeno + tsize + grade2 + grade3 + pnodes + progrec + estrec, data = d)
for (tr in c("km", "identity", "rank")) add(paste0("zph_m2_", tr), zph_json(cox.zph(m2, transform = tr, terms = FALSE), residuals = tr == "km"))
m2b <- coxph(Surv(time, event) ~ treat + age + postmeno + tsize + grade2 + grade3 + pnodes + progrec + estrec, data = d, ties = "breslow")
add("zph_m2_breslow_km", zph_json(cox.zph(m2b, terms = FALSE)))
# A factor term (tgrade, two columns) tested as one term, and an interaction.
mf <- coxph(Surv(time, event) ~ treat * high_risk + age + tgrade, data = d)
add("factor_fit", fit_json(mf))
add("zph_factor_km", zph_json(cox.zph(mf)))
# Strata: hormone therapy model stratified by menopausal status.
ms <- coxph(Surv(time, event) ~ treat + pnodes + tsize + strata(menostat), data = d)
add("strata_fit", fit_json(ms))
add("zph_strata_km", zph_json(cox.zph(ms, terms = FALSE), residuals = TRUE))
add("zph_strata_rank", zph_json(cox.zph(ms, transform = "rank", terms = FALSE)))
# Reference level chosen by the caller: tgrade with baseline III.
d$tgrade3 <- relevel(factor(d$tgrade), ref = "III")
mr <- coxph(Surv(time, event) ~ treat + tgrade3, data = d)
add("relevel_fit", fit_json(mr))
cat("{\n", paste(out, collapse = ",\n"), "\n}\n", sep = "")
