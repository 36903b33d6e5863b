//! Times the full item analysis on a large synthetic cohort.
//!
//! `cargo run --release --example bench_stats [attempts] [items]`
//! (defaults 100000 x 60). Marks come from a two-parameter logistic model of
//! latent ability, so items correlate as real ones do. Most items are
//! four-option single-choice questions with their responses, so the
//! distractor analysis is timed too; every tenth is an essay marked out of 10
//! in tenths, so totals take many distinct values (the slow case for the
//! sorts behind Cov_max).

// Not production code: a benchmark fails loudly by design, and its casts are of counts for printing.
#![allow(clippy::indexing_slicing, clippy::as_conversions)]

use std::time::Instant;

use assay::reports::stats::{analyse, ItemInfo, ItemKind, MarksMatrix, OptionInfo, OptionSet};

/// xorshift64*: seeded, reproducible, no dependency.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// Standard normal by Box–Muller.
    fn normal(&mut self) -> f64 {
        let u = 1.0 - self.unit();
        let v = self.unit();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

const OPTIONS: usize = 4;
const ESSAY_MAX: f64 = 10.0;

fn main() {
    let mut args = std::env::args().skip(1);
    let s: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let k: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(60);
    let mut rng = Rng(0x5eed_1234_abcd_9876);

    // Item parameters: difficulty b, discrimination a, key, maximum mark.
    let items: Vec<(f64, f64, usize, f64)> = (0..k)
        .map(|j| {
            let b = rng.uniform(-2.0, 2.0);
            let a = rng.uniform(0.3, 2.0);
            let max = match j % 10 {
                9 => ESSAY_MAX,
                4 => 2.0,
                _ => 1.0,
            };
            (b, a, j % OPTIONS, max)
        })
        .collect();
    let ids: Vec<i64> = (0..s as i64).map(|i| 1000 + i).collect();
    let mut marks = vec![0.0; s * k];
    let mut chosen = vec![vec![OptionSet::BLANK; s]; k];
    for i in 0..s {
        let theta = rng.normal();
        for (j, &(b, a, key, max)) in items.iter().enumerate() {
            let p = 1.0 / (1.0 + (-a * (theta - b)).exp());
            if max == ESSAY_MAX {
                let mark = (max * p + rng.normal()).clamp(0.0, max);
                marks[i * k + j] = (mark * 10.0).round() / 10.0;
                continue;
            }
            let answer = if rng.unit() < p {
                marks[i * k + j] = max;
                Some(key)
            } else if rng.unit() < 0.05 {
                None
            } else {
                // Wrong: the first distractor after the key is the likeliest.
                let step = 1 + (rng.unit() * rng.unit() * (OPTIONS - 1) as f64) as usize;
                Some((key + step) % OPTIONS)
            };
            if let Some(option) = answer.and_then(OptionSet::single) {
                chosen[j][i] = option;
            }
        }
    }
    let max_marks: Vec<f64> = items.iter().map(|it| it.3).collect();
    let infos: Vec<ItemInfo> = items
        .iter()
        .zip(chosen)
        .map(|(&(_, _, key, max), chosen)| {
            if max == ESSAY_MAX {
                return ItemInfo::new(ItemKind::Essay);
            }
            let options = (0..OPTIONS)
                .map(|o| OptionInfo {
                    credit: if o == key { 1.0 } else { 0.0 },
                    is_key: o == key,
                })
                .collect();
            ItemInfo::choice(ItemKind::SingleChoice, options, chosen)
        })
        .collect();

    let started = Instant::now();
    let matrix = match MarksMatrix::from_rows(ids, max_marks, &marks) {
        Ok(matrix) => matrix,
        Err(e) => {
            eprintln!("bench_stats: {e}");
            std::process::exit(1);
        }
    };
    let report = match analyse(&matrix, &infos) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("bench_stats: {e}");
            std::process::exit(1);
        }
    };
    let elapsed = started.elapsed().as_secs_f64();

    println!("item statistics: {s} attempts x {k} items in {elapsed:.2} s");
    let show = |v: Option<f64>| v.map_or("null".to_owned(), |v| format!("{v:.2}"));
    println!(
        "mean {}%  sd {}%  alpha {}  sem {}%",
        show(report.test.mean_percent),
        show(report.test.sd_percent),
        show(report.test.cronbach_alpha),
        show(report.test.standard_error_percent)
    );
    for item in report.items.iter().take(3) {
        println!(
            "item {}: facility {}%  discrimination {}  efficiency {}  upper-lower {}  flags {}",
            item.item,
            show(item.facility_percent),
            show(item.discrimination_index),
            show(item.discriminative_efficiency),
            show(item.upper_lower_index),
            item.flags.len()
        );
    }
}
