//! The smaller promises: retrain wording, the band, refused input, tiers.

use super::tests::{assert_run, process, retrain, trainee, CLAIMS, POLICY};
use super::*;

#[test]
fn a_trainee_who_fits_only_full_processes_retrains_and_is_told_why() {
    let processes = vec![
        process(CLAIMS, "Claims Review", Tier::Complex, 70.0, 1, 1),
        process(POLICY, "Policy Servicing", Tier::Standard, 60.0, 2, 0).needing("Verbal", 65.0),
    ];
    let input = RoutingInput {
        trainees: vec![trainee(1, 75.0, true).scoring("Verbal", 50.0), trainee(2, 62.0, true)],
        processes,
        band: Band::Sem { points: 2.0 },
    };

    let run = route(&input).unwrap();

    assert_run(
        &run,
        &[
            retrain(
                1,
                "Ranked 1 of 2 at 75%; Claims Review (complex, cut-off 70%) was full, and no process with a \
                 free seat matches these scores: retrain.",
            ),
            retrain(
                2,
                "Ranked 2 of 2 at 62%; no process with a free seat matches these scores (Policy Servicing \
                 needs 65% in Verbal and there is no Verbal score): retrain.",
            ),
        ],
    );
}

#[test]
fn with_every_seat_taken_the_sentence_says_so() {
    let input = RoutingInput {
        trainees: vec![trainee(1, 99.0, true)],
        processes: vec![process(POLICY, "Policy Servicing", Tier::Standard, 100.0, 2, 2)],
        band: Band::Sem { points: 2.0 },
    };
    assert_run(
        &route(&input).unwrap(),
        &[retrain(1, "Ranked 1 of 1 at 99%; no process had a free seat: retrain.")],
    );
}

#[test]
fn the_band_is_the_sem_only_with_enough_attempts_and_a_defined_alpha() {
    match Band::for_exam(40, Some(10.0), Some(0.91), 3.0) {
        Band::Sem { points } => assert!((points - 3.0).abs() < 1e-9),
        other => panic!("expected the SEM, got {other:?}"),
    }
    let few = Band::for_exam(19, Some(10.0), Some(0.91), 3.0);
    let fewer_than_20 = Band::Default {
        points: 3.0,
        reason: "fewer than 20 graded attempts".to_owned(),
    };
    assert_eq!(few, fewer_than_20);
    let no_alpha = Band::for_exam(40, Some(10.0), None, 2.5);
    let undefined = Band::Default {
        points: 2.5,
        reason: "Cronbach's alpha is undefined for this exam".to_owned(),
    };
    assert_eq!(no_alpha, undefined);
}

#[test]
fn input_that_cannot_be_routed_is_refused() {
    let processes = vec![process(CLAIMS, "Claims Review", Tier::Complex, 70.0, 2, 0)];
    let route_with = |trainees: Vec<TraineeInput>| {
        route(&RoutingInput {
            trainees,
            processes: processes.clone(),
            band: Band::Sem { points: 2.0 },
        })
    };
    assert_eq!(
        route_with(vec![trainee(1, 80.0, true), trainee(1, 70.0, true)]),
        Err(RoutingError::DuplicateTrainee { trainee_id: UserId(1) })
    );
    assert_eq!(
        route_with(vec![trainee(1, 80.0, true).holding(ProcessId(9))]),
        Err(RoutingError::UnknownCurrentProcess {
            trainee_id: UserId(1),
            process_id: ProcessId(9)
        })
    );
    let uncounted = RoutingError::SeatsTakenTooLow {
        process_id: CLAIMS,
        holders: 1,
        seats_taken: 0,
    };
    assert_eq!(route_with(vec![trainee(1, 80.0, true).holding(CLAIMS)]), Err(uncounted));
    assert!(matches!(
        route_with(vec![trainee(1, f64::NAN, true)]),
        Err(RoutingError::NotANumber { .. })
    ));
}

#[test]
fn tiers_order_from_basic_to_critical_and_round_trip_as_text() {
    assert!(Tier::Critical > Tier::Complex);
    assert!(Tier::Complex > Tier::Standard);
    assert!(Tier::Standard > Tier::Basic);
    for tier in Tier::ALL {
        assert_eq!(tier.as_str().parse::<Tier>(), Ok(tier));
        assert_eq!(serde_json::to_string(&tier).unwrap(), format!("\"{tier}\""));
    }
    assert!("Critical".parse::<Tier>().is_err());
    assert_eq!("kpo".parse::<Track>(), Ok(Track::Kpo));
    assert_eq!(serde_json::to_string(&Track::Bpo).unwrap(), "\"bpo\"");
    assert_eq!("review".parse::<Status>(), Ok(Status::Review));
    assert_eq!(serde_json::to_string(&Status::Retrain).unwrap(), "\"retrain\"");
}

#[test]
fn a_decision_serializes_with_snake_case_fields_and_values() {
    let input = RoutingInput {
        trainees: vec![trainee(7, 64.0, true)],
        processes: vec![process(POLICY, "Policy Servicing", Tier::Standard, 60.0, 1, 0)],
        band: Band::Sem { points: 2.0 },
    };
    let json = serde_json::to_value(&route(&input).unwrap()[0]).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "trainee_id": 7,
            "rank": 1,
            "percent": 64.0,
            "status": "assigned",
            "process_id": POLICY,
            "review_process_id": null,
            "previous_process_id": null,
            "explanation":
                "Ranked 1 of 1 at 64%; Policy Servicing (standard, cut-off 60%) had 1 of 1 seats left: assigned.",
        })
    );
}
