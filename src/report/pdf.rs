//! Laying a [`MonthlyReport`] out on A4 pages and writing the PDF.
//!
//! The layout runs top to bottom on a cursor (`Layout::y`); whatever does not fit above the bottom margin
//! opens a new page, and tables repeat their heading and column titles there. Every page is kept as its own
//! content stream until the end, when the footers ("Page 2 of 3") are added and the document is assembled:
//! catalog, page tree, one Helvetica and one Helvetica-Bold font (WinAnsiEncoding, not embedded), a
//! Flate-compressed content stream per page, the document information and the xref that
//! [`Pdf::finish`] writes.

use std::io::Write as _;

use chrono::{Datelike, Months, NaiveDate, Timelike};
use flate2::write::ZlibEncoder;
use flate2::Compression;
use pdf_writer::types::{LineCapStyle, LineJoinStyle};
use pdf_writer::{Content, Date, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

use super::metrics::{encode, Font};
use super::{MonthlyReport, ReportDecision, ReportRecommendation};

/// A4 in points.
const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 44.0;
const LEFT: f32 = MARGIN;
const RIGHT: f32 = PAGE_W - MARGIN;
const CONTENT_W: f32 = RIGHT - LEFT;
/// Where content starts on pages after the first (below the running header).
const CONTINUED_TOP: f32 = PAGE_H - 62.0;
/// Content never goes below this line; the footer sits underneath.
const BOTTOM: f32 = 60.0;
/// The height of the title band on the first page.
const BAND_H: f32 = 92.0;

/// The most recommendations the report lists (the biggest savings first).
pub(super) const MAX_RECOMMENDATIONS: usize = 20;

type Rgb = (f32, f32, f32);

const fn hex(v: u32) -> Rgb {
    (
        ((v >> 16) & 0xff) as f32 / 255.0,
        ((v >> 8) & 0xff) as f32 / 255.0,
        (v & 0xff) as f32 / 255.0,
    )
}

const WHITE: Rgb = hex(0xffffff);
const INK: Rgb = hex(0x111827);
const TEXT: Rgb = hex(0x1f2937);
const MUTED: Rgb = hex(0x6b7280);
const FAINT: Rgb = hex(0x9ca3af);
const RULE: Rgb = hex(0xe5e7eb);
const HEAD_BG: Rgb = hex(0xf1f5f9);
const ZEBRA: Rgb = hex(0xf9fafb);
const BAND: Rgb = hex(0x0f172a);
const BAND_TEXT: Rgb = hex(0xcbd5e1);
const BAND_FAINT: Rgb = hex(0x94a3b8);
const ACCENT: Rgb = hex(0x2563eb);
const ACCENT_SOFT: Rgb = hex(0xdbeafe);
const ACCENT_WASH: Rgb = hex(0xf0f6ff);
const BAR_BG: Rgb = hex(0xe8edf3);
const GREEN: Rgb = hex(0x15803d);
const RED: Rgb = hex(0xb91c1c);
const AMBER: Rgb = hex(0xb45309);
const CARD_BG: Rgb = hex(0xf8fafc);
const CARD_BORDER: Rgb = hex(0xe2e8f0);

/// Font, size and colour of a run of text.
#[derive(Debug, Clone, Copy)]
struct Style {
    font: Font,
    size: f32,
    color: Rgb,
}

const fn style(font: Font, size: f32, color: Rgb) -> Style {
    Style { font, size, color }
}

impl Style {
    fn width(self, text: &str) -> f32 {
        self.font.width(text, self.size)
    }

    fn with_color(self, color: Rgb) -> Style {
        Style { color, ..self }
    }
}

const BODY: Style = style(Font::Regular, 8.2, TEXT);
const BODY_BOLD: Style = style(Font::Bold, 8.2, INK);
const BODY_MUTED: Style = style(Font::Regular, 8.2, MUTED);
const COLUMN_TITLE: Style = style(Font::Bold, 6.8, MUTED);
const HEADING: Style = style(Font::Bold, 11.5, INK);
const NOTE: Style = style(Font::Regular, 7.8, MUTED);
const SMALL: Style = style(Font::Regular, 7.2, MUTED);

/// Renders the report as a PDF (A4 portrait, one page or more).
pub fn render(report: &MonthlyReport) -> Vec<u8> {
    let mut layout = Layout::new(report);
    layout.title_band();
    layout.totals();
    layout.trend_chart();
    layout.breakdown(
        "Cost by service",
        "Service",
        "services",
        &report.by_service,
        "No service costs recorded this month",
    );
    layout.breakdown(
        "Cost by account",
        "Account",
        "accounts",
        &report.by_account,
        "No account costs recorded this month",
    );
    layout.recommendations();
    layout.decisions();
    let pages = layout.finish();
    assemble(report, pages)
}

// ---------------------------------------------------------------------------------------------------------
// Drawing on one page
// ---------------------------------------------------------------------------------------------------------

/// One page's content stream with the few drawing operations the report needs.
struct Page {
    content: Content,
}

impl Page {
    fn new() -> Page {
        Page {
            content: Content::new(),
        }
    }

    /// Text with its baseline starting at (`x`, `y`), as a `Tj` in a text object of its own.
    fn text(&mut self, x: f32, y: f32, style: Style, text: &str) {
        if text.is_empty() {
            return;
        }
        let (r, g, b) = style.color;
        let bytes = encode(text);
        self.content
            .set_fill_rgb(r, g, b)
            .begin_text()
            .set_font(Name(style.font.resource()), style.size)
            .next_line(x, y)
            .show(Str(&bytes))
            .end_text();
    }

    /// Text ending at `right`.
    fn text_right(&mut self, right: f32, y: f32, style: Style, text: &str) {
        self.text(right - style.width(text), y, style, text);
    }

    /// Text centred on `center`.
    fn text_center(&mut self, center: f32, y: f32, style: Style, text: &str) {
        self.text(center - style.width(text) / 2.0, y, style, text);
    }

    fn fill_rect(&mut self, x: f32, y: f32, w: f32, h: f32, color: Rgb) {
        let (r, g, b) = color;
        self.content
            .set_fill_rgb(r, g, b)
            .rect(x, y, w, h)
            .fill_nonzero();
    }

    fn stroke_rect(&mut self, x: f32, y: f32, w: f32, h: f32, color: Rgb, width: f32) {
        let (r, g, b) = color;
        self.content
            .set_stroke_rgb(r, g, b)
            .set_line_width(width)
            .rect(x, y, w, h)
            .stroke();
    }

    fn line(&mut self, from: (f32, f32), to: (f32, f32), color: Rgb, width: f32) {
        let (r, g, b) = color;
        self.content
            .set_stroke_rgb(r, g, b)
            .set_line_width(width)
            .move_to(from.0, from.1)
            .line_to(to.0, to.1)
            .stroke();
    }

    fn hline(&mut self, x1: f32, x2: f32, y: f32, color: Rgb, width: f32) {
        self.line((x1, y), (x2, y), color, width);
    }

    /// A filled circle, four Bézier quarter arcs.
    fn dot(&mut self, cx: f32, cy: f32, radius: f32, color: Rgb) {
        const K: f32 = 0.552_284_8;
        let (r, g, b) = color;
        let k = radius * K;
        self.content
            .set_fill_rgb(r, g, b)
            .move_to(cx + radius, cy)
            .cubic_to(cx + radius, cy + k, cx + k, cy + radius, cx, cy + radius)
            .cubic_to(cx - k, cy + radius, cx - radius, cy + k, cx - radius, cy)
            .cubic_to(cx - radius, cy - k, cx - k, cy - radius, cx, cy - radius)
            .cubic_to(cx + k, cy - radius, cx + radius, cy - k, cx + radius, cy)
            .close_path()
            .fill_nonzero();
    }
}

// ---------------------------------------------------------------------------------------------------------
// Tables
// ---------------------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Align {
    Left,
    Right,
}

