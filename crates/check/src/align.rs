//! Alignment: which document section plays which template section.
//!
//! Matching is by tolerant key (see `designdoc_model::heading_key`) and aliases, not by
//! heading level, so numbered, emoji-prefixed or re-levelled headings still match. It runs
//! in two phases: first each template section is looked for among the children of its
//! parent's match (exact names, then word forms and small rewordings, see
//! `crate::matching`, then by its subsections); then sections still missing are looked
//! for anywhere in the document with the same matching, where a hit is a "found at
//! another level" finding rather than a missing one, and then as bold lead-ins
//! (`**Rollout plan**`). Template headings swallowed by an unclosed code fence are
//! recorded so that one finding at the fence replaces a missing section per heading.

use crate::matching::{self, Strength};
use crate::schema::{NameWords, Schema, SectionSpec};
use designdoc_model::{BlockKind, Document, Span, heading_key};

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
    /// No heading plays the section, but a bold lead-in names it (`**Rollout plan**`,
    /// `* **Security:** ...`): the span of the bold text.
    pub lead_in: Option<Span>,
    /// No heading plays the section, but a heading line naming it sits inside an
    /// unclosed code fence (see [`Alignment::unclosed_fence`]).
    pub swallowed: bool,
    /// Position of `spec` in `Schema::walk`.
    walk_index: usize,
}

#[derive(Debug)]
pub struct OutOfOrder {
    pub section: usize,
    pub after: Option<String>,
    pub before: Option<String>,
}

/// A fenced code block that is never closed and runs to the end of the document, with
/// the lines inside it that read as headings of the template.
#[derive(Debug)]
pub struct UnclosedFence {
    /// Index into `Document::blocks`.
    pub block: usize,
    /// The opening fence line.
    pub span: Span,
    /// Heading lines inside the block that name template sections: line span, text.
    pub headings: Vec<(Span, String)>,
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
    /// An unclosed fence that swallows headings of the template.
    pub unclosed_fence: Option<UnclosedFence>,
    /// Document heading level minus template heading level, as most sections matched in
    /// place have it (`None` when nothing matched in place).
    pub level_offset: Option<i32>,
    taken: Vec<bool>,
}

impl<'s> Alignment<'s> {
    /// The entry has a match itself (a heading, a bold lead-in, a heading swallowed by an
    /// unclosed fence) or somewhere below it.
    pub fn found_anywhere(&self, entry: usize) -> bool {
        let e = &self.entries[entry];
        if !e.instances.is_empty() || e.lead_in.is_some() || e.swallowed {
            return true;
        }
        self.entries
            .iter()
            .enumerate()
            .any(|(i, e)| e.parent_entry == Some(entry) && self.found_anywhere(i))
    }

    /// The entry or one of its ancestors is written as a bold lead-in: its parts are
    /// not asked for as headings.
    pub fn under_lead_in(&self, entry: usize) -> bool {
        let mut at = Some(entry);
        // Parents come before children in `entries`, so this walk ends.
        while let Some(i) = at {
            if self.entries[i].lead_in.is_some() {
                return true;
            }
            at = self.entries[i].parent_entry.filter(|&p| p < i);
        }
        false
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

    /// The heading level a missing entry should have in this document: the level its
    /// placed siblings use, else one below its parent's heading, else the template's
    /// level shifted by the document's own offset (a document whose sections are `#`
    /// is not told to add `####`).
    pub fn expected_level(&self, doc: &Document, entry: usize) -> u8 {
        let e = &self.entries[entry];
        let sibling_levels = self
            .entries
            .iter()
            .filter(|o| o.parent_entry == e.parent_entry && o.parent_section == e.parent_section)
            .flat_map(|o| o.instances.iter().filter(|s| !o.wrong_level.contains(s)))
            .map(|&s| doc.sections[s].level);
        let level = if let Some(l) = mode(sibling_levels) {
            i32::from(l)
        } else if let Some(p) = e.parent_section {
            i32::from(doc.sections[p].level) + 1
        } else if let Some(offset) = self.level_offset {
            i32::from(e.spec.level) + offset
        } else {
            i32::from(self.top_level) + i32::try_from(e.spec.depth).unwrap_or(0)
        };
        level.clamp(1, 6) as u8
    }
}

/// The most common value (the smallest on ties).
fn mode<T: Ord + Copy>(values: impl Iterator<Item = T>) -> Option<T> {
    let mut v: Vec<T> = values.collect();
    v.sort_unstable();
    let mut best: Option<(T, usize)> = None;
    let mut i = 0;
    while i < v.len() {
        let run = v[i..].iter().take_while(|&&x| x == v[i]).count();
        if best.is_none_or(|(_, n)| run > n) {
            best = Some((v[i], run));
        }
        i += run;
    }
    best.map(|(x, _)| x)
}

/// Tolerant name comparisons allowed per document; beyond it only exact names match. Keeps
/// a pathological document (thousands of headings) linear.
const COMPARISON_BUDGET: usize = 40_000;

/// Bold lead-ins considered per document.
const MAX_LEAD_INS: usize = 2_000;

/// Everything one alignment works with.
struct Aligner<'d, 's> {
    doc: &'d Document,
    source: &'d str,
    walk: Vec<&'s SectionSpec>,
    names: std::borrow::Cow<'s, NameWords>,
    /// Content words of each document heading, computed when first compared.
    words: Vec<Option<Vec<String>>>,
    budget: usize,
    lead_ins: Option<Vec<LeadIn>>,
    all_keys: Vec<&'s str>,
    a: Alignment<'s>,
    missing: Vec<usize>,
}

#[derive(Debug)]
struct LeadIn {
    span: Span,
    key: String,
    words: Vec<String>,
    taken: bool,
}

pub fn align<'s>(doc: &Document, schema: &'s Schema) -> Alignment<'s> {
    align_source(doc, "", schema)
}

