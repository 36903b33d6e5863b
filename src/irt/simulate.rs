//! `assay irt simulate`: what an adaptive test gains over a fixed form,
//! measured on simulated people of known ability, with the engine of
//! [`super::cat`] doing the selection and scoring.

use serde::Serialize;

mod bound;

use super::cat::{run_test, CatState, Exposure, PoolItem, Rules, StopReason};
use super::random::SplitMix64;
use super::IrtError;
use crate::convert::{count_f64, floor_usize};

/// A pool like a calibrated bank: `size` items in three sections in turn,
/// a = e^N(0.2, 0.3) (median 1.2, most between 0.7 and 2.2) and
/// b ~ N(0, 1.1), so difficulties cover the abilities of most candidates.
pub fn generate_pool(size: usize, seed: u64) -> Vec<PoolItem> {
    const SECTIONS: [&str; 3] = ["numerical", "verbal", "logical"];
    let mut rng = SplitMix64::new(seed ^ 0x5eed_9001_u64);
    (0..size)
        .zip(SECTIONS.iter().cycle())
        .map(|(i, section)| PoolItem {
            id: format!("item{:03}", i + 1),
            section: section.to_string(),
            a: (0.2 + 0.3 * rng.normal()).exp(),
            b: 1.1 * rng.normal(),
        })
        .collect()
}

#[derive(Debug, Clone)]
pub struct SimOptions {
    pub people: usize,
    pub seed: u64,
    pub rules: Rules,
    /// Length of the fixed forms compared with the adaptive test.
    pub fixed_len: usize,
}

