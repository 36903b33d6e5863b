//! Whether a profile meets a drive's academic guidelines, with a sentence
//! that says why not. Pure.

use crate::accounts::models::ProfileRow;

/// A drive's guidelines. Empty lists allow anything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rules {
    pub min_score_percent: Option<f64>,
    pub min_degree_class: Option<String>,
    pub degrees: Vec<String>,
    pub domains: Vec<String>,
}

/// Higher is better: distinction > first > second > pass.
pub fn class_rank(class: &str) -> Option<u8> {
    match class {
        "distinction" => Some(4),
        "first" => Some(3),
        "second" => Some(2),
        "pass" => Some(1),
        _ => None,
    }
}

fn trim_number(x: f64) -> String {
    let s = format!("{x:.1}");
    s.strip_suffix(".0").map(String::from).unwrap_or(s)
}

/// `Ok(reason)` when eligible, `Err(reason)` when not; both are sentences for
/// the candidate.
pub fn decide(rules: &Rules, profile: Option<&ProfileRow>) -> Result<String, String> {
    let Some(p) = profile else {
        return Err("Your profile is empty; fill in your degree, score and domain, then apply again.".into());
    };
    if let Some(min) = rules.min_score_percent {
        match p.score_percent {
            None => {
                return Err(format!(
                    "This drive needs a score of at least {}%; add your score to your profile.",
                    trim_number(min)
                ))
            }
            Some(s) if s + 1e-9 < min => {
                return Err(format!(
                    "Your {}% is below this drive's minimum of {}%.",
                    trim_number(s),
                    trim_number(min)
                ))
            }
            Some(_) => {}
        }
    }
    if let Some(min) = rules.min_degree_class.as_deref() {
        let needed = class_rank(min).unwrap_or(0);
        match p.degree_class.as_deref().and_then(class_rank) {
            None => {
                return Err(format!(
                    "This drive needs at least a {min} class degree; add your degree class to your profile."
                ))
            }
            Some(have) if have < needed => {
                let yours = p.degree_class.as_deref().unwrap_or("");
                return Err(format!(
                    "Your {yours} class degree is below this drive's minimum of {min} class."
                ));
            }
            Some(_) => {}
        }
    }
    if !rules.degrees.is_empty() {
        let degree = p.degree.as_deref().unwrap_or("").trim().to_lowercase();
        let allowed = rules.degrees.iter().any(|d| {
            let d = d.trim().to_lowercase();
            !d.is_empty() && (degree == d || degree.replace('.', "") == d.replace('.', ""))
        });
        if !allowed {
            let shown = if degree.is_empty() {
                "no degree".to_string()
            } else {
                format!("a {}", p.degree.as_deref().unwrap_or(""))
            };
            return Err(format!(
                "This drive is for {} graduates; your profile shows {shown}.",
                rules.degrees.join(", ")
            ));
        }
    }
    if !rules.domains.is_empty() {
        match p.domain.as_deref() {
            Some(d) if rules.domains.iter().any(|x| x == d) => {}
            Some(d) => {
                return Err(format!(
                    "This drive is for the {} domain(s); your profile says {d}.",
                    rules.domains.join(", ")
                ))
            }
            None => return Err("This drive is for particular domains; add your domain to your profile.".into()),
        }
    }
    Ok("You meet this drive's academic guidelines.".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::UserId;

    fn profile(score: Option<f64>, class: Option<&str>, degree: &str, domain: &str) -> ProfileRow {
        ProfileRow {
            user_id: UserId(1),
            degree: Some(degree.into()),
            institute: None,
            graduation_year: Some(2025),
            score_percent: score,
            degree_class: class.map(String::from),
            domain: Some(domain.into()),
            experience_years: None,
            preferred_track: None,
            updated_at: chrono::NaiveDateTime::default(),
        }
    }

    #[test]
    fn a_low_score_is_refused_with_both_numbers() {
        let rules = Rules {
            min_score_percent: Some(60.0),
            ..Rules::default()
        };
        assert_eq!(
            decide(&rules, Some(&profile(Some(58.0), None, "B.Com", "finance"))),
            Err("Your 58% is below this drive's minimum of 60%.".into())
        );
        assert!(decide(&rules, Some(&profile(Some(60.0), None, "B.Com", "finance"))).is_ok());
    }

    #[test]
    fn degree_class_degree_and_domain_each_give_their_reason() {
        let rules = Rules {
            min_degree_class: Some("first".into()),
            degrees: vec!["B.Com".into(), "BBA".into()],
            domains: vec!["finance".into()],
            ..Rules::default()
        };
        assert!(decide(&rules, Some(&profile(None, Some("second"), "B.Com", "finance")))
            .unwrap_err()
            .contains("below this drive's minimum of first class"));
        assert!(decide(&rules, Some(&profile(None, Some("first"), "LLB", "finance")))
            .unwrap_err()
            .contains("B.Com, BBA"));
        assert!(decide(&rules, Some(&profile(None, Some("first"), "BCom", "law")))
            .unwrap_err()
            .contains("says law"));
        assert!(decide(&rules, Some(&profile(None, Some("distinction"), "bcom", "finance"))).is_ok());
        assert!(decide(&rules, None).unwrap_err().contains("profile is empty"));
    }
}
