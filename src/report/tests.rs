use std::str::FromStr;

use chrono::{Days, NaiveDate, TimeZone, Utc};
use lopdf::{Document, Object};
use rust_decimal::Decimal;

use super::metrics::{encode, Font};
use super::pdf::{
    format_amount, humanize, money, nice_scale, percent_of, wrap_text, MAX_RECOMMENDATIONS,
};
use super::{render, MonthlyReport, ReportDecision, ReportRecommendation};

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).expect("a decimal")
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a date")
}

/// Daily cost from 2026-08-01 to 2026-10-31: weekday/weekend rhythm, monthly growth, one spike.
fn trend() -> Vec<(NaiveDate, Decimal)> {
    let start = date(2026, 8, 1);
    (0..92u64)
        .map(|i| {
            let day = start + Days::new(i);
            let weekday = chrono::Datelike::weekday(&day).num_days_from_monday();
            let base = 330.0 + i as f64 * 1.1;
            let weekly = if weekday >= 5 { -62.0 } else { 14.0 };
            let wobble = ((i as f64) * 0.9).sin() * 9.0;
            let spike = if i == 58 { 260.0 } else { 0.0 };
            let v = base + weekly + wobble + spike;
            (day, Decimal::from_str(&format!("{v:.2}")).unwrap())
        })
        .collect()
}

fn sample() -> MonthlyReport {
    let services = [
        ("Amazon Elastic Compute Cloud - Compute", "4,812.40"),
        ("Amazon Relational Database Service", "2,390.15"),
        ("Amazon Simple Storage Service", "1,204.77"),
        ("Amazon Elastic Block Store", "986.30"),
        ("AWS Data Transfer", "742.18"),
        ("Amazon CloudFront", "512.64"),
        ("Elastic Load Balancing", "401.09"),
        ("Amazon ElastiCache", "366.25"),
        ("AWS Lambda", "244.91"),
        ("Amazon DynamoDB", "198.40"),
        ("Amazon CloudWatch", "171.33"),
        ("Amazon Route 53", "96.12"),
        ("AWS Key Management Service", "84.77"),
        ("AWS Secrets Manager", "58.40"),
        ("Amazon Simple Queue Service", "41.15"),
        ("AWS Config", "34.81"),
    ];
    let accounts = [
        ("retail-prod (111122223333)", "7,420.55"),
        ("retail-data (444455556666)", "2,611.90"),
        ("retail-staging (777788889999)", "1,302.47"),
        ("retail-dev (222233334444)", "706.05"),
        ("retail-sandbox (555566667777)", "304.70"),
    ];
    MonthlyReport {
        tenant_name: "Acme Retail".to_string(),
        tenant_ou_id: "ou-ab12-cdef3456".to_string(),
        month: "2026-10".to_string(),
        generated_at: Utc.with_ymd_and_hms(2026, 11, 1, 6, 0, 0).unwrap(),
        currency: "USD".to_string(),
        total: dec("12345.67"),
        previous_total: dec("11020.10"),
        budget: Some(dec("15000")),
        by_service: services
            .iter()
            .map(|(n, v)| (n.to_string(), dec(&v.replace(',', ""))))
            .collect(),
        by_account: accounts
            .iter()
            .map(|(n, v)| (n.to_string(), dec(&v.replace(',', ""))))
            .collect(),
        trend: trend(),
        recommendations: vec![
            rec(
                "i-0a1b2c3d4e5f60718 (web-1)",
                "OVER_PROVISIONED",
                "m5.2xlarge",
                Some("m5.xlarge"),
                "140.16",
            ),
            rec(
                "i-0f9e8d7c6b5a40312 (batch)",
                "IDLE",
                "c5.4xlarge",
                None,
                "496.40",
            ),
            rec(
                "db-orders-replica",
                "OVER_PROVISIONED",
                "db.r6g.2xlarge",
                Some("db.r6g.xlarge"),
                "402.50",
            ),
            rec(
                "vol-0123456789abcdef0",
                "Unattached for 41 days; no snapshots reference it",
                "gp2 500 GiB",
                Some("delete"),
                "50.00",
            ),
            rec(
                "i-07d3c2b1a0f9e8d71 (api-3)",
                "UNDER_PROVISIONED",
                "t3.medium",
                Some("t3.large"),
                "-30.37",
            ),
        ],
        decisions: vec![
            ReportDecision {
                date: date(2026, 10, 3),
                kind: "RESIZE".to_string(),
                summary: "Resize web-1 from m5.2xlarge to m5.xlarge".to_string(),
                status: "APPROVED".to_string(),
                decider: "maria@acme.example".to_string(),
                monthly_delta: dec("-140.16"),
            },
            ReportDecision {
                date: date(2026, 10, 9),
                kind: "PROVISION".to_string(),
                summary: "3 x c6i.large in us-east-1 for the holiday catalogue import".to_string(),
                status: "AWAITING_ADMIN".to_string(),
                decider: "li.wei@acme.example".to_string(),
                monthly_delta: dec("186.15"),
            },
            ReportDecision {
                date: date(2026, 10, 14),
                kind: "BUDGET_CHANGE".to_string(),
                summary: "Monthly budget from 14,000.00 to 15,000.00 USD".to_string(),
                status: "APPROVED".to_string(),
                decider: "admin@acme.example".to_string(),
                monthly_delta: dec("0"),
            },
            ReportDecision {
                date: date(2026, 10, 21),
                kind: "TERMINATE".to_string(),
                summary: "Terminate the idle batch worker i-0f9e8d7c6b5a40312".to_string(),
                status: "REJECTED".to_string(),
                decider: "maria@acme.example".to_string(),
                monthly_delta: dec("-496.40"),
            },
        ],
    }
}

