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
            return fail(
                e.to_string()
                    .lines()
                    .next()
                    .unwrap_or("invalid arguments")
                    .trim_start_matches("error: "),
            )
        }
    };
    let (settings, serving) = match cli.command {
        Command::Serve(args) => (Settings::load(args), true),
        Command::Worker(args) => (Settings::load_worker(args), false),
        Command::Load(args) => {
            let runtime = tokio::runtime::Runtime::new().expect("a runtime starts");
            return match runtime.block_on(carstore::load::run_from_cli(args)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => fail(&format!("{e:#}")),
            };
        }
        Command::Healthcheck(args) => {
            return match carstore::ops::healthcheck::check(&args.url) {
                Ok(()) => ExitCode::SUCCESS,
                Err(why) => fail(&why),
            }
        }
    };
    let settings = match settings {
        Ok(s) => s,
        Err(e) => return fail(&format!("{e:#}")),
    };
    telemetry::init(&settings.log_filter);
    for var in Settings::unknown_env_vars() {
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
    let bind = settings.bind;
    let app = Application::build(settings).await?;
    let shown_host = if bind.ip().is_unspecified() {
        "127.0.0.1".to_string()
    } else {
        bind.ip().to_string()
    };
    tracing::info!(
        "carstore {} serving the store at http://{shown_host}:{}/",
        env!("BUILD_VERSION_TEXT"),
        app.port()
    );
    app.run_until_stopped().await?;
    tracing::info!("carstore stopped");
    Ok(())
}

/// One clear line and exit code 1: never a panic or a backtrace for a mistake in the setup.
fn fail(message: &str) -> ExitCode {
    eprintln!("carstore: {message}");
    ExitCode::from(1)
}
