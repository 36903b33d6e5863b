//! Drawing a form: which question versions an attempt gets, in which order,
//! with which option order. Pure and seeded, so a form can be reproduced.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;

use super::blueprint::Section;
use super::plan::{points_on_form, SectionPlan};
use crate::banks::question::{Difficulty, QuestionType};
use crate::convert::{to_i32, to_usize};
use crate::db::{QuestionId, VersionId};

/// A question a section may draw: what the draw needs, and no body, so a
/// start reads and parses only the bodies of the questions it drew.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub question_id: QuestionId,
    pub version_id: VersionId,
    pub difficulty: Difficulty,
    pub qtype: QuestionType,
    pub points: f64,
}

/// One slot of a drawn form.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub section: String,
    pub slot: i32,
    pub question_id: QuestionId,
    pub version_id: VersionId,
    pub qtype: QuestionType,
    pub points: f64,
    /// Displayed position i shows the question's option `option_order[i]`.
    pub option_order: Vec<usize>,
}

/// How many questions each difficulty needs, and how many the pool has.
pub fn shortfalls(section: &Section, pool: &[Candidate]) -> Vec<(Option<Difficulty>, u32, usize)> {
    match section.difficulty_mix {
        Some(mix) => Difficulty::ALL
            .into_iter()
            .filter(|d| mix.of(*d) > 0)
            .map(|d| (Some(d), mix.of(d), pool.iter().filter(|c| c.difficulty == d).count()))
            .filter(|(_, need, have)| *have < to_usize(*need))
            .collect(),
        None if pool.len() < to_usize(section.count) => vec![(None, section.count, pool.len())],
        None => vec![],
    }
}

/// A form whose questions are drawn and whose options are not yet ordered:
/// ordering them needs each drawn question's option count, which only its
/// body tells.
pub struct Drawn {
    rng: StdRng,
    items: Vec<Item>,
}

/// Draws one form's questions. `pools[i]` holds section i's candidates in a
/// stable order (by question id), so the same seed gives the same form;
/// `plans[i]` says how many of each difficulty and points value section i
/// takes, so every seed gives a form of the same total and mix.
pub fn draw_questions(
    sections: &[Section],
    plans: &[SectionPlan],
    pools: &[Vec<Candidate>],
    seed: u64,
    shuffle_questions: bool,
) -> Drawn {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut items = Vec::new();
    for ((section, plan), pool) in sections.iter().zip(plans).zip(pools) {
        let mut chosen: Vec<&Candidate> = Vec::new();
        for stratum in plan {
            let mut fits: Vec<&Candidate> = pool.iter().filter(|c| stratum.admits(section, c)).collect();
            fits.shuffle(&mut rng);
            chosen.extend(fits.into_iter().take(to_usize(stratum.count)));
        }
        // A drawn set is shown in bank order unless shuffling is asked for.
        if shuffle_questions {
            chosen.shuffle(&mut rng);
        } else {
            chosen.sort_by_key(|c| c.question_id);
        }
        for (slot, c) in chosen.into_iter().enumerate() {
            items.push(Item {
                section: section.name.clone(),
                slot: to_i32(slot),
                question_id: c.question_id,
                version_id: c.version_id,
                qtype: c.qtype,
                points: points_on_form(section, c),
                option_order: Vec::new(),
            });
        }
    }
    Drawn { rng, items }
}

impl Drawn {
    /// The drawn question versions, whose bodies give their option counts.
    pub fn version_ids(&self) -> Vec<VersionId> {
        self.items.iter().map(|i| i.version_id).collect()
    }

