//! Map locations (`domain.md` §4.6): shared-location messages, or coordinates typed or pasted
//! as `-1.26,116.83` or in a Google Maps link.
//!
//! Coordinates outside Indonesia's bounding box are refused; outside the kabupaten they are
//! only a warning (a report may concern a border road, or the citizen shared where they are
//! rather than where the problem is).

use super::{Checked, Issue};

/// A latitude/longitude box, e.g. the kabupaten's extent from config.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Area {
    /// Lowest latitude (degrees, negative south of the equator).
    pub south: f64,
    /// Lowest longitude (degrees east).
    pub west: f64,
    /// Highest latitude.
    pub north: f64,
    /// Highest longitude.
    pub east: f64,
}

impl Area {
    /// True when the point lies inside the box (edges included).
    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        (self.south..=self.north).contains(&lat) && (self.west..=self.east).contains(&lon)
    }
}

/// Indonesia with its outer islands (Rote to Weh, Sabang to Merauke).
pub const INDONESIA: Area = Area { south: -11.1, west: 94.7, north: 6.1, east: 141.1 };

/// Checks coordinates are real numbers inside Indonesia.
pub fn check(lat: f64, lon: f64) -> Checked<(f64, f64)> {
    if !lat.is_finite() || !lon.is_finite() {
        return Err(Issue::new("invalid-location-range"));
    }
    if !INDONESIA.contains(lat, lon) {
        // `116.83,-1.26`: longitude first, as some apps print it.
        let code = if INDONESIA.contains(lon, lat) {
            "invalid-location-swapped"
        } else if lat.abs() > 90.0 || lon.abs() > 180.0 {
            "invalid-location-range"
        } else {
            "invalid-location-outside"
        };
        return Err(Issue::new(code));
    }
    Ok(((lat, lon), Vec::new()))
}

/// [`check`], plus a warning when the point is outside the kabupaten's `area`.
pub fn check_within(lat: f64, lon: f64, area: &Area) -> Checked<(f64, f64)> {
    let (point, mut warnings) = check(lat, lon)?;
    if !area.contains(lat, lon) {
        warnings.push(Issue::new("warn-location-outside-area"));
    }
    Ok((point, warnings))
}

/// Reads `lat,lon` typed as text (`-1.26,116.83`, `-1.26 116.83`, `-1.26; 116.83`) or from a
/// Google Maps link (`…?q=-1.26,116.83`, `…/@-1.26,116.83,17z`). Anything else is `None`, so
/// ordinary text (`Jl. 17 Agustus 3`) is never mistaken for a location.
pub fn parse(raw: &str) -> Option<(f64, f64)> {
    let text = raw.trim();
    let coords = if text.starts_with("http://") || text.starts_with("https://") {
        let start = ["q=", "query=", "ll=", "/@"]
            .iter()
            .find_map(|key| text.find(key).map(|i| i + key.len()))?;
        let rest = &text[start..];
        // A link carries more after the pair: `&z=17`, `,17z/data=…`.
        let end = rest.find(['&', '/']).unwrap_or(rest.len());
        let pair: Vec<&str> = rest[..end].splitn(3, ',').take(2).collect();
        pair.join(",")
    } else {
        text.to_owned()
    };
    let mut parts = coords.split([',', ';', ' ']).filter(|p| !p.is_empty());
    let (lat, lon) = (number(parts.next()?)?, number(parts.next()?)?);
    parts.next().is_none().then_some((lat, lon))
}

/// A plain decimal number (`f64::from_str` would also take `inf`, `NaN` and `1e5`).
fn number(s: &str) -> Option<f64> {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let plain = !body.is_empty() && body.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    plain.then(|| s.parse().ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Kabupaten Penajam Paser Utara, roughly.
    const PPU: Area = Area { south: -1.6, west: 116.3, north: -0.7, east: 117.1 };

    fn code(r: Checked<(f64, f64)>) -> Result<Vec<&'static str>, &'static str> {
        r.map(|(_, w)| w.iter().map(|i| i.code).collect()).map_err(|e| e.code)
    }

    #[test]
    fn domain_vectors() {
        assert_eq!(parse("-1.26,116.83"), Some((-1.26, 116.83)));
        assert_eq!(check(-1.26, 116.83), Ok(((-1.26, 116.83), vec![])));
        let (lat, lon) = parse("116.83,-1.26").expect("parses");
        assert_eq!(code(check(lat, lon)), Err("invalid-location-swapped"));
        assert_eq!(code(check(-6.2, 200.0)), Err("invalid-location-range"));
        assert_eq!(code(check(f64::NAN, 116.0)), Err("invalid-location-range"));
        assert_eq!(code(check(51.5, -0.12)), Err("invalid-location-outside"));
        assert_eq!(code(check_within(-1.26, 116.83, &PPU)), Ok(vec![]));
        assert_eq!(
            code(check_within(-6.175, 106.827, &PPU)),
            Ok(vec!["warn-location-outside-area"])
        );
    }

    #[test]
    fn parsing() {
        let want = Some((-1.26, 116.83));
        for raw in ["-1.26, 116.83", " -1.26 116.83 ", "-1.26;116.83", "+-1.26,116.83"] {
            let expected = if raw.starts_with("+-") { None } else { want };
            assert_eq!(parse(raw), expected, "{raw}");
        }
        assert_eq!(parse("https://maps.google.com/?q=-1.26,116.83&z=17"), want);
        assert_eq!(parse("https://www.google.com/maps/@-1.26,116.83,17z/data=x"), want);
        for raw in ["Jl. 17 Agustus 3", "-1.26", "1,2,3", "inf,nan", "1e5,2", "", "https://x.id"] {
            assert_eq!(parse(raw), None, "{raw}");
        }
    }
}