/// [`align`] with the document's source, which bold lead-ins and unclosed fences are
/// read from (without it, neither is looked for).
pub fn align_source<'s>(doc: &Document, source: &str, schema: &'s Schema) -> Alignment<'s> {
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
    let walk = schema.walk();
    let all_keys: Vec<&str> = walk
        .iter()
        .flat_map(|s| std::iter::once(s.key.as_str()).chain(s.aliases.iter().map(String::as_str)))
        .collect();
    let mut al = Aligner {
        doc,
        source,
        names: schema.name_words(),
        walk,
        words: vec![None; doc.sections.len()],
        budget: COMPARISON_BUDGET,
        lead_ins: None,
        all_keys,
        a,
        missing: Vec::new(),
    };
    al.align_level(&schema.sections, &top, None, None);
    // Phase 2: look for still-missing sections anywhere.
    let mut k = 0;
    while k < al.missing.len() {
        let entry = al.missing[k];
        k += 1;
        al.find_elsewhere(entry);
    }
    al.find_swallowed();
    let mut a = al.a;
    a.level_offset = mode(a.entries.iter().flat_map(|e| {
        e.instances
            .iter()
            .filter(|s| !e.wrong_level.contains(s))
            .map(|&s| i32::from(doc.sections[s].level) - i32::from(e.spec.level))
    }));
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

/// `key` is `stem` or starts with it and a space ("phase 3 rollout" for "phase").
fn by_stem(key: &str, stem: &str) -> bool {
    key == stem || (key.starts_with(stem) && key.as_bytes().get(stem.len()) == Some(&b' '))
}