/// A table column; a `width` of 0 takes what the fixed columns leave.
struct Column {
    title: &'static str,
    width: f32,
    align: Align,
    /// How many lines a cell may wrap onto before it is cut with an ellipsis.
    max_lines: usize,
}

const fn col(title: &'static str, width: f32, align: Align, max_lines: usize) -> Column {
    Column {
        title,
        width,
        align,
        max_lines,
    }
}

struct Cell {
    text: String,
    style: Style,
    /// A share of a whole (0..=1), drawn as a bar left of the text.
    share: Option<f64>,
}

impl Cell {
    fn new(text: impl Into<String>, style: Style) -> Cell {
        Cell {
            text: text.into(),
            style,
            share: None,
        }
    }

    fn share(fraction: f64) -> Cell {
        Cell {
            text: format!("{:.1}%", fraction * 100.0),
            style: BODY,
            share: Some(fraction),
        }
    }
}

struct Row {
    cells: Vec<Cell>,
    /// A closing total: a rule above it, no zebra stripe.
    total: bool,
}

const CELL_PAD: f32 = 6.0;
const LINE_H: f32 = 10.4;
const HEADER_H: f32 = 18.0;
const HEADING_H: f32 = 22.0;

fn row_height(lines: usize) -> f32 {
    lines as f32 * LINE_H + 6.8
}

/// A row laid out: each cell's lines, and its height.
struct LaidRow<'r> {
    row: &'r Row,
    lines: Vec<Vec<String>>,
    height: f32,
}

// ---------------------------------------------------------------------------------------------------------
// The layout
// ---------------------------------------------------------------------------------------------------------

struct Layout<'a> {
    report: &'a MonthlyReport,
    month: Option<NaiveDate>,
    pages: Vec<Page>,
    /// The cursor: the top of the next block on the current page.
    y: f32,
}

