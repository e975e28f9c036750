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

declared_roles := {
	"social_worker", "team_manager", "service_manager", "safeguarding_head_of_service",
	"safeguarding_service_manager", "iro",
}

declared_teams := {"emergency_duty", "placements", "insight_improvement", "scimt"}

# Fail closed: an unknown action, organisation, role or team is refused.
known if {
	actions[input.action]
	org_kinds[input.subject.organisation]
	every r in input.subject.roles {
		declared_roles[r]
	}
	every t in input.subject.teams {
		declared_teams[t]
	}
	not undeclared_list_entry
}

# Fail closed: an access or exclusion list names a team or role the policy does not declare.
list_entries contains e if some e in restriction.named_allow

list_entries contains e if some e in restriction.named_deny

undeclared_list_entry if {
	some e in list_entries
	e.team
	not declared_teams[e.team]
}

undeclared_list_entry if {
	some e in list_entries
	e.role
	not declared_roles[e.role]
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

# Each category's restriction type.
universal := {"adoption", "high_profile", "staff_conflict", "high_risk"}

# adoption.deny.1: deny all to partner organisations absolute
absolute_deny if {
	restriction.category == "adoption"
	kind == "partner"
}

# adoption.grant.1: grant view, edit, add_note to adoption_access
grant if {
	restriction.category == "adoption"
	input.action in {"view", "edit", "add_note"}
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
	restriction.category in {"high_profile", "staff_conflict", "high_risk"}
	input.action in {"view", "edit", "add_note"}
	by_relation
}

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
	universal[restriction.category]
	not absolute_deny
	not named_deny
	grant
}
