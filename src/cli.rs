//! The `assay` command line: serve, migrate, manage users and banks, drain
//! the outbox. Flags override environment variables, which override defaults.

use std::io::{BufRead, IsTerminal, Write};
use std::net::TcpListener;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::accounts::flows;
use crate::accounts::service::NewAccount;
use crate::cli_error::{CliError, CliResult};
use crate::config::{Config, ConfigArgs};
use crate::db::Role;
use crate::error::AppError;
use crate::server;

#[derive(Parser)]
#[command(name = "assay", version, about = "Recruitment, assessment and routing for KPO firms")]
pub struct Cli {
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the platform (applies pending migrations first).
    Serve {
        /// Address to listen on.
        #[arg(long, env = "BIND_ADDR", default_value = "127.0.0.1:8080")]
        bind: String,
        /// Create one account per role (passwords printed) and import the shipped question banks.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the JSON API's OpenAPI document (what `/api/openapi.json`
    /// serves), for validators and client generators.
    Openapi,
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Import and export question banks.
    Bank {
        #[command(subcommand)]
        command: crate::banks::cli::BankCommand,
    },
    /// Item response theory: calibrate items, simulate adaptive tests.
    Irt {
        #[command(subcommand)]
        command: crate::irt::cli::IrtCommand,
    },
    /// Email notices in the outbox.
    Notices {
        #[command(subcommand)]
        command: NoticesCommand,
    },
}

#[derive(Subcommand)]
pub enum NoticesCommand {
    /// Send every notice that is due now, once, and exit. Exits non-zero
    /// only when the database cannot be used; failed sends are retried later.
    Send,
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create a staff (or candidate) account; the password is read from standard input.
    Add {
        #[arg(long)]
        email: String,
        /// candidate, recruiter, trainer or admin.
        #[arg(long)]
        role: String,
        /// Full name; defaults to the part of the email before the @.
        #[arg(long)]
        name: Option<String>,
    },
}

pub fn main() -> ExitCode {
    init_tracing();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}", e.report());
            e.into()
        }
    }
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,actix_server=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

fn run(cli: Cli) -> CliResult<()> {
    // The IRT commands need no database or configuration (so no warning
    // about a missing SECRET_KEY either).
    let command = match cli.command {
        Command::Irt { command } => return crate::irt::cli::run(command),
        other => other,
    };
    let config = Config::from_args(&cli.config)?;
    match command {
        Command::Irt { command } => crate::irt::cli::run(command),
        Command::Openapi => {
            let doc = server::api::v1().1;
            let text = serde_json::to_string_pretty(&doc)
                .map_err(|e| AppError::internal("the OpenAPI document as JSON", e))?;
            println!("{text}");
            Ok(())
        }
        Command::Migrate => {
            let pool = crate::db::open_pool(&config.database_url, 1)?;
            let mut conn = pool.get()?;
            let applied = crate::db::migrate(&mut conn)?;
            println!("{} migration(s) applied", applied.len());
            Ok(())
        }
        Command::Serve { bind, demo } => actix_web::rt::System::new().block_on(serve(config, bind, demo)),
        Command::Bank { command } => {
            let state = server::open_state(config)?;
            crate::banks::cli::run(&state, command)
        }
        Command::User {
            command: UserCommand::Add { email, role, name },
        } => {
            let role = role.parse::<Role>().ok().ok_or_else(|| {
                CliError::Usage(format!(
                    "'{role}' is not a role; use candidate, recruiter, trainer or admin"
                ))
            })?;
            let password = read_password()?;
            let name = name.unwrap_or_else(|| email.split('@').next().unwrap_or("").to_string());
            let account = NewAccount::parse(&email, &name, &password)?;
            let state = server::open_state(config)?;
            let user = actix_web::rt::System::new().block_on(flows::add_staff(&state, account, role, None))?;
            println!("created {} account {} (id {})", user.role.as_str(), user.email, user.id);
            Ok(())
        }
        Command::Notices {
            command: NoticesCommand::Send,
        } => {
            let state = server::open_state(config)?;
            let summary = actix_web::rt::System::new()
                .block_on(crate::notices::outbox::drain_once(&server::workers::outbox(&state)))?;
            println!(
                "{} sent, {} to be retried, {} failed for good (mail goes to {})",
                summary.sent,
                summary.retrying,
                summary.failed,
                state.mailer.describe()
            );
            Ok(())
        }
    }
}

fn read_password() -> CliResult<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("Password (at least 10 characters): ");
        let _ = std::io::stderr().flush();
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line).map_err(|source| CliError::Read {
        what: "the password from standard input".into(),
        source,
    })?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

async fn serve(mut config: Config, bind: String, demo: bool) -> CliResult<()> {
    let listener = TcpListener::bind(&bind).map_err(|e| CliError::Config(format!("cannot listen on {bind}: {e}")))?;
    let bound = listener
        .local_addr()
        .map_err(|e| CliError::Config(format!("cannot read the address bound for {bind}: {e}")))?;
    if let Some(warning) = config.adopt_bound_address(bound) {
        tracing::warn!("{warning}");
    }
    let state = server::open_state(config)?;
    if demo {
        crate::demo::set_up(&state).await?;
    }
    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    let server = server::start(listener, state.clone(), workers)?;
    server::workers::spawn(&state);
    println!(
        "Assay is running at http://{bound}/ (database {:?}); email links point to {}/",
        state.config.database_url, state.config.base_url
    );
    server
        .await
        .map_err(|e| CliError::Failed(AppError::internal("the server stopped", e)))
}
