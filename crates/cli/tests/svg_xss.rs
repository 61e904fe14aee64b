//! Script injection through diagram styles and labels. A corpus of mermaid diagrams puts
//! payloads everywhere the drawing library copies a value into an attribute (style,
//! linkStyle, classDef, `:::`, theme variables in front matter and `%%{init}%%`, quadrant
//! points, block styles, labels of every kind); each payload, if it ran, sets the title to
//! `PWNED-<n>` (or `data-pwned`), or fetches `/PWNED-<n>` from a local listener. The docs
//! are built with `designdoc build` and served by a hub; every page is scanned as a
//! browser's tokenizer reads it, then opened in headless chromium with its CSP and its
//! own scripts removed and a harness that fires pointer, mouse and focus events on every
//! SVG element. Nothing may run, load, or survive as an event handler or script URL.
//! `SVG_XSS_VERBOSE=1` lists every case with how it ended (drawn, refused, invalid).

mod common;

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Diagrams per Markdown doc (one chromium run per doc).
const PER_DOC: usize = 300;

/// The folder the docs are in, and so the hub space they are published to.
const SPACE: &str = "xss-docs";

struct Case {
    place: &'static str,
    shape: &'static str,
    src: String,
}

fn js(n: usize) -> String {
    format!("document.title='PWNED-{n}'")
}

const STYLE_SHAPES: usize = 17;

/// Style value `i` for case `n`: what an attacker puts after `fill:` or in a theme variable.
fn style_shape(i: usize, n: usize, port: u16) -> (&'static str, String) {
    let js = js(n);
    match i {
        0 => ("quote then onmouseover", format!("red\" onmouseover=\"{js}")),
        1 => ("quote then /onmouseover", format!("red\"/onmouseover=\"{js}")),
        2 => ("quote then <script>", format!("red\"><script>{js}</script>")),
        3 => ("quote then <svg onload>", format!("red\"><svg onload=\"{js}\">")),
        4 => (
            "quote then <img onerror>",
            format!("red\"><img src=x onerror=\"{js}\">"),
        ),
        5 => ("javascript: URL", format!("javascript:{js}")),
        6 => ("url(javascript:)", format!("url(javascript:{js})")),
        7 => ("url(http://)", format!("url(http://127.0.0.1:{port}/PWNED-{n})")),
        8 => ("&quot; entity", format!("red&quot; onmouseover=&quot;{js}")),
        9 => ("&#34; entity", format!("red&#34; onclick=&#34;{js}")),
        10 => ("\\u0022 escape", format!("red\\u0022 onmouseover=\\u0022{js}")),
        11 => ("CSS \\22 escape", format!("red\\22 onmouseover=\\22 {js}")),
        12 => ("</style><script>", format!("red</style><script>{js}</script>")),
        13 => (
            "single quote then onmouseover",
            format!("red' onmouseover='document.title=`PWNED-{n}`"),
        ),
        14 => ("url('http://')", format!("url('http://127.0.0.1:{port}/PWNED-{n}')")),
        15 => ("expression()", format!("expression({js})")),
        16 => ("&quot without ;", format!("red&quot onmouseover=&quot{js}")),
        _ => unreachable!(),
    }
}

const LABEL_SHAPES: usize = 8;

/// Label text `i` for case `n`.
fn label_shape(i: usize, n: usize) -> (&'static str, String) {
    let js = js(n);
    match i {
        0 => ("<img onerror>", format!("<img src=x onerror={js}>")),
        1 => ("<svg onload>", format!("<svg onload={js}>")),
        2 => ("</style><script>", format!("</style><script>{js}</script>")),
        3 => ("#quot; entity codes", format!("x#quot; onmouseover=#quot;{js}")),
        4 => ("<a href=javascript:>", format!("<a href=javascript&#58;{js}>x</a>")),
        5 => ("quote then onmouseover", format!("x\" onmouseover=\"{js}")),
        6 => (
            "<set attributeName=onmouseover>",
            format!("<svg><set attributeName=onmouseover to={js}></set></svg>"),
        ),
        7 => ("</text><script>", format!("</text></svg><script>{js}</script>")),
        _ => unreachable!(),
    }
}

