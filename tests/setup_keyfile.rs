//! First-run set-up in the app with a key file made by `logbook keygen` (protected, as by
//! default), typed as the README writes it (`~/dsl.key`): the passphrase field says it is
//! the key file's, a wrong one is said as the key file's (tester3 #35), and `~/` is the
//! home folder (#17). The release binary in tmux, driven by keystrokes.

mod common;

use common::tmux::Tmux;
use common::*;

#[test]
fn set_up_with_a_protected_key_file_typed_as_tilde_path() {
    let home = tempfile::tempdir().unwrap();
    let key = home.path().join("dsl.key");
    let pass = passphrase_file(home.path(), "pass", "pebble lantern orchard violin");
    let o = run(&[
        "--passphrase-file",
        pass.to_str().unwrap(),
        "keygen",
        "--out",
        key.to_str().unwrap(),
        "--name",
        "S. Khan",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let t = Tmux::start(&format!(
        "exec env -u XDG_DATA_HOME HOME={} {BIN}",
        home.path().display()
    ));
    let screen = t.wait_for("Set up a new logbook");
    assert!(
        screen.contains("(with a key file") && screen.contains("(not needed"),
        "{screen}"
    );
    t.text("Hillside Academy");
    t.keys(&["Tab"]);
    t.text("S. Khan");
    t.keys(&["Tab"]);
    t.text("~/dsl.key");
    t.keys(&["Tab"]);
    t.text("not the key file passphrase");
    t.keys(&["C-s"]);
    let screen = t.wait_for("Wrong passphrase for the key file");
    assert!(!screen.contains("does not exist"), "{screen}");
    t.keys(&["C-u"]);
    t.text("pebble lantern orchard violin");
    t.keys(&["C-s"]);
    t.wait_for("Logbook created");
    t.keys(&["q"]);
    t.wait_exit();
    let logbook = home.path().join(".local/share/logbook/logbook.age");
    let o = run(&[
        "--logbook",
        logbook.to_str().unwrap(),
        "--identity",
        key.to_str().unwrap(),
        "--passphrase-file",
        pass.to_str().unwrap(),
        "keys",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("S. Khan"), "{}", stdout(&o));
}
