//! Reads an SVG document our renderer wrote back into flat drawing primitives: each
//! element in document order with its attributes, its text (for `<text>`), its outline
//! as points in canvas coordinates (Bezier segments sampled) and its bounding box.

/// An axis-aligned box, `x0 <= x1`, `y0 <= y1`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bbox {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

impl Bbox {
    pub fn of_points(points: &[(f64, f64)]) -> Option<Bbox> {
        let first = points.first()?;
        let mut b = Bbox {
            x0: first.0,
            y0: first.1,
            x1: first.0,
            y1: first.1,
        };
        for &(x, y) in points {
            b.x0 = b.x0.min(x);
            b.y0 = b.y0.min(y);
            b.x1 = b.x1.max(x);
            b.y1 = b.y1.max(y);
        }
        Some(b)
    }

    pub fn union(self, o: Bbox) -> Bbox {
        Bbox {
            x0: self.x0.min(o.x0),
            y0: self.y0.min(o.y0),
            x1: self.x1.max(o.x1),
            y1: self.y1.max(o.y1),
        }
    }

    /// The box grown by `d` on every side (shrunk for a negative `d`).
    pub fn grow(self, d: f64) -> Bbox {
        Bbox {
            x0: self.x0 - d,
            y0: self.y0 - d,
            x1: self.x1 + d,
            y1: self.y1 + d,
        }
    }

    pub fn width(self) -> f64 {
        self.x1 - self.x0
    }

    pub fn height(self) -> f64 {
        self.y1 - self.y0
    }

    pub fn is_empty(self) -> bool {
        self.x1 <= self.x0 || self.y1 <= self.y0
    }

    pub fn area(self) -> f64 {
        if self.is_empty() {
            0.0
        } else {
            self.width() * self.height()
        }
    }

    /// `o` lies inside this box, allowing `tol` of overhang.
    pub fn contains(self, o: Bbox, tol: f64) -> bool {
        o.x0 >= self.x0 - tol && o.y0 >= self.y0 - tol && o.x1 <= self.x1 + tol && o.y1 <= self.y1 + tol
    }

    pub fn contains_point(self, (x, y): (f64, f64)) -> bool {
        x > self.x0 && x < self.x1 && y > self.y0 && y < self.y1
    }

    /// The overlap of two boxes (empty when they only touch or are apart).
    pub fn intersection(self, o: Bbox) -> Bbox {
        Bbox {
            x0: self.x0.max(o.x0),
            y0: self.y0.max(o.y0),
            x1: self.x1.min(o.x1),
            y1: self.y1.min(o.y1),
        }
    }

    pub fn overlaps(self, o: Bbox) -> bool {
        !self.intersection(o).is_empty()
    }

    /// The segment `a`-`b` passes through the open interior of the box (Liang-Barsky).
    pub fn crossed_by(self, a: (f64, f64), b: (f64, f64)) -> bool {
        if self.is_empty() {
            return false;
        }
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let (mut t0, mut t1) = (0.0_f64, 1.0_f64);
        for (p, q) in [
            (-dx, a.0 - self.x0),
            (dx, self.x1 - a.0),
            (-dy, a.1 - self.y0),
            (dy, self.y1 - a.1),
        ] {
            if p == 0.0 {
                if q <= 0.0 {
                    return false;
                }
            } else {
                let r = q / p;
                if p < 0.0 {
                    t0 = t0.max(r);
                } else {
                    t1 = t1.min(r);
                }
            }
        }
        t1 - t0 > 1e-9
    }
}

/// One drawing element.
#[derive(Clone, Debug)]
pub struct Prim {
    /// The element name (`rect`, `path`, `text`, ...).
    pub tag: String,
    pub attrs: Vec<(String, String)>,
    /// For `<text>`: its text, one line per `<tspan>` line, joined by `\n`.
    pub text: String,
    /// The outline (or the path's sampled points, or the text's anchor), canvas coordinates.
    pub points: Vec<(f64, f64)>,
    /// Every sub-path of a path, sampled (a path with two `M` has two).
    pub subpaths: Vec<Vec<(f64, f64)>>,
    pub bbox: Bbox,
    /// The groups (`<g>`) it is drawn in, outermost first.
    pub groups: Vec<Group>,
}

