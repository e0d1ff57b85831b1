//! The simulated cohort: a latent risk per patient, clinical variables that
//! reflect it moderately, randomised adjuvant chemotherapy with a benefit
//! planted in high-risk patients only, and recurrence, death and follow-up
//! drawn from those. `sample_study/README.md` states the model in words.

use chrono::{Days, NaiveDate};

use super::rng::Rng;
use crate::study::model::{Cohort, Procedure, Sex};

/// Seed of the whole sample study.
pub const SEED: u64 = 20_221_124;
/// Patients in the sample study.
pub const PATIENTS: usize = 124;
/// Patients in the training cohort; the rest validate.
pub const TRAINING: usize = 87;

/// Weibull shape of the recurrence time (a hazard falling with time, as
/// after resection).
const RECURRENCE_SHAPE: f64 = 0.8;
/// Weibull scale of the recurrence hazard per year at latent risk 0.
const RECURRENCE_RATE: f64 = 0.7;
/// Log hazard ratio of recurrence per unit of latent risk: strong enough
/// that a 37-patient validation cohort shows a signature's discrimination
/// (with 1.0, this seed's validation cohort hid it: AUC of *z* itself 0.60).
const RISK_LOG_HR: f64 = 1.5;
/// Hazard ratio of adjuvant chemotherapy in high-risk patients (latent
/// risk above 0); in low-risk patients it is 1.
pub const CHEMO_HR_HIGH_RISK: f64 = 0.45;
/// Probability of being assigned adjuvant chemotherapy.
const CHEMO_PROBABILITY: f64 = 0.66;
/// Median survival after recurrence, in years.
const POST_RECURRENCE_MEDIAN_YEARS: f64 = 1.2;
/// Mortality from other causes, per year.
const OTHER_MORTALITY: f64 = 0.02;
/// Share of patients lost to follow-up before the data cut-off.
const LOST_TO_FOLLOW_UP: f64 = 0.1;

/// How strongly each clinical variable follows the latent risk: the
/// correlation of its underlying normal score with it.
const CA19_9_RHO: f64 = 0.35;
const CEA_RHO: f64 = 0.2;
const SIZE_RHO: f64 = 0.3;

const DAYS_PER_YEAR: f64 = 365.25;

/// A chemotherapy course as simulated.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Course {
    pub regimen: &'static str,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub cycles: u32,
    pub completed: Option<bool>,
}

/// The clinicopathological-radiographic variables of the data dictionary.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Clinical {
    pub ca19_9: f64,
    pub cea: Option<f64>,
    pub tumour_size_cm: f64,
    pub tumour_number: &'static str,
    pub satellite_lesions: bool,
    pub vascular_invasion: &'static str,
    pub lymph_node_metastasis: bool,
    pub perineural_invasion: bool,
    pub resection_margin: &'static str,
    pub differentiation: &'static str,
    pub ajcc_t: &'static str,
    pub ajcc_n: &'static str,
    pub hbv_infection: bool,
    pub cirrhosis: bool,
    pub rim_enhancement: bool,
    pub biliary_dilatation: Option<bool>,
}