fn rec(
    resource: &str,
    finding: &str,
    current: &str,
    recommended: Option<&str>,
    savings: &str,
) -> ReportRecommendation {
    ReportRecommendation {
        resource: resource.to_string(),
        finding: finding.to_string(),
        current_type: current.to_string(),
        recommended_type: recommended.map(str::to_string),
        monthly_savings: dec(savings),
    }
}

fn empty() -> MonthlyReport {
    MonthlyReport {
        tenant_name: "Empty Tenant".to_string(),
        tenant_ou_id: "ou-0000-00000000".to_string(),
        month: "2026-10".to_string(),
        generated_at: Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap(),
        currency: "USD".to_string(),
        total: Decimal::ZERO,
        previous_total: Decimal::ZERO,
        budget: None,
        by_service: vec![],
        by_account: vec![],
        trend: vec![],
        recommendations: vec![],
        decisions: vec![],
    }
}

/// Parses the PDF and returns the document and the text of every page.
fn parse(bytes: &[u8]) -> (Document, Vec<String>) {
    assert!(bytes.starts_with(b"%PDF-1."), "a PDF header");
    let tail = String::from_utf8_lossy(&bytes[bytes.len().saturating_sub(64)..]).to_string();
    assert!(
        tail.contains("startxref") && tail.trim_end().ends_with("%%EOF"),
        "{tail}"
    );
    let doc = Document::load_mem(bytes).expect("lopdf parses the report");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let texts = pages
        .iter()
        .map(|p| doc.extract_text(&[*p]).expect("text extracts"))
        .collect();
    (doc, texts)
}

#[test]
fn a_realistic_report_parses_and_its_text_extracts() {
    let bytes = render(&sample());
    let (doc, texts) = parse(&bytes);
    assert_eq!(texts.len(), doc.get_pages().len());
    assert!(
        !texts.is_empty() && texts.len() <= 3,
        "{} pages",
        texts.len()
    );
    let all = texts.join("\n");
    let first = &texts[0];
    for needle in [
        "consoleai \u{2014} monthly cost report",
        "Acme Retail",
        "ou-ab12-cdef3456",
        "2026-10",
        "October 2026",
        "Generated 2026-11-01 06:00 UTC",
        "12,345.67 USD",
        "11,020.10 USD",
        "+1,325.57 USD",
        "+12.0% vs previous month",
        "15,000.00 USD",
        "82.3% of budget used",
        "Daily cost trend",
    ] {
        assert!(first.contains(needle), "page 1 lacks {needle:?}:\n{first}");
    }
    for needle in [
        "Cost by service",
        "Amazon Elastic Compute Cloud - Compute",
        "4,812.40 USD",
        "Cost by account",
        "retail-prod (111122223333)",
        "7,420.55 USD",
        "Top recommendations",
        "db.r6g.xlarge",
        "496.40 USD",
        "Decisions this month",
        "Budget change",
        "Awaiting admin",
        "maria@acme.example",
        "+186.15 USD",
        "-496.40 USD",
        "Aug 2026",
        "Oct 2026",
    ] {
        assert!(all.contains(needle), "the report lacks {needle:?}:\n{all}");
    }
    let n = texts.len();
    for (i, text) in texts.iter().enumerate() {
        let footer = format!("Page {} of {}", i + 1, n);
        assert!(text.contains(&footer), "page {} lacks {footer:?}", i + 1);
    }
    // The biggest saving comes first.
    let idle = all.find("c5.4xlarge").unwrap();
    let web = all.find("m5.2xlarge").unwrap();
    assert!(idle < web);
}