impl<'d, 's> Aligner<'d, 's> {
    fn key(&self, section: usize) -> &'d str {
        self.doc.sections[section].key.as_str()
    }

    fn section_words(&mut self, section: usize) -> Vec<String> {
        let doc = self.doc;
        self.words[section]
            .get_or_insert_with(|| matching::words(&doc.sections[section].key))
            .clone()
    }

    fn walk_index(&self, spec: &SectionSpec) -> usize {
        self.walk.iter().position(|s| std::ptr::eq(*s, spec)).unwrap_or(0)
    }

    /// How well a heading (its key and words) plays the section at `walk_index`: the
    /// best over the section's names. The word-prefix reading ("Data Model and Storage"
    /// plays "Data Model") holds for the key and for aliases of two words or more, so
    /// "Data Flow" does not play "Data Model" through its alias "data".
    fn strength(&mut self, walk_index: usize, key: &str, heading: &[String]) -> Option<Strength> {
        if self.budget == 0 {
            return None;
        }
        let names = self.names.get(walk_index)?;
        self.budget = self.budget.saturating_sub(names.len());
        let spec = self.walk.get(walk_index)?;
        let mut best = None;
        for (i, (words, is_key)) in names.iter().enumerate() {
            let name = if i == 0 {
                spec.key.as_str()
            } else {
                spec.aliases.get(i - 1).map_or("", String::as_str)
            };
            let prefix =
                !name.is_empty() && key.len() > name.len() && by_stem(key, name) && (*is_key || name.contains(' '));
            let compared = matching::compare(words, heading, *is_key);
            let s = if prefix {
                compared.max(Some(Strength::Leading))
            } else {
                compared
            };
            best = best.max(s);
        }
        best
    }

    /// A heading that names a template section outside `siblings` exactly is that
    /// section's, not a loose reading of one of these.
    fn names_other_exactly(&self, key: &str, siblings: &[SectionSpec]) -> bool {
        self.all_keys.contains(&key) && !siblings.iter().any(|s| s.matches_key(key))
    }

    fn align_level(
        &mut self,
        specs: &'s [SectionSpec],
        candidates: &[usize],
        parent_entry: Option<usize>,
        parent_section: Option<usize>,
    ) {
        let first_entry = self.a.entries.len();
        for spec in specs {
            let walk_index = self.walk_index(spec);
            self.a.entries.push(SpecMatch {
                spec,
                parent_entry,
                parent_section,
                instances: Vec::new(),
                wrong_level: Vec::new(),
                lead_in: None,
                swallowed: false,
                walk_index,
            });
        }
        // Pass A: exact key or alias.
        for (j, spec) in specs.iter().enumerate() {
            if spec.repeat.is_some() {
                continue;
            }
            if let Some(&c) = candidates
                .iter()
                .find(|&&c| !self.a.taken[c] && spec.matches_key(self.key(c)))
            {
                self.a.taken[c] = true;
                self.a.entries[first_entry + j].instances.push(c);
            }
        }
        // Pass B: word forms, rewordings, longer headings ("Data Model and Storage").
        self.tolerant_pass(specs, candidates, first_entry);
        // Pass C: repeatable sections by stem ("Phase 3: Rollout").
        for (j, spec) in specs.iter().enumerate() {
            let Some(repeat) = &spec.repeat else { continue };
            for &c in candidates {
                if !self.a.taken[c] && by_stem(self.key(c), &repeat.stem) {
                    self.a.taken[c] = true;
                    self.a.entries[first_entry + j].instances.push(c);
                }
            }
        }
        // Pass D: a lone repeatable section takes the remaining siblings, unless they name
        // another template section (a misplaced one).
        let repeatables: Vec<usize> = (0..specs.len()).filter(|&j| specs[j].repeat.is_some()).collect();
        if let [j] = repeatables[..] {
            for &c in candidates {
                if !self.a.taken[c] && !self.all_keys.contains(&self.key(c)) {
                    self.a.taken[c] = true;
                    self.a.entries[first_entry + j].instances.push(c);
                }
            }
            self.a.entries[first_entry + j].instances.sort_unstable();
        }
        // Pass E: an unnamed section whose subsections are this section's ("Technical
        // Approach" holding Components and Data Model plays System Design).
        self.by_children(specs, candidates, first_entry);
        self.order(specs, first_entry);
        // Recurse into matched instances; remember missing ones for phase 2.
        for (j, spec) in specs.iter().enumerate() {
            let entry = first_entry + j;
            let instances = self.a.entries[entry].instances.clone();
            if instances.is_empty() {
                self.missing.push(entry);
            }
            for inst in instances {
                let children = self.doc.sections[inst].children.clone();
                self.align_level(&spec.children, &children, Some(entry), Some(inst));
            }
        }
    }

    /// Matches untaken candidates with unmatched sections by [`matching`], strongest
    /// readings first; a heading that reads equally well as two sections of this level
    /// plays neither.
    fn tolerant_pass(&mut self, specs: &'s [SectionSpec], candidates: &[usize], first_entry: usize) {
        let open =
            |al: &Self, j: usize| specs[j].repeat.is_none() && al.a.entries[first_entry + j].instances.is_empty();
        if !(0..specs.len()).any(|j| open(self, j)) {
            return;
        }
        let mut proposals: Vec<(Strength, usize, usize)> = Vec::new();
        for (pos, &c) in candidates.iter().enumerate() {
            if self.a.taken[c] || self.budget == 0 {
                continue;
            }
            let key = self.key(c);
            if self.names_other_exactly(key, specs) {
                continue;
            }
            let heading = self.section_words(c);
            let mut best: Option<(Strength, usize)> = None;
            let mut tie = false;
            for (j, spec) in specs.iter().enumerate() {
                if spec.repeat.is_some() {
                    continue;
                }
                let walk_index = self.a.entries[first_entry + j].walk_index;
                let Some(s) = self.strength(walk_index, key, &heading) else {
                    continue;
                };
                match best {
                    Some((b, _)) if s < b => {}
                    Some((b, _)) if s == b => tie = true,
                    _ => {
                        best = Some((s, j));
                        tie = false;
                    }
                }
            }
            if let Some((s, j)) = best
                && !tie
                && open(self, j)
            {
                proposals.push((s, pos, j));
            }
        }
        proposals.sort_by_key(|&(s, pos, _)| (std::cmp::Reverse(s), pos));
        for (_, pos, j) in proposals {
            let c = candidates[pos];
            if !self.a.taken[c] && open(self, j) {
                self.a.taken[c] = true;
                self.a.entries[first_entry + j].instances.push(c);
            }
        }
    }

    /// Pass E: a section still missing is played by an untaken candidate whose own
    /// subsections name at least two of its subsections (or all, when it has one).
    fn by_children(&mut self, specs: &'s [SectionSpec], candidates: &[usize], first_entry: usize) {
        for (j, spec) in specs.iter().enumerate() {
            if spec.repeat.is_some()
                || spec.children.is_empty()
                || !self.a.entries[first_entry + j].instances.is_empty()
            {
                continue;
            }
            let mut best: Option<(usize, usize)> = None;
            for &c in candidates {
                if self.a.taken[c] || self.doc.sections[c].children.is_empty() || self.budget == 0 {
                    continue;
                }
                if self.all_keys.contains(&self.key(c)) {
                    continue;
                }
                let children = &self.doc.sections[c].children;
                let mut named = 0;
                for child_spec in &spec.children {
                    let walk_index = self.walk_index(child_spec);
                    let mut hit = false;
                    for &d in children.iter().take(64) {
                        let key = self.key(d);
                        hit = if let Some(repeat) = &child_spec.repeat {
                            by_stem(key, &repeat.stem)
                        } else if child_spec.matches_key(key) {
                            true
                        } else {
                            let words = self.section_words(d);
                            self.strength(walk_index, key, &words).is_some()
                        };
                        if hit {
                            break;
                        }
                    }
                    if hit {
                        named += 1;
                    }
                }
                let enough = named >= 2 || (named >= 1 && named == spec.children.len());
                if enough && best.is_none_or(|(_, n)| named > n) {
                    best = Some((c, named));
                }
            }
            if let Some((c, _)) = best {
                self.a.taken[c] = true;
                self.a.entries[first_entry + j].instances.push(c);
            }
        }
    }

    /// The longest run of matches already in template order stays; others move.
    fn order(&mut self, specs: &'s [SectionSpec], first_entry: usize) {
        let placed: Vec<(usize, usize)> = (0..specs.len())
            .filter_map(|j| self.a.entries[first_entry + j].instances.first().map(|&s| (j, s)))
            .collect();
        let keep = longest_increasing(
            &placed
                .iter()
                .map(|&(_, s)| self.doc.sections[s].heading_span.start)
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
            self.a.out_of_order.push(OutOfOrder { section, after, before });
        }
    }

    /// The template section a heading reads as most closely, if no other reads as well.
    fn best_spec_of(&mut self, key: &str, heading: &[String]) -> Option<(usize, Strength)> {
        if let Some(i) = self.walk.iter().position(|s| s.matches_key(key)) {
            return Some((i, Strength::Equal));
        }
        let mut best: Option<(usize, Strength)> = None;
        let mut tie = false;
        for i in 0..self.walk.len() {
            if self.walk[i].repeat.is_some() {
                continue;
            }
            let Some(s) = self.strength(i, key, heading) else {
                continue;
            };
            match best {
                Some((_, b)) if s < b => {}
                Some((_, b)) if s == b => tie = true,
                _ => {
                    best = Some((i, s));
                    tie = false;
                }
            }
        }
        if tie { None } else { best }
    }

    /// Phase 2 for one missing entry: a heading anywhere (exact, then tolerant), else a
    /// bold lead-in; then its subsections are aligned where it was found.
    fn find_elsewhere(&mut self, entry: usize) {
        let spec = self.a.entries[entry].spec;
        let walk_index = self.a.entries[entry].walk_index;
        let n = self.doc.sections.len();
        let mut found = (0..n).find(|&i| !self.a.taken[i] && spec.matches_key(self.key(i)));
        if found.is_none() && spec.repeat.is_none() {
            let mut best: Option<(Strength, usize)> = None;
            for i in 0..n {
                if self.a.taken[i] || self.budget == 0 {
                    continue;
                }
                let key = self.key(i);
                if self.all_keys.contains(&key) {
                    continue;
                }
                let words = self.section_words(i);
                let Some(s) = self.strength(walk_index, key, &words) else {
                    continue;
                };
                if best.is_some_and(|(b, _)| b >= s) {
                    continue;
                }
                // Only if no other template section reads as well.
                if self.best_spec_of(key, &words).is_some_and(|(w, _)| w == walk_index) {
                    best = Some((s, i));
                }
            }
            found = best.map(|(_, i)| i);
        }
        match found {
            Some(section) => {
                self.a.taken[section] = true;
                self.a.entries[entry].instances.push(section);
                // Found by its name where it belongs (the in-place pass may miss a heading
                // that is only a placeholder): not at a wrong level.
                let in_place = self.doc.sections[section].parent == self.a.entries[entry].parent_section;
                if !in_place {
                    self.a.entries[entry].wrong_level.push(section);
                }
                let children = self.doc.sections[section].children.clone();
                self.align_level(&spec.children, &children, Some(entry), Some(section));
            }
            None => {
                if spec.repeat.is_none() {
                    self.a.entries[entry].lead_in = self.find_lead_in(walk_index);
                }
                let parent_section = self.a.entries[entry].parent_section;
                self.align_level(&spec.children, &[], Some(entry), parent_section);
            }
        }
    }

    /// A bold lead-in naming the section at `walk_index`, and no other section as well.
    fn find_lead_in(&mut self, walk_index: usize) -> Option<Span> {
        if self.lead_ins.is_none() {
            self.lead_ins = Some(lead_ins(self.doc, self.source));
        }
        let spec = *self.walk.get(walk_index)?;
        let count = self.lead_ins.as_ref().map_or(0, Vec::len);
        let mut best: Option<(Strength, usize)> = None;
        for l in 0..count {
            let Some((key, words)) = self
                .lead_ins
                .as_ref()
                .and_then(|v| v.get(l))
                .filter(|li| !li.taken)
                .map(|li| (li.key.clone(), li.words.clone()))
            else {
                continue;
            };
            let s = if spec.matches_key(&key) {
                Some(Strength::Equal)
            } else {
                self.strength(walk_index, &key, &words)
            };
            let Some(s) = s else { continue };
            if best.is_some_and(|(b, _)| b >= s) {
                continue;
            }
            if self.best_spec_of(&key, &words).is_some_and(|(w, _)| w == walk_index) {
                best = Some((s, l));
            }
        }
        let (_, l) = best?;
        let li = self.lead_ins.as_mut()?.get_mut(l)?;
        li.taken = true;
        Some(li.span)
    }

    /// Marks missing entries whose heading sits inside an unclosed fence that runs to the
    /// end of the document.
    fn find_swallowed(&mut self) {
        let still_missing = self
            .a
            .entries
            .iter()
            .any(|e| e.instances.is_empty() && e.lead_in.is_none());
        if !still_missing {
            return;
        }
        let Some((block, span, lines)) = unclosed_fence(self.doc, self.source) else {
            return;
        };
        let mut headings = Vec::new();
        for (line_span, text) in lines {
            let key = heading_key(&text);
            let words = matching::words(&key);
            let Some((i, _)) = self.best_spec_of(&key, &words) else {
                continue;
            };
            headings.push((line_span, text));
            for e in &mut self.a.entries {
                if e.walk_index == i && e.instances.is_empty() {
                    e.swallowed = true;
                }
            }
        }
        if !headings.is_empty() {
            self.a.unclosed_fence = Some(UnclosedFence { block, span, headings });
        }
    }
}

