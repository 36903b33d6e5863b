//! What a panel's submitted scorecards add up to, and what the drive's rules
//! then propose: pure arithmetic, so it is tested here without a database.
//!
//! A competency's panel mean is the mean of its ratings (1 to 5); ratings
//! two or more points apart are a disagreement, flagged for the recruiter.
//! The interview score is the mean of the competency means on a 0–100 scale
//! (1 is 0, 5 is 100); the combined score weighs the test percent and the
//! interview score by the drive's weights.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::convert::count_f64;
use crate::db::ApplicationStatus;

/// Ratings this far apart (or further) on one competency are a disagreement.
pub const DISAGREEMENT: i32 = 2;

/// One competency across the panel's submitted scorecards.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CompetencyMean {
    pub competency: String,
    /// The panel's mean rating, 1 to 5; null until a scorecard rates it.
    pub mean: Option<f64>,
    /// How many submitted scorecards rate it.
    pub ratings: usize,
    pub lowest: Option<i32>,
    pub highest: Option<i32>,
    /// True when two ratings are two or more points apart.
    pub disagreement: bool,
}

/// The panel means of `competencies`, from each submitted scorecard's
/// (competency, rating) pairs.
pub fn means(competencies: &[String], cards: &[Vec<(String, i32)>]) -> Vec<CompetencyMean> {
    competencies
        .iter()
        .map(|name| {
            let ratings: Vec<i32> = cards
                .iter()
                .filter_map(|card| card.iter().find(|(c, _)| c == name).map(|(_, r)| *r))
                .collect();
            let lowest = ratings.iter().min().copied();
            let highest = ratings.iter().max().copied();
            let sum: i32 = ratings.iter().sum();
            CompetencyMean {
                competency: name.clone(),
                mean: (!ratings.is_empty()).then(|| f64::from(sum) / count_f64(ratings.len())),
                ratings: ratings.len(),
                lowest,
                highest,
                disagreement: matches!((lowest, highest), (Some(l), Some(h)) if h - l >= DISAGREEMENT),
            }
        })
        .collect()
}

/// The interview score, 0 to 100: the mean of the competency means, with a
/// rating of 1 at 0 and 5 at 100. None until some competency is rated.
pub fn interview_percent(means: &[CompetencyMean]) -> Option<f64> {
    let rated: Vec<f64> = means.iter().filter_map(|m| m.mean).collect();
    if rated.is_empty() {
        return None;
    }
    let mean = rated.iter().sum::<f64>() / count_f64(rated.len());
    Some((mean - 1.0) / 4.0 * 100.0)
}

/// How a drive weighs its test against its interviews, and where its offers
/// start on the combined score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = crate::drives::examples::hiring_rules)]
pub struct HiringRules {
    /// Percent of the combined score the test makes, 0 to 100.
    #[schema(minimum = 0, maximum = 100, example = 60)]
    pub test_weight: i32,
    /// Percent the interview makes: always 100 − `test_weight`.
    #[serde(default)]
    #[schema(read_only, example = 40)]
    pub interview_weight: i32,
    /// A combined score at or above this proposes a KPO offer.
    #[schema(example = 70.0)]
    pub kpo_min: f64,
    /// At or above this (and below `kpo_min`) proposes a BPO offer; below it, not selected.
    #[schema(example = 50.0)]
    pub bpo_min: f64,
}

impl Default for HiringRules {
    fn default() -> Self {
        HiringRules::new(60, 70.0, 50.0)
    }
}

impl HiringRules {
    pub fn new(test_weight: i32, kpo_min: f64, bpo_min: f64) -> Self {
        HiringRules {
            test_weight,
            interview_weight: 100 - test_weight,
            kpo_min,
            bpo_min,
        }
    }

    /// The combined score, 0 to 100.
    pub fn combined(&self, test: f64, interview: f64) -> f64 {
        (f64::from(self.test_weight) * test + f64::from(100 - self.test_weight) * interview) / 100.0
    }

    /// Each problem with these rules, as (field, sentence).
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut found = Vec::new();
        if !(0..=100).contains(&self.test_weight) {
            found.push((
                "test_weight",
                "The test's weight must be from 0 to 100 percent.".to_string(),
            ));
        }
        for (field, value, what) in [("kpo_min", self.kpo_min, "KPO"), ("bpo_min", self.bpo_min, "BPO")] {
            if !value.is_finite() || !(0.0..=100.0).contains(&value) {
                found.push((
                    field,
                    format!("The {what} offer threshold must be a score from 0 to 100."),
                ));
            }
        }
        if self.bpo_min > self.kpo_min {
            found.push((
                "bpo_min",
                "The BPO offer threshold cannot be above the KPO offer threshold.".to_string(),
            ));
        }
        found
    }
}

/// What the rules propose for one person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    KpoOffer,
    BpoOffer,
    NotSelected,
}

impl Outcome {
    pub const ALL: [Outcome; 3] = [Outcome::KpoOffer, Outcome::BpoOffer, Outcome::NotSelected];

    /// Where confirming it moves the application.
    pub fn status(self) -> ApplicationStatus {
        match self {
            Outcome::KpoOffer => ApplicationStatus::OfferedKpo,
            Outcome::BpoOffer => ApplicationStatus::OfferedBpo,
            Outcome::NotSelected => ApplicationStatus::Rejected,
        }
    }