fn yaml_single(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn json_string(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

fn corpus(port: u16) -> Vec<Case> {
    let mut cases: Vec<Case> = Vec::new();
    type Wrap = fn(&str) -> String;
    let style_places: &[(&str, Wrap)] = &[
        ("flowchart style A fill", |v| {
            format!("flowchart TD\n  A[Start] --> B[End]\n  style A fill:{v},stroke:#333\n")
        }),
        ("flowchart style A color", |v| {
            format!("flowchart TD\n  A[Start] --> B[End]\n  style A color:{v}\n")
        }),
        ("flowchart style after ; on one line", |v| {
            format!("flowchart TD\n  A[Start] --> B[End]; style A fill:{v}\n")
        }),
        ("flowchart classDef after ; on one line", |v| {
            format!("flowchart TD\n  A[Start]:::x --> B[End]; classDef x fill:{v}\n")
        }),
        ("flowchart linkStyle 0", |v| {
            format!("flowchart TD\n  A[Start] --> B[End]\n  linkStyle 0 stroke:{v}\n")
        }),
        ("flowchart classDef + class", |v| {
            format!("flowchart TD\n  A[Start] --> B[End]\n  classDef x fill:{v}\n  class A x\n")
        }),
        ("flowchart classDef + :::", |v| {
            format!("flowchart TD\n  A[Start]:::x --> B[End]\n  classDef x stroke:{v}\n")
        }),
        ("front matter themeVariables.primaryColor", |v| {
            format!(
                "---\nconfig:\n  theme: base\n  themeVariables:\n    primaryColor: {}\n---\nflowchart TD\n  A[Start] --> B[End]\n",
                yaml_single(v)
            )
        }),
        ("front matter themeVariables.fontFamily", |v| {
            format!(
                "---\nconfig:\n  themeVariables:\n    fontFamily: {}\n---\nsequenceDiagram\n  Alice->>Bob: hi\n",
                yaml_single(v)
            )
        }),
        ("front matter after a blank line", |v| {
            format!(
                "\n---\nconfig:\n  themeVariables:\n    lineColor: {}\n---\nflowchart TD\n  A[Start] --> B[End]\n",
                yaml_single(v)
            )
        }),
        ("%%{init}%% themeVariables.primaryColor", |v| {
            format!(
                "%%{{init: {{\"theme\": \"base\", \"themeVariables\": {{\"primaryColor\": {}}}}}}}%%\nflowchart TD\n  A[Start] --> B[End]\n",
                json_string(v)
            )
        }),
        ("%%{init}%% on several lines", |v| {
            format!(
                "%%{{init: {{\n  \"themeVariables\": {{\n    \"lineColor\": {},\n    \"pie1\": {}\n  }}\n}}}}%%\nflowchart TD\n  A[Start] --> B[End]\n",
                json_string(v),
                json_string(v)
            )
        }),
        ("pie %%{init}%% themeVariables.pie1", |v| {
            format!(
                "%%{{init: {{\"themeVariables\": {{\"pie1\": {}}}}}}}%%\npie title Pets\n  \"Dogs\" : 40\n  \"Cats\" : 60\n",
                json_string(v)
            )
        }),
        ("quadrant point color", |v| {
            format!("quadrantChart\n  title Q\n  Point A: [0.3, 0.6] color: {v}\n")
        }),
        ("quadrant point stroke-color", |v| {
            format!("quadrantChart\n  title Q\n  Point A: [0.3, 0.6] radius: 8, stroke-color: {v}\n")
        }),
        ("quadrant classDef", |v| {
            format!("quadrantChart\n  title Q\n  Point A:::c: [0.3, 0.6]\n  classDef c color: {v}\n")
        }),
        ("sequence rect color", |v| {
            format!("sequenceDiagram\n  rect {v}\n  Alice->>Bob: hi\n  end\n")
        }),
        ("sequence box rgb() color", |v| {
            format!("sequenceDiagram\n  box rgb({v}) Team\n  participant Alice\n  end\n  Alice->>Alice: hi\n")
        }),
        ("sequence box # color", |v| {
            format!("sequenceDiagram\n  box #{v} Team\n  participant Alice\n  end\n  Alice->>Alice: hi\n")
        }),
        ("C4 UpdateElementStyle $bgColor", |v| {
            format!("C4Context\n  Person(a, \"A\")\n  UpdateElementStyle(a, $bgColor=\"{v}\", $fontColor={v})\n")
        }),
        ("block-beta style", |v| {
            format!("block-beta\n  columns 2\n  a b\n  style a fill:{v}\n")
        }),
        ("state classDef + class", |v| {
            format!("stateDiagram-v2\n  [*] --> S1\n  S1 --> [*]\n  classDef x fill:{v}\n  class S1 x\n")
        }),
        ("class diagram style", |v| {
            format!("classDiagram\n  class Animal\n  Animal : +eat()\n  style Animal fill:{v}\n")
        }),
    ];
    for (place, wrap) in style_places {
        for i in 0..STYLE_SHAPES {
            let n = cases.len();
            let (shape, v) = style_shape(i, n, port);
            cases.push(Case {
                place,
                shape,
                src: wrap(&v),
            });
        }
    }
    // Quadrant radius is a number; a few shapes are enough to see it is refused or parsed.
    for i in [0, 2, 7] {
        let n = cases.len();
        let (shape, v) = style_shape(i, n, port);
        cases.push(Case {
            place: "quadrant point radius",
            shape,
            src: format!("quadrantChart\n  Point A: [0.3, 0.6] radius: {v}\n"),
        });
    }

    // Labels: (place, characters the syntax cannot hold in that spot, wrapper).
    let label_places: &[(&str, &str, Wrap)] = &[
        ("flowchart node label", "\"", |l| {
            format!("flowchart TD\n  A[\"{l}\"] --> B[End]\n")
        }),
        ("flowchart edge label", "|", |l| {
            format!("flowchart TD\n  A[Start] -->|{l}| B[End]\n")
        }),
        ("flowchart click tooltip", "\"", |l| {
            format!("flowchart TD\n  A[Start] --> B[End]\n  click A \"https://example.com/\" \"{l}\"\n")
        }),
        ("flowchart subgraph title", "\"", |l| {
            format!("flowchart TD\n  subgraph one [\"{l}\"]\n    A --> B\n  end\n")
        }),
        ("accTitle / accDescr", "", |l| {
            format!("flowchart TD\n  accTitle: {l}\n  accDescr: {l}\n  A[Start] --> B[End]\n")
        }),
        ("front matter title", "'", |l| {
            format!("---\ntitle: '{l}'\n---\nflowchart TD\n  A[Start] --> B[End]\n")
        }),
        ("ER relationship label", "\"", |l| {
            format!("erDiagram\n  CUSTOMER ||--o{{ ORDER : \"{l}\"\n")
        }),
        ("ER attribute comment", "\"", |l| {
            format!("erDiagram\n  CUSTOMER {{\n    string name \"{l}\"\n  }}\n")
        }),
        ("sequence message", "", |l| {
            format!("sequenceDiagram\n  Alice->>Bob: {l}\n")
        }),
        ("sequence participant alias", "", |l| {
            format!("sequenceDiagram\n  participant A as {l}\n  A->>A: hi\n")
        }),
        ("sequence note", "", |l| {
            format!("sequenceDiagram\n  Alice->>Bob: hi\n  Note over Alice: {l}\n")
        }),
        ("class member", "", |l| {
            format!("classDiagram\n  class Animal\n  Animal : +{l}\n")
        }),
        ("class label", "\"", |l| {
            format!("classDiagram\n  class Animal[\"{l}\"]\n")
        }),
        ("state description", "", |l| {
            format!("stateDiagram-v2\n  [*] --> S1\n  S1 : {l}\n")
        }),
        ("state name", "\"", |l| {
            format!("stateDiagram-v2\n  state \"{l}\" as S2\n  [*] --> S2\n")
        }),
        ("gantt task name", ":", |l| {
            format!("gantt\n  dateFormat YYYY-MM-DD\n  section S\n  {l} :a1, 2024-01-01, 3d\n")
        }),
        ("gantt title and section", "", |l| {
            format!("gantt\n  title {l}\n  dateFormat YYYY-MM-DD\n  section {l}\n  Task :a1, 2024-01-01, 3d\n")
        }),
        ("pie label", "\"", |l| {
            format!("pie title Pets\n  \"{l}\" : 42\n  \"Cats\" : 58\n")
        }),
        ("pie title", "", |l| format!("pie title {l}\n  \"Dogs\" : 42\n")),
        ("quadrant point name", ":[", |l| {
            format!("quadrantChart\n  title Q\n  {l}: [0.3, 0.6]\n")
        }),
        ("quadrant axis and quadrant labels", "", |l| {
            format!("quadrantChart\n  x-axis {l} --> High\n  quadrant-1 {l}\n  P: [0.5, 0.5]\n")
        }),
        ("block-beta label", "\"", |l| format!("block-beta\n  a[\"{l}\"] b\n")),
        ("journey task", ":", |l| {
            format!("journey\n  title Day\n  section Work\n    {l}: 5: Me\n")
        }),
        ("mindmap node", "()[]", |l| format!("mindmap\n  root\n    {l}\n")),
        ("timeline event", ":", |l| {
            format!("timeline\n  title T\n  2024 : {l}\n")
        }),
        ("gitGraph commit id", "\"", |l| {
            format!("gitGraph\n  commit id: \"{l}\"\n")
        }),
    ];
    for (place, forbidden, wrap) in label_places {
        for i in 0..LABEL_SHAPES {
            let n = cases.len();
            let (shape, l) = label_shape(i, n);
            if l.contains(|c| forbidden.contains(c)) {
                continue;
            }
            cases.push(Case {
                place,
                shape,
                src: wrap(&l),
            });
        }
    }

    // The drawing library's own active output: click links and callbacks.
    let n = cases.len();
    cases.push(Case {
        place: "flowchart click href",
        shape: "javascript: URL",
        src: format!(
            "flowchart TD\n  A[Start] --> B[End]\n  click A \"javascript:{}\"\n",
            js(n)
        ),
    });
    let n = cases.len();
    cases.push(Case {
        place: "flowchart click href",
        shape: "javascript: URL with href keyword",
        src: format!(
            "flowchart TD\n  A[Start] --> B[End]\n  click A href \"javascript:{}\"\n",
            js(n)
        ),
    });
    // `pwned(n)` is defined by the browser harness, so a callback that survives shows.
    let n = cases.len();
    cases.push(Case {
        place: "flowchart click call",
        shape: "callback becomes onclick",
        src: format!("flowchart TD\n  A[Start] --> B[End]\n  click A call pwned({n})\n"),
    });
    let n = cases.len();
    cases.push(Case {
        place: "flowchart click callback",
        shape: "bare callback becomes onclick",
        src: format!("flowchart TD\n  A[Start] --> B[End]\n  click A pwned \"tip {n}\"\n"),
    });
    let n = cases.len();
    cases.push(Case {
        place: "class diagram click call",
        shape: "callback becomes onclick",
        src: format!("classDiagram\n  class Animal\n  click Animal call pwned({n})\n"),
    });
    let n = cases.len();
    cases.push(Case {
        place: "class diagram callback",
        shape: "callback becomes onclick",
        src: format!("classDiagram\n  class Animal\n  callback Animal \"pwned\" \"tip {n}\"\n"),
    });
    let n = cases.len();
    cases.push(Case {
        place: "front matter themeCSS",
        shape: "</style><script>",
        src: format!(
            "---\nconfig:\n  themeCSS: '</style><script>{}</script>'\n---\nflowchart TD\n  A --> B\n",
            js(n)
        ),
    });
    cases
}

// ---------------------------------------------------------------------------------------
// A tokenizer that reads tags and attributes the way an HTML tokenizer does (attribute
// names start after whitespace or `/`, a quote or `<` can be part of a name, unquoted
// values end at whitespace or `>`). Where it differs from a browser it finds more tags,
// never fewer: `<!...>` and `<?...>` end at the first `>`, which is never after where a
// browser ends a comment or doctype, and raw-text contents are read as markup too.

#[derive(Debug)]
struct Tag {
    name: String,
    end_tag: bool,
    self_closing: bool,
    attrs: Vec<(String, String)>,
    /// Byte range of the tag in the page.
    at: usize,
    end: usize,
}

fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

fn scan(html: &str) -> Vec<Tag> {
    let b = html.as_bytes();
    let mut tags = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        let skip_past_gt = |from: usize| {
            b[from.min(b.len())..]
                .iter()
                .position(|&c| c == b'>')
                .map_or(b.len(), |p| from + p + 1)
        };
        match b.get(i + 1) {
            Some(c) if c.is_ascii_alphabetic() => {
                let tag = read_tag(html, i, i + 1, false);
                i = tag.end;
                tags.push(tag);
            }
            Some(b'/') => match b.get(i + 2) {
                Some(c) if c.is_ascii_alphabetic() => {
                    let tag = read_tag(html, i, i + 2, true);
                    i = tag.end;
                    tags.push(tag);
                }
                Some(b'>') => i += 3,
                _ => i = skip_past_gt(i + 2),
            },
            Some(b'!' | b'?') => i = skip_past_gt(i + 2),
            _ => i += 1,
        }
    }
    tags
}

fn read_tag(html: &str, at: usize, mut i: usize, end_tag: bool) -> Tag {
    let b = html.as_bytes();
    let start = i;
    while i < b.len() && !is_ws(b[i]) && b[i] != b'/' && b[i] != b'>' {
        i += 1;
    }
    let name = html[start..i].to_ascii_lowercase();
    let mut attrs = Vec::new();
    let mut self_closing = false;
    loop {
        while i < b.len() && (is_ws(b[i]) || b[i] == b'/') {
            self_closing = b[i] == b'/';
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        if b[i] == b'>' {
            i += 1;
            break;
        }
        self_closing = false;
        // The first character of a name may be anything but whitespace, `/` or `>`
        // (`=` and quotes included).
        let name_start = i;
        i += 1;
        while i < b.len() && !is_ws(b[i]) && !matches!(b[i], b'/' | b'>' | b'=') {
            i += 1;
        }
        let key = String::from_utf8_lossy(&b[name_start..i]).to_ascii_lowercase();
        let mut j = i;
        while j < b.len() && is_ws(b[j]) {
            j += 1;
        }
        let mut value = String::new();
        if j < b.len() && b[j] == b'=' {
            j += 1;
            while j < b.len() && is_ws(b[j]) {
                j += 1;
            }
            match b.get(j) {
                Some(&q @ (b'"' | b'\'')) => {
                    let end = b[j + 1..].iter().position(|&c| c == q).map_or(b.len(), |p| j + 1 + p);
                    value = decode_entities(&String::from_utf8_lossy(&b[j + 1..end]));
                    j = (end + 1).min(b.len());
                }
                Some(b'>') | None => {}
                Some(_) => {
                    let start = j;
                    while j < b.len() && !is_ws(b[j]) && b[j] != b'>' {
                        j += 1;
                    }
                    value = decode_entities(&String::from_utf8_lossy(&b[start..j]));
                }
            }
            i = j;
        }
        attrs.push((key, value));
    }
    Tag {
        name,
        end_tag,
        self_closing,
        attrs,
        at,
        end: i,
    }
}

/// Character references as a browser decodes them in attribute values (numeric ones also
/// without the `;`), for the few names that matter to a URL or a quote.
fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at + 1..];
        if let Some(num) = rest.strip_prefix('#') {
            let (digits, radix, skip) = match num.strip_prefix(['x', 'X']) {
                Some(hex) => (hex.chars().take_while(char::is_ascii_hexdigit).count(), 16, 2),
                None => (num.chars().take_while(char::is_ascii_digit).count(), 10, 1),
            };
            let text = &rest[skip..skip + digits];
            if let Some(c) = u32::from_str_radix(text, radix).ok().and_then(char::from_u32) {
                out.push(c);
                rest = &rest[skip + digits..];
                rest = rest.strip_prefix(';').unwrap_or(rest);
                continue;
            }
        }
        let named = [
            ("quot", '"'),
            ("apos", '\''),
            ("amp", '&'),
            ("lt", '<'),
            ("gt", '>'),
            ("colon", ':'),
            ("tab", '\t'),
            ("newline", '\n'),
            ("sol", '/'),
            ("lpar", '('),
            ("rpar", ')'),
            ("nbsp", '\u{a0}'),
        ];
        match named
            .iter()
            .find(|(n, _)| rest.len() >= n.len() && rest[..n.len()].eq_ignore_ascii_case(n))
        {
            Some((n, c)) => {
                out.push(*c);
                rest = &rest[n.len()..];
                rest = rest.strip_prefix(';').unwrap_or(rest);
            }
            None => out.push('&'),
        }
    }
    out.push_str(rest);
    out
}

