//! Searching text columns the same way on both backends: lower-cased on
//! both sides, and the person's words taken literally inside LIKE.

diesel::define_sql_function!(
    /// SQL's `lower(text)`, on SQLite and PostgreSQL alike.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text
);

/// `%term%` for LIKE, lower-cased, with LIKE's own characters escaped.
pub fn contains(term: &str) -> String {
    let mut out = String::from("%");
    for c in term.trim().to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}
