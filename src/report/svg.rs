//! The SVG timeline: each term's window per bound party, violations per party per day, and
//! sanction markers.

use std::fmt::Write;

use chrono::NaiveDate;

use super::{Report, esc};
use crate::time::Timestamp;

const LEFT: f64 = 220.0;
const WIDTH: f64 = 900.0;
const ROW: f64 = 26.0;

impl Report<'_> {
    /// The SVG timeline, self-contained.
    #[must_use]
    pub fn svg(&self) -> String {
        let (start, end) = self.range();
        let span = (end - start).num_seconds().max(1) as f64;
        let x =
            |t: Timestamp| LEFT + WIDTH * ((t - start).num_seconds() as f64 / span).clamp(0.0, 1.0);
        let rows = self.term_rows();
        let parties = self.accused_parties();
        let days = self.days();
        let height = 60.0 + ROW * (rows.len() + parties.len()) as f64 + 60.0;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\" width=\"{}\" \
             height=\"{height}\" viewBox=\"0 0 {} {height}\" font-family=\"sans-serif\" \
             font-size=\"12\">",
            LEFT + WIDTH + 20.0,
            LEFT + WIDTH + 20.0
        );
        let _ = writeln!(
            s,
            "<rect class=\"background\" x=\"0\" y=\"0\" width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>"
        );
        let _ = writeln!(
            s,
            "<text class=\"axis\" x=\"{LEFT}\" y=\"20\">{}</text><text class=\"axis\" x=\"{}\" \
             y=\"20\" text-anchor=\"end\">{}</text>",
            start.format("%d %b %Y"),
            LEFT + WIDTH,
            end.format("%d %b %Y")
        );
        let mut y = 40.0;
        for row in &rows {
            let (x0, x1) = (x(row.window.start), x(row.window.end.unwrap_or(end)));
            let _ = writeln!(
                s,
                "<g class=\"term\" data-term=\"{t}\" data-party=\"{p}\"><text x=\"8\" y=\"{ty}\">\
                 {t} · {p}</text><rect class=\"window {cls}\" x=\"{x0:.1}\" y=\"{y}\" \
                 width=\"{w:.1}\" height=\"{h}\" fill=\"{fill}\"><title>{t} for {p}: {win} \
                 ({status})</title></rect></g>",
                t = esc(row.term.as_str()),
                p = esc(row.party.as_str()),
                ty = y + 14.0,
                w = (x1 - x0).max(2.0),
                h = ROW - 8.0,
                cls = row.status.replace(' ', "-"),
                fill = status_color(&row.status),
                win = esc(&row.window.to_string()),
                status = esc(&row.status),
            );
            y += ROW;
        }
        for party in &parties {
            let _ = writeln!(
                s,
                "<g class=\"violations\" data-party=\"{p}\"><text x=\"8\" y=\"{ty}\">{p}: alleged ○ \
                 confirmed ●</text>",
                p = esc(party.as_str()),
                ty = y + 14.0
            );
            for d in days.iter().filter(|d| &d.party == party) {
                let cx = x(day_noon(d.day));
                if d.alleged > 0 {
                    let _ = write!(
                        s,
                        "<circle class=\"alleged\" cx=\"{cx:.1}\" cy=\"{cy}\" r=\"{r:.1}\" \
                         fill=\"none\" stroke=\"#c0392b\"><title>{day}: {n} alleged</title></circle>",
                        cy = y + 9.0,
                        r = 3.0 + f64::from(d.alleged.min(6)),
                        day = d.day,
                        n = d.alleged
                    );
                }
                if d.confirmed > 0 {
                    let _ = write!(
                        s,
                        "<circle class=\"confirmed\" cx=\"{cx:.1}\" cy=\"{cy}\" r=\"{r:.1}\" \
                         fill=\"#c0392b\"><title>{day}: {n} confirmed</title></circle>",
                        cy = y + 9.0,
                        r = 2.0 + f64::from(d.confirmed.min(6)),
                        day = d.day,
                        n = d.confirmed
                    );
                }
            }
            s.push_str("</g>\n");
            y += ROW;
        }
        let _ = writeln!(s, "<g class=\"sanctions\">");
        for m in self.markers() {
            let mx = x(m.at);
            let _ = writeln!(
                s,
                "<path class=\"marker {kind}\" d=\"M{mx:.1} {y0} l-6 12 h12 z\" fill=\"{fill}\">\
                 <title>{label}</title></path>",
                kind = m.kind,
                y0 = y + 6.0,
                fill = match m.kind {
                    "decision" => "#e67e22",
                    "imposition" => "#8e44ad",
                    _ => "#27ae60",
                },
                label = esc(&m.label)
            );
        }
        let _ = writeln!(s, "</g>");
        let _ = writeln!(
            s,
            "<line class=\"now\" x1=\"{ax:.1}\" x2=\"{ax:.1}\" y1=\"30\" y2=\"{y2}\" stroke=\"#333\" \
             stroke-dasharray=\"4 3\"/>",
            ax = x(self.at),
            y2 = y + 24.0
        );
        s.push_str("</svg>\n");
        s
    }

    /// The time the timeline spans: every window start, allegation and decision, and `at`.
    fn range(&self) -> (Timestamp, Timestamp) {
        let mut times = vec![self.at];
        for row in self.term_rows() {
            times.push(row.window.start);
            times.extend(row.window.end);
        }
        times.extend(self.state.allegations().map(|a| a.occurred.earliest()));
        times.extend(self.markers().iter().map(|m| m.at));
        let start = times.iter().min().copied().unwrap_or(self.at);
        let end = times.iter().max().copied().unwrap_or(self.at);
        let pad = chrono::TimeDelta::days(1);
        (start - pad, end + pad)
    }
}

fn day_noon(day: NaiveDate) -> Timestamp {
    day.and_time(chrono::NaiveTime::MIN).and_utc() + chrono::TimeDelta::hours(12)
}

fn status_color(status: &str) -> &'static str {
    match status {
        "in force" => "#2e86c1",
        "expired" | "terminated" => "#95a5a6",
        "suspended" => "#f1c40f",
        _ => "#aed6f1",
    }
}
