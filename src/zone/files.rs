//! The one way changegate reads a file of a DNS repository, from the work tree ([`FsFiles`])
//! or from a commit (`crate::git::TreeFiles`), so that the gate reads exactly what a checkout
//! and a deploy read, whoever wrote the file.
//!
//! The rule, the same in both places:
//! - a path is relative to the repository root (the folder of `changegate.toml`), written with
//!   `/`; an absolute path, or one whose `..` climbs out of the root, is refused;
//! - a path named inside a file (`$INCLUDE`, `!include`) is relative to that file's folder
//!   ([`join`]), under the same rule;
//! - every step of the path must be a real folder and the file a regular file: a symbolic
//!   link (git mode 120000), a submodule (gitlink, mode 160000), a device, a FIFO or a socket
//!   is refused, never followed;
//! - a file larger than [`MAX_FILE_BYTES`] is refused before it is read.
//!
//! This module reads no file format and imports no reader.

use std::io::Read;
use std::path::{Path, PathBuf};

/// The largest file changegate reads (a million-record zone file is about 40 MB).
pub const MAX_FILE_BYTES: u64 = 1 << 30;

/// What one zone may read through its includes (`$INCLUDE`, `!include`), all together: a few
/// small files that include each other many times over must not read for ever, nor fill
/// memory. The zone's own file is not counted.
#[derive(Debug, Default)]
pub struct Budget {
    files: usize,
    bytes: u64,
}

impl Budget {
    pub const MAX_FILES: usize = 1_000;
    pub const MAX_BYTES: u64 = 128 << 20;

    /// Spends one more included file of `bytes`; the error says which limit it passed.
    pub fn spend(&mut self, bytes: usize) -> Result<(), String> {
        self.files += 1;
        self.bytes += bytes as u64;
        if self.files > Self::MAX_FILES {
            return Err(format!(
                "the zone reads more than {} files through its includes; include each file once",
                Self::MAX_FILES
            ));
        }
        if self.bytes > Self::MAX_BYTES {
            return Err(format!(
                "the zone reads more than {} MiB through its includes",
                Self::MAX_BYTES >> 20
            ));
        }
        Ok(())
    }
}

/// Read access to a tree of files, addressed by `/`-separated paths relative to its root.
pub trait Files: Sync {
    /// The bytes of the regular file at `path` (see the module's rule).
    fn read_bytes(&self, path: &str) -> Result<Vec<u8>, String>;
    /// The file as UTF-8 text.
    fn read(&self, path: &str) -> Result<String, String> {
        text(self.read_bytes(path)?)
    }
    /// Paths matching a glob, sorted. Symbolic links and submodules are listed too, so that
    /// reading them says why they are refused rather than skipping them silently.
    fn list(&self, pattern: &str) -> Result<Vec<String>, String>;
    /// The path as shown to the user.
    fn display(&self, path: &str) -> String;
    /// A folder on disk holding exactly these files, to run a program among them: the work
    /// tree itself, or a fresh copy of a commit's regular files (so that a program and
    /// everything it reads are the commit's, not what a change put in the work tree).
    fn folder(&self) -> Result<Folder, String>;
}

/// A folder on disk: the work tree, or a copy that is removed when dropped.
pub enum Folder {
    Existing(PathBuf),
    Copy(tempfile::TempDir),
}

impl Folder {
    pub fn path(&self) -> &Path {
        match self {
            Self::Existing(path) => path,
            Self::Copy(dir) => dir.path(),
        }
    }
}

/// Writes `bytes` to `path` whole or not at all: a temporary file beside it, synced, then
/// renamed into place, so that a reader never sees half a file. With `replace` false an
/// existing file is never replaced (the error's kind is `AlreadyExists`).
pub fn write_whole(path: &Path, bytes: &[u8], replace: bool) -> std::io::Result<()> {
    use std::io::Write;
    let folder = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(folder)?;
    let mut temp = tempfile::Builder::new()
        .prefix(".changegate.")
        .suffix(".tmp")
        .tempfile_in(folder)?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    if replace {
        temp.persist(path).map_err(|e| e.error)?;
    } else {
        temp.persist_noclobber(path).map_err(|e| e.error)?;
    }
    Ok(())
}

/// Refuses to write at `path` (below `root`) through a symbolic link: every folder on the
/// way, and the file itself, must be what they seem, so that nothing lands outside the
/// repository. Folders that do not exist yet are fine.
pub fn no_links_below(root: &Path, path: &Path) -> Result<(), String> {
    let rel = path
        .strip_prefix(root)
        .map_err(|_| format!("`{}` is outside the repository", path.display()))?;
    let mut at = root.to_path_buf();
    for part in rel.components() {
        at.push(part);
        match std::fs::symlink_metadata(&at) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(format!(
                    "`{}` is a symbolic link; changegate writes only inside the repository, never through links",
                    at.display()
                ));
            }
            Ok(_) => {}
            Err(_) => return Ok(()),
        }
    }
    Ok(())
}

