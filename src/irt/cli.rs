//! `assay irt …`: the only part of this module that reads files and prints.

use std::path::{Path, PathBuf};

use clap::Subcommand;

use super::cat::Rules;
use super::simulate::{generate_pool, simulate, SimOptions};
use super::table::{parse_pool, parse_responses};
use super::{calibrate, FitOptions, IrtError};
use crate::cli_error::{CliError, CliResult};

#[derive(Subcommand)]
pub enum IrtCommand {
    /// Calibrate items with the 2PL model from a 0/1 CSV; prints JSON.
    Fit {
        /// CSV with a header row of item names; cells 0, 1 or empty (not shown).
        file: PathBuf,
        /// A column holding each row's count of people (response patterns).
        #[arg(long)]
        freq_col: Option<String>,
        /// Gauss–Hermite quadrature nodes (at least 21).
        #[arg(long, default_value_t = 41)]
        nodes: usize,
    },
    /// Simulate adaptive tests on a calibrated pool and compare them with
    /// fixed forms; prints JSON.
    Simulate {
        /// Pool CSV with columns id, section, a, b.
        #[arg(long, required_unless_present = "generate_pool", conflicts_with = "generate_pool")]
        pool: Option<PathBuf>,
        /// Instead of a pool file, generate a pool of this many items.
        #[arg(long)]
        generate_pool: Option<usize>,
        /// Simulated candidates, θ ~ N(0, 1).
        #[arg(long, default_value_t = 1000)]
        people: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Stop when the standard error of θ is at or below this.
        #[arg(long, default_value_t = 0.3)]
        se_target: f64,
        #[arg(long, default_value_t = 40)]
        max_len: usize,
        #[arg(long, default_value_t = 10)]
        min_len: usize,
        /// Choose at random among this many of the most informative items.
        #[arg(long, default_value_t = 4)]
        randomesque: usize,
        /// Largest share of candidates one item may be shown to (0 for none).
        #[arg(long, default_value_t = 0.25)]
        exposure_cap: f64,
        /// Length of the fixed forms to compare with.
        #[arg(long, default_value_t = 40)]
        fixed_len: usize,
    },
}

pub fn run(command: IrtCommand) -> CliResult<()> {
    let json = match command {
        IrtCommand::Fit { file, freq_col, nodes } => {
            let data = parse_responses(&read(&file)?, freq_col.as_deref()).map_err(invalid)?;
            let fit = calibrate(
                &data,
                &FitOptions {
                    nodes,
                    ..FitOptions::default()
                },
            )
            .map_err(invalid)?;
            serde_json::to_string_pretty(&fit)
        }
        IrtCommand::Simulate {
            pool,
            generate_pool: generate,
            people,
            seed,
            se_target,
            max_len,
            min_len,
            randomesque,
            exposure_cap,
            fixed_len,
        } => {
            let pool = match (pool, generate) {
                (Some(path), _) => parse_pool(&read(&path)?).map_err(invalid)?,
                (None, Some(size)) if size > 0 => generate_pool(size, seed),
                _ => return Err(CliError::Usage("give --pool FILE or --generate-pool N (N > 0)".into())),
            };
            let mut rules = Rules::proportional(&pool, min_len, max_len, se_target);
            rules.randomesque = randomesque;
            rules.exposure_cap = (exposure_cap > 0.0).then_some(exposure_cap);
            let result = simulate(
                &pool,
                &SimOptions {
                    people,
                    seed,
                    rules,
                    fixed_len,
                },
            )
            .map_err(invalid)?;
            serde_json::to_string_pretty(&result)
        }
    }
    .map_err(|e| CliError::Write {
        what: "the JSON".into(),
        source: e.into(),
    })?;
    println!("{json}");
    Ok(())
}

fn read(path: &Path) -> CliResult<String> {
    std::fs::read_to_string(path).map_err(|e| CliError::read(path, e))
}

/// The data cannot be calibrated or simulated as given.
fn invalid(e: IrtError) -> CliError {
    CliError::Input {
        message: e.to_string(),
        details: Vec::new(),
    }
}
