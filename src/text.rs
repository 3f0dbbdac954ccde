//! Turning what citizens type into something to match against: case, spacing, punctuation,
//! stretched letters ("iyaaa"), invisible characters. Values themselves are validated from the
//! raw text; this copy is only for recognising intents, commands and choices.
//!
//! May use: nothing else of pintu.

use std::borrow::Cow;
use unicode_normalization::UnicodeNormalization;

/// NFKC, lowercase, control/zero-width/bidi characters dropped, punctuation to spaces, runs of
/// three or more equal letters cut to one, spaces collapsed. Emoji are kept as one-character
/// tokens so the lexicon can give some of them meaning (👍 = ya).
pub fn normalize_phrase(text: &str) -> String {
    // NFKC leaves ASCII as it is: most messages skip the Unicode tables.
    if text.is_ascii() {
        normalize_chars(text.chars().map(|c| c.to_ascii_lowercase()), text.len())
    } else {
        normalize_chars(text.nfkc().flat_map(char::to_lowercase), text.len())
    }
}

fn normalize_chars(chars: impl Iterator<Item = char>, len: usize) -> String {
    let mut out = String::with_capacity(len);
    let mut run: (char, usize) = ('\0', 0);
    for c in chars {
        if is_invisible(c) {
            continue;
        }
        if c.is_alphanumeric() {
            if c == run.0 {
                run.1 += 1;
            } else {
                run = (c, 1);
            }
            // "yaaa" → "ya", "tolooong" → "tolong"; doubles stay ("maaf").
            if run.1 >= 3 && c.is_alphabetic() {
                if run.1 == 3 {
                    out.pop();
                }
                continue;
            }
            out.push(c);
        } else {
            run = ('\0', 0);
            if is_symbol(c) {
                push_space(&mut out);
                out.push(c);
                out.push(' ');
            } else if c == '\'' || c == '’' {
                // "ho'oh", "de'": apostrophes belong to the word.
                out.push('\'');
            } else {
                push_space(&mut out);
            }
        }
    }
    // Spaces are pushed only between words, so at most one is left at the end.
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

fn push_space(out: &mut String) {
    if !out.ends_with(' ') && !out.is_empty() {
        out.push(' ');
    }
}

/// Zero-width, bidi and variation characters: invisible, so they must not split or join words.
fn is_invisible(c: char) -> bool {
    matches!(c as u32, 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2069 | 0xFE00..=0xFE0F | 0xFEFF)
}

/// Emoji and other pictographs; variation selectors and joiners are dropped as invisible.
fn is_symbol(c: char) -> bool {
    matches!(c as u32, 0x2190..=0x2BFF | 0x1F000..=0x1FAFF) && !c.is_control()
}

/// Collapses doubled letters too ("okee" → "oke", "maaf" → "maf"): a second, looser key for
/// comparing words citizens stretch.
pub fn squeeze(word: &str) -> Cow<'_, str> {
    let mut prev = None;
    let doubled = word.chars().any(|c| {
        let twice = prev == Some(c) && c.is_alphabetic();
        prev = Some(c);
        twice
    });
    if !doubled {
        return Cow::Borrowed(word);
    }
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        if !(out.ends_with(c) && c.is_alphabetic()) {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Damerau-Levenshtein (optimal string alignment) distance, for forgiving typos in option names.
pub fn edit_distance(a: &str, b: &str) -> usize {
    /// Words up to this many letters are compared without allocating (every citizen word is
    /// compared with many keywords on a dialog's first message).
    const SHORT: usize = 32;
    let (mut ab, mut bb) = (['\0'; SHORT], ['\0'; SHORT]);
    let (mut na, mut nb) = (0, 0);
    for c in a.chars() {
        if na == SHORT {
            return edit_distance_long(a, b);
        }
        ab[na] = c;
        na += 1;
    }
    for c in b.chars() {
        if nb == SHORT {
            return edit_distance_long(a, b);
        }
        bb[nb] = c;
        nb += 1;
    }
    // Three rows suffice: the transposition looks two rows back.
    let mut rows = [[0usize; SHORT + 1]; 3];
    for (j, cell) in rows[0].iter_mut().enumerate().take(nb + 1) {
        *cell = j;
    }
    for i in 1..=na {
        let (cur, prev, prev2) = (i % 3, (i + 2) % 3, (i + 1) % 3);
        rows[cur][0] = i;
        for j in 1..=nb {
            let cost = usize::from(ab[i - 1] != bb[j - 1]);
            let mut v = (rows[prev][j] + 1).min(rows[cur][j - 1] + 1).min(rows[prev][j - 1] + cost);
            if i > 1 && j > 1 && ab[i - 1] == bb[j - 2] && ab[i - 2] == bb[j - 1] {
                v = v.min(rows[prev2][j - 2] + 1);
            }
            rows[cur][j] = v;
        }
    }
    rows[na % 3][nb]
}

/// [`edit_distance`] for words too long for the stack buffers.
fn edit_distance_long(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        d[i * w] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    d[a.len() * w + b.len()]
}

/// How many typos a word of this length may carry and still match: none for short words
/// (`ya`/`ga` must never be confused), one for 4–6 letters, two from 7.
pub fn typo_budget(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=6 => 1,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_edit_distances_agree() {
        let words = [
            "",
            "a",
            "ktp",
            "kpt",
            "akta",
            "atka",
            "kelahiran",
            "kelahrian",
            "pindah",
            "pndah",
            "sertifikat",
            "sertipikat",
            "ñandú",
            "nandu",
            "kartu keluarga",
        ];
        for a in words {
            for b in words {
                assert_eq!(edit_distance(a, b), edit_distance_long(a, b), "{a:?} {b:?}");
            }
        }
        let long = "a".repeat(40);
        assert_eq!(edit_distance(&long, "a"), 39);
    }

    #[test]
    fn normalises_like_citizens_type() {
        for (raw, want) in [
            ("Iyaaa!!", "iya"),
            (" MENU ", "menu"),
            ("OKEE 👍", "okee 👍"),
            ("siap   pak", "siap pak"),
            ("ga\u{200b}jadi", "gajadi"),
            ("status k7q4-m9xs", "status k7q4 m9xs"),
            ("\u{202e}halo\u{202c}", "halo"),
            ("ho'oh", "ho'oh"),
            ("tolooong!!!", "tolong"),
            ("1.", "1"),
            ("", ""),
        ] {
            assert_eq!(normalize_phrase(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn distances() {
        assert_eq!(edit_distance("mneu", "menu"), 1);
        assert_eq!(edit_distance("kelahrian", "kelahiran"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(squeeze("okee"), "oke");
    }
}