/// The figures of one way of testing over the simulated people.
#[derive(Debug, Clone, Serialize)]
pub struct Figures {
    pub form: String,
    /// Pearson correlation of estimated with true θ.
    pub correlation: f64,
    pub rmse: f64,
    pub mean_length: f64,
    /// The largest share of people shown any one item.
    pub max_exposure: f64,
    /// var(θ̂) / (var(θ̂) + mean SE²): estimable without knowing the truth.
    pub marginal_reliability: f64,
    /// The squared correlation with true θ: the reliability by definition.
    pub squared_correlation: f64,
    pub mean_se: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Simulation {
    pub people: usize,
    pub pool_size: usize,
    pub seed: u64,
    pub rules: Rules,
    pub adaptive: Figures,
    /// Share of adaptive tests ended by each rule.
    pub stopped_by_precision: f64,
    pub stopped_by_max_length: f64,
    pub stopped_by_pool: f64,
    /// The `fixed_len` items with the most information for a N(0, 1)
    /// population, in the sections' proportions: the best fixed form.
    pub fixed_best: Figures,
    /// `fixed_len` items drawn at random from the pool.
    pub fixed_random: Figures,
    /// A lower bound on the adaptive mean length: knowing each person's true
    /// θ, the items needed under the exposure cap to reach the best-matched
    /// form's average precision (see `bound`).
    pub oracle_length: f64,
    /// Sentences comparing the adaptive test with the fixed forms.
    pub verdict: Vec<String>,
}

pub fn simulate(pool: &[PoolItem], options: &SimOptions) -> Result<Simulation, IrtError> {
    let rules = &options.rules;
    if options.people < 2 {
        return Err(IrtError::Input("simulate at least 2 people".into()));
    }
    if rules.max_len == 0 || rules.min_len > rules.max_len {
        return Err(IrtError::Input(format!(
            "the minimum length ({}) must be at most the maximum length ({}), which must be at least 1",
            rules.min_len, rules.max_len
        )));
    }
    if options.fixed_len == 0 || options.fixed_len > pool.len() {
        return Err(IrtError::Input(format!(
            "the fixed form needs between 1 and {} items (the pool's size)",
            pool.len()
        )));
    }
    let best = best_fixed_form(pool, rules, options.fixed_len);
    let random = random_fixed_form(pool.len(), options.fixed_len, options.seed);
    let mut rng = SplitMix64::new(options.seed);
    let mut exposure = Exposure::new(pool.len());
    let mut adaptive = Tally::new("adaptive");
    let mut fixed_best = Tally::new("fixed, best matched");
    let mut fixed_random = Tally::new("fixed, random items");
    let mut stops = [0usize; 3];
    let mut thetas = Vec::with_capacity(options.people);
    for _ in 0..options.people {
        let theta = rng.normal();
        thetas.push(theta);
        // One stream for answers and one for choices, both from the seed,
        // so the people are the same whatever the rules.
        let mut answers = SplitMix64::new(rng.next_u64());
        let mut choices = SplitMix64::new(rng.next_u64());
        let (state, reason) = run_test(
            pool,
            rules,
            &mut exposure,
            |item| answers.bernoulli(item.probability(theta)),
            || choices.unit(),
        );
        let [precision, max_length, exhausted] = &mut stops;
        let stop = match reason {
            StopReason::Precision => precision,
            StopReason::MaxLength => max_length,
            StopReason::PoolExhausted => exhausted,
        };
        *stop += 1;
        adaptive.add(theta, &state);
        for (form, tally) in [(&best, &mut fixed_best), (&random, &mut fixed_random)] {
            let mut state = CatState::new();
            // The forms hold pool indices.
            for (j, item) in form.iter().filter_map(|&j| Some((j, pool.get(j)?))) {
                let right = answers.bernoulli(item.probability(theta));
                state.record(pool, j, right);
            }
            tally.add(theta, &state);
        }
    }
    let n = count_f64(options.people);
    let adaptive = adaptive.figures(count_f64(exposure.shown.iter().max().copied().unwrap_or(0)) / n);
    let [precision, max_length, exhausted] = stops.map(count_f64);
    let fixed_best = fixed_best.figures(1.0);
    let fixed_random = fixed_random.figures(1.0);
    let target = bound::form_error_variance(pool, &best, &thetas);
    let oracle_length = bound::oracle_mean_length(pool, &thetas, target, rules.exposure_cap, pool.len());
    let mut verdict = verdict(&adaptive, [&fixed_best, &fixed_random], rules);
    verdict.push(format!(
        "Lower bound: even knowing each person's true ability, reaching the best-matched form's average precision under the exposure cap takes {oracle_length:.1} items on average ({:.0}% of its length){}.",
        100.0 * oracle_length / fixed_best.mean_length,
        if oracle_length > fixed_best.mean_length / 2.0 {
            ", so half its length is out of reach with this pool"
        } else {
            ""
        }
    ));
    Ok(Simulation {
        people: options.people,
        pool_size: pool.len(),
        seed: options.seed,
        rules: rules.clone(),
        adaptive,
        stopped_by_precision: precision / n,
        stopped_by_max_length: max_length / n,
        stopped_by_pool: exhausted / n,
        fixed_best,
        fixed_random,
        oracle_length,
        verdict,
    })
}

fn verdict(adaptive: &Figures, fixed: [&Figures; 2], rules: &Rules) -> Vec<String> {
    let mut out = Vec::new();
    for (fixed, name) in fixed.iter().zip(["the best-matched", "a random"]) {
        out.push(format!(
            "Reliability (squared correlation with true ability): adaptive {:.3} with {:.1} items on average, {name} {:.0}-item fixed form {:.3} ({:.0}% of its length).",
            adaptive.squared_correlation,
            adaptive.mean_length,
            fixed.mean_length,
            fixed.squared_correlation,
            100.0 * adaptive.mean_length / fixed.mean_length,
        ));
    }
    if let Some(cap) = rules.exposure_cap {
        out.push(format!(
            "No item was shown to more than {:.1}% of candidates (cap {:.0}%).",
            100.0 * adaptive.max_exposure,
            100.0 * cap
        ));
    }
    for (fixed, name) in fixed.iter().zip(["best-matched", "random"]) {
        out.push(target_line(adaptive, fixed, name, rules.exposure_cap));
    }
    out
}

/// Whether the adaptive test met the target against one fixed form: at
/// least its reliability, with at most half its length on average and no
/// item shown to more than the cap (25% when there is none).
fn target_line(adaptive: &Figures, fixed: &Figures, name: &str, cap: Option<f64>) -> String {
    let cap = cap.unwrap_or(0.25);
    let reliable = adaptive.squared_correlation + 1e-9 >= fixed.squared_correlation;
    let short = adaptive.mean_length <= fixed.mean_length / 2.0 + 1e-9;
    let exposed = adaptive.max_exposure <= cap + 1e-9;
    let mut misses = Vec::new();
    if !reliable {
        misses.push(format!(
            "its reliability {:.3} is below the form's {:.3}",
            adaptive.squared_correlation, fixed.squared_correlation
        ));
    }
    if !short {
        misses.push(format!(
            "it used {:.0}% of the form's length",
            100.0 * adaptive.mean_length / fixed.mean_length
        ));
    }
    if !exposed {
        misses.push(format!(
            "an item reached {:.1}% exposure",
            100.0 * adaptive.max_exposure
        ));
    }
    if misses.is_empty() {
        format!(
            "Target against the {name} {:.0}-item form (its reliability, at most half its length, exposure at most {:.0}%): met.",
            fixed.mean_length,
            100.0 * cap
        )
    } else {
        format!(
            "Target against the {name} {:.0}-item form (its reliability, at most half its length, exposure at most {:.0}%): NOT met; {}.",
            fixed.mean_length,
            100.0 * cap,
            misses.join(", ")
        )
    }
}

/// The `len` items with the most information averaged over θ ~ N(0, 1),
/// taken section by section in the rules' target shares.
fn best_fixed_form(pool: &[PoolItem], rules: &Rules, len: usize) -> Vec<usize> {
    let nodes = super::gauss_hermite_normal(41);
    let value = |it: &PoolItem| -> f64 {
        nodes
            .theta
            .iter()
            .zip(&nodes.weight)
            .map(|(t, w)| w * it.information(*t))
            .sum()
    };
    let mut ranked: Vec<(f64, usize)> = pool.iter().enumerate().map(|(j, it)| (value(it), j)).collect();
    ranked.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
    let total: f64 = rules.sections.iter().map(|s| s.1.max(0.0)).sum();
    let mut chosen = Vec::with_capacity(len);
    // Largest-remainder quotas per section.
    let mut quotas: Vec<(String, usize, f64)> = rules
        .sections
        .iter()
        .map(|(name, share)| {
            let exact = if total > 0.0 {
                share.max(0.0) / total * count_f64(len)
            } else {
                0.0
            };
            (name.clone(), floor_usize(exact), exact - exact.floor())
        })
        .collect();
    let mut left = len.saturating_sub(quotas.iter().map(|q| q.1).sum());
    // Largest remainder first; a stable sort keeps ties in section order.
    let mut by_remainder: Vec<(usize, f64)> = quotas.iter().map(|q| q.2).enumerate().collect();
    by_remainder.sort_by(|x, y| y.1.total_cmp(&x.1));
    for &(s, _) in &by_remainder {
        if left == 0 {
            break;
        }
        if let Some(quota) = quotas.get_mut(s) {
            quota.1 += 1;
        }
        left -= 1;
    }
    for (name, quota, _) in &quotas {
        chosen.extend(
            ranked
                .iter()
                .filter(|(_, j)| pool.get(*j).is_some_and(|it| it.section == *name))
                .take(*quota)
                .map(|x| x.1),
        );
    }
    // Sections short of items, or items outside every section, fill up
    // with the best of the rest.
    for &(_, j) in &ranked {
        if chosen.len() >= len {
            break;
        }
        if !chosen.contains(&j) {
            chosen.push(j);
        }
    }
    chosen
}

fn random_fixed_form(pool_size: usize, len: usize, seed: u64) -> Vec<usize> {
    let mut rng = SplitMix64::new(seed ^ 0xf1fe_d000);
    let mut all: Vec<usize> = (0..pool_size).collect();
    // Partial Fisher–Yates.
    for i in 0..len {
        let j = i + floor_usize(rng.unit() * count_f64(pool_size - i));
        all.swap(i, j.min(pool_size - 1));
    }
    all.truncate(len);
    all
}

struct Tally {
    form: &'static str,
    truth: Vec<f64>,
    estimate: Vec<f64>,
    se: Vec<f64>,
    lengths: usize,
}

impl Tally {
    fn new(form: &'static str) -> Tally {
        Tally {
            form,
            truth: Vec::new(),
            estimate: Vec::new(),
            se: Vec::new(),
            lengths: 0,
        }
    }

