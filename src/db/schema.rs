// One schema for both backends: portable types only, enums stored as Text.

diesel::table! {
    users (id) {
        id -> Integer,
        email -> Text,
        full_name -> Text,
        role -> Text,
        password_hash -> Text,
        active -> Bool,
        accommodation_factor -> Double,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sessions (id) {
        id -> Integer,
        user_id -> Integer,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    login_failures (id) {
        id -> Integer,
        email -> Text,
        failed_at -> Timestamp,
        client_addr -> Text,
        cleared -> Bool,
        pending -> Bool,
    }
}

diesel::table! {
    password_resets (id) {
        id -> Integer,
        user_id -> Integer,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    candidate_profiles (user_id) {
        user_id -> Integer,
        degree -> Nullable<Text>,
        institute -> Nullable<Text>,
        graduation_year -> Nullable<Integer>,
        score_percent -> Nullable<Double>,
        degree_class -> Nullable<Text>,
        domain -> Nullable<Text>,
        experience_years -> Nullable<Integer>,
        preferred_track -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Integer,
        actor_id -> Nullable<Integer>,
        action -> Text,
        entity -> Text,
        entity_id -> Nullable<Integer>,
        detail -> Text,
        at -> Timestamp,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(candidate_profiles -> users (user_id));
diesel::joinable!(password_resets -> users (user_id));

diesel::table! {
    notices (id) {
        id -> Integer,
        kind -> Text,
        event_key -> Text,
        recipient_id -> Nullable<Integer>,
        recipient_email -> Text,
        recipient_name -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        status -> Text,
        tries -> Integer,
        next_try_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        attachment_name -> Nullable<Text>,
        attachment_type -> Nullable<Text>,
        attachment_body -> Nullable<Text>,
    }
}

diesel::table! {
    notice_tries (id) {
        id -> Integer,
        notice_id -> Integer,
        tried_at -> Timestamp,
        succeeded -> Bool,
        error -> Nullable<Text>,
    }
}

diesel::joinable!(notice_tries -> notices (notice_id));

diesel::table! {
    webhook_endpoints (id) {
        id -> Integer,
        url -> Text,
        description -> Text,
        secret -> Text,
        events -> Text,
        active -> Bool,
        created_by -> Nullable<Integer>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Integer,
        endpoint_id -> Integer,
        event_id -> Text,
        event_type -> Text,
        body -> Text,
        status -> Text,
        tries -> Integer,
        next_try_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        delivered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_tries (id) {
        id -> Integer,
        delivery_id -> Integer,
        tried_at -> Timestamp,
        status_code -> Nullable<Integer>,
        succeeded -> Bool,
        error -> Nullable<Text>,
    }
}

diesel::table! {
    campus_invitations (id) {
        id -> Integer,
        drive_id -> Integer,
        email -> Text,
        full_name -> Text,
        degree -> Nullable<Text>,
        institute -> Nullable<Text>,
        score_percent -> Nullable<Double>,
        token_hash -> Text,
        user_id -> Nullable<Integer>,
        created_by -> Nullable<Integer>,
        created_at -> Timestamp,
        accepted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    campus_uploads (id) {
        id -> Integer,
        drive_id -> Integer,
        file_name -> Text,
        xlsx -> Bool,
        bytes -> Binary,
        created_by -> Integer,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        invited -> Nullable<Integer>,
    }
}

diesel::table! {
    service_tokens (id) {
        id -> Integer,
        name -> Text,
        scope -> Text,
        token_hash -> Text,
        token_prefix -> Text,
        requests_per_minute -> Integer,
        created_by -> Integer,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        revoked_by -> Nullable<Integer>,
        last_used_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(service_tokens -> users (created_by));

diesel::joinable!(webhook_deliveries -> webhook_endpoints (endpoint_id));
diesel::joinable!(webhook_tries -> webhook_deliveries (delivery_id));

diesel::table! {
    banks (id) {
        id -> Integer,
        name -> Text,
        category -> Nullable<Text>,
        created_by -> Nullable<Integer>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    questions (id) {
        id -> Integer,
        bank_id -> Integer,
        external_id -> Nullable<Text>,
        category -> Text,
        stem_key -> Text,
        current_version -> Integer,
        retired -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    question_versions (id) {
        id -> Integer,
        question_id -> Integer,
        version -> Integer,
        qtype -> Text,
        difficulty -> Text,
        points -> Double,
        name -> Nullable<Text>,
        stem -> Text,
        stem_format -> Text,
        body -> Text,
        tags -> Text,
        explanation -> Nullable<Text>,
        content_hash -> Text,
        quarantined -> Bool,
        quarantine_reason -> Nullable<Text>,
        created_by -> Nullable<Integer>,
        created_at -> Timestamp,
        irt_a -> Nullable<Double>,
        irt_b -> Nullable<Double>,
        rendered -> Nullable<Text>,
    }
}

diesel::table! {
    bank_imports (id) {
        id -> Integer,
        bank_id -> Nullable<Integer>,
        bank_name -> Text,
        user_id -> Nullable<Integer>,
        file_name -> Text,
        format -> Text,
        status -> Text,
        skip_unsupported -> Bool,
        content -> Text,
        created -> Integer,
        updated -> Integer,
        unchanged -> Integer,
        warnings -> Integer,
        created_at -> Timestamp,
        applied_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    images (sha256) {
        sha256 -> Text,
        content_type -> Text,
        bytes -> Binary,
        size -> Integer,
        created_by -> Nullable<Integer>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    version_images (version_id, sha256) {
        version_id -> Integer,
        sha256 -> Text,
        shown_while_answering -> Bool,
    }
}

diesel::joinable!(questions -> banks (bank_id));
diesel::joinable!(version_images -> question_versions (version_id));
diesel::joinable!(version_images -> images (sha256));
diesel::joinable!(question_versions -> questions (question_id));
diesel::joinable!(bank_imports -> banks (bank_id));

diesel::table! {
    assessments (id) {
        id -> Integer,
        title -> Text,
        kind -> Text,
        sections -> Text,
        time_limit_minutes -> Integer,
        pass_percent -> Double,
        negative_marking -> Double,
        shuffle_questions -> Bool,
        shuffle_options -> Bool,
        max_attempts -> Integer,
        grace_seconds -> Integer,
        opens_at -> Nullable<Timestamp>,
        closes_at -> Nullable<Timestamp>,
        show_score -> Bool,
        created_by -> Nullable<Integer>,
        created_at -> Timestamp,
        form_plan -> Nullable<Text>,

        adaptive -> Nullable<Text>,
    }
}

diesel::table! {
    drives (id) {
        id -> Integer,
        name -> Text,
        description -> Text,
        assessment_id -> Integer,
        min_score_percent -> Nullable<Double>,
        min_degree_class -> Nullable<Text>,
        degrees -> Text,
        domains -> Text,
        tie_break_sections -> Text,
        opens_at -> Nullable<Timestamp>,
        closes_at -> Nullable<Timestamp>,
        created_by -> Nullable<Integer>,
        created_at -> Timestamp,
        state -> Text,
        invite_code -> Nullable<Text>,
    }
}

diesel::table! {
    attempts (id) {
        id -> Integer,
        assessment_id -> Integer,
        user_id -> Integer,
        attempt_no -> Integer,
        status -> Text,
        seed -> BigInt,
        started_at -> Timestamp,
        deadline -> Timestamp,
        submitted_at -> Nullable<Timestamp>,
        graded_at -> Nullable<Timestamp>,
        score -> Nullable<Double>,
        max_score -> Double,
        percent -> Nullable<Double>,
        passed -> Nullable<Bool>,
        focus_losses -> Integer,
        pastes -> Integer,
        counting -> Bool,
        theta -> Nullable<Double>,
        theta_se -> Nullable<Double>,
        adaptive_stop -> Nullable<Text>,
    }
}

diesel::table! {
    attempt_items (id) {
        id -> Integer,
        attempt_id -> Integer,
        position -> Integer,
        section -> Text,
        slot -> Integer,
        question_id -> Integer,
        version_id -> Integer,
        qtype -> Text,
        points -> Double,
        option_order -> Text,
        score -> Nullable<Double>,
        marked_by -> Nullable<Integer>,
    }
}

diesel::table! {
    attempt_flags (attempt_id, question_id) {
        attempt_id -> Integer,
        question_id -> Integer,
    }
}

diesel::table! {
    responses (attempt_id, question_id) {
        attempt_id -> Integer,
        question_id -> Integer,
        answer -> Text,
        seq -> BigInt,
        saved_at -> Timestamp,
    }
}

diesel::table! {
    attempt_signals (id) {
        id -> Integer,
        attempt_id -> Integer,
        kind -> Text,
        at -> Timestamp,
        returned_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    applications (id) {
        id -> Integer,
        drive_id -> Integer,
        candidate_id -> Integer,
        status -> Text,
        eligible -> Bool,
        reason -> Text,
        attempt_id -> Nullable<Integer>,
        percent -> Nullable<Double>,
        tie_break -> Nullable<Double>,
        submitted_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        sort_key -> Nullable<Text>,
    }
}

diesel::table! {
    application_events (id) {
        id -> Integer,
        application_id -> Integer,
        from_status -> Nullable<Text>,
        to_status -> Text,
        actor_id -> Nullable<Integer>,
        note -> Text,
        at -> Timestamp,
    }
}

diesel::joinable!(drives -> assessments (assessment_id));
diesel::joinable!(attempts -> assessments (assessment_id));
diesel::joinable!(attempts -> users (user_id));
diesel::joinable!(attempt_items -> attempts (attempt_id));
diesel::joinable!(attempt_items -> question_versions (version_id));
diesel::joinable!(responses -> attempts (attempt_id));
diesel::joinable!(attempt_flags -> attempts (attempt_id));
diesel::joinable!(applications -> drives (drive_id));
diesel::joinable!(applications -> users (candidate_id));
diesel::joinable!(application_events -> applications (application_id));
diesel::joinable!(application_sections -> applications (application_id));

diesel::table! {
    cohorts (id) {
        id -> Integer,
        name -> Text,
        starts_on -> Timestamp,
        ends_on -> Timestamp,
        created_by -> Nullable<Integer>,
        created_at -> Timestamp,
        seats -> Nullable<Integer>,
    }
}

diesel::table! {
    cohort_trainees (cohort_id, user_id) {
        cohort_id -> Integer,
        user_id -> Integer,
        application_id -> Nullable<Integer>,
        added_at -> Timestamp,
    }
}

diesel::table! {
    cohort_exams (cohort_id, assessment_id) {
        cohort_id -> Integer,
        assessment_id -> Integer,
        added_at -> Timestamp,
    }
}

diesel::joinable!(cohort_trainees -> cohorts (cohort_id));
diesel::joinable!(cohort_exams -> cohorts (cohort_id));

diesel::table! {
    application_sections (application_id, section) {
        application_id -> Integer,
        drive_id -> Integer,
        section -> Text,
        percent -> Double,
    }
}

diesel::table! {
    drive_score_counts (drive_id, percent, tie_break) {
        drive_id -> Integer,
        percent -> Double,
        tie_break -> Double,
        n -> Integer,
    }
}

diesel::table! {
    processes (id) {
        id -> Integer,
        name -> Text,
        client -> Text,
        track -> Text,
        tier -> Text,
        min_percent -> Double,
        section_minimums -> Text,
        seats -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    routing_runs (id) {
        id -> Integer,
        cohort_id -> Integer,
        assessment_id -> Integer,
        status -> Text,
        band_points -> Double,
        band_note -> Text,
        created_by -> Nullable<Integer>,
        created_at -> Timestamp,
        published_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    routing_lines (id) {
        id -> Integer,
        run_id -> Integer,
        trainee_id -> Integer,
        rank -> Integer,
        percent -> Double,
        status -> Text,
        process_id -> Nullable<Integer>,
        review_process_id -> Nullable<Integer>,
        previous_process_id -> Nullable<Integer>,
        explanation -> Text,
        override_reason -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    placements (trainee_id) {
        trainee_id -> Integer,
        process_id -> Integer,
        run_id -> Integer,
        since -> Timestamp,
    }
}

diesel::table! {
    regrades (id) {
        id -> Integer,
        attempt_id -> Integer,
        version_id -> Integer,
        corrected_version_id -> Integer,
        old_score -> Nullable<Double>,
        new_score -> Double,
        old_percent -> Nullable<Double>,
        new_percent -> Nullable<Double>,
        at -> Timestamp,
        actor -> Nullable<Integer>,
    }
}

diesel::joinable!(regrades -> attempts (attempt_id));

diesel::table! {
    key_corrections (version_id) {
        version_id -> Integer,
        corrected_version_id -> Integer,
        reason -> Text,
        actor -> Nullable<Integer>,
        at -> Timestamp,
    }
}

diesel::table! {
    calibrations (id) {
        id -> Integer,
        assessment_ids -> Text,
        status -> Text,
        iteration -> Integer,
        log_likelihood -> Nullable<Double>,
        people -> Integer,
        report -> Nullable<Text>,
        error -> Nullable<Text>,
        created_by -> Nullable<Integer>,
        started_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
        accepted_by -> Nullable<Integer>,
        accepted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    drive_competencies (drive_id, position) {
        drive_id -> Integer,
        position -> Integer,
        name -> Text,
        anchors -> Text,
    }
}

diesel::table! {
    drive_hiring_rules (drive_id) {
        drive_id -> Integer,
        test_weight -> Integer,
        kpo_min -> Double,
        bpo_min -> Double,
        updated_by -> Nullable<Integer>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    scorecards (id) {
        id -> Integer,
        application_id -> Integer,
        interviewer_id -> Integer,
        recommendation -> Nullable<Text>,
        summary -> Text,
        submitted_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    scorecard_ratings (scorecard_id, competency) {
        scorecard_id -> Integer,
        competency -> Text,
        rating -> Nullable<Integer>,
        evidence -> Text,
    }
}

diesel::joinable!(scorecards -> applications (application_id));
diesel::joinable!(scorecards -> users (interviewer_id));
diesel::joinable!(scorecard_ratings -> scorecards (scorecard_id));

diesel::table! {
    resits (id) {
        id -> Integer,
        assessment_id -> Integer,
        user_id -> Integer,
        granted_by -> Nullable<Integer>,
        granted_at -> Timestamp,
        until -> Timestamp,
        attempt_id -> Nullable<Integer>,
    }
}

// Every table may meet every other in a query.
diesel::table! {
    interview_slots (id) {
        id -> Integer,
        drive_id -> Integer,
        starts_at -> Timestamp,
        minutes -> Integer,
        place -> Text,
        video_link -> Text,
        capacity -> Integer,
        booked -> Integer,
        created_by -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    interview_panel (slot_id, user_id) {
        slot_id -> Integer,
        user_id -> Integer,
    }
}

diesel::table! {
    interviews (id) {
        id -> Integer,
        slot_id -> Integer,
        application_id -> Integer,
        uid -> Text,
        sequence -> Integer,
        status -> Text,
        booked_by -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(interview_slots -> drives (drive_id));
diesel::joinable!(interview_panel -> interview_slots (slot_id));
diesel::joinable!(interview_panel -> users (user_id));
diesel::joinable!(interviews -> interview_slots (slot_id));
diesel::joinable!(interviews -> applications (application_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    sessions,
    login_failures,
    password_resets,
    candidate_profiles,
    audit_log,
    notices,
    notice_tries,
    banks,
    questions,
    question_versions,
    images,
    version_images,
    bank_imports,
    assessments,
    drives,
    attempts,
    attempt_items,
    responses,
    attempt_flags,
    attempt_signals,
    applications,
    application_events,
    cohorts,
    cohort_trainees,
    cohort_exams,
    application_sections,
    drive_score_counts,
    processes,
    routing_runs,
    routing_lines,
    placements,
    regrades,
    key_corrections,
    webhook_endpoints,
    webhook_deliveries,
    webhook_tries,
    campus_invitations,
    campus_uploads,
    drive_competencies,
    drive_hiring_rules,
    scorecards,
    scorecard_ratings,
    calibrations,
    resits,
    service_tokens,
    interview_slots,
    interview_panel,
    interviews,
);