/// The page's own script: a relative `assets/*.js`.
fn own_script(tag: &Tag) -> bool {
    tag.name == "script" && tag.attrs.len() == 1 && tag.attrs[0].0 == "src" && {
        let src = tag.attrs[0].1.trim_start_matches("../");
        src.strip_prefix("assets/")
            .and_then(|f| f.strip_suffix(".js"))
            .is_some_and(|f| !f.is_empty() && f.bytes().all(|c| c.is_ascii_lowercase() || c == b'-'))
    }
}

const SVG_FORBIDDEN_ELEMENTS: &[&str] = &[
    "script",
    "style",
    "foreignobject",
    "a",
    "image",
    "use",
    "iframe",
    "animate",
    "animatemotion",
    "animatetransform",
    "set",
    "handler",
    "listener",
    "feimage",
    "discard",
    "img",
    "object",
    "embed",
    "link",
    "meta",
    "form",
    "input",
    "button",
    "textarea",
    "math",
];

const SVG_FORBIDDEN_ATTRIBUTES: &[&str] = &[
    "href",
    "xlink:href",
    "src",
    "srcdoc",
    "action",
    "formaction",
    "attributename",
    "begin",
    "values",
    "from",
    "to",
];

/// What a browser could run or load in `html`, each with the diagram it is in
/// (`Diagram k`, from 1, or 0 outside any).
fn findings(html: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut svg_depth = 0usize;
    let mut diagram = 0usize;
    for tag in scan(html) {
        let snippet = || {
            let s = &html[tag.at..tag.end.min(tag.at + 300)];
            s.to_string()
        };
        if tag.end_tag {
            if tag.name == "svg" {
                svg_depth = svg_depth.saturating_sub(1);
            }
            continue;
        }
        if let Some((_, label)) = tag.attrs.iter().find(|(k, _)| k == "aria-label")
            && let Some(k) = label.strip_prefix("Diagram ").and_then(|k| k.parse().ok())
            && tag.name == "figure"
        {
            diagram = k;
        }
        if tag.name == "div" && tag.attrs.iter().any(|(k, v)| k == "class" && v == "diagram-error") {
            let rest = &html[tag.end..];
            if let Some(k) = rest
                .strip_prefix("Diagram ")
                .and_then(|r| r.split(' ').next())
                .and_then(|k| k.parse().ok())
            {
                diagram = k;
            }
        }
        let in_svg = svg_depth > 0 || tag.name == "svg";
        if tag.name == "svg" && !tag.self_closing {
            svg_depth += 1;
        }
        if tag.name == "script" && !own_script(&tag) {
            found.push((diagram, format!("a <script> element: {}", snippet())));
        }
        if [
            "iframe", "object", "embed", "base", "frame", "frameset", "applet", "portal",
        ]
        .contains(&tag.name.as_str())
        {
            found.push((diagram, format!("a <{}> element: {}", tag.name, snippet())));
        }
        if tag.name == "meta"
            && tag
                .attrs
                .iter()
                .any(|(k, v)| k == "http-equiv" && !v.eq_ignore_ascii_case("content-security-policy"))
        {
            found.push((diagram, format!("a <meta http-equiv>: {}", snippet())));
        }
        if in_svg && SVG_FORBIDDEN_ELEMENTS.contains(&tag.name.as_str()) {
            found.push((diagram, format!("a <{}> element in an SVG: {}", tag.name, snippet())));
        }
        for (key, value) in &tag.attrs {
            let squashed: String = value
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .flat_map(char::to_lowercase)
                .collect();
            if key.starts_with("on") {
                found.push((diagram, format!("an event handler `{key}`: {}", snippet())));
            }
            if in_svg && SVG_FORBIDDEN_ATTRIBUTES.contains(&key.as_str()) {
                found.push((diagram, format!("attribute `{key}` in an SVG: {}", snippet())));
            }
            if ["javascript:", "vbscript:", "data:text/html", "expression("]
                .iter()
                .any(|s| squashed.contains(s))
            {
                found.push((diagram, format!("script in the value of `{key}`: {}", snippet())));
            }
            if squashed.split("url(").skip(1).any(|u| !u.starts_with('#')) {
                found.push((diagram, format!("a url() leaving the page in `{key}`: {}", snippet())));
            }
        }
    }
    found
}

