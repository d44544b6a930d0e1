//! Finding mounted removable volumes to offer as a backup's destination.
//!
//! Linux: every mount in /proc/self/mounts whose block device is removable (its disk's
//! `removable` flag in /sys/block, or a disk on a USB bus), and every mount under
//! /media/NAME or /run/media/NAME, NAME this user's login name by uid (where desktops
//! mount sticks). macOS: /Volumes/*.
//! The disk the logbook itself is on is never offered.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use super::write::device_of;

/// A mounted volume that can take a backup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Volume {
    /// Where it is mounted.
    pub path: PathBuf,
    /// The device it is (e.g. /dev/sdb1), when known.
    pub device: String,
}

/// Where the scan looks: the real system, or a made-up one in tests.
pub struct System {
    /// The text of /proc/self/mounts (empty where there is none).
    pub mounts: String,
    /// The root of sysfs (normally /sys).
    pub sys: PathBuf,
    /// Folders whose sub-folders are removable mounts (/media/$USER, /run/media/$USER,
    /// /Volumes).
    pub media_roots: Vec<PathBuf>,
}

impl System {
    pub fn real() -> System {
        #[cfg(unix)]
        let uid = Some(rustix::process::getuid().as_raw());
        #[cfg(not(unix))]
        let uid = None;
        let passwd = fs::read_to_string("/etc/passwd").unwrap_or_default();
        let mut media_roots = media_roots(&passwd, uid, |name| std::env::var(name).ok());
        if cfg!(target_os = "macos") {
            media_roots.push(PathBuf::from("/Volumes"));
        }
        System {
            mounts: fs::read_to_string("/proc/self/mounts").unwrap_or_default(),
            sys: PathBuf::from("/sys"),
            media_roots,
        }
    }
}

/// /media/NAME and /run/media/NAME for this user, whose name comes from the user database
/// by the process's uid (`$USER` is unset under cron, `sudo -u`, some SSH set-ups), then
/// from `$USER` and `$LOGNAME` if they name someone else or the database does not list them.
fn media_roots(
    passwd: &str,
    uid: Option<u32>,
    env: impl Fn(&str) -> Option<String>,
) -> Vec<PathBuf> {
    let by_uid = uid.and_then(|uid| {
        passwd.lines().find_map(|l| {
            let mut fields = l.split(':');
            let name = fields.next()?;
            let id = fields.nth(1)?.parse::<u32>().ok()?;
            (id == uid).then(|| name.to_string())
        })
    });
    let mut names: Vec<String> = Vec::new();
    for name in [by_uid, env("USER"), env("LOGNAME")].into_iter().flatten() {
        if !name.is_empty()
            && !name.contains('/')
            && name != ".."
            && name != "."
            && !names.contains(&name)
        {
            names.push(name);
        }
    }
    names
        .iter()
        .flat_map(|n| [Path::new("/media").join(n), Path::new("/run/media").join(n)])
        .collect()
}

/// The removable volumes mounted now, except the one holding `logbook_folder`.
pub fn removable_volumes(logbook_folder: &Path) -> Vec<Volume> {
    let own = device_of(logbook_folder).ok();
    scan(&System::real())
        .into_iter()
        .filter(|v| {
            let Ok(dev) = device_of(&v.path) else {
                return false;
            };
            // A folder found under a media root counts only if something is mounted there.
            let mounted = v.device != "?"
                || v.path
                    .parent()
                    .and_then(|p| device_of(p).ok())
                    .is_some_and(|parent| parent != dev);
            Some(dev) != own && mounted
        })
        .collect()
}

