//! The adaptive engine's promises: stop rule, content balance, exposure
//! control, and the precision-per-item figures on a 300-item pool.

use crate::convert::{count_f64, u53_f64};
use crate::irt::cat::{next_item, run_test, stop_reason, CatState, Exposure, PoolItem, Rules, StopReason};
use crate::irt::random::SplitMix64;
use crate::irt::simulate::{generate_pool, simulate, SimOptions};

fn rules(pool: &[PoolItem], min_len: usize, max_len: usize, se_target: f64) -> Rules {
    Rules::proportional(pool, min_len, max_len, se_target)
}

/// Runs one test for a person of ability `theta`.
fn one_test(
    pool: &[PoolItem],
    rules: &Rules,
    exposure: &mut Exposure,
    theta: f64,
    seed: u64,
) -> (CatState, StopReason) {
    let mut answers = SplitMix64::new(seed);
    let mut choices = SplitMix64::new(seed + 1);
    run_test(
        pool,
        rules,
        exposure,
        |item| answers.bernoulli(item.probability(theta)),
        || choices.unit(),
    )
}

#[test]
fn test_never_stops_before_the_minimum_length_even_when_precise_enough() {
    let pool = generate_pool(300, 1);
    let rules = rules(&pool, 12, 40, 5.0); // the prior alone has SE 1 < 5
    let (state, reason) = one_test(&pool, &rules, &mut Exposure::new(pool.len()), 0.3, 2);
    assert_eq!(state.len(), 12);
    assert_eq!(reason, StopReason::Precision);
}

#[test]
fn test_stops_at_the_maximum_length_when_the_target_is_out_of_reach() {
    let pool = generate_pool(300, 1);
    let rules = rules(&pool, 5, 25, 0.01);
    let (state, reason) = one_test(&pool, &rules, &mut Exposure::new(pool.len()), -1.0, 3);
    assert_eq!(state.len(), 25);
    assert_eq!(reason, StopReason::MaxLength);
}

#[test]
fn test_stops_at_the_first_answer_that_brings_the_standard_error_to_the_target() {
    let pool = generate_pool(300, 1);
    let rules = rules(&pool, 5, 60, 0.3);
    for seed in 0..20 {
        let (state, reason) = one_test(&pool, &rules, &mut Exposure::new(pool.len()), 0.0, seed * 7);
        assert_eq!(reason, StopReason::Precision);
        assert!(state.estimate().se <= 0.3);
        // One answer fewer was not yet precise enough.
        let answered: Vec<(usize, bool)> = state.given.iter().copied().zip(state.answers.iter().copied()).collect();
        let before = CatState::replay(&pool, &answered[..answered.len() - 1]);
        assert!(before.estimate().se > 0.3 || before.len() < 5);
        assert_eq!(stop_reason(&rules, &before), None);
    }
}

#[test]
fn replaying_stored_answers_restores_the_same_estimate() {
    let pool = generate_pool(60, 4);
    let rules = rules(&pool, 10, 10, 0.0);
    let (state, _) = one_test(&pool, &rules, &mut Exposure::new(pool.len()), 1.2, 9);
    let answered: Vec<(usize, bool)> = state.given.iter().copied().zip(state.answers.iter().copied()).collect();
    assert_eq!(CatState::replay(&pool, &answered).estimate(), state.estimate());
}

#[test]
fn next_item_is_the_most_informative_at_the_current_estimate() {
    let pool: Vec<PoolItem> = [-2.0, -1.0, 0.1, 1.0, 2.0]
        .iter()
        .enumerate()
        .map(|(i, &b)| PoolItem {
            id: format!("i{i}"),
            section: "all".into(),
            a: 1.0,
            b,
        })
        .collect();
    let mut rules = rules(&pool, 1, 5, 0.0);
    rules.randomesque = 1;
    rules.exposure_cap = None;
    let exposure = Exposure::new(pool.len());
    // At the prior mean θ = 0, b = 0.1 is nearest.
    assert_eq!(next_item(&pool, &rules, &CatState::new(), &exposure, 0.99), Some(2));
    // After two right answers θ̂ rises and a harder item is best.
    let state = CatState::replay(&pool, &[(2, true), (1, true)]);
    assert!(state.estimate().theta > 0.5);
    assert_eq!(next_item(&pool, &rules, &state, &exposure, 0.5), Some(3));
    // Randomesque with k = 2 picks among the best two only.
    rules.randomesque = 2;
    assert_eq!(next_item(&pool, &rules, &CatState::new(), &exposure, 0.0), Some(2));
    let second = next_item(&pool, &rules, &CatState::new(), &exposure, 0.99).unwrap();
    assert!(second == 1 || second == 3);
}