/// Bold text that opens a paragraph or list item and reads as a heading:
/// `**Rollout plan**` alone, `**Security:** text`, `* **How is it rolled back?** text`.
fn lead_ins(doc: &Document, source: &str) -> Vec<LeadIn> {
    let mut out = Vec::new();
    if source.is_empty() {
        return out;
    }
    for block in &doc.blocks {
        if block.quoted || out.len() >= MAX_LEAD_INS {
            continue;
        }
        match &block.kind {
            BlockKind::Paragraph(_) => out.extend(lead_in_at(source, block.span, false)),
            BlockKind::List(list) => {
                for item in list.items.iter().filter(|it| it.depth <= 1).take(MAX_LEAD_INS) {
                    out.extend(lead_in_at(source, item.span, true));
                }
            }
            _ => {}
        }
    }
    out
}

fn lead_in_at(source: &str, span: Span, item: bool) -> Option<LeadIn> {
    let text = source.get(span.start..span.end)?;
    let mut t = text.trim_start();
    if item {
        t = strip_item_marker(t)?;
    }
    let delim = if t.starts_with("**") {
        "**"
    } else if t.starts_with("__") {
        "__"
    } else {
        return None;
    };
    let rest = &t[2..];
    let end = rest.find(delim)?;
    let inner = &rest[..end];
    if inner.trim().is_empty() || inner.len() > 120 || inner.contains('\n') {
        return None;
    }
    let after = &rest[end + 2..];
    let first_line_after = after.split('\n').next().unwrap_or("").trim();
    let inner_t = inner.trim();
    let reads_as_heading = first_line_after.is_empty()
        || inner_t.ends_with([':', '?', '.', '：', '？'])
        || first_line_after.starts_with([':', '-', '：', '\u{2013}', '\u{2014}']);
    if !reads_as_heading {
        return None;
    }
    let key = heading_key(inner_t);
    if key.is_empty() || key.split(' ').count() > 12 {
        return None;
    }
    let start = span.start + (text.len() - t.len()) + 2;
    Some(LeadIn {
        span: Span::new(start, start + inner.len()),
        words: matching::words(&key),
        key,
        taken: false,
    })
}

