//! Splitting long texts for platforms with a message length limit counted in UTF-16 units
//! (Telegram and WhatsApp both count that way).

/// Length in UTF-16 code units, the unit both platforms' limits use.
pub fn utf16_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

/// Splits on line breaks into pieces of at most `limit` UTF-16 code units; a single longer
/// line is split at char boundaries (never inside a surrogate pair / char), preferring a space
/// in its second half so words stay whole.
///
/// The line break at a cut is dropped, blank lines at a piece's edges are trimmed and
/// whitespace-only pieces are skipped (both platforms reject empty messages). A `limit` below 2
/// is raised to 2 so that every char fits.
pub fn split(text: &str, limit: usize) -> Vec<String> {
    let limit = limit.max(2);
    // Nearly every reply fits in one piece: all its lines join into one, which is the text
    // itself, copied once instead of line by line (every reply is split, #15).
    if utf16_len(text) <= limit {
        let mut out = Vec::with_capacity(1);
        push_piece(&mut out, text.to_owned());
        return out;
    }
    split_lines(text, limit)
}

/// [`split`] of a text longer than `limit` (≥ 2): line by line.
fn split_lines(text: &str, limit: usize) -> Vec<String> {
    let mut out = Vec::new();
    // The piece being filled, its length, and whether it holds a line yet (an empty line is
    // still a line).
    let mut cur = String::new();
    let mut cur_units = 0;
    let mut started = false;
    for line in text.split('\n') {
        let units = utf16_len(line);
        if started && cur_units + 1 + units <= limit {
            cur.push('\n');
            cur.push_str(line);
            cur_units += 1 + units;
            continue;
        }
        if started {
            push_piece(&mut out, std::mem::take(&mut cur));
        }
        if units <= limit {
            cur = line.to_owned();
        } else {
            let mut chunks = cut_line(line, limit);
            // The tail of a long line may share a piece with the lines after it.
            cur = chunks.pop().unwrap_or_default();
            for chunk in chunks {
                push_piece(&mut out, chunk);
            }
        }
        cur_units = utf16_len(&cur);
        started = true;
    }
    if started {
        push_piece(&mut out, cur);
    }
    out
}

fn push_piece(out: &mut Vec<String>, piece: String) {
    if piece.trim().is_empty() {
        return;
    }
    let trimmed = piece.trim_matches('\n');
    out.push(if trimmed.len() == piece.len() { piece } else { trimmed.to_owned() });
}

/// Cuts one line longer than `limit` (≥ 2) into chunks of at most `limit` UTF-16 units.
fn cut_line(line: &str, limit: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while utf16_len(rest) > limit {
        let mut units = 0;
        let mut hard = 0;
        let mut soft = None;
        for (i, c) in rest.char_indices() {
            let n = c.len_utf16();
            if units + n > limit {
                break;
            }
            units += n;
            hard = i + c.len_utf8();
            if c.is_whitespace() && units >= limit / 2 {
                soft = Some(hard);
            }
        }
        // `hard` > 0 because limit ≥ 2 fits any char; the guard keeps the loop finite anyway.
        let cut = soft.unwrap_or(hard);
        if cut == 0 {
            break;
        }
        out.push(rest[..cut].to_owned());
        rest = &rest[cut..];
    }
    if !rest.is_empty() {
        out.push(rest.to_owned());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_that_fits_splits_as_the_line_by_line_way_would() {
        for text in
            ["", "\n", "\n\n \n", " ", "halo", "\nhalo\n\n", "a\n\nb", "1. KTP\n2. KK\n", "é😀\nx"]
        {
            assert_eq!(split(text, 4096), split_lines(text, 4096), "{text:?}");
        }
    }
}