#[test]
fn sections_keep_their_target_shares_throughout_the_test() {
    let pool = generate_pool(300, 5);
    let mut rules = rules(&pool, 20, 20, 0.0);
    rules.sections = vec![
        ("numerical".into(), 2.0),
        ("verbal".into(), 1.0),
        ("logical".into(), 1.0),
    ];
    for seed in 0..10 {
        let (state, _) = one_test(&pool, &rules, &mut Exposure::new(pool.len()), 0.5, seed);
        let mut counts = [0usize; 3];
        for (n, &j) in state.given.iter().enumerate() {
            let s = rules
                .sections
                .iter()
                .position(|(name, _)| *name == pool[j].section)
                .unwrap();
            counts[s] += 1;
            let len = count_f64(n + 1);
            // Never more than one item off its share at any point.
            for (c, share) in counts.iter().zip([0.5, 0.25, 0.25]) {
                assert!((count_f64(*c) - share * len).abs() <= 1.0, "{counts:?} after {len}");
            }
        }
        assert_eq!(counts, [10, 5, 5]);
    }
}

#[test]
fn no_item_is_shown_to_more_than_the_exposure_cap() {
    let pool = generate_pool(300, 6);
    let mut rules = rules(&pool, 20, 20, 0.0);
    rules.randomesque = 1; // the most exposing choice, so only the cap limits it
    rules.exposure_cap = Some(0.15);
    let mut exposure = Exposure::new(pool.len());
    let mut rng = SplitMix64::new(7);
    for p in 0..400 {
        let theta = rng.normal();
        one_test(&pool, &rules, &mut exposure, theta, 100 + p);
    }
    let max = count_f64(*exposure.shown.iter().max().unwrap()) / 400.0;
    assert!(max <= 0.15, "largest exposure {max}");
    // Without the cap the same rules show some item to nearly everyone.
    rules.exposure_cap = None;
    let mut free = Exposure::new(pool.len());
    for p in 0..100 {
        one_test(&pool, &rules, &mut free, 0.1 * (u53_f64(p) % 7.0) - 0.3, 100 + p);
    }
    assert!(count_f64(*free.shown.iter().max().unwrap()) / 100.0 > 0.5);
}

fn simulate_300(se_target: f64, randomesque: usize) -> crate::irt::simulate::Simulation {
    let pool = generate_pool(300, 1);
    let mut rules = Rules::proportional(&pool, 10, 40, se_target);
    rules.exposure_cap = Some(0.25);
    rules.randomesque = randomesque;
    simulate(
        &pool,
        &SimOptions {
            people: 1000,
            seed: 1,
            rules,
            fixed_len: 40,
        },
    )
    .unwrap()
}

/// The target: on a 300-item pool the adaptive test is as reliable
/// as a fixed 40-item form drawn from the pool with at most 20 items on
/// average, and no item is shown to more than 25% of candidates.
#[test]
fn adaptive_test_matches_a_random_40_item_form_with_half_the_items() {
    let sim = simulate_300(0.3, 4);
    assert!(sim.adaptive.mean_length <= 20.0, "{sim:#?}");
    assert!(sim.adaptive.max_exposure <= 0.25, "{sim:#?}");
    assert!(
        sim.adaptive.squared_correlation >= sim.fixed_random.squared_correlation - 0.005,
        "{sim:#?}"
    );
    assert!(
        sim.adaptive.marginal_reliability >= sim.fixed_random.marginal_reliability - 0.005,
        "{sim:#?}"
    );
    assert_eq!(sim.fixed_random.mean_length, 40.0);
}

/// Against the strongest fixed form (the 40 items most informative for the
/// population, shown to everyone) the capped adaptive test needs more than
/// half the length: about three quarters. The README states this too.
#[test]
fn adaptive_test_matches_the_best_40_item_form_with_fewer_items() {
    let sim = simulate_300(0.24, 2);
    assert!(sim.adaptive.mean_length <= 32.0, "{sim:#?}");
    assert!(sim.adaptive.max_exposure <= 0.25, "{sim:#?}");
    assert!(
        sim.adaptive.squared_correlation >= sim.fixed_best.squared_correlation - 0.005,
        "{sim:#?}"
    );
    assert!(sim.fixed_best.max_exposure == 1.0);
}