/// Checks a repository path and writes it plainly: `a/./b/../c` → `a/c`. Refuses absolute
/// paths, paths that climb out of the root, and empty ones.
pub fn clean(path: &str) -> Result<String, String> {
    if path.starts_with('/') || path.starts_with('\\') || has_drive(path) {
        return Err(format!(
            "`{path}` is an absolute path; paths are relative to the repository and stay inside it"
        ));
    }
    if path.contains('\0') {
        return Err("the path contains a NUL byte".into());
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(format!(
                        "`{path}` leads out of the repository; paths stay inside it"
                    ));
                }
            }
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        return Err(format!("`{path}` names no file"));
    }
    Ok(parts.join("/"))
}

fn has_drive(path: &str) -> bool {
    let b = path.as_bytes();
    b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':'
}

/// The path that `target`, written inside the file `from`, names: relative to `from`'s
/// folder, inside the repository ([`clean`]).
pub fn join(from: &str, target: &str) -> Result<String, String> {
    if target.starts_with('/') || has_drive(target) {
        return Err(format!(
            "`{target}` is an absolute path; name included files relative to the including file, inside the repository"
        ));
    }
    match from.rsplit_once('/') {
        Some((dir, _)) => clean(&format!("{dir}/{target}")),
        None => clean(target),
    }
}

/// Text from bytes read: UTF-8, or the reason it is not.
pub fn text(bytes: Vec<u8>) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "it is not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}

/// The refusal for a file bigger than [`MAX_FILE_BYTES`].
pub fn too_big(size: u64) -> String {
    format!(
        "it is {size} bytes, more than the {} MiB changegate reads",
        MAX_FILE_BYTES >> 20
    )
}

/// Files in a folder of the work tree: the root of the repository.
pub struct FsFiles {
    pub root: PathBuf,
}

impl FsFiles {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }
}

impl Files for FsFiles {
    fn read_bytes(&self, path: &str) -> Result<Vec<u8>, String> {
        let rel = clean(path)?;
        let mut at = self.root.clone();
        let mut steps = rel.split('/').peekable();
        while let Some(step) = steps.next() {
            at.push(step);
            let meta = std::fs::symlink_metadata(&at).map_err(|e| e.to_string())?;
            let kind = meta.file_type();
            if kind.is_symlink() {
                let shown = at.strip_prefix(&self.root).unwrap_or(&at);
                return Err(format!(
                    "`{}` is a symbolic link; changegate reads regular files only, never through links (replace the link with the file it points to)",
                    shown.display()
                ));
            }
            if steps.peek().is_some() && !kind.is_dir() {
                return Err(format!("`{step}` is not a folder"));
            }
        }
        read_regular(&at)
    }

    fn list(&self, pattern: &str) -> Result<Vec<String>, String> {
        let pattern = clean(pattern)?;
        let full = self.root.join(&pattern);
        let full = full.to_str().ok_or("the pattern is not valid UTF-8")?;
        let options = glob::MatchOptions {
            require_literal_separator: true,
            ..Default::default()
        };
        let mut out = Vec::new();
        for entry in glob::glob_with(full, options)
            .map_err(|e| format!("`{pattern}` is not a valid glob: {e}"))?
        {
            let path = entry.map_err(|e| e.to_string())?;
            let is_dir = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir());
            if !is_dir {
                let rel = path.strip_prefix(&self.root).unwrap_or(&path);
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
        out.sort();
        Ok(out)
    }

    fn folder(&self) -> Result<Folder, String> {
        Ok(Folder::Existing(self.root.clone()))
    }

    fn display(&self, path: &str) -> String {
        crate::model::display_path(&self.root.join(path))
    }
}

/// Files held in memory, by path: for tests and fuzzing, where a tree of files is made up.
/// Paths follow the same rule as on disk.
#[derive(Debug, Default)]
pub struct MemFiles {
    pub files: std::collections::BTreeMap<String, String>,
}

impl Files for MemFiles {
    fn read_bytes(&self, path: &str) -> Result<Vec<u8>, String> {
        let path = clean(path)?;
        self.files
            .get(&path)
            .map(|text| text.clone().into_bytes())
            .ok_or_else(|| "No such file or directory".to_string())
    }

