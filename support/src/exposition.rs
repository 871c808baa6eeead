//! A Prometheus text exposition, parsed: for the tests that compare what
//! an exporter wrote with the pools' counters.

use std::collections::{BTreeMap, HashMap};

/// One series: its name and labels, sorted.
pub type Key = (String, Vec<(String, String)>);

/// The text exposition, parsed.
#[derive(Debug, Default)]
pub struct Exposition {
    pub samples: BTreeMap<Key, f64>,
    pub help: HashMap<String, String>,
    pub types: HashMap<String, String>,
}

impl Exposition {
    pub fn value(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        let mut labels: Vec<_> = labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        labels.sort();
        self.samples.get(&(name.to_owned(), labels)).copied()
    }

    /// The series of one pool label, by name (plus `/reason`).
    pub fn of_pool(&self, pool: &str) -> BTreeMap<String, f64> {
        self.samples
            .iter()
            .filter(|((_, labels), _)| labels.iter().any(|(k, v)| k == "pool" && v == pool))
            .map(|((name, labels), value)| {
                let reason = labels.iter().find(|(k, _)| k == "reason");
                let key = match reason {
                    Some((_, r)) => format!("{name}/{r}"),
                    None => name.clone(),
                };
                (key, *value)
            })
            .collect()
    }
}

/// Parses the text format; panics on a malformed line or on two samples
/// with the same name and labels (what breaks a Prometheus scrape).
pub fn parse(text: &str) -> Exposition {
    let mut out = Exposition::default();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let (name, help) = rest.split_once(' ').unwrap();
            assert!(out.help.insert(name.to_owned(), help.to_owned()).is_none(), "two HELP: {line}");
        } else if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap();
            assert!(out.types.insert(name.to_owned(), kind.to_owned()).is_none(), "two TYPE: {line}");
        } else if !line.is_empty() && !line.starts_with('#') {
            let (key, value) = parse_sample(line);
            assert!(out.samples.insert(key, value).is_none(), "duplicate series: {line}");
        }
    }
    out
}

fn parse_sample(line: &str) -> (Key, f64) {
    let name_end = line.find(['{', ' ']).unwrap();
    let name = line[..name_end].to_owned();
    let bytes = line.as_bytes();
    let mut labels = Vec::new();
    let mut pos = name_end;
    if bytes[pos] == b'{' {
        pos += 1;
        while bytes[pos] != b'}' {
            let eq = pos + line[pos..].find("=\"").unwrap();
            let label = line[pos..eq].to_owned();
            pos = eq + 2;
            let mut value = String::new();
            let mut chars = line[pos..].char_indices();
            loop {
                match chars.next().unwrap() {
                    (_, '\\') => match chars.next().unwrap().1 {
                        'n' => value.push('\n'),
                        c => value.push(c),
                    },
                    (i, '"') => {
                        pos += i + 1;
                        break;
                    }
                    (_, c) => value.push(c),
                }
            }
            labels.push((label, value));
            if bytes[pos] == b',' {
                pos += 1;
            }
        }
        pos += 1;
    }
    let value: f64 = line[pos..].trim().parse().unwrap_or_else(|_| panic!("bad value in {line}"));
    labels.sort();
    ((name, labels), value)
}
