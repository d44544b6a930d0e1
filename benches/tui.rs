//! The app's speed where a person feels it: drawing a frame (at 80x24, 100x30 and 200x60)
//! and filter keystrokes (each re-filters the list), on the demo and on big logbooks.
//!   cargo bench --bench tui                                   the demo and 10,000 incidents
//!   BENCH_INCIDENTS=50000 cargo bench --bench tui             generated in-process
//!   BENCH_LOGBOOK=/path/lb.age BENCH_KEY=/path/key cargo bench --bench tui
//!                                                             also a logbook file (key mode)
//! Targets (issue 12): a keystroke within 16 ms at 50,000 incidents, a frame within 4 ms.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use logbook::model::Logbook;
use logbook::tui::app::App;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

fn backspace() -> KeyEvent {
    KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE)
}

/// The logbooks to measure: the demo, generated ones, and a file if one is given.
fn books() -> Vec<(String, Logbook)> {
    let now = logbook::demo::demo_now();
    let mut books = vec![("demo".to_string(), logbook::demo::logbook().unwrap())];
    let sizes = std::env::var("BENCH_INCIDENTS").unwrap_or_else(|_| "10000".into());
    for n in sizes
        .split([',', ' '])
        .filter_map(|n| n.parse::<usize>().ok())
    {
        books.push((
            format!("{n} incidents"),
            logbook::demo::generate(n, 1, now).unwrap(),
        ));
    }
    if let (Some(file), Some(key_file)) = (
        std::env::var_os("BENCH_LOGBOOK"),
        std::env::var_os("BENCH_KEY"),
    ) {
        use logbook::vault::{Access, Key, Vault};
        // A copy, so that the file given is never locked or touched.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lb.age");
        std::fs::copy(&file, &path).unwrap();
        let key = Key::from_identity_files(&[PathBuf::from(key_file)], &mut |_| {
            panic!("the key file must not be passphrase-protected")
        })
        .unwrap();
        let (_, book, _) = Vault::open(&path, &key, Access::Read).unwrap();
        books.push((
            format!("{} incidents from a file", book.incidents.len()),
            book,
        ));
    }
    books
}

/// This thread's CPU time so far (Linux), which other processes' load does not inflate
/// as it does the wall-clock times criterion reports.
fn cpu_now() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// The mean CPU time of `f` over runs adding up to at least 0.3 s of CPU (the kernel
/// counts it in scheduler ticks), divided by `per` (keystrokes in a run).
fn cpu_each(per: u32, mut f: impl FnMut()) -> String {
    let Some(start) = cpu_now() else {
        return "n/a".into();
    };
    let mut runs = 0u32;
    let mut spent = Duration::ZERO;
    while spent < Duration::from_millis(300) && runs < 10_000 {
        f();
        runs += 1;
        spent = cpu_now().unwrap_or(start) - start;
    }
    let each = spent.as_secs_f64() * 1e3 / f64::from(runs * per);
    format!("{each:.3} ms")
}

/// CPU time per keystroke and per frame, printed before criterion's wall-clock figures.
fn cpu_figures(name: &str, app: &mut App) {
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();
    let frame = cpu_each(1, || {
        terminal.draw(|f| logbook::tui::view::draw(f, app)).unwrap();
    });
    app.key(key('/'));
    let rare = cpu_each(2, || {
        app.key(key('q'));
        app.key(backspace());
    });
    let word = cpu_each(12, || {
        for c in "review".chars() {
            app.key(key(c));
        }
        for _ in 0..6 {
            app.key(backspace());
        }
    });
    let first = cpu_each(1, || {
        app.key(key('r'));
        app.key(backspace());
    });
    let kept = app.list.found.text_bytes();
    let changed = cpu_each(1, || {
        app.list.found = Default::default();
        app.refresh();
    });
    app.key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
    println!(
        "{name}: CPU per frame at 200x60 {frame}; per keystroke: 'q'+Backspace {rare}, 'review' typed and deleted {word}, 'r'+Backspace {first}; list recomputed after a change {changed}; text kept for searching {kept} bytes"
    );
}

fn bench(c: &mut Criterion) {
    let now = logbook::demo::demo_now();
    for (name, book) in books() {
        if std::env::var_os("BENCH_CPU_ONLY").is_some() {
            let mut app = App::ready("logbook.age".into(), now, book, "RO".into());
            app.key(key('4'));
            cpu_figures(&name, &mut app);
            continue;
        }
        let mut group = c.benchmark_group(name);
        group
            .sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(3));
        let mut app = App::ready("logbook.age".into(), now, book, "RO".into());
        app.key(key('4'));
        for (w, h) in [(80, 24), (100, 30), (200, 60)] {
            let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
            group.bench_function(format!("draw the incident list at {w}x{h}"), |b| {
                b.iter(|| {
                    terminal
                        .draw(|f| logbook::tui::view::draw(f, &app))
                        .unwrap()
                        .area
                })
            });
        }
        app.key(key('/'));
        // A letter found in few records: every field of every incident is searched.
        group.bench_function("filter keystroke: a rare letter, then Backspace", |b| {
            b.iter(|| {
                app.key(key('q'));
                app.key(backspace());
                black_box(app.list.rows.len())
            })
        });
        // A word typed letter by letter and deleted: 12 keystrokes.
        group.bench_function("filter: 'review' typed and deleted (12 keystrokes)", |b| {
            b.iter(|| {
                for c in "review".chars() {
                    app.key(key(c));
                }
                for _ in 0..6 {
                    app.key(backspace());
                }
                black_box(app.list.rows.len())
            })
        });
        // After a change to the logbook nothing kept holds: the view is sorted again.
        app.key(key('e'));
        group.bench_function("list recomputed after a change (filter 'e')", |b| {
            b.iter(|| {
                app.list.found = Default::default();
                app.refresh();
                black_box(app.list.rows.len())
            })
        });
        app.key(backspace());
        app.key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
        app.key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
        for (w, h) in [(80, 24), (200, 60)] {
            let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
            group.bench_function(format!("draw an incident at {w}x{h}"), |b| {
                b.iter(|| {
                    terminal
                        .draw(|f| logbook::tui::view::draw(f, &app))
                        .unwrap()
                        .area
                })
            });
        }
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
