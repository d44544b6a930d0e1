//! Tester finding 25: on the command line the passphrase prompt went quiet for the second
//! scrypt takes after Enter, which reads as a hang. "Unlocking..." shows on a terminal as
//! soon as the passphrase is read, and never in a script's stderr.

mod common;

use common::tmux::Tmux;
use common::*;

#[test]
fn the_command_line_says_unlocking_after_the_passphrase_on_a_terminal_only() {
    let f = PassFixture::new();
    let lb = f.lb();

    // A person at a terminal: the prompt, the passphrase typed, then "Unlocking...".
    // (`; sleep` keeps the pane to read after the command ends.)
    let t = Tmux::start(&format!("{BIN} --logbook {lb} --by RO list; sleep 30"));
    t.wait_for("Passphrase for");
    assert!(!t.screen().contains("Unlocking..."));
    t.text(PassFixture::PASSPHRASE);
    t.keys(&["Enter"]);
    t.wait_for("Unlocking...");

    // A script with a passphrase file reads no such line.
    let o = f.run(&["list"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!stderr(&o).contains("Unlocking"), "{}", stderr(&o));
}
