//! Flattens any serde value into `(path, text)` pairs, so the audit trail can list exactly
//! which fields a change touched with their old and new values, for every record type,
//! without a hand-written list of fields that could fall out of date.
//!
//! Paths read like `evidence[EV-2].kept_at` or `checklist[3].state.by`: items of a list
//! that carry an `id` are keyed by it, so adding an item never appears to change others.
//! Lists of plain values (incident types, staff) are one field, joined by ", ".
//! Empty values and empty lists produce no pair: absent and empty compare equal.

use std::collections::HashMap;
use std::fmt::{self, Display};

use serde::ser::{self, Serialize};

use super::types::FieldChange;

pub fn flatten<T: Serialize + ?Sized>(value: &T) -> Vec<(String, String)> {
    let mut out = Vec::new();
    // Our types serialize infallibly: every error path below is unreachable for them.
    let _ = value.serialize(Flattener {
        path: String::new(),
        out: &mut out,
    });
    out
}

/// The path of the list item a field belongs to (`evidence[EV-2]`), if it is in one.
fn item_of(field: &str) -> Option<&str> {
    field.find(']').map(|end| &field[..=end])
}

/// What the audit trail keeps of a change: every field whose value changed, with its old
/// and new value, in the order they appear in `after`, then the fields only `before` had.
///
/// A list item that did not exist before (a new evidence item, reporting step, review) is
/// not spelled out field by field: the entry's action names it, its values are the record
/// itself (pinned by the entry's state hash), and any later change to it lists the old
/// value. Keeping them twice would double the size of a large logbook for nothing.
pub fn diff<T: Serialize>(before: &T, after: &T) -> Vec<FieldChange> {
    changes(before, after, false)
}

/// Every field that differs, new list items included, for naming a change.
pub fn diff_all<T: Serialize>(before: &T, after: &T) -> Vec<FieldChange> {
    changes(before, after, true)
}

fn changes<T: Serialize>(before: &T, after: &T, new_items: bool) -> Vec<FieldChange> {
    let before = flatten(before);
    let after = flatten(after);
    let old: HashMap<&str, &str> = before
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let new: HashMap<&str, &str> = after
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let items_before: std::collections::HashSet<&str> =
        before.iter().filter_map(|(k, _)| item_of(k)).collect();
    let mut changes = Vec::new();
    for (field, value) in &after {
        if !new_items && item_of(field).is_some_and(|item| !items_before.contains(item)) {
            continue;
        }
        let was = old.get(field.as_str()).copied().unwrap_or("");
        if was != value {
            changes.push(FieldChange {
                field: field.clone(),
                old: was.to_string(),
                new: value.clone(),
            });
        }
    }
    for (field, value) in &before {
        if !new.contains_key(field.as_str()) {
            changes.push(FieldChange {
                field: field.clone(),
                old: value.clone(),
                new: String::new(),
            });
        }
    }
    changes
}

#[derive(Debug)]
pub struct Never(String);

impl Display for Never {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for Never {}
impl ser::Error for Never {
    fn custom<T: Display>(msg: T) -> Self {
        Never(msg.to_string())
    }
}

struct Flattener<'a> {
    path: String,
    out: &'a mut Vec<(String, String)>,
}

impl Flattener<'_> {
    fn push(self, value: impl Display) -> Result<(), Never> {
        let text = value.to_string();
        if !text.is_empty() {
            self.out.push((self.path, text));
        }
        Ok(())
    }

    fn child(&mut self, name: &str) -> Flattener<'_> {
        let path = if self.path.is_empty() {
            name.to_string()
        } else {
            format!("{}.{name}", self.path)
        };
        Flattener {
            path,
            out: self.out,
        }
    }
}

/// Collects the items of a list, then rewrites their paths: `[i]` becomes `[id]` where the
/// item has an id, and a list of plain values collapses into one joined field.
struct ListFlattener<'a> {
    path: String,
    out: &'a mut Vec<(String, String)>,
    items: Vec<Vec<(String, String)>>,
}

