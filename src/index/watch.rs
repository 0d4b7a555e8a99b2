//! `gazette index --watch`: index folders, then keep them indexed.
//!
//! A [`notify`] watcher names the paths that changed; each waits in
//! [`Pending`] until it has settled (no event and no change of its size or
//! modification time for `settle`), so a file still being written is not
//! read half. The settled files are indexed together, through the same
//! [`Session`] as `gazette index` (a document whose content hash the index
//! holds is skipped), and committed once: one commit per burst. A file that
//! changes while it is read is taken for one still being written: the burst
//! is rolled back, its errors forgotten, and the file waits to settle again.
//!
//! With `prune`, the watch remembers which documents each file gave; a
//! document goes when no watched file gives it any more (its file deleted,
//! or its record removed from the file).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::{Duration, Instant, SystemTime};

use notify::Watcher as _;
use notify::event::{AccessKind, AccessMode, EventKind};

use super::GazetteIndex;
use super::writer::{self, IndexOptions, Progress, Session, Summary};
use crate::error::{Error, Result};
use crate::ingest::{Input, read};

/// A settled burst waits at most this long for other files still changing,
/// so that a file is searchable within `settle` + this + indexing.
const MAX_WAIT: Duration = Duration::from_secs(2);

/// After a stop, events already on their way are taken in for this long.
const DRAIN: Duration = Duration::from_millis(200);

/// Options of a watch.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    /// The indexing options; `paths` are the folders watched.
    pub index: IndexOptions,
    /// How long a file must stay unchanged before it is read.
    pub settle: Duration,
}

