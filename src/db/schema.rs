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
