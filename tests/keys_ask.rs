//! Changing who can open the logbook, as a holder does it at the command line: removing
//! someone else's key or the last recovery key asks first (tester3 #33), `passwd
//! --recipient` keeps holders' names and names whom it drops (#29), and the smaller key
//! findings of #28 and #32 (naming a recovery key, a key given twice).

mod common;

use std::fs;
use std::path::Path;

use common::tmux::Tmux;
use common::*;

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn ok(o: &std::process::Output) -> String {
    assert_eq!(code(o), 0, "{}{}", stdout(o), stderr(o));
    stdout(o)
}

fn keygen(dir: &Path, file: &str) -> (std::path::PathBuf, String) {
    let path = dir.join(file);
    let public = ok(&run(&["keygen", "--unprotected", "--out", p(&path)]))
        .trim()
        .to_string();
    (path, public)
}

/// The DSL (RO, the fixture's key), a deputy (J. Patel) and a recovery key (Chair).
struct Three {
    f: Fixture,
    deputy: std::path::PathBuf,
    deputy_public: String,
    chair_public: String,
}

fn three() -> Three {
    let f = Fixture::new();
    let (deputy, deputy_public) = keygen(f.dir.path(), "deputy.key");
    let (_, chair_public) = keygen(f.dir.path(), "chair.key");
    ok(&f.run(&["keys", "add", &deputy_public, "--name", "J. Patel"]));
    ok(&f.run(&[
        "keys",
        "add",
        &chair_public,
        "--name",
        "Chair",
        "--recovery",
    ]));
    Three {
        f,
        deputy,
        deputy_public,
        chair_public,
    }
}

impl Three {
    fn as_deputy(&self, args: &[&str]) -> std::process::Output {
        let mut all = vec![
            "--logbook",
            p(&self.f.logbook),
            "--identity",
            p(&self.deputy),
        ];
        all.extend_from_slice(args);
        run(&all)
    }
}