/// A `<g>` an element is drawn in: its classes, its id, and a serial number that tells
/// two groups with the same classes apart.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    pub classes: Vec<String>,
    pub id: String,
    pub serial: usize,
}

impl Group {
    pub fn has(&self, class: &str) -> bool {
        self.classes.iter().any(|c| c == class)
    }
}

impl Prim {
    /// The innermost group with this class.
    pub fn group(&self, class: &str) -> Option<&Group> {
        self.groups.iter().rev().find(|g| g.has(class))
    }

    pub fn has_class(&self, class: &str) -> bool {
        self.attr("class")
            .is_some_and(|c| c.split_whitespace().any(|c| c == class))
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    pub fn num(&self, name: &str) -> f64 {
        self.attr(name)
            .and_then(|v| v.trim().trim_end_matches("px").parse().ok())
            .unwrap_or(0.0)
    }
}

/// A parsed drawing: its primitives in document order (none from `<defs>` or `<marker>`).
#[derive(Clone, Debug, Default)]
pub struct Drawing {
    pub prims: Vec<Prim>,
    pub view_box: Option<Bbox>,
}

fn decode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.find(';').filter(|&e| e < 12) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..end];
        let ch = match name {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            _ => {
                if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                    u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
                } else if let Some(dec) = name.strip_prefix('#') {
                    dec.parse().ok().and_then(char::from_u32)
                } else {
                    None
                }
            }
        };
        match ch {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A tag as read: name, attributes, whether it closes (`</x>`) or self-closes (`<x/>`).
struct Tag {
    name: String,
    attrs: Vec<(String, String)>,
    closing: bool,
    self_closing: bool,
}

fn parse_tag(inner: &str) -> Tag {
    let closing = inner.starts_with('/');
    let body = inner.trim_start_matches('/');
    let self_closing = body.trim_end().ends_with('/');
    let body = body.trim_end().trim_end_matches('/');
    let name_end = body.find(|c: char| c.is_whitespace()).unwrap_or(body.len());
    let name = body[..name_end].to_string();
    let mut attrs = Vec::new();
    let mut rest = &body[name_end..];
    loop {
        rest = rest.trim_start();
        let Some(eq) = rest.find('=') else { break };
        let key = rest[..eq].trim().to_string();
        let after = rest[eq + 1..].trim_start();
        let Some(q) = after.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            break;
        };
        let Some(close) = after[1..].find(q) else { break };
        attrs.push((key, decode(&after[1..1 + close])));
        rest = &after[close + 2..];
    }
    Tag {
        name,
        attrs,
        closing,
        self_closing,
    }
}

fn numbers(s: &str) -> Vec<f64> {
    let mut out = Vec::new();
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i] as char;
        if c.is_ascii_digit() || c == '-' || c == '+' || c == '.' {
            let start = i;
            i += 1;
            let mut seen_dot = c == '.';
            let mut seen_e = false;
            while i < bytes.len() {
                let d = bytes[i] as char;
                if d.is_ascii_digit() {
                    i += 1;
                } else if d == '.' && !seen_dot && !seen_e {
                    seen_dot = true;
                    i += 1;
                } else if (d == 'e' || d == 'E') && !seen_e {
                    seen_e = true;
                    i += 1;
                    if i < bytes.len() && (bytes[i] == b'-' || bytes[i] == b'+') {
                        i += 1;
                    }
                } else {
                    break;
                }
            }
            if let Ok(v) = s[start..i].parse() {
                out.push(v);
            }
        } else {
            i += 1;
        }
    }
    out
}

const SAMPLES: usize = 8;

fn cubic(p0: (f64, f64), p1: (f64, f64), p2: (f64, f64), p3: (f64, f64), out: &mut Vec<(f64, f64)>) {
    for k in 1..=SAMPLES {
        let t = k as f64 / SAMPLES as f64;
        let u = 1.0 - t;
        let a = u * u * u;
        let b = 3.0 * u * u * t;
        let c = 3.0 * u * t * t;
        let d = t * t * t;
        out.push((
            a * p0.0 + b * p1.0 + c * p2.0 + d * p3.0,
            a * p0.1 + b * p1.1 + c * p2.1 + d * p3.1,
        ));
    }
}

