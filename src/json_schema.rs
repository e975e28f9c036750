//! The settings every published JSON Schema shares (docs/schema/, docs/openapi.json): draft
//! 2020-12, one `$id` base, and which side of the contract a schema describes. The table's schema
//! (`compile::schema`), the request's and the decision's (`eval::schema`) and the OpenAPI document
//! (`serve::openapi`) all start here, so no stage reaches into a later one for them.

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema};
use serde_json::Value;

/// The published address schemas are identified by (the `.invalid` domain never resolves).
pub const SCHEMA_BASE: &str = "https://caselock.invalid/schema/";

/// Which side of the contract a schema describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// What caselock reads (a request): defaults make fields optional.
    Read,
    /// What caselock writes (a decision): fields it always writes are required.
    Write,
}

/// Draft 2020-12 settings for one direction; `definitions_path` is where `$ref`s point
/// (`/$defs/` for a standalone schema, `/components/schemas/` inside OpenAPI).
pub fn settings(direction: Direction, definitions_path: &str) -> SchemaSettings {
    let s = SchemaSettings::draft2020_12().with(|s| {
        s.definitions_path = definitions_path.to_string().into();
    });
    match direction {
        Direction::Read => s.for_deserialize(),
        Direction::Write => s.for_serialize(),
    }
}

/// The standalone schema of `T`, with its `$id`, title and description.
pub fn standalone<T: JsonSchema>(
    direction: Direction,
    file: &str,
    title: &str,
    description: &str,
) -> Value {
    let schema: Schema = settings(direction, "/$defs/")
        .into_generator()
        .into_root_schema_for::<T>();
    let mut v = schema.to_value();
    if let Some(o) = v.as_object_mut() {
        o.insert("$id".into(), format!("{SCHEMA_BASE}{file}").into());
        o.insert("title".into(), title.into());
        o.insert("description".into(), description.into());
    }
    v
}