#[test]
fn the_document_has_a_catalog_pages_and_the_two_base_fonts() {
    let bytes = render(&sample());
    let doc = Document::load_mem(&bytes).unwrap();
    let catalog = doc.catalog().expect("a catalog");
    assert_eq!(catalog.get(b"Type").unwrap().as_name().unwrap(), b"Catalog");
    let info = doc.trailer.get(b"Info").expect("document information");
    assert!(matches!(info, Object::Reference(_)));
    for (_, page_id) in doc.get_pages() {
        let page = doc.get_dictionary(page_id).unwrap();
        let media = page.get(b"MediaBox").unwrap().as_array().unwrap();
        let w = media[2].as_float().unwrap();
        let h = media[3].as_float().unwrap();
        assert!(
            (w - 595.28).abs() < 0.5 && (h - 841.89).abs() < 0.5,
            "A4, got {w} x {h}"
        );
        let fonts = doc.get_page_fonts(page_id).unwrap();
        let mut names: Vec<(Vec<u8>, Vec<u8>)> = fonts
            .values()
            .map(|f| {
                (
                    f.get(b"BaseFont").unwrap().as_name().unwrap().to_vec(),
                    f.get(b"Encoding").unwrap().as_name().unwrap().to_vec(),
                )
            })
            .collect();
        names.sort();
        assert_eq!(
            names,
            vec![
                (b"Helvetica".to_vec(), b"WinAnsiEncoding".to_vec()),
                (b"Helvetica-Bold".to_vec(), b"WinAnsiEncoding".to_vec()),
            ]
        );
    }
}

#[test]
fn the_chart_is_drawn_with_path_operators() {
    let bytes = render(&sample());
    let doc = Document::load_mem(&bytes).unwrap();
    let first = *doc.get_pages().get(&1).unwrap();
    let content = lopdf::content::Content::decode(&doc.get_page_content(first)).unwrap();
    let count = |op: &str| {
        content
            .operations
            .iter()
            .filter(|o| o.operator == op)
            .count()
    };
    // 92 daily points: at least one polyline of 91 segments (plus the area under it).
    assert!(count("l") >= 2 * 91, "{} line segments", count("l"));
    assert!(count("S") > 10 && count("m") > 10 && count("f") > 5);
    assert!(count("Tj") > 40);
}

#[test]
fn long_breakdowns_flow_onto_more_pages() {
    let mut report = sample();
    report.by_service = (1..=60)
        .map(|i| {
            (
                format!("Service number {i:02}"),
                Decimal::from(1000 - i * 10),
            )
        })
        .collect();
    report.by_account = (1..=60)
        .map(|i| {
            (
                format!("account-{i:02} ({:012})", i * 7919),
                Decimal::from(700 - i * 7),
            )
        })
        .collect();
    let (_, texts) = parse(&render(&report));
    assert!(
        texts.len() >= 3,
        "60 services and 60 accounts on {} pages",
        texts.len()
    );
    let all = texts.join("\n");
    for i in 1..=60 {
        assert!(
            all.contains(&format!("Service number {i:02}")),
            "service {i} is missing"
        );
        assert!(
            all.contains(&format!("account-{i:02} (")),
            "account {i} is missing"
        );
    }
    // A table that breaks repeats its heading on the next page.
    assert!(
        all.contains("Cost by service (continued)") || all.contains("Cost by account (continued)")
    );
    for (i, text) in texts.iter().enumerate().skip(1) {
        assert!(
            text.contains("consoleai \u{2014} monthly cost report"),
            "page {} header",
            i + 1
        );
        assert!(text.contains(&format!("Page {} of {}", i + 1, texts.len())));
    }
    assert!(all.contains("Decisions this month"));
}

