//! Counting and printing: latencies, errors, CPU time, memory, machine load.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::client::Failure;

/// Request latencies in microseconds.
#[derive(Default)]
pub struct Latencies(Vec<u32>);

impl Latencies {
    pub fn push(&mut self, d: Duration) {
        self.0.push(d.as_micros().min(u128::from(u32::MAX)) as u32);
    }

    pub fn extend(&mut self, other: Latencies) {
        self.0.extend(other.0);
    }

    /// Nearest-rank percentile; sorts in place once.
    pub fn percentile(&mut self, p: f64) -> Duration {
        if self.0.is_empty() {
            return Duration::ZERO;
        }
        self.0.sort_unstable();
        let rank = ((p / 100.0) * self.0.len() as f64).ceil() as usize;
        Duration::from_micros(u64::from(self.0[rank.clamp(1, self.0.len()) - 1]))
    }

    pub fn max(&self) -> Duration {
        Duration::from_micros(u64::from(self.0.iter().copied().max().unwrap_or(0)))
    }
}

/// Failures by status code, with one example message each.
#[derive(Default)]
pub struct Errors(BTreeMap<u16, (u64, String)>);

impl Errors {
    pub fn add(&mut self, f: Failure) {
        let entry = self.0.entry(f.status).or_insert((0, f.message));
        entry.0 += 1;
    }

    pub fn total(&self) -> u64 {
        self.0.values().map(|(n, _)| n).sum()
    }

    pub fn merge(&mut self, other: Errors) {
        for (status, (n, message)) in other.0 {
            self.0.entry(status).or_insert((0, message)).0 += n;
        }
    }

    /// ` (409 x3: "…"; 0 x1: "…")`, or nothing when there were none.
    pub fn describe(&self) -> String {
        if self.0.is_empty() {
            return String::new();
        }
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|(status, (n, message))| {
                let short: String = message.chars().take(120).collect();
                format!("{status} x{n}: {short:?}")
            })
            .collect();
        format!(" ({})", parts.join("; "))
    }
}

/// What the save loops measured.
#[derive(Default)]
pub struct SaveRun {
    pub ok: u64,
    /// Saves answered before the run's end: the rate a paced run sustained.
    pub ok_in_time: u64,
    pub lat: Latencies,
    pub errors: Errors,
    per_second: Vec<u64>,
}

impl SaveRun {
    pub fn count_ok(&mut self, at: Duration, window: Duration) {
        self.ok += 1;
        if at <= window {
            self.ok_in_time += 1;
        }
        let second = at.as_secs() as usize;
        if self.per_second.len() <= second {
            self.per_second.resize(second + 1, 0);
        }
        self.per_second[second] += 1;
    }

    pub fn merge(&mut self, other: SaveRun) {
        self.ok += other.ok;
        self.ok_in_time += other.ok_in_time;
        self.lat.extend(other.lat);
        self.errors.merge(other.errors);
        if self.per_second.len() < other.per_second.len() {
            self.per_second.resize(other.per_second.len(), 0);
        }
        for (i, n) in other.per_second.into_iter().enumerate() {
            self.per_second[i] += n;
        }
    }

    /// The slowest and fastest whole second, so stalls show.
    pub fn per_second_summary(&self) -> String {
        // The last bucket is a partial second.
        let whole = &self.per_second[..self.per_second.len().saturating_sub(1)];
        match (whole.iter().min(), whole.iter().max()) {
            (Some(lo), Some(hi)) => format!(
                "min {}, max {} ({})",
                thousands(*lo),
                thousands(*hi),
                whole.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(" ")
            ),
            _ => "too short to tell".into(),
        }
    }
}

pub fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// 112345 as "112,345".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// User plus system CPU seconds of a process (this one when `None`), from /proc.
pub fn cpu_seconds(pid: Option<u32>) -> f64 {
    let path = match pid {
        Some(p) => format!("/proc/{p}/stat"),
        None => "/proc/self/stat".to_string(),
    };
    let Ok(stat) = std::fs::read_to_string(path) else {
        return 0.0;
    };
    // Fields after the parenthesised command name; utime and stime are 14 and 15.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = [11, 12]
        .iter()
        .filter_map(|i| fields.get(*i)?.parse::<f64>().ok())
        .sum();
    ticks / 100.0
}

pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// Resident memory of a process from /proc/PID/status, in KiB: `VmRSS` now
/// or `VmHWM`, the kernel's own record of its peak.
pub fn memory_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
}

pub fn mib(kib: u64) -> String {
    format!("{:.0} MiB", kib as f64 / 1024.0)
}