#[test]
fn removing_another_holders_key_or_the_last_recovery_key_needs_a_yes() {
    let t = three();
    let before = t.f.bytes();
    // Without a terminal and without --yes: refused, nothing changed.
    let o = t.as_deputy(&["keys", "remove", "RO"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("Removing RO's key needs a yes") && stderr(&o).contains("--yes"),
        "{}",
        stderr(&o)
    );
    let o = t.as_deputy(&["recovery", "--remove", &t.chair_public]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("--yes"), "{}", stderr(&o));
    assert_eq!(t.f.bytes(), before, "nothing was changed");
    assert_eq!(
        code(&t.f.run(&["verify"])),
        0,
        "the DSL's key still opens it"
    );

    // With --yes (a script): done, saying who is left.
    let said = ok(&t.as_deputy(&["keys", "remove", "RO", "--yes"]));
    assert!(
        said.contains("Then only J. Patel (your key) can open the logbook, and the recovery key of Chair also opens the backups made from now on."),
        "{said}"
    );
    let said = ok(&t.as_deputy(&["recovery", "--remove", &t.chair_public, "--yes"]));
    assert!(
        said.contains("now has no recovery key: none will open the backups made from now on"),
        "{said}"
    );
    // Both are in the trail, as the deputy's.
    let (book, _) = logbook::vault::read(
        &t.f.logbook,
        &logbook::vault::Key::from_identity_files(std::slice::from_ref(&t.deputy), &mut |_| {
            unreachable!("unprotected")
        })
        .unwrap(),
    )
    .unwrap();
    let last: Vec<_> = book.audit.iter().rev().take(2).collect();
    assert!(last.iter().all(|e| e.by == "J. Patel"), "{last:?}");
    assert!(
        last[1]
            .changes
            .iter()
            .any(|c| c.old.contains(&t.f.public) && !c.new.contains(&t.f.public)),
        "{:?}",
        last[1]
    );
    assert!(
        last[0]
            .changes
            .iter()
            .any(|c| c.old.contains(&t.chair_public)),
        "{:?}",
        last[0]
    );
    let _ = &t.deputy_public;
}

/// On a terminal the question names what is lost and who is left; anything but yes keeps
/// the key.
#[test]
fn on_a_terminal_removing_a_key_asks_and_no_keeps_it() {
    let t = three();
    let before = t.f.bytes();
    let command = format!(
        "{BIN} --logbook '{}' --identity '{}' keys remove 'J. Patel'; sleep 30",
        p(&t.f.logbook),
        p(&t.f.key)
    );
    let tmux = Tmux::start(&command);
    // Compared without spaces and line ends: the terminal wraps long lines at its width.
    let squash = |t: &str| t.split_whitespace().collect::<String>();
    let screen = squash(&tmux.wait_for("Type yes to remove it:"));
    for said in [
        "J. Patel's key",
        "will no longer open the logbook",
        "Then only RO (your key) can open the logbook",
    ] {
        assert!(screen.contains(&squash(said)), "{said}: {screen}");
    }
    tmux.text("no");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Nothing was changed: J. Patel's key stays.");
    assert_eq!(t.f.bytes(), before);

    let tmux = Tmux::start(&command);
    tmux.wait_for("Type yes to remove it:");
    tmux.text("yes");
    tmux.keys(&["Enter"]);
    let start = std::time::Instant::now();
    while !squash(&tmux.screen()).contains(&squash("can no longer open the logbook")) {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(20),
            "{}",
            tmux.screen()
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(
        code(&t.as_deputy(&["list"])),
        3,
        "the deputy's key is removed"
    );
}

#[test]
fn passwd_recipient_keeps_names_names_whom_it_drops_and_refuses_a_nameless_new_key() {
    let t = three();
    let (newkey, new_public) = keygen(t.f.dir.path(), "khan.key");
    let before = t.f.bytes();
    // A key new to the logbook without a holder's name: refused.
    let o = t.f.run(&[
        "passwd",
        "--recipient",
        &t.f.public,
        "--recipient",
        &new_public,
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("Name the holder of"), "{}", stderr(&o));
    // Named, but dropping J. Patel: asks, so a script needs --yes.
    let named = format!("{new_public}=S. Khan");
    let o =
        t.f.run(&["passwd", "--recipient", &t.f.public, "--recipient", &named]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("J. Patel"), "{}", stderr(&o));
    assert_eq!(t.f.bytes(), before, "nothing was changed");

    let said = ok(&t.f.run(&[
        "passwd",
        "--recipient",
        &t.f.public,
        "--recipient",
        &named,
        "--yes",
    ]));
    assert!(
        said.contains("opened with the key files of RO and S. Khan only"),
        "{said}"
    );
    assert!(
        said.contains(&format!(
            "These holders' key files no longer open it: J. Patel ({})",
            t.deputy_public
        )),
        "{said}"
    );
    assert!(!said.contains("passphrase key file"), "{said}");
    let listed = ok(&t.f.run(&["keys"]));
    assert!(!listed.contains("(no name given)"), "{listed}");
    assert!(
        listed.contains("RO") && listed.contains("S. Khan"),
        "{listed}"
    );
    // The new key records as S. Khan, and cannot record as RO.
    let o = run(&[
        "--logbook",
        p(&t.f.logbook),
        "--identity",
        p(&newkey),
        "--by",
        "RO",
        "recovery",
        "--add",
        &t.deputy_public,
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
}

/// A key with no holder's name cannot record a change under another holder's name.
#[test]
fn a_nameless_key_cannot_record_as_another_holder() {
    let dir = tempfile::tempdir().unwrap();
    let (_, ro) = keygen(dir.path(), "ro.key");
    let (nameless, nameless_public) = keygen(dir.path(), "x.key");
    let (_, chair) = keygen(dir.path(), "chair.key");
    let lb = dir.path().join("lb.age");
    ok(&run(&[
        "--logbook",
        p(&lb),
        "--by",
        "RO",
        "init",
        "--recipient",
        &format!("{ro}=RO"),
        "--recipient",
        &nameless_public,
    ]));
    let with = |by: &str| {
        run(&[
            "--logbook",
            p(&lb),
            "--identity",
            p(&nameless),
            "--by",
            by,
            "recovery",
            "--add",
            &chair,
        ])
    };
    let o = with("RO");
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("RO holds another key"),
        "{}",
        stderr(&o)
    );
    ok(&with("A. Temp"));
}

#[test]
fn recovery_add_takes_a_name_and_init_refuses_a_key_given_twice() {
    let f = Fixture::new();
    let (_, chair) = keygen(f.dir.path(), "chair.key");
    let said = ok(&f.run(&["recovery", "--add", &chair, "--name", "Chair of governors"]));
    assert!(said.contains("Chair of governors"), "{said}");
    let listed = ok(&f.run(&["keys"]));
    assert!(
        listed.contains("Chair of governors") && !listed.contains("(no name given)"),
        "{listed}"
    );
    assert!(ok(&f.run(&["recovery"])).contains("Chair of governors"));
    // The DSL's own everyday key is not a recovery key.
    let o = f.run(&["recovery", "--add", &f.public]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));

    let lb = f.dir.path().join("twice.age");
    let o = run(&[
        "--logbook",
        p(&lb),
        "--by",
        "A",
        "init",
        "--recipient",
        &format!("{chair}=A"),
        "--recipient",
        &format!("{chair}=B"),
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("given twice"), "{}", stderr(&o));
    assert!(!lb.exists());
    let _ = fs::metadata(&f.logbook).unwrap();
}
