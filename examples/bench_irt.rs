//! Times a 2PL calibration of a large synthetic cohort.
//!
//! `cargo run --release --example bench_irt [people] [items]` (defaults
//! 100000 x 60). True a is uniform on [0.5, 2.0] and b on [-2.5, 2.5];
//! θ ~ N(0, 1); every person answers every item. Prints the time of the
//! whole fit (EM, standard errors and item fit) and how far the estimates
//! are from the truth.

use std::time::Instant;

use assay::irt::random::SplitMix64;
use assay::irt::{calibrate, FitOptions, Responses};

fn main() {
    let mut args = std::env::args().skip(1);
    let people: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let items: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(60);
    let mut rng = SplitMix64::new(2026);
    let truth: Vec<(f64, f64)> = (0..items)
        .map(|_| (0.5 + 1.5 * rng.unit(), -2.5 + 5.0 * rng.unit()))
        .collect();
    let mut cells = Vec::with_capacity(people * items);
    for _ in 0..people {
        let theta = rng.normal();
        for &(a, b) in &truth {
            let p = 1.0 / (1.0 + (-a * (theta - b)).exp());
            cells.push(u8::from(rng.bernoulli(p)));
        }
    }
    let names = (1..=items).map(|j| format!("q{j}")).collect();
    let data = match Responses::from_cells(names, cells, vec![1.0; people]) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let start = Instant::now();
    let fit = match calibrate(&data, &FitOptions::default()) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let elapsed = start.elapsed();
    let worst_a = fit
        .items
        .iter()
        .zip(&truth)
        .map(|(e, t)| (e.a - t.0).abs())
        .fold(0.0, f64::max);
    let worst_b = fit
        .items
        .iter()
        .zip(&truth)
        .map(|(e, t)| (e.b - t.1).abs())
        .fold(0.0, f64::max);
    println!(
        "{people} people x {items} items: fitted in {:.2} s ({} EM cycles, converged: {}, {} nodes, {} threads available)",
        elapsed.as_secs_f64(),
        fit.iterations,
        fit.converged,
        fit.quadrature_nodes,
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
    );
    println!(
        "EM {:.2} s, standard errors {:.2} s, item fit {:.2} s",
        fit.phase_seconds[0], fit.phase_seconds[1], fit.phase_seconds[2]
    );
    println!(
        "log-likelihood {:.2}; largest error a {worst_a:.3}, b {worst_b:.3}; {} items flagged",
        fit.log_likelihood,
        fit.items.iter().filter(|i| !i.ok).count()
    );
}
