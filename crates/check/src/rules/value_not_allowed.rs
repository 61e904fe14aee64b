//! DD013 value-not-allowed.

use super::{Context, declare_rule};
use crate::diagnostic::Diagnostic;
use designdoc_model::heading_key;

declare_rule! {
    /// Reports a table cell whose value is not one the template allows.
    ///
    /// **What it does.** Where a template cell reads like `High/Med/Low`, the column only
    /// takes those values (case-insensitive; a longer spelling such as `Medium` for `Med`
    /// is accepted). A cell still reading `High/Med/Low` is the template's choice left
    /// unmade.
    ///
    /// **Why.** Risk registers sort and filter on these values; `Severe` or `3` silently
    /// drops a risk out of every view.
    ///
    /// **Example.** `| Data loss | Critical | Low | Backups |` with Impact `High/Med/Low`.
    ///
    /// **Fix.** None: pick one of the allowed values.
    pub struct ValueNotAllowed {
        code: "DD013",
        name: "value-not-allowed",
        level: Error,
        lifecycle: true,
    }
}

pub(super) fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for (_, spec, found) in super::missing_table_column::table_slots(ctx) {
        let Some((_, table)) = found else { continue };
        for (ci, allowed) in spec.allowed.iter().enumerate() {
            let Some(allowed) = allowed else { continue };
            let column_key = heading_key(&spec.columns[ci]);
            let Some(col) = table
                .header
                .iter()
                .position(|c| heading_key(&c.text.text) == column_key)
            else {
                continue;
            };
            for cell in table.rows.iter().filter_map(|row| row.get(col)) {
                let value = cell.text.text.trim();
                if (value.starts_with('[') && value.ends_with(']')) || is_allowed(value, allowed) {
                    continue; // allowed, or an unfilled placeholder reported by DD010
                }
                let column = &spec.columns[ci];
                let message = if value.is_empty() {
                    format!("empty `{column}` value")
                } else if crate::template::choice_list(value).is_some_and(|c| c.len() == allowed.len()) {
                    format!("`{value}` is the template's list of choices for `{column}`")
                } else {
                    format!("`{value}` is not an allowed `{column}`")
                };
                out.push(
                    ctx.diag(&ValueNotAllowed::META, cell.span, message)
                        .with_help(format!("use one of: {}", allowed.join(", "))),
                );
            }
        }
    }
}

fn is_allowed(value: &str, allowed: &[String]) -> bool {
    let v = value.trim_matches(['*', '_', '`']).trim().to_lowercase();
    !v.is_empty()
        && allowed.iter().any(|a| {
            let a = a.to_lowercase();
            v == a || (a.len() >= 3 && v.starts_with(&a) && v.chars().all(char::is_alphabetic))
        })
}

#[cfg(test)]
mod tests {
    use super::is_allowed;

    #[test]
    fn allowed_values() {
        let allowed = vec!["High".to_string(), "Med".to_string(), "Low".to_string()];
        assert!(is_allowed("High", &allowed));
        assert!(is_allowed("**low**", &allowed));
        assert!(is_allowed("Medium", &allowed));
        assert!(!is_allowed("Critical", &allowed));
        assert!(!is_allowed("High/Med/Low", &allowed));
        assert!(!is_allowed("", &allowed));
    }
}