/// Per diagram of a page (from 1): `None` when drawn, else the message shown instead.
fn outcomes(html: &str) -> Vec<Option<String>> {
    let mut out = Vec::new();
    let mut rest = html;
    loop {
        let fig = rest.find("<figure class=\"diagram\"");
        let err = rest.find("<div class=\"diagram-error\"");
        match (fig, err) {
            (Some(f), e) if e.is_none_or(|e| f < e) => {
                out.push(None);
                rest = &rest[f + 10..];
            }
            (_, Some(e)) => {
                let after = &rest[e..];
                let text = after
                    .split_once('>')
                    .map(|(_, t)| t)
                    .unwrap_or("")
                    .split("</div>")
                    .next()
                    .unwrap_or("");
                let msg = text.split_once(": ").map_or(text, |(_, m)| m);
                out.push(Some(msg.to_string()));
                rest = &rest[e + 10..];
            }
            _ => break,
        }
    }
    out
}

fn category(outcome: &Option<String>) -> &'static str {
    match outcome.as_deref() {
        None => "drawn (sanitized)",
        Some(m) if m.starts_with("diagram not drawn") => "refused before drawing (style pre-check)",
        Some(m) if m.contains("refusing to emit it") => "drawn, then refused by the active-content re-read",
        Some(m) if m.starts_with("cannot draw the diagram") => "drawing library refused",
        Some(m) if m.starts_with("diagram too large") => "over a drawing budget",
        Some(_) => "invalid (designdoc's parser)",
    }
}

