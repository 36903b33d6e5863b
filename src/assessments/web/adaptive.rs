//! The adaptive part of the new-assessment form: a tick box and the rules
//! (lengths, standard-error target, exposure cap, how many of the most
//! informative questions to choose among). Fields are named as the API's
//! errors name them (`adaptive.max_length`), so every refusal, the form's
//! own or the service's, shows next to its field.

use super::FormFields;
use crate::assessments::blueprint::Adaptive;
use crate::error::ErrorDetail;

/// The rules as posted, or `None` when the box is not ticked. Each field
/// left empty takes the usual value.
pub fn read(form: &FormFields, errors: &mut Vec<ErrorDetail>) -> Option<Adaptive> {
    if !form.checked("adaptive") {
        return None;
    }
    let before = errors.len();
    let whole = "a whole number";
    let min_length = form.number::<u32>("adaptive.min_length", "adaptive.min_length", whole, errors);
    let max_length = form.number::<u32>("adaptive.max_length", "adaptive.max_length", whole, errors);
    let se_target = form.number::<f64>(
        "adaptive.se_target",
        "adaptive.se_target",
        "a number such as 0.3",
        errors,
    );
    let exposure_cap = form.number::<f64>(
        "adaptive.exposure_cap",
        "adaptive.exposure_cap",
        "a share such as 0.25",
        errors,
    );
    let randomesque = form.number::<u32>("adaptive.randomesque", "adaptive.randomesque", whole, errors);
    if max_length.is_none() && form.optional("adaptive.max_length").is_none() {
        errors.push(ErrorDetail::field(
            "adaptive.max_length",
            "Give the most questions the adaptive test may ask (for example 20).",
        ));
    }
    if errors.len() > before {
        return None;
    }
    let max_length = max_length?;
    Some(Adaptive {
        min_length: min_length.unwrap_or(max_length.min(5)),
        max_length,
        se_target: se_target.unwrap_or(0.30),
        exposure_cap: exposure_cap.unwrap_or(0.25),
        randomesque: randomesque.unwrap_or(4),
    })
}
