//! Worked runs, written out line by line.

use std::collections::BTreeMap;

use super::*;

pub(super) const UNDERWRITING: ProcessId = ProcessId(1);
pub(super) const CLAIMS: ProcessId = ProcessId(2);
pub(super) const LEGAL: ProcessId = ProcessId(3);
pub(super) const POLICY: ProcessId = ProcessId(4);

/// A process with `taken` of its `seats` held by published assignments.
pub(super) fn process(id: ProcessId, name: &str, tier: Tier, min: f64, seats: u32, taken: u32) -> ProcessInput {
    ProcessInput {
        id,
        name: name.to_owned(),
        tier,
        min_percent: min,
        section_minimums: BTreeMap::new(),
        seats_total: seats,
        seats_taken: taken,
    }
}

pub(super) fn trainee(id: i32, percent: f64, passed: bool) -> TraineeInput {
    TraineeInput {
        id: UserId(id),
        percent,
        passed,
        sections: BTreeMap::new(),
        tie_break_score: 0.0,
        submitted_at: 0,
        current_process_id: None,
        own_band: None,
    }
}

impl ProcessInput {
    pub(super) fn needing(mut self, section: &str, min: f64) -> Self {
        self.section_minimums.insert(section.to_owned(), min);
        self
    }
}

impl TraineeInput {
    pub(super) fn scoring(mut self, section: &str, percent: f64) -> Self {
        self.sections.insert(section.to_owned(), percent);
        self
    }

    pub(super) fn tie_break(mut self, score: f64, submitted_at: i64) -> Self {
        self.tie_break_score = score;
        self.submitted_at = submitted_at;
        self
    }

    pub(super) fn holding(mut self, process_id: ProcessId) -> Self {
        self.current_process_id = Some(process_id);
        self
    }
}

