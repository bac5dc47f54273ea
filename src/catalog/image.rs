//! Each car's picture, drawn as SVG from its body type and paint colour, so the store needs no
//! image files and no network.

use crate::domain::{BodyType, Car, CarId};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

/// One rendered picture with the validator browsers send back in `If-None-Match`.
pub struct CarImage {
    pub svg: String,
    pub etag: String,
}

/// Every car's picture, drawn once at start.
pub struct Gallery(HashMap<CarId, CarImage>);

impl Gallery {
    pub fn draw(cars: &[Car]) -> Self {
        Gallery(cars.iter().map(|c| (c.id, CarImage::draw(c))).collect())
    }

    pub fn get(&self, id: CarId) -> Option<&CarImage> {
        self.0.get(&id)
    }
}

/// Outline, windows and wheel centres (x, y, radius) of a body type, in a 320×180 box.
struct Silhouette {
    body: &'static str,
    windows: &'static [&'static str],
    wheels: [(u32, u32, u32); 2],
}

fn silhouette(body: BodyType) -> Silhouette {
    match body {
        BodyType::Sedan => Silhouette {
            body: "M28 128 Q26 104 52 100 L92 96 L122 64 Q128 58 138 58 L200 58 Q210 58 218 66 L246 96 L278 102 Q296 106 294 128 Z",
            windows: &["M104 94 L128 68 L164 68 L164 94 Z", "M172 68 L204 68 L232 94 L172 94 Z"],
            wheels: [(88, 130, 20), (236, 130, 20)],
        },
        BodyType::Hatchback => Silhouette {
            body: "M36 128 Q34 104 58 100 L96 96 L124 62 Q128 58 136 58 L226 58 Q240 58 246 72 L262 104 Q280 108 280 128 Z",
            windows: &["M108 94 L130 66 L170 66 L170 94 Z", "M178 66 L226 66 Q236 66 240 76 L246 94 L178 94 Z"],
            wheels: [(90, 130, 19), (232, 130, 19)],
        },
        BodyType::Suv => Silhouette {
            body: "M28 130 L28 100 Q30 88 50 86 L84 84 L108 46 Q112 40 122 40 L236 40 Q250 40 256 52 L270 84 L282 88 Q294 92 294 108 L294 130 Z",
            windows: &["M96 82 L116 50 L170 50 L170 82 Z", "M178 50 L234 50 Q244 50 248 60 L258 82 L178 82 Z"],
            wheels: [(86, 132, 22), (238, 132, 22)],
        },
        BodyType::Coupe => Silhouette {
            body: "M24 126 Q22 108 44 104 L100 96 L140 70 Q150 64 164 64 L198 64 Q212 64 224 74 L256 98 L284 104 Q298 108 296 126 Z",
            windows: &["M116 94 L146 74 Q154 70 164 70 L198 70 Q208 70 218 78 L238 94 Z"],
            wheels: [(84, 128, 19), (240, 128, 19)],
        },
        BodyType::Pickup => Silhouette {
            body: "M24 130 L24 100 Q26 92 40 90 L84 88 L100 52 Q104 46 112 46 L168 46 Q176 46 176 54 L176 88 L296 88 L296 130 Z",
            windows: &["M104 84 L116 56 L164 56 L164 84 Z"],
            wheels: [(80, 132, 22), (242, 132, 22)],
        },
    }
}

impl CarImage {
    fn draw(car: &Car) -> Self {
        let svg = render(car);
        let mut h = std::collections::hash_map::DefaultHasher::new();
        svg.hash(&mut h);
        CarImage {
            etag: format!("\"{:016x}\"", h.finish()),
            svg,
        }
    }
}

fn render(car: &Car) -> String {
    let s = silhouette(car.body);
    let paint = &car.colour;
    let shine = mix_with_white(paint, 0.45);
    let mut out = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 320 180" role="img" aria-label="{year} {title}">
<defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#f4f7fb"/><stop offset="1" stop-color="#dde5ee"/></linearGradient>
<linearGradient id="paint" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="{shine}"/><stop offset="0.6" stop-color="{paint}"/></linearGradient></defs>
<rect width="320" height="180" fill="url(#sky)"/>
<ellipse cx="160" cy="152" rx="140" ry="9" fill="#000" opacity="0.12"/>
<path d="{body}" fill="url(#paint)" stroke="#1b1f24" stroke-opacity="0.35" stroke-width="2"/>
"##,
        year = car.year,
        title = xml_escape(&car.title()),
        body = s.body,
    );
    for w in s.windows {
        out.push_str(&format!(
            r##"<path d="{w}" fill="#23313f" opacity="0.85"/>"##
        ));
    }
    for (x, y, r) in s.wheels {
        out.push_str(&format!(
            r##"<circle cx="{x}" cy="{y}" r="{r}" fill="#1b1f24"/><circle cx="{x}" cy="{y}" r="{}" fill="#c9d1d9"/><circle cx="{x}" cy="{y}" r="3" fill="#59636e"/>"##,
            r / 2
        ));
    }
    out.push_str(r##"<circle cx="287" cy="112" r="4" fill="#fff6c2"/><rect x="28" y="108" width="6" height="8" rx="2" fill="#c0392b"/></svg>"##);
    out
}

/// Lightens a `#rrggbb` colour towards white; anything else is returned unchanged.
fn mix_with_white(hex: &str, amount: f64) -> String {
    let channel = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
    match (channel(1), channel(3), channel(5)) {
        (Some(r), Some(g), Some(b)) if hex.len() == 7 => {
            let lift = |c: u8| (f64::from(c) + (255.0 - f64::from(c)) * amount).round() as u8;
            format!("#{:02x}{:02x}{:02x}", lift(r), lift(g), lift(b))
        }
        _ => hex.to_owned(),
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::BuiltinCatalog;

    #[test]
    fn every_car_has_its_own_picture_in_its_colour() {
        let cars = BuiltinCatalog::cars();
        let gallery = Gallery::draw(&cars);
        for car in &cars {
            let img = gallery.get(car.id).expect("picture");
            assert!(img.svg.starts_with("<svg"));
            assert!(img.svg.contains(&car.colour));
            assert!(
                !img.svg.contains("http://") || img.svg.matches("http://").count() == 1,
                "only the xmlns"
            );
        }
        let etags: std::collections::HashSet<_> = cars
            .iter()
            .map(|c| &gallery.get(c.id).unwrap().etag)
            .collect();
        assert_eq!(etags.len(), cars.len());
    }

    #[test]
    fn colours_lighten_towards_white() {
        assert_eq!(mix_with_white("#000000", 0.5), "#808080");
        assert_eq!(mix_with_white("red", 0.5), "red");
    }
}
