//! Exports of diagram models: SQL DDL from an ER diagram (SQLite and PostgreSQL) and
//! Graphviz DOT from a flowchart.
//!
//! DDL rules: one table per entity, columns from attributes (types mapped per dialect),
//! primary key from `PK` attributes (a surrogate `id` when none), a foreign key on the
//! "many" side of each one-to-many relationship (reusing an `FK` attribute named
//! `<entity>_id` when there is one), a unique foreign key for one-to-one, and a junction
//! table for many-to-many. Identifiers are snake_case and always quoted.

use designdoc_model::mermaid::{
    Entity as ErEntity, ErDiagram, Flowchart, KeyKind, Relationship as ErRelationship, Shape,
};
use std::fmt::Write;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// snake_case identifier: lowercase, non-alphanumerics to `_`.
pub fn ident(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let out = out.trim_matches('_').to_string();
    if out.is_empty() { "unnamed".to_string() } else { out }
}

fn quote(id: &str) -> String {
    format!("\"{}\"", id.replace('"', "\"\""))
}

/// Maps a Mermaid attribute type to a column type.
pub fn column_type(ty: &str, dialect: Dialect) -> String {
    let lower = ty.to_ascii_lowercase();
    let base = lower.split(['(', '[']).next().unwrap_or("");
    let args = lower.find('(').map(|i| &ty[i..]).filter(|a| {
        a.ends_with(')')
            && a[1..a.len() - 1]
                .chars()
                .all(|c| c.is_ascii_digit() || c == ',' || c == ' ')
    });
    let pg = match base {
        "int" | "integer" | "int4" | "smallint" | "tinyint" => "INTEGER",
        "bigint" | "long" | "int8" | "serial" | "bigserial" => "BIGINT",
        "float" | "double" | "real" | "float8" | "number" => "DOUBLE PRECISION",
        "decimal" | "numeric" | "money" => "NUMERIC",
        "bool" | "boolean" => "BOOLEAN",
        "date" => "DATE",
        "datetime" | "timestamp" | "timestamptz" | "instant" => "TIMESTAMPTZ",
        "time" => "TIME",
        "uuid" | "guid" => "UUID",
        "json" | "jsonb" | "map" | "object" => "JSONB",
        "blob" | "bytes" | "bytea" | "binary" => "BYTEA",
        "varchar" | "char" => "VARCHAR",
        _ => "TEXT",
    };
    match dialect {
        Dialect::Postgres => match (pg, args) {
            ("VARCHAR" | "NUMERIC", Some(a)) => format!("{pg}{a}"),
            ("VARCHAR", None) => "TEXT".to_string(),
            _ => pg.to_string(),
        },
        Dialect::Sqlite => match pg {
            "INTEGER" | "BIGINT" | "BOOLEAN" => "INTEGER",
            "DOUBLE PRECISION" => "REAL",
            "NUMERIC" => "NUMERIC",
            "BYTEA" => "BLOB",
            _ => "TEXT",
        }
        .to_string(),
    }
}

struct Column {
    name: String,
    ty: String,
    not_null: bool,
    unique: bool,
    references: Option<(String, String)>,
}

struct Table {
    name: String,
    columns: Vec<Column>,
    primary_key: Vec<String>,
    comment: Option<String>,
}

/// SQL DDL for an ER diagram in the given dialect. Deterministic.
pub fn er_to_sql(er: &ErDiagram, dialect: Dialect) -> String {
    let mut tables: Vec<Table> = er.entities.iter().map(|e| entity_table(e, dialect)).collect();
    let mut junctions: Vec<Table> = Vec::new();
    for r in &er.relationships {
        if r.left_card.is_many() && r.right_card.is_many() {
            let name = format!("{}_{}", tables[r.left].name, tables[r.right].name);
            if !tables.iter().chain(junctions.iter()).any(|t| t.name == name) {
                junctions.push(junction_table(name, &r.label, [&tables[r.left], &tables[r.right]]));
            }
        } else {
            add_foreign_key(&mut tables, r);
        }
    }
    tables.extend(junctions);
    write_ddl(&tables, dialect)
}

