//! Test support: reading our SVG back into geometry and checking its structure.

pub mod geometry;
pub mod svg;
