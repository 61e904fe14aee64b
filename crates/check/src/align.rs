//! Alignment: which document section plays which template section.
//!
//! Matching is by tolerant key (see `designdoc_model::heading_key`) and aliases, not by
//! heading level, so numbered, emoji-prefixed or re-levelled headings still match. It runs
//! in two phases: first each template section is looked for among the children of its
//! parent's match; then sections still missing are looked for anywhere in the document,
//! where a hit is a "found at another level" finding rather than a missing one.

use crate::schema::{Schema, SectionSpec};
use designdoc_model::Document;

/// One template section and the document sections that play it.
#[derive(Debug)]
pub struct SpecMatch<'s> {
    pub spec: &'s SectionSpec,
    /// Index of the parent's entry in `Alignment::entries`.
    pub parent_entry: Option<usize>,
    /// The parent document section these instances were looked for under.
    pub parent_section: Option<usize>,
    /// Matching document sections (several for a repeatable section).
    pub instances: Vec<usize>,
    /// Instances that were found outside their expected parent.
    pub wrong_level: Vec<usize>,
}

#[derive(Debug)]
pub struct OutOfOrder {
    pub section: usize,
    pub after: Option<String>,
    pub before: Option<String>,
}

#[derive(Debug, Default)]
pub struct Alignment<'s> {
    /// The document's title heading (a single leading `#`), if any.
    pub title_section: Option<usize>,
    /// Heading level the document uses for top sections.
    pub top_level: u8,
    pub entries: Vec<SpecMatch<'s>>,
    pub out_of_order: Vec<OutOfOrder>,
    /// Document sections that play no template section (their subsections excluded).
    pub unexpected: Vec<usize>,
    taken: Vec<bool>,
}

impl<'s> Alignment<'s> {
    /// The entry has a match itself or somewhere below it.
    pub fn found_anywhere(&self, entry: usize) -> bool {
        if !self.entries[entry].instances.is_empty() {
            return true;
        }
        self.entries
            .iter()
            .enumerate()
            .any(|(i, e)| e.parent_entry == Some(entry) && self.found_anywhere(i))
    }

    /// Entries that are children of `entry` and belong to `instance`.
    pub fn children_of(&self, entry: Option<usize>) -> impl Iterator<Item = (usize, &SpecMatch<'s>)> {
        self.entries
            .iter()
            .enumerate()
            .filter(move |(_, e)| e.parent_entry == entry)
    }

    pub fn is_taken(&self, section: usize) -> bool {
        self.taken.get(section).copied().unwrap_or(false)
    }
}

pub fn align<'s>(doc: &Document, schema: &'s Schema) -> Alignment<'s> {
    let mut a = Alignment {
        taken: vec![false; doc.sections.len()],
        ..Alignment::default()
    };
    let roots = &doc.roots;
    let mut top: Vec<usize> = roots.clone();
    if let Some(&first) = roots.first() {
        let first_sec = &doc.sections[first];
        let single_h1 = roots.iter().filter(|&&i| doc.sections[i].level == 1).count() == 1;
        let plays_a_section = schema.sections.iter().any(|s| s.matches_key(&first_sec.key));
        if first_sec.level == 1 && (single_h1 || !plays_a_section) {
            a.title_section = Some(first);
            a.taken[first] = true;
            top = first_sec.children.clone();
            top.extend(roots.iter().skip(1));
        }
    }
    a.top_level = top.first().map_or(schema.top_level, |&i| doc.sections[i].level);
    let all_keys: Vec<&str> = schema
        .walk()
        .iter()
        .flat_map(|s| std::iter::once(s.key.as_str()).chain(s.aliases.iter().map(String::as_str)))
        .collect();
    let mut missing: Vec<usize> = Vec::new();
    align_level(doc, &schema.sections, &top, None, None, &all_keys, &mut a, &mut missing);
    // Phase 2: look for still-missing sections anywhere.
    let mut k = 0;
    while k < missing.len() {
        let entry = missing[k];
        k += 1;
        let spec = a.entries[entry].spec;
        let found = (0..doc.sections.len()).find(|&i| !a.taken[i] && spec.matches_key(&doc.sections[i].key));
        match found {
            Some(section) => {
                a.taken[section] = true;
                a.entries[entry].instances.push(section);
                a.entries[entry].wrong_level.push(section);
                let children = doc.sections[section].children.clone();
                align_level(
                    doc,
                    &spec.children,
                    &children,
                    Some(entry),
                    Some(section),
                    &all_keys,
                    &mut a,
                    &mut missing,
                );
            }
            None => {
                let parent_section = a.entries[entry].parent_section;
                align_level(
                    doc,
                    &spec.children,
                    &[],
                    Some(entry),
                    parent_section,
                    &all_keys,
                    &mut a,
                    &mut missing,
                );
            }
        }
    }
    // Unexpected: untaken sections whose parent is taken (or that are top-level).
    for (i, s) in doc.sections.iter().enumerate() {
        if a.taken[i] {
            continue;
        }
        let parent_taken = s.parent.is_none_or(|p| a.taken[p]);
        if parent_taken {
            a.unexpected.push(i);
        }
    }
    a
}