    /// Orders each drawn question's options, going on with the draw's own
    /// random sequence; `option_count` gives a version's number of options.
    pub fn order_options(mut self, shuffle_options: bool, option_count: impl Fn(VersionId) -> usize) -> Vec<Item> {
        for item in &mut self.items {
            let mut option_order: Vec<usize> = (0..option_count(item.version_id)).collect();
            // True/false keeps its order: shuffling "True, False" only confuses.
            if shuffle_options && item.qtype != QuestionType::TrueFalse {
                option_order.shuffle(&mut self.rng);
            }
            item.option_order = option_order;
        }
        self.items
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assessments::blueprint::DifficultyMix;
    use crate::assessments::plan::plan_section;
    use crate::db::BankId;

    fn pool(n: i32) -> Vec<Candidate> {
        (1..=n)
            .map(|i| Candidate {
                question_id: QuestionId(i),
                version_id: VersionId(i * 10),
                difficulty: Difficulty::ALL[to_usize(i % 3)],
                qtype: QuestionType::SingleChoice,
                points: 1.0,
            })
            .collect()
    }

    /// Draws with every question having four options, to each section's plan.
    fn draw(sections: &[Section], pools: &[Vec<Candidate>], seed: u64, questions: bool, options: bool) -> Vec<Item> {
        let plans: Vec<SectionPlan> = sections.iter().zip(pools).map(|(s, p)| plan_section(s, p)).collect();
        draw_questions(sections, &plans, pools, seed, questions).order_options(options, |_| 4)
    }

    fn section(count: u32, mix: Option<DifficultyMix>) -> Section {
        Section {
            name: "S".into(),
            bank_id: BankId(1),
            category: None,
            count,
            difficulty_mix: mix,
            points_each: None,
        }
    }

    #[test]
    fn the_same_seed_draws_the_same_form_and_another_seed_usually_does_not() {
        let sections = vec![section(10, None)];
        let pools = vec![pool(40)];
        let a = draw(&sections, &pools, 7, true, true);
        assert_eq!(a, draw(&sections, &pools, 7, true, true));
        assert_ne!(a, draw(&sections, &pools, 8, true, true));
        assert_eq!(a.len(), 10);
        let mut ids: Vec<_> = a.iter().map(|i| i.question_id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 10, "no question twice");
    }

    #[test]
    fn a_difficulty_mix_is_drawn_exactly() {
        let mix = DifficultyMix {
            easy: 2,
            medium: 3,
            hard: 4,
        };
        let items = draw(&[section(9, Some(mix))], &[pool(30)], 1, false, false);
        let pool = pool(30);
        let count = |d| {
            items
                .iter()
                .filter(|i| pool.iter().any(|c| c.question_id == i.question_id && c.difficulty == d))
                .count()
        };
        assert_eq!(
            (
                count(Difficulty::Easy),
                count(Difficulty::Medium),
                count(Difficulty::Hard)
            ),
            (2, 3, 4)
        );
    }

    #[test]
    fn shortfalls_name_the_difficulty_and_the_numbers() {
        let mix = DifficultyMix {
            easy: 0,
            medium: 0,
            hard: 20,
        };
        let short = shortfalls(&section(20, Some(mix)), &pool(30));
        assert_eq!(short, vec![(Some(Difficulty::Hard), 20, 10)]);
        assert!(shortfalls(&section(5, None), &pool(30)).is_empty());
    }

    #[test]
    fn options_keep_their_order_unless_shuffled() {
        let items = draw(&[section(3, None)], &[pool(3)], 3, false, false);
        assert!(items.iter().all(|i| i.option_order == vec![0, 1, 2, 3]));
    }
}

/// The promise that makes ranking candidates together fair: whatever the
/// seed, every form of one blueprint is worth the same points and has the
/// same difficulty mix in each section.
#[cfg(test)]
mod equal_forms {
    use std::collections::BTreeMap;

    use rand::RngExt;

    use super::*;
    use crate::assessments::blueprint::DifficultyMix;
    use crate::assessments::plan::{plan_section, total_points};
    use crate::db::BankId;

    /// A random pool of 1 to 60 questions of mixed difficulty and points.
    fn random_pool(rng: &mut StdRng, first_id: i32) -> Vec<Candidate> {
        let size = rng.random_range(1..=60);
        let points = [0.5, 1.0, 1.5, 2.0, 3.0];
        // Some pools have a single points value, most have several.
        let kinds = rng.random_range(1..=points.len());
        (0..size)
            .map(|i| Candidate {
                question_id: QuestionId(first_id + i),
                version_id: VersionId(first_id + i + 100_000),
                difficulty: Difficulty::ALL[rng.random_range(0..3)],
                qtype: QuestionType::SingleChoice,
                points: points[rng.random_range(0..kinds)],
            })
            .collect()
    }