/// The copy of a page chromium opens: CSP meta and the page's own scripts removed, the
/// event harness added before `</body>`.
fn browser_copy(html: &str, port: u16) -> String {
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    let tags = scan(html);
    for (k, tag) in tags.iter().enumerate() {
        if tag.end_tag {
            continue;
        }
        if tag.name == "meta"
            && tag
                .attrs
                .iter()
                .any(|(k, v)| k == "http-equiv" && v.eq_ignore_ascii_case("content-security-policy"))
        {
            cuts.push((tag.at, tag.end));
        }
        if own_script(tag) {
            let close = tags[k + 1..]
                .iter()
                .find(|t| t.end_tag && t.name == "script")
                .map_or(tag.end, |t| t.end);
            cuts.push((tag.at, close));
        }
    }
    let harness = harness(port);
    let mut out = String::with_capacity(html.len() + harness.len());
    let mut from = 0;
    for (a, b) in cuts {
        out.push_str(&html[from..a]);
        from = b;
    }
    out.push_str(&html[from..]);
    assert!(
        !out.to_ascii_lowercase().contains("content-security-policy"),
        "CSP left in the copy"
    );
    match out.rfind("</body>") {
        Some(at) => out.insert_str(at, &harness),
        None => out.push_str(&harness),
    }
    out
}