/// The text after a list marker (`-`, `*`, `+`, `1.`, `1)`) and a task box.
fn strip_item_marker(t: &str) -> Option<&str> {
    let rest = if let Some(r) = t.strip_prefix(['-', '*', '+']) {
        r
    } else {
        let digits = t.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || digits > 9 {
            return None;
        }
        t[digits..].strip_prefix(['.', ')'])?
    };
    let rest = rest.trim_start();
    let rest = ["[ ]", "[x]", "[X]"]
        .iter()
        .find_map(|b| rest.strip_prefix(b))
        .map_or(rest, str::trim_start);
    Some(rest)
}

/// Lines that read as headings: line span, heading text.
type HeadingLines = Vec<(Span, String)>;

/// The last fenced block if it is never closed and runs to the end of the document:
/// its index, its opening line, and its lines that read as ATX headings.
fn unclosed_fence(doc: &Document, source: &str) -> Option<(usize, Span, HeadingLines)> {
    let (index, block) = doc
        .blocks
        .iter()
        .enumerate()
        .rev()
        .find(|(_, b)| matches!(&b.kind, BlockKind::Code(c) if c.fenced))?;
    if block.quoted || !source.get(block.span.end..)?.trim().is_empty() {
        return None;
    }
    let text = source.get(block.span.start..block.span.end)?;
    let open_line = text.split('\n').next()?;
    let opening = open_line.trim_start();
    let fence_char = opening.chars().next().filter(|&c| c == '`' || c == '~')?;
    let fence_len = opening.chars().take_while(|&c| c == fence_char).count();
    let mut offset = block.span.start + open_line.len() + 1;
    let mut headings = Vec::new();
    for line in text.split_inclusive('\n').skip(1) {
        let body = line.trim_end_matches(['\n', '\r']);
        let trimmed = body.trim_start_matches(' ');
        let indent = body.len() - trimmed.len();
        let t = trimmed.trim_end();
        if indent <= 3 && t.len() >= fence_len && t.chars().all(|c| c == fence_char) {
            // Closed after all.
            return None;
        }
        let hashes = trimmed.bytes().take_while(|&b| b == b'#').count();
        if indent <= 3 && (1..=6).contains(&hashes) && trimmed[hashes..].starts_with([' ', '\t']) && headings.len() < 64
        {
            let title = trimmed[hashes..].trim().trim_end_matches('#').trim().to_string();
            if !title.is_empty() {
                headings.push((Span::new(offset, offset + body.len()), title));
            }
        }
        offset += line.len();
    }
    let span = Span::new(block.span.start, block.span.start + open_line.len());
    Some((index, span, headings))
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