/// What a watch tells its caller.
#[derive(Debug)]
pub enum Report<'a> {
    /// The first pass over the folders is committed; watching starts.
    Ready(&'a Summary),
    /// A burst of changes was indexed (and committed if it changed anything).
    Burst(&'a Summary),
    /// Something the caller should show: a watcher error, a file left out
    /// at shutdown because it was still being written.
    Warning(String),
}

enum Msg {
    Fs(notify::Result<notify::Event>),
    Stop,
}

/// Stops a running [`Watch`] from another thread (a signal handler): what
/// it has read is committed and [`Watch::run`] returns.
#[derive(Clone)]
pub struct Stop {
    tx: Sender<Msg>,
    flag: Arc<AtomicBool>,
}

impl Stop {
    /// Asks the watch to commit and return.
    pub fn stop(&self) {
        self.flag.store(true, Ordering::Relaxed);
        let _ = self.tx.send(Msg::Stop);
    }
}

/// A watch, before it runs.
pub struct Watch {
    tx: Sender<Msg>,
    rx: Receiver<Msg>,
    flag: Arc<AtomicBool>,
}

impl Default for Watch {
    fn default() -> Self {
        Self::new()
    }
}

impl Watch {
    /// A new watch.
    pub fn new() -> Watch {
        let (tx, rx) = channel();
        Watch {
            tx,
            rx,
            flag: Arc::default(),
        }
    }

    /// A handle that stops the watch.
    pub fn stopper(&self) -> Stop {
        Stop {
            tx: self.tx.clone(),
            flag: self.flag.clone(),
        }
    }

    /// Indexes the folders of `opts`, then every change to them until
    /// stopped; holds the index's writer lock throughout. `progress` is
    /// called during the first pass, `report` after it and after each burst.
    pub fn run(
        self,
        index: &GazetteIndex,
        opts: &WatchOptions,
        progress: impl FnMut(Progress),
        mut report: impl FnMut(Report),
    ) -> Result<()> {
        let roots = Roots::new(&opts.index.paths, &index.path)?;
        let tx = self.tx.clone();
        let mut fs = notify::recommended_watcher(move |event| {
            let _ = tx.send(Msg::Fs(event));
        })
        .map_err(watch_error)?;
        // Watching starts before the first pass, so nothing written during
        // it is missed.
        for root in &roots.0 {
            fs.watch(&root.given, notify::RecursiveMode::Recursive)
                .map_err(watch_error)?;
        }
        let mut session = Session::open(index, &opts.index)?;
        session.set_stop_flag(self.flag.clone());
        let mut state = State::new(roots, &opts.index, opts.settle);
        let summary = state.first_pass(&mut session, &opts.index, progress)?;
        report(Report::Ready(&summary));
        session.set_commit_every(usize::MAX);
        self.flag.store(false, Ordering::Relaxed);

        let tick = (opts.settle / 4).clamp(Duration::from_millis(20), Duration::from_millis(250));
        let mut next_tick = Instant::now() + tick;
        loop {
            let msg = if state.pending.is_empty() && !state.held.values().any(Option::is_some) {
                self.rx.recv().map_err(|_| RecvTimeoutError::Disconnected)
            } else {
                self.rx
                    .recv_timeout(next_tick.saturating_duration_since(Instant::now()))
            };
            match msg {
                Ok(Msg::Stop) | Err(RecvTimeoutError::Disconnected) => break,
                Ok(Msg::Fs(Ok(event))) => state.on_event(&event, Instant::now()),
                Ok(Msg::Fs(Err(e))) => {
                    report(Report::Warning(format!(
                        "watching: {e}; looking at every file"
                    )));
                    let now = Instant::now();
                    state.rescan(now);
                    // A held error is reported now, unless its file is finished.
                    let held: Vec<PathBuf> = state.held.keys().cloned().collect();
                    for path in held {
                        state.pending.touch(path.clone(), file_state(&path), now);
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
            }
            let now = Instant::now();
            if now < next_tick {
                continue;
            }
            next_tick = now + tick;
            state.observe(now);
            if let Some(burst) = state.pending.due(now, opts.settle, MAX_WAIT) {
                state.burst(&mut session, burst, false, &mut report)?;
            }
        }
        // Events already sent (a file written just before the stop) count,
        // and so does any change whose event is still on its way.
        let drained = Instant::now() + DRAIN;
        while let Ok(msg) = self
            .rx
            .recv_timeout(drained.saturating_duration_since(Instant::now()))
        {
            if let Msg::Fs(Ok(event)) = msg {
                state.on_event(&event, Instant::now());
            }
        }
        drop(fs);
        let now = Instant::now();
        state.rescan(now);
        // A held error is reported now, unless its file is finished.
        let held: Vec<PathBuf> = state.held.keys().cloned().collect();
        for path in held {
            state.pending.touch(path.clone(), file_state(&path), now);
        }
        self.flag.store(false, Ordering::Relaxed);
        state.last_burst(&mut session, &mut report)?;
        session.finish()
    }
}

fn watch_error(e: notify::Error) -> Error {
    let paths = e
        .paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    Error::Invalid(format!("cannot watch {paths}: {e}"))
}

/// A watched folder.
struct Root {
    /// As the user named it: files are named, and documents get their ids,
    /// under it, as `gazette index DIR` does.
    given: PathBuf,
    /// Absolute (as the watcher names paths).
    absolute: PathBuf,
    /// Its [`read::origin_of`].
    origin: String,
}

struct Roots(Vec<Root>, PathBuf);

impl Roots {
    fn new(paths: &[PathBuf], index_dir: &Path) -> Result<Roots> {
        if paths.is_empty() {
            return Err(Error::Invalid("--watch needs a folder to watch".into()));
        }
        let mut roots = Vec::new();
        for p in paths {
            if !p.is_dir() {
                return Err(Error::Invalid(format!(
                    "--watch watches folders: {} is not a folder",
                    p.display()
                )));
            }
            roots.push(Root {
                given: p.clone(),
                absolute: std::path::absolute(p).map_err(|e| Error::io(p, e))?,
                origin: read::origin_of(p),
            });
        }
        let index_dir = std::path::absolute(index_dir).map_err(|e| Error::io(index_dir, e))?;
        Ok(Roots(roots, index_dir))
    }

    /// The root a path from the watcher is in, and the path under the
    /// root as given; `None` for a path inside the index.
    fn locate(&self, path: &Path) -> Option<(&Root, PathBuf)> {
        let path = std::path::absolute(path).ok()?;
        if path.starts_with(&self.1) {
            return None;
        }
        self.0.iter().find_map(|r| {
            let rel = path.strip_prefix(&r.absolute).ok()?;
            Some((r, r.given.join(rel)))
        })
    }

    /// The input of a file named under its root as given.
    fn input(&self, file: &Path) -> Option<Input> {
        if std::path::absolute(file).is_ok_and(|p| p.starts_with(&self.1)) {
            return None;
        }
        let root = self.0.iter().find(|r| file.starts_with(&r.given))?;
        read::input_in(&root.given, &root.origin, file)
    }
}

/// What a file looked like when last seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileState {
    len: u64,
    modified: Option<SystemTime>,
}

/// The state of a file; `None` when it is not a file (any more).
pub fn file_state(path: &Path) -> Option<FileState> {
    let meta = std::fs::metadata(path).ok()?;
    meta.is_file().then(|| FileState {
        len: meta.len(),
        modified: meta.modified().ok(),
    })
}

/// Is `line` the last line of the file at `path`, and unfinished (no
/// newline after it)? A record there that does not parse may be one still
/// being written. Only plain files are looked at (not gzip).
pub fn unfinished_last_line(path: &Path, line: u64) -> bool {
    use std::io::Read;
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    let mut buf = vec![0u8; 1 << 16];
    let (mut lines, mut first, mut last) = (1u64, None, None);
    loop {
        match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                first.get_or_insert(buf[..n.min(2)].to_vec());
                lines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
                last = Some(buf[n - 1]);
            }
            Err(_) => return false,
        }
    }
    let gzip = first.is_some_and(|f| f.starts_with(&[0x1f, 0x8b]));
    !gzip && last.is_some_and(|b| b != b'\n') && line == lines
}

