//! `assay serve --demo`: one account per role with fresh passwords, the
//! shipped question banks (built into the binary, so it works from any
//! folder), and a small drive and cohort so every page has something to
//! show. It prints what it did.

mod seed;

use crate::accounts::service::NewAccount;
use crate::app::AppState;
use crate::cli_error::CliResult;
use crate::db::Role;
use crate::error::AppError;
use crate::tokens;

/// The password every seeded demo candidate shares; printed, never used
/// outside a demo.
pub const CANDIDATE_PASSWORD: &str = "demo-candidate-2026";

pub use seed::{seed as seed_drive_and_cohort, Staff, DRIVE_NAME};

/// Sets up the demo and prints what it did, with the passwords.
pub async fn set_up(state: &AppState) -> CliResult<()> {
    let mut rows = Vec::new();
    let mut ids = Vec::new();
    for role in Role::ALL {
        let email = format!("{}@demo.assay.example", role.as_str());
        let password = tokens::random_token().chars().take(16).collect::<String>();
        let name = format!("Demo {}", role.label());
        let account = NewAccount::parse(&email, &name, &password)?;
        let hash = crate::accounts::password::hash(password.clone()).await?;
        let now = state.clock.now();
        let user = state
            .db(move |conn| crate::accounts::service::upsert_with_password(conn, &account, &hash, role, now))
            .await?;
        ids.push((role, user.id));
        rows.push((role, email, password));
    }
    let shipped = state.clone();
    let reports = actix_web::web::block(move || crate::banks::cli::import_shipped(&shipped))
        .await
        .map_err(AppError::from)??;
    let total: usize = reports.iter().map(|r| r.created + r.updated + r.unchanged).sum();
    println!("Imported {} shipped question banks ({total} questions).", reports.len());
    let staff_id = |role: Role| ids.iter().find(|(r, _)| *r == role).map(|(_, id)| *id);
    let (Some(recruiter), Some(trainer), Some(admin)) = (
        staff_id(Role::Recruiter),
        staff_id(Role::Trainer),
        staff_id(Role::Admin),
    ) else {
        return Err(AppError::Internal("a demo staff account is missing".into()).into());
    };
    let staff = seed::Staff {
        recruiter,
        trainer,
        admin,
    };
    let hash = crate::accounts::password::hash(CANDIDATE_PASSWORD.to_string()).await?;
    let seeding = state.clone();
    let seeded = actix_web::web::block(move || seed::seed(&seeding, &staff, &hash))
        .await
        .map_err(AppError::from)??;
    match seeded {
        Some(s) => println!(
            "Seeded the drive \"{}\": {} applicants, {} of them tested, {} hired into the cohort \"{}\", \
             who have taken its exam; and two client processes for routing.",
            seed::DRIVE_NAME,
            s.applicants,
            s.tested,
            s.hired,
            s.cohort
        ),
        None => println!("The demo drive and cohort are there from an earlier --demo start; left as they are."),
    }
    println!("Demo accounts (passwords are new on every --demo start):");
    for (role, email, password) in rows {
        println!("  {:<10} {:<32} {}", role.as_str(), email, password);
    }
    println!("Demo candidates (aarav.sharma@demo.assay.example and nine more) share the password {CANDIDATE_PASSWORD}");
    Ok(())
}
