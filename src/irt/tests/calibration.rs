//! Calibration against published values and simulated truth.

use crate::irt::random::SplitMix64;
use crate::irt::table::parse_responses;
use crate::irt::{calibrate, gauss_hermite_normal, log_likelihood, FitOptions, Responses};

const LSAT6: &str = include_str!("../../../tests/fixtures/lsat6.csv");

/// R ltm's published 2PL fit of LSAT-6 (docs/STATISTICS.md): b, SE(b), a, SE(a).
const LTM: [(f64, f64, f64, f64); 5] = [
    (-3.3597, 0.8669, 0.8254, 0.2581),
    (-1.3696, 0.3073, 0.7229, 0.1867),
    (-0.2799, 0.0997, 0.8905, 0.2326),
    (-1.8659, 0.4341, 0.6886, 0.1852),
    (-3.1236, 0.8700, 0.6575, 0.2100),
];

fn lsat6() -> Responses {
    parse_responses(LSAT6, Some("freq")).unwrap()
}

#[test]
fn gauss_hermite_nodes_integrate_normal_moments_exactly() {
    for n in [21, 41, 61] {
        let nodes = gauss_hermite_normal(n);
        let moment = |k: i32| {
            nodes
                .theta
                .iter()
                .zip(&nodes.weight)
                .map(|(t, w)| w * t.powi(k))
                .sum::<f64>()
        };
        assert!((moment(0) - 1.0).abs() < 1e-12, "n = {n}");
        assert!(moment(1).abs() < 1e-12);
        assert!((moment(2) - 1.0).abs() < 1e-10);
        assert!((moment(4) - 3.0).abs() < 1e-9);
        assert!((moment(6) - 15.0).abs() < 1e-8);
        assert!(nodes.theta.windows(2).all(|w| w[0] < w[1]));
    }
}

#[test]
fn lsat6_is_read_as_1000_people_with_the_published_item_proportions() {
    let data = lsat6();
    assert_eq!(data.items(), 5);
    assert_eq!(data.people(), 1000.0);
    let fit = calibrate(&data, &FitOptions::default()).unwrap();
    let shares: Vec<f64> = fit
        .items
        .iter()
        .map(|i| (i.share_right * 1000.0).round() / 1000.0)
        .collect();
    assert_eq!(shares, vec![0.924, 0.709, 0.553, 0.763, 0.870]);
}

#[test]
fn lsat6_reproduces_ltm_estimates_standard_errors_and_log_likelihood() {
    for nodes in [21, 41] {
        let fit = calibrate(
            &lsat6(),
            &FitOptions {
                nodes,
                ..FitOptions::default()
            },
        )
        .unwrap();
        assert!(fit.converged, "{nodes} nodes: {:?}", fit.notes);
        assert!(
            (fit.log_likelihood - -2466.653).abs() < 0.01,
            "{nodes} nodes: {}",
            fit.log_likelihood
        );
        for (item, &(b, se_b, a, se_a)) in fit.items.iter().zip(&LTM) {
            let msg = format!("{nodes} nodes, {item:?}");
            assert!((item.a - a).abs() < 0.01, "{msg}");
            assert!((item.b - b).abs() < 0.01, "{msg}");
            assert!((item.se_a.unwrap() - se_a).abs() < 0.01, "{msg}");
            assert!((item.se_b.unwrap() - se_b).abs() < 0.01, "{msg}");
        }
    }
}

#[test]
fn log_likelihood_at_ltm_estimates_is_the_published_value() {
    let ltm: Vec<(f64, f64)> = LTM.iter().map(|&(b, _, a, _)| (a, b)).collect();
    let l = log_likelihood(&lsat6(), &ltm, 21);
    assert!((l - -2466.653).abs() < 0.01, "{l}");
}

/// The observed information from Louis' formula must be the curvature of
/// the log-likelihood itself: compare SE(a) of item 3 with a profile-free
/// numerical second difference along a (other parameters held fixed gives
/// a lower bound on the SE, the inverse diagonal of the Hessian).
#[test]
fn louis_information_diagonal_matches_numerical_second_derivative() {
    let data = lsat6();
    let fit = calibrate(&data, &FitOptions::default()).unwrap();
    let est: Vec<(f64, f64)> = fit.items.iter().map(|i| (i.a, i.b)).collect();
    // Second derivative of ℓ in a_3 with d_3 = −a_3·b_3 held fixed.
    let d3 = -est[2].0 * est[2].1;
    let at = |a: f64| {
        let mut p = est.clone();
        p[2] = (a, -d3 / a);
        log_likelihood(&data, &p, 41)
    };
    let h = 1e-3;
    let second = (at(est[2].0 + h) - 2.0 * at(est[2].0) + at(est[2].0 - h)) / (h * h);
    let conditional_se = (-1.0 / second).sqrt();
    // Holding the other parameters fixed can only shrink the SE.
    let se_a = fit.items[2].se_a.unwrap();
    assert!(conditional_se <= se_a + 1e-6, "{conditional_se} vs {se_a}");
    assert!(conditional_se > 0.5 * se_a, "{conditional_se} vs {se_a}");
}