/// Our harness (not the page's): after load, fire the events an injected handler would
/// wait for on every element of every inline SVG, then mark that it ran. A control SVG
/// with a handler of our own, and a load from the listener, show that the harness would
/// see a handler and an outside load if the page had one.
fn harness(port: u16) -> String {
    r#"<script>
window.pwned = function (n) { document.title = 'PWNED-' + n; };
window.addEventListener('load', function () {
  var control = document.createElement('div');
  control.innerHTML = '<svg><rect width="9" height="9" onmouseover="document.body.setAttribute(\'data-control\', \'fired\')"></rect></svg>';
  document.body.appendChild(control);
  new Image().src = 'http://127.0.0.1:PORT/control';
  var els = document.querySelectorAll('svg, svg *');
  var mouse = ['mouseover', 'mouseenter', 'mousemove', 'mousedown', 'mouseup', 'click', 'dblclick', 'contextmenu', 'mouseout', 'mouseleave', 'wheel'];
  var pointer = ['pointerover', 'pointerenter', 'pointerdown', 'pointerup', 'pointermove'];
  var focus = ['focus', 'focusin', 'blur', 'focusout'];
  for (var i = 0; i < els.length; i++) {
    var el = els[i];
    var fire = function (ev) { try { el.dispatchEvent(ev); } catch (e) {} };
    mouse.forEach(function (t) { fire(new MouseEvent(t, {bubbles: true, cancelable: true, view: window})); });
    pointer.forEach(function (t) { fire(new PointerEvent(t, {bubbles: true, cancelable: true})); });
    focus.forEach(function (t) { fire(new FocusEvent(t, {bubbles: t === 'focusin' || t === 'focusout'})); });
    ['keydown', 'keyup'].forEach(function (t) { fire(new KeyboardEvent(t, {bubbles: true, key: 'Enter'})); });
    ['load', 'error', 'animationstart', 'transitionend'].forEach(function (t) { fire(new Event(t)); });
    try { if (el.focus) el.focus(); } catch (e) {}
  }
  control.remove();
  setTimeout(function () { document.body.setAttribute('data-harness', 'done ' + els.length); }, 100);
});
</script>
"#
    .replace("PORT", &port.to_string())
}

/// What a dumped DOM shows ran: `PWNED` in the title or a `data-pwned` attribute.
fn executed(dom: &str) -> Option<String> {
    let title = dom
        .split_once("<title>")
        .and_then(|(_, t)| t.split_once("</title>"))
        .map_or("", |(t, _)| t);
    if title.contains("PWNED") {
        return Some(format!("title became `{title}`"));
    }
    if let Some(at) = dom.find("data-pwned=") {
        return Some(format!("`{}`", &dom[at..(at + 40).min(dom.len())]));
    }
    None
}

