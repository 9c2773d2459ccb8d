//! JSON documents read without building value trees.
//!
//! A JSON file is a stream of documents; each is scanned once into its
//! top-level fields as raw text ([`TopLevel`]). A `List` keeps its items as
//! raw text, each decoded on its own, in parallel. An object is decoded
//! straight from its text into its Kubernetes type, after a [`Header`]
//! read that stops as soon as `apiVersion` and `kind` are known (they come
//! first in what kubectl prints).

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

/// The top level of one JSON document.
#[derive(Debug)]
pub enum TopLevel<'a> {
    /// An object: its fields (but `items` when it is an array) as raw text.
    Object {
        /// Fields other than an `items` array, in document order.
        fields: Vec<(String, &'a RawValue)>,
        /// The items of an `items` array, as raw text.
        items: Option<Vec<&'a RawValue>>,
        /// Whether `items` is present but not an array (the document is
        /// then read whole).
        odd_items: bool,
    },
    /// An array or a scalar.
    Other,
}

impl<'a> TopLevel<'a> {
    /// The string value of top-level field `key`, if it is a string.
    pub fn string_field(&self, key: &str) -> Option<String> {
        match self {
            TopLevel::Object { fields, .. } => fields
                .iter()
                .find(|(k, _)| k == key)
                .and_then(|(_, raw)| serde_json::from_str::<String>(raw.get()).ok()),
            TopLevel::Other => None,
        }
    }
}

impl<'de> Deserialize<'de> for TopLevel<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TopVisitor)
    }
}

struct TopVisitor;

/// Accepts any value; scalars and arrays are [`TopLevel::Other`].
macro_rules! other_scalars {
    ($($method:ident: $t:ty),*) => {$(
        fn $method<E: de::Error>(self, _: $t) -> Result<Self::Value, E> {
            Ok(Self::Value::default_other())
        }
    )*};
}

trait DefaultOther {
    fn default_other() -> Self;
}

impl DefaultOther for TopLevel<'_> {
    fn default_other() -> Self {
        TopLevel::Other
    }
}

impl<'de> Visitor<'de> for TopVisitor {
    type Value = TopLevel<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    other_scalars!(visit_bool: bool, visit_i64: i64, visit_u64: u64, visit_f64: f64, visit_str: &str);

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(TopLevel::Other)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(TopLevel::Other)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut fields = Vec::new();
        let mut items = None;
        let mut odd_items = false;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            if key == "items" {
                match map.next_value::<Items<'de>>()? {
                    Items::Array(raw) => items = Some(raw),
                    Items::Other => odd_items = true,
                }
            } else {
                fields.push((key.into_owned(), map.next_value::<&'de RawValue>()?));
            }
        }
        Ok(TopLevel::Object {
            fields,
            items,
            odd_items,
        })
    }
}

/// An `items` field: an array's elements as raw text, or anything else.
enum Items<'a> {
    Array(Vec<&'a RawValue>),
    Other,
}

impl DefaultOther for Items<'_> {
    fn default_other() -> Self {
        Items::Other
    }
}

impl<'de> Deserialize<'de> for Items<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ItemsVisitor)
    }
}

struct ItemsVisitor;

impl<'de> Visitor<'de> for ItemsVisitor {
    type Value = Items<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    other_scalars!(visit_bool: bool, visit_i64: i64, visit_u64: u64, visit_f64: f64, visit_str: &str);

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Items::Other)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut raw = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element::<&'de RawValue>()? {
            raw.push(item);
        }
        Ok(Items::Array(raw))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Items::Other)
    }
}

/// `apiVersion` and `kind` of a JSON object, read from its start.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Header<'a> {
    /// `apiVersion`, when a string.
    pub api_version: Option<Cow<'a, str>>,
    /// `kind`, when a string.
    pub kind: Option<Cow<'a, str>>,
}

/// Why [`Header::read`] found no header.
#[derive(Debug)]
struct Done;