impl<'a> Layout<'a> {
    fn new(report: &'a MonthlyReport) -> Layout<'a> {
        Layout {
            report,
            month: parse_month(&report.month),
            pages: vec![Page::new()],
            y: PAGE_H,
        }
    }

    fn page(&mut self) -> &mut Page {
        self.pages.last_mut().expect("the layout always has a page")
    }

    fn month_label(&self) -> String {
        match self.month {
            Some(m) => m.format("%B %Y").to_string(),
            None => self.report.month.clone(),
        }
    }

    fn money(&self, amount: Decimal) -> String {
        money(amount, &self.report.currency)
    }

    /// Opens a new page with the running header.
    fn new_page(&mut self) {
        let tenant = self.report.tenant_name.clone();
        let right = format!("{} \u{b7} {}", tenant, self.month_label());
        let mut page = Page::new();
        let title_style = style(Font::Bold, 8.5, INK);
        page.text(
            LEFT,
            PAGE_H - 32.0,
            title_style,
            "consoleai \u{2014} monthly cost report",
        );
        let right_style = style(Font::Regular, 8.5, MUTED);
        let right = ellipsize(&right, right_style, CONTENT_W * 0.55);
        page.text_right(RIGHT, PAGE_H - 32.0, right_style, &right);
        page.hline(LEFT, RIGHT, PAGE_H - 40.0, RULE, 0.7);
        self.pages.push(page);
        self.y = CONTINUED_TOP;
    }

    /// Makes sure `height` points fit below the cursor, opening a new page if not. True if it did.
    fn room(&mut self, height: f32) -> bool {
        if self.y - height < BOTTOM {
            self.new_page();
            true
        } else {
            false
        }
    }

    /// A section heading with an accent tick and a note on the right.
    fn heading(&mut self, title: &str, note: &str) {
        let y = self.y;
        let page = self.page();
        page.fill_rect(LEFT, y - 13.0, 3.0, 12.5, ACCENT);
        page.text(LEFT + 9.0, y - 11.5, HEADING, title);
        let room = CONTENT_W - HEADING.width(title) - 30.0;
        let note = ellipsize(note, NOTE, room);
        page.text_right(RIGHT, y - 11.0, NOTE, &note);
        self.y -= HEADING_H;
    }

    /// The muted box an empty section shows.
    fn empty_note(&mut self, message: &str) {
        self.room(30.0);
        let y = self.y;
        let page = self.page();
        page.fill_rect(LEFT, y - 26.0, CONTENT_W, 26.0, ZEBRA);
        page.stroke_rect(LEFT, y - 26.0, CONTENT_W, 26.0, RULE, 0.6);
        page.text(LEFT + 10.0, y - 16.0, BODY_MUTED, message);
        self.y -= 26.0;
    }

    // -- first page header -----------------------------------------------------------------------------

    fn title_band(&mut self) {
        let r = self.report;
        let month_label = self.month_label();
        let page = self.page();
        let top = PAGE_H;
        page.fill_rect(0.0, top - BAND_H, PAGE_W, BAND_H, BAND);
        page.fill_rect(0.0, top - BAND_H - 3.0, PAGE_W, 3.0, ACCENT);

        // Right: the reporting month.
        let kicker = style(Font::Bold, 6.8, BAND_FAINT);
        page.text_right(RIGHT, top - 30.0, kicker, "REPORTING MONTH");
        let big = style(Font::Bold, 16.0, WHITE);
        let month_big = ellipsize(&month_label, big, 170.0);
        page.text_right(RIGHT, top - 50.0, big, &month_big);
        if month_label != r.month {
            let code = style(Font::Regular, 9.0, BAND_TEXT);
            page.text_right(RIGHT, top - 65.0, code, &r.month);
        }
        let right_block = big.width(&month_big).max(90.0) + 24.0;

        // Left: title, tenant, OU and when it was generated.
        let left_w = CONTENT_W - right_block;
        let title = style(Font::Bold, 17.0, WHITE);
        page.text(
            LEFT,
            top - 34.0,
            title,
            &ellipsize("consoleai \u{2014} monthly cost report", title, left_w),
        );
        let tenant = style(Font::Bold, 11.5, WHITE);
        page.text(
            LEFT,
            top - 55.0,
            tenant,
            &ellipsize(&r.tenant_name, tenant, left_w),
        );
        let meta = style(Font::Regular, 8.3, BAND_TEXT);
        let line = format!(
            "OU {}   \u{b7}   Generated {}",
            r.tenant_ou_id,
            r.generated_at.format("%Y-%m-%d %H:%M UTC")
        );
        page.text(LEFT, top - 71.0, meta, &ellipsize(&line, meta, left_w));
        self.y = top - BAND_H - 3.0 - 20.0;
    }

    // -- totals ----------------------------------------------------------------------------------------

    fn totals(&mut self) {
        const GAP: f32 = 10.0;
        const H: f32 = 70.0;
        let r = self.report;
        let w = (CONTENT_W - 3.0 * GAP) / 4.0;
        let top = self.y;
        let previous_label = match self.month {
            Some(m) => (m - Months::new(1)).format("%B %Y").to_string(),
            None => "the month before".to_string(),
        };
        let delta = r.total - r.previous_total;
        let delta_color = match delta.cmp(&Decimal::ZERO) {
            std::cmp::Ordering::Greater => RED,
            std::cmp::Ordering::Less => GREEN,
            std::cmp::Ordering::Equal => INK,
        };
        let change_note = match percent_of(delta, r.previous_total.abs()) {
            Some(p) => (
                format!("{} vs previous month", signed_percent(p)),
                delta_color,
            ),
            None => ("no previous month to compare".to_string(), MUTED),
        };

        let mut cards = vec![
            Card {
                label: "TOTAL THIS MONTH",
                value: self.money(r.total),
                value_color: INK,
                note: self.month_label(),
                note_color: MUTED,
                bar: None,
            },
            Card {
                label: "PREVIOUS MONTH",
                value: self.money(r.previous_total),
                value_color: TEXT,
                note: previous_label,
                note_color: MUTED,
                bar: None,
            },
            Card {
                label: "CHANGE",
                value: signed_money(delta, &r.currency),
                value_color: delta_color,
                note: change_note.0,
                note_color: change_note.1,
                bar: None,
            },
        ];
        cards.push(match r.budget {
            Some(budget) => match percent_of(r.total, budget) {
                Some(used) => {
                    let color = if used > Decimal::ONE_HUNDRED {
                        RED
                    } else if used >= Decimal::from(80) {
                        AMBER
                    } else {
                        GREEN
                    };
                    Card {
                        label: "BUDGET",
                        value: self.money(budget),
                        value_color: INK,
                        note: format!("{} of budget used", percent(used)),
                        note_color: if used > Decimal::ONE_HUNDRED {
                            RED
                        } else {
                            MUTED
                        },
                        bar: Some((used.to_f64().unwrap_or(0.0) / 100.0, color)),
                    }
                }
                None => Card {
                    label: "BUDGET",
                    value: self.money(budget),
                    value_color: INK,
                    note: "a budget of zero".to_string(),
                    note_color: MUTED,
                    bar: None,
                },
            },
            None => Card {
                label: "BUDGET",
                value: "No budget set".to_string(),
                value_color: MUTED,
                note: "set one to track spend".to_string(),
                note_color: FAINT,
                bar: None,
            },
        });

        let page = self.page();
        for (i, card) in cards.iter().enumerate() {
            let x = LEFT + i as f32 * (w + GAP);
            card.draw(page, x, top, w, H);
        }
        self.y = top - H - 24.0;
    }

    // -- the trend chart -------------------------------------------------------------------------------

    fn trend_chart(&mut self) {
        const PLOT_H: f32 = 138.0;
        const LABELS_W: f32 = 50.0;
        let r = self.report;
        let mut points: Vec<(NaiveDate, f64)> = r
            .trend
            .iter()
            .map(|(d, v)| (*d, v.to_f64().unwrap_or(0.0)))
            .collect();
        points.sort_by_key(|(d, _)| *d);

        self.room(HEADING_H + 14.0 + PLOT_H + 28.0);
        let note = match (points.first(), points.last()) {
            (Some((first, _)), Some((last, _))) => format!(
                "{} per day, {} to {}",
                r.currency,
                first.format("%Y-%m-%d"),
                last.format("%Y-%m-%d")
            ),
            _ => format!("{} per day", r.currency),
        };
        self.heading("Daily cost trend", &note);

        let px0 = LEFT + LABELS_W;
        let px1 = RIGHT - 4.0;
        let py1 = self.y - 14.0;
        let py0 = py1 - PLOT_H;
        self.y = py0 - 28.0;
        let month_label = self.month_label();
        let report_month = self.month;
        let page = self.page();

        let (Some(&(d0, _)), Some(&(d1, _))) = (points.first(), points.last()) else {
            page.fill_rect(LEFT, py0, CONTENT_W, PLOT_H, ZEBRA);
            page.stroke_rect(LEFT, py0, CONTENT_W, PLOT_H, RULE, 0.6);
            page.text_center(
                LEFT + CONTENT_W / 2.0,
                py0 + PLOT_H / 2.0 - 3.0,
                BODY_MUTED,
                "No trend data for this period",
            );
            return;
        };

        let min = points.iter().map(|p| p.1).fold(0.0_f64, f64::min);
        let max = points.iter().map(|p| p.1).fold(0.0_f64, f64::max);
        let scale = nice_scale(min, max);
        let span_days = (d1 - d0).num_days();
        let x_of = |d: NaiveDate| -> f32 {
            if span_days == 0 {
                (px0 + px1) / 2.0
            } else {
                px0 + (d - d0).num_days() as f32 / span_days as f32 * (px1 - px0)
            }
        };
        let y_of =
            |v: f64| -> f32 { py0 + ((v - scale.lo) / (scale.hi - scale.lo)) as f32 * (py1 - py0) };

        // The reported month, shaded, labelled above the plot.
        if let Some(start) = report_month {
            let end = start + Months::new(1) - chrono::Days::new(1);
            let (a, b) = (start.max(d0), end.min(d1));
            if a <= b && span_days > 0 {
                let half_day = (px1 - px0) / span_days as f32 / 2.0;
                let xa = (x_of(a) - half_day).max(px0);
                let xb = (x_of(b) + half_day).min(px1);
                page.fill_rect(xa, py0, xb - xa, py1 - py0, ACCENT_WASH);
                let label_style = style(Font::Bold, 6.8, ACCENT);
                let label = format!("{} (this report)", month_label);
                if label_style.width(&label) < xb - xa {
                    page.text_center((xa + xb) / 2.0, py1 + 4.0, label_style, &label);
                }
            }
        }

        // The area under the series, then the gridlines over it.
        let baseline = y_of(0.0_f64.clamp(scale.lo, scale.hi));
        if points.len() > 1 {
            let (r_, g_, b_) = ACCENT_SOFT;
            let c = &mut page.content;
            c.set_fill_rgb(r_, g_, b_);
            c.move_to(x_of(d0), baseline);
            for (d, v) in &points {
                c.line_to(x_of(*d), y_of(*v));
            }
            c.line_to(x_of(d1), baseline);
            c.close_path().fill_nonzero();
        }

        let tick_style = style(Font::Regular, 7.0, MUTED);
        let mut v = scale.lo;
        while v <= scale.hi + scale.step / 2.0 {
            let y = y_of(v);
            if (v - scale.lo).abs() > f64::EPSILON {
                page.hline(px0, px1, y, RULE, 0.5);
            }
            page.text_right(
                px0 - 6.0,
                y - 2.5,
                tick_style,
                &axis_label(v, scale.decimals),
            );
            v += scale.step;
        }
        page.text_right(
            px0 - 6.0,
            py1 + 7.0,
            style(Font::Bold, 6.6, MUTED),
            &r.currency,
        );

        // Month boundaries and labels along the x axis.
        let label_style = style(Font::Regular, 7.2, MUTED);
        let mut month = first_of_month(d0);
        while month <= d1 {
            let next = month + Months::new(1);
            let seg_start = month.max(d0);
            let seg_end = (next - chrono::Days::new(1)).min(d1);
            if month > d0 {
                let x = x_of(month);
                page.line((x, py0), (x, py1), RULE, 0.5);
                page.line((x, py0), (x, py0 - 4.0), FAINT, 0.6);
            }
            let (xa, xb) = (x_of(seg_start), x_of(seg_end));
            let label = month.format("%b %Y").to_string();
            if label_style.width(&label) + 6.0 < (xb - xa).max(0.0) || span_days == 0 {
                page.text_center((xa + xb) / 2.0, py0 - 13.0, label_style, &label);
            }
            month = next;
        }

        // Axes.
        page.line((px0, py0), (px0, py1), FAINT, 0.7);
        page.line((px0, baseline), (px1, baseline), FAINT, 0.7);
        if scale.lo < 0.0 {
            page.line((px0, py0), (px1, py0), RULE, 0.5);
        }

        // The series.
        if points.len() > 1 {
            let (r_, g_, b_) = ACCENT;
            let c = &mut page.content;
            c.set_stroke_rgb(r_, g_, b_)
                .set_line_width(1.3)
                .set_line_join(LineJoinStyle::RoundJoin)
                .set_line_cap(LineCapStyle::RoundCap);
            c.move_to(x_of(d0), y_of(points[0].1));
            for (d, v) in &points[1..] {
                c.line_to(x_of(*d), y_of(*v));
            }
            c.stroke();
            c.set_line_join(LineJoinStyle::MiterJoin)
                .set_line_cap(LineCapStyle::ButtCap);
        }

        // The peak, marked and labelled.
        let (peak_date, peak) =
            points
                .iter()
                .copied()
                .fold(points[0], |best, p| if p.1 > best.1 { p } else { best });
        let (x, y) = (x_of(peak_date), y_of(peak));
        page.dot(x, y, 3.2, WHITE);
        page.dot(x, y, 2.2, ACCENT);
        let peak_label = format!(
            "peak {} on {}",
            axis_label(peak, 2),
            peak_date.format("%b %-d")
        );
        let peak_style = style(Font::Bold, 7.0, TEXT);
        let w = peak_style.width(&peak_label);
        let ly = (y - 2.5).min(py1 - 9.0);
        if x + 6.0 + w <= px1 {
            page.text(x + 6.0, ly, peak_style, &peak_label);
        } else {
            page.text(x - 6.0 - w, ly, peak_style, &peak_label);
        }
    }

    // -- tables ----------------------------------------------------------------------------------------

    fn breakdown(
        &mut self,
        title: &str,
        label: &'static str,
        noun: &str,
        items: &[(String, Decimal)],
        empty: &str,
    ) {
        let sum: Decimal = items.iter().map(|(_, v)| *v).sum();
        let note = match items.len() {
            0 => String::new(),
            1 => format!("1 {}", noun.trim_end_matches('s')),
            n => format!("{n} {noun}"),
        };
        let sum_f = sum.to_f64().unwrap_or(0.0);
        let mut rows: Vec<Row> = items
            .iter()
            .enumerate()
            .map(|(i, (name, amount))| {
                let share = if sum_f > 0.0 {
                    Cell::share((amount.to_f64().unwrap_or(0.0) / sum_f).clamp(0.0, 1.0))
                } else {
                    Cell::new("", BODY)
                };
                Row {
                    cells: vec![
                        Cell::new((i + 1).to_string(), BODY_MUTED),
                        Cell::new(name.clone(), BODY),
                        Cell::new(self.money(*amount), BODY),
                        share,
                    ],
                    total: false,
                }
            })
            .collect();
        if !rows.is_empty() {
            rows.push(Row {
                cells: vec![
                    Cell::new("", BODY),
                    Cell::new("Total", BODY_BOLD),
                    Cell::new(self.money(sum), BODY_BOLD),
                    Cell::new(if sum_f > 0.0 { "100.0%" } else { "" }, BODY_MUTED),
                ],
                total: true,
            });
        }
        let columns = [
            col("#", 24.0, Align::Left, 1),
            col(label, 0.0, Align::Left, 2),
            col("Amount", 104.0, Align::Right, 1),
            col("Share", 132.0, Align::Right, 1),
        ];
        self.table(title, &note, &columns, &rows, empty);
    }

    fn recommendations(&mut self) {
        let r = self.report;
        let mut recs: Vec<&ReportRecommendation> = r.recommendations.iter().collect();
        recs.sort_by_key(|rec| std::cmp::Reverse(rec.monthly_savings));
        let total: Decimal = recs.iter().map(|x| x.monthly_savings).sum();
        let note = if recs.is_empty() {
            String::new()
        } else {
            format!("{} / month potential savings", self.money(total))
        };
        let shown = recs.len().min(MAX_RECOMMENDATIONS);
        let mut rows: Vec<Row> = recs[..shown]
            .iter()
            .map(|rec| Row {
                cells: vec![
                    Cell::new(rec.resource.clone(), BODY),
                    Cell::new(humanize(&rec.finding), BODY),
                    Cell::new(rec.current_type.clone(), BODY),
                    match &rec.recommended_type {
                        Some(t) => Cell::new(t.clone(), BODY_BOLD),
                        None => Cell::new("\u{2014}", BODY_MUTED),
                    },
                    Cell::new(
                        self.money(rec.monthly_savings),
                        BODY.with_color(savings_color(rec.monthly_savings)),
                    ),
                ],
                total: false,
            })
            .collect();
        if !rows.is_empty() {
            let label = if shown < recs.len() {
                format!("Total, all {}", recs.len())
            } else {
                "Total".to_string()
            };
            rows.push(Row {
                cells: vec![
                    Cell::new(label, BODY_BOLD),
                    Cell::new("", BODY),
                    Cell::new("", BODY),
                    Cell::new("", BODY),
                    Cell::new(
                        self.money(total),
                        BODY_BOLD.with_color(savings_color(total)),
                    ),
                ],
                total: true,
            });
        }
        let columns = [
            col("Resource", 122.0, Align::Left, 2),
            col("Finding", 0.0, Align::Left, 3),
            col("Current", 74.0, Align::Left, 1),
            col("Recommended", 80.0, Align::Left, 1),
            col("Savings / month", 92.0, Align::Right, 1),
        ];
        self.table(
            "Top recommendations",
            &note,
            &columns,
            &rows,
            "No recommendations",
        );
        if shown < recs.len() {
            self.room(14.0);
            let y = self.y;
            let text = format!(
                "Showing the {} biggest of {} recommendations.",
                shown,
                recs.len()
            );
            self.page().text(LEFT, y - 10.0, SMALL, &text);
            self.y -= 14.0;
        }
    }

    fn decisions(&mut self) {
        let r = self.report;
        let mut decisions: Vec<&ReportDecision> = r.decisions.iter().collect();
        decisions.sort_by_key(|d| d.date);
        let net: Decimal = decisions.iter().map(|d| d.monthly_delta).sum();
        let note = match decisions.len() {
            0 => String::new(),
            n => format!(
                "{} {} \u{b7} net {} / month",
                n,
                if n == 1 { "decision" } else { "decisions" },
                signed_money(net, &r.currency)
            ),
        };
        let mut rows: Vec<Row> = decisions
            .iter()
            .map(|d| Row {
                cells: vec![
                    Cell::new(d.date.format("%Y-%m-%d").to_string(), BODY),
                    Cell::new(humanize(&d.kind), BODY),
                    Cell::new(d.summary.clone(), BODY),
                    Cell::new(
                        humanize(&d.status),
                        style(Font::Bold, 8.2, status_color(&d.status)),
                    ),
                    Cell::new(d.decider.clone(), BODY),
                    Cell::new(
                        signed_money(d.monthly_delta, &r.currency),
                        BODY.with_color(delta_color(d.monthly_delta)),
                    ),
                ],
                total: false,
            })
            .collect();
        if !rows.is_empty() {
            rows.push(Row {
                cells: vec![
                    Cell::new("", BODY),
                    Cell::new("", BODY),
                    Cell::new("Net monthly impact", BODY_BOLD),
                    Cell::new("", BODY),
                    Cell::new("", BODY),
                    Cell::new(
                        signed_money(net, &r.currency),
                        BODY_BOLD.with_color(delta_color(net)),
                    ),
                ],
                total: true,
            });
        }
        let columns = [
            col("Date", 54.0, Align::Left, 1),
            col("Kind", 70.0, Align::Left, 2),
            col("Summary", 0.0, Align::Left, 3),
            col("Status", 74.0, Align::Left, 2),
            col("Decider", 100.0, Align::Left, 1),
            col("Monthly delta", 80.0, Align::Right, 1),
        ];
        self.table(
            "Decisions this month",
            &note,
            &columns,
            &rows,
            "No decisions this month",
        );
    }

    /// A titled table that flows onto new pages, repeating its heading and column titles there.
    fn table(&mut self, title: &str, note: &str, columns: &[Column], rows: &[Row], empty: &str) {
        let fixed: f32 = columns.iter().map(|c| c.width).sum();
        let flex = (CONTENT_W - fixed).max(40.0);
        let widths: Vec<f32> = columns
            .iter()
            .map(|c| if c.width > 0.0 { c.width } else { flex })
            .collect();

        let laid: Vec<LaidRow> = rows
            .iter()
            .map(|row| {
                let lines: Vec<Vec<String>> = row
                    .cells
                    .iter()
                    .zip(columns.iter().zip(&widths))
                    .map(|(cell, (column, width))| {
                        let mut room = width - 2.0 * CELL_PAD;
                        if cell.share.is_some() {
                            room = room.min(40.0);
                        }
                        wrap(&cell.text, cell.style, room, column.max_lines)
                    })
                    .collect();
                let height = row_height(lines.iter().map(Vec::len).max().unwrap_or(1));
                LaidRow { row, lines, height }
            })
            .collect();

        // Keep the heading with the column titles and the first rows.
        let first_rows: f32 = laid.iter().take(2).map(|l| l.height).sum();
        let opening = HEADING_H
            + if laid.is_empty() {
                30.0
            } else {
                HEADER_H + first_rows
            };
        self.room(opening);
        self.heading(title, note);
        if laid.is_empty() {
            self.empty_note(empty);
            self.y -= 22.0;
            return;
        }
        self.column_titles(columns, &widths);
        for (i, row) in laid.iter().enumerate() {
            if self.room(row.height) {
                self.heading(&format!("{title} (continued)"), note);
                self.column_titles(columns, &widths);
            }
            self.draw_row(i, row, columns, &widths);
        }
        self.y -= 22.0;
    }

    fn column_titles(&mut self, columns: &[Column], widths: &[f32]) {
        let top = self.y;
        let page = self.page();
        page.fill_rect(LEFT, top - HEADER_H, CONTENT_W, HEADER_H, HEAD_BG);
        let mut x = LEFT;
        for (column, width) in columns.iter().zip(widths) {
            let title = column.title.to_uppercase();
            let title = ellipsize(&title, COLUMN_TITLE, width - 2.0 * CELL_PAD);
            match column.align {
                Align::Left => page.text(x + CELL_PAD, top - 11.6, COLUMN_TITLE, &title),
                Align::Right => {
                    page.text_right(x + width - CELL_PAD, top - 11.6, COLUMN_TITLE, &title)
                }
            }
            x += width;
        }
        self.y -= HEADER_H;
    }

    fn draw_row(&mut self, index: usize, laid: &LaidRow, columns: &[Column], widths: &[f32]) {
        let top = self.y;
        let h = laid.height;
        let page = self.page();
        if laid.row.total {
            page.hline(LEFT, RIGHT, top, TEXT, 0.8);
        } else {
            if index % 2 == 1 {
                page.fill_rect(LEFT, top - h, CONTENT_W, h, ZEBRA);
            }
            page.hline(LEFT, RIGHT, top - h, RULE, 0.4);
        }
        let mut x = LEFT;
        for ((cell, lines), (column, width)) in laid
            .row
            .cells
            .iter()
            .zip(&laid.lines)
            .zip(columns.iter().zip(widths))
        {
            let right = x + width - CELL_PAD;
            let mut baseline = top - 11.4;
            if let Some(fraction) = cell.share {
                let bar_right = right - 40.0;
                let bar_w = (bar_right - (x + CELL_PAD)).max(0.0);
                page.fill_rect(x + CELL_PAD, baseline - 0.2, bar_w, 5.4, BAR_BG);
                let filled = (bar_w * fraction as f32).max(if fraction > 0.0 { 0.8 } else { 0.0 });
                if filled > 0.0 {
                    page.fill_rect(x + CELL_PAD, baseline - 0.2, filled, 5.4, ACCENT);
                }
            }
            for line in lines {
                match column.align {
                    Align::Left => page.text(x + CELL_PAD, baseline, cell.style, line),
                    Align::Right => page.text_right(right, baseline, cell.style, line),
                }
                baseline -= LINE_H;
            }
            x += width;
        }
        self.y -= h;
    }

    /// Adds the footers and hands the pages over.
    fn finish(self) -> Vec<Page> {
        let mut pages = self.pages;
        let count = pages.len();
        let left = format!(
            "consoleai \u{b7} {} \u{b7} OU {} \u{b7} {}",
            self.report.month, self.report.tenant_ou_id, self.report.tenant_name
        );
        let left = ellipsize(&left, SMALL, CONTENT_W * 0.7);
        for (i, page) in pages.iter_mut().enumerate() {
            page.hline(LEFT, RIGHT, 42.0, RULE, 0.6);
            page.text(LEFT, 30.0, SMALL, &left);
            page.text_right(RIGHT, 30.0, SMALL, &format!("Page {} of {}", i + 1, count));
        }
        pages
    }
}

/// One of the four boxes of the totals block.
struct Card {
    label: &'static str,
    value: String,
    value_color: Rgb,
    note: String,
    note_color: Rgb,
    /// A fill level (1.0 = full) and its colour.
    bar: Option<(f64, Rgb)>,
}

impl Card {
    fn draw(&self, page: &mut Page, x: f32, top: f32, w: f32, h: f32) {
        let inner = w - 22.0;
        page.fill_rect(x, top - h, w, h, CARD_BG);
        page.stroke_rect(x, top - h, w, h, CARD_BORDER, 0.6);
        page.text(
            x + 11.0,
            top - 17.0,
            style(Font::Bold, 6.6, MUTED),
            self.label,
        );

        let value_style = fit_size(&self.value, Font::Bold, 13.5, 9.0, inner);
        let value = ellipsize(&self.value, value_style, inner);
        page.text(
            x + 11.0,
            top - 38.0,
            value_style.with_color(self.value_color),
            &value,
        );

        let note_style = fit_size(&self.note, Font::Regular, 7.6, 6.4, inner);
        let note = ellipsize(&self.note, note_style, inner);
        page.text(
            x + 11.0,
            top - 52.0,
            note_style.with_color(self.note_color),
            &note,
        );

        if let Some((fraction, color)) = self.bar {
            page.fill_rect(x + 11.0, top - 61.0, inner, 3.5, BAR_BG);
            let filled = inner * fraction.clamp(0.0, 1.0) as f32;
            if filled > 0.0 {
                page.fill_rect(x + 11.0, top - 61.0, filled, 3.5, color);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// Assembling the PDF
// ---------------------------------------------------------------------------------------------------------

fn assemble(report: &MonthlyReport, pages: Vec<Page>) -> Vec<u8> {
    let catalog_id = Ref::new(1);
    let tree_id = Ref::new(2);
    let regular_id = Ref::new(3);
    let bold_id = Ref::new(4);
    let info_id = Ref::new(5);
    let page_ids: Vec<Ref> = (0..pages.len())
        .map(|i| Ref::new(6 + 2 * i as i32))
        .collect();

    let mut pdf = Pdf::new();
    pdf.catalog(catalog_id).pages(tree_id);
    pdf.pages(tree_id)
        .kids(page_ids.iter().copied())
        .count(pages.len() as i32);

    for (page, id) in pages.into_iter().zip(&page_ids) {
        let content_id = Ref::new(id.get() + 1);
        let mut writer = pdf.page(*id);
        writer
            .parent(tree_id)
            .media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
            .contents(content_id);
        writer
            .resources()
            .fonts()
            .pair(Name(Font::Regular.resource()), regular_id)
            .pair(Name(Font::Bold.resource()), bold_id);
        writer.finish();
        let data = deflate(&page.content.finish());
        pdf.stream(content_id, &data).filter(Filter::FlateDecode);
    }

    for (id, base) in [
        (regular_id, &b"Helvetica"[..]),
        (bold_id, &b"Helvetica-Bold"[..]),
    ] {
        pdf.type1_font(id)
            .base_font(Name(base))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }

    let title = format!(
        "consoleai \u{2014} monthly cost report \u{2014} {} \u{2014} {}",
        report.tenant_name, report.month
    );
    let at = report.generated_at;
    let date = Date::new(u16::try_from(at.year()).unwrap_or(0))
        .month(at.month() as u8)
        .day(at.day() as u8)
        .hour(at.hour() as u8)
        .minute(at.minute() as u8)
        .second(at.second() as u8)
        .utc_offset_hour(0);
    pdf.document_info(info_id)
        .title(TextStr(&title))
        .subject(TextStr("Monthly cost report"))
        .creator(TextStr("consoleai"))
        .producer(TextStr("consoleai report (pdf-writer)"))
        .creation_date(date);

    pdf.finish()
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut encoder = ZlibEncoder::new(Vec::with_capacity(data.len() / 3), Compression::default());
    encoder
        .write_all(data)
        .expect("writing to a Vec cannot fail");
    encoder.finish().expect("writing to a Vec cannot fail")
}

// ---------------------------------------------------------------------------------------------------------
// Text and number formatting
// ---------------------------------------------------------------------------------------------------------

/// `text` cut to fit `max_width`, with an ellipsis when it was cut.
fn ellipsize(text: &str, style: Style, max_width: f32) -> String {
    if style.width(text) <= max_width {
        return text.to_string();
    }
    force_ellipsis(text, style, max_width)
}

fn force_ellipsis(text: &str, style: Style, max_width: f32) -> String {
    let room = max_width - style.width("\u{2026}");
    let mut out = String::new();
    let mut width = 0.0;
    for c in text.chars() {
        let w = style.font.char_width(c, style.size);
        if width + w > room {
            break;
        }
        width += w;
        out.push(c);
    }
    let mut out = out.trim_end().to_string();
    out.push('\u{2026}');
    out
}

/// The biggest size from `max` down to `min` at which `text` fits `width`.
fn fit_size(text: &str, font: Font, max: f32, min: f32, width: f32) -> Style {
    let natural = font.width(text, max);
    let size = if natural <= width {
        max
    } else {
        (max * width / natural).max(min)
    };
    style(font, size, TEXT)
}

/// Greedy word wrap into at most `max_lines` lines; the last is cut with an ellipsis if the text goes on.
/// Words longer than a line are broken.
#[cfg(test)]
pub(super) fn wrap_text(
    text: &str,
    font: Font,
    size: f32,
    max_width: f32,
    max_lines: usize,
) -> Vec<String> {
    wrap(text, style(font, size, TEXT), max_width, max_lines)
}

fn wrap(text: &str, style: Style, max_width: f32, max_lines: usize) -> Vec<String> {
    let max_lines = max_lines.max(1);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if style.width(&candidate) <= max_width {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        let mut rest = word;
        while style.width(rest) > max_width {
            let mut end = 0;
            let mut width = 0.0;
            for (i, c) in rest.char_indices() {
                let w = style.font.char_width(c, style.size);
                if i > 0 && width + w > max_width {
                    break;
                }
                width += w;
                end = i + c.len_utf8();
            }
            lines.push(rest[..end].to_string());
            rest = &rest[end..];
        }
        line = rest.to_string();
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    if lines.len() > max_lines {
        let rest = lines[max_lines - 1..].join(" ");
        lines.truncate(max_lines - 1);
        lines.push(force_ellipsis(&rest, style, max_width));
    }
    lines
}

/// `12,345.67` — rounded half away from zero to cents, with thousands separators.
pub(super) fn format_amount(amount: Decimal) -> String {
    let rounded = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let negative = rounded.is_sign_negative() && !rounded.is_zero();
    let digits = format!("{:.2}", rounded.abs());
    let (int, frac) = digits.split_once('.').unwrap_or((&digits, "00"));
    format!(
        "{}{}.{}",
        if negative { "-" } else { "" },
        group_thousands(int),
        frac
    )
}

/// `12,345.67 USD`.
pub(super) fn money(amount: Decimal, currency: &str) -> String {
    if currency.is_empty() {
        format_amount(amount)
    } else {
        format!("{} {}", format_amount(amount), currency)
    }
}

/// `+1,234.56 USD`, `-80.00 USD`, `0.00 USD`.
fn signed_money(amount: Decimal, currency: &str) -> String {
    let text = money(amount, currency);
    if amount.round_dp(2) > Decimal::ZERO {
        format!("+{text}")
    } else {
        text
    }
}

fn group_thousands(int: &str) -> String {
    let mut out = String::with_capacity(int.len() + int.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `part` as a percentage of `whole`, or `None` when `whole` is zero.
pub(super) fn percent_of(part: Decimal, whole: Decimal) -> Option<Decimal> {
    if whole.is_zero() {
        return None;
    }
    part.checked_div(whole)?.checked_mul(Decimal::ONE_HUNDRED)
}

/// `82.3%`.
fn percent(p: Decimal) -> String {
    format!(
        "{}%",
        format_one_decimal(p.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero))
    )
}

/// `+11.1%`, `-4.0%`.
fn signed_percent(p: Decimal) -> String {
    let rounded = p.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero);
    if rounded > Decimal::ZERO {
        format!("+{}", percent(rounded))
    } else {
        percent(rounded)
    }
}

fn format_one_decimal(p: Decimal) -> String {
    let negative = p.is_sign_negative() && !p.is_zero();
    let digits = format!("{:.1}", p.abs());
    let (int, frac) = digits.split_once('.').unwrap_or((&digits, "0"));
    format!(
        "{}{}.{}",
        if negative { "-" } else { "" },
        group_thousands(int),
        frac
    )
}

/// A chart's y axis: from `lo` to `hi` in steps of `step`, labels with `decimals` decimals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Scale {
    pub lo: f64,
    pub hi: f64,
    pub step: f64,
    pub decimals: usize,
}

/// Four or five round steps (1, 2, 2.5 or 5 times a power of ten) covering `min..=max`.
pub(super) fn nice_scale(min: f64, max: f64) -> Scale {
    let (min, max) = if min.is_finite() && max.is_finite() {
        (min.min(max), max.max(min))
    } else {
        (0.0, 1.0)
    };
    let range = if max - min > f64::EPSILON {
        max - min
    } else {
        max.abs().max(1.0)
    };
    let raw = range / 4.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let normalized = raw / magnitude;
    let factor = if normalized <= 1.0 {
        1.0
    } else if normalized <= 2.0 {
        2.0
    } else if normalized <= 2.5 {
        2.5
    } else if normalized <= 5.0 {
        5.0
    } else {
        10.0
    };
    let step = factor * magnitude;
    let lo = (min / step).floor() * step;
    let mut hi = (max / step).ceil() * step;
    if hi - lo < step / 2.0 {
        hi = lo + step;
    }
    let decimals = if step >= 1.0 && step.fract() == 0.0 {
        0
    } else if (step * 10.0).fract().abs() < 1e-9 {
        1
    } else {
        2
    };
    Scale {
        lo,
        hi,
        step,
        decimals,
    }
}

/// A y-axis label: thousands separators, `decimals` decimals.
fn axis_label(v: f64, decimals: usize) -> String {
    let v = if v.abs() < 1e-9 { 0.0 } else { v };
    let digits = format!("{:.*}", decimals, v.abs());
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits.as_str(), None),
    };
    let mut out = String::new();
    if v < 0.0 {
        out.push('-');
    }
    out.push_str(&group_thousands(int));
    if let Some(frac) = frac {
        out.push('.');
        out.push_str(frac);
    }
    out
}

/// `"BUDGET_CHANGE"` → `"Budget change"`, `"OverProvisioned"` → `"Over provisioned"`; anything with a space
/// or other punctuation is left as it is.
pub(super) fn humanize(s: &str) -> String {
    if s.is_empty() || !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return s.to_string();
    }
    let mut words: Vec<String> = Vec::new();
    for part in s.split('_').filter(|p| !p.is_empty()) {
        let mut word = String::new();
        let mut prev_lower = false;
        for c in part.chars() {
            if c.is_ascii_uppercase() && prev_lower && !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            word.push(c);
        }
        if !word.is_empty() {
            words.push(word);
        }
    }
    if words.len() <= 1 && !s.contains('_') && !s.chars().all(|c| !c.is_ascii_lowercase()) {
        // A single ordinary word ("Approved", "m5"): leave it.
        return s.to_string();
    }
    let mut out = words.join(" ").to_lowercase();
    if let Some(first) = out.get(0..1) {
        let upper = first.to_uppercase();
        out.replace_range(0..1, &upper);
    }
    out
}

fn status_color(status: &str) -> Rgb {
    let s = status.to_ascii_lowercase();
    if s.contains("approv") || s.contains("applied") || s.contains("done") {
        GREEN
    } else if s.contains("reject") || s.contains("denied") || s.contains("fail") {
        RED
    } else if s.contains("pending") || s.contains("await") || s.contains("wait") {
        AMBER
    } else {
        MUTED
    }
}

/// A saving is green; a negative one (the recommendation costs more) red.
fn savings_color(savings: Decimal) -> Rgb {
    delta_color(-savings)
}

/// A cost increase is red, a decrease green.
fn delta_color(delta: Decimal) -> Rgb {
    match delta.round_dp(2).cmp(&Decimal::ZERO) {
        std::cmp::Ordering::Greater => RED,
        std::cmp::Ordering::Less => GREEN,
        std::cmp::Ordering::Equal => TEXT,
    }
}

/// `"2026-10"` → 2026-10-01.
fn parse_month(month: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(&format!("{}-01", month.trim()), "%Y-%m-%d").ok()
}

fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}