/// Opens each file in chromium (a few at a time); the dumped DOMs, in order.
fn dump_all(files: &[PathBuf], profiles: &Path) -> Vec<String> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, String)>> = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism().map_or(4, |n| n.get()).clamp(2, 8);
    std::thread::scope(|s| {
        for w in 0..workers {
            let (next, results) = (&next, &results);
            s.spawn(move || {
                loop {
                    let k = next.fetch_add(1, Ordering::SeqCst);
                    let Some(file) = files.get(k) else { break };
                    let profile = profiles.join(format!("profile-{w}-{k}"));
                    let url = format!("file://{}", file.display());
                    let dom = common::browser(&profile, &["--dump-dom", &url]);
                    results.lock().unwrap().push((k, dom));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(k, _)| *k);
    results.into_iter().map(|(_, d)| d).collect()
}

/// A local listener standing in for a remote host; it records the request lines it gets.
fn listener() -> (u16, Arc<Mutex<Vec<String>>>, Arc<AtomicBool>) {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    l.set_nonblocking(true).expect("nonblocking");
    let port = l.local_addr().expect("addr").port();
    let hits = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let (h, st) = (Arc::clone(&hits), Arc::clone(&stop));
    std::thread::spawn(move || {
        while !st.load(Ordering::SeqCst) {
            match l.accept() {
                Ok((s, _)) => {
                    let _ = s.set_nonblocking(false);
                    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
                    let mut line = String::new();
                    let _ = BufReader::new(&s).read_line(&mut line);
                    h.lock().unwrap().push(line.trim().to_string());
                }
                Err(_) => std::thread::sleep(Duration::from_millis(10)),
            }
        }
    });
    (port, hits, stop)
}

struct Page {
    /// `site` or `hub`, and the doc's file name.
    origin: &'static str,
    doc: usize,
    html: String,
}

#[test]
fn svg_style_and_label_injection_never_runs() {
    let started = Instant::now();
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let (port, hits, stop) = listener();
    let cases = corpus(port);
    assert!(cases.len() >= 40, "{} cases", cases.len());

    let folder = dir.join(SPACE);
    std::fs::create_dir_all(&folder).expect("mkdir");
    let docs: Vec<&[Case]> = cases.chunks(PER_DOC).collect();
    for (d, chunk) in docs.iter().enumerate() {
        let mut md = format!("# Injection corpus {d}\n\n## Diagrams\n\n");
        for (k, case) in chunk.iter().enumerate() {
            md.push_str(&format!(
                "Case {}: {} ({}).\n\n```mermaid\n{}```\n\n",
                d * PER_DOC + k,
                case.place,
                case.shape.replace(['<', '>', '&', '`', '\\', '*', '_', '[', ']'], " "),
                case.src
            ));
        }
        std::fs::write(folder.join(format!("xss-{d:02}.md")), md).expect("write doc");
    }

    // The static site.
    let out = dir.join("site");
    let built = Command::new(env!("CARGO_BIN_EXE_designdoc"))
        .current_dir(dir)
        .args(["build", SPACE, "-o"])
        .arg(&out)
        .env_remove("DESIGNDOC_DATABASE_URL")
        .output()
        .expect("run designdoc build");
    println!("built in {:.1} s", started.elapsed().as_secs_f64());
    let mut pages = Vec::new();
    for d in 0..docs.len() {
        let path = out.join("docs").join(format!("xss-{d:02}.html"));
        let html = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e}\n{}{}",
                path.display(),
                String::from_utf8_lossy(&built.stdout),
                String::from_utf8_lossy(&built.stderr)
            )
        });
        pages.push(Page {
            origin: "site",
            doc: d,
            html,
        });
    }
    // Every generated doc page is checked, not only the ones we expect.
    let generated = std::fs::read_dir(out.join("docs"))
        .expect("docs folder")
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .count();
    assert_eq!(generated, docs.len(), "pages under docs/");

    // The hub, publishing the folder at start.
    let db = format!("sqlite://{}", dir.join("hub.db").display());
    let (hub, addr) = common::start_hub(dir, &["--database", &db, SPACE]);
    for d in 0..docs.len() {
        let (status, _, body) = common::get(&addr, &format!("/doc/{SPACE}/xss-{d:02}.md"));
        assert_eq!(status, 200, "hub page {d}: {body}");
        pages.push(Page {
            origin: "hub",
            doc: d,
            html: body,
        });
    }
    drop(hub);
    println!("hub pages after {:.1} s", started.elapsed().as_secs_f64());

    let case_of = |doc: usize, diagram: usize| -> Option<(usize, &Case)> {
        let n = doc * PER_DOC + diagram.checked_sub(1)?;
        cases.get(n).map(|c| (n, c))
    };
    let describe = |n: usize, c: &Case| format!("case {n} [{} / {}]:\n{}", c.place, c.shape, c.src);
    let mut problems: Vec<String> = Vec::new();

    // (a) Static: what a browser's tokenizer would find.
    let mut tally: std::collections::BTreeMap<(&str, &str), usize> = Default::default();
    for page in &pages {
        let got = outcomes(&page.html);
        let expected = docs[page.doc].len();
        if got.len() != expected {
            problems.push(format!(
                "{} doc {}: {} diagrams found, {expected} expected",
                page.origin,
                page.doc,
                got.len()
            ));
        }
        for o in &got {
            *tally.entry((page.origin, category(o))).or_default() += 1;
        }
        for (diagram, what) in findings(&page.html) {
            let case = case_of(page.doc, diagram).map_or("outside any diagram".to_string(), |(n, c)| describe(n, c));
            problems.push(format!("{} doc {}: {what}\n  in {case}", page.origin, page.doc));
        }
    }
    // Which places reached the drawing library (and so the sanitizer).
    let mut drawn_places: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
    for page in pages.iter().filter(|p| p.origin == "site") {
        for (k, o) in outcomes(&page.html).iter().enumerate() {
            if let Some((_, c)) = case_of(page.doc, k + 1) {
                let e = drawn_places.entry(c.place).or_default();
                e.1 += 1;
                if o.is_none() {
                    e.0 += 1;
                }
            }
        }
    }
    if std::env::var_os("SVG_XSS_VERBOSE").is_some() {
        for page in pages.iter().filter(|p| p.origin == "site") {
            for (k, o) in outcomes(&page.html).iter().enumerate() {
                if let Some((n, c)) = case_of(page.doc, k + 1) {
                    println!("{n} [{} / {}] {}", c.place, c.shape, o.as_deref().unwrap_or("drawn"));
                }
            }
        }
    }
    println!("{} payloads in {} docs", cases.len(), docs.len());
    for ((origin, what), count) in &tally {
        println!("  {origin}: {count} {what}");
    }
    println!("  drawn/total per place:");
    for (place, (drawn, total)) in &drawn_places {
        println!("    {drawn:>2}/{total:<2} {place}");
    }
    let drawn: usize = drawn_places.values().map(|v| v.0).sum();
    assert!(
        drawn >= 40,
        "only {drawn} diagrams reached the drawing library and the sanitizer"
    );

    // (b) In a browser, without CSP, with events fired.
    if designdoc_testkit::require_chromium().is_some() {
        let browse = dir.join("browser");
        std::fs::create_dir_all(&browse).expect("mkdir");
        let mut files = Vec::new();
        for page in &pages {
            let copy = browse.join(format!("{}-{:02}.html", page.origin, page.doc));
            std::fs::write(&copy, browser_copy(&page.html, port)).expect("write copy");
            files.push(copy);
        }
        let doms = dump_all(&files, &browse);
        for (page, dom) in pages.iter().zip(&doms) {
            let fired_on = dom
                .split_once("data-harness=\"done ")
                .and_then(|(_, r)| r.split('"').next())
                .unwrap_or("?");
            println!(
                "  browser: {} doc {}: events fired on {fired_on} SVG elements",
                page.origin, page.doc
            );
            if !dom.contains("data-harness=\"done ") {
                problems.push(format!(
                    "{} doc {}: the harness did not run (chromium printed {} bytes)",
                    page.origin,
                    page.doc,
                    dom.len()
                ));
            }
            if !dom.contains("data-control=\"fired\"") {
                problems.push(format!(
                    "{} doc {}: the harness's own control handler did not fire",
                    page.origin, page.doc
                ));
            }
            if let Some(what) = executed(dom) {
                let n = dom
                    .split("PWNED-")
                    .nth(1)
                    .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
                    .and_then(|n| n.parse::<usize>().ok());
                let case = n
                    .and_then(|n| cases.get(n).map(|c| describe(n, c)))
                    .unwrap_or_else(|| "an unknown case".to_string());
                problems.push(format!(
                    "{} doc {}: script ran: {what}\n  from {case}",
                    page.origin, page.doc
                ));
            }
        }
        std::thread::sleep(Duration::from_millis(200));
        let hits = hits.lock().unwrap().clone();
        let controls = hits.iter().filter(|h| h.contains("/control")).count();
        if controls != pages.len() {
            problems.push(format!(
                "{controls} of {} control loads reached the listener: outside loads would go unseen",
                pages.len()
            ));
        }
        for h in hits.iter().filter(|h| !h.contains("/control")) {
            let n = h
                .split("PWNED-")
                .nth(1)
                .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
                .and_then(|n| n.parse::<usize>().ok());
            let case = n
                .and_then(|n| cases.get(n).map(|c| describe(n, c)))
                .unwrap_or_else(|| "an unknown case".to_string());
            problems.push(format!("a page loaded from outside: `{h}`\n  from {case}"));
        }
    }
    stop.store(true, Ordering::SeqCst);
    println!("svg_xss: {:.1} s", started.elapsed().as_secs_f64());
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn scanner_reads_attributes_as_a_browser_does() {
    let names = |html: &str| -> Vec<String> {
        scan(html)
            .into_iter()
            .flat_map(|t| t.attrs.into_iter().map(|(k, _)| k))
            .collect()
    };
    assert_eq!(names("<rect/onclick=x>"), ["onclick"]);
    assert_eq!(names("<rect fill=\"a\"onclick=x>"), ["fill", "onclick"]);
    assert_eq!(names("<rect \"onclick=x>"), ["\"onclick"]);
    assert_eq!(names("<rect fill='a\" onclick=\"x'>"), ["fill"]);
    assert_eq!(names("<!--><img onerror=x>-->"), ["onerror"]);
    assert_eq!(names("<text>a &lt;img onerror=x&gt;</text>"), Vec::<String>::new());
    let found = |html: &str| findings(html).into_iter().map(|(_, w)| w).collect::<Vec<_>>();
    assert!(found("<svg><rect fill=\"url(#a)\"/></svg>").is_empty());
    assert_eq!(found("<svg><rect fill=\"url( http://x )\"/></svg>").len(), 1);
    assert_eq!(found("<svg><a href=\"java&#x09;script&colon;x\">y</a></svg>").len(), 3);
    assert_eq!(found("<p><script src=\"../assets/site.js\"></script></p>").len(), 0);
    assert_eq!(found("<p><script>x</script></p>").len(), 1);
}
