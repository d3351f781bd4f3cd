//! Test support for ksef-offline: validates JSON request and response bodies against the
//! official KSeF API 2.0 description (`open-api.json`, OpenAPI 3.0.4), embedded in this crate.
//!
//! The OpenAPI 3.0 schemas are converted to JSON Schema 2020-12 and checked with the
//! `jsonschema` crate:
//!
//! * `$ref: #/components/schemas/X` becomes `$ref: #/$defs/X` (every component is carried
//!   along, so nested references resolve);
//! * `nullable: true` becomes `anyOf: [{type: null}, <the schema>]`;
//! * `format` is kept but only informative (2020-12 treats it as an annotation), so
//!   `date-time`, `byte`, `int32`… are not enforced; lengths, patterns, enums, minimum and
//!   maximum, `required` and `additionalProperties` are;
//! * `example`, `discriminator`, `xml`, `externalDocs` and `x-*` extensions are dropped.
//!
//! Each validator is compiled once and cached for the life of the test process.
//!
//! ```
//! use serde_json::json;
//! let body = json!({"referenceNumber": "20250625-EE-319D7EE000-B67F415CDC-2C"});
//! ksef_test_support::validate_response(
//!     "POST", "/sessions/online/{referenceNumber}/invoices", 202, &body).unwrap();
//! assert_eq!(
//!     ksef_test_support::match_path("GET", "/v2/sessions/20250625-SO-2C3E6C8000-B675CF5D68-07"),
//!     Some("/sessions/{referenceNumber}"),
//! );
//! ```

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Map, Value};

/// The official OpenAPI description, byte-identical to the copy in the project's shared
/// specification folder.
pub const OPEN_API_JSON: &str = include_str!("../data/open-api.json");

const DRAFT: &str = "https://json-schema.org/draft/2020-12/schema";
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The parsed OpenAPI document.
pub fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        serde_json::from_str(OPEN_API_JSON).expect("embedded open-api.json is valid JSON")
    })
}

/// All component schemas, converted to JSON Schema (the `$defs` of every validator).
fn defs() -> &'static Value {
    static DEFS: OnceLock<Value> = OnceLock::new();
    DEFS.get_or_init(|| {
        let mut out = Map::new();
        if let Some(schemas) = spec()
            .pointer("/components/schemas")
            .and_then(Value::as_object)
        {
            for (name, schema) in schemas {
                out.insert(name.clone(), convert(schema));
            }
        }
        Value::Object(out)
    })
}

/// Converts one OpenAPI 3.0 schema object to JSON Schema 2020-12 (see the crate docs).
pub fn convert(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => {
            let mut out = Map::new();
            let mut nullable = false;
            for (k, v) in map {
                match k.as_str() {
                    "nullable" => nullable = v.as_bool().unwrap_or(false),
                    "example" | "examples" | "discriminator" | "xml" | "externalDocs" => {}
                    k if k.starts_with("x-") => {}
                    "$ref" => {
                        let r = v.as_str().unwrap_or_default();
                        let r = r.replace("#/components/schemas/", "#/$defs/");
                        out.insert(k.to_owned(), Value::String(r));
                    }
                    // Property names are user data, not schema keywords: convert the values only.
                    "properties" => {
                        let props = v
                            .as_object()
                            .map(|m| m.iter().map(|(pk, pv)| (pk.clone(), convert(pv))).collect())
                            .unwrap_or_default();
                        out.insert(k.to_owned(), Value::Object(props));
                    }
                    // OpenAPI 3.0 boolean form → JSON Schema numeric form.
                    "exclusiveMinimum" | "exclusiveMaximum" if v.is_boolean() => {
                        if v.as_bool() == Some(true) {
                            let bound = if k == "exclusiveMinimum" {
                                "minimum"
                            } else {
                                "maximum"
                            };
                            if let Some(b) = map.get(bound) {
                                out.insert(k.to_owned(), b.clone());
                            }
                        }
                    }
                    _ => {
                        out.insert(k.clone(), convert(v));
                    }
                }
            }
            // The numeric bound is carried by exclusive*, drop the inclusive one.
            for (ex, bound) in [
                ("exclusiveMinimum", "minimum"),
                ("exclusiveMaximum", "maximum"),
            ] {
                if map.get(ex).and_then(Value::as_bool) == Some(true) {
                    out.remove(bound);
                }
            }
            if nullable {
                let mut wrapper = Map::new();
                wrapper.insert(
                    "anyOf".to_owned(),
                    Value::Array(vec![
                        serde_json::json!({"type": "null"}),
                        Value::Object(out),
                    ]),
                );
                Value::Object(wrapper)
            } else {
                Value::Object(out)
            }
        }
        Value::Array(items) => Value::Array(items.iter().map(convert).collect()),
        other => other.clone(),
    }
}

