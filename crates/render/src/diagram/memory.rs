//! A memory budget for drawings. The bounds in `limits` stop the inputs we know to cost
//! more than their size; this stops the ones we do not know yet. [`Budgeted`] wraps the
//! program's global allocator and counts what a drawing thread allocates while a drawing
//! runs; a drawing that goes over its budget is stopped inside the allocator: its thread
//! parks for good (it cannot be unwound from there), holding no more than the budget, and
//! the caller is told at once. Parked threads are counted; past a few, no new drawing
//! starts (the hub keeps serving; diagrams show as source until it restarts).
//!
//! The binary installs it: `#[global_allocator] static A: Budgeted<MiMalloc> = ...`.
//! Without it (in a library user's program) drawings still have their time budget.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};

/// What one thread is allowed and has used. `limit == 0`: not counting.
#[derive(Clone, Copy)]
struct Account {
    used: usize,
    limit: usize,
}

thread_local! {
    static ACCOUNT: Cell<Account> = const { Cell::new(Account { used: 0, limit: 0 }) };
    /// The state of the job running on this thread, where "over budget" is said (a raw
    /// pointer: see `start`).
    static JOB: Cell<*const AtomicU8> = const { Cell::new(std::ptr::null()) };
}

/// Drawings stopped for memory, their threads parked for good.
static PARKED: AtomicUsize = AtomicUsize::new(0);

/// Parked drawings after which no new drawing starts.
pub const MAX_PARKED: usize = 4;

/// How many drawings were stopped for memory.
pub fn parked() -> usize {
    PARKED.load(Ordering::SeqCst)
}

/// Starts counting this thread's allocations against `limit` bytes; over it, `job` is
/// set to `tripped` and the thread parks. The caller must keep `job` alive until
/// [`stop`] (the worker holds it in the job's closure, which also lives on while the thread
/// is parked).
pub(crate) fn start(limit: usize, job: &AtomicU8) {
    ACCOUNT.with(|a| a.set(Account { used: 0, limit }));
    JOB.with(|j| j.set(job as *const AtomicU8));
}

/// Stops counting this thread's allocations.
pub(crate) fn stop() {
    ACCOUNT.with(|a| a.set(Account { used: 0, limit: 0 }));
    JOB.with(|j| j.set(std::ptr::null()));
}

/// The job state a tripped budget is reported with.
pub(crate) const TRIPPED: u8 = 3;

/// Counts `grow` more bytes; over the budget, parks the thread for good.
fn charge(grow: usize) {
    // `try_with`: during thread teardown the slots may be gone; then nothing is counted.
    let over = ACCOUNT
        .try_with(|a| {
            let mut acc = a.get();
            if acc.limit == 0 {
                return false;
            }
            acc.used = acc.used.saturating_add(grow);
            let over = acc.used > acc.limit;
            if over {
                // Stop counting first: what parking itself allocates must not recurse.
                acc.limit = 0;
            }
            a.set(acc);
            over
        })
        .unwrap_or(false);
    if over {
        let job = JOB.try_with(Cell::get).unwrap_or(std::ptr::null());
        PARKED.fetch_add(1, Ordering::SeqCst);
        // SAFETY: `start` was given a reference the worker keeps alive until `stop`, and
        // this thread never gets to `stop`: it parks below, inside the job.
        if let Some(state) = unsafe { job.as_ref() } {
            state.store(TRIPPED, Ordering::SeqCst);
        }
        loop {
            std::thread::park();
        }
    }
}

fn credit(shrink: usize) {
    // Best effort: the thread's own frees while a drawing runs.
    ACCOUNT
        .try_with(|a| {
            let mut acc = a.get();
            if acc.limit != 0 {
                acc.used = acc.used.saturating_sub(shrink);
                a.set(acc);
            }
        })
        .ok();
}

/// A global allocator that enforces drawing budgets on top of `A`.
pub struct Budgeted<A>(pub A);

// SAFETY: every method forwards to the inner allocator with the caller's arguments
// unchanged; the accounting around it only reads and writes thread-local cells and
// atomics, which do not allocate, and never unwinds (an over-budget thread parks).
unsafe impl<A: GlobalAlloc> GlobalAlloc for Budgeted<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        charge(layout.size());
        // SAFETY: forwarded as is; the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { self.0.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        charge(layout.size());
        // SAFETY: as for `alloc`.
        unsafe { self.0.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        credit(layout.size());
        // SAFETY: `ptr` came from this allocator with `layout` (the caller's contract).
        unsafe { self.0.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            charge(new_size - layout.size());
        } else {
            credit(layout.size() - new_size);
        }
        // SAFETY: as for `dealloc`, and `new_size` is the caller's valid new size.
        unsafe { self.0.realloc(ptr, layout, new_size) }
    }
}
