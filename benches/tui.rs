//! The app's speed where a person feels it: drawing a frame, and one filter keystroke
//! (which re-filters and re-sorts the whole list), on the demo and on 10,000 incidents.
//! `cargo bench --bench tui`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use logbook::tui::app::App;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

fn bench(c: &mut Criterion) {
    let now = logbook::demo::demo_now();
    let books = [
        ("demo", logbook::demo::logbook().unwrap()),
        (
            "10000 incidents",
            logbook::demo::generate(10_000, 1, now).unwrap(),
        ),
    ];
    for (name, book) in books {
        let mut group = c.benchmark_group(name);
        group.sample_size(20);
        let mut app = App::ready("logbook.age".into(), now, book, "RO".into());
        app.key(key('4'));
        let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
        group.bench_function("draw the incident list", |b| {
            b.iter(|| {
                terminal
                    .draw(|f| logbook::tui::view::draw(f, &app))
                    .unwrap()
                    .area
            })
        });
        app.key(key('/'));
        group.bench_function("filter keystroke (type, then delete)", |b| {
            b.iter(|| {
                app.key(key('q'));
                app.key(KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE));
                black_box(app.list.rows.len())
            })
        });
        app.key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
        app.key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
        group.bench_function("draw an incident", |b| {
            b.iter(|| {
                terminal
                    .draw(|f| logbook::tui::view::draw(f, &app))
                    .unwrap()
                    .area
            })
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
