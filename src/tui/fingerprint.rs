//! An evidence file's fingerprint: its SHA-256 and size, read where it is. The file is
//! only read (never copied, moved or changed), so the logbook can later show that a file
//! handed to the police is the one recorded, without holding the material itself.

use std::fs::OpenOptions;
use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::model::FileFingerprint;

/// The path as a person types or drops it into a terminal: surrounding quotes (added by a
/// file manager's drag and drop) go, and `~/` is the home folder.
pub fn typed_path(text: &str) -> PathBuf {
    let t = text.trim();
    let t = ['\'', '"']
        .iter()
        .find_map(|q| t.strip_prefix(*q).and_then(|r| r.strip_suffix(*q)))
        .unwrap_or(t);
    match (t.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => Path::new(&home).join(rest),
        _ => PathBuf::from(t),
    }
}

/// Reads a regular file through once and returns its SHA-256 (lower-case hex) and size.
/// A folder, a FIFO, a device or a socket is refused with one sentence; the file is opened
/// non-blocking and what was opened is checked (fstat), so a FIFO never hangs the app.
pub fn fingerprint(path: &Path) -> Result<FileFingerprint, String> {
    let shown = crate::text::line(&path.display().to_string()).into_owned();
    if path.is_dir() {
        return Err(format!(
            "{shown} is a folder: give one file in it (each file is an evidence item of its own)"
        ));
    }
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32);
    }
    let mut file = options.open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            format!("There is no file at {shown}: type its full path, e.g. /media/usb/photo.jpg")
        }
        std::io::ErrorKind::PermissionDenied => {
            format!("{shown} cannot be read (permission denied): give a file you can open")
        }
        _ => format!("{shown} cannot be opened: {e}"),
    })?;
    let meta = file
        .metadata()
        .map_err(|e| format!("{shown} cannot be examined: {e}"))?;
    if !meta.is_file() {
        return Err(format!(
            "{shown} is not an ordinary file (a folder, pipe, device or socket): give a file"
        ));
    }
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(format!("{shown} could not be read to the end: {e}")),
        };
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    if size != meta.len() {
        return Err(format!(
            "{shown} changed while it was read: wait until it is completely copied, then try again"
        ));
    }
    let sha256 = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(FileFingerprint { sha256, size })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_hashed_and_a_folder_fifo_or_device_refused_in_one_sentence() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("photo.jpg");
        std::fs::write(&file, b"abc").unwrap();
        let f = fingerprint(&file).unwrap();
        assert_eq!(
            f.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(f.size, 3);
        assert_eq!(
            std::fs::read(&file).unwrap(),
            b"abc",
            "the file is left as it was"
        );

        let e = fingerprint(dir.path()).unwrap_err();
        assert!(e.contains("is a folder"), "{e}");
        let e = fingerprint(&dir.path().join("missing.jpg")).unwrap_err();
        assert!(e.starts_with("There is no file at"), "{e}");
        #[cfg(unix)]
        {
            let e = fingerprint(Path::new("/dev/null")).unwrap_err();
            assert!(e.contains("not an ordinary file"), "{e}");
            let fifo = dir.path().join("pipe");
            let made = std::process::Command::new("mkfifo").arg(&fifo).status();
            assert!(made.unwrap().success());
            let e = fingerprint(&fifo).unwrap_err();
            assert!(e.contains("not an ordinary file"), "{e}");
        }
        let e = fingerprint(dir.path()).unwrap_err();
        assert_eq!(e.matches(": ").count(), 1, "one sentence: {e}");
    }

    #[test]
    fn a_typed_or_dropped_path_loses_its_quotes_and_expands_home() {
        assert_eq!(typed_path(" '/a b/c.jpg' "), PathBuf::from("/a b/c.jpg"));
        assert_eq!(typed_path("\"/x.png\""), PathBuf::from("/x.png"));
        if let Some(home) = std::env::var_os("HOME") {
            assert_eq!(typed_path("~/e.mp4"), Path::new(&home).join("e.mp4"));
        }
    }
}