/// Samples the servers' resident memory every 100 ms on its own thread, from
/// when each is watched until `finish`: sign-ins and starts included.
pub struct RssSampler {
    pids: Arc<Mutex<Vec<u32>>>,
    stop: Arc<AtomicBool>,
    started: Instant,
    thread: Option<std::thread::JoinHandle<Vec<Sample>>>,
}

/// What the watched servers held together at one moment of the run.
#[derive(Clone, Copy)]
pub struct Sample {
    pub at: Duration,
    pub kib: u64,
}

/// Peak memory of the servers of one run, and how it moved.
pub struct RssPeak {
    /// Each server's VmHWM, read just before it is stopped.
    pub each_kib: Vec<u64>,
    /// The most the servers held at once among the 100 ms samples of VmRSS.
    pub together_kib: u64,
    /// Every sample, in order.
    pub samples: Vec<Sample>,
}

impl RssPeak {
    pub fn describe(&self) -> String {
        match self.each_kib.as_slice() {
            [one] => mib(*one),
            each => format!(
                "{} together (VmRSS sampled; VmHWM each {})",
                mib(self.together_kib),
                each.iter().map(|k| mib(*k)).collect::<Vec<_>>().join(" + ")
            ),
        }
    }

    /// The figure compared between runs: one server's own peak, or what the
    /// servers held together.
    pub fn kib(&self) -> u64 {
        match self.each_kib.as_slice() {
            [one] => *one,
            _ => self.together_kib,
        }
    }

    /// The most held within [from, to) of the run, if sampled then.
    fn max_between(&self, from: Duration, to: Duration) -> Option<u64> {
        self.samples
            .iter()
            .filter(|s| s.at >= from && s.at < to)
            .map(|s| s.kib)
            .max()
    }

    /// How memory moved while the answers were saved, from `from` to `to`
    /// of the run: the most held in each tenth of that time, so a leak
    /// shows as a climb and a flat line as equal figures; then the first,
    /// middle and last tenth side by side.
    pub fn over_time(&self, from: Duration, to: Duration) -> String {
        const PARTS: u32 = 10;
        let span = to.saturating_sub(from);
        let tenth = |k: u32| from + span * k / PARTS;
        let parts: Vec<Option<u64>> = (0..PARTS).map(|k| self.max_between(tenth(k), tenth(k + 1))).collect();
        let shown = |kib: Option<u64>| kib.map(mib).unwrap_or_else(|| "-".into());
        let row = parts
            .iter()
            .enumerate()
            .map(|(k, kib)| {
                format!(
                    "{:.0} s {}",
                    tenth(k as u32).saturating_sub(from).as_secs_f64(),
                    shown(*kib)
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let before = self.max_between(Duration::ZERO, from);
        format!(
            "peak {} (VmHWM); before the saves (start-up, sign-ins, starts) at most {}; \
             during the saves, most held per tenth: {row}; first / middle / last tenth: {} / {} / {}",
            mib(self.kib()),
            shown(before),
            shown(parts.first().copied().flatten()),
            shown(parts.get(PARTS as usize / 2).copied().flatten()),
            shown(parts.last().copied().flatten()),
        )
    }
}

/// At most an hour of samples: the runs are bounded well below that.
const MAX_SAMPLES: u32 = 36_000;

impl RssSampler {
    pub fn start() -> RssSampler {
        let pids: Arc<Mutex<Vec<u32>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let started = Instant::now();
        let (p, s) = (pids.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let mut samples = Vec::new();
            for _ in 0..MAX_SAMPLES {
                if s.load(Ordering::Relaxed) {
                    break;
                }
                let watched = p.lock().map(|v| v.clone()).unwrap_or_default();
                let kib: u64 = watched.iter().filter_map(|pid| memory_kib(*pid, "VmRSS")).sum();
                if !watched.is_empty() {
                    samples.push(Sample {
                        at: started.elapsed(),
                        kib,
                    });
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            samples
        });
        RssSampler {
            pids,
            stop,
            started,
            thread: Some(thread),
        }
    }

    pub fn watch(&self, pid: u32) {
        if let Ok(mut pids) = self.pids.lock() {
            pids.push(pid);
        }
    }

    /// Time since sampling began: marks a phase's start and end.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// Call while the servers still run: VmHWM goes with the process.
    pub fn finish(mut self) -> RssPeak {
        let pids = self.pids.lock().map(|v| v.clone()).unwrap_or_default();
        let each_kib = pids.iter().map(|pid| memory_kib(*pid, "VmHWM").unwrap_or(0)).collect();
        self.stop.store(true, Ordering::Relaxed);
        let samples = self.thread.take().and_then(|t| t.join().ok()).unwrap_or_default();
        let together_kib = samples.iter().map(|s| s.kib).max().unwrap_or(0);
        RssPeak {
            each_kib,
            together_kib,
            samples,
        }
    }
}

impl Drop for RssSampler {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}