/// A compiled validator plus the name used in messages.
struct Compiled {
    name: String,
    validator: jsonschema::Validator,
}

fn cache() -> &'static Mutex<HashMap<String, Arc<Compiled>>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<Compiled>>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Compiles (or fetches from the cache) a validator for an OpenAPI schema object.
fn compiled(key: &str, name: &str, openapi_schema: &Value) -> Result<Arc<Compiled>, Vec<String>> {
    let mut guard = cache().lock().unwrap_or_else(|p| p.into_inner());
    if let Some(c) = guard.get(key) {
        return Ok(Arc::clone(c));
    }
    let mut root = match convert(openapi_schema) {
        Value::Object(m) => m,
        other => {
            let mut m = Map::new();
            m.insert("allOf".to_owned(), Value::Array(vec![other]));
            m
        }
    };
    root.insert("$schema".to_owned(), Value::String(DRAFT.to_owned()));
    root.insert("$defs".to_owned(), defs().clone());
    let validator = jsonschema::options()
        .should_validate_formats(false)
        .build(&Value::Object(root))
        .map_err(|e| vec![format!("schema {name} does not compile: {e}")])?;
    let c = Arc::new(Compiled {
        name: name.to_owned(),
        validator,
    });
    guard.insert(key.to_owned(), Arc::clone(&c));
    Ok(c)
}