/// One simulated patient: observed data and the hidden truth.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SimPatient {
    pub study_id: String,
    /// The hidden risk every outcome and image derives from, N(0, 1).
    pub latent_risk: f64,
    /// Whether chemotherapy was assigned at surgery (it is not given when
    /// recurrence or death comes first).
    pub chemo_assigned: bool,
    pub sex: Sex,
    pub age: u32,
    pub cohort: Cohort,
    pub surgery: NaiveDate,
    pub procedure: Procedure,
    pub lymphadenectomy: bool,
    pub clinical: Clinical,
    pub recurrence: Option<(NaiveDate, &'static str)>,
    pub death: Option<(NaiveDate, &'static str)>,
    pub last_contact: NaiveDate,
    pub courses: Vec<Course>,
}

impl SimPatient {
    /// Whether the planted chemotherapy benefit applies.
    pub fn truly_high_risk(&self) -> bool {
        self.latent_risk > 0.0
    }
}

/// A normal score correlated `rho` with the latent risk.
fn score(rng: &mut Rng, latent: f64, rho: f64) -> f64 {
    rho * latent + (1.0 - rho * rho).sqrt() * rng.normal()
}

fn after(date: NaiveDate, years: f64) -> NaiveDate {
    date + Days::new((years * DAYS_PER_YEAR).round().max(0.0) as u64)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

fn round_to(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (value * scale).round() / scale
}

/// Simulates the whole cohort. Each patient draws from a stream of its own,
/// so the cohort does not depend on the order of generation.
pub(crate) fn simulate() -> Vec<SimPatient> {
    let mut order: Vec<usize> = (0..PATIENTS).collect();
    Rng::new(SEED, u64::MAX).shuffle(&mut order);
    let mut cohorts = vec![Cohort::Validation; PATIENTS];
    for &index in &order[..TRAINING] {
        cohorts[index] = Cohort::Training;
    }
    cohorts
        .into_iter()
        .enumerate()
        .map(|(index, cohort)| simulate_patient(index, cohort))
        .collect()
}

fn simulate_patient(index: usize, cohort: Cohort) -> SimPatient {
    let mut rng = Rng::new(SEED, index as u64);
    let z = rng.normal();
    let sex = if rng.chance(0.55) {
        Sex::Male
    } else {
        Sex::Female
    };
    let age = (57.0 + 10.0 * rng.normal()).round().clamp(30.0, 82.0) as u32;
    let surgery_span = (date(2019, 12, 31) - date(2015, 1, 1)).num_days() as u64;
    let surgery = date(2015, 1, 1) + Days::new(rng.below(surgery_span + 1));
    let clinical = simulate_clinical(&mut rng, z);
    let procedure = if rng.chance(if clinical.tumour_size_cm > 5.0 {
        0.75
    } else {
        0.3
    }) {
        Procedure::Major
    } else {
        Procedure::Minor
    };
    let lymphadenectomy = clinical.ajcc_n != "NX";

    // Outcomes, in years from surgery.
    let chemo_assigned = rng.chance(CHEMO_PROBABILITY);
    let chemo_start_years = rng.between(21.0, 75.0) / DAYS_PER_YEAR;
    let high_risk = z > 0.0;
    let log_hazard = RISK_LOG_HR * z
        + if chemo_assigned && high_risk {
            CHEMO_HR_HIGH_RISK.ln()
        } else {
            0.0
        };
    let recurrence_years =
        (rng.exponential() / (RECURRENCE_RATE * log_hazard.exp())).powf(1.0 / RECURRENCE_SHAPE);
    let post_recurrence_rate =
        std::f64::consts::LN_2 / POST_RECURRENCE_MEDIAN_YEARS * (0.3 * z).exp();
    let death_after_recurrence = recurrence_years + rng.exponential() / post_recurrence_rate;
    let other_death = rng.exponential() / OTHER_MORTALITY;
    let cutoff_years = (date(2020, 12, 31) - surgery).num_days() as f64 / DAYS_PER_YEAR;
    let lost = rng.chance(LOST_TO_FOLLOW_UP);
    let lost_years = rng.between(0.3, cutoff_years.max(0.31));
    let censor_years = if lost { lost_years } else { cutoff_years };

    let death_years = death_after_recurrence.min(other_death);
    let recurrence_seen = recurrence_years <= censor_years && recurrence_years <= death_years;
    let death_seen = death_years <= censor_years;
    // At least two weeks after surgery: nothing is detected sooner.
    let recurrence_date =
        recurrence_seen.then(|| after(surgery, recurrence_years.max(14.0 / DAYS_PER_YEAR)));
    let death_date = death_seen.then(|| {
        let day = after(surgery, death_years.max(14.0 / DAYS_PER_YEAR));
        recurrence_date.map_or(day, |r| day.max(r))
    });
    let last_contact = death_date.unwrap_or_else(|| after(surgery, censor_years));
    let site = match rng.weighted(&[0.6, 0.15, 0.25]) {
        0 => "intrahepatic",
        1 => "extrahepatic",
        _ => "intra- and extrahepatic",
    };
    let cause = if recurrence_seen && death_after_recurrence <= other_death {
        "disease progression"
    } else {
        "other cause"
    };

    let mut courses = Vec::new();
    let start = after(surgery, chemo_start_years);
    let stop_before = [recurrence_date, death_date, Some(last_contact)]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(last_contact);
    if chemo_assigned && start < stop_before {
        courses.push(adjuvant_course(&mut rng, start, stop_before));
    }
    if let Some(recurrence) = recurrence_date {
        let palliative_start = recurrence + Days::new(14 + rng.below(32));
        let stop = death_date.unwrap_or(last_contact);
        let clear_of_adjuvant = courses.iter().all(|c| c.end < palliative_start);
        let after_window = (palliative_start - surgery).num_days() > 120;
        if rng.chance(0.4) && palliative_start < stop && clear_of_adjuvant && after_window {
            let planned_end = palliative_start + Days::new(4 * 21 - 1);
            let end = planned_end.min(stop);
            courses.push(Course {
                regimen: "gemcitabine-cisplatin",
                start: palliative_start,
                end,
                cycles: (((end - palliative_start).num_days() / 21) + 1).min(4) as u32,
                completed: (end == planned_end).then_some(true),
            });
        }
    }

    SimPatient {
        study_id: format!("ICC{:03}", index + 1),
        latent_risk: z,
        chemo_assigned,
        sex,
        age,
        cohort,
        surgery,
        procedure,
        lymphadenectomy,
        clinical,
        recurrence: recurrence_date.map(|d| (d, site)),
        death: death_date.map(|d| (d, cause)),
        last_contact,
        courses,
    }
}

/// An adjuvant course from `start`, cut short by whatever ends follow-up of
/// disease-free treatment first (`stop`): recurrence, death or censoring.
fn adjuvant_course(rng: &mut Rng, start: NaiveDate, stop: NaiveDate) -> Course {
    let (regimen, planned_cycles, cycle_days) = match rng.weighted(&[0.4, 0.3, 0.2, 0.1]) {
        0 => ("GEMOX", 6, 14),
        1 => ("gemcitabine-cisplatin", 6, 21),
        2 => ("capecitabine", 8, 21),
        _ => ("S-1", 6, 21),
    };
    let stops_early = rng.chance(0.2);
    let cycles = if stops_early {
        1 + rng.below(planned_cycles as u64 - 1) as u32
    } else {
        planned_cycles
    };
    let planned_end = start + Days::new(u64::from(cycles) * cycle_days - 1);
    if planned_end < stop {
        return Course {
            regimen,
            start,
            end: planned_end,
            cycles,
            completed: Some(!stops_early),
        };
    }
    let end = (stop - Days::new(1)).max(start);
    let given = ((end - start).num_days() as u64 / cycle_days + 1) as u32;
    Course {
        regimen,
        start,
        end,
        cycles: given.min(cycles),
        completed: Some(false),
    }
}

fn simulate_clinical(rng: &mut Rng, z: f64) -> Clinical {
    let ca19_9 = round_to(
        (3.6 + 1.5 * score(rng, z, CA19_9_RHO))
            .exp()
            .clamp(0.6, 20_000.0),
        1,
    );
    let cea_value = round_to(
        (1.0 + 0.9 * score(rng, z, CEA_RHO))
            .exp()
            .clamp(0.2, 2_000.0),
        1,
    );
    let cea = (!rng.chance(0.05)).then_some(cea_value);
    let tumour_size_cm = round_to(
        (1.75 + 0.4 * score(rng, z, SIZE_RHO))
            .exp()
            .clamp(1.0, 18.0),
        1,
    );
    let multiple = score(rng, z, 0.3) > 0.85;
    let satellite_lesions = score(rng, z, 0.3) > 0.65;
    let vascular = score(rng, z, 0.35);
    let vascular_invasion = if vascular > 1.3 {
        "macro"
    } else if vascular > 0.45 {
        "micro"
    } else {
        "none"
    };
    let lymph_node_metastasis = score(rng, z, 0.35) > 0.7;
    let perineural_invasion = score(rng, z, 0.25) > 1.0;
    let resection_margin = if score(rng, z, 0.2) > 1.3 { "R1" } else { "R0" };
    let grade = score(rng, z, 0.3);
    let differentiation = if grade > 0.25 {
        "poor"
    } else if grade > -1.0 {
        "moderate"
    } else {
        "well"
    };
    // AJCC 8th edition T category from size, number and vascular invasion;
    // T3 (visceral peritoneum) and T4 (extrahepatic structures) at random.
    let extrahepatic = rng.uniform();
    let ajcc_t = if extrahepatic < 0.04 {
        "T4"
    } else if extrahepatic < 0.12 {
        "T3"
    } else if multiple || vascular_invasion != "none" {
        "T2"
    } else if tumour_size_cm > 5.0 {
        "T1b"
    } else {
        "T1a"
    };
    let lymphadenectomy = rng.chance(0.7);
    let ajcc_n = match (lymphadenectomy, lymph_node_metastasis) {
        (false, _) => "NX",
        (true, true) => "N1",
        (true, false) => "N0",
    };
    let hbv_infection = rng.chance(0.3);
    let cirrhosis = rng.chance(if hbv_infection { 0.3 } else { 0.08 });
    let rim_enhancement = score(rng, z, 0.3) > 0.0;
    let biliary = score(rng, z, 0.15) > 0.5;
    let biliary_dilatation = (!rng.chance(0.03)).then_some(biliary);
    Clinical {
        ca19_9,
        cea,
        tumour_size_cm,
        tumour_number: if multiple { "multiple" } else { "single" },
        satellite_lesions,
        vascular_invasion,
        lymph_node_metastasis,
        perineural_invasion,
        resection_margin,
        differentiation,
        ajcc_t,
        ajcc_n,
        hbv_infection,
        cirrhosis,
        rim_enhancement,
        biliary_dilatation,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cohort_has_the_studys_shape() {
        let patients = simulate();
        assert_eq!(patients.len(), PATIENTS);
        let training = patients
            .iter()
            .filter(|p| p.cohort == Cohort::Training)
            .count();
        assert_eq!(training, TRAINING);
        for p in &patients {
            let follow_up = (p.last_contact - p.surgery).num_days();
            let died = p.death.is_some();
            assert!(died || follow_up >= 100, "{}: {follow_up}", p.study_id);
            assert!(follow_up <= 6 * 366, "{}: {follow_up}", p.study_id);
            if let (Some((r, _)), Some((d, _))) = (p.recurrence, p.death) {
                assert!(r <= d, "{}", p.study_id);
            }
            for c in &p.courses {
                assert!(c.start > p.surgery && c.end >= c.start, "{}", p.study_id);
                assert!(p.death.is_none_or(|(d, _)| c.start <= d), "{}", p.study_id);
            }
        }
    }

    #[test]
    fn generation_is_deterministic() {
        assert_eq!(simulate(), simulate());
    }
}
