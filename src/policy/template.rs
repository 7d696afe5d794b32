//! Query templates: `{name}`, `{name_regex}`, `{fqdn}`, `{type}`, `{zone}` and `{window}`
//! substituted into PromQL, each value escaped for a PromQL string literal so a name can never
//! change the query's meaning. `{name_regex}` is the name with regex metacharacters escaped,
//! for label matchers such as `name=~"(.+\\.)?{name_regex}"`.

/// Values for one query.
pub struct Vars<'a> {
    pub name: &'a str,
    pub fqdn: &'a str,
    pub rtype: &'a str,
    pub zone: &'a str,
    pub window: &'a str,
}

const VARIABLES: &[&str] = &["name", "name_regex", "fqdn", "type", "zone", "window"];

/// Checks a template: balanced braces, known variables only. `{{`/`}}` are literal braces;
/// a `{` that does not start a known variable is PromQL's own (label matchers) and kept.
pub fn check(template: &str) -> Result<(), String> {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        if let Some(close) = after.find('}') {
            let inner = &after[..close];
            if inner.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !inner.is_empty()
                && !VARIABLES.contains(&inner)
            {
                return Err(format!(
                    "unknown variable `{{{inner}}}`; the variables are {}",
                    VARIABLES
                        .iter()
                        .map(|v| format!("`{{{v}}}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        rest = after;
    }
    Ok(())
}

/// Substitutes the variables. Values go inside PromQL string literals, so `\`, `"`, `'` and
/// control characters are escaped; `{window}` is a duration and inserted as is.
pub fn render(template: &str, vars: &Vars<'_>) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let value = match &after[..close] {
                "name" => escape(vars.name),
                "name_regex" => escape(&regex_escape(vars.name)),
                "fqdn" => escape(vars.fqdn),
                "type" => escape(vars.rtype),
                "zone" => escape(vars.zone),
                "window" => vars.window.to_string(),
                _ => return None,
            };
            Some((value, close))
        });
        match value {
            Some((value, close)) => {
                out.push_str(&value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Escapes RE2 metacharacters, so that a name matches only itself inside a regex.
pub fn regex_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 8);
    for c in value.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Escapes text for a PromQL double- or single-quoted string literal.
pub fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars<'a>(name: &'a str) -> Vars<'a> {
        Vars {
            name,
            fqdn: "x.",
            rtype: "A",
            zone: "example.com",
            window: "2w",
        }
    }

    #[test]
    fn substitutes_variables_and_keeps_label_matchers() {
        let q = render(
            r#"sum(increase(dns_resolutions_total{name="{name}",type="{type}"}[{window}]))"#,
            &vars("autologon.example.com"),
        );
        assert_eq!(
            q,
            r#"sum(increase(dns_resolutions_total{name="autologon.example.com",type="A"}[2w]))"#
        );
    }

    #[test]
    fn escapes_values_so_they_cannot_break_out_of_the_literal() {
        let q = render(
            r#"x{name="{name}"}"#,
            &vars(r#"a"} or vector(1) or x{y="\"#),
        );
        assert_eq!(q, r#"x{name="a\"} or vector(1) or x{y=\"\\"}"#);
    }

    #[test]
    fn name_regex_escapes_dots_then_the_literal() {
        let q = render(r#"x{name=~"(.+\\.)?{name_regex}"}"#, &vars("a.example.com"));
        assert_eq!(q, r#"x{name=~"(.+\\.)?a\\.example\\.com"}"#);
    }

    #[test]
    fn rejects_unknown_variables() {
        assert!(check("x{name=\"{nmae}\"}").unwrap_err().contains("{nmae}"));
        assert!(check(r#"sum(x{zone="{zone}"}[{window}])"#).is_ok());
    }
}