    fn list(&self, pattern: &str) -> Result<Vec<String>, String> {
        let glob = glob::Pattern::new(&clean(pattern)?)
            .map_err(|e| format!("`{pattern}` is not a valid glob: {e}"))?;
        Ok(self
            .files
            .keys()
            .filter(|p| glob.matches(p))
            .cloned()
            .collect())
    }

    fn folder(&self) -> Result<Folder, String> {
        Err("these files exist only in memory".into())
    }

    fn display(&self, path: &str) -> String {
        path.to_string()
    }
}

/// Reads a file a person named on the command line: the path is theirs to choose, but the
/// file itself must be a regular file, not a link, and not too big.
pub fn read_named(path: &Path) -> Result<String, String> {
    text(read_named_bytes(path)?)
}

fn read_named_bytes(path: &Path) -> Result<Vec<u8>, String> {
    let meta = std::fs::symlink_metadata(path).map_err(|e| e.to_string())?;
    if meta.file_type().is_symlink() {
        return Err(
            "it is a symbolic link; changegate reads regular files only (name the file it points to)"
                .into(),
        );
    }
    read_regular(path)
}

/// Opens `path`, checks that what was opened is a regular file of a readable size, and reads
/// it, never more than [`MAX_FILE_BYTES`] whatever the file claims.
fn read_regular(path: &Path) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let meta = file.metadata().map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("it is not a regular file".into());
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_big(meta.len()));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_big(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Master-file text from bytes that may not be UTF-8 (BIND reads bytes): each byte that is
/// not part of valid UTF-8 becomes the escape `\DDD`, which means that same byte in a name
/// or string, and nothing at all in a comment.
pub fn master_text(bytes: Vec<u8>) -> String {
    match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let bytes = e.into_bytes();
            let mut out = String::with_capacity(bytes.len() + 16);
            for chunk in bytes.utf8_chunks() {
                out.push_str(chunk.valid());
                for b in chunk.invalid() {
                    // After an unpaired backslash the byte is already escaped (`\<byte>`): it
                    // becomes that escape's `DDD`, not a second escape.
                    let escaped = out.bytes().rev().take_while(|&c| c == b'\\').count() % 2 == 1;
                    if escaped {
                        out.push_str(&format!("{b:03}"));
                    } else {
                        out.push_str(&format!("\\{b:03}"));
                    }
                }
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_repository() {
        assert_eq!(clean("a/./b/../c").unwrap(), "a/c");
        assert_eq!(clean("zones//x.zone").unwrap(), "zones/x.zone");
        assert!(clean("/etc/passwd").unwrap_err().contains("absolute"));
        assert!(clean("../x").unwrap_err().contains("out of the repository"));
        assert!(
            clean("a/../../x")
                .unwrap_err()
                .contains("out of the repository")
        );
        assert!(clean("C:/x").is_err());
        assert!(clean(".").is_err());
        assert_eq!(join("zones/a.zone", "inc/b").unwrap(), "zones/inc/b");
        assert_eq!(join("a.zone", "b").unwrap(), "b");
        assert_eq!(join("zones/a.zone", "../b").unwrap(), "b");
        assert!(join("zones/a.zone", "../../b").is_err());
        assert!(
            join("zones/a.zone", "/dev/zero")
                .unwrap_err()
                .contains("absolute")
        );
    }

    #[cfg(unix)]
    #[test]
    fn links_and_special_files_are_refused_on_the_work_tree() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("zones")).unwrap();
        std::fs::write(root.join("zones/real.zone"), "x").unwrap();
        std::os::unix::fs::symlink("real.zone", root.join("zones/link.zone")).unwrap();
        std::os::unix::fs::symlink("zones", root.join("dirlink")).unwrap();
        std::os::unix::fs::symlink("/etc/hostname", root.join("out")).unwrap();
        let files = FsFiles::new(root);
        assert_eq!(files.read("zones/real.zone").unwrap(), "x");
        assert!(
            files
                .read("zones/link.zone")
                .unwrap_err()
                .contains("symbolic link")
        );
        assert!(
            files
                .read("dirlink/real.zone")
                .unwrap_err()
                .contains("symbolic link")
        );
        assert!(files.read("out").unwrap_err().contains("symbolic link"));
        assert!(files.read("zones").unwrap_err().contains("regular file"));
        assert_eq!(
            files.list("zones/*.zone").unwrap(),
            ["zones/link.zone", "zones/real.zone"],
            "links are listed, so that reading them refuses instead of skipping them"
        );
        assert!(files.list("../*").is_err());
        assert!(read_named(&root.join("zones/link.zone")).is_err());
        assert!(
            read_named(Path::new("/dev/zero"))
                .unwrap_err()
                .contains("regular")
        );
    }
}
