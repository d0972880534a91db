//! A report people can look at (feature `report`): a self-contained HTML page, with no
//! script and nothing fetched, and an SVG timeline, drawn from a state and the log's head.
//!
//! The page shows each term's window and status per bound party on a timeline, alleged and
//! confirmed violations per party per day, sanction notices, impositions and relief as
//! markers with the events they cite, a table of the allegations still awaiting
//! verification, and the head of the log it was drawn from.
//!
//! ```
//! use ceasefire::prelude::*;
//! use ceasefire::report::Report;
//!
//! let state = AgreementState::default();
//! let page = Report::new(&state, Head::EMPTY, time::parse_instant("2025-05-01T00:00:00Z")?);
//! assert!(page.html().starts_with("<!DOCTYPE html>"));
//! assert!(page.svg().starts_with("<svg"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod svg;

use std::collections::BTreeMap;
use std::fmt::Write;

use chrono::NaiveDate;

use crate::allegation::VerificationStatus;
use crate::id::{PartyId, TermId};
use crate::log::Head;
use crate::state::AgreementState;
use crate::time::{Timestamp, Window};

/// A report on a state, as of an instant.
#[derive(Clone, Copy, Debug)]
pub struct Report<'a> {
    state: &'a AgreementState,
    head: Head,
    at: Timestamp,
}

struct TermRow {
    term: TermId,
    party: PartyId,
    window: Window,
    status: String,
    bound: bool,
}

struct Day {
    day: NaiveDate,
    party: PartyId,
    alleged: u32,
    confirmed: u32,
}

struct Marker {
    at: Timestamp,
    kind: &'static str,
    label: String,
}

/// Escapes text for HTML and SVG.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

