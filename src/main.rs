use carstore::cli::{Cli, Command};
use carstore::{telemetry, Application, Settings};
use clap::error::ErrorKind;
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            let text = e.to_string();
            let first = text.lines().next().unwrap_or("invalid arguments");
            return fail(first.trim_start_matches("error: "));
        }
    };
    let (settings, serving) = match cli.command {
        Command::Serve(args) => (Settings::load(args), true),
        Command::Worker(args) => (Settings::load_worker(args), false),
        Command::Load(args) => return run_to_exit(carstore::cli::load::run_from_cli(args)),
        Command::Fault(args) => return run_to_exit(carstore::cli::fault::run(args)),
        Command::Scenario(args) => return run_to_exit(carstore::cli::scenario::run(args)),
        Command::Healthcheck(args) => {
            let check = carstore::ops::healthcheck::check(&args.url);
            return run_to_exit(async move { check.await.map_err(anyhow::Error::msg) });
        }
    };
    match settings {
        Ok(settings) => run_store(settings, serving),
        Err(e) => fail(&format!("{e:#}")),
    }
}

/// `serve` or `worker`, with logging started, until stopped.
fn run_store(settings: Settings, serving: bool) -> ExitCode {
    telemetry::init(
        &settings.log_filter,
        &settings.instance,
        carstore::ops::logs::push_own_line,
    );
    for var in carstore::config::unknown_env_vars() {
        tracing::warn!(%var, "unknown CARSTORE_ variable ignored");
    }
    let run = async move {
        if serving {
            serve(settings).await
        } else {
            carstore::app::run_worker(settings).await
        }
    };
    match actix_web::rt::System::new().block_on(run) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&format!("{e:#}")),
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let app = Application::build(settings).await?;
    tracing::info!(
        "carstore {} serving the store at {}/",
        env!("BUILD_VERSION_TEXT"),
        app.url()
    );
    app.run_until_stopped().await?;
    tracing::info!("carstore stopped");
    Ok(())
}

/// Runs a command that needs no settings on its own runtime: exit 0, or one clear line and 1.
fn run_to_exit(command: impl std::future::Future<Output = anyhow::Result<()>>) -> ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => return fail(&format!("cannot start a runtime: {e}")),
    };
    match runtime.block_on(command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&format!("{e:#}")),
    }
}

/// One clear line and exit code 1: never a panic or a backtrace for a mistake in the setup.
fn fail(message: &str) -> ExitCode {
    eprintln!("carstore: {message}");
    ExitCode::from(1)
}
