//! A program running in a real pseudo-terminal, watched through a terminal
//! emulator, for the end-to-end TUI test (`tests/tui_pty.rs`) and the TUI
//! latency benchmark (`benches/tui.rs`); both include this file with
//! `#[path]`.
//!
//! [`Pty::spawn`] opens a pty pair with `openpty`, sizes it with
//! `TIOCSWINSZ`, and starts the program with the slave side as its standard
//! streams and controlling terminal (a new session, then `TIOCSCTTY`), so it
//! sees exactly what it sees in a user's terminal emulator. A reader thread
//! drains the master side into a [`vt100::Parser`] and keeps the raw bytes
//! too; callers wait for what the screen should show with
//! [`Pty::wait_for`], each wait bounded by a timeout.
//!
//! Timing: every chunk the reader gets from `read(2)` on the master is
//! stamped with [`Instant::now`] as soon as `read` returns, before it is
//! parsed. [`Pty::wait_for`] hands its predicate to the reader thread,
//! which evaluates it after each chunk, so the instant it reports is the
//! stamp of the very chunk after which the screen first satisfied it — not
//! when the waiting thread happened to wake up. The resolution is therefore
//! that of the reader's wake-up after the program's `write(2)` (tens of
//! microseconds on an idle machine, more on a loaded one), not of the
//! waiter's scheduling.

// The test and the benchmark each use part of this file.
#![allow(dead_code)]

use std::fs::File;
use std::io::{self, Read, Write};
use std::num::NonZeroU16;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// A condition on the screen, evaluated by the reader thread after each
/// chunk of output.
type Predicate = Box<dyn FnMut(&vt100::Screen) -> bool + Send>;

/// A child process in a pseudo-terminal, with the emulated screen it has
/// drawn. Dropping it kills the child if it is still running, so a failed
/// test or benchmark never leaves one behind.
pub struct Pty {
    /// The program.
    child: Child,
    /// The master side, for typing.
    master: File,
    /// What the reader thread has seen.
    shared: Arc<Shared>,
    /// The reader thread; it ends when the slave side is closed by the last
    /// process holding it.
    reader: Option<JoinHandle<()>>,
    /// Just before the program was started.
    started: Instant,
}

/// The state the reader thread updates and the waiters read.
struct Shared {
    state: Mutex<State>,
    /// Notified after every chunk, when a watch is satisfied, and when the
    /// output ends.
    changed: Condvar,
}

/// Everything read from the master side so far.
struct State {
    /// The terminal emulator fed with every byte.
    parser: vt100::Parser,
    /// Every byte, for checks on the escape sequences themselves.
    raw: Vec<u8>,
    /// When the latest chunk arrived (the start, before any did).
    last_chunk: Instant,
    /// The condition a waiter is waiting for, if any.
    watch: Option<Predicate>,
    /// When the watched condition first held: the stamp of the chunk after
    /// which it did.
    satisfied: Option<Instant>,
    /// The master side returned end of file or an error (on Linux, `EIO`
    /// once no process holds the slave side): no more output will come.
    closed: bool,
}

/// A wait that ran out of time or output.
#[derive(Debug)]
pub struct WaitError {
    /// Why the wait ended.
    pub reason: &'static str,
    /// The screen when it did, one line per row.
    pub screen: String,
}

impl std::fmt::Display for WaitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "{}; the screen shows:", self.reason)?;
        let width = self
            .screen
            .lines()
            .map(|line| line.chars().count())
            .max()
            .unwrap_or(0);
        // A frame, so blank rows and trailing blanks are visible too.
        writeln!(f, "+{}+", "-".repeat(width))?;
        for line in self.screen.lines() {
            let pad = width - line.chars().count();
            writeln!(f, "|{line}{}|", " ".repeat(pad))?;
        }
        write!(f, "+{}+", "-".repeat(width))
    }
}

impl std::error::Error for WaitError {}