impl ListFlattener<'_> {
    fn item<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Never> {
        let mut pairs = Vec::new();
        value.serialize(Flattener {
            path: String::new(),
            out: &mut pairs,
        })?;
        self.items.push(pairs);
        Ok(())
    }

    fn finish(self) -> Result<(), Never> {
        let plain = self
            .items
            .iter()
            .all(|pairs| pairs.len() <= 1 && pairs.iter().all(|(k, _)| k.is_empty()));
        if plain {
            let joined: Vec<&str> = self
                .items
                .iter()
                .filter_map(|pairs| pairs.first().map(|(_, v)| v.as_str()))
                .collect();
            if !joined.is_empty() {
                self.out.push((self.path, joined.join(", ")));
            }
            return Ok(());
        }
        for (i, pairs) in self.items.into_iter().enumerate() {
            let key = pairs
                .iter()
                .find(|(k, _)| k == "id")
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| i.to_string());
            for (k, v) in pairs {
                let path = if k.is_empty() {
                    format!("{}[{key}]", self.path)
                } else {
                    format!("{}[{key}].{k}", self.path)
                };
                self.out.push((path, v));
            }
        }
        Ok(())
    }
}

impl<'a> ser::Serializer for Flattener<'a> {
    type Ok = ();
    type Error = Never;
    type SerializeSeq = ListFlattener<'a>;
    type SerializeTuple = ListFlattener<'a>;
    type SerializeTupleStruct = ListFlattener<'a>;
    type SerializeTupleVariant = ListFlattener<'a>;
    type SerializeMap = MapFlattener<'a>;
    type SerializeStruct = Flattener<'a>;
    type SerializeStructVariant = Flattener<'a>;

    fn serialize_bool(self, v: bool) -> Result<(), Never> {
        self.push(if v { "yes" } else { "no" })
    }
    fn serialize_i8(self, v: i8) -> Result<(), Never> {
        self.push(v)
    }
    fn serialize_i16(self, v: i16) -> Result<(), Never> {
        self.push(v)
    }
    fn serialize_i32(self, v: i32) -> Result<(), Never> {
        self.push(v)
    }
    fn serialize_i64(self, v: i64) -> Result<(), Never> {
        self.push(v)
    }
    fn serialize_u8(self, v: u8) -> Result<(), Never> {
        self.push(v)
    }
    fn serialize_u16(self, v: u16) -> Result<(), Never> {
        self.push(v)
    }
    fn serialize_u32(self, v: u32) -> Result<(), Never> {
        self.push(v)
    }
    fn serialize_u64(self, v: u64) -> Result<(), Never> {
        self.push(v)
    }
    fn serialize_f32(self, v: f32) -> Result<(), Never> {
        self.push(v)
    }
    fn serialize_f64(self, v: f64) -> Result<(), Never> {
        self.push(v)
    }
    fn serialize_char(self, v: char) -> Result<(), Never> {
        self.push(v)
    }
    fn serialize_str(self, v: &str) -> Result<(), Never> {
        self.push(v)
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Never> {
        self.push(format!("{} bytes", v.len()))
    }
    fn serialize_none(self) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Never> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Never> {
        self.push(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Never> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        mut self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Never> {
        value.serialize(self.child(variant))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<ListFlattener<'a>, Never> {
        Ok(ListFlattener {
            path: self.path,
            out: self.out,
            items: Vec::with_capacity(len.unwrap_or(0)),
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<ListFlattener<'a>, Never> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        len: usize,
    ) -> Result<ListFlattener<'a>, Never> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        mut self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<ListFlattener<'a>, Never> {
        let child = self.child(variant);
        let path = child.path;
        Ok(ListFlattener {
            path,
            out: self.out,
            items: Vec::with_capacity(len),
        })
    }
    fn serialize_map(self, _: Option<usize>) -> Result<MapFlattener<'a>, Never> {
        Ok(MapFlattener {
            path: self.path,
            out: self.out,
            key: String::new(),
        })
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Flattener<'a>, Never> {
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Flattener<'a>, Never> {
        // The variant names the state (e.g. a checklist step "Done"); its fields sit below it.
        self.out.push((self.path.clone(), variant.to_string()));
        Ok(self)
    }
}

impl ser::SerializeStruct for Flattener<'_> {
    type Ok = ();
    type Error = Never;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Never> {
        value.serialize(self.child(key))
    }
    fn end(self) -> Result<(), Never> {
        Ok(())
    }
}

impl ser::SerializeStructVariant for Flattener<'_> {
    type Ok = ();
    type Error = Never;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Never> {
        value.serialize(self.child(key))
    }
    fn end(self) -> Result<(), Never> {
        Ok(())
    }
}

macro_rules! list_impl {
    ($trait:ident, $method:ident) => {
        impl ser::$trait for ListFlattener<'_> {
            type Ok = ();
            type Error = Never;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Never> {
                self.item(value)
            }
            fn end(self) -> Result<(), Never> {
                self.finish()
            }
        }
    };
}
list_impl!(SerializeSeq, serialize_element);
list_impl!(SerializeTuple, serialize_element);
list_impl!(SerializeTupleStruct, serialize_field);
list_impl!(SerializeTupleVariant, serialize_field);

struct MapFlattener<'a> {
    path: String,
    out: &'a mut Vec<(String, String)>,
    key: String,
}

