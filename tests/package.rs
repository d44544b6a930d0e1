//! The Debian package a DSL installs: built by `packaging/build-deb` from the binary under
//! test, then read with `dpkg-deb` as `apt` would: its control fields, the manual pages and
//! completions inside, and the binary in it runs.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

fn dpkg_deb(args: &[&str]) -> std::process::Output {
    let o = Command::new("dpkg-deb")
        .args(args)
        .output()
        .expect("dpkg-deb is needed (Debian's dpkg package)");
    assert!(o.status.success(), "dpkg-deb {args:?}: {}", stderr(&o));
    o
}

#[test]
fn the_debian_package_holds_the_binary_its_manual_and_completions() {
    let out = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging/build-deb");
    let o = Command::new("sh")
        .arg(&script)
        .arg(BIN)
        .arg(out.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let deb = stdout(&o).trim().to_string();
    assert!(deb.ends_with(".deb") && Path::new(&deb).is_file(), "{deb}");

    let info = stdout(&dpkg_deb(&["-I", &deb]));
    assert!(info.contains("Package: safeguard-logbook"), "{info}");
    assert!(
        info.contains(&format!("Version: {}", env!("CARGO_PKG_VERSION"))),
        "{info}"
    );
    assert!(info.contains("Description:"), "{info}");

    let root = out.path().join("root");
    dpkg_deb(&["-x", &deb, root.to_str().unwrap()]);
    for file in [
        "usr/share/man/man1/logbook.1.gz",
        "usr/share/man/man1/logbook-backup.1.gz",
        "usr/share/man/man1/logbook-keys.1.gz",
        "usr/share/bash-completion/completions/logbook",
        "usr/share/zsh/vendor-completions/_logbook",
        "usr/share/fish/vendor_completions.d/logbook.fish",
    ] {
        let path = root.join(file);
        assert!(
            std::fs::metadata(&path).is_ok_and(|m| m.len() > 0),
            "{file} is missing or empty in the package"
        );
    }
    let bash = std::fs::read_to_string(root.join("usr/share/bash-completion/completions/logbook"))
        .unwrap();
    assert!(
        bash.contains("restore") && bash.contains("--identity"),
        "{bash}"
    );
    // The manual page is a roff page generated from the command line's own help.
    let man = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "gzip -dc {}",
            root.join("usr/share/man/man1/logbook.1.gz").display()
        ))
        .output()
        .unwrap();
    let man = stdout(&man);
    assert!(man.contains(".TH logbook 1"), "{man}");
    assert!(man.contains("passphrase"), "{man}");

    let bin = root.join("usr/bin/logbook");
    let o = Command::new(&bin).arg("--version").output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o).trim(),
        format!("logbook {}", env!("CARGO_PKG_VERSION"))
    );
    // Packaging subcommands are hidden from a DSL's help.
    let help = stdout(&Command::new(&bin).arg("--help").output().unwrap());
    assert!(
        !help.contains("generate-man") && !help.contains("completions"),
        "{help}"
    );
}
