//! [`Term`]: a value of the outcome vocabulary (`hybridsim_peers::Vocabulary`: layers,
//! parties, reason kinds) as scenario files write it, by its name (`layer = "tunnel"`), and
//! as the JSON Schema lists it. The names come from the vocabulary itself, so a scenario
//! file, a trace and a report name a layer the same way.

use hybridsim_peers::Vocabulary;
use hybridsim_proto::echo::shortened;
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;
use std::fmt;

/// A vocabulary value written by its name.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Term<T>(pub T);

impl<T: Vocabulary> Term<T> {
    /// The value's name.
    pub fn name(self) -> &'static str {
        self.0.name()
    }
}

impl<T: Vocabulary> fmt::Debug for Term<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.name())
    }
}

impl<T: Vocabulary> fmt::Display for Term<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.name())
    }
}

impl<T: Vocabulary> Serialize for Term<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0.name())
    }
}

impl<'de, T: Vocabulary> Deserialize<'de> for Term<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = Cow::<str>::deserialize(deserializer)?;
        T::from_name(&name).map(Term).ok_or_else(|| {
            // Serde's own wording for an unknown enum variant.
            let expected: Vec<String> = T::ALL.iter().map(|v| format!("`{}`", v.name())).collect();
            de::Error::custom(format!(
                "unknown variant `{}`, expected one of {}",
                shortened(&name),
                expected.join(", ")
            ))
        })
    }
}

impl<T: Vocabulary> JsonSchema for Term<T> {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("Term")
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let names: Vec<&str> = T::ALL.iter().map(|v| v.name()).collect();
        json_schema!({ "type": "string", "enum": names })
    }
}

#[cfg(test)]
mod tests {
    use super::Term;
    use hybridsim_peers::outcome::Layer;

    #[test]
    fn an_unknown_name_is_named_and_a_huge_one_is_bounded() {
        let short = serde_json::from_str::<Term<Layer>>("\"radio\"").err();
        let short = short.map(|e| e.to_string()).unwrap_or_default();
        assert!(
            short.starts_with("unknown variant `radio`, expected one of `"),
            "{short}"
        );

        let huge = format!("\"{}\"", "x".repeat(100_000));
        let error = serde_json::from_str::<Term<Layer>>(&huge).err();
        let error = error.map(|e| e.to_string()).unwrap_or_default();
        assert!(error.contains("(100000 bytes)"), "{error}");
        assert!(error.len() < 2_000, "{} bytes", error.len());
    }
}