impl Pty {
    /// Starts `command` in a new pseudo-terminal of `rows` × `cols`, with
    /// the slave side as its stdin, stdout, stderr and controlling
    /// terminal. The caller sets the program, arguments and environment
    /// (`TERM` in particular); this sets the standard streams and the
    /// session.
    pub fn spawn(mut command: Command, rows: u16, cols: u16) -> io::Result<Pty> {
        let (master, slave) = open_pty()?;
        let size = libc::winsize {
            ws_row: rows,
            ws_col: cols,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: `master` is an open pty master descriptor owned by this
        // function, and `size` is a valid `winsize` that outlives the call;
        // TIOCSWINSZ only reads it.
        if unsafe { libc::ioctl(master.as_raw_fd(), libc::TIOCSWINSZ, &size) } == -1 {
            return Err(io::Error::last_os_error());
        }
        command
            .stdin(Stdio::from(slave.try_clone()?))
            .stdout(Stdio::from(slave.try_clone()?))
            .stderr(Stdio::from(slave));
        // SAFETY: the closure runs in the forked child before `exec`, after
        // the standard streams are in place, and calls only `setsid` and
        // `ioctl`, which are async-signal-safe; it allocates nothing and
        // touches no lock. `setsid` makes the child a session leader without
        // a controlling terminal, so TIOCSCTTY on its stdin (the slave)
        // makes the pty its controlling terminal: `/dev/tty`, job control
        // and SIGWINCH then work as in a real terminal.
        unsafe {
            command.pre_exec(|| {
                if libc::setsid() == -1 {
                    return Err(io::Error::last_os_error());
                }
                if libc::ioctl(libc::STDIN_FILENO, libc::TIOCSCTTY, 0) == -1 {
                    return Err(io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let started = Instant::now();
        let child = command.spawn()?;
        // The command holds this process's copies of the slave side; they
        // must be closed, or the master would never report the end of the
        // output when the child exits.
        drop(command);

        let parser = vt100::Parser::new(
            NonZeroU16::new(rows).unwrap_or(NonZeroU16::MIN),
            NonZeroU16::new(cols).unwrap_or(NonZeroU16::MIN),
            0,
        );
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                parser,
                raw: Vec::new(),
                last_chunk: started,
                watch: None,
                satisfied: None,
                closed: false,
            }),
            changed: Condvar::new(),
        });
        let master = File::from(master);
        let mut pty = Pty {
            child,
            master: master.try_clone()?,
            shared: Arc::clone(&shared),
            reader: None,
            started,
        };
        // If starting the thread fails, dropping `pty` kills the child.
        pty.reader = Some(
            thread::Builder::new()
                .name("pty-reader".to_owned())
                .spawn(move || read_output(master, &shared))?,
        );
        Ok(pty)
    }

    /// The child's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The instant just before the child was started.
    pub fn started(&self) -> Instant {
        self.started
    }

    /// Types `bytes` into the terminal and returns the instant just before
    /// they were written, the start of a key-to-frame measurement.
    pub fn send(&mut self, bytes: &[u8]) -> io::Result<Instant> {
        let at = Instant::now();
        self.master.write_all(bytes)?;
        Ok(at)
    }

    /// What `look` makes of the screen as it is now.
    pub fn inspect<T>(&self, look: impl FnOnce(&vt100::Screen) -> T) -> T {
        look(self.lock().parser.screen())
    }

    /// The screen as text, one line per row.
    pub fn screen(&self) -> String {
        self.lock().parser.screen().contents()
    }

    /// The screen's rows as text, each `cols` characters or fewer.
    pub fn rows(&self) -> Vec<String> {
        let state = self.lock();
        let screen = state.parser.screen();
        let (_, cols) = screen.size();
        screen.rows(0, cols.get()).collect()
    }

    /// Every byte the child has written so far.
    pub fn raw_output(&self) -> Vec<u8> {
        self.lock().raw.clone()
    }

    /// Waits until the screen satisfies `predicate`, for at most
    /// `timeout`, and returns the arrival stamp of the chunk of output after
    /// which it first did (the start instant when it held already). The
    /// predicate is evaluated by the reader thread after every chunk, so it
    /// must be cheap and must not block.
    pub fn wait_for<F>(&self, timeout: Duration, mut predicate: F) -> Result<Instant, WaitError>
    where
        F: FnMut(&vt100::Screen) -> bool + Send + 'static,
    {
        let deadline = Instant::now() + timeout;
        let mut state = self.lock();
        if predicate(state.parser.screen()) {
            return Ok(state.last_chunk);
        }
        state.satisfied = None;
        state.watch = Some(Box::new(predicate));
        let outcome = loop {
            if let Some(at) = state.satisfied {
                break Ok(at);
            }
            if state.closed {
                break Err("the program closed the terminal");
            }
            let now = Instant::now();
            if now >= deadline {
                break Err("timed out");
            }
            state = self
                .shared
                .changed
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .0;
        };
        state.watch = None;
        state.satisfied = None;
        outcome.map_err(|reason| WaitError {
            reason,
            screen: state.parser.screen().contents(),
        })
    }

    /// Waits until no output has arrived for `quiet` (at most `timeout`
    /// in all) and returns the stamp of the last chunk: the end of a frame
    /// whose content cannot be predicted exactly. A frame is written in a
    /// burst, so a pause of a few milliseconds means it is complete unless
    /// the program was descheduled in the middle of writing it.
    pub fn wait_quiet(&self, quiet: Duration, timeout: Duration) -> Result<Instant, WaitError> {
        let deadline = Instant::now() + timeout;
        let mut state = self.lock();
        loop {
            let now = Instant::now();
            let silent = now.saturating_duration_since(state.last_chunk);
            if silent >= quiet || state.closed {
                return Ok(state.last_chunk);
            }
            if now >= deadline {
                return Err(WaitError {
                    reason: "the output never went quiet",
                    screen: state.parser.screen().contents(),
                });
            }
            let wait = (quiet - silent).min(deadline - now);
            state = self
                .shared
                .changed
                .wait_timeout(state, wait)
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .0;
        }
    }

    /// Waits up to `timeout` for the child to exit and returns its status,
    /// or `None` if it is still running then.
    pub fn wait_exit(&mut self, timeout: Duration) -> io::Result<Option<ExitStatus>> {
        let deadline = Instant::now() + timeout;
        // The end of the output comes as the child exits and closes the
        // slave side; waiting for it first avoids polling while it runs.
        {
            let mut state = self.lock();
            while !state.closed {
                let now = Instant::now();
                if now >= deadline {
                    break;
                }
                state = self
                    .shared
                    .changed
                    .wait_timeout(state, deadline - now)
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .0;
            }
        }
        // Closing the terminal precedes the exit by a moment; poll for it.
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Ok(Some(status));
            }
            if Instant::now() >= deadline {
                return Ok(None);
            }
            thread::sleep(Duration::from_millis(5));
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic in a predicate poisons the lock; the state is still
        // consistent (each chunk is parsed whole), so carry on with it.
        self.shared
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
        // With the child gone nobody holds the slave side, so the reader's
        // `read` fails with EIO and the thread ends.
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}

/// Opens a pseudo-terminal pair, both sides closed on `exec` (the child
/// gets the slave only as its standard streams, never the master).
fn open_pty() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut master: libc::c_int = -1;
    let mut slave: libc::c_int = -1;
    // SAFETY: `openpty` writes one descriptor into each of the two valid
    // `c_int`s; a null name, termios and winsize ask for no name and the
    // default settings (the size is set with TIOCSWINSZ afterwards).
    let result = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    if result == -1 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `openpty` succeeded, so both are open descriptors that
    // nothing else owns; each is wrapped exactly once.
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    for fd in [&master, &slave] {
        // SAFETY: F_SETFD with FD_CLOEXEC on a descriptor this function
        // owns changes only its close-on-exec flag.
        if unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_SETFD, libc::FD_CLOEXEC) } == -1 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok((master, slave))
}

/// The reader thread: feeds every chunk from the master side to the
/// emulator, stamped as it arrives, until the slave side is closed.
fn read_output(mut master: File, shared: &Shared) {
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let read = master.read(&mut buffer);
        let arrived = Instant::now();
        let count = match read {
            Ok(0) => break,
            Ok(count) => count,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            // EIO: the last holder of the slave side has closed it.
            Err(_) => break,
        };
        let chunk = &buffer[..count];
        let mut state = shared
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        state.parser.process(chunk);
        state.raw.extend_from_slice(chunk);
        state.last_chunk = arrived;
        let State {
            parser,
            watch,
            satisfied,
            ..
        } = &mut *state;
        if satisfied.is_none()
            && let Some(predicate) = watch
            && predicate(parser.screen())
        {
            *satisfied = Some(arrived);
        }
        drop(state);
        shared.changed.notify_all();
    }
    let mut state = shared
        .state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    state.closed = true;
    drop(state);
    shared.changed.notify_all();
}
