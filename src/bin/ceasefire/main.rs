//! `ceasefire`: keep, check and read a ceasefire log from the command line (`docs/cli.md`).

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ceasefire::interchange::{acled, cloudevents};
use ceasefire::prelude::*;
use ceasefire::store::{FileLogOptions, verify};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

mod log;
use log::{Found, Log, Place, Vacant};

/// Keep, check and read a ceasefire log.
#[derive(Parser)]
#[command(name = "ceasefire", version, about)]
struct Cli {
    /// Keep the logs in this PostgreSQL database (`postgres://…`; needs the `postgres`
    /// feature): each command's log argument is then a log id there, not a file.
    #[arg(long, global = true, value_name = "URL")]
    store: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new log whose genesis is the agreement in a JSON file.
    Init {
        /// The log file to create (it must not exist).
        log: PathBuf,
        /// The agreement, as JSON.
        #[arg(long)]
        agreement: PathBuf,
        /// The party that records the genesis (default: the first mediator, else monitor).
        #[arg(long)]
        by: Option<String>,
        /// When it was concluded (RFC 3339; default: now).
        #[arg(long)]
        at: Option<String>,
    },
    /// Append events (a JSON array, or one event per line) from a file or `-` for stdin.
    Append {
        /// The log.
        log: PathBuf,
        /// The events.
        events: PathBuf,
    },
    /// Import an ACLED CSV export as allegations.
    ImportAcled {
        /// The log.
        log: PathBuf,
        /// The export.
        export: PathBuf,
        /// A mapping file (TOML; default: the shipped mapping).
        #[arg(long)]
        mapping: Option<PathBuf>,
        /// The export's encoding: utf-8, windows-1252 or latin-1.
        #[arg(long, default_value = "utf-8")]
        encoding: String,
        /// Create the log first from this agreement (JSON) if it does not exist.
        #[arg(long)]
        agreement: Option<PathBuf>,
    },
    /// Check every record's form, CRC, chain, rules and signatures; exit 1 naming the
    /// damage. With `--checkpoint`, also check a signed checkpoint (C2SP tlog-checkpoint):
    /// signed by a quorum of `--keys`, and the log still holds what it says.
    Verify {
        /// The log.
        log: PathBuf,
        /// A signed checkpoint of the log, as a note.
        #[arg(long, requires = "keys")]
        checkpoint: Option<PathBuf>,
        /// The verifier keys whose signatures count, one per line (`name+id+base64`).
        #[arg(long)]
        keys: Option<PathBuf>,
        /// How many of the keys must have signed (default: all of them).
        #[arg(long)]
        quorum: Option<usize>,
    },
    /// The state as known at a time (default: everything), for people or as JSON.
    Replay {
        /// The log.
        log: PathBuf,
        /// Replay only what was recorded by then, and show statuses then (RFC 3339).
        #[arg(long)]
        at: Option<String>,
        /// Print the state as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Render the log as a self-contained HTML page and/or an SVG timeline.
    Report {
        /// The log.
        log: PathBuf,
        /// Write the HTML page here.
        #[arg(long)]
        html: Option<PathBuf>,
        /// Write the SVG timeline here.
        #[arg(long)]
        svg: Option<PathBuf>,
        /// Statuses at this time (RFC 3339; default: the last recorded event).
        #[arg(long)]
        at: Option<String>,
    },
    /// Copy a log, checking the chain on both sides: each of FROM and TO is a log file, or
    /// `db:ID` for the log ID in the `--store` database. Resumes an interrupted copy.
    Copy {
        /// The log to copy.
        from: PathBuf,
        /// Where to copy it (a new or partly copied log).
        to: PathBuf,
    },
    /// Write the log as CloudEvents 1.0 JSON lines (to stdout without `--output`).
    Export {
        /// The log.
        log: PathBuf,
        /// The file to write.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Append CloudEvents JSON lines to a log (created if missing), from a file or `-`.
    Import {
        /// The log.
        log: PathBuf,
        /// The CloudEvents file.
        events: PathBuf,
    },
}

/// One line for the user: what, where and why.
struct Failure(String);

fn at_file(path: &Path, e: impl std::fmt::Display) -> Failure {
    Failure(format!("{}: {e}", path.display()))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command, Place(cli.store.as_deref())) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(message)) => {
            eprintln!("ceasefire: {message}");
            ExitCode::FAILURE
        }
    }
}

