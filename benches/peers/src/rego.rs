//! Rego (regorus): the policy of policies/escr.rego (the project's first translation, its
//! declarations written as constant rules) or policies/escr_fair.rego (the declarations loaded
//! once as data), evaluated by regorus's interpreter or, for the fair translation, by its
//! virtual machine (RVM). The input is the caselock request JSON as it is.
//!
//! Engine-only, each request is already a regorus `Value`; end-to-end, regorus reads the JSON
//! text itself.

use std::sync::Arc;

use caselock::compile::DecisionTable;
use caselock::policy::RestrictionType;
use regorus::languages::rego::compiler::Compiler;
use regorus::rvm::program::Program;
use regorus::rvm::vm::RegoVM;
use regorus::{Engine, Value};

const PROJECT: (&str, &str) = ("escr.rego", include_str!("../policies/escr.rego"));
const FAIR: (&str, &str) = ("escr_fair.rego", include_str!("../policies/escr_fair.rego"));
const DECLARED_SOME: (&str, &str) = (
    "declared_some.rego",
    include_str!("../policies/declared_some.rego"),
);
const DECLARED_EVERY: (&str, &str) = (
    "declared_every.rego",
    include_str!("../policies/declared_every.rego"),
);

/// How the fair translation checks that every role and team is declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Declared {
    /// `not undeclared`, where `undeclared` is `some r in … ; not declared`: measured.
    Some,
    /// `every r in … { declared }`: the form regorus 0.14.1's RVM gets wrong.
    Every,
}

impl Declared {
    fn module(self) -> (&'static str, &'static str) {
        match self {
            Declared::Some => DECLARED_SOME,
            Declared::Every => DECLARED_EVERY,
        }
    }
}

/// A regorus engine (the interpreter) with a translation loaded.
pub struct Rego {
    engine: Engine,
    rule: &'static str,
}

/// A regorus virtual machine with the fair translation compiled and the vocabulary loaded.
pub struct RegoVm {
    vm: RegoVM,
}

fn engine(modules: &[(&str, &str)], data: Option<&Value>) -> Result<Engine, String> {
    let mut engine = Engine::new();
    for (file, text) in modules {
        engine
            .add_policy((*file).to_string(), (*text).to_string())
            .map_err(|e| format!("{file}: {e}"))?;
    }
    if let Some(data) = data {
        engine.add_data(data.clone()).map_err(|e| e.to_string())?;
    }
    Ok(engine)
}

/// The policy's declarations as data: `{"vocabulary": {...}}` (see escr_fair.rego).
pub fn vocabulary(table: &DecisionTable) -> Result<Value, String> {
    use serde_json::{Map, Value as Json};
    let v = &table.vocabulary;
    let ancestors = |list: &[caselock::compile::table::Member]| -> Map<String, Json> {
        list.iter()
            .enumerate()
            .map(|(i, m)| {
                let names = caselock::compile::table::ancestors(list, i as u32)
                    .filter_map(|a| list.get(a as usize))
                    .map(|p| Json::from(p.name.clone()));
                (m.name.clone(), Json::Array(names.collect()))
            })
            .collect()
    };
    let actions: Map<String, Json> = v
        .actions
        .iter()
        .map(|a| (a.name.clone(), Json::Bool(true)))
        .collect();
    let organisations: Map<String, Json> = v
        .organisations
        .iter()
        .map(|o| (o.name.clone(), Json::from(o.kind.word())))
        .collect();
    let categories: Map<String, Json> = table
        .categories
        .iter()
        .map(|c| {
            let kind = match c.restriction {
                RestrictionType::Universal => "universal",
                RestrictionType::Exclude => "exclude",
            };
            (c.name.clone(), Json::from(kind))
        })
        .collect();
    let data = serde_json::json!({
        "vocabulary": {
            "actions": actions,
            "organisations": organisations,
            "roles": ancestors(&v.roles),
            "teams": ancestors(&v.teams),
            "categories": categories,
        }
    });
    Value::from_json_str(&data.to_string()).map_err(|e| e.to_string())
}

impl Rego {
    /// The project's translation on the interpreter.
    pub fn project() -> Result<Rego, String> {
        Ok(Rego {
            engine: engine(&[PROJECT], None)?,
            rule: "data.caselock.escr.allow",
        })
    }

    /// The fair translation on the interpreter, with `vocabulary` as data.
    pub fn fair(vocabulary: &Value, declared: Declared) -> Result<Rego, String> {
        Ok(Rego {
            engine: engine(&[FAIR, declared.module()], Some(vocabulary))?,
            rule: "data.caselock.escr_fair.allow",
        })
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
            .eval_rule(self.rule.to_string())
            .is_ok_and(|v| v == Value::from(true))
    }
}

impl RegoVm {
    /// The fair translation compiled for the RVM, with `vocabulary` as data.
    pub fn fair(vocabulary: &Value, declared: Declared) -> Result<RegoVm, String> {
        let rule = "data.caselock.escr_fair.allow";
        let mut engine = engine(&[FAIR, declared.module()], None)?;
        let compiled = engine
            .compile_with_entrypoint(&rule.into())
            .map_err(|e| e.to_string())?;
        let program: Arc<Program> =
            Compiler::compile_from_policy(&compiled, &[rule]).map_err(|e| e.to_string())?;
        let mut vm = RegoVM::new();
        vm.load_program(program);
        vm.set_data(vocabulary.clone()).map_err(|e| e.to_string())?;
        Ok(RegoVm { vm })
    }

    /// Engine-only: decides a prepared input (an error is a deny).
    pub fn decide(&mut self, input: &Value) -> bool {
        self.vm.set_input(input.clone());
        self.allow()
    }

    /// End-to-end: from the request's JSON text to a decision.
    pub fn decide_json(&mut self, json: &str) -> bool {
        let Ok(input) = Value::from_json_str(json) else {
            return false;
        };
        self.vm.set_input(input);
        self.allow()
    }

    fn allow(&mut self) -> bool {
        self.vm.execute().is_ok_and(|v| v == Value::from(true))
    }
}