/// Runs a compiled validator; messages name the JSON pointer, the schema and the keyword.
fn run(c: &Compiled, value: &Value) -> Result<(), Vec<String>> {
    let errors: Vec<String> = c
        .validator
        .iter_errors(value)
        .map(|e| {
            let pointer = e.instance_path().as_str().to_owned();
            let keyword = e.evaluation_path().as_str().to_owned();
            let canonical = e.schema_path().as_str().to_owned();
            let inner = innermost_def(&canonical).unwrap_or(&c.name);
            format!(
                "at {}: {} (schema {}{}, keyword {})",
                if pointer.is_empty() { "/" } else { &pointer },
                e,
                c.name,
                if inner == c.name {
                    String::new()
                } else {
                    format!(" → {inner}")
                },
                keyword
            )
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// The last component schema named in a canonical schema path (`/$defs/{name}/…`).
fn innermost_def(path: &str) -> Option<&str> {
    path.rsplit_once("$defs/")
        .map(|(_, rest)| rest.split('/').next().unwrap_or(rest))
}

/// Strips a leading `/v2` (the API version prefix of the base URL) from a path.
fn strip_version(path: &str) -> &str {
    match path.strip_prefix("/v2") {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => rest,
        _ => path,
    }
}

fn operation(method: &str, path_template: &str) -> Result<&'static Value, Vec<String>> {
    let path = strip_version(path_template);
    let m = method.to_ascii_lowercase();
    spec()
        .get("paths")
        .and_then(|p| p.get(path))
        .and_then(|p| p.get(&m))
        .ok_or_else(|| {
            vec![format!(
                "no operation {} {path} in open-api.json",
                method.to_ascii_uppercase()
            )]
        })
}

/// A readable name for a media-type schema: the component name for a plain `$ref`, the
/// name of the single `allOf` ref, otherwise a description of the place.
fn schema_name(schema: &Value, fallback: String) -> String {
    let r = schema.get("$ref").or_else(|| {
        schema
            .get("allOf")
            .and_then(Value::as_array)
            .filter(|a| a.len() == 1)
            .and_then(|a| a[0].get("$ref"))
    });
    match r.and_then(Value::as_str) {
        Some(r) => r.rsplit('/').next().unwrap_or(r).to_owned(),
        None => fallback,
    }
}

/// Validates against each JSON media type of `content` (`application/json`,
/// `application/problem+json`); succeeds if any of them accepts the body.
fn validate_content(content: Option<&Value>, what: &str, body: &Value) -> Result<(), Vec<String>> {
    let Some(content) = content.and_then(Value::as_object) else {
        return if body.is_null() {
            Ok(())
        } else {
            Err(vec![format!("{what} has no body in the spec, got {body}")])
        };
    };
    let mut all_errors = Vec::new();
    let mut tried = 0;
    for (media, mt) in content {
        if !(media == "application/json" || media.ends_with("+json")) {
            continue;
        }
        let Some(schema) = mt.get("schema") else {
            continue;
        };
        tried += 1;
        let name = schema_name(schema, format!("{what} {media}"));
        let key = format!("{what} {media}");
        let c = compiled(&key, &name, schema)?;
        match run(&c, body) {
            Ok(()) => return Ok(()),
            Err(errs) => all_errors.extend(errs.into_iter().map(|e| format!("[{media}] {e}"))),
        }
    }
    if tried == 0 {
        all_errors.push(format!(
            "{what} has no JSON body in the spec (media types: {})",
            content.keys().cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    Err(all_errors)
}

/// Validates a response body of the operation `method path_template` with HTTP `status`.
///
/// `path_template` is written as in the spec, e.g. `/sessions/{referenceNumber}` (a leading
/// `/v2` is tolerated). If the spec gives several JSON media types for the status (such as
/// `ExceptionResponse` and `BadRequestProblemDetails` for 400), the body must match one of
/// them. The `default` response is used when the status is not listed. A status without a
/// body (204) accepts only `Value::Null`.
pub fn validate_response(
    method: &str,
    path_template: &str,
    status: u16,
    body: &Value,
) -> Result<(), Vec<String>> {
    let op = operation(method, path_template)?;
    let responses = op.get("responses");
    let code = status.to_string();
    let class = format!("{}XX", status / 100);
    let response = responses
        .and_then(|r| {
            r.get(&code)
                .or_else(|| r.get(&class))
                .or_else(|| r.get("default"))
        })
        .ok_or_else(|| {
            vec![format!(
                "{} {} has no response {status} in open-api.json",
                method.to_ascii_uppercase(),
                strip_version(path_template)
            )]
        })?;
    let what = format!(
        "response {status} of {} {}",
        method.to_ascii_uppercase(),
        strip_version(path_template)
    );
    validate_content(response.get("content"), &what, body)
}

/// Validates a request body of the operation `method path_template` (JSON bodies only; an
/// operation without a request body accepts only `Value::Null`).
pub fn validate_request(
    method: &str,
    path_template: &str,
    body: &Value,
) -> Result<(), Vec<String>> {
    let op = operation(method, path_template)?;
    let what = format!(
        "request of {} {}",
        method.to_ascii_uppercase(),
        strip_version(path_template)
    );
    validate_content(op.pointer("/requestBody/content"), &what, body)
}

/// Validates a value against the component schema `name` (`#/components/schemas/{name}`).
pub fn validate_schema(name: &str, value: &Value) -> Result<(), Vec<String>> {
    if spec()
        .pointer(&format!("/components/schemas/{name}"))
        .is_none()
    {
        return Err(vec![format!("no component schema {name} in open-api.json")]);
    }
    let reference = serde_json::json!({ "$ref": format!("#/components/schemas/{name}") });
    let c = compiled(&format!("schema {name}"), name, &reference)?;
    run(&c, value)
}

/// Maps a concrete request path (e.g. `/v2/sessions/20250625-SO-2C3E6C8000-B675CF5D68-07`,
/// with or without `/v2`, query string ignored) to its template in the spec
/// (`/sessions/{referenceNumber}`), for the given method. Literal segments win over
/// parameters (`/sessions/{ref}/invoices/failed` beats `/sessions/{ref}/invoices/{invoiceRef}`).
pub fn match_path(method: &str, concrete_path: &str) -> Option<&'static str> {
    let m = method.to_ascii_lowercase();
    let path = concrete_path.split(['?', '#']).next().unwrap_or_default();
    let path = strip_version(path);
    let path = if path.len() > 1 {
        path.trim_end_matches('/')
    } else {
        path
    };
    let segs: Vec<&str> = path.split('/').collect();
    let mut best: Option<(&'static str, usize)> = None;
    for (template, item) in spec().get("paths")?.as_object()? {
        if !METHODS.contains(&m.as_str()) || item.get(&m).is_none() {
            continue;
        }
        let tsegs: Vec<&str> = template.split('/').collect();
        if tsegs.len() != segs.len() {
            continue;
        }
        let mut literals = 0;
        let ok = tsegs.iter().zip(&segs).all(|(t, s)| {
            if t.starts_with('{') && t.ends_with('}') {
                !s.is_empty()
            } else {
                literals += 1;
                t == s
            }
        });
        if ok && best.is_none_or(|(_, l)| literals > l) {
            best = Some((template.as_str(), literals));
        }
    }
    best.map(|(t, _)| t)
}