impl<'a> Header<'a> {
    /// Reads `apiVersion` and `kind` of the object in `text`, stopping as
    /// soon as both are known. `None` when `text` is not an object, one of
    /// them is not a string, or the text is not JSON.
    pub fn read(text: &'a str) -> Option<Header<'a>> {
        let mut header = Header::default();
        let mut de = serde_json::Deserializer::from_str(text);
        match HeaderSeed(&mut header).deserialize(&mut de) {
            Ok(()) => Some(header),
            // Our own early stop: both fields were found.
            Err(e) if e.to_string().starts_with(STOP) => Some(header),
            Err(_) => None,
        }
    }
}

/// The message that ends a header read early.
const STOP: &str = "podnet: header complete";

impl fmt::Display for Done {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(STOP)
    }
}

struct HeaderSeed<'h, 'a>(&'h mut Header<'a>);

impl<'de, 'h> DeserializeSeed<'de> for HeaderSeed<'h, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, 'h> Visitor<'de> for HeaderSeed<'h, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match &*key {
                "apiVersion" => self.0.api_version = Some(map.next_value::<Cow<'de, str>>()?),
                "kind" => self.0.kind = Some(map.next_value::<Cow<'de, str>>()?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            if self.0.api_version.is_some() && self.0.kind.is_some() {
                return Err(de::Error::custom(Done));
            }
        }
        Ok(())
    }
}

/// `metadata.name`, `generateName` and `namespace` of a JSON object, for
/// diagnostics.
#[derive(Debug, Default, Deserialize)]
pub struct NameOnly {
    /// The object's metadata.
    #[serde(default)]
    pub metadata: Option<NameMeta>,
}

/// See [`NameOnly`].
#[derive(Debug, Default, Deserialize)]
pub struct NameMeta {
    /// `name`.
    pub name: Option<String>,
    /// `generateName`.
    #[serde(rename = "generateName")]
    pub generate_name: Option<String>,
    /// `namespace`.
    pub namespace: Option<String>,
}

/// A serde_json error message without the ` at line L column C` it adds
/// when reading text (the diagnostic gives the field's own line).
pub fn message_without_position(e: &serde_json::Error) -> String {
    let full = e.to_string();
    match full.rfind(" at line ") {
        Some(i)
            if full[i + " at line ".len()..]
                .split(" column ")
                .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())) =>
        {
            full[..i].to_owned()
        }
        _ => full,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_stop_early_and_accept_any_order() {
        let h = Header::read(r#"{"apiVersion": "v1", "kind": "Pod", "spec": [[[["#).unwrap();
        assert_eq!(h.kind.as_deref(), Some("Pod"), "the rest is never read");
        let h = Header::read(r#"{"spec": {}, "kind": "Pod"}"#).unwrap();
        assert_eq!((h.api_version, h.kind.as_deref()), (None, Some("Pod")));
        assert_eq!(Header::read("[1]"), None);
        assert_eq!(Header::read(r#"{"kind": 5}"#), None);
        let h = Header::read(r#"{"kind": "P\u006fd", "apiVersion": "v1"}"#).unwrap();
        assert_eq!(h.kind.as_deref(), Some("Pod"), "escapes are read");
    }

    #[test]
    fn top_levels_keep_items_raw() {
        let text =
            r#"{"apiVersion": "v1", "kind": "List", "items": [{"a": 1}, 2], "metadata": {}}"#;
        let top: TopLevel<'_> = serde_json::from_str(text).unwrap();
        let TopLevel::Object {
            fields,
            items,
            odd_items,
        } = &top
        else {
            panic!("{top:?}")
        };
        let keys: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["apiVersion", "kind", "metadata"]);
        let items: Vec<&str> = items.as_ref().unwrap().iter().map(|r| r.get()).collect();
        assert_eq!(items, [r#"{"a": 1}"#, "2"]);
        assert!(!odd_items);
        assert_eq!(top.string_field("kind").as_deref(), Some("List"));
        let odd: TopLevel<'_> = serde_json::from_str(r#"{"items": {"x": [1]}}"#).unwrap();
        assert!(matches!(
            odd,
            TopLevel::Object {
                odd_items: true,
                items: None,
                ..
            }
        ));
        let other: TopLevel<'_> = serde_json::from_str("[1, {}]").unwrap();
        assert!(matches!(other, TopLevel::Other));
    }

    #[test]
    fn positions_are_dropped_from_messages() {
        let e = serde_json::from_str::<u8>("\n 300").unwrap_err();
        assert_eq!(
            message_without_position(&e),
            "invalid value: integer `300`, expected u8"
        );
    }
}
