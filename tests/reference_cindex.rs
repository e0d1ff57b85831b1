//! Harrell's C against gbsg2_survival.json (`cindex`): lifelines 0.30.3
//! `concordance_index(time, -risk, event)` and scikit-survival 0.28.0
//! `concordance_index_censored`, for three risk scores, one of them with
//! many tied values. Tolerance: the file's `cindex_abs` (1e-10); the pair
//! counts are integers and must be equal.

mod common;

use std::fs::File;

use radcohort::stats::{Frame, SurvivalData, concordance_index};
use serde_json::Value;

#[test]
fn gbsg2_cindex_matches_lifelines_and_sksurv() {
    let Some(reference) = common::reference_dir("gbsg2_cindex_matches_lifelines_and_sksurv") else {
        return;
    };
    let json: Value = serde_json::from_str(
        &std::fs::read_to_string(reference.join("survival/ref/gbsg2_survival.json")).unwrap(),
    )
    .unwrap();
    let tolerance = json["conventions"]["tolerance_suggested"]["cindex_abs"]
        .as_f64()
        .unwrap();
    let frame = Frame::from_csv(
        File::open(reference.join("survival/data/gbsg2.csv")).unwrap(),
        "gbsg2.csv",
    )
    .unwrap();
    let column = |name: &str| -> Vec<f64> {
        frame
            .numeric(name)
            .unwrap()
            .iter()
            .map(|v| v.unwrap())
            .collect()
    };
    let data = SurvivalData::new(
        column("time"),
        column("event").iter().map(|&e| e == 1.0).collect(),
    )
    .unwrap();
    let lp: Vec<f64> = json["lp_m2_full_efron_uncentred"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let cases = json["cindex"].as_object().unwrap();
    assert_eq!(cases.len(), 3);
    let mut largest: f64 = 0.0;
    for (name, want) in cases {
        let score = match name.as_str() {
            "risk=linear_predictor_m2_full_efron" => lp.clone(),
            "risk=pnodes (many tied scores)" => column("pnodes"),
            "risk=tsize" => column("tsize"),
            other => panic!("unexpected case {other}"),
        };
        let ours = concordance_index(&data, &score).unwrap();
        let count = |key: &str| want[key].as_f64().unwrap() as u64;
        assert_eq!(ours.concordant, count("concordant"), "{name}: concordant");
        assert_eq!(ours.discordant, count("discordant"), "{name}: discordant");
        assert_eq!(ours.tied_risk, count("tied_risk"), "{name}: tied_risk");
        assert_eq!(
            ours.comparable_pairs,
            count("comparable_pairs"),
            "{name}: comparable"
        );
        assert_eq!(
            ours.tied_time,
            count("pairs_with_tied_event_times_excluded"),
            "{name}: tied event times"
        );
        for key in [
            "c_index",
            "lifelines_concordance_index(time, -risk, event)",
            "sksurv_concordance_index_censored",
        ] {
            let expected = want[key].as_f64().unwrap();
            let error = (ours.cindex - expected).abs();
            largest = largest.max(error);
            assert!(
                error <= tolerance,
                "{name} {key}: {} vs {expected}",
                ours.cindex
            );
        }
        let sksurv = &want["sksurv_counts"];
        assert_eq!(ours.concordant, sksurv["concordant"].as_u64().unwrap());
        assert_eq!(ours.discordant, sksurv["discordant"].as_u64().unwrap());
        assert_eq!(ours.tied_risk, sksurv["tied_risk"].as_u64().unwrap());
    }
    eprintln!("gbsg2 C-index: 3 scores, largest deviation {largest:.1e}");
}
