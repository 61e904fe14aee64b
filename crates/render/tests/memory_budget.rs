//! The memory budget of drawings, with the budgeted allocator installed as the binary
//! installs it: a drawing that allocates more than its budget is stopped at once (its
//! thread parked, the caller told "too large") and the process goes on drawing others.

use designdoc_render::diagram::{Budgeted, DiagramLimits, drawings_stopped_for_memory};
use designdoc_render::{DiagramError, render_svg, render_svg_with};
use std::time::{Duration, Instant};

#[global_allocator]
static GLOBAL: Budgeted<std::alloc::System> = Budgeted(std::alloc::System);

#[test]
fn a_drawing_over_its_memory_budget_is_stopped_and_others_go_on() {
    // Within every structural bound (490 edges: Mermaid allows 500), but more than 256 KiB to
    // lay out.
    let edges: String = (0..490)
        .map(|i| format!("  N{} --> N{}\n", i % 400, (i * 7 + 1) % 400))
        .collect();
    let big = format!("graph TD\n{edges}");
    let limits = DiagramLimits {
        max_memory_bytes: 256 * 1024,
        time: Duration::from_secs(30),
        ..DiagramLimits::default()
    };
    let started = Instant::now();
    let result = render_svg_with(&big, &limits);
    match &result {
        Err(DiagramError::TooLarge(m)) => assert!(m.contains("of memory"), "{m}"),
        other => panic!("not stopped for memory: {:?}", other.as_ref().map(String::len)),
    }
    // Reported when the budget trips, not when the 30 s time budget ends.
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    assert_eq!(drawings_stopped_for_memory(), 1);
    // The same diagram under the default memory budget (and a time budget a debug build
    // needs: ~40 ms in release), and the seed diagram, still draw.
    let drawn = render_svg_with(
        &big,
        &DiagramLimits {
            time: Duration::from_secs(30),
            ..DiagramLimits::default()
        },
    );
    assert!(drawn.is_ok(), "{:?}", drawn.err());
    assert!(render_svg("graph TD\n  A --> B\n").is_ok());
}