#[test]
fn special_characters_do_not_break_the_pdf() {
    let mut report = sample();
    report.tenant_name = r"Müller & Söhne (EMEA)) \ Ops ( €".to_string();
    report.tenant_ou_id = "ou-(x)\\y".to_string();
    report.by_service[0].0 = "Weird ) service ( with \\ backslash".to_string();
    report.by_service[1].0 = "東京 region Тест".to_string();
    report.decisions[0].summary = "Tab\tnew\nline and \u{0007}bell".to_string();
    report.recommendations[0].resource = "))))((((".to_string();
    let (_, texts) = parse(&render(&report));
    let all = texts.join("\n");
    assert!(all.contains(r"Müller & Söhne (EMEA)) \ Ops ( €"), "{all}");
    assert!(all.contains("ou-(x)\\y"));
    assert!(all.contains("Weird ) service ( with \\ backslash"));
    // Characters WinAnsi lacks become '?'.
    assert!(all.contains("?? region ????"), "{all}");
    assert!(all.contains("Tab new line and ?bell"));
    assert!(all.contains("))))(((("));
}

#[test]
fn an_empty_report_renders_and_says_so() {
    let (_, texts) = parse(&render(&empty()));
    assert_eq!(texts.len(), 1);
    let text = &texts[0];
    for needle in [
        "Empty Tenant",
        "2026-10",
        "0.00 USD",
        "No budget set",
        "no previous month to compare",
        "No trend data for this period",
        "No service costs recorded this month",
        "No account costs recorded this month",
        "No recommendations",
        "No decisions this month",
    ] {
        assert!(text.contains(needle), "lacks {needle:?}:\n{text}");
    }
}

#[test]
fn odd_inputs_still_render() {
    // One trend point, negative amounts (credits), an unparseable month, a zero budget, no currency.
    let mut report = sample();
    report.month = "FY26 October".to_string();
    report.currency = String::new();
    report.budget = Some(Decimal::ZERO);
    report.trend = vec![(date(2026, 10, 1), dec("-12.5"))];
    report.by_service = vec![
        ("Credits".to_string(), dec("-50")),
        ("EC2".to_string(), dec("50")),
    ];
    let (_, texts) = parse(&render(&report));
    assert!(texts[0].contains("FY26 October"));

    report.trend = vec![
        (date(2026, 10, 1), dec("-12.5")),
        (date(2026, 10, 2), dec("40")),
    ];
    let (_, texts) = parse(&render(&report));
    assert!(texts[0].contains("peak 40.00"));

    // Over budget, and many recommendations (only the biggest are listed).
    let mut report = sample();
    report.budget = Some(dec("10000"));
    report.recommendations = (0..30)
        .map(|i| {
            rec(
                &format!("i-{i:04}"),
                "IDLE",
                "t3.micro",
                None,
                &format!("{}.00", 100 + i),
            )
        })
        .collect();
    let (_, texts) = parse(&render(&report));
    let all = texts.join("\n");
    assert!(all.contains("123.5% of budget used"));
    assert!(all.contains("i-0029") && !all.contains("i-0000"));
    assert!(all.contains(&format!(
        "Showing the {MAX_RECOMMENDATIONS} biggest of 30 recommendations."
    )));
}

#[test]
fn amounts_are_grouped_and_rounded() {
    assert_eq!(format_amount(dec("12345.67")), "12,345.67");
    assert_eq!(format_amount(dec("12345.675")), "12,345.68");
    assert_eq!(format_amount(dec("-1234567.891")), "-1,234,567.89");
    assert_eq!(format_amount(dec("0")), "0.00");
    assert_eq!(format_amount(dec("-0.001")), "0.00");
    assert_eq!(format_amount(dec("999.999")), "1,000.00");
    assert_eq!(format_amount(dec("100")), "100.00");
    assert_eq!(money(dec("1000"), "EUR"), "1,000.00 EUR");
    assert_eq!(percent_of(dec("50"), dec("200")), Some(dec("25")));
    assert_eq!(percent_of(dec("50"), Decimal::ZERO), None);
}

