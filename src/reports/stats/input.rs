//! What the statistics are computed from: the marks matrix and, per item, the
//! question's kind, its options and what each attempt chose.

use std::collections::HashSet;
use std::fmt;

use serde::Serialize;

/// The marks of `s` attempts on `k` items, stored column by column because
/// every item statistic walks one item's marks.
///
/// An item an attempt did not see (forms that draw different questions) is
/// held as a mark of 0 with its `seen` flag cleared: item statistics then use
/// only the attempts that saw the item, test statistics use every slot.
#[derive(Debug, Clone)]
pub struct MarksMatrix {
    attempt_ids: Vec<i64>,
    max_marks: Vec<f64>,
    columns: Vec<f64>,
    seen: Option<Vec<bool>>,
}

impl MarksMatrix {
    /// `marks` is row-major: attempt `i`'s mark on item `j` at `i * k + j`,
    /// with `k = max_marks.len()`.
    pub fn from_rows(attempt_ids: Vec<i64>, max_marks: Vec<f64>, marks: &[f64]) -> Result<Self, StatsError> {
        let (s, k) = check_shape(&attempt_ids, &max_marks, marks.len())?;
        let mut columns = vec![0.0; s * k];
        for (i, row) in marks.chunks_exact(k).enumerate() {
            for (j, &x) in row.iter().enumerate() {
                // check_shape made `columns` s × k, so the cell exists.
                if let Some(cell) = columns.get_mut(j * s + i) {
                    *cell = x;
                }
            }
        }
        Self::checked(attempt_ids, max_marks, columns, None)
    }

    /// Like [`MarksMatrix::from_rows`], with `None` for an item the attempt
    /// did not see.
    pub fn from_optional_rows(
        attempt_ids: Vec<i64>,
        max_marks: Vec<f64>,
        marks: &[Option<f64>],
    ) -> Result<Self, StatsError> {
        let (s, k) = check_shape(&attempt_ids, &max_marks, marks.len())?;
        let mut columns = vec![0.0; s * k];
        let mut seen = vec![false; s * k];
        for (i, row) in marks.chunks_exact(k).enumerate() {
            for (j, x) in row.iter().enumerate() {
                // check_shape made both s × k, so the cells exist.
                if let (Some(x), Some(cell), Some(was_seen)) = (*x, columns.get_mut(j * s + i), seen.get_mut(j * s + i))
                {
                    *cell = x;
                    *was_seen = true;
                }
            }
        }
        Self::checked(attempt_ids, max_marks, columns, Some(seen))
    }

    /// `columns` is column-major: item `j`'s marks at `j * s .. (j + 1) * s`,
    /// in the order of `attempt_ids`. No copy is made.
    pub fn from_columns(attempt_ids: Vec<i64>, max_marks: Vec<f64>, columns: Vec<f64>) -> Result<Self, StatsError> {
        check_shape(&attempt_ids, &max_marks, columns.len())?;
        Self::checked(attempt_ids, max_marks, columns, None)
    }

    fn checked(
        attempt_ids: Vec<i64>,
        max_marks: Vec<f64>,
        columns: Vec<f64>,
        seen: Option<Vec<bool>>,
    ) -> Result<Self, StatsError> {
        let s = attempt_ids.len();
        if let Some(pos) = columns.iter().position(|x| !x.is_finite()) {
            return Err(StatsError::NonFiniteMark {
                attempt: pos % s.max(1),
                item: pos / s.max(1),
            });
        }
        let mut ids = HashSet::with_capacity(s);
        if let Some(&dup) = attempt_ids.iter().find(|&&id| !ids.insert(id)) {
            return Err(StatsError::DuplicateAttemptId(dup));
        }
        Ok(Self {
            attempt_ids,
            max_marks,
            columns,
            seen,
        })
    }

    /// s, the number of attempts.
    pub fn attempts(&self) -> usize {
        self.attempt_ids.len()
    }

    /// k, the number of items.
    pub fn items(&self) -> usize {
        self.max_marks.len()
    }

    pub fn attempt_ids(&self) -> &[i64] {
        &self.attempt_ids
    }

    pub fn max_marks(&self) -> &[f64] {
        &self.max_marks
    }

    /// Σ m_j over every item: the denominator of the test's percents.
    pub fn max_total(&self) -> f64 {
        self.max_marks.iter().sum()
    }

    /// Item `j`'s marks in attempt order, 0 where the attempt did not see it;
    /// empty for an item past the last.
    pub fn column(&self, item: usize) -> &[f64] {
        let s = self.attempts();
        self.columns.get(item * s..(item + 1) * s).unwrap_or_default()
    }

    /// Which attempts saw item `j`; `None` when every attempt saw every item.
    pub fn seen_column(&self, item: usize) -> Option<&[bool]> {
        let s = self.attempts();
        self.seen
            .as_ref()
            .map(|seen| seen.get(item * s..(item + 1) * s).unwrap_or_default())
    }

    /// T_i = Σ_j x_ij for every attempt, in attempt order.
    pub fn totals(&self) -> Vec<f64> {
        let s = self.attempts();
        let mut totals = vec![0.0; s];
        if s == 0 {
            return totals;
        }
        for column in self.columns.chunks_exact(s) {
            for (t, x) in totals.iter_mut().zip(column) {
                *t += x;
            }
        }
        totals
    }
}

