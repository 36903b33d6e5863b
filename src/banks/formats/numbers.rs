//! Numbers as the formats write them. Percentages are converted by moving
//! the decimal point in the text rather than by multiplying, so that a
//! credit of 1/3 written as `33.33333333333333%` reads back as exactly the
//! same `f64`.

/// A finite number; `inf`, `NaN` and anything that is not a number give
/// `None`.
pub(crate) fn parse_number(text: &str) -> Option<f64> {
    let text = text.trim();
    // Rust also reads "inf" and "nan"; no trainer means those.
    if text.is_empty() || text.chars().any(|c| c.is_ascii_alphabetic() && c != 'e' && c != 'E') {
        return None;
    }
    text.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// `50` (percent) to `0.5`; exact for anything `fraction_to_percent` wrote.
pub(crate) fn percent_to_fraction(text: &str) -> Option<f64> {
    let text = text.trim();
    parse_number(text)?;
    let shifted = match text.find(['e', 'E']) {
        Some(at) => {
            let exponent: i32 = text.get(at + 1..)?.parse().ok()?;
            format!("{}e{}", text.get(..at)?, exponent.checked_sub(2)?)
        }
        None => format!("{text}e-2"),
    };
    shifted.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// `0.5` to `50`, written so that `percent_to_fraction` gives back the same
/// `f64`.
pub(crate) fn fraction_to_percent(fraction: f64) -> String {
    let plain = format!("{fraction}");
    if !fraction.is_finite() || plain.contains(['e', 'E']) {
        return format!("{}", fraction * 100.0);
    }
    let (sign, digits) = match plain.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", plain.as_str()),
    };
    let (whole, fractional) = digits.split_once('.').unwrap_or((digits, ""));
    let mut moved: String = fractional.chars().take(2).collect();
    while moved.len() < 2 {
        moved.push('0');
    }
    let rest = fractional.get(2..).unwrap_or_default();
    let whole = format!("{whole}{moved}");
    let whole = whole.trim_start_matches('0');
    let whole = if whole.is_empty() { "0" } else { whole };
    let rest = rest.trim_end_matches('0');
    if rest.is_empty() {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{rest}")
    }
}

/// A number for GIFT and CSV: the shortest text that reads back exactly,
/// without an exponent unless the number is very large or very small.
pub(crate) fn plain_number(value: f64) -> String {
    let plain = format!("{value}");
    if plain.len() > 24 {
        format!("{value:e}")
    } else {
        plain
    }
}

/// A TOML float literal that reads back exactly (`1.0`, `0.25`, `1e-7`).
pub(crate) fn toml_float(value: f64) -> String {
    if value.is_nan() {
        "nan".to_owned()
    } else if value.is_infinite() {
        if value > 0.0 { "inf" } else { "-inf" }.to_owned()
    } else {
        format!("{value:?}")
    }
}

/// Checks a question's calibrated 2PL parameters (`irt_a`, `irt_b`): both
/// or neither, a positive (a negative discrimination means a wrong key).
pub(crate) fn irt_parameters(a: Option<f64>, b: Option<f64>) -> Result<(Option<f64>, Option<f64>), String> {
    match (a, b) {
        (None, None) => Ok((None, None)),
        (Some(a), Some(b)) if a > 0.0 && a.is_finite() && b.is_finite() => Ok((Some(a), Some(b))),
        (Some(a), Some(_)) => Err(format!(
            "irt_a {a} is not a positive number; a calibrated discrimination is above 0 (a negative one means the key is wrong)"
        )),
        _ => Err("irt_a and irt_b go together: give both calibrated parameters or neither".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_trip_exactly() {
        for credit in [
            0.5,
            -0.25,
            1.0,
            0.0,
            1.0 / 3.0,
            -1.0 / 3.0,
            0.1,
            0.07,
            2.0 / 7.0,
            1e-9,
            0.123456789012345,
            -1.0,
        ] {
            let percent = fraction_to_percent(credit);
            assert_eq!(percent_to_fraction(&percent), Some(credit), "{credit} as {percent}");
        }
        assert_eq!(fraction_to_percent(0.5), "50");
        assert_eq!(fraction_to_percent(-0.25), "-25");
        assert_eq!(fraction_to_percent(0.125), "12.5");
        assert_eq!(fraction_to_percent(1.0 / 3.0), "33.33333333333333");
    }

    #[test]
    fn percentages_read_as_fractions() {
        assert_eq!(percent_to_fraction("50"), Some(0.5));
        assert_eq!(percent_to_fraction("-25"), Some(-0.25));
        assert_eq!(percent_to_fraction("33.33333"), Some(0.3333333));
        assert_eq!(percent_to_fraction("5e1"), Some(0.5));
        assert_eq!(percent_to_fraction("abc"), None);
        assert_eq!(percent_to_fraction("inf"), None);
    }

    #[test]
    fn numbers_refuse_infinity_and_words() {
        assert_eq!(parse_number(" 25.5 "), Some(25.5));
        assert_eq!(parse_number("-1e3"), Some(-1000.0));
        assert_eq!(parse_number("inf"), None);
        assert_eq!(parse_number("NaN"), None);
        assert_eq!(parse_number("1e999"), None);
        assert_eq!(parse_number(""), None);
    }

    #[test]
    fn written_numbers_read_back_exactly() {
        for value in [25.0, 0.1, -3.75, 1e-300, 1.5e300, 1.0 / 3.0] {
            assert_eq!(parse_number(&plain_number(value)), Some(value));
            assert_eq!(toml_float(value).parse::<f64>().ok(), Some(value));
        }
    }
}