fn read_input(path: &Path) -> Result<Vec<u8>, Failure> {
    if path == Path::new("-") {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| Failure(format!("stdin: {e}")))?;
        return Ok(buf);
    }
    std::fs::read(path).map_err(|e| at_file(path, e))
}

fn text(path: &Path, bytes: Vec<u8>) -> Result<String, Failure> {
    String::from_utf8(bytes).map_err(|e| at_file(path, format!("not UTF-8: {e}")))
}

fn instant(text: Option<&str>) -> Result<Option<Timestamp>, Failure> {
    text.map(|t| time::parse_instant(t).map_err(|e| Failure(format!("--at: {e}"))))
        .transpose()
}

fn now() -> Timestamp {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Timestamp::from_timestamp(i64::try_from(secs).unwrap_or(0), 0).unwrap_or_default()
}

/// Creates a log with `create` (once the agreement in `path` has been read and checked) and
/// appends the genesis that concludes it.
fn init(
    log: &Path,
    path: &Path,
    by: Option<&str>,
    at: Option<&str>,
    create: impl FnOnce() -> Result<Log, Failure>,
) -> Result<Log, Failure> {
    let json = text(path, read_input(path)?)?;
    let agreement: Agreement = serde_json::from_str(&json)
        .map_err(|e| at_file(path, format!("line {}: {e}", e.line())))?;
    let agreement = agreement.validated().map_err(|e| at_file(path, e))?;
    let by = match by {
        Some(by) => by
            .parse::<PartyId>()
            .map_err(|e| Failure(format!("--by: {e}")))?,
        None => [Role::Mediator, Role::Monitor]
            .iter()
            .find_map(|r| agreement.parties.iter().find(|p| p.role == *r))
            .map(|p| p.id.clone())
            .ok_or_else(|| Failure("--by: the agreement names no mediator or monitor".into()))?,
    };
    let at = instant(at)?.unwrap_or_else(now);
    let genesis = Event::by(&by)
        .at(at)
        .concludes(agreement)
        .map_err(|e| at_file(path, e))?;
    let store = create()?;
    store.append_next(genesis).map_err(|e| at_file(log, e))?;
    Ok(store)
}

/// Checks a signed checkpoint against a quorum of keys and the log; says who signed it.
fn check_checkpoint(
    store: &Log,
    checkpoint: &Path,
    keys: &Path,
    quorum: Option<usize>,
) -> Result<String, Failure> {
    use ceasefire::transparency::{Quorum, VerifierKey};
    let text = text(keys, read_input(keys)?)?;
    let keys_list = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            VerifierKey::parse(l.trim()).map_err(|e| at_file(keys, format!("line {}: {e}", i + 1)))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let need = quorum.unwrap_or(keys_list.len());
    let quorum = Quorum::new(keys_list, need).map_err(|e| at_file(keys, e))?;
    let genesis = store
        .read(Seq::FIRST, 1)
        .map_err(|e| Failure(e.to_string()))?
        .into_iter()
        .next()
        .ok_or_else(|| Failure("the log is empty: it has no origin".into()))?;
    let origin = ceasefire::event::LogOrigin::of_genesis(&genesis.event);
    let bytes = read_input(checkpoint)?;
    let acknowledged = quorum
        .check(&bytes, origin.as_str())
        .map_err(|e| at_file(checkpoint, e))?;
    store
        .verify_checkpoint(&acknowledged.checkpoint)
        .map_err(|e| at_file(checkpoint, e))?;
    let signers: Vec<String> = acknowledged
        .signers
        .iter()
        .map(ToString::to_string)
        .collect();
    Ok(format!(
        "checkpoint: size {}, signed by {}; the log holds it",
        acknowledged.checkpoint.size,
        signers.join(", ")
    ))
}