/// An entity's table: its attributes as columns, and an `id` key when it names none.
fn entity_table(e: &ErEntity, dialect: Dialect) -> Table {
    let mut t = Table {
        name: ident(&e.name),
        columns: Vec::new(),
        primary_key: Vec::new(),
        comment: e.alias.clone(),
    };
    for a in &e.attributes {
        let name = ident(&a.name);
        if t.columns.iter().any(|c| c.name == name) {
            continue;
        }
        let pk = a.keys.contains(&KeyKind::Pk);
        if pk {
            t.primary_key.push(name.clone());
        }
        t.columns.push(Column {
            name,
            ty: column_type(&a.ty, dialect),
            not_null: pk,
            unique: a.keys.contains(&KeyKind::Uk),
            references: None,
        });
    }
    if t.primary_key.is_empty() {
        let ty = match dialect {
            Dialect::Sqlite => "INTEGER",
            Dialect::Postgres => "BIGINT",
        };
        t.columns.insert(
            0,
            Column {
                name: "id".to_string(),
                ty: ty.to_string(),
                not_null: true,
                unique: false,
                references: None,
            },
        );
        t.primary_key.push("id".to_string());
    }
    t
}

/// The type of `table`'s column `name` (TEXT when the key names no column).
fn column_type_of(table: &Table, name: &str) -> String {
    table
        .columns
        .iter()
        .find(|c| c.name == name)
        .map_or("TEXT".to_string(), |c| c.ty.clone())
}

/// A many-to-many relationship's junction table: both sides' keys, together the key.
fn junction_table(name: String, label: &str, sides: [&Table; 2]) -> Table {
    let mut j = Table {
        name,
        columns: Vec::new(),
        primary_key: Vec::new(),
        comment: Some(label.to_string()),
    };
    for side in sides {
        for pk in &side.primary_key {
            let col = format!("{}_{}", side.name, pk);
            j.primary_key.push(col.clone());
            j.columns.push(Column {
                name: col,
                ty: column_type_of(side, pk),
                not_null: true,
                unique: false,
                references: Some((side.name.clone(), pk.clone())),
            });
        }
    }
    j
}

/// A one-to-many or one-to-one relationship as a foreign key on the side that has many
/// (on the right for 1:1).
fn add_foreign_key(tables: &mut [Table], r: &ErRelationship) {
    let (l, rt) = (r.left, r.right);
    let left_many = r.left_card.is_many();
    let (child, parent, parent_card) = if left_many {
        (l, rt, r.right_card)
    } else {
        (rt, l, r.left_card)
    };
    // A self relationship (`EMPLOYEE }o--|| EMPLOYEE : reports_to`) becomes a nullable
    // pointer to the parent row: `child != parent` below keeps it NOT NULL-free.
    let one_to_one = !left_many && !r.right_card.is_many();
    let not_null = !parent_card.is_optional() && child != parent;
    for pk in tables[parent].primary_key.clone() {
        let wanted = if pk == "id" {
            format!("{}_id", tables[parent].name)
        } else {
            format!("{}_{}", tables[parent].name, pk)
        };
        let ty = column_type_of(&tables[parent], &pk);
        let parent_name = tables[parent].name.clone();
        let child_t = &mut tables[child];
        match child_t.columns.iter_mut().find(|c| c.name == wanted) {
            Some(existing) => {
                existing.references = Some((parent_name, pk));
                existing.not_null |= not_null;
                existing.unique |= one_to_one;
            }
            None => child_t.columns.push(Column {
                name: wanted,
                ty,
                not_null,
                unique: one_to_one,
                references: Some((parent_name, pk)),
            }),
        }
    }
}