/// Simulated 2PL responses: (a, b) per item, θ ~ N(0, 1); `shown` is the
/// chance each item is shown to each person.
pub(crate) fn simulate_responses(truth: &[(f64, f64)], people: usize, shown: f64, seed: u64) -> Responses {
    let mut rng = SplitMix64::new(seed);
    let names = (1..=truth.len()).map(|j| format!("q{j}")).collect();
    let rows: Vec<Vec<Option<bool>>> = (0..people)
        .map(|_| {
            let theta = rng.normal();
            truth
                .iter()
                .map(|&(a, b)| {
                    let p = 1.0 / (1.0 + (-a * (theta - b)).exp());
                    let right = rng.bernoulli(p);
                    (rng.unit() < shown).then_some(right)
                })
                .collect()
        })
        .collect();
    Responses::from_rows(names, &rows, None).unwrap()
}

fn twenty_items(seed: u64) -> Vec<(f64, f64)> {
    let mut rng = SplitMix64::new(seed);
    (0..20)
        .map(|_| (0.6 + 1.4 * rng.unit(), -2.0 + 4.0 * rng.unit()))
        .collect()
}

/// Recovery tolerances: each estimate within 4 of its own reported SEs of
/// the truth, and the mean of |error| / SE below 1.25 (for normal errors it
/// is about 0.8), which also checks that the SEs are not too large.
fn assert_recovers(truth: &[(f64, f64)], data: &Responses) {
    let fit = calibrate(
        data,
        &FitOptions {
            nodes: 31,
            ..FitOptions::default()
        },
    )
    .unwrap();
    assert!(fit.converged, "{:?}", fit.notes);
    let mut z_a = 0.0;
    let mut z_b = 0.0;
    for (item, &(a, b)) in fit.items.iter().zip(truth) {
        let (se_a, se_b) = (item.se_a.unwrap(), item.se_b.unwrap());
        assert!(se_a < 0.25 && se_b < 0.3, "{item:?}");
        assert!((item.a - a).abs() < 4.0 * se_a, "{item:?} truth a = {a}");
        assert!((item.b - b).abs() < 4.0 * se_b, "{item:?} truth b = {b}");
        z_a += (item.a - a).abs() / se_a;
        z_b += (item.b - b).abs() / se_b;
    }
    let n = crate::convert::count_f64(truth.len());
    assert!(z_a / n < 1.25, "mean |a error| / SE = {}", z_a / n);
    assert!(z_b / n < 1.25, "mean |b error| / SE = {}", z_b / n);
    assert!(fit.items.iter().all(|i| i.ok), "{:?}", fit.items);
}

#[test]
fn simulated_parameters_are_recovered() {
    let truth = twenty_items(11);
    assert_recovers(&truth, &simulate_responses(&truth, 5000, 1.0, 12));
}

#[test]
fn parameters_are_recovered_when_each_person_sees_a_random_half_of_the_items() {
    let truth = twenty_items(21);
    let data = simulate_responses(&truth, 5000, 0.5, 22);
    assert!(data.people() == 5000.0);
    assert_recovers(&truth, &data);
}

#[test]
fn frequency_weights_give_the_same_fit_as_repeated_rows() {
    let text = "i1,i2,i3\n1,1,0\n1,1,0\n1,0,0\n0,0,1\n1,1,1\n0,1,0\n1,,1\n0,0,0\n1,1,1\n1,1,1\n";
    let expanded = parse_responses(text, None).unwrap();
    let collapsed = parse_responses(
        "i1,i2,i3,n\n1,1,0,2\n1,0,0,1\n0,0,1,1\n1,1,1,3\n0,1,0,1\n1,,1,1\n0,0,0,1\n",
        Some("n"),
    )
    .unwrap();
    let f1 = calibrate(&expanded, &FitOptions::default()).unwrap();
    let f2 = calibrate(&collapsed, &FitOptions::default()).unwrap();
    assert!((f1.log_likelihood - f2.log_likelihood).abs() < 1e-8);
    for (x, y) in f1.items.iter().zip(&f2.items) {
        assert!((x.a - y.a).abs() < 1e-5 && (x.b - y.b).abs() < 1e-5, "{x:?} {y:?}");
    }
}

#[test]
fn an_item_everyone_got_right_is_refused_with_its_name() {
    let err = parse_responses("x,y\n1,0\n1,1\n1,0\n", None).unwrap_err();
    assert!(err.to_string().contains("item 'x'"), "{err}");
    assert!(err.to_string().contains("every answer to it is right"), "{err}");
}

#[test]
fn a_miskeyed_item_is_flagged_with_a_sentence() {
    let mut truth = twenty_items(31);
    truth[4].0 = -1.2; // answered right more often by weaker people
    let fit = calibrate(&simulate_responses(&truth, 3000, 1.0, 32), &FitOptions::default()).unwrap();
    let item = &fit.items[4];
    assert!(!item.ok);
    assert!(item.note.as_deref().unwrap().contains("check the key"), "{item:?}");
    assert!(
        fit.items.iter().enumerate().all(|(j, i)| j == 4 || i.ok),
        "{:?}",
        fit.items
    );
}

#[test]
fn lsat6_items_fit_the_model_and_none_is_flagged() {
    let fit = calibrate(&lsat6(), &FitOptions::default()).unwrap();
    for item in &fit.items {
        let f = item.fit.as_ref().unwrap();
        assert!(f.rmsd < 0.05, "{item:?}");
        assert!(item.ok, "{item:?}");
    }
}