fn quad(p0: (f64, f64), p1: (f64, f64), p2: (f64, f64), out: &mut Vec<(f64, f64)>) {
    for k in 1..=SAMPLES {
        let t = k as f64 / SAMPLES as f64;
        let u = 1.0 - t;
        out.push((
            u * u * p0.0 + 2.0 * u * t * p1.0 + t * t * p2.0,
            u * u * p0.1 + 2.0 * u * t * p1.1 + t * t * p2.1,
        ));
    }
}

/// An elliptical arc from `p0` to `p1` sampled into `out`, by the SVG specification's
/// endpoint-to-centre conversion (appendix B.2.4); radii too small are scaled up.
fn arc(
    p0: (f64, f64),
    (rx, ry): (f64, f64),
    phi_deg: f64,
    large: bool,
    sweep: bool,
    p1: (f64, f64),
    out: &mut Vec<(f64, f64)>,
) {
    let (mut rx, mut ry) = (rx.abs(), ry.abs());
    if rx < 1e-9 || ry < 1e-9 || p0 == p1 {
        out.push(p1);
        return;
    }
    let phi = phi_deg.to_radians();
    let (sin, cos) = phi.sin_cos();
    let (dx, dy) = ((p0.0 - p1.0) / 2.0, (p0.1 - p1.1) / 2.0);
    let (x1, y1) = (cos * dx + sin * dy, -sin * dx + cos * dy);
    let lambda = (x1 * x1) / (rx * rx) + (y1 * y1) / (ry * ry);
    if lambda > 1.0 {
        rx *= lambda.sqrt();
        ry *= lambda.sqrt();
    }
    let num = rx * rx * ry * ry - rx * rx * y1 * y1 - ry * ry * x1 * x1;
    let den = rx * rx * y1 * y1 + ry * ry * x1 * x1;
    let mut k = (num / den).max(0.0).sqrt();
    if large == sweep {
        k = -k;
    }
    let (cx1, cy1) = (k * rx * y1 / ry, -k * ry * x1 / rx);
    let (cx, cy) = (
        cos * cx1 - sin * cy1 + (p0.0 + p1.0) / 2.0,
        sin * cx1 + cos * cy1 + (p0.1 + p1.1) / 2.0,
    );
    let angle = |ux: f64, uy: f64| uy.atan2(ux);
    let t0 = angle((x1 - cx1) / rx, (y1 - cy1) / ry);
    let mut dt = angle((-x1 - cx1) / rx, (-y1 - cy1) / ry) - t0;
    if sweep && dt < 0.0 {
        dt += std::f64::consts::TAU;
    } else if !sweep && dt > 0.0 {
        dt -= std::f64::consts::TAU;
    }
    let steps = SAMPLES * 2;
    for n in 1..=steps {
        let t = t0 + dt * n as f64 / steps as f64;
        let (ex, ey) = (rx * t.cos(), ry * t.sin());
        out.push((cos * ex - sin * ey + cx, sin * ex + cos * ey + cy));
    }
}

