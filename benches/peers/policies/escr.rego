# The Nottingham ESCR Restrictions Policy (policies/nottingham-escr), translated by hand into
# Rego for the peer comparison (BENCHMARKS.md). The input is the caselock request JSON as it is
# (docs/api.md); each rule names the caselock rule it encodes, and `allow` is the combining rule
# of docs/semantics.md.
package caselock.escr

import rego.v1

# The policy's declarations.
actions := {"view", "edit", "add_note", "report", "share"}

org_kinds := {"council": "internal", "partner_agency": "partner"}

# `role safeguarding_service_manager ... in service_manager`: holding a role means holding
# every role above it.
role_ancestors := {"safeguarding_service_manager": {"service_manager"}}

default allow := false

# Fail closed: an unknown action or organisation is refused.
known if {
	actions[input.action]
	org_kinds[input.subject.organisation]
}

kind := org_kinds[input.subject.organisation]

restriction := input.record.restriction if input.record.restriction != null

restricted if restriction

roles contains r if some r in input.subject.roles

roles contains a if {
	some r in input.subject.roles
	some a in role_ancestors[r]
}

teams contains t if some t in input.subject.teams

allocated_worker if input.subject.id in input.record.allocated_workers

allocated_manager if input.subject.id in input.record.allocated_managers

# `named_allow` / `named_deny`: the subject, or one of their teams, is on the list.
on_list(list) if input.subject.id in list

on_list(list) if {
	some t in list
	teams[t]
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

# Each category's restriction type.
universal := {"adoption", "high_profile"}

# adoption.deny.1: deny all to partner organisations absolute
absolute_deny if {
	restriction.category == "adoption"
	kind == "partner"
}

# adoption.grant.1: grant view, edit, add_note, report to adoption_access
grant if {
	restriction.category == "adoption"
	input.action in {"view", "edit", "add_note", "report"}
	adoption_access
}

# high_profile.deny.1: deny all to partner organisations absolute
absolute_deny if {
	restriction.category == "high_profile"
	kind == "partner"
}

# high_profile.grant.1: grant view, edit, add_note to allocated_worker, allocated_manager,
# named_allow
grant if {
	restriction.category == "high_profile"
	input.action in {"view", "edit", "add_note"}
	high_profile_grantee
}

high_profile_grantee if allocated_worker

high_profile_grantee if allocated_manager

high_profile_grantee if named_allow

# The combining rule. unrestricted { restriction exclude }: normal access.
allow if {
	known
	not restricted
}

# A universal restriction: refused unless granted; absolute denies and the named exclusion
# come first.
allow if {
	known
	universal[restriction.category]
	not absolute_deny
	not named_deny
	grant
}