/// What a line should say: trainee, status, process, review process,
/// explanation.
pub(super) type Line = (UserId, Status, Option<ProcessId>, Option<ProcessId>, &'static str);

pub(super) fn assigned(trainee_id: i32, process_id: ProcessId, explanation: &'static str) -> Line {
    (
        UserId(trainee_id),
        Status::Assigned,
        Some(process_id),
        None,
        explanation,
    )
}

fn review(trainee_id: i32, process_id: ProcessId, review_id: ProcessId, explanation: &'static str) -> Line {
    (
        UserId(trainee_id),
        Status::Review,
        Some(process_id),
        Some(review_id),
        explanation,
    )
}

pub(super) fn retrain(trainee_id: i32, explanation: &'static str) -> Line {
    (UserId(trainee_id), Status::Retrain, None, None, explanation)
}

pub(super) fn assert_run(run: &[Decision], expected: &[Line]) {
    assert_eq!(run.len(), expected.len(), "one line per trainee");
    for (position, (d, want)) in run.iter().zip(expected).enumerate() {
        let rank = u32::try_from(position + 1).unwrap();
        assert_eq!(d.rank, rank);
        let got = (
            d.trainee_id,
            d.status,
            d.process_id,
            d.review_process_id,
            d.explanation.as_str(),
        );
        assert_eq!(got, *want, "line {rank}");
    }
}

#[test]
fn a_cohort_is_routed_most_complex_tier_first_with_one_sentence_per_line() {
    let processes = vec![
        process(UNDERWRITING, "Underwriting", Tier::Critical, 80.0, 3, 0).needing("Quantitative", 70.0),
        process(CLAIMS, "Claims Review", Tier::Complex, 70.0, 1, 0),
        process(LEGAL, "Legal Research", Tier::Complex, 70.0, 2, 0).needing("Verbal", 75.0),
        process(POLICY, "Policy Servicing", Tier::Standard, 60.0, 3, 0),
    ];
    let scored = |id, percent, passed, quantitative, verbal| {
        trainee(id, percent, passed)
            .scoring("Quantitative", quantitative)
            .scoring("Verbal", verbal)
    };
    // Listed out of order on purpose: the ranking alone decides.
    let trainees = vec![
        scored(110, 41.0, false, 40.0, 42.0),
        scored(108, 66.0, true, 60.0, 70.0),
        // 104 and 105 tie on percent and on tie-break score: 105 submitted first.
        scored(104, 81.0, true, 78.0, 80.0).tie_break(30.0, 5_000),
        scored(105, 81.0, true, 62.0, 85.0).tie_break(30.0, 4_000),
        scored(109, 57.0, true, 50.0, 60.0),
        // 102 and 103 tie on percent: 103's tie-break score is higher.
        scored(102, 85.0, true, 75.0, 70.0).tie_break(38.0, 1_000),
        scored(103, 85.0, true, 68.0, 80.0).tie_break(40.0, 2_000),
        scored(101, 92.0, true, 90.0, 88.0),
        scored(106, 80.5, true, 71.0, 76.0),
        scored(107, 78.5, true, 74.0, 70.0),
    ];
    let input = RoutingInput {
        trainees,
        processes,
        band: Band::Sem { points: 2.5 },
    };

    let run = route(&input).unwrap();

    assert_run(
        &run,
        &[
            assigned(
                101,
                UNDERWRITING,
                "Ranked 1 of 10 at 92%; Underwriting (critical, cut-off 80%) had 3 of 3 seats left: assigned.",
            ),
            // Within the SEM of Underwriting's section minimum: holds the
            // complex seat with the most free seats, and a person decides.
            review(
                103,
                LEGAL,
                UNDERWRITING,
                "Ranked 2 of 10 at 85%; assigned to Legal Research (complex, cut-off 70%) with 2 of 2 seats \
                 left; 2 points below Underwriting's 70% minimum in Quantitative, within the standard error \
                 of 2.5 points: review.",
            ),
            assigned(
                102,
                UNDERWRITING,
                "Ranked 3 of 10 at 85%; Underwriting (critical, cut-off 80%) had 2 of 3 seats left: assigned.",
            ),
            // A section minimum missed by more than the SEM. Both complex
            // processes have one seat left, so the name decides.
            assigned(
                105,
                CLAIMS,
                "Ranked 4 of 10 at 81%; Underwriting needs 70% in Quantitative and you scored 62%, so \
                 Claims Review (complex, cut-off 70%) with 1 of 1 seats left: assigned.",
            ),
            assigned(
                104,
                UNDERWRITING,
                "Ranked 5 of 10 at 81%; Underwriting (critical, cut-off 80%) had 1 of 3 seats left: assigned.",
            ),
            assigned(
                106,
                LEGAL,
                "Ranked 6 of 10 at 80.5%; Underwriting (critical, cut-off 80%) was full, so Legal Research \
                 (complex, cut-off 70%) with 1 of 2 seats left: assigned.",
            ),
            // 1.5 points short of Underwriting, but it is full: no review.
            assigned(
                107,
                POLICY,
                "Ranked 7 of 10 at 78.5%; Claims Review (complex, cut-off 70%) was full, so Policy Servicing \
                 (standard, cut-off 60%) with 3 of 3 seats left: assigned.",
            ),
            assigned(
                108,
                POLICY,
                "Ranked 8 of 10 at 66%; Policy Servicing (standard, cut-off 60%) had 2 of 3 seats left: assigned.",
            ),
            retrain(
                109,
                "Ranked 9 of 10 at 57%; no process with a free seat matches these scores (Policy Servicing \
                 needs 60%): retrain.",
            ),
            retrain(
                110,
                "Ranked 10 of 10 at 41%; the exam's pass mark was not met: retrain, a re-exam is due.",
            ),
        ],
    );
    assert_eq!(check_capacity(&run, &input.processes), Ok(()));
}

#[test]
fn a_re_exam_promotes_into_free_seats_and_never_moves_anyone_down() {
    // Seats held by published runs: Underwriting by 204 and someone outside
    // this cohort, Claims Review by 201 and 202, Policy Servicing by 203 and
    // 207.
    let processes = vec![
        process(UNDERWRITING, "Underwriting", Tier::Critical, 80.0, 3, 2),
        process(CLAIMS, "Claims Review", Tier::Complex, 70.0, 2, 2),
        process(POLICY, "Policy Servicing", Tier::Standard, 60.0, 3, 2),
    ];
    let trainees = vec![
        trainee(201, 86.0, true).holding(CLAIMS),
        trainee(202, 81.0, true).holding(CLAIMS),
        trainee(203, 74.0, true).holding(POLICY),
        trainee(205, 72.0, true),
        trainee(204, 65.0, true).holding(UNDERWRITING),
        trainee(206, 63.0, true),
        trainee(207, 45.0, false).holding(POLICY),
    ];
    let input = RoutingInput {
        trainees,
        processes,
        band: Band::for_exam(12, Some(10.0), Some(0.8), 3.0),
    };

    let run = route(&input).unwrap();

    assert_run(
        &run,
        &[
            assigned(
                201,
                UNDERWRITING,
                "Ranked 1 of 7 at 86%; moved up from Claims Review (complex) to Underwriting (critical, \
                 cut-off 80%), which had 1 of 3 seats left: assigned.",
            ),
            assigned(
                202,
                CLAIMS,
                "Ranked 2 of 7 at 81%; keeps Claims Review (complex, cut-off 70%); the re-exam does not \
                 qualify for a higher tier with a free seat: assigned.",
            ),
            // The seat 201 gave up goes to the best-ranked trainee who fits.
            assigned(
                203,
                CLAIMS,
                "Ranked 3 of 7 at 74%; moved up from Policy Servicing (standard) to Claims Review (complex, \
                 cut-off 70%), which had 1 of 2 seats left after someone moved up: assigned.",
            ),
            assigned(
                205,
                POLICY,
                "Ranked 4 of 7 at 72%; Claims Review (complex, cut-off 70%) was full, so Policy Servicing \
                 (standard, cut-off 60%) with 1 of 3 seats left: assigned.",
            ),
            assigned(
                204,
                UNDERWRITING,
                "Ranked 5 of 7 at 65%; keeps Underwriting (critical, cut-off 80%); the re-exam is below its \
                 cut-offs, and a re-exam never moves anyone down: assigned.",
            ),
            // Policy Servicing was full at 206's turn; 203's move freed a seat.
            assigned(
                206,
                POLICY,
                "Ranked 6 of 7 at 63%; Policy Servicing (standard, cut-off 60%) had 1 of 3 seats left after \
                 someone moved up: assigned.",
            ),
            assigned(
                207,
                POLICY,
                "Ranked 7 of 7 at 45%; keeps Policy Servicing (standard, cut-off 60%); the re-exam's pass \
                 mark was not met, and a re-exam never moves anyone down: assigned.",
            ),
        ],
    );
    let previous: BTreeMap<UserId, Option<ProcessId>> =
        run.iter().map(|d| (d.trainee_id, d.previous_process_id)).collect();
    assert_eq!(previous[&UserId(201)], Some(CLAIMS));
    assert_eq!(previous[&UserId(205)], None);
    assert_eq!(check_capacity(&run, &input.processes), Ok(()));

    // Published seats still count: 205 cannot be pushed into the full
    // Claims Review, but may be sent to retrain.
    let into_full = Override {
        trainee_id: UserId(205),
        process_id: Some(CLAIMS),
        reason: "Client asked for them".to_owned(),
    };
    assert_eq!(
        apply_override(&run, &input.processes, &into_full),
        Err("Claims Review has 2 seats, and this would put 3 trainees in it.".to_owned())
    );
    let to_retrain = Override {
        trainee_id: UserId(205),
        process_id: None,
        reason: "Wants to retake the exam.".to_owned(),
    };
    let run = apply_override(&run, &input.processes, &to_retrain).unwrap();
    assert_eq!(
        run[3].explanation,
        "Ranked 4 of 7 at 72%; a trainer chose retrain: Wants to retake the exam."
    );
    assert_eq!((run[3].status, run[3].process_id), (Status::Retrain, None));
}

#[test]
fn a_seat_freed_by_a_promotion_goes_to_the_best_ranked_trainee_who_fits() {
    // 1 misses Underwriting on a section and finds Claims Review full: its
    // only seat is 2's published one. 2 then moves up, and the freed seat goes
    // to 1, not to 3, who comes next in the walk.
    let processes = vec![
        process(UNDERWRITING, "Underwriting", Tier::Critical, 80.0, 1, 0).needing("Quantitative", 70.0),
        process(CLAIMS, "Claims Review", Tier::Complex, 70.0, 1, 1),
        process(POLICY, "Policy Servicing", Tier::Standard, 60.0, 2, 0),
    ];
    let input = RoutingInput {
        trainees: vec![
            trainee(1, 85.0, true).scoring("Quantitative", 60.0),
            trainee(2, 82.0, true).scoring("Quantitative", 80.0).holding(CLAIMS),
            trainee(3, 75.0, true).scoring("Quantitative", 75.0),
        ],
        processes,
        band: Band::Sem { points: 2.0 },
    };

    let run = route(&input).unwrap();

    assert_run(
        &run,
        &[
            assigned(
                1,
                CLAIMS,
                "Ranked 1 of 3 at 85%; Underwriting needs 70% in Quantitative and you scored 60%, so Claims \
                 Review (complex, cut-off 70%) with 1 of 1 seats left after someone moved up: assigned.",
            ),
            assigned(
                2,
                UNDERWRITING,
                "Ranked 2 of 3 at 82%; moved up from Claims Review (complex) to Underwriting (critical, \
                 cut-off 80%), which had 1 of 1 seats left: assigned.",
            ),
            assigned(
                3,
                POLICY,
                "Ranked 3 of 3 at 75%; Claims Review (complex, cut-off 70%) was full, so Policy Servicing \
                 (standard, cut-off 60%) with 1 of 2 seats left: assigned.",
            ),
        ],
    );
    assert_eq!(check_capacity(&run, &input.processes), Ok(()));
}

#[test]
fn a_review_names_the_default_band_and_a_trainer_resolves_it() {
    let processes = vec![
        process(UNDERWRITING, "Underwriting", Tier::Critical, 80.0, 1, 0),
        process(CLAIMS, "Claims Review", Tier::Complex, 70.0, 1, 0),
    ];
    let input = RoutingInput {
        trainees: vec![trainee(301, 78.5, true)],
        processes,
        band: Band::for_exam(12, Some(10.0), Some(0.8), 3.0),
    };

    let run = route(&input).unwrap();

    assert_run(
        &run,
        &[review(
            301,
            CLAIMS,
            UNDERWRITING,
            "Ranked 1 of 1 at 78.5%; assigned to Claims Review (complex, cut-off 70%) with 1 of 1 seats left; \
             1.5 points below Underwriting's cut-off of 80%, within the default band of 3 points (fewer \
             than 20 graded attempts): review.",
        )],
    );

    let promote = Override {
        trainee_id: UserId(301),
        process_id: Some(UNDERWRITING),
        reason: "Strong case study in the interview".to_owned(),
    };
    let resolved = apply_override(&run, &input.processes, &promote).unwrap();
    assert_run(
        &resolved,
        &[assigned(
            301,
            UNDERWRITING,
            "Ranked 1 of 1 at 78.5%; a trainer assigned Underwriting (critical, cut-off 80%): Strong case \
             study in the interview.",
        )],
    );

    let without_reason = Override {
        trainee_id: UserId(301),
        process_id: Some(CLAIMS),
        reason: "  ".to_owned(),
    };
    assert_eq!(
        apply_override(&run, &input.processes, &without_reason),
        Err("An override needs a reason.".to_owned())
    );
}

#[test]
fn on_an_adaptive_exam_each_trainee_is_reviewed_within_their_own_standard_error() {
    let processes = vec![
        process(UNDERWRITING, "Underwriting", Tier::Critical, 80.0, 2, 0),
        process(CLAIMS, "Claims Review", Tier::Complex, 70.0, 2, 0),
    ];
    // Both are 1.5 points short of Underwriting; the run's band (1 point)
    // would review neither, but the first was measured less precisely.
    let mut unsure = trainee(401, 78.5, true);
    unsure.own_band = Some(2.0);
    let mut sure = trainee(402, 78.5, true).tie_break(0.0, 1);
    sure.own_band = Some(1.0);
    let input = RoutingInput {
        trainees: vec![unsure, sure],
        processes,
        band: Band::Adaptive { points: 1.0 },
    };
    let run = route(&input).unwrap();
    let line = |id: i32| run.iter().find(|d| d.trainee_id == UserId(id)).unwrap();
    assert_eq!(line(401).status, Status::Review, "{}", line(401).explanation);
    assert_eq!(line(401).review_process_id, Some(UNDERWRITING));
    assert!(
        line(401)
            .explanation
            .contains("within your own standard error of 2 points"),
        "{}",
        line(401).explanation
    );
    assert_eq!(line(402).status, Status::Assigned, "{}", line(402).explanation);
    assert_eq!(line(402).process_id, Some(CLAIMS));
}