/// The sub-paths of an SVG path `d`, each sampled into points (arcs and Bezier segments
/// included).
pub fn path_points(d: &str) -> Vec<Vec<(f64, f64)>> {
    let mut subs: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut cur = (0.0, 0.0);
    let mut start = (0.0, 0.0);
    let mut last_ctrl: Option<(f64, f64)> = None;
    let mut last_qctrl: Option<(f64, f64)> = None;
    // Split into (command, arguments).
    let mut cmds: Vec<(char, Vec<f64>)> = Vec::new();
    let mut at = 0;
    let chars: Vec<(usize, char)> = d.char_indices().collect();
    let mut current: Option<char> = None;
    for &(i, c) in &chars {
        if c.is_ascii_alphabetic() && c != 'e' && c != 'E' {
            if let Some(cmd) = current {
                cmds.push((cmd, numbers(&d[at..i])));
            }
            current = Some(c);
            at = i + c.len_utf8();
        }
    }
    if let Some(cmd) = current {
        cmds.push((cmd, numbers(&d[at..])));
    }
    for (cmd, args) in cmds {
        let rel = cmd.is_ascii_lowercase();
        let base = |p: (f64, f64), cur: (f64, f64)| if rel { (p.0 + cur.0, p.1 + cur.1) } else { p };
        match cmd.to_ascii_uppercase() {
            'M' => {
                for (k, pair) in args.chunks_exact(2).enumerate() {
                    let p = base((pair[0], pair[1]), cur);
                    if k == 0 {
                        subs.push(vec![p]);
                        start = p;
                    } else if let Some(s) = subs.last_mut() {
                        s.push(p);
                    }
                    cur = p;
                }
                last_ctrl = None;
                last_qctrl = None;
            }
            'L' => {
                for pair in args.chunks_exact(2) {
                    cur = base((pair[0], pair[1]), cur);
                    push(&mut subs, cur);
                }
                last_ctrl = None;
                last_qctrl = None;
            }
            'H' => {
                for &x in &args {
                    cur = (if rel { cur.0 + x } else { x }, cur.1);
                    push(&mut subs, cur);
                }
                last_ctrl = None;
                last_qctrl = None;
            }
            'V' => {
                for &y in &args {
                    cur = (cur.0, if rel { cur.1 + y } else { y });
                    push(&mut subs, cur);
                }
                last_ctrl = None;
                last_qctrl = None;
            }
            'C' => {
                for six in args.chunks_exact(6) {
                    let p1 = base((six[0], six[1]), cur);
                    let p2 = base((six[2], six[3]), cur);
                    let p3 = base((six[4], six[5]), cur);
                    let s = ensure(&mut subs, cur);
                    cubic(cur, p1, p2, p3, s);
                    last_ctrl = Some(p2);
                    cur = p3;
                }
                last_qctrl = None;
            }
            'S' => {
                for four in args.chunks_exact(4) {
                    let p1 = last_ctrl.map_or(cur, |c| (2.0 * cur.0 - c.0, 2.0 * cur.1 - c.1));
                    let p2 = base((four[0], four[1]), cur);
                    let p3 = base((four[2], four[3]), cur);
                    let s = ensure(&mut subs, cur);
                    cubic(cur, p1, p2, p3, s);
                    last_ctrl = Some(p2);
                    cur = p3;
                }
                last_qctrl = None;
            }
            'Q' => {
                for four in args.chunks_exact(4) {
                    let p1 = base((four[0], four[1]), cur);
                    let p2 = base((four[2], four[3]), cur);
                    let s = ensure(&mut subs, cur);
                    quad(cur, p1, p2, s);
                    last_qctrl = Some(p1);
                    cur = p2;
                }
                last_ctrl = None;
            }
            'T' => {
                for pair in args.chunks_exact(2) {
                    let p1 = last_qctrl.map_or(cur, |c| (2.0 * cur.0 - c.0, 2.0 * cur.1 - c.1));
                    let p2 = base((pair[0], pair[1]), cur);
                    let s = ensure(&mut subs, cur);
                    quad(cur, p1, p2, s);
                    last_qctrl = Some(p1);
                    cur = p2;
                }
                last_ctrl = None;
            }
            'A' => {
                for seven in args.chunks_exact(7) {
                    let end = base((seven[5], seven[6]), cur);
                    let s = ensure(&mut subs, cur);
                    arc(
                        cur,
                        (seven[0], seven[1]),
                        seven[2],
                        seven[3] != 0.0,
                        seven[4] != 0.0,
                        end,
                        s,
                    );
                    cur = end;
                }
                last_ctrl = None;
                last_qctrl = None;
            }
            'Z' => {
                cur = start;
                push(&mut subs, cur);
                last_ctrl = None;
                last_qctrl = None;
            }
            _ => {}
        }
    }
    subs.retain(|s| !s.is_empty());
    subs
}

