//! Tester4 #17: one change saved while the computer's clock ran ahead refused every later
//! change until that date came round, and the only advice was "correct the clock", though
//! it was right again. `logbook clock --confirm --reason` records that the clock is right,
//! and changes go on; the entries dated ahead stay, and `verify` accepts the trail.
//! The clock is moved with `faketime` (installed by `.ci/run`).

mod common;

use std::process::Command;

use common::*;

#[test]
fn a_change_saved_while_the_clock_ran_ahead_is_put_right_on_the_record() {
    let f = PassFixture::new();
    // A change saved by a computer whose clock read a date far ahead.
    let o = Command::new("faketime")
        .args(["-f", "@2099-12-20 09:00:00", BIN])
        .args(["--logbook", f.lb(), "--passphrase-file"])
        .arg(&f.pass)
        .args(["--by", "RO", "import", data("demo.ron").to_str().unwrap()])
        .output()
        .expect("faketime is installed (.ci/run)");
    assert_eq!(code(&o), 0, "{}", stderr(&o));

    // Back on the true clock, a change is refused, naming the way out.
    let id = "INC-2025-0001";
    let set = [
        "retention",
        "--set",
        id,
        "--until",
        "2045-12-31",
        "--reason",
        "LA review",
    ];
    let before = f.bytes();
    let o = f.run(&set);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("logbook clock --confirm"),
        "{}",
        stderr(&o)
    );
    assert_eq!(f.bytes(), before);

    // `clock` says what is wrong; --confirm without a reason is refused by the parser.
    let o = f.run(&["clock"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("2099-12-20"), "{}", stdout(&o));
    assert_ne!(code(&f.run(&["clock", "--confirm"])), 0);
    assert_eq!(f.bytes(), before);

    let o = f.run(&[
        "clock",
        "--confirm",
        "--reason",
        "Clock was set in 2099; checked",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).contains("Recorded that the clock is right"),
        "{}",
        stdout(&o)
    );

    // Changes go on, the trail verifies, and the correction is in it with its reason.
    let o = f.run(&set);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = f.run(&["verify"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = f.run(&["clock", "--confirm", "--reason", "again"]);
    assert_eq!(code(&o), 2, "nothing left to confirm: {}", stdout(&o));
}