/// Paths waiting to settle: each with the time it last changed (an event,
/// or a new size or modification time) and its state then.
#[derive(Debug, Default)]
pub struct Pending {
    entries: HashMap<PathBuf, (Instant, Option<FileState>)>,
}

impl Pending {
    /// An event for `path`, whose state is now `state`: its clock restarts.
    pub fn touch(&mut self, path: PathBuf, state: Option<FileState>, now: Instant) {
        self.entries.insert(path, (now, state));
    }

    /// `path` was looked at: a new state restarts its clock.
    pub fn observe(&mut self, path: &Path, state: Option<FileState>, now: Instant) {
        if let Some(entry) = self.entries.get_mut(path)
            && entry.1 != state
        {
            *entry = (now, state);
        }
    }

    /// The paths waiting.
    pub fn paths(&self) -> Vec<PathBuf> {
        self.entries.keys().cloned().collect()
    }

    /// Nothing waiting?
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Forgets a path.
    pub fn remove(&mut self, path: &Path) {
        self.entries.remove(path);
    }

    /// The burst to index now, if one is due: the paths unchanged for
    /// `settle`, once every waiting path is, or once the first of them has
    /// waited `max_wait` more for the others.
    pub fn due(
        &self,
        now: Instant,
        settle: Duration,
        max_wait: Duration,
    ) -> Option<Vec<(PathBuf, Option<FileState>)>> {
        let mut settled = Vec::new();
        let mut first = None::<Instant>;
        for (path, (since, state)) in &self.entries {
            let at = *since + settle;
            if at <= now {
                settled.push((path.clone(), *state));
                first = Some(first.map_or(at, |f| f.min(at)));
            }
        }
        let first = first?;
        let all = settled.len() == self.entries.len();
        (all || first + max_wait <= now).then(|| {
            settled.sort_by(|a, b| a.0.cmp(&b.0));
            settled
        })
    }
}

struct State {
    roots: Roots,
    prune: bool,
    format: Option<read::Format>,
    /// With `prune`: the ids each file gave, by file.
    files: BTreeMap<PathBuf, Vec<String>>,
    /// With `prune`: how many files give each id.
    refs: HashMap<String, u32>,
    pending: Pending,
    /// Files whose unfinished last line did not parse (see
    /// [`unfinished_last_line`]), not reported: until when they may still
    /// change, then `None` (read again, the error is reported).
    held: HashMap<PathBuf, Option<Instant>>,
    /// How long such a file is waited for.
    grace: Duration,
    /// The state of each file when it was last read.
    read: BTreeMap<PathBuf, FileState>,
}