fn ensure(subs: &mut Vec<Vec<(f64, f64)>>, cur: (f64, f64)) -> &mut Vec<(f64, f64)> {
    if subs.is_empty() {
        subs.push(vec![cur]);
    }
    let last = subs.len() - 1;
    &mut subs[last]
}

fn push(subs: &mut Vec<Vec<(f64, f64)>>, p: (f64, f64)) {
    ensure(subs, p).push(p);
}

fn translate_of(transform: &str) -> (f64, f64) {
    let Some(i) = transform.find("translate(") else {
        return (0.0, 0.0);
    };
    let rest = &transform[i + "translate(".len()..];
    let inner = &rest[..rest.find(')').unwrap_or(rest.len())];
    let n = numbers(inner);
    (n.first().copied().unwrap_or(0.0), n.get(1).copied().unwrap_or(0.0))
}

/// Rough text box: 7 px a character at 14 px (scaled by `font-size`), one line height
/// a line, placed by `text-anchor`, baseline at `y`.
fn text_box(x: f64, y: f64, text: &str, anchor: &str, size: f64) -> Bbox {
    let lines: Vec<&str> = text.split('\n').collect();
    let widest = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0) as f64;
    let w = widest * size * 0.5;
    let h = lines.len().max(1) as f64 * size * 1.2;
    let x0 = match anchor {
        "middle" => x - w / 2.0,
        "end" => x - w,
        _ => x,
    };
    let top = if lines.len() > 1 { y - h / 2.0 } else { y - size };
    Bbox {
        x0,
        y0: top,
        x1: x0 + w,
        y1: top + h,
    }
}