#[allow(clippy::too_many_arguments)]
fn align_level<'s>(
    doc: &Document,
    specs: &'s [SectionSpec],
    candidates: &[usize],
    parent_entry: Option<usize>,
    parent_section: Option<usize>,
    all_keys: &[&str],
    a: &mut Alignment<'s>,
    missing: &mut Vec<usize>,
) {
    let first_entry = a.entries.len();
    for spec in specs {
        a.entries.push(SpecMatch {
            spec,
            parent_entry,
            parent_section,
            instances: Vec::new(),
            wrong_level: Vec::new(),
        });
    }
    let key = |i: usize| doc.sections[i].key.as_str();
    // Pass A: exact key or alias.
    for (j, spec) in specs.iter().enumerate() {
        if spec.repeat.is_some() {
            continue;
        }
        if let Some(&c) = candidates.iter().find(|&&c| !a.taken[c] && spec.matches_key(key(c))) {
            a.taken[c] = true;
            a.entries[first_entry + j].instances.push(c);
        }
    }
    // Pass B: the heading starts with the key ("Data Model and Storage").
    for (j, spec) in specs.iter().enumerate() {
        if spec.repeat.is_some() || !a.entries[first_entry + j].instances.is_empty() {
            continue;
        }
        let starts = |k: &str| {
            std::iter::once(spec.key.as_str())
                .chain(spec.aliases.iter().map(String::as_str))
                .any(|name| k.len() > name.len() && k.starts_with(name) && k.as_bytes()[name.len()] == b' ')
        };
        if let Some(&c) = candidates.iter().find(|&&c| !a.taken[c] && starts(key(c))) {
            a.taken[c] = true;
            a.entries[first_entry + j].instances.push(c);
        }
    }
    // Pass C: repeatable sections by stem ("Phase 3: Rollout").
    for (j, spec) in specs.iter().enumerate() {
        let Some(repeat) = &spec.repeat else { continue };
        for &c in candidates {
            let k = key(c);
            let by_stem =
                k == repeat.stem || (k.starts_with(&repeat.stem) && k.as_bytes().get(repeat.stem.len()) == Some(&b' '));
            if !a.taken[c] && by_stem {
                a.taken[c] = true;
                a.entries[first_entry + j].instances.push(c);
            }
        }
    }
    // Pass D: a lone repeatable section takes the remaining siblings, unless they name
    // another template section (a misplaced one).
    let repeatables: Vec<usize> = (0..specs.len()).filter(|&j| specs[j].repeat.is_some()).collect();
    if let [j] = repeatables[..] {
        for &c in candidates {
            if !a.taken[c] && !all_keys.contains(&key(c)) {
                a.taken[c] = true;
                a.entries[first_entry + j].instances.push(c);
            }
        }
        a.entries[first_entry + j].instances.sort_unstable();
    }
    // Order: the longest run of matches already in template order stays; others move.
    let placed: Vec<(usize, usize)> = (0..specs.len())
        .filter_map(|j| a.entries[first_entry + j].instances.first().map(|&s| (j, s)))
        .collect();
    let keep = longest_increasing(
        &placed
            .iter()
            .map(|&(_, s)| doc.sections[s].heading_span.start)
            .collect::<Vec<_>>(),
    );
    for (p, &(j, section)) in placed.iter().enumerate() {
        if keep.contains(&p) {
            continue;
        }
        let after = keep
            .iter()
            .rev()
            .find(|&&q| placed[q].0 < j)
            .map(|&q| specs[placed[q].0].title.clone());
        let before = keep
            .iter()
            .find(|&&q| placed[q].0 > j)
            .map(|&q| specs[placed[q].0].title.clone());
        a.out_of_order.push(OutOfOrder { section, after, before });
    }
    // Recurse into matched instances; remember missing ones for phase 2.
    for (j, spec) in specs.iter().enumerate() {
        let entry = first_entry + j;
        let instances = a.entries[entry].instances.clone();
        if instances.is_empty() {
            missing.push(entry);
        }
        for inst in instances {
            let children = doc.sections[inst].children.clone();
            align_level(
                doc,
                &spec.children,
                &children,
                Some(entry),
                Some(inst),
                all_keys,
                a,
                missing,
            );
        }
    }
}

/// Indices of one longest strictly increasing subsequence of `values`.
fn longest_increasing(values: &[usize]) -> Vec<usize> {
    let n = values.len();
    let mut len = vec![1usize; n];
    let mut prev = vec![usize::MAX; n];
    for i in 0..n {
        for j in 0..i {
            if values[j] < values[i] && len[j] + 1 > len[i] {
                len[i] = len[j] + 1;
                prev[i] = j;
            }
        }
    }
    let Some(mut best) = (0..n).max_by_key(|&i| (len[i], std::cmp::Reverse(i))) else {
        return Vec::new();
    };
    let mut out = vec![best];
    while prev[best] != usize::MAX {
        best = prev[best];
        out.push(best);
    }
    out.reverse();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lis() {
        assert_eq!(longest_increasing(&[1, 2, 3]), vec![0, 1, 2]);
        assert_eq!(longest_increasing(&[2, 1, 3]).len(), 2);
        assert_eq!(longest_increasing(&[10, 1, 2, 3]), vec![1, 2, 3]);
        assert!(longest_increasing(&[]).is_empty());
    }
}