impl ser::SerializeMap for MapFlattener<'_> {
    type Ok = ();
    type Error = Never;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Never> {
        let pairs = flatten(key);
        self.key = pairs
            .into_iter()
            .map(|(_, v)| v)
            .collect::<Vec<_>>()
            .join(",");
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Never> {
        let path = if self.path.is_empty() {
            self.key.clone()
        } else {
            format!("{}.{}", self.path, self.key)
        };
        value.serialize(Flattener {
            path,
            out: self.out,
        })
    }
    fn end(self) -> Result<(), Never> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    #[derive(Serialize, Clone)]
    struct Item {
        id: String,
        note: String,
    }
    #[derive(Serialize, Clone)]
    enum State {
        Open,
        Done { by: String },
    }
    #[derive(Serialize, Clone)]
    struct Thing {
        name: String,
        tags: Vec<String>,
        items: Vec<Item>,
        state: State,
        when: Option<u32>,
    }

    fn thing() -> Thing {
        Thing {
            name: "a".into(),
            tags: vec!["x".into(), "y".into()],
            items: vec![Item {
                id: "EV-1".into(),
                note: "first".into(),
            }],
            state: State::Open,
            when: None,
        }
    }

    #[test]
    fn paths_key_items_by_id_and_join_plain_lists() {
        let pairs = flatten(&thing());
        let keys: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "name",
                "tags",
                "items[EV-1].id",
                "items[EV-1].note",
                "state"
            ]
        );
        assert_eq!(pairs[1].1, "x, y");
    }

    #[test]
    fn diff_lists_changed_and_removed_fields_but_not_new_items() {
        let before = thing();
        let mut after = before.clone();
        after.items.push(Item {
            id: "EV-2".into(),
            note: "second".into(),
        });
        after.state = State::Done { by: "RO".into() };
        after.name = String::new();
        after.items[0].note = "first, corrected".into();
        let all: Vec<String> = diff_all(&before, &after)
            .into_iter()
            .map(|c| c.field)
            .collect();
        assert!(all.contains(&"items[EV-2].note".to_string()));
        let changes = diff(&before, &after);
        let fields: Vec<(&str, &str, &str)> = changes
            .iter()
            .map(|c| (c.field.as_str(), c.old.as_str(), c.new.as_str()))
            .collect();
        assert_eq!(
            fields,
            [
                ("items[EV-1].note", "first", "first, corrected"),
                ("state", "Open", "Done"),
                ("state.by", "", "RO"),
                ("name", "a", ""),
            ]
        );
    }

    #[test]
    fn identical_values_have_no_diff() {
        assert!(diff(&thing(), &thing()).is_empty());
    }
}