impl State {
    fn new(roots: Roots, opts: &IndexOptions, settle: Duration) -> State {
        State {
            roots,
            prune: opts.prune,
            format: opts.read.format,
            files: BTreeMap::new(),
            refs: HashMap::new(),
            pending: Pending::default(),
            held: HashMap::new(),
            grace: settle * 10,
            read: BTreeMap::new(),
        }
    }

    fn input(&self, file: &Path) -> Option<Input> {
        let mut input = self.roots.input(file)?;
        if let Some(f) = self.format {
            input.format = f;
        }
        Some(input)
    }

    /// `gazette index [--prune] DIR…`, keeping which file gave which id.
    fn first_pass(
        &mut self,
        session: &mut Session,
        opts: &IndexOptions,
        progress: impl FnMut(Progress),
    ) -> Result<Summary> {
        let started = Instant::now();
        let mut summary = Summary::default();
        let (inputs, path_errors) = read::expand_as(&opts.paths, opts.read.format);
        summary
            .errors
            .extend(path_errors.into_iter().filter_map(writer::record_error));
        let inputs: Vec<Input> = inputs
            .into_iter()
            .filter(|i| {
                i.path
                    .as_ref()
                    .is_some_and(|p| self.roots.input(p).is_some())
            })
            .collect();
        for p in inputs.iter().filter_map(|i| i.path.as_ref()) {
            if let Some(state) = file_state(p) {
                self.read.insert(p.clone(), state);
            }
        }
        let mut produced: Vec<(PathBuf, String)> = Vec::new();
        let prune = self.prune;
        session.add(inputs, &mut summary, progress, |input, id| {
            if prune && let Some(p) = &input.path {
                produced.push((p.clone(), id.to_string()));
            }
        })?;
        if self.prune {
            for (path, id) in produced {
                *self.refs.entry(id.clone()).or_default() += 1;
                self.files.entry(path).or_default().push(id);
            }
            // An interrupted pass has not seen every file: nothing is pruned.
            if !session.stopped() {
                let origins: Vec<String> = self.roots.0.iter().map(|r| r.origin.clone()).collect();
                let refs = &self.refs;
                summary.deleted += session.prune(&origins, |id| refs.contains_key(id))?;
            }
        }
        summary.rejected = summary.errors.len() as u64;
        session.commit()?;
        summary.elapsed_ms = started.elapsed().as_millis() as u64;
        Ok(summary)
    }

    fn on_event(&mut self, event: &notify::Event, now: Instant) {
        if event.need_rescan() {
            return self.rescan(now);
        }
        // gazette's own reads open files: only writes matter.
        if let EventKind::Access(kind) = event.kind
            && kind != AccessKind::Close(AccessMode::Write)
        {
            return;
        }
        for path in &event.paths {
            let Some((_, file)) = self.roots.locate(path) else {
                continue;
            };
            self.consider(file, now);
        }
    }

    /// Adds a path that may have changed to the waiting ones.
    fn consider(&mut self, path: PathBuf, now: Instant) {
        match std::fs::metadata(&path) {
            // A folder moved or copied in: its files may predate its watch.
            Ok(meta) if meta.is_dir() => {
                for entry in walkdir::WalkDir::new(&path).into_iter().flatten() {
                    if entry.file_type().is_file() && self.input(entry.path()).is_some() {
                        let file = entry.path().to_path_buf();
                        let state = file_state(&file);
                        self.pending.touch(file, state, now);
                    }
                }
            }
            Ok(_) if self.input(&path).is_some() => {
                let state = file_state(&path);
                self.pending.touch(path, state, now);
            }
            Ok(_) => {}
            Err(_) if self.prune && self.tracks_under(&path) => self.pending.touch(path, None, now),
            Err(_) => {}
        }
    }