fn check_shape(ids: &[i64], max_marks: &[f64], cells: usize) -> Result<(usize, usize), StatsError> {
    let (s, k) = (ids.len(), max_marks.len());
    if k == 0 {
        return Err(StatsError::NoItems);
    }
    if let Some((item, &value)) = max_marks
        .iter()
        .enumerate()
        .find(|(_, m)| !(m.is_finite() && **m > 0.0))
    {
        return Err(StatsError::InvalidMaxMark { item, value });
    }
    if cells != s * k {
        return Err(StatsError::ShapeMismatch {
            expected: s * k,
            found: cells,
        });
    }
    Ok((s, k))
}

/// The kind of question an item is, which decides its random-guess score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    SingleChoice,
    MultipleResponse,
    TrueFalse,
    Numeric,
    ShortText,
    Essay,
}

/// One option of a choice item.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OptionInfo {
    /// Fraction of the item's mark this option earns (1.0 for a key).
    pub credit: f64,
    pub is_key: bool,
}

/// The options one attempt chose on a choice item, as a bit set of option
/// indices (so at most 64 options); the empty set is a blank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OptionSet(u64);

impl OptionSet {
    pub const BLANK: OptionSet = OptionSet(0);
    pub const MAX_OPTIONS: usize = 64;

    /// `None` when `index` is 64 or more.
    pub fn single(index: usize) -> Option<Self> {
        Self::BLANK.with(index)
    }

    /// `None` when an index is 64 or more.
    pub fn from_indices(indices: &[usize]) -> Option<Self> {
        indices.iter().try_fold(Self::BLANK, |set, &index| set.with(index))
    }

    /// This set with `index` added; `None` when `index` is 64 or more.
    pub fn with(self, index: usize) -> Option<Self> {
        let bit = u32::try_from(index).ok().and_then(|i| 1u64.checked_shl(i))?;
        Some(Self(self.0 | bit))
    }

    pub fn from_bits(bits: u64) -> Self {
        Self(bits)
    }

    pub fn bits(self) -> u64 {
        self.0
    }

    pub fn is_blank(self) -> bool {
        self.0 == 0
    }

    pub fn contains(self, index: usize) -> bool {
        index < Self::MAX_OPTIONS && self.0 & (1 << index) != 0
    }
}

/// What the statistics need to know about an item beyond its marks.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemInfo {
    pub kind: ItemKind,
    /// The options of a choice item, in the order `chosen` indexes them;
    /// empty for other kinds.
    pub options: Vec<OptionInfo>,
    /// What each attempt chose, in the matrix's attempt order (entries of
    /// attempts that did not see the item are ignored); `None` skips the
    /// distractor analysis.
    pub chosen: Option<Vec<OptionSet>>,
}

impl ItemInfo {
    /// An item with no option data: numeric, short text, essay, or a choice
    /// item whose responses are not at hand.
    pub fn new(kind: ItemKind) -> Self {
        Self {
            kind,
            options: Vec::new(),
            chosen: None,
        }
    }

    /// A choice item with the options each attempt chose.
    pub fn choice(kind: ItemKind, options: Vec<OptionInfo>, chosen: Vec<OptionSet>) -> Self {
        Self {
            kind,
            options,
            chosen: Some(chosen),
        }
    }

    pub(super) fn validate(&self, item: usize, attempts: usize) -> Result<(), StatsError> {
        if self.options.len() > OptionSet::MAX_OPTIONS {
            return Err(StatsError::TooManyOptions {
                item,
                options: self.options.len(),
            });
        }
        let Some(chosen) = &self.chosen else {
            return Ok(());
        };
        if chosen.len() != attempts {
            return Err(StatsError::ChoiceCount {
                item,
                expected: attempts,
                found: chosen.len(),
            });
        }
        // Bits at or above options.len() name options that do not exist.
        let valid = u32::try_from(self.options.len())
            .ok()
            .and_then(|n| u64::MAX.checked_shl(n))
            .unwrap_or(0);
        match chosen.iter().position(|set| set.0 & valid != 0) {
            Some(attempt) => Err(StatsError::UnknownOption { item, attempt }),
            None => Ok(()),
        }
    }
}

/// Why a matrix or its item data cannot be analysed.
#[derive(Debug, Clone, PartialEq)]
pub enum StatsError {
    NoItems,
    InvalidMaxMark { item: usize, value: f64 },
    ShapeMismatch { expected: usize, found: usize },
    NonFiniteMark { attempt: usize, item: usize },
    DuplicateAttemptId(i64),
    ItemCount { expected: usize, found: usize },
    TooManyOptions { item: usize, options: usize },
    ChoiceCount { item: usize, expected: usize, found: usize },
    UnknownOption { item: usize, attempt: usize },
}

impl fmt::Display for StatsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoItems => write!(f, "the marks matrix has no items"),
            Self::InvalidMaxMark { item, value } => {
                write!(f, "item {item} has maximum mark {value}; it must be positive")
            }
            Self::ShapeMismatch { expected, found } => {
                write!(f, "expected {expected} marks (attempts x items), found {found}")
            }
            Self::NonFiniteMark { attempt, item } => {
                write!(f, "attempt {attempt} has a non-finite mark on item {item}")
            }
            Self::DuplicateAttemptId(id) => write!(f, "attempt id {id} appears twice"),
            Self::ItemCount { expected, found } => {
                write!(f, "expected item data for {expected} items, found {found}")
            }
            Self::TooManyOptions { item, options } => write!(
                f,
                "item {item} has {options} options; at most {} are supported",
                OptionSet::MAX_OPTIONS
            ),
            Self::ChoiceCount { item, expected, found } => write!(
                f,
                "item {item} has choices for {found} attempts; the matrix has {expected}"
            ),
            Self::UnknownOption { item, attempt } => {
                write!(f, "attempt {attempt} chose an option item {item} does not have")
            }
        }
    }
}

impl std::error::Error for StatsError {}
