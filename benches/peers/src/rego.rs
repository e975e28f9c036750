//! Rego (regorus): the policy of policies/escr.rego, whose input is the caselock request JSON
//! as it is.
//!
//! Engine-only, each request is already a regorus `Value`; end-to-end, regorus reads the JSON
//! text itself.

use regorus::{Engine, Value};

/// The policy text.
pub const POLICY: &str = include_str!("../policies/escr.rego");

/// The rule that decides.
const RULE: &str = "data.caselock.escr.allow";

/// A regorus engine with the translated policy loaded.
pub struct Rego {
    engine: Engine,
}

impl Rego {
    /// Loads the policy.
    pub fn new() -> Result<Rego, String> {
        let mut engine = Engine::new();
        engine
            .add_policy("escr.rego".to_string(), POLICY.to_string())
            .map_err(|e| format!("escr.rego: {e}"))?;
        Ok(Rego { engine })
    }

    /// A request in regorus's form.
    pub fn prepare(json: &str) -> Result<Value, String> {
        Value::from_json_str(json).map_err(|e| e.to_string())
    }

    /// Engine-only: decides a prepared input (an error is a deny).
    pub fn decide(&mut self, input: &Value) -> bool {
        self.engine.set_input(input.clone());
        self.allow()
    }

    /// End-to-end: from the request's JSON text to a decision.
    pub fn decide_json(&mut self, json: &str) -> bool {
        if self.engine.set_input_json(json).is_err() {
            return false;
        }
        self.allow()
    }

    fn allow(&mut self) -> bool {
        self.engine
            .eval_rule(RULE.to_string())
            .is_ok_and(|v| v == Value::from(true))
    }
}