    /// Events may have been lost (or not arrived yet): every file of the
    /// watched folders whose size or modification time differs from when
    /// it was last read waits to be read, and, with prune, every file read
    /// that is gone waits to be deleted.
    fn rescan(&mut self, now: Instant) {
        let givens: Vec<PathBuf> = self.roots.0.iter().map(|r| r.given.clone()).collect();
        for given in givens {
            for entry in walkdir::WalkDir::new(&given).into_iter().flatten() {
                let path = entry.path();
                if !entry.file_type().is_file() || self.input(path).is_none() {
                    continue;
                }
                let state = file_state(path);
                if state.is_some() && self.read.get(path) != state.as_ref() {
                    self.pending.touch(path.to_path_buf(), state, now);
                }
            }
        }
        if self.prune {
            let gone: Vec<PathBuf> = self
                .files
                .keys()
                .filter(|f| file_state(f).is_none())
                .cloned()
                .collect();
            for file in gone {
                self.pending.touch(file, None, now);
            }
        }
    }

    fn tracks_under(&self, path: &Path) -> bool {
        self.files
            .range(path.to_path_buf()..)
            .next()
            .is_some_and(|(f, _)| f.starts_with(path))
    }

    /// Looks at every waiting path again; a held file waited for long
    /// enough is read again.
    fn observe(&mut self, now: Instant) {
        for (path, until) in &mut self.held {
            if until.is_some_and(|u| u <= now) {
                *until = None;
                self.pending.touch(path.clone(), file_state(path), now);
            }
        }
        for path in self.pending.paths() {
            let state = file_state(&path);
            self.pending.observe(&path, state, now);
        }
    }

    /// Indexes a burst and commits it. Returns the files that changed while
    /// they were read: then nothing is committed and they wait again (unless
    /// `last`, when the caller decides).
    fn burst(
        &mut self,
        session: &mut Session,
        burst: Vec<(PathBuf, Option<FileState>)>,
        last: bool,
        report: &mut impl FnMut(Report),
    ) -> Result<Vec<PathBuf>> {
        let started = Instant::now();
        let mut summary = Summary::default();
        let mut produced: BTreeMap<PathBuf, Vec<String>> = BTreeMap::new();
        let mut inputs = Vec::new();
        for (path, state) in &burst {
            if state.is_some()
                && let Some(input) = self.input(path)
            {
                produced.insert(path.clone(), Vec::new());
                inputs.push(input);
            }
        }
        session.add(
            inputs,
            &mut summary,
            |_| {},
            |input, id| {
                if let Some(ids) = input.path.as_ref().and_then(|p| produced.get_mut(p)) {
                    ids.push(id.to_string());
                }
            },
        )?;
        if session.stopped() && !last {
            // Stopped in the middle: the last burst reads these files again.
            session.rollback()?;
            return Ok(Vec::new());
        }
        let read_any = !produced.is_empty();
        let changed: Vec<PathBuf> = burst
            .iter()
            .filter(|(path, state)| state.is_some() && file_state(path) != *state)
            .map(|(path, _)| path.clone())
            .collect();
        if !changed.is_empty() {
            session.rollback()?;
            if !last {
                let now = Instant::now();
                for path in &changed {
                    let state = file_state(path);
                    self.pending.touch(path.clone(), state, now);
                }
            }
            return Ok(changed);
        }
        let read_files: Vec<PathBuf> = produced.keys().cloned().collect();
        if self.prune {
            let gone = burst.iter().filter(|(_, s)| s.is_none()).map(|(p, _)| p);
            summary.deleted += self.retrack(session, produced, gone);
        }
        self.hold_back(&mut summary, &burst, last);
        summary.rejected = summary.errors.len() as u64;
        if summary.added + summary.updated + summary.deleted > 0 {
            session.commit()?;
        }
        for (path, state) in &burst {
            self.pending.remove(path);
            match state {
                Some(s) if read_files.contains(path) => {
                    self.read.insert(path.clone(), *s);
                }
                _ => {
                    self.read.remove(path);
                }
            }
        }
        summary.elapsed_ms = started.elapsed().as_millis() as u64;
        if read_any || summary.deleted > 0 {
            report(Report::Burst(&summary));
        }
        Ok(Vec::new())
    }