    pub fn from_status(status: ApplicationStatus) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.status() == status)
    }

    pub fn label(self) -> &'static str {
        match self {
            Outcome::KpoOffer => "KPO offer",
            Outcome::BpoOffer => "BPO offer",
            Outcome::NotSelected => "Not selected",
        }
    }
}

/// A proposal and the sentence that explains it.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    /// None while the panel has submitted no scorecard.
    pub outcome: Option<Outcome>,
    pub combined: Option<f64>,
    pub reason: String,
}

/// Thresholds are met "at or above"; this absorbs the last bits of float
/// arithmetic so that 75 × 0.6 + 75 × 0.4 meets a threshold of 75.
const EPSILON: f64 = 1e-9;

/// What `rules` propose for a person with `test` percent and the panel's
/// `means`, with a sentence naming the scores and the threshold that decided.
pub fn propose(rules: &HiringRules, test: f64, means: &[CompetencyMean], scorecards: usize) -> Proposal {
    let Some(interview) = interview_percent(means).filter(|_| scorecards > 0) else {
        return Proposal {
            outcome: None,
            combined: None,
            reason: "No scorecard is submitted yet: the proposal waits for the panel.".into(),
        };
    };
    let combined = rules.combined(test, interview);
    let scores = format!(
        "Combined {combined:.1} (test {test:.1}% weighted {}%, interview {interview:.1} weighted {}%, from {scorecards} scorecard{})",
        rules.test_weight,
        100 - rules.test_weight,
        if scorecards == 1 { "" } else { "s" }
    );
    let (outcome, verdict) = if combined + EPSILON >= rules.kpo_min {
        (
            Outcome::KpoOffer,
            format!("meets the KPO offer threshold of {}", rules.kpo_min),
        )
    } else if combined + EPSILON >= rules.bpo_min {
        (
            Outcome::BpoOffer,
            format!(
                "is below the KPO offer threshold of {} and meets the BPO offer threshold of {}",
                rules.kpo_min, rules.bpo_min
            ),
        )
    } else {
        (
            Outcome::NotSelected,
            format!("is below the BPO offer threshold of {}", rules.bpo_min),
        )
    };
    let split: Vec<&str> = means
        .iter()
        .filter(|m| m.disagreement)
        .map(|m| m.competency.as_str())
        .collect();
    let disagreement = if split.is_empty() {
        String::new()
    } else {
        format!(" The panel disagreed on {}.", split.join(", "))
    };
    Proposal {
        outcome: Some(outcome),
        combined: Some(combined),
        reason: format!("{scores} {verdict}.{disagreement}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Vec<String> {
        vec!["Analytical reasoning".into(), "Spoken English".into()]
    }

    fn card(a: i32, s: i32) -> Vec<(String, i32)> {
        vec![("Analytical reasoning".into(), a), ("Spoken English".into(), s)]
    }

    #[test]
    fn the_panel_mean_averages_each_competency_and_flags_two_points_apart() {
        let m = means(&names(), &[card(4, 2), card(5, 4), card(3, 3)]);
        assert_eq!(m[0].mean, Some(4.0));
        assert!(m[0].disagreement, "3 and 5 are two points apart");
        assert_eq!((m[1].lowest, m[1].highest), (Some(2), Some(4)));
        assert!(m[1].disagreement);
        let m = means(&names(), &[card(4, 3), card(3, 4)]);
        assert!(
            !m[0].disagreement && !m[1].disagreement,
            "one point apart is not a disagreement"
        );
        let none = means(&names(), &[]);
        assert_eq!(none[0].mean, None);
        assert_eq!(interview_percent(&none), None);
    }

    #[test]
    fn ratings_map_one_to_zero_and_five_to_a_hundred() {
        assert_eq!(interview_percent(&means(&names(), &[card(1, 1)])), Some(0.0));
        assert_eq!(interview_percent(&means(&names(), &[card(5, 5)])), Some(100.0));
        assert_eq!(interview_percent(&means(&names(), &[card(4, 2)])), Some(50.0));
    }

    #[test]
    fn proposals_meet_a_threshold_at_exactly_its_value() {
        let rules = HiringRules::new(60, 75.0, 50.0);
        // Test 75, interview all 4s = 75: combined exactly 75.
        let p = propose(&rules, 75.0, &means(&names(), &[card(4, 4)]), 1);
        assert_eq!(p.outcome, Some(Outcome::KpoOffer), "{}", p.reason);
        assert!(p.reason.contains("Combined 75.0"), "{}", p.reason);
        // Test 50, interview 50: combined exactly 50, the BPO threshold.
        let p = propose(&rules, 50.0, &means(&names(), &[card(3, 3)]), 1);
        assert_eq!(p.outcome, Some(Outcome::BpoOffer), "{}", p.reason);
        let p = propose(&rules, 49.0, &means(&names(), &[card(3, 3)]), 1);
        assert_eq!(p.outcome, Some(Outcome::NotSelected), "{}", p.reason);
        assert!(p.reason.contains("below the BPO offer threshold of 50"), "{}", p.reason);
        let p = propose(&rules, 90.0, &means(&names(), &[]), 0);
        assert_eq!(p.outcome, None);
    }

    #[test]
    fn rules_refuse_weights_and_thresholds_out_of_range() {
        assert!(HiringRules::default().problems().is_empty());
        let bad = HiringRules::new(120, 40.0, 60.0);
        let fields: Vec<&str> = bad.problems().iter().map(|p| p.0).collect();
        assert_eq!(fields, vec!["test_weight", "bpo_min"]);
    }
}