impl<'a> Report<'a> {
    /// A report on `state`, drawn from the log at `head`, with statuses as of `at`.
    #[must_use]
    pub fn new(state: &'a AgreementState, head: Head, at: Timestamp) -> Report<'a> {
        Report { state, head, at }
    }

    fn term_rows(&self) -> Vec<TermRow> {
        let Some(agreement) = self.state.agreement() else {
            return Vec::new();
        };
        let mut rows = Vec::new();
        for term in &agreement.terms {
            let status = self
                .state
                .term_status(&term.id, self.at)
                .map_or_else(|| "unknown".to_owned(), |s| s.to_string());
            for party in &term.binds {
                if let Some(window) = self.state.obligation_window(&term.id, party) {
                    rows.push(TermRow {
                        term: term.id.clone(),
                        party: party.clone(),
                        window,
                        status: status.clone(),
                        bound: self.state.is_bound_at(&term.id, party, self.at),
                    });
                }
            }
        }
        rows
    }

    fn days(&self) -> Vec<Day> {
        let mut days: BTreeMap<(NaiveDate, PartyId), (u32, u32)> = BTreeMap::new();
        for a in self.state.allegations() {
            let status = a.status();
            if matches!(
                status,
                VerificationStatus::Retracted | VerificationStatus::Refuted
            ) {
                continue;
            }
            let key = (a.occurred.earliest().date_naive(), a.accused().clone());
            let entry = days.entry(key).or_default();
            entry.0 += 1;
            if status == VerificationStatus::Confirmed {
                entry.1 += 1;
            }
        }
        days.into_iter()
            .map(|((day, party), (alleged, confirmed))| Day {
                day,
                party,
                alleged,
                confirmed,
            })
            .collect()
    }

    fn accused_parties(&self) -> Vec<PartyId> {
        let mut parties: Vec<PartyId> = self.days().into_iter().map(|d| d.party).collect();
        parties.sort();
        parties.dedup();
        parties
    }

    fn markers(&self) -> Vec<Marker> {
        let mut markers = Vec::new();
        for d in self.state.decisions() {
            let cited: Vec<String> = d.violations.iter().map(|v| v.to_string()).collect();
            markers.push(Marker {
                at: d.decided_at,
                kind: "decision",
                label: format!(
                    "decision {} against {}: {} ({}), citing {}",
                    d.id,
                    d.party,
                    d.level,
                    d.stage_at(self.at),
                    cited.join(", ")
                ),
            });
        }
        for i in self.state.impositions() {
            markers.push(Marker {
                at: i.imposed_at,
                kind: "imposition",
                label: format!(
                    "sanction imposed on {}: {} ({}), event {}",
                    i.against, i.level, i.measures, i.event
                ),
            });
        }
        for r in self.state.reliefs() {
            let cited: Vec<String> = r.approvals.iter().map(|v| v.to_string()).collect();
            markers.push(Marker {
                at: r.at,
                kind: "relief",
                label: format!("relief for {}, approved by {}", r.party, cited.join(", ")),
            });
        }
        markers
    }

    /// The whole page: HTML with inline CSS and the inline SVG timeline; no script.
    #[must_use]
    pub fn html(&self) -> String {
        let title = self
            .state
            .agreement()
            .map_or_else(|| "No agreement yet".to_owned(), |a| a.title.clone());
        let mut s = String::new();
        let _ = write!(
            s,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title>\
             <style>body{{font-family:sans-serif;margin:2em;color:#222;background:#fff}}\
             table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #ccc;\
             padding:4px 8px;text-align:left}}code{{font-size:90%}}</style></head><body>\n\
             <h1>{t}</h1>\n<p id=\"head\">Drawn from the log at <code>{head}</code>; statuses as of \
             {at}.</p>\n",
            t = esc(&title),
            head = esc(&self.head.to_string()),
            at = self.at.format("%d %b %Y %H:%M UTC"),
        );
        if let Some(ack) = self.state.joint_checkpoint() {
            let _ = writeln!(
                s,
                "<p id=\"checkpoint\">Checkpoint acknowledged jointly by record {}: \
                 {} records, Merkle root <code>{}</code>.</p>",
                ack.seq, ack.size, ack.root
            );
        }
        s.push_str("<h2>Terms</h2>\n<table id=\"terms\"><tr><th>term</th><th>party</th><th>window</th><th>status</th><th>bound then</th></tr>\n");
        for row in self.term_rows() {
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(row.term.as_str()),
                esc(row.party.as_str()),
                esc(&row.window.to_string()),
                esc(&row.status),
                if row.bound { "yes" } else { "no" }
            );
        }
        s.push_str("</table>\n<h2>Timeline</h2>\n");
        s.push_str(&self.svg());
        s.push_str("<h2>Violations per party per day</h2>\n<table id=\"violations\"><tr><th>day</th><th>party</th><th>alleged</th><th>confirmed</th></tr>\n");
        for d in self.days() {
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                d.day,
                esc(d.party.as_str()),
                d.alleged,
                d.confirmed
            );
        }
        s.push_str("</table>\n<h2>Sanctions and relief</h2>\n<ul id=\"decisions\">\n");
        for m in self.markers() {
            let _ = writeln!(
                s,
                "<li class=\"{}\">{}: {}</li>",
                m.kind,
                m.at.format("%d %b %Y %H:%M"),
                esc(&m.label)
            );
        }
        s.push_str("</ul>\n<h2>Open allegations awaiting verification</h2>\n<table id=\"open\"><tr><th>event</th><th>accused</th><th>term</th><th>target</th><th>place</th><th>occurred</th><th>status</th><th>counts</th></tr>\n");
        for a in self.state.allegations().filter(|a| {
            matches!(
                a.status(),
                VerificationStatus::Alleged
                    | VerificationStatus::Disputed
                    | VerificationStatus::Inconclusive
            )
        }) {
            // One rule for uncertain times and targets (docs/time.md, docs/model.md).
            let counts = if self.state.counts_against(&a.id) {
                "counts"
            } else if a.target_unsettled() {
                "target unknown or disputed"
            } else if self.state.is_possibly_inside(a) {
                "possibly inside: not counted"
            } else {
                "does not count"
            };
            let _ = writeln!(
                s,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                a.id,
                esc(a.accused().as_str()),
                esc(a.allegation.term.as_str()),
                esc(&a.target().to_string()),
                esc(&a.place().name),
                esc(&a.occurred.to_string()),
                a.status(),
                counts
            );
        }
        s.push_str("</table>\n</body></html>\n");
        s
    }
}

#[cfg(test)]
mod tests;