fn bar(len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    if std::io::stderr().is_terminal() {
        if let Ok(style) = ProgressStyle::with_template("{msg} {bar:40} {pos}/{len}") {
            bar.set_style(style);
        }
        bar.set_message(what.to_owned());
    } else {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar
}

fn run(command: Command, place: Place<'_>) -> Result<(), Failure> {
    match command {
        Command::Init {
            log,
            agreement,
            by,
            at,
        } => {
            let store = init(&log, &agreement, by.as_deref(), at.as_deref(), || {
                place.create(&log)
            })?;
            let head = store.head().map_err(|e| at_file(&log, e))?;
            println!("created {} ({head})", log.display());
        }
        Command::Append { log, events } => {
            let input = text(&events, read_input(&events)?)?;
            let parsed = parse_events(&input).map_err(|e| at_file(&events, e))?;
            let store = place.open(&log)?;
            let bar = bar(parsed.len() as u64, "appending");
            for (line, event) in parsed {
                store
                    .append_next(event)
                    .map_err(|e| at_file(&events, format!("{line}: {e}")))?;
                bar.inc(1);
            }
            bar.finish_and_clear();
            println!("{}", store.head().map_err(|e| at_file(&log, e))?);
        }
        Command::ImportAcled {
            log,
            export,
            mapping,
            encoding,
            agreement,
        } => {
            let mapping = match mapping {
                Some(path) => {
                    let toml = text(&path, read_input(&path)?)?;
                    acled::Mapping::from_toml(&toml).map_err(|e| at_file(&path, e))?
                }
                None => acled::Mapping::default(),
            };
            let encoding = encoding
                .parse::<acled::Encoding>()
                .map_err(|e| Failure(format!("--encoding: {e}")))?;
            let input = read_input(&export)?;
            let store = match (place.find(&log)?, agreement) {
                (Found::Held(store), _) => store,
                (Found::Vacant(vacant), Some(agreement)) => {
                    init(&log, &agreement, None, None, || vacant.create())?
                }
                (Found::Vacant(Vacant::Open(store)), None) => store,
                // No file and no agreement to create it from: the error opening it gives.
                (Found::Vacant(Vacant::File(_)), None) => place.open(&log)?,
            };
            let bar = bar(0, "importing");
            let report =
                acled::import_with_progress(&store, &input, &mapping, encoding, |done, total| {
                    bar.set_length(total as u64);
                    bar.set_position(done as u64);
                })
                .map_err(|e| at_file(&export, e))?;
            bar.finish_and_clear();
            print!("{report}");
            println!("{}", store.head().map_err(|e| at_file(&log, e))?);
        }
        Command::Verify {
            log,
            checkpoint,
            keys,
            quorum,
        } if place.0.is_some() || checkpoint.is_some() => {
            // Opening checks every record (chain, ids, rules, signatures).
            let store = place.open_read(&log)?;
            let head = store.head().map_err(|e| at_file(&log, e))?;
            if let (Some(checkpoint), Some(keys)) = (checkpoint, keys) {
                println!("{}", check_checkpoint(&store, &checkpoint, &keys, quorum)?);
            }
            println!("ok: {} records, {head}", head.version);
        }
        Command::Verify { log, .. } => {
            let file = std::fs::File::open(&log).map_err(|e| at_file(&log, e))?;
            let spinner = bar(0, "verifying");
            spinner.enable_steady_tick(std::time::Duration::from_millis(120));
            let verified = verify(std::io::BufReader::new(file), &FileLogOptions::new());
            spinner.finish_and_clear();
            let verified = verified.map_err(|e| at_file(&log, e))?;
            if let Some(torn) = verified.report.torn {
                return Err(at_file(
                    &log,
                    format!(
                        "torn tail at byte {} ({} bytes after record {})",
                        torn.offset, torn.bytes, torn.last_seq_kept
                    ),
                ));
            }
            println!(
                "ok: {} records, {}",
                verified.report.records, verified.report.head
            );
        }
        Command::Replay { log, at, json } => {
            let store = place.open_read(&log)?;
            let records = store
                .read(Seq::FIRST, usize::MAX)
                .map_err(|e| at_file(&log, e))?;
            let at = instant(at.as_deref())?;
            let state = match at {
                Some(at) => replay_as_of(&records, at),
                None => replay(&records),
            }
            .map_err(|e| at_file(&log, e))?;
            if json {
                let json = serde_json::to_string_pretty(&state).map_err(|e| at_file(&log, e))?;
                println!("{json}");
            } else {
                let at = at.or(state.known_as_of()).unwrap_or_else(now);
                print!("{}", state.summary(at));
            }
        }
        Command::Report { log, html, svg, at } => {
            if html.is_none() && svg.is_none() {
                return Err(Failure("report: say --html FILE and/or --svg FILE".into()));
            }
            let store = place.open_read(&log)?;
            let state = store.state().map_err(|e| at_file(&log, e))?;
            let head = store.head().map_err(|e| at_file(&log, e))?;
            let at = instant(at.as_deref())?
                .or(state.known_as_of())
                .unwrap_or_else(now);
            let page = ceasefire::report::Report::new(&state, head, at);
            for (path, body) in [(html, page.html()), (svg, page.svg())]
                .into_iter()
                .filter_map(|(p, b)| Some((p?, b)))
            {
                std::fs::write(&path, body).map_err(|e| at_file(&path, e))?;
                println!("wrote {}", path.display());
            }
        }
        Command::Copy { from, to } => {
            let end = |p: &Path| -> Result<(Place<'_>, PathBuf), Failure> {
                match p.to_str().and_then(|s| s.strip_prefix("db:")) {
                    Some(id) if place.0.is_some() => Ok((place, PathBuf::from(id))),
                    Some(_) => Err(Failure(format!(
                        "{}: a db: log needs --store URL",
                        p.display()
                    ))),
                    None => Ok((Place(None), p.to_path_buf())),
                }
            };
            let (from_place, from_log) = end(&from)?;
            let (to_place, to_log) = end(&to)?;
            let source = from_place.open_read(&from_log)?;
            let target = match to_place.find(&to_log)? {
                Found::Held(store) => store,
                Found::Vacant(vacant) => vacant.create()?,
            };
            let head =
                ceasefire::log::copy_log(&source, &target, 1_000).map_err(|e| at_file(&to, e))?;
            println!("copied: {head}");
        }
        Command::Export { log, output } => {
            let store = place.open_read(&log)?;
            let records = store
                .read(Seq::FIRST, usize::MAX)
                .map_err(|e| at_file(&log, e))?;
            let source =
                cloudevents::source_of(store.state().map_err(|e| at_file(&log, e))?.genesis());
            match output {
                Some(path) => {
                    let file = std::fs::File::create(&path).map_err(|e| at_file(&path, e))?;
                    cloudevents::export(&records, &source, std::io::BufWriter::new(file))
                        .map_err(|e| at_file(&path, e))?;
                }
                None => cloudevents::export(&records, &source, std::io::stdout().lock())
                    .map_err(|e| Failure(format!("stdout: {e}")))?,
            }
        }
        Command::Import { log, events } => {
            let input = text(&events, read_input(&events)?)?;
            let store = match place.find(&log)? {
                Found::Held(store) => store,
                Found::Vacant(vacant) => vacant.create()?,
            };
            let count = cloudevents::import(&store, &input).map_err(|e| at_file(&events, e))?;
            println!(
                "{count} events read; {}",
                store.head().map_err(|e| at_file(&log, e))?
            );
        }
    }
    Ok(())
}

/// A JSON array of events, or one event per line (blank lines ignored), each with where it
/// is (`line N`, or `event N` of an array).
fn parse_events(input: &str) -> Result<Vec<(String, Event)>, String> {
    if input.trim_start().starts_with('[') {
        let events: Vec<Event> =
            serde_json::from_str(input).map_err(|e| format!("line {}: {e}", e.line()))?;
        return Ok(events
            .into_iter()
            .zip(1u64..)
            .map(|(e, n)| (format!("event {n} of the array"), e))
            .collect());
    }
    input
        .lines()
        .zip(1u64..)
        .filter(|(l, _)| !l.trim().is_empty())
        .map(|(l, n)| {
            serde_json::from_str(l)
                .map(|e| (format!("line {n}"), e))
                .map_err(|e| format!("line {n}: {e}"))
        })
        .collect()
}