#[test]
fn the_y_axis_uses_round_steps() {
    let s = nice_scale(0.0, 612.0);
    assert_eq!((s.lo, s.hi, s.step, s.decimals), (0.0, 800.0, 200.0, 0));
    let s = nice_scale(0.0, 0.0);
    assert!(s.hi > s.lo);
    let s = nice_scale(-40.0, 100.0);
    assert!(s.lo <= -40.0 && s.hi >= 100.0);
    let s = nice_scale(0.0, 1.3);
    assert_eq!((s.hi, s.step, s.decimals), (1.5, 0.5, 1), "{s:?}");
    let s = nice_scale(0.0, 0.9);
    assert_eq!((s.hi, s.step, s.decimals), (1.0, 0.25, 2), "{s:?}");
    let s = nice_scale(0.0, f64::NAN);
    assert!(s.hi > s.lo);
}

#[test]
fn text_wraps_truncates_and_encodes() {
    let lines = wrap_text(
        "a few words that will not fit on a single line",
        Font::Regular,
        10.0,
        80.0,
        2,
    );
    assert_eq!(lines.len(), 2);
    assert!(lines[1].ends_with('\u{2026}'));
    for line in &lines {
        assert!(Font::Regular.width(line, 10.0) <= 80.0, "{line:?}");
    }
    let long = wrap_text(
        "averyveryveryveryverylongwordwithoutanyspaces",
        Font::Bold,
        10.0,
        60.0,
        5,
    );
    assert!(long.len() > 1);
    assert_eq!(
        long.concat(),
        "averyveryveryveryverylongwordwithoutanyspaces"
    );
    assert_eq!(
        wrap_text("", Font::Regular, 10.0, 50.0, 2),
        vec![String::new()]
    );

    assert_eq!(encode("a—€é東"), vec![b'a', 0x97, 0x80, 0xE9, b'?']);
    assert!((Font::Regular.width("Hello", 10.0) - 22.78).abs() < 0.01);

    assert_eq!(humanize("BUDGET_CHANGE"), "Budget change");
    assert_eq!(humanize("AWAITING_ADMIN"), "Awaiting admin");
    assert_eq!(humanize("OverProvisioned"), "Over provisioned");
    assert_eq!(humanize("APPROVED"), "Approved");
    assert_eq!(humanize("Approved"), "Approved");
    assert_eq!(humanize("no change needed"), "no change needed");
}

/// Writes a sample report for eyes and other tools:
/// `cargo test --lib report -- --ignored write_sample`.
#[test]
#[ignore]
fn write_sample() {
    let path = std::env::temp_dir().join("consoleai-report-sample.pdf");
    std::fs::write(&path, render(&sample())).unwrap();
    let mut long = sample();
    long.by_service = (1..=60)
        .map(|i| {
            (
                format!("Service number {i:02}"),
                Decimal::from(1000 - i * 10),
            )
        })
        .collect();
    let long_path = std::env::temp_dir().join("consoleai-report-long.pdf");
    std::fs::write(&long_path, render(&long)).unwrap();
    std::fs::write(
        std::env::temp_dir().join("consoleai-report-empty.pdf"),
        render(&empty()),
    )
    .unwrap();
    let mut odd = sample();
    odd.tenant_name =
        "Müller & Söhne (EMEA)) \\ Ops ( € — a tenant with a very, very long name indeed"
            .to_string();
    odd.by_service[1].0 = "東京 region Тест".to_string();
    odd.decisions[0].summary = "A summary long enough to need more than the three lines the column allows, so that it is cut with an ellipsis at the end of the third line".to_string();
    odd.budget = Some(dec("10000"));
    std::fs::write(
        std::env::temp_dir().join("consoleai-report-odd.pdf"),
        render(&odd),
    )
    .unwrap();
    println!("wrote {}", path.display());
}
