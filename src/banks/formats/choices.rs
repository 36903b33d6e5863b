//! Option letters (`A`, `B` …) and how answer keys become per-option credit.

use crate::banks::question::ChoiceOption;

/// The letter of the option at `index` (0 → `A`); past `Z` it is `?`.
pub(crate) fn letter(index: usize) -> char {
    u8::try_from(index)
        .ok()
        .filter(|i| *i < 26)
        .map_or('?', |i| char::from(b'A' + i))
}

/// The index of an option letter, upper or lower case.
pub(crate) fn letter_index(text: &str) -> Option<usize> {
    let mut chars = text.trim().chars();
    let c = chars.next()?.to_ascii_uppercase();
    if chars.next().is_some() || !c.is_ascii_uppercase() {
        return None;
    }
    Some(usize::from(u8::try_from(c).ok()? - b'A'))
}

/// How a message names the options there are: `A–D`, `A`, or `none`.
pub(crate) fn letter_range(count: usize) -> String {
    match count {
        0 => "none".to_owned(),
        1 => "A".to_owned(),
        n => format!("A–{}", letter(n - 1)),
    }
}

/// Options with the keys sharing full credit evenly and the rest earning
/// nothing: one key gets 1.0, two get 0.5 each.
pub(crate) fn keyed_options(texts: Vec<String>, keys: &[usize]) -> Vec<ChoiceOption> {
    let mut distinct: Vec<usize> = Vec::new();
    for key in keys {
        if !distinct.contains(key) {
            distinct.push(*key);
        }
    }
    let share = if distinct.is_empty() {
        0.0
    } else {
        1.0 / crate::convert::count_f64(distinct.len())
    };
    texts
        .into_iter()
        .enumerate()
        .map(|(i, text)| ChoiceOption {
            text,
            credit: if distinct.contains(&i) { share } else { 0.0 },
            feedback: None,
        })
        .collect()
}

/// The keys of options whose credits are exactly what `keyed_options` gives
/// for some set of keys, or `None` when the credits are weighted otherwise.
pub(crate) fn even_keys(options: &[ChoiceOption]) -> Option<Vec<usize>> {
    let keys: Vec<usize> = options
        .iter()
        .enumerate()
        .filter(|(_, o)| o.credit != 0.0)
        .map(|(i, _)| i)
        .collect();
    if keys.is_empty() {
        return None;
    }
    let share = 1.0 / crate::convert::count_f64(keys.len());
    let even = options.iter().all(|o| o.credit == 0.0 || o.credit == share);
    even.then_some(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_and_indices_agree() {
        assert_eq!(letter(0), 'A');
        assert_eq!(letter(25), 'Z');
        assert_eq!(letter(26), '?');
        assert_eq!(letter_index("c"), Some(2));
        assert_eq!(letter_index(" D "), Some(3));
        assert_eq!(letter_index("AB"), None);
        assert_eq!(letter_index("é"), None);
        assert_eq!(letter_range(4), "A–D");
    }

    #[test]
    fn two_keys_share_full_credit() {
        let options = keyed_options(vec!["a".into(), "b".into(), "c".into()], &[0, 2]);
        let credits: Vec<f64> = options.iter().map(|o| o.credit).collect();
        assert_eq!(credits, vec![0.5, 0.0, 0.5]);
        assert_eq!(even_keys(&options), Some(vec![0, 2]));
    }
}