/// The tables as DDL: SQLite declares foreign keys inline, PostgreSQL adds them after
/// every table exists (tables may refer to each other in any order).
fn write_ddl(tables: &[Table], dialect: Dialect) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "-- Generated by designdoc from an ER diagram ({}).",
        match dialect {
            Dialect::Sqlite => "SQLite",
            Dialect::Postgres => "PostgreSQL",
        }
    );
    if dialect == Dialect::Sqlite {
        out.push_str("PRAGMA foreign_keys = ON;\n");
    }
    for t in tables {
        out.push('\n');
        if let Some(c) = &t.comment {
            let _ = writeln!(out, "-- {}", c.replace('\n', " "));
        }
        let _ = writeln!(out, "CREATE TABLE {} (", quote(&t.name));
        let mut lines: Vec<String> = Vec::new();
        for c in &t.columns {
            let mut line = format!("    {} {}", quote(&c.name), c.ty);
            if c.not_null {
                line.push_str(" NOT NULL");
            }
            if c.unique && !(t.primary_key.len() == 1 && t.primary_key[0] == c.name) {
                line.push_str(" UNIQUE");
            }
            if dialect == Dialect::Sqlite
                && let Some((table, column)) = &c.references
            {
                let _ = write!(line, " REFERENCES {} ({})", quote(table), quote(column));
            }
            lines.push(line);
        }
        lines.push(format!(
            "    PRIMARY KEY ({})",
            t.primary_key.iter().map(|c| quote(c)).collect::<Vec<_>>().join(", ")
        ));
        out.push_str(&lines.join(",\n"));
        out.push_str("\n);\n");
    }
    if dialect == Dialect::Postgres {
        let keys: Vec<(&Table, &Column, &(String, String))> = tables
            .iter()
            .flat_map(|t| {
                t.columns
                    .iter()
                    .filter_map(move |c| c.references.as_ref().map(|r| (t, c, r)))
            })
            .collect();
        if !keys.is_empty() {
            out.push('\n');
        }
        for (t, c, (table, column)) in keys {
            let _ = writeln!(
                out,
                "ALTER TABLE {} ADD FOREIGN KEY ({}) REFERENCES {} ({});",
                quote(&t.name),
                quote(&c.name),
                quote(table),
                quote(column)
            );
        }
    }
    out
}