    fn add(&mut self, theta: f64, state: &CatState) {
        let e = state.estimate();
        self.truth.push(theta);
        self.estimate.push(e.theta);
        self.se.push(e.se);
        self.lengths += state.len();
    }

    fn figures(&self, max_exposure: f64) -> Figures {
        let n = count_f64(self.truth.len());
        let mean = |v: &[f64]| v.iter().sum::<f64>() / n;
        let (mt, me) = (mean(&self.truth), mean(&self.estimate));
        let (mut stt, mut see, mut ste, mut sq) = (0.0, 0.0, 0.0, 0.0);
        for (t, e) in self.truth.iter().zip(&self.estimate) {
            stt += (t - mt) * (t - mt);
            see += (e - me) * (e - me);
            ste += (t - mt) * (e - me);
            sq += (t - e) * (t - e);
        }
        let correlation = ste / (stt * see).sqrt();
        let var_est = see / (n - 1.0);
        let mean_se2 = self.se.iter().map(|s| s * s).sum::<f64>() / n;
        Figures {
            form: self.form.to_string(),
            correlation,
            rmse: (sq / n).sqrt(),
            mean_length: count_f64(self.lengths) / n,
            max_exposure,
            marginal_reliability: var_est / (var_est + mean_se2),
            squared_correlation: correlation * correlation,
            mean_se: self.se.iter().sum::<f64>() / n,
        }
    }
}
