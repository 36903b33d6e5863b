//! Conversions between number types that `From` does not offer, written once
//! so that the crate's `as_conversions` lint holds everywhere else. Each
//! says what happens at the edge of its range, and no caller needs an `as`.

/// A count (items, people, attempts, options, bins) as `f64`, for
/// statistics and drawing. Every integer below 2^53 is exact in `f64`, and no
/// count here comes near that, so this loses nothing.
#[allow(clippy::as_conversions)] // usize → f64 has no `From`; exact below 2^53, see above.
pub fn count_f64(n: usize) -> f64 {
    n as f64
}

/// An integer of at most 53 significant bits (a random draw shifted right
/// by 11 bits, a seed) as `f64`, exactly; above 2^53 it would round to
/// nearest, which no caller needs.
#[allow(clippy::as_conversions)] // u64 → f64 has no `From`; exact below 2^53, the callers' range.
pub fn u53_f64(n: u64) -> f64 {
    n as f64
}

/// An `i64` as the nearest `f64`: exact below 2^53, which every SQL count
/// is; a number written as an integer in a file whose values are reals
/// rounds above that, as reading "2^53 + 1" as a real would.
#[allow(clippy::as_conversions)] // i64 → f64 has no `From`; exact below 2^53, rounding to nearest above it is the meaning.
pub fn i64_f64(n: i64) -> f64 {
    n as f64
}

/// `x` rounded to the nearest integer, half away from zero; beyond `i64`'s
/// range it saturates and NaN gives 0.
#[allow(clippy::as_conversions)] // f64 → i64 has no `TryFrom`; `as` saturates and maps NaN to 0, which is the documented result.
pub fn round_i64(x: f64) -> i64 {
    x.round() as i64
}

/// `x` rounded down, as an index or count: negative values and NaN give 0,
/// values beyond `usize` saturate.
#[allow(clippy::as_conversions)] // f64 → usize has no `TryFrom`; `as` saturates and maps NaN to 0, which is the documented result.
pub fn floor_usize(x: f64) -> usize {
    x.floor() as usize
}

/// A length as `i64` (to compare with an SQL limit or offset). A `Vec`
/// cannot hold `i64::MAX` elements, so the saturation never happens.
pub fn len_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A stored or configured count (an SQL limit, seats, a section's size) as
/// `usize`: negative values give 0.
pub fn to_usize(n: impl Into<i64>) -> usize {
    usize::try_from(n.into().max(0)).unwrap_or(usize::MAX)
}

/// A count or position as the `i32` of an `Integer` column; saturates at
/// `i32::MAX`, far beyond any bank, form or routing run.
pub fn to_i32(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// A count or rank as `u32`; saturates at `u32::MAX`.
pub fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_conversions_saturate_and_map_nan_to_zero() {
        assert_eq!(round_i64(2.5), 3);
        assert_eq!(round_i64(-2.5), -3);
        assert_eq!(round_i64(f64::NAN), 0);
        assert_eq!(round_i64(1e300), i64::MAX);
        assert_eq!(floor_usize(-0.5), 0);
        assert_eq!(floor_usize(9.99), 9);
        assert_eq!(floor_usize(f64::NAN), 0);
    }

    #[test]
    fn integer_conversions_clamp_at_the_edges() {
        assert_eq!(to_usize(-3i64), 0);
        assert_eq!(to_usize(7i32), 7);
        assert_eq!(to_i32(usize::MAX), i32::MAX);
        assert_eq!(to_u32(usize::MAX), u32::MAX);
        assert_eq!(len_i64(5), 5);
        assert_eq!(count_f64(1 << 52), 4_503_599_627_370_496.0);
    }
}