    /// Takes out of `summary` the errors on the unfinished last line of a
    /// file (its writer may not be done with it), unless the file has been
    /// waited for long enough already (then they are reported).
    fn hold_back(
        &mut self,
        summary: &mut Summary,
        burst: &[(PathBuf, Option<FileState>)],
        last: bool,
    ) {
        let now = Instant::now();
        for (path, _) in burst {
            let display = path.display().to_string();
            let before = summary.errors.len();
            let waited = self.held.get(path).is_some_and(|until| until.is_none());
            if !last && !waited {
                summary
                    .errors
                    .retain(|e| e.source != display || !unfinished_last_line(path, e.line));
            }
            if summary.errors.len() < before {
                self.held
                    .entry(path.clone())
                    .or_insert(Some(now + self.grace));
            } else {
                self.held.remove(path);
            }
        }
    }

    /// Records the ids each file of a burst gave and forgets the files gone;
    /// deletes the documents no file gives any more. Returns how many.
    fn retrack<'p>(
        &mut self,
        session: &mut Session,
        produced: BTreeMap<PathBuf, Vec<String>>,
        gone: impl Iterator<Item = &'p PathBuf>,
    ) -> u64 {
        // Every new claim counts before any old one is let go, so an id that
        // moved from one file to another in the burst stays.
        let mut released = Vec::new();
        for (path, ids) in produced {
            for id in &ids {
                *self.refs.entry(id.clone()).or_default() += 1;
            }
            released.extend(self.files.insert(path, ids).unwrap_or_default());
        }
        for path in gone {
            let under: Vec<PathBuf> = self
                .files
                .range(path.clone()..)
                .take_while(|(f, _)| f.starts_with(path))
                .map(|(f, _)| f.clone())
                .collect();
            for f in under {
                released.extend(self.files.remove(&f).unwrap_or_default());
            }
        }
        let mut deleted = 0;
        for id in released {
            let Some(n) = self.refs.get_mut(&id) else {
                continue;
            };
            *n -= 1;
            if *n == 0 {
                self.refs.remove(&id);
                deleted += u64::from(session.delete(&id));
            }
        }
        deleted
    }

    /// At a stop: everything still waiting, settled or not, except a file
    /// that changes while it is read (it is being written: reported).
    fn last_burst(&mut self, session: &mut Session, report: &mut impl FnMut(Report)) -> Result<()> {
        let mut burst: Vec<(PathBuf, Option<FileState>)> = self
            .pending
            .paths()
            .into_iter()
            .map(|p| {
                let s = file_state(&p);
                (p, s)
            })
            .collect();
        burst.sort_by(|a, b| a.0.cmp(&b.0));
        for _ in 0..3 {
            if burst.is_empty() {
                return Ok(());
            }
            let changed = self.burst(session, burst.clone(), true, report)?;
            if changed.is_empty() {
                return Ok(());
            }
            for path in &changed {
                report(Report::Warning(format!(
                    "{}: still being written; not indexed",
                    path.display()
                )));
            }
            burst.retain(|(p, _)| !changed.contains(p));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SETTLE: Duration = Duration::from_millis(1000);

    fn state(len: u64) -> Option<FileState> {
        Some(FileState {
            len,
            modified: None,
        })
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn a_file_is_due_once_unchanged_for_the_settle_time() {
        let t0 = Instant::now();
        let mut p = Pending::default();
        p.touch("a".into(), state(10), t0);
        assert_eq!(p.due(t0 + ms(999), SETTLE, MAX_WAIT), None);
        assert_eq!(
            p.due(t0 + ms(1000), SETTLE, MAX_WAIT),
            Some(vec![("a".into(), state(10))])
        );
    }

    #[test]
    fn a_growing_file_waits_until_its_size_stops_changing() {
        let t0 = Instant::now();
        let mut p = Pending::default();
        p.touch("a".into(), state(10), t0);
        // No event, but the size moved (a writer pausing mid-line).
        p.observe(Path::new("a"), state(20), t0 + ms(800));
        assert_eq!(p.due(t0 + ms(1500), SETTLE, MAX_WAIT), None);
        // The same size again does not restart the clock.
        p.observe(Path::new("a"), state(20), t0 + ms(1600));
        assert!(p.due(t0 + ms(1800), SETTLE, MAX_WAIT).is_some());
    }

    #[test]
    fn an_event_restarts_the_clock() {
        let t0 = Instant::now();
        let mut p = Pending::default();
        p.touch("a".into(), state(10), t0);
        p.touch("a".into(), state(10), t0 + ms(900));
        assert_eq!(p.due(t0 + ms(1500), SETTLE, MAX_WAIT), None);
        assert!(p.due(t0 + ms(1900), SETTLE, MAX_WAIT).is_some());
    }

    #[test]
    fn a_burst_waits_for_files_still_changing_but_not_for_ever() {
        let t0 = Instant::now();
        let mut p = Pending::default();
        p.touch("a".into(), state(1), t0);
        p.touch("gone".into(), None, t0);
        p.touch("b".into(), state(1), t0 + ms(500));
        // a and gone settled, b not yet: wait for b, it settles soon.
        assert_eq!(p.due(t0 + ms(1200), SETTLE, MAX_WAIT), None);
        // All settled: one burst of all three, in order.
        let all = p.due(t0 + ms(1500), SETTLE, MAX_WAIT).unwrap();
        let names: Vec<_> = all.iter().map(|(p, _)| p.clone()).collect();
        assert_eq!(names, [PathBuf::from("a"), "b".into(), "gone".into()]);
        // b keeps changing: a goes alone once it has waited MAX_WAIT.
        for i in 1..=30 {
            p.observe(Path::new("b"), state(1 + i), t0 + ms(100 * i));
        }
        assert_eq!(p.due(t0 + ms(2999), SETTLE, MAX_WAIT), None);
        let burst = p.due(t0 + ms(3000), SETTLE, MAX_WAIT).unwrap();
        assert_eq!(burst.len(), 2);
        assert!(burst.iter().all(|(p, _)| p != Path::new("b")));
    }

    #[test]
    fn only_an_unfinished_last_line_may_be_cut() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.jsonl");
        std::fs::write(&f, "{\"id\": 1}\n{\"id\": 2}\n{\"id\"").unwrap();
        assert!(unfinished_last_line(&f, 3));
        assert!(!unfinished_last_line(&f, 2));
        std::fs::write(&f, "{\"id\": 1}\n{\"id\"\n").unwrap();
        assert!(!unfinished_last_line(&f, 2));
        assert!(!unfinished_last_line(&f, 3));
        std::fs::write(&f, "").unwrap();
        assert!(!unfinished_last_line(&f, 1));
        assert!(!unfinished_last_line(&dir.path().join("none"), 1));
    }

    #[test]
    fn a_rescan_finds_the_files_changed_or_gone_since_they_were_read() {
        let dir = tempfile::tempdir().unwrap();
        let news = dir.path().join("news");
        let index = news.join("index");
        std::fs::create_dir_all(&index).unwrap();
        let opts = IndexOptions {
            paths: vec![news.clone()],
            prune: true,
            ..IndexOptions::default()
        };
        let roots = Roots::new(&opts.paths, &index).unwrap();
        let mut state = State::new(roots, &opts, SETTLE);
        for name in ["a.txt", "b.txt", "same.txt"] {
            let f = news.join(name);
            std::fs::write(&f, "Some text.\n").unwrap();
            state.read.insert(f.clone(), file_state(&f).unwrap());
            state.files.insert(f, vec![name.into()]);
        }
        std::fs::remove_file(news.join("a.txt")).unwrap();
        std::fs::write(news.join("b.txt"), "Some longer text.\n").unwrap();
        std::fs::write(news.join("c.txt"), "New text.\n").unwrap();
        std::fs::write(news.join(".hidden.txt"), "Not read.\n").unwrap();
        std::fs::write(index.join("meta.json"), "{}").unwrap();
        state.rescan(Instant::now());
        let mut waiting = state.pending.paths();
        waiting.sort();
        let want: Vec<PathBuf> = ["a.txt", "b.txt", "c.txt"]
            .iter()
            .map(|n| news.join(n))
            .collect();
        assert_eq!(waiting, want);
    }

    #[test]
    fn nothing_waiting_is_never_due() {
        let p = Pending::default();
        assert!(p.is_empty());
        assert_eq!(p.due(Instant::now(), SETTLE, MAX_WAIT), None);
    }
}
