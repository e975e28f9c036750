# The Nottingham ESCR Restrictions Policy (policies/nottingham-escr), translated by hand into
# Rego the way Rego is meant to be used: the fair translation of the peer comparison
# (BENCHMARKS.md). escr.rego writes the policy's declarations as constant rules, which regorus
# evaluates again on every query; here they are data, loaded once (`data.vocabulary`, built by
# benches/peers/src/rego.rs from the compiled policy):
#
#   data.vocabulary.actions        {"view": true, ...}
#   data.vocabulary.organisations  {"council": "internal", "partner_agency": "partner"}
#   data.vocabulary.roles          {"<role>": ["<ancestor>", ...], ...}
#   data.vocabulary.teams          {"<team>": ["<ancestor>", ...], ...}
#   data.vocabulary.categories     {"adoption": "universal", ...}
#
# The input is the caselock request JSON as it is (docs/api.md); each rule names the caselock
# rule it encodes, and `allow` is the combining rule of docs/semantics.md. Whether every role
# and team of the subject is declared (`declared_names`) is written in a module of its own:
# declared_some.rego (measured) or declared_every.rego (the same in `every` form, which
# regorus 0.14.1's RVM evaluates wrongly: BENCHMARKS.md).
package caselock.escr_fair

import rego.v1

default allow := false

# Fail closed: an unknown action, organisation, role or team is refused.
known if {
	data.vocabulary.actions[input.action]
	data.vocabulary.organisations[input.subject.organisation]
	declared_names
	not undeclared_list_entry
}

# Fail closed: an access or exclusion list names a team or role the policy does not declare.
list_entries contains e if some e in restriction.named_allow

list_entries contains e if some e in restriction.named_deny

undeclared_list_entry if {
	some e in list_entries
	e.team
	not data.vocabulary.teams[e.team]
}

undeclared_list_entry if {
	some e in list_entries
	e.role
	not data.vocabulary.roles[e.role]
}

kind := data.vocabulary.organisations[input.subject.organisation]

restriction := input.record.restriction if input.record.restriction != null

restricted if restriction

# Holding a role means holding every role above it.
roles contains r if some r in input.subject.roles

roles contains a if {
	some r in input.subject.roles
	some a in data.vocabulary.roles[r]
}

teams contains t if some t in input.subject.teams

allocated_worker if input.subject.id in input.record.allocated_workers

allocated_manager if input.subject.id in input.record.allocated_managers

# `named_allow` / `named_deny`: an entry names the subject (`{"person": id}`), one of their
# teams (`{"team": name}`) or one of their roles (`{"role": name}`).
on_list(list) if {
	some e in list
	e.person == input.subject.id
}

on_list(list) if {
	some e in list
	teams[e.team]
}

on_list(list) if {
	some e in list
	roles[e.role]
}

named_allow if on_list(restriction.named_allow)

named_deny if on_list(restriction.named_deny)

# group adoption_access
adoption_access if teams.emergency_duty

adoption_access if teams.placements

adoption_access if teams.insight_improvement

adoption_access if roles.safeguarding_head_of_service

adoption_access if roles.safeguarding_service_manager

adoption_access if teams.scimt

adoption_access if roles.iro

adoption_access if allocated_manager

adoption_access if allocated_worker

# The actions the relation grants cover.
basic_action if input.action == "view"

basic_action if input.action == "edit"

basic_action if input.action == "add_note"

# adoption.deny.1: deny all to partner organisations absolute
absolute_deny if {
	restriction.category == "adoption"
	kind == "partner"
}

# adoption.grant.1: grant view, edit, add_note to adoption_access
grant if {
	restriction.category == "adoption"
	basic_action
	adoption_access
}

# adoption.grant.2: grant report to adoption_access requires liquid_logic_id_only
grant if {
	restriction.category == "adoption"
	input.action == "report"
	adoption_access
}

# adoption.grant.3: grant share to adoption_access requires service_manager_authorisation
grant if {
	restriction.category == "adoption"
	input.action == "share"
	adoption_access
}

# high_profile.grant.1, staff_conflict.grant.1, high_risk.grant.1: grant view, edit, add_note
# to allocated_worker, allocated_manager, named_allow
grant if {
	relation_category[restriction.category]
	basic_action
	by_relation
}

relation_category contains "high_profile"

relation_category contains "staff_conflict"

relation_category contains "high_risk"

by_relation if allocated_worker

by_relation if allocated_manager

by_relation if named_allow

# The combining rule. unrestricted { restriction exclude }: normal access.
allow if {
	known
	not restricted
}

# A universal restriction: refused unless granted; absolute denies and the named exclusion
# come first.
allow if {
	known
	data.vocabulary.categories[restriction.category] == "universal"
	not absolute_deny
	not named_deny
	grant
}
