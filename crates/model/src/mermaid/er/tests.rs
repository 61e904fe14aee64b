//! ER parser tests. Every verdict in `ORACLE` was checked against Mermaid 11.17.2's own
//! `mermaid.parse` (tools/mermaid-oracle).

use super::super::{DiagramModel, parse_diagram};
use super::{Cardinality, ErDiagram, KeyKind};

/// `(source, Mermaid accepts it)`.
const ORACLE: &[(&str, bool)] = &[
    ("erDiagram\nA ||--|| B : one", false),
    ("erDiagram\nA |o--o| B : x", true),
    ("erDiagram\nA }|--|{ B : x", true),
    ("erDiagram\nA }o--o{ B : x", true),
    ("erDiagram\nA o{--}| B : reversed", true),
    ("erDiagram\nA ||..o{ B : x", true),
    ("erDiagram\nA ||.-o{ B : x", true),
    ("erDiagram\nA ||-.o{ B : x", true),
    ("erDiagram\nA one or more to zero or many B : x", true),
    ("erDiagram\nA one or zero optionally to one or many B : x", true),
    ("erDiagram\nA only one to zero or one B : x", true),
    ("erDiagram\nA 1+ to 0+ B : x", true),
    ("erDiagram\nA many(0) to many(1) B : x", true),
    ("erDiagram\nA many to one B : x", true),
    ("erDiagram\nA 1 to 1 B : x", true),
    ("erDiagram\nA 1--1 B : x", true),
    ("erDiagram\nA u--o{ B : x", true),
    ("erDiagram\nA ONE OR MORE TO ZERO OR MANY B : x", true),
    ("erDiagram\nA ||--o{ B : \"quoted label\"", true),
    ("erDiagram\nA ||--o{ B : \"\"", true),
    ("erDiagram\nA ||--o{ B : \"50% off\"", true),
    ("erDiagram\nA ||--o{ B : has-many.things", true),
    ("erDiagram\nA ||--o{ B : places order", true),
    ("erDiagram\n\"Big A\" ||--o{ \"B b\" : x", true),
    ("erDiagram\né ||--o{ 顧客 : ü", true),
    ("erDiagram\n1 ||--|| 2 : x", true),
    ("erDiagram\nA:::hot ||--o{ B:::cold,warm : x", true),
    (
        "erDiagram\nA {\n  string id PK \"the key\"\n  int b_id FK\n  string email UK\n  int both PK, FK\n  int all PK,FK,UK \"c\"\n  string? nick\n  List~int~ tags\n  string `full name`\n  *star name\n}",
        true,
    ),
    ("erDiagram\nA { string id PK }", true),
    ("erDiagram\nA {}", true),
    ("erDiagram\nA[\"Alias A\"] { string id }", true),
    ("erDiagram\nA[alias]:::hot { string id }", true),
    ("erDiagram\nA[alias]", true),
    ("erDiagram\nA:::hot", true),
    ("erDiagram\nA B C", true),
    ("erDiagram\ndirection LR\nA", true),
    (
        "erDiagram\nclassDef hot fill:#f00,stroke:#333,stroke-width:4px\nclass A,B hot\nstyle A fill:#f9f\nA",
        true,
    ),
    ("erDiagram\nclassDef hot fill:#f00;\nA", true),
    (
        "erDiagram\naccTitle: Title here\naccDescr: Description here\naccDescr {\n  multi\n  line\n}\nA",
        true,
    ),
    ("erDiagram\n%% a comment\nA ||--o{ B : x\n  %% indented comment", true),
    ("erDiagram\n%%{init: {\"theme\": \"dark\"}}%%\nA", true),
    ("---\ntitle: Shop\n---\nerDiagram\nA ||--o{ B : x", true),
    ("erDiagram\nsubgraph G [Group title]\n  A ||--o{ B : x\nend", true),
    ("erDiagram\ntitle Not a title", true),
    ("erDiagram CUSTOMER ||--o{ ORDER : places", true),
    ("erDiagram\nA ||--o{ B : x C ||--o{ D : y", true),
    ("erDiagram\nA ||--o{ B : x", true),
    ("erDiagram\nA ||--o{ B", false),
    ("erDiagram\nA ||--x{ B : x", false),
    ("erDiagram\nA ||--o B : x", false),
    ("erDiagram\nA || o{ B : x", false),
    ("erDiagram\nA ||--o{ : x", false),
    ("erDiagram\nA ||--o{ B :", false),
    ("erDiagram\nA ||--o{ B : has many", false),
    ("erDiagram\nA ||--o{ B : 1", false),
    ("erDiagram\nA ||--o{ B : x; C", false),
    ("erDiagram\nA ||--o{ B : x %% trailing comment", false),
    ("erDiagram\n%%\nA", false),
    ("erDiagram\nA {\n  string id", false),
    ("erDiagram\nA {\n  string\n}", false),
    ("erDiagram\nA {\n  string id PK FK\n}", false),
    ("erDiagram\nA {\n  string id PK,\n}", false),
    ("erDiagram\nA {\n  string pk\n}", false),
    ("erDiagram\nA {\n  PK string id\n}", false),
    ("erDiagram\nA {\n  2fa string\n}", false),
    ("erDiagram\nA {{ string id }", false),
    ("erDiagram\nA { string `id }", false),
    ("erDiagram\nA[\"a%b\"]", false),
    ("erDiagram\nA[alias", false),
    ("erDiagram\nA[x] ||--o{ B : y", false),
    ("erDiagram\n\"A%\" ||--o{ B : y", false),
    ("erDiagram\none-thing ||--o{ B : y", false),
    ("erDiagram\nend-user ||--o{ B : y", false),
    ("erDiagram\nu-turn ||--o{ B : y", false),
    ("erDiagram\nto ||--o{ B : y", false),
    ("erDiagram\n}", false),
    ("erDiagram\n||--o{ B : y", false),
    ("erDiagram\nend", false),
    ("erDiagram\nsubgraph G\nA", false),
    ("erDiagram\nsubgraph G;\nA\nend", false),
    ("erDiagram\nstyle A", false),
    ("erDiagram\nstyle A stroke-width:0.5px", false),
    ("erDiagram\nstyle A fill:#f00 \nA ||--o{ B : x", false),
    ("erDiagram\nA ||--o{ B : x\nclassDef hot fill:#f00 ", false),
    ("erDiagram\nclass \"A\" hot", false),
    ("erDiagram\naccDescr {\n never closed", false),
    ("erDiagram\nA:::", false),
    ("---\ntitle: x\n  ---\nerDiagram\nA", false),
    ("erDiagram\nA ||--o{ B : x\nB ||--o{ C : \"y\"\nC }|..|{ D : z", true),
    ("erDiagram\r\nA ||--o{ B : x\r\nB {\r\n  string id\r\n}", true),
    ("erDiagram\nA ||--o{ B : x #amp; y", true),
    ("erDiagram\nA { string x \"a\nb\" }", true),
];

