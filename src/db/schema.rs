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

diesel::allow_tables_to_appear_in_same_query!(users, sessions, login_failures, candidate_profiles, audit_log,);

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
diesel::allow_tables_to_appear_in_same_query!(notices, notice_tries, users);

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

diesel::joinable!(questions -> banks (bank_id));
diesel::joinable!(question_versions -> questions (question_id));
diesel::joinable!(bank_imports -> banks (bank_id));
diesel::allow_tables_to_appear_in_same_query!(banks, questions, question_versions, bank_imports, users);