/// /proc/mounts writes spaces, tabs, newlines and backslashes in octal (`\040`).
fn unescape(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let code = bytes.get(i + 1..i + 4).and_then(|digits| {
            digits
                .iter()
                .try_fold(0u32, |n, d| {
                    (b'0'..=b'7')
                        .contains(d)
                        .then(|| n * 8 + u32::from(d - b'0'))
                })
                .and_then(|n| u8::try_from(n).ok())
        });
        if let (b'\\', Some(n)) = (bytes[i], code) {
            out.push(n);
            i += 4;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether the block device `/dev/NAME` is removable: its disk says so, or sits on USB.
fn is_removable(sys: &Path, device: &str) -> bool {
    let Some(name) = device.strip_prefix("/dev/") else {
        return false;
    };
    // /dev/disk/by-uuid/... and /dev/mapper/... links name the real device.
    let name = match fs::canonicalize(Path::new("/dev").join(name)) {
        Ok(real) if sys == Path::new("/sys") => real
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        _ => name.to_string(),
    };
    if name.is_empty() || name.contains('/') {
        return false;
    }
    let Ok(node) = fs::canonicalize(sys.join("class/block").join(&name)) else {
        return false;
    };
    let disk = if node.join("partition").exists() {
        match node.parent() {
            Some(p) => p.to_path_buf(),
            None => return false,
        }
    } else {
        node
    };
    let flagged = fs::read_to_string(disk.join("removable")).is_ok_and(|s| s.trim() == "1");
    flagged
        || disk
            .components()
            .any(|c| c.as_os_str().to_string_lossy().starts_with("usb"))
}

/// The removable volumes `system` shows, each mount point once.
pub fn scan(system: &System) -> Vec<Volume> {
    let mut found = Vec::new();
    let mut seen = HashSet::new();
    for line in system.mounts.lines() {
        let mut fields = line.split_whitespace();
        let (Some(device), Some(point)) = (fields.next(), fields.next()) else {
            continue;
        };
        let point = PathBuf::from(unescape(point));
        let under_media = system
            .media_roots
            .iter()
            .any(|root| point.parent() == Some(root.as_path()));
        if (under_media || is_removable(&system.sys, device)) && seen.insert(point.clone()) {
            found.push(Volume {
                path: point,
                device: device.to_string(),
            });
        }
    }
    // Desktops without /proc (macOS): every folder under the media roots.
    for root in &system.media_roots {
        let Ok(entries) = fs::read_dir(root) else {
            continue;
        };
        let mut more: Vec<PathBuf> = entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| e.path())
            .collect();
        more.sort();
        for path in more {
            if seen.insert(path.clone()) {
                found.push(Volume {
                    path,
                    device: "?".into(),
                });
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_folders_are_found_by_uid_without_user_set() {
        let passwd = "root:x:0:0:root:/root:/bin/bash\ndsl:x:1000:1000:DSL:/home/dsl:/bin/bash\n";
        let roots = media_roots(passwd, Some(1000), |_| None);
        assert_eq!(
            roots,
            [PathBuf::from("/media/dsl"), PathBuf::from("/run/media/dsl")]
        );
        // Not in the database (LDAP): $USER, then $LOGNAME; never a path.
        let roots = media_roots("", Some(1000), |v| (v == "LOGNAME").then(|| "dsl".into()));
        assert_eq!(roots[0], PathBuf::from("/media/dsl"));
        assert!(media_roots("", Some(5), |_| Some("..".into())).is_empty());
        assert!(media_roots("", Some(5), |_| Some("a/b".into())).is_empty());
    }

    /// A made-up sysfs: sda is a fixed disk, sdb a removable stick, sdc a USB disk that
    /// does not call itself removable.
    fn fake_sys() -> tempfile::TempDir {
        let root = tempfile::tempdir().unwrap();
        let devices = root.path().join("devices");
        let class = root.path().join("class/block");
        fs::create_dir_all(&class).unwrap();
        for (disk, bus, removable) in [
            ("sda", "pci0000:00/ata1", "0"),
            ("sdb", "pci0000:00/ata2", "1"),
            ("sdc", "pci0000:00/usb2/2-1", "0"),
        ] {
            let d = devices.join(bus).join("block").join(disk);
            fs::create_dir_all(d.join(format!("{disk}1"))).unwrap();
            fs::write(d.join("removable"), format!("{removable}\n")).unwrap();
            fs::write(d.join(format!("{disk}1/partition")), "1\n").unwrap();
            std::os::unix::fs::symlink(&d, class.join(disk)).unwrap();
            std::os::unix::fs::symlink(d.join(format!("{disk}1")), class.join(format!("{disk}1")))
                .unwrap();
        }
        root
    }

    #[test]
    fn finds_removable_and_usb_partitions_and_media_mounts_only() {
        let sys = fake_sys();
        let mounts = "\
/dev/sda1 / ext4 rw,relatime 0 0
proc /proc proc rw 0 0
tmpfs /run tmpfs rw 0 0
/dev/sdb1 /mnt/My\\040Stick vfat rw 0 0
/dev/sdc1 /srv/usbdisk exfat rw 0 0
/dev/sdd1 /media/ro/CABINET vfat rw 0 0
/dev/sdb1 /mnt/My\\040Stick vfat rw 0 0
";
        let system = System {
            mounts: mounts.into(),
            sys: sys.path().to_path_buf(),
            media_roots: vec![PathBuf::from("/media/ro")],
        };
        let found: Vec<String> = scan(&system)
            .into_iter()
            .map(|v| v.path.display().to_string())
            .collect();
        assert_eq!(
            found,
            ["/mnt/My Stick", "/srv/usbdisk", "/media/ro/CABINET"]
        );
    }

    #[test]
    fn octal_escapes_in_mount_points_are_decoded() {
        assert_eq!(unescape("/media/a\\040b\\011c\\134d"), "/media/a b\tc\\d");
        assert_eq!(unescape("/plain\\"), "/plain\\");
    }
}
