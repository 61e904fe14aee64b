//! Drawing off the caller's thread: on a thread with a large stack (the drawing library
//! recurses over nesting), waited for no longer than a time budget. A thread cannot be
//! stopped from outside, so a drawing that overruns is abandoned and its result dropped
//! when it finishes; while too many abandoned drawings still run, new ones are refused
//! rather than piling up threads and CPU. Drawing threads are kept and reused (a new one
//! is started only when none is idle), so a drawing costs no thread start.

use super::memory;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, mpsc};
use std::time::Duration;

type Job = Box<dyn FnOnce() + Send>;

/// The drawing threads: a queue they take jobs from, and how many are waiting for one.
struct Pool {
    queue: Mutex<mpsc::Sender<Job>>,
    jobs: Arc<Mutex<mpsc::Receiver<Job>>>,
    idle: Arc<AtomicUsize>,
}

fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| {
        let (queue, jobs) = mpsc::channel();
        Pool {
            queue: Mutex::new(queue),
            jobs: Arc::new(Mutex::new(jobs)),
            idle: Arc::new(AtomicUsize::new(0)),
        }
    })
}

impl Pool {
    /// Hands a job to an idle thread, reserving it atomically (so two callers never both
    /// count on the same one), or starts a thread whose first job it is.
    fn submit(&self, job: Job) -> Result<(), String> {
        let reserved = self
            .idle
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if reserved {
            return self
                .queue
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .send(job)
                .map_err(|_| "the drawing threads are gone".to_string());
        }
        let jobs = Arc::clone(&self.jobs);
        let idle = Arc::clone(&self.idle);
        std::thread::Builder::new()
            .name("designdoc-diagram".to_string())
            .stack_size(STACK_BYTES)
            .spawn(move || {
                job();
                loop {
                    // Idle until a caller reserves this thread and sends it a job.
                    idle.fetch_add(1, Ordering::SeqCst);
                    // A poisoned lock only means another drawing thread panicked while
                    // waiting; the queue itself is intact.
                    let next = jobs.lock().unwrap_or_else(|p| p.into_inner()).recv();
                    match next {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                }
            })
            .map(|_| ())
            .map_err(|e| format!("cannot start a drawing thread: {e}"))
    }
}

/// Stack for a drawing thread. Nesting is bounded before drawing; this leaves a wide
/// margin for the library's recursion at that bound. Reserved, not committed: untouched
/// pages cost no memory.
const STACK_BYTES: usize = 256 * 1024 * 1024;

/// Abandoned drawings still running. Above [`MAX_ABANDONED`] new drawings are refused.
static ABANDONED: AtomicUsize = AtomicUsize::new(0);
const MAX_ABANDONED: usize = 2;

const RUNNING: u8 = 0;
const DONE: u8 = 1;
const GAVE_UP: u8 = 2;

/// Why a drawing has no result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overrun {
    /// It did not finish within the budget (and was abandoned).
    Time(Duration),
    /// It went over its memory budget and was stopped.
    Memory(usize),
    /// Earlier drawings overran and still run; nothing new is started.
    Busy,
    /// The thread could not be started, or the drawing panicked.
    Failed(String),
}

/// How many abandoned drawings are still running (for metrics and tests).
pub fn abandoned() -> usize {
    ABANDONED.load(Ordering::SeqCst)
}

/// Runs `work` on a drawing thread and waits at most `budget` for it.
pub fn run<T: Send + 'static>(
    budget: Duration,
    memory_budget: usize,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Overrun> {
    if ABANDONED.load(Ordering::SeqCst) >= MAX_ABANDONED || memory::parked() >= memory::MAX_PARKED {
        return Err(Overrun::Busy);
    }
    let state = Arc::new(AtomicU8::new(RUNNING));
    let (send, receive) = mpsc::sync_channel(1);
    let thread_state = Arc::clone(&state);
    pool()
        .submit(Box::new(move || {
            // Given up on while it waited: the work is not wanted any more.
            if thread_state.load(Ordering::SeqCst) == GAVE_UP {
                ABANDONED.fetch_sub(1, Ordering::SeqCst);
                return;
            }
            memory::start(memory_budget, &thread_state);
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
            memory::stop();
            if thread_state
                .compare_exchange(RUNNING, DONE, Ordering::SeqCst, Ordering::SeqCst)
                .is_err()
            {
                // The caller gave up on us: nobody waits for the result.
                ABANDONED.fetch_sub(1, Ordering::SeqCst);
                return;
            }
            // The caller is waiting (it has not given up), so the send succeeds; were the
            // receiver gone, nobody would need the result.
            send.send(result).ok();
        }))
        .map_err(Overrun::Failed)?;
    // Waited for in short steps, so a drawing stopped for memory is reported at once.
    let deadline = std::time::Instant::now() + budget;
    let received = loop {
        let step = deadline
            .saturating_duration_since(std::time::Instant::now())
            .min(Duration::from_millis(25));
        match receive.recv_timeout(step) {
            Err(mpsc::RecvTimeoutError::Timeout) if std::time::Instant::now() < deadline => {
                if state.load(Ordering::SeqCst) == memory::TRIPPED {
                    return Err(Overrun::Memory(memory_budget));
                }
            }
            other => break other,
        }
    };
    if state.load(Ordering::SeqCst) == memory::TRIPPED {
        return Err(Overrun::Memory(memory_budget));
    }
    match received {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(_)) => Err(Overrun::Failed("the drawing library panicked".to_string())),
        Err(_) => {
            // Counted before it is marked, so the thread's own decrement (once it sees the
            // mark) can never come first and wrap the count.
            ABANDONED.fetch_add(1, Ordering::SeqCst);
            if state
                .compare_exchange(RUNNING, GAVE_UP, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
            {
                return Err(Overrun::Time(budget));
            }
            ABANDONED.fetch_sub(1, Ordering::SeqCst);
            // Stopped for memory just now (it will never send), or finished just as the
            // budget ran out (the result is on its way).
            if state.load(Ordering::SeqCst) == memory::TRIPPED {
                return Err(Overrun::Memory(memory_budget));
            }
            match receive.recv() {
                Ok(Ok(value)) => Ok(value),
                _ => Err(Overrun::Failed("the drawing library panicked".to_string())),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_and_deep_recursion_fits() {
        // Each frame holds a 256-byte buffer the optimiser cannot drop: 100,000 frames
        // need ~25 MiB of stack, far beyond a default thread's 2 MiB.
        fn depth(n: u64) -> u64 {
            let pad = std::hint::black_box([n as u8; 256]);
            if n == 0 {
                u64::from(pad[0] == u8::MAX)
            } else {
                1 + depth(n - 1)
            }
        }
        assert_eq!(run(Duration::from_secs(5), 0, || depth(100_000)), Ok(100_000));
    }

    #[test]
    fn panics_are_failures_not_crashes() {
        let r: Result<(), _> = run(Duration::from_secs(5), 0, || panic!("boom"));
        assert_eq!(r, Err(Overrun::Failed("the drawing library panicked".to_string())));
    }

    #[test]
    fn overruns_are_abandoned_and_bounded() {
        let before = abandoned();
        let r = run(Duration::from_millis(20), 0, || {
            std::thread::sleep(Duration::from_millis(400))
        });
        assert_eq!(r, Err(Overrun::Time(Duration::from_millis(20))));
        assert!(abandoned() > before);
        // Once the sleeper ends it is no longer counted.
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while abandoned() > before && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(abandoned(), before);
    }
}