#[test]
fn verdicts_agree_with_mermaid() {
    let mut wrong = Vec::new();
    for &(src, ok) in ORACLE {
        let d = parse_diagram(src);
        if d.errors.is_empty() != ok {
            wrong.push(format!("{src:?}: mermaid ok={ok}, ours {:?}", d.errors.first()));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

fn er(src: &str) -> ErDiagram {
    let d = parse_diagram(src);
    assert!(d.errors.is_empty(), "{src:?}: {:?}", d.errors);
    match d.model {
        DiagramModel::Er(er) => er,
        _ => panic!("not an ER model"),
    }
}

/// The first error: message and the source text it points at.
fn error(src: &str) -> (String, String) {
    let d = parse_diagram(src);
    let e = d.errors.first().unwrap_or_else(|| panic!("{src:?} was accepted"));
    (
        e.message.clone(),
        src.get(e.range.clone()).unwrap_or("<bad range>").to_string(),
    )
}

#[test]
fn cardinalities_symbols_and_words() {
    use Cardinality::*;
    let d = er("erDiagram\n\
        A |o--o| B : a\n\
        A ||..|| B : b\n\
        A }o--o{ B : c\n\
        A }|.-|{ B : d\n\
        A o{-.}| B : e\n\
        A one or zero to zero or one B : f\n\
        A only one optionally to one B : g\n\
        A zero or more to zero or many B : h\n\
        A one or more to one or many B : i\n\
        A 0+ to 1+ B : j\n\
        A many(0) to many(1) B : k\n\
        A many to 1 B : l\n\
        A u--o{ B : m\n");
    let got: Vec<(Cardinality, bool, Cardinality)> = d
        .relationships
        .iter()
        .map(|r| (r.left_card, r.identifying, r.right_card))
        .collect();
    assert_eq!(
        got,
        vec![
            (ZeroOrOne, true, ZeroOrOne),
            (ExactlyOne, false, ExactlyOne),
            (ZeroOrMore, true, ZeroOrMore),
            (OneOrMore, false, OneOrMore),
            (ZeroOrMore, false, OneOrMore),
            (ZeroOrOne, true, ZeroOrOne),
            (ExactlyOne, false, ExactlyOne),
            (ZeroOrMore, true, ZeroOrMore),
            (OneOrMore, true, OneOrMore),
            (ZeroOrMore, true, OneOrMore),
            (ZeroOrMore, true, OneOrMore),
            (ZeroOrMore, true, ExactlyOne),
            (MdParent, true, ZeroOrMore),
        ]
    );
    assert_eq!(d.entities.len(), 2);
}

#[test]
fn entities_attributes_aliases_and_labels() {
    let d = er("erDiagram\n\
        CUSTOMER[\"Customer account\"] {\n\
          string id PK \"the key\"\n\
          int org_id PK, FK\n\
          string? nick\n\
          List~int~ tags uk\n\
          string `full name`\n\
        }\n\
        CUSTOMER ||--o{ \"ORDER LINE\" : \"places many\"\n\
        \"ORDER LINE\" }|..|| p : x\n\
        p[Person]\n\
        p ||--|| CUSTOMER : is-a\n");
    assert_eq!(d.entities[2].alias.as_deref(), Some("Person"));
    assert_eq!(d.relationships[2].label, "is-a");
    let c = &d.entities[0];
    assert_eq!(
        (c.name.as_str(), c.alias.as_deref(), c.defined),
        ("CUSTOMER", Some("Customer account"), true)
    );
    let attrs: Vec<(&str, &str, &[KeyKind], Option<&str>)> = c
        .attributes
        .iter()
        .map(|a| (a.ty.as_str(), a.name.as_str(), a.keys.as_slice(), a.comment.as_deref()))
        .collect();
    assert_eq!(
        attrs,
        vec![
            ("string", "id", &[KeyKind::Pk][..], Some("the key")),
            ("int", "org_id", &[KeyKind::Pk, KeyKind::Fk][..], None),
            ("string?", "nick", &[][..], None),
            ("List~int~", "tags", &[KeyKind::Uk][..], None),
            ("string", "full name", &[][..], None),
        ]
    );
    let src = "erDiagram\n  A ||--o{ \"B b\" : \"has lines\"\n  B2[x]\n";
    let d = er(src);
    assert_eq!(d.relationships[0].label, "has lines");
    assert_eq!(d.entities[1].name, "B b");
    assert!(!d.entities[1].defined);
    assert_eq!(d.entities[2].alias.as_deref(), Some("x"));
    assert_eq!(
        &src[d.relationships[0].range.clone()],
        "A ||--o{ \"B b\" : \"has lines\""
    );
    assert_eq!(&src[d.entities[1].range.clone()], "\"B b\"");
}

#[test]
fn statements_need_no_separator() {
    // Mermaid reads `order` as a second statement (an entity), not as part of the label.
    let d = er("erDiagram\n  A ||--o{ B : places order\n");
    assert_eq!(d.relationships[0].label, "places");
    assert_eq!(
        d.entities.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(),
        ["A", "B", "order"]
    );
}

#[test]
fn error_messages_point_at_the_problem() {
    let cases: &[(&str, &str, &str)] = &[
        ("erDiagram\n  A ||--o{ B\n", "needs a label after `:`", "A ||--o{ B"),
        (
            "erDiagram\n  A ||--x{ B : x\n",
            "cannot read relationship `||--x{`",
            "||--x{",
        ),
        (
            "erDiagram\n  A ||  o{ B : x\n",
            "cannot read relationship `||  o{`",
            "||  o{",
        ),
        (
            "erDiagram\n  A {\n    string id\n",
            "`{` of entity `A` is never closed",
            "{",
        ),
        (
            "erDiagram\n  A {\n    string id PK FK\n  }\n",
            "separated by commas",
            "FK",
        ),
        ("erDiagram\n  A {\n    string pk\n  }\n", "are keys, not names", "pk"),
        (
            "erDiagram\n  A {\n    string\n  }\n",
            "an attribute name after type `string`",
            "}",
        ),
        (
            "erDiagram\n  A ||--o{ B : has many\n",
            "quote a label of several words",
            "many",
        ),
        ("erDiagram\n  A ||--o{ B : 1\n", "a relationship label after `:`", "1"),
        (
            "erDiagram\n  A ||--o{ B : x; C\n",
            "do not separate statements with `;`",
            ";",
        ),
        ("erDiagram\n  A ||--o{ B : x %% note\n", "on a line of its own", "%"),
        (
            "erDiagram\n  end-user ||--o{ B : x\n",
            "this `end` closes no `subgraph`",
            "end",
        ),
        (
            "erDiagram\n  subgraph G\n  A\n",
            "subgraph `G` is never closed",
            "subgraph",
        ),
        (
            "erDiagram\n  style A stroke-width:0.5px\n",
            "unexpected `.` in a style",
            ".",
        ),
        (
            "erDiagram\n  style A fill:#f00 \n  A ||--o{ B : x\n",
            "runs on into the next line",
            " ",
        ),
        ("erDiagram\n  accDescr {\n  text\n", "`accDescr {` is never closed", "a"),
        ("erDiagram\n  A[\"a%b\"]\n", "an alias inside `[...]`", "\"a%b\""),
        ("---\ntitle: x\n  ---\nerDiagram\n  A\n", "front matter", "---"),
    ];
    for &(src, message, at) in cases {
        let (got, text) = error(src);
        assert!(got.contains(message), "{src:?}: {got}");
        assert_eq!(text, at, "{src:?}: {got}");
    }
}

#[test]
fn positions_survive_mermaid_rewrites() {
    // CRLF, removed comment lines and `#entity;` rewrites happen before lexing; errors still
    // point into the original text.
    let (_, at) = error("erDiagram\r\n  %% note\r\n  A ||--o{ B : x\r\n  C ||--x{ D : y\r\n");
    assert_eq!(at, "||--x{");
    let (_, at) = error("erDiagram\n  A ||--o{ B : #amp; x\n  C ||--o{ D : é;\n");
    assert_eq!(at, ";");
    let (_, at) = error("erDiagram\n  %%{init: {}}%%\n  A ||--o{ B : x\n  C {\n");
    assert_eq!(at, "{");
}

#[test]
fn never_panics_and_stays_linear() {
    let nasty = [
        "erDiagram\n\"",
        "erDiagram\nA {\"",
        "erDiagram\nA { `",
        "erDiagram\nA { x~",
        "erDiagram\n%%{",
        "erDiagram\n%%{a",
        "erDiagram\naccTitle:",
        "erDiagram\naccDescr {",
        "erDiagram\nstyle",
        "erDiagram\nA ||",
        "erDiagram\nA ||--",
        "erDiagram\né\u{2028}ü\u{85}\u{a0}x",
        "erDiagram\n#;#a;#1;",
        "erDiagram\nstyle a b:#c;d;",
        "---\n",
        "---",
        "erDiagram",
        "erDiagram\r",
    ];
    for src in nasty {
        let _ = parse_diagram(src);
    }
    // Every prefix of a rich diagram, cut at every char boundary.
    let rich = "erDiagram\n  A:::c ||--o{ \"B\" : \"x\"\n  A[é] { string? `n` PK, FK \"c\" List~a~ b }\n  style A fill:#f00;\n  %% c\n  accDescr {\n x\n }\n";
    for (i, _) in rich.char_indices() {
        let _ = parse_diagram(&rich[..i]);
    }
    // One long line of tokens, many entities, a long key list: all linear.
    let many: String = (0..10_000).map(|i| format!("E{i} ||--o{{ E{} : r ", i + 1)).collect();
    let d = parse_diagram(&format!("erDiagram\n{many}\n"));
    assert!(d.errors.is_empty());
    let keys = "PK,".repeat(100_000);
    let d = parse_diagram(&format!("erDiagram\nA {{ string id {keys}PK }}\n"));
    assert!(d.errors.is_empty());
    let tildes = "a~ ".repeat(100_000);
    let _ = parse_diagram(&format!("erDiagram\nA {{ {tildes} }}\n"));
    let dirs = "x direction ".repeat(100_000);
    let _ = parse_diagram(&format!("erDiagram\n{dirs}\n"));
}

/// Differential testing aid: `ER_CASES=file.jsonl cargo test -p designdoc-model er_cases --
/// --ignored --nocapture` prints `id<TAB>ok|err<TAB>message` for each `{"id","src"}` line.
#[test]
#[ignore]
fn er_cases() {
    let Ok(path) = std::env::var("ER_CASES") else {
        return;
    };
    let data = std::fs::read_to_string(path).unwrap_or_default();
    for line in data.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap_or_default();
        let src = v["src"].as_str().unwrap_or("");
        let d = parse_diagram(src);
        let verdict = match d.errors.first() {
            None => "ok".to_string(),
            Some(e) => format!(
                "err\t{} at {}..{}",
                e.message.replace(['\n', '\t'], " "),
                e.range.start,
                e.range.end
            ),
        };
        println!("CASE\t{}\t{verdict}", v["id"]);
    }
}

#[test]
#[ignore]
fn er_speed() {
    let src = include_str!("../../../tests/mermaid-corpus/bench-er-8.mmd");
    let t = std::time::Instant::now();
    for _ in 0..10_000 {
        assert!(parse_diagram(src).errors.is_empty());
    }
    println!("SPEED {:?} per diagram", t.elapsed() / 10_000);
}