    /// A section the pool can fill: a random count, and half the time a
    /// difficulty mix within what the pool has, and points per question.
    fn random_section(rng: &mut StdRng, name: &str, pool: &[Candidate]) -> Section {
        let have = |d| u32::try_from(pool.iter().filter(|c| c.difficulty == d).count()).unwrap();
        let difficulty_mix = rng.random_bool(0.5).then(|| DifficultyMix {
            easy: rng.random_range(0..=have(Difficulty::Easy)),
            medium: rng.random_range(0..=have(Difficulty::Medium)),
            hard: rng.random_range(0..=have(Difficulty::Hard)),
        });
        let count = match difficulty_mix {
            Some(mix) => mix.total(),
            None => rng.random_range(1..=u32::try_from(pool.len()).unwrap()),
        };
        Section {
            name: name.into(),
            bank_id: BankId(1),
            category: None,
            count,
            difficulty_mix,
            points_each: rng.random_bool(0.2).then_some(2.0),
        }
    }

    /// Per section: total points and how many of each difficulty.
    fn shape(form: &[Item], pools: &[Vec<Candidate>]) -> BTreeMap<String, (f64, [usize; 3])> {
        let mut shape: BTreeMap<String, (f64, [usize; 3])> = BTreeMap::new();
        for item in form {
            let d = pools
                .iter()
                .flatten()
                .find(|c| c.question_id == item.question_id)
                .unwrap()
                .difficulty;
            let entry = shape.entry(item.section.clone()).or_default();
            entry.0 += item.points;
            entry.1[Difficulty::ALL.iter().position(|x| *x == d).unwrap()] += 1;
        }
        shape
    }

    #[test]
    fn every_seed_draws_a_form_of_the_same_total_and_difficulty_mix() {
        let mut draws = 0;
        for world in 0..400u64 {
            let mut rng = StdRng::seed_from_u64(world);
            let pools = vec![random_pool(&mut rng, 1), random_pool(&mut rng, 1_000)];
            let sections: Vec<Section> = ["A", "B"]
                .iter()
                .zip(&pools)
                .map(|(name, pool)| random_section(&mut rng, name, pool))
                .collect();
            let plans: Vec<SectionPlan> = sections.iter().zip(&pools).map(|(s, p)| plan_section(s, p)).collect();
            for (section, plan) in sections.iter().zip(&plans) {
                let planned: u32 = plan.iter().map(|s| s.count).sum();
                assert_eq!(
                    planned, section.count,
                    "world {world}: the plan draws the section's count"
                );
                if let Some(mix) = section.difficulty_mix {
                    for d in Difficulty::ALL {
                        let of_d: u32 = plan.iter().filter(|s| s.difficulty == d).map(|s| s.count).sum();
                        assert_eq!(of_d, mix.of(d), "world {world}: the plan keeps the mix asked for");
                    }
                }
            }
            let expected_total: f64 = plans.iter().map(|p| total_points(p)).sum();
            let shuffle = rng.random_bool(0.5);
            let mut first = None;
            for seed in 0..25u64 {
                let form = draw_questions(&sections, &plans, &pools, seed, shuffle).order_options(false, |_| 4);
                draws += 1;
                let total: f64 = form.iter().map(|i| i.points).sum();
                assert_eq!(total, expected_total, "world {world} seed {seed}: form total");
                let count: u32 = sections.iter().map(|s| s.count).sum();
                assert_eq!(form.len(), usize::try_from(count).unwrap());
                let mut ids: Vec<_> = form.iter().map(|i| i.question_id).collect();
                ids.sort();
                ids.dedup();
                assert_eq!(ids.len(), form.len(), "world {world} seed {seed}: no question twice");
                let this = shape(&form, &pools);
                match &first {
                    None => first = Some(this),
                    Some(first) => assert_eq!(&this, first, "world {world} seed {seed}: section shapes"),
                }
            }
        }
        assert_eq!(draws, 10_000);
    }
}
