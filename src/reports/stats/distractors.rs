//! Who chose which option: the whole cohort, the upper and the lower 27 %.

use serde::Serialize;

use super::flags::Flag;
use super::input::{ItemInfo, OptionSet};
use crate::convert::{count_f64, to_usize};

/// The share (a fraction, 0 to 1) of each group that chose one option.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OptionShares {
    /// 0-based option index, as in [`ItemInfo::options`].
    pub option: usize,
    pub is_key: bool,
    /// Of all attempts that saw the item; null when none did.
    pub share_all: Option<f64>,
    /// Of the upper 27 % group; null when fewer than 4 attempts saw the item.
    pub share_upper: Option<f64>,
    /// Of the lower 27 % group; null as `share_upper`.
    pub share_lower: Option<f64>,
}

/// The shares of each group that left the item blank.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shares {
    pub share_all: Option<f64>,
    pub share_upper: Option<f64>,
    pub share_lower: Option<f64>,
}

#[derive(Debug, Default)]
struct Counts {
    options: Vec<usize>,
    blank: usize,
}

impl Counts {
    fn new(options: usize) -> Self {
        Self {
            options: vec![0; options],
            blank: 0,
        }
    }

    fn add(&mut self, set: OptionSet) {
        let mut bits = set.bits();
        if bits == 0 {
            self.blank += 1;
        }
        while bits != 0 {
            if let Some(count) = self.options.get_mut(to_usize(bits.trailing_zeros())) {
                *count += 1;
            }
            bits &= bits - 1;
        }
    }
}

/// The attempts a distractor analysis is taken over: indices into the
/// matrix's attempts.
pub(super) struct Groups<'a> {
    pub seen: Option<&'a [bool]>,
    /// Attempts that saw the item.
    pub n: usize,
    pub upper: &'a [usize],
    pub lower: &'a [usize],
    /// Whether the 27 % groups are defined (n ≥ 4).
    pub defined: bool,
}

/// Option and blank shares, and the flags they raise: a distractor nobody
/// chose, a wrong option the upper group preferred to the key.
pub(super) fn analyse(
    info: &ItemInfo,
    groups: &Groups<'_>,
    flags: &mut Vec<Flag>,
) -> Option<(Vec<OptionShares>, Shares)> {
    let chosen = info.chosen.as_deref()?;
    let k = info.options.len();
    let (mut all, mut upper, mut lower) = (Counts::new(k), Counts::new(k), Counts::new(k));
    match groups.seen {
        None => chosen.iter().for_each(|&set| all.add(set)),
        Some(seen) => chosen
            .iter()
            .zip(seen)
            .filter(|(_, &seen)| seen)
            .for_each(|(&set, _)| all.add(set)),
    }
    if groups.defined {
        groups
            .upper
            .iter()
            .filter_map(|&i| chosen.get(i))
            .for_each(|&set| upper.add(set));
        groups
            .lower
            .iter()
            .filter_map(|&i| chosen.get(i))
            .for_each(|&set| lower.add(set));
    }

    let share_all = |count: usize| (groups.n > 0).then(|| count_f64(count) / count_f64(groups.n));
    let group_share =
        |count: usize, size: usize| (groups.defined && size > 0).then(|| count_f64(count) / count_f64(size));
    // Each of the three counts holds one entry per option.
    let options = info
        .options
        .iter()
        .zip(&all.options)
        .zip(&upper.options)
        .zip(&lower.options)
        .enumerate()
        .map(|(option, (((o, &all), &upper), &lower))| OptionShares {
            option,
            is_key: o.is_key,
            share_all: share_all(all),
            share_upper: group_share(upper, groups.upper.len()),
            share_lower: group_share(lower, groups.lower.len()),
        })
        .collect();
    let blank = Shares {
        share_all: share_all(all.blank),
        share_upper: group_share(upper.blank, groups.upper.len()),
        share_lower: group_share(lower.blank, groups.lower.len()),
    };

    if groups.n > 0 {
        for (option, (o, &count)) in info.options.iter().zip(&all.options).enumerate() {
            if !o.is_key && count == 0 {
                flags.push(Flag::UnusedDistractor { option });
            }
        }
    }
    // With several keys (multiple response) a wrong option is suspect only
    // when the upper group chose it more than even its favourite key.
    let key_upper = info
        .options
        .iter()
        .zip(&upper.options)
        .filter(|(o, _)| o.is_key)
        .map(|(_, &count)| count)
        .max();
    if let (true, Some(key_upper)) = (groups.defined, key_upper) {
        for (option, (o, &count)) in info.options.iter().zip(&upper.options).enumerate() {
            if !o.is_key && count > key_upper {
                flags.push(Flag::LikelyMiskey { option });
            }
        }
    }
    Some((options, blank))
}
