//! Names typed at the command line (tester4 #10): the same person's name typed decomposed
//! (as a Mac or an input method sends "Siân": "Sia" + U+0302 + "n"), or in other case, is
//! that person, recorded in one Unicode form, never a second author who looks the same.

mod common;
use common::*;

const SIAN: &str = "Si\u{e2}n ap Rhys";
const SIAN_DECOMPOSED: &str = "Sia\u{302}n ap Rhys";

/// The authors of the trail's entries, as `logbook history` prints them.
fn authors(history: &str) -> Vec<String> {
    history
        .lines()
        .filter(|l| l.starts_with('#'))
        .filter_map(|l| {
            // "#77  2026-11-30 19:01  incident  INC-2026-0019  Siân ap Rhys  imported: ..."
            l.split("  ").find(|w| w.contains("ap Rhys") || *w == "RO")
        })
        .map(|w| w.trim().to_string())
        .collect()
}

#[test]
fn a_key_holder_giving_their_own_name_decomposed_records_as_themselves() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("dsl.key");
    let o = run(&["keygen", "--unprotected", "--out", key.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let public = stdout(&o).trim().to_string();
    let lb = dir.path().join("km.age");
    let lb = lb.to_str().unwrap();
    // The holder's name given decomposed is stored composed.
    let o = run(&[
        "--logbook",
        lb,
        "init",
        "--recipient",
        &format!("{public}={SIAN_DECOMPOSED}"),
        "--organisation",
        "T",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let with_key = |args: &[&str]| {
        let mut all = vec!["--logbook", lb, "--identity", key.to_str().unwrap()];
        all.extend_from_slice(args);
        run(&all)
    };
    let keys = stdout(&with_key(&["keys"]));
    assert!(
        keys.contains(SIAN) && !keys.contains(SIAN_DECOMPOSED),
        "{keys}"
    );
    // Was: "The key given is Siân ap Rhys's, ...: leave out --by" (exit 2).
    let demo = data("demo.ron");
    let o = with_key(&["--by", SIAN_DECOMPOSED, "import", demo.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // Another change (an audited setting): the concern folder.
    let inbox = dir.path().join("concerns");
    std::fs::create_dir(&inbox).unwrap();
    let inbox = inbox.to_str().unwrap();
    let o = with_key(&["--by", "sian ap rhys", "concern-setup", "--inbox", inbox]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // Someone else's name is still refused with the holder's key.
    let o = with_key(&[
        "--by",
        "J. Patel",
        "import",
        data("demo.ron").to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let history = stdout(&with_key(&["history"]));
    assert!(!history.contains(SIAN_DECOMPOSED), "{history}");
    let authors = authors(&history);
    assert!(!authors.is_empty());
    assert!(authors.iter().all(|a| a == SIAN), "{authors:?}");
    assert_eq!(code(&with_key(&["verify"])), 0);
}

#[test]
fn with_a_passphrase_a_staff_name_typed_otherwise_is_that_member_of_staff() {
    let dir = tempfile::tempdir().unwrap();
    let pass = passphrase_file(dir.path(), "pass", "lantern orbit velvet cabbage");
    let lb = dir.path().join("pp.age");
    let o = init_with_passphrase(&lb, &pass, &["--staff", SIAN, "--staff", "RO"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let by = |name: &str, args: &[&str]| {
        let mut all = vec![
            "--logbook",
            lb.to_str().unwrap(),
            "--passphrase-file",
            pass.to_str().unwrap(),
            "--by",
            name,
        ];
        all.extend_from_slice(args);
        run(&all)
    };
    let demo = data("demo.ron");
    let o = by(SIAN_DECOMPOSED, &["import", demo.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // Other changes, each an audit entry of its own: the concern folder, set twice.
    let setup = |name: &str, folder: &str| {
        let inbox = dir.path().join(folder);
        std::fs::create_dir(&inbox).unwrap();
        by(name, &["concern-setup", "--inbox", inbox.to_str().unwrap()])
    };
    for (name, folder) in [("sian ap rhys", "c1"), ("  SIAN AP  RHYS ", "c2")] {
        let o = setup(name, folder);
        assert_eq!(code(&o), 0, "--by {name:?}: {}", stderr(&o));
    }
    let history = stdout(&by("RO", &["history"]));
    assert!(!history.contains(SIAN_DECOMPOSED), "{history}");
    let authors = authors(&history);
    assert!(
        authors.iter().filter(|a| *a == SIAN).count() > 3,
        "{authors:?}"
    );
    assert!(
        authors.iter().all(|a| a == SIAN || a == "RO"),
        "{authors:?}"
    );
    // A name the logbook does not know is kept as typed, composed.
    let o = setup("Zoe\u{308} B", "c3");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let history = stdout(&by("RO", &["history"]));
    assert!(history.contains("Zo\u{eb} B") && !history.contains("Zoe\u{308}"));
    assert_eq!(code(&by("RO", &["verify"])), 0);
}

/// The app, in a real terminal: at "Who is recording?" and after `W`, the staff name typed
/// decomposed (as a Mac sends it) or in lower case without its accent records as that
/// member of staff, spelt as the staff list spells her; the history has one author.
#[test]
fn the_app_records_a_staff_name_typed_otherwise_as_that_member_of_staff() {
    use common::tmux::Tmux;
    let dir = tempfile::tempdir().unwrap();
    let pass = passphrase_file(dir.path(), "pass", "lantern orbit velvet cabbage");
    let lb = dir.path().join("pp.age");
    let o = init_with_passphrase(
        &lb,
        &pass,
        &[
            "--organisation",
            "T School",
            "--staff",
            "RO",
            "--staff",
            SIAN,
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let t = Tmux::start(&format!("exec {BIN} --logbook {}", lb.display()));
    t.wait_for("Passphrase:");
    t.text("lantern orbit velvet cabbage");
    t.keys(&["Enter"]);
    let start = std::time::Instant::now();
    while !t.screen().contains("Who is recording?") {
        assert!(start.elapsed().as_secs() < 90, "{}", t.screen());
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    t.text(SIAN_DECOMPOSED);
    let screen = t.screen();
    assert!(!screen.contains("record as"), "{screen}");
    t.keys(&["Enter"]);
    t.wait_for(&format!("recording as {SIAN}"));
    // Hand over to RO and back, typed the UK-keyboard way.
    t.keys(&["W"]);
    t.wait_for("Who is recording?");
    t.text("ro");
    t.keys(&["Enter"]);
    t.wait_for("recording as RO");
    t.keys(&["W"]);
    t.wait_for("Who is recording?");
    t.text("sian ap rhys");
    t.keys(&["Enter"]);
    t.wait_for(&format!("{SIAN} is recording now (was RO)"));
    t.keys(&["q"]);
    t.wait_exit();
    let o = run(&[
        "--logbook",
        lb.to_str().unwrap(),
        "--passphrase-file",
        pass.to_str().unwrap(),
        "--by",
        "RO",
        "history",
    ]);
    let history = stdout(&o);
    assert!(!history.contains(SIAN_DECOMPOSED), "{history}");
    assert!(!history.contains("sian ap rhys"), "{history}");
    assert!(history.contains(&format!("{SIAN}  ")), "{history}");
    assert!(
        history.contains(&format!("recording now as RO (was {SIAN})")),
        "{history}"
    );
    assert!(
        history.contains(&format!("recording now as {SIAN} (was RO)")),
        "{history}"
    );
}