/// Reads the SVG into primitives. Elements inside `<defs>`, `<marker>`, `<clipPath>`,
/// `<pattern>` and gradients are skipped; `translate(...)` on groups is applied.
pub fn read(svg: &str) -> Drawing {
    let mut drawing = Drawing::default();
    let mut offsets: Vec<(f64, f64)> = vec![(0.0, 0.0)];
    let mut groups: Vec<Group> = Vec::new();
    let mut serial = 0usize;
    let mut hidden = 0usize;
    let mut text: Option<Prim> = None;
    let mut tspan_lines: Vec<String> = Vec::new();
    let mut rest = svg;
    while let Some(lt) = rest.find('<') {
        let content = &rest[..lt];
        if text.is_some() && !content.is_empty() {
            match tspan_lines.last_mut() {
                Some(line) => line.push_str(&decode(content)),
                None => tspan_lines.push(decode(content)),
            }
        }
        rest = &rest[lt..];
        if rest.starts_with("<!--") {
            let end = rest.find("-->").map_or(rest.len(), |e| e + 3);
            rest = &rest[end..];
            continue;
        }
        let Some(gt) = rest.find('>') else { break };
        let tag = parse_tag(&rest[1..gt]);
        rest = &rest[gt + 1..];
        if tag.name.starts_with('?') || tag.name.starts_with('!') {
            continue;
        }
        let container = matches!(
            tag.name.as_str(),
            "defs" | "marker" | "clipPath" | "pattern" | "linearGradient" | "radialGradient" | "title" | "desc"
        );
        if tag.closing {
            if container {
                hidden = hidden.saturating_sub(1);
            } else if tag.name == "g" || tag.name == "a" {
                if offsets.len() > 1 {
                    offsets.pop();
                    groups.pop();
                }
            } else if tag.name == "text" {
                if let Some(mut t) = text.take() {
                    t.text = tspan_lines.join("\n").trim().to_string();
                    let anchor = t.attr("text-anchor").unwrap_or("start").to_string();
                    let size = match t.num("font-size") {
                        s if s > 0.0 => s,
                        _ => 14.0,
                    };
                    let (x, y) = t.points[0];
                    t.bbox = text_box(x, y, &t.text, &anchor, size);
                    if hidden == 0 {
                        drawing.prims.push(t);
                    }
                }
                tspan_lines.clear();
            }
            continue;
        }
        if container {
            if !tag.self_closing {
                hidden += 1;
            }
            continue;
        }
        let group_off = *offsets.last().unwrap_or(&(0.0, 0.0));
        // A shape's own `translate(...)` moves it too (cylinders are drawn at 0,0 and
        // moved into place).
        let own = match tag.name.as_str() {
            "g" | "a" => (0.0, 0.0),
            _ => tag
                .attrs
                .iter()
                .find(|(n, _)| n == "transform")
                .map(|(_, v)| translate_of(v))
                .unwrap_or((0.0, 0.0)),
        };
        let off = (group_off.0 + own.0, group_off.1 + own.1);
        let mut prim = Prim {
            tag: tag.name.clone(),
            attrs: tag.attrs,
            text: String::new(),
            points: Vec::new(),
            subpaths: Vec::new(),
            bbox: Bbox {
                x0: 0.0,
                y0: 0.0,
                x1: 0.0,
                y1: 0.0,
            },
            groups: groups.clone(),
        };
        let shift = |(x, y): (f64, f64)| (x + off.0, y + off.1);
        match tag.name.as_str() {
            "svg" => {
                if let Some(vb) = prim.attr("viewBox") {
                    let n = numbers(vb);
                    if n.len() == 4 {
                        drawing.view_box = Some(Bbox {
                            x0: n[0],
                            y0: n[1],
                            x1: n[0] + n[2],
                            y1: n[1] + n[3],
                        });
                    }
                }
                continue;
            }
            "g" | "a" => {
                if !tag.self_closing {
                    let t = prim.attr("transform").map(translate_of).unwrap_or((0.0, 0.0));
                    offsets.push((off.0 + t.0, off.1 + t.1));
                    serial += 1;
                    groups.push(Group {
                        classes: prim
                            .attr("class")
                            .unwrap_or("")
                            .split_whitespace()
                            .map(str::to_string)
                            .collect(),
                        id: prim.attr("id").unwrap_or("").to_string(),
                        serial,
                    });
                }
                continue;
            }
            "tspan" => {
                if text.is_some() && (prim.attr("dy").is_some() || prim.attr("y").is_some()) {
                    tspan_lines.push(String::new());
                }
                continue;
            }
            "text" => {
                prim.points = vec![shift((prim.num("x"), prim.num("y")))];
                if tag.self_closing {
                    continue;
                }
                text = Some(prim);
                tspan_lines.clear();
                continue;
            }
            "rect" => {
                let (x, y, w, h) = (prim.num("x"), prim.num("y"), prim.num("width"), prim.num("height"));
                prim.points = vec![
                    shift((x, y)),
                    shift((x + w, y)),
                    shift((x + w, y + h)),
                    shift((x, y + h)),
                ];
            }
            "circle" => {
                let (cx, cy, r) = (prim.num("cx"), prim.num("cy"), prim.num("r"));
                prim.points = vec![shift((cx - r, cy - r)), shift((cx + r, cy + r))];
            }
            "ellipse" => {
                let (cx, cy, rx, ry) = (prim.num("cx"), prim.num("cy"), prim.num("rx"), prim.num("ry"));
                prim.points = vec![shift((cx - rx, cy - ry)), shift((cx + rx, cy + ry))];
            }
            "line" => {
                prim.points = vec![
                    shift((prim.num("x1"), prim.num("y1"))),
                    shift((prim.num("x2"), prim.num("y2"))),
                ];
            }
            "polyline" | "polygon" => {
                let n = numbers(prim.attr("points").unwrap_or(""));
                prim.points = n.chunks_exact(2).map(|p| shift((p[0], p[1]))).collect();
                if tag.name == "polygon"
                    && let Some(&first) = prim.points.first()
                {
                    prim.points.push(first);
                }
            }
            "path" => {
                prim.subpaths = path_points(prim.attr("d").unwrap_or(""))
                    .into_iter()
                    .map(|s| s.into_iter().map(shift).collect())
                    .collect();
                prim.points = prim.subpaths.concat();
            }
            _ => continue,
        }
        if prim.subpaths.is_empty() {
            prim.subpaths = vec![prim.points.clone()];
        }
        let Some(b) = Bbox::of_points(&prim.points) else {
            continue;
        };
        prim.bbox = b;
        if hidden == 0 {
            drawing.prims.push(prim);
        }
    }
    drawing
}