fn dot_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Graphviz DOT for a flowchart: shapes, labels, subgraphs as clusters, arrow styles.
pub fn flowchart_to_dot(chart: &Flowchart) -> String {
    let rankdir = match chart.direction.as_str() {
        "LR" => "LR",
        "RL" => "RL",
        "BT" => "BT",
        _ => "TB",
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "digraph design {{\n    rankdir={rankdir};\n    node [fontname=\"sans-serif\"];"
    );
    let in_cluster: Vec<bool> = {
        let mut v = vec![false; chart.nodes.len()];
        for s in &chart.subgraphs {
            for &n in &s.nodes {
                v[n] = true;
            }
        }
        v
    };
    let node_line = |i: usize| {
        let n = &chart.nodes[i];
        let (shape, style) = match n.shape {
            Shape::Rect | Shape::Subroutine => ("box", ""),
            Shape::Round | Shape::Stadium => ("box", ", style=rounded"),
            Shape::Cylinder => ("cylinder", ""),
            Shape::Circle => ("circle", ""),
            Shape::DoubleCircle => ("doublecircle", ""),
            Shape::Rhombus => ("diamond", ""),
            Shape::Hexagon => ("hexagon", ""),
            Shape::Asymmetric => ("cds", ""),
            Shape::Parallelogram | Shape::ParallelogramAlt => ("parallelogram", ""),
            Shape::Trapezoid => ("trapezium", ""),
            Shape::TrapezoidAlt => ("invtrapezium", ""),
        };
        format!(
            "{} [label={}, shape={shape}{style}];",
            dot_string(&n.id),
            dot_string(&n.label)
        )
    };
    for (k, s) in chart.subgraphs.iter().enumerate() {
        let _ = writeln!(
            out,
            "    subgraph cluster_{k} {{\n        label={};",
            dot_string(&s.title)
        );
        for &n in &s.nodes {
            let _ = writeln!(out, "        {}", node_line(n));
        }
        out.push_str("    }\n");
    }
    for (i, clustered) in in_cluster.iter().enumerate() {
        if !clustered {
            let _ = writeln!(out, "    {}", node_line(i));
        }
    }
    for e in &chart.edges {
        let mut attrs: Vec<String> = Vec::new();
        if let Some(l) = &e.label {
            attrs.push(format!("label={}", dot_string(l)));
        }
        if e.arrow.contains('.') {
            attrs.push("style=dashed".to_string());
        }
        if e.arrow.contains('=') {
            attrs.push("penwidth=2".to_string());
        }
        let head = e.arrow.ends_with('>') || e.arrow.ends_with('o') || e.arrow.ends_with('x');
        if e.arrow.starts_with('<') && head {
            attrs.push("dir=both".to_string());
        } else if !head {
            attrs.push("dir=none".to_string());
        }
        let attrs = if attrs.is_empty() {
            String::new()
        } else {
            format!(" [{}]", attrs.join(", "))
        };
        let _ = writeln!(
            out,
            "    {} -> {}{attrs};",
            dot_string(&chart.nodes[e.from].id),
            dot_string(&chart.nodes[e.to].id)
        );
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use designdoc_model::mermaid::{DiagramModel, parse_diagram};

    pub(crate) const SHOP: &str = "erDiagram\n    CUSTOMER ||--o{ ORDER : places\n    ORDER ||--|{ LINE_ITEM : contains\n    PRODUCT ||--o{ LINE_ITEM : \"appears in\"\n    ORDER }o--o{ COUPON : uses\n    CUSTOMER ||--o| PROFILE : has\n    CUSTOMER {\n        uuid id PK\n        string email UK\n        datetime created_at\n    }\n    ORDER {\n        int id PK\n        uuid customer_id FK\n        decimal(10,2) total\n    }\n    LINE_ITEM {\n        int quantity\n    }\n    PRODUCT {\n        string sku PK\n        string name\n        bool active\n    }\n    COUPON {\n        string code PK\n    }\n";

    fn er(src: &str) -> ErDiagram {
        match parse_diagram(src).model {
            DiagramModel::Er(e) => e,
            other => panic!("not ER: {other:?}"),
        }
    }

    #[test]
    fn shop_ddl_sqlite() {
        insta::assert_snapshot!(er_to_sql(&er(SHOP), Dialect::Sqlite));
    }

    #[test]
    fn shop_ddl_postgres() {
        insta::assert_snapshot!(er_to_sql(&er(SHOP), Dialect::Postgres));
    }

    #[test]
    fn dot_of_a_flowchart() {
        let DiagramModel::Flowchart(f) = parse_diagram("flowchart LR\n  U((User)) --> G[\"Gateway: edge & core\"]\n  subgraph core [Core]\n    G -.->|check| L{Limiter}\n  end\n  L --- R[(Redis)]\n").model else {
            panic!("not a flowchart")
        };
        insta::assert_snapshot!(flowchart_to_dot(&f));
    }

    #[test]
    fn dot_strings_are_escaped() {
        assert_eq!(dot_string("a \"b\" \\ c\nd"), "\"a \\\"b\\\" \\\\ c\\nd\"");
    }

    #[test]
    fn identifiers_and_types() {
        assert_eq!(ident("LINE-ITEM"), "line_item");
        assert_eq!(ident("Order"), "order");
        assert_eq!(column_type("varchar(255)", Dialect::Postgres), "VARCHAR(255)");
        assert_eq!(column_type("varchar(255)", Dialect::Sqlite), "TEXT");
        assert_eq!(column_type("decimal(10,2)", Dialect::Postgres), "NUMERIC(10,2)");
        assert_eq!(column_type("weird", Dialect::Postgres), "TEXT");
    }
}
