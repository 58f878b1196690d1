//! Reading the template text: where a name is first used, and which expression an error blames.

/// The source text the engine blamed; when it blamed a filter (`x | tojson` reports `tojson`),
/// the expression the filter was applied to.
pub(super) fn failing_expression(template: &str, range: std::ops::Range<usize>) -> Option<&str> {
    let blamed = template.get(range.clone())?.trim();
    let before = template.get(..range.start)?;
    if before.trim_end().ends_with('|') {
        let pipe = before.rfind('|')?;
        let open = before[..pipe]
            .rfind("{{")
            .or_else(|| before[..pipe].rfind("{%"))?;
        let filtered = before[open + 2..pipe].trim();
        if !filtered.is_empty() {
            return Some(filtered);
        }
    }
    Some(blamed).filter(|s| !s.is_empty())
}

/// The line of the first `{{ ... }}` or `{% ... %}` tag that reads `name`.
pub(super) fn first_use_line(template: &str, name: &str) -> usize {
    let mut from = 0;
    while let Some(open) = ["{{", "{%"]
        .iter()
        .filter_map(|o| template[from..].find(o).map(|at| from + at))
        .min()
    {
        let close = if template[open..].starts_with("{{") {
            "}}"
        } else {
            "%}"
        };
        let end = template[open..]
            .find(close)
            .map_or(template.len(), |at| open + at + close.len());
        if let Some(at) = name_position(&template[open..end], name) {
            return template[..open + at].matches('\n').count() + 1;
        }
        from = end;
    }
    1
}

/// Where `name` occurs in `tag` as a name of its own: not part of a longer identifier, not an
/// attribute (`x.name`), not inside quotes.
fn name_position(tag: &str, name: &str) -> Option<usize> {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    tag.match_indices(name).map(|(at, _)| at).find(|&at| {
        let before = tag[..at].chars().next_back();
        let after = tag[at + name.len()..].chars().next();
        !before.is_some_and(|c| is_ident(c) || matches!(c, '.' | '\'' | '"'))
            && !after.is_some_and(|c| is_ident(c) || matches!(c, '\'' | '"'))
    })
}
